"""The park project manifest, ``park.toml``: the park, its working CRS and its sources.

A park project is a folder holding ``park.toml``, its ``layers/`` and its ``maps/``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geo import settings
from geo.domain.crs import is_projected_metric, metric_twins
from geo.domain.tables import kinds
from geo.errors import ManifestError
from geo.io.schema import check_manifest_keys

__all__ = ["LayerSpec", "Manifest", "TableSpec", "find_manifest", "load_manifest"]


@dataclass(frozen=True)
class LayerSpec:
    """One ``[layers.NAME]`` entry: where a layer comes from and how to read it."""

    name: str
    kind: str
    source: Path
    layer: str | None = None
    id_field: str = "id"
    crs: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    repair: bool = False
    #: largest area change (m²) a repair may make; None: ``settings.REPAIR_AREA_TOLERANCE_M2``
    repair_tolerance_m2: float | None = None
    #: the source writes northing before easting (X = north, as Chinese surveys do)
    swap_xy: bool = False
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TableSpec:
    """A progress table (``[progress.NAME]``) or the goals table (``[goals]``)."""

    name: str
    source: Path
    kind: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    #: the row of field names (1 = first row); None: found below any title rows
    header_row: int | None = None


@dataclass(frozen=True)
class Manifest:
    """A parsed park.toml. Paths are absolute."""

    root: Path
    path: Path
    name: str
    #: the English name, "" when park.toml gives none (see :meth:`display_name`)
    name_en: str
    as_of: dt.date
    crs: str
    #: where the store is: a GeoPackage path (relative paths resolved against the folder)
    #: or a URL such as ``gpkg:park.gpkg?journal=delete`` or ``postgresql://user@host/db``
    store: str
    data_source: str
    map_review_number: str
    layers: dict[str, LayerSpec]
    progress: dict[str, TableSpec]
    goals: TableSpec | None
    roads: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)
    quotas: dict[int, float] = field(default_factory=dict)
    #: the park's control-indicator thresholds (``[intensity]``, geo/domain/intensity.py)
    intensity: dict = field(default_factory=dict)
    #: the park's 亩均效益 scheme (``[mujun]``: weights, benchmarks, class bounds)
    mujun: dict = field(default_factory=dict)
    #: who records progress when ``--by`` is not given (``[park] operator``)
    operator: str = ""
    #: who issues the briefing (``[park] organization``, 编制单位)
    organization: str = ""
    #: the briefing's date (``[park] issued_on``, 编制日期); None: the as-of date
    issued_on: dt.date | None = None

    def display_name(self, lang: str = "zh") -> str:
        """The park's name in *lang*: ``name_en`` in English when park.toml gives one, else
        the name as written (never a made-up translation)."""
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def maps_dir(self) -> Path:
        return self.root / settings.MAPS_DIR

    @property
    def road_scale_tolerance(self) -> float:
        """``[roads] scale_tolerance``: design vs drawn length below which chainage scales."""
        return float(self.roads.get("scale_tolerance", settings.ROAD_SCALE_TOLERANCE))


def find_manifest(project: Path | str) -> Path:
    """Path of park.toml in *project*; raises ManifestError saying how to create one."""
    project = Path(project)
    path = project if project.is_file() else project / settings.MANIFEST_NAME
    if not path.exists():
        raise ManifestError(
            f"no {settings.MANIFEST_NAME} in {project.resolve()}: this folder is not a park "
            "project. Run `parkgeo init DIR` to create one, `parkgeo demo` for the demo park, "
            "or pass -p/--project with the project folder."
        )
    return path


def _fail(path: Path, key: str, problem: str, fix: str) -> ManifestError:
    return ManifestError(f"{path}: [{key}] {problem}. {fix}")


def _crs(path: Path, key: str, value: str) -> str:
    try:
        CRS.from_user_input(value)
    except PyprojCRSError:
        raise _fail(
            path,
            key,
            f"crs = {value!r} is not a CRS PROJ knows",
            'Use an EPSG code such as "EPSG:4544" (CGCS2000 GK CM 105E).',
        ) from None
    return str(value)


def _fields(path: Path, key: str, spec: dict) -> dict[str, str]:
    fields = spec.get("fields", {})
    if not isinstance(fields, dict):
        raise _fail(
            path, key, "fields must be a table", 'Write `[KEY.fields]` with "源字段" = "id".'
        )
    return {str(k): str(v) for k, v in fields.items()}


def _table(path: Path, root: Path, key: str, name: str, spec: dict) -> TableSpec:
    if "source" not in spec:
        raise _fail(path, key, "has no source", 'Add source = "layers/FILE.csv".')
    kind = spec.get("kind")
    if kind is not None and kind not in kinds():
        raise _fail(path, key, f"kind = {kind!r} is unknown", f"Use one of: {', '.join(kinds())}.")
    return TableSpec(
        name=name,
        source=_source_path(root, spec["source"]),
        kind=kind,
        encoding=spec.get("encoding"),
        sheet=spec.get("sheet"),
        fields=_fields(path, key, spec),
        header_row=_header_row(path, key, spec.get("header_row")),
    )


def _header_row(path: Path, key: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise _fail(
            path,
            key,
            f"header_row = {value!r} is not a row number",
            "Write the spreadsheet row of the field names, e.g. header_row = 2.",
        )
    return value


def load_manifest(project: Path | str) -> Manifest:
    """Read and check ``park.toml`` of the project folder *project*.

    Raises
    ------
    ManifestError
        When the file is missing, is not valid TOML, or an entry is incomplete; the message
        names the file, the key and how to fix it.
    """
    path = find_manifest(project).resolve()
    root = path.parent
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{path}: not valid TOML: {exc}. Fix the line it names.") from None
    except UnicodeDecodeError:
        raise ManifestError(f"{path}: not UTF-8 text. Save park.toml as UTF-8.") from None
    check_manifest_keys(raw, path)

    park = raw.get("park", {})
    as_of = park.get("as_of", dt.date.today())
    if isinstance(as_of, str):
        try:
            as_of = dt.date.fromisoformat(as_of)
        except ValueError:
            raise _fail(
                path, "park", f"as_of = {as_of!r} is not a date", "Write as_of = 2024-09-30."
            ) from None
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    crs = _crs(path, "park", park.get("crs", settings.DEFAULT_WORKING_CRS))
    if not is_projected_metric(crs):
        twins = metric_twins(crs)
        raise _fail(
            path,
            "park",
            f"crs = {crs!r} is not a projected CRS in metres; areas and lengths are measured in it",
            f"Use {' or '.join(repr(t) for t in twins)} instead (the same place in metres)"
            if twins
            else 'Use the data\'s Gauss-Krüger zone (e.g. crs = "EPSG:4544" for CM 105°E), '
            "or run `parkgeo init --from` to choose it from the data",
        )

    layers: dict[str, LayerSpec] = {}
    for name, spec in raw.get("layers", {}).items():
        key = f"layers.{name}"
        kind = spec.get("kind", name)
        if kind not in kinds():
            raise _fail(
                path, key, f"kind = {kind!r} is unknown", f"Use one of: {', '.join(kinds())}."
            )
        if "source" not in spec:
            raise _fail(path, key, "has no source", 'Add source = "layers/FILE.geojson".')
        other = next((s.name for s in layers.values() if s.kind == kind), None)
        if other:
            raise _fail(
                path,
                key,
                f"is a second layer of kind {kind!r} (after [layers.{other}])",
                "Merge the two sources into one file, or give one a different kind.",
            )
        layers[name] = LayerSpec(
            name=name,
            kind=kind,
            source=_source_path(root, spec["source"]),
            layer=spec.get("layer"),
            id_field=spec.get("id", "id"),
            crs=_crs(path, key, spec["crs"]) if spec.get("crs") else None,
            encoding=spec.get("encoding"),
            sheet=spec.get("sheet"),
            repair=bool(spec.get("repair", False)),
            repair_tolerance_m2=spec.get("repair_tolerance_m2"),
            swap_xy=bool(spec.get("swap_xy", False)),
            fields=_fields(path, key, spec),
        )

    progress = {
        name: _table(path, root, f"progress.{name}", name, spec)
        for name, spec in raw.get("progress", {}).items()
    }
    goals = _table(path, root, "goals", "goals", raw["goals"]) if "goals" in raw else None
    quotas = {}
    for year, value in raw.get("quotas", {}).items():
        try:
            quotas[int(year)] = float(value)
        except (TypeError, ValueError):
            raise _fail(
                path,
                "quotas",
                f"{year} = {value!r} is not a year and a number of 亩",
                "Write e.g. 2024 = 1500.",
            ) from None

    return Manifest(
        root=root,
        path=path,
        name=str(park.get("name", root.name)),
        name_en=str(park.get("name_en", "")),
        as_of=as_of,
        crs=crs,
        store=_store_url(str(park.get("store", settings.STORE_NAME)), root, path),
        data_source=str(park.get("data_source", "")),
        map_review_number=str(park.get("map_review_number", "")),
        layers=layers,
        progress=progress,
        goals=goals,
        roads=dict(raw.get("roads", {})),
        checks=dict(raw.get("checks", {})),
        quotas=quotas,
        intensity=dict(raw.get("intensity", {})),
        mujun=dict(raw.get("mujun", {})),
        operator=str(park.get("operator", "")),
        organization=str(park.get("organization", "")),
        issued_on=_date(path, "park.issued_on", park.get("issued_on")),
    )


def _date(path: Path, key: str, value) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _fail(
            path, key, f"{value!r} is not a date", "Write a TOML date, e.g. 2024-10-08."
        ) from None


def _source_path(root: Path, source: str) -> Path:
    """*source* made absolute against *root*, ``..`` removed but symbolic links kept (so a
    link in layers/ is recorded where it is, and import can say where it points)."""
    return Path(os.path.abspath(root / source))


def _store_url(text: str, root: Path, path: Path) -> str:
    """A plain path is a GeoPackage, made absolute; a URL (``scheme:...``) stays as given.

    A PostgreSQL URL must not hold a password: park.toml is shared with everyone.
    """
    if text.startswith(("postgresql:", "postgres:")):
        parts = urlsplit(text)
        if parts.password is not None or "password=" in parts.query.lower():
            raise _fail(
                path,
                "park",
                "store holds a password, and park.toml is shared with everyone who opens the park",
                "Remove it from the URL and put it in ~/.pgpass (host:port:db:user:password, "
                "chmod 600), a PostgreSQL service file (service=NAME) or PGPASSWORD.",
            )
        return text
    if ":" in text[2:] or text.startswith("gpkg:"):
        return text
    return str((root / text).resolve())
