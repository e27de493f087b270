"""A new park from its own files: what ``parkgeo init --from`` reads and guesses.

Each source is inspected (layers, fields, encoding, CRS, geometry types, extent); its kind
and field map are guessed from the field names Chinese land data uses (the table
``geo/data/source_fields.toml``); the working CRS is the zone of the data's centre. The
result is a commented park.toml that imports as it is, and a list of what was not guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.domain.crs import guess_crs, working_crs_for
from geo.domain.tables import data_table, kinds
from geo.domain.units import parse_unit
from geo.errors import LayerReadError
from geo.io.sources import TABLE_SUFFIXES, layer_names, read_source

__all__ = ["ProjectGuess", "SourceGuess", "guess_project", "manifest_for", "sources_frame"]

#: geometry kind of a GDAL geometry type name
_GEOMETRY = {"Polygon": "polygon", "MultiPolygon": "polygon"}
_GEOMETRY |= {"LineString": "line", "MultiLineString": "line"}


@dataclass
class SourceGuess:
    """One layer or table of the sources, as read and as guessed."""

    path: Path
    layer: str | None
    fields: list[str]
    geometry: str  # polygon, line, point, none
    features: int
    crs: str | None  # the file's CRS, as an EPSG code when it has one
    crs_guess: str | None  # from the coordinates, when the file has none
    crs_reason: str
    lonlat: tuple[float, float, float, float] | None
    encoding: str | None
    kind: str | None = None
    id_field: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # source field → canonical
    notes: list[str] = field(default_factory=list)
    #: fields whose values are present and unique in every feature (id candidates)
    unique: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.layer or self.path.stem


@dataclass
class ProjectGuess:
    """Every source guessed, and the working CRS chosen from their extent."""

    sources: list[SourceGuess]
    crs: str
    crs_reason: str


def _key(name: object) -> str:
    """A field name without brackets, units, spaces and case: 用地面积(亩) → 用地面积."""
    text = re.sub(r"[（(\[【].*?[)）\]】]", "", str(name))
    text = re.sub(r"[（(\[【][^)）\]】]*$", "", text)  # a bracket cut off by the .dbf
    return re.sub(r"[\s_\-·.]", "", text).lower()


def _bracket_unit(name: str):
    match = re.search(r"[（(\[【](.*?)[)）\]】]", name)
    return parse_unit(match.group(1)) if match else None


def _cut(name: str) -> bool:
    """True when a Shapefile field name was probably truncated at the .dbf's 10 bytes."""
    return (
        re.search(r"[（(\[【][^)）\]】]*$", name) is not None
        or len(name.encode("gbk", "replace")) >= 10
    )


def _table() -> dict:
    return data_table("source_fields.toml")


def _kind_score(kind_name: str, guess: SourceGuess) -> float:
    spec = _table()[kind_name]
    keys = {_key(f) for f in guess.fields}
    matched = sum(any(_key(n) in keys for n in names) for f, names in spec.items() if f != "clues")
    text = f"{guess.path.stem} {guess.layer or ''} {' '.join(guess.fields)}".lower()
    clues = sum(clue.lower() in text for clue in spec["clues"])
    return matched + 2 * clues


def _guess_kind(guess: SourceGuess) -> str | None:
    candidates = [
        name for name, k in kinds().items() if name in _table() and k.geometry == guess.geometry
    ]
    if not candidates:
        return None
    scored = sorted(
        ((_kind_score(n, guess), -i, n) for i, n in enumerate(candidates)), reverse=True
    )
    return scored[0][2] if scored[0][0] > 0 else None


def _guess_fields(guess: SourceGuess) -> None:
    spec = _table()[guess.kind]
    by_key = {}
    for f in guess.fields:
        by_key.setdefault(_key(f), f)
    used: set[str] = set()
    for canonical, names in spec.items():
        if canonical == "clues":
            continue
        source = next((by_key[_key(n)] for n in names if _key(n) in by_key), None)
        if source is None or source in used:
            continue
        if canonical.endswith("_mu"):
            unit = _bracket_unit(source)
            if unit is not None and unit.code != "mu":
                guess.notes.append(f"{source!r} is in {unit.zh}, not 亩: not mapped to {canonical}")
                continue
        used.add(source)
        if guess.path.suffix.lower() == ".shp" and _cut(source):
            guess.notes.append(
                f"{source!r} looks cut: .dbf field names hold 10 bytes (a Chinese character "
                f"takes 2 in GBK, 3 in UTF-8); read as {canonical}"
            )
        if canonical == "id":
            guess.id_field = source
        else:
            guess.mapping[source] = canonical
    if guess.id_field is None:
        hinted = [f for f in guess.unique if f not in used and _id_like(f)]
        if hinted:
            guess.id_field = hinted[0]
            guess.notes.append(
                f"no field is named as an id; {hinted[0]!r} has a value of its own for every "
                "feature, so it is the id: check that it is"
            )
    k = kinds()[guess.kind]
    found = {"id"} if guess.id_field else set()
    found |= set(guess.mapping.values())
    for name in k.required:
        if name not in found and not (name == "kind" and guess.kind == "progress"):
            f = k.field(name)
            guess.notes.append(f"no field for {name} ({f.label_zh}): map one by hand")


def _inspect_table(path: Path) -> list[SourceGuess]:
    raw = read_source(path)
    return [
        SourceGuess(
            path=path,
            layer=None,
            fields=[str(c) for c in raw.frame.columns],
            geometry="none",
            features=len(raw.frame),
            crs=None,
            crs_guess=None,
            crs_reason="",
            lonlat=None,
            encoding=raw.encoding,
            notes=list(raw.notes),
            unique=_unique_fields(raw.frame),
        )
    ]


def _id_like(name: str) -> bool:
    """Whether field *name* is named like an id (``[id_hints]``): a part of three or more
    letters anywhere in it (ADCODE99), a short one as a word of its own (zone_id, not valid)."""
    words = re.split(r"[^0-9a-z]+", re.sub(r"\d+", " ", name.lower()))
    for part in _table()["id_hints"]["parts"]:
        part = part.lower()
        short = part.isascii() and len(part) < 3
        if (part in words) if short else (part in _key(name)):
            return True
    return False


def _unique_fields(frame) -> list[str]:
    """The fields of *frame* whose values, as text, are present and unique (ids could be)."""
    out = []
    for name in frame.columns:
        if name == getattr(frame, "_geometry_column_name", None):
            continue
        values = frame[name]
        if values.dtype.kind == "f" and not (values.dropna() % 1 == 0).all():
            continue  # measured numbers are not ids
        text = values.astype(str).str.strip()
        if len(frame) and values.notna().all() and (text != "").all() and text.is_unique:
            out.append(str(name))
    return out


def _inspect_layer(path: Path, layer: str | None) -> SourceGuess:
    raw = read_source(path, layer=layer)
    frame = raw.frame
    geometry = "none"
    crs = crs_guess = None
    reason = ""
    lonlat = None
    if hasattr(frame, "geometry") and len(frame):
        types = set(frame.geometry.geom_type.dropna())
        kinds_of = {_GEOMETRY.get(t, "point") for t in types}
        geometry = kinds_of.pop() if len(kinds_of) == 1 else "mixed"
        bounds = frame.total_bounds
        if frame.crs is not None:
            epsg = frame.crs.to_epsg()
            crs = f"EPSG:{epsg}" if epsg else frame.crs.to_wkt()
            lonlat = tuple(float(v) for v in frame.to_crs("EPSG:4326").total_bounds)
        else:
            crs_guess, reason = guess_crs(
                np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])
            )
            if crs_guess:
                lonlat = tuple(
                    float(v) for v in frame.set_crs(crs_guess).to_crs("EPSG:4326").total_bounds
                )
    fields = [str(c) for c in frame.columns if c != getattr(frame, "_geometry_column_name", "")]
    return SourceGuess(
        path=path,
        layer=layer,
        fields=fields,
        geometry=geometry,
        features=len(frame),
        crs=crs,
        crs_guess=crs_guess,
        crs_reason=reason,
        lonlat=lonlat,
        encoding=raw.encoding,
        notes=list(raw.notes),
        unique=_unique_fields(frame),
    )


def guess_project(paths: list[Path]) -> ProjectGuess:
    """Inspect every source in *paths* and guess its kind, field map and CRS.

    Raises
    ------
    LayerReadError
        A file that cannot be read (the message says which and why).
    """
    guesses: list[SourceGuess] = []
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise LayerReadError(f"{path}: file not found. Check the --from paths.")
        if path.suffix.lower() in TABLE_SUFFIXES:
            guesses.extend(_inspect_table(path))
            continue
        names = layer_names(path)
        for name in names:
            guesses.append(_inspect_layer(path, name if len(names) > 1 else None))
    taken: dict[str, str] = {}
    for g in guesses:
        if g.geometry == "none":
            scores = {n: _kind_score(n, g) for n in ("projects", "progress")}
            g.kind = max(scores, key=scores.get) if max(scores.values()) > 0 else None
        else:
            g.kind = _guess_kind(g)
        if g.kind is None:
            g.notes.append(f"kind not guessed ({g.geometry} geometry): set kind by hand")
            continue
        if g.kind != "progress" and g.kind in taken:
            g.notes.append(f"a second {g.kind} layer (after {taken[g.kind]}): left out")
            g.kind = None
            continue
        taken[g.kind] = g.name
        _guess_fields(g)
    boxes = [g.lonlat for g in guesses if g.lonlat and all(np.isfinite(g.lonlat))]
    if boxes:
        west = min(b[0] for b in boxes)
        east = max(b[2] for b in boxes)
        south = min(b[1] for b in boxes)
        north = max(b[3] for b in boxes)
        lon, lat = (west + east) / 2, (south + north) / 2
        crs = working_crs_for(lon, lat)
        reason = f"the zone of the data's centre ({lon:.3f}°E, {lat:.3f}°N)"
    else:
        crs, reason = "EPSG:4544", "no source has a known place: CM 105°E, check it"
    return ProjectGuess(sources=guesses, crs=crs, crs_reason=reason)


def _q(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(str(text), ensure_ascii=False)


def _section(g: SourceGuess, source: str) -> list[str]:
    if g.kind == "progress":
        head = f"[progress.{g.name}]"
        lines = [head, f"source = {_q(source)}"]
        if "kind" not in g.mapping.values():
            lines.append('kind = "parcels"                # 没有图层列: the kind every row is of')
    else:
        head = f"[layers.{g.kind}]"
        lines = [head, f'kind = "{g.kind}"', f"source = {_q(source)}"]
        if g.layer:
            lines.append(f"layer = {_q(g.layer)}")
        if g.id_field and g.id_field != "id":
            lines.append(f"id = {_q(g.id_field)}")
        if g.geometry != "none" and g.crs is None:
            if g.crs_guess:
                lines.append(f"crs = {_q(g.crs_guess)}  # guessed: the file has no .prj")
            else:
                lines.append(f"# crs = ...   # TODO: no .prj; {g.crs_reason}")
    if g.mapping:
        lines.append(f"[{head[1:-1]}.fields]")
        lines.extend(f"{_q(s)} = {_q(c)}" for s, c in g.mapping.items())
    return lines


def manifest_for(guess: ProjectGuess, *, name: str, sources: dict[Path, str]) -> str:
    """park.toml text for *guess*: a [park] section and a section per guessed source.

    *sources* maps each inspected file to the path park.toml names it by. Sources whose
    kind was not guessed are listed in comments with their fields.
    """
    lines = [
        "# parkgeo 园区项目清单 / park project manifest, written by `parkgeo init --from`.",
        "# Check each guess below, then run `parkgeo import`. Paths are relative to this file.",
        "",
        "[park]",
        f"name = {_q(name)}",
        '# name_en = ""                   # English name (maps with --lang en)',
        "# as_of = 2024-09-30             # 默认统计日期; default: the day a command runs",
        f"crs = {_q(guess.crs)}            # 量算坐标系 working CRS: {guess.crs_reason}",
        'store = "park.gpkg"',
        "",
    ]
    for g in guess.sources:
        source = sources[g.path]
        where = source + (f" (layer {g.layer})" if g.layer else "")
        if g.kind is None:
            lines.append(f"# {where}: {g.geometry}, fields: {', '.join(g.fields)}")
            lines.extend(f"#   {note}" for note in g.notes)
            lines.append("")
            continue
        lines.append(f"# {where}: {g.features} feature(s), {g.geometry}, CRS {g.crs or '?'}")
        lines.extend(f"#   {note}" for note in g.notes)
        unmapped = [f for f in g.fields if f not in g.mapping and f != g.id_field]
        if unmapped:
            lines.append(f"#   kept as they are: {', '.join(unmapped)}")
        lines.extend(_section(g, source))
        lines.append("")
    return "\n".join(lines)


def sources_frame(guess: ProjectGuess) -> pd.DataFrame:
    """One row per source: file, layer, kind, geometry, features, CRS, mapped fields."""
    return pd.DataFrame(
        [
            {
                "source": g.path.name,
                "layer": g.layer or "",
                "kind": g.kind or "?",
                "geometry": g.geometry,
                "features": g.features,
                "crs": g.crs or g.crs_guess or "?",
                "fields": ", ".join(
                    [f"{g.id_field}→id"] * bool(g.id_field)
                    + [f"{s}→{c}" for s, c in g.mapping.items()]
                ),
                "notes": "; ".join(g.notes),
            }
            for g in guess.sources
        ]
    )
