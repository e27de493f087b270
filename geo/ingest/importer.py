"""Import: validate and normalize every source named in park.toml, then write the store.

Validation happens once, here; after import the rest of parkgeo trusts the stored data.
Each refusal names the file, the layer, the feature id or row and the field, and says how
to fix it. An import that fails writes nothing: the store stays exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import math
import re
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.domain.crs import crs_fit_warnings, working_crs_for
from geo.domain.goals import goal_spec
from geo.domain.linref import road_centerlines
from geo.domain.tables import Kind, kind
from geo.domain.units import field_unit
from geo.domain.values import as_text, clean_frame, parse_date, parse_number
from geo.errors import CRSError, GoalError, LayerReadError, ManifestError
from geo.ingest.geometry import check_geometry, resolve_crs
from geo.ingest.history import apply_plans, upgrade_history, utc_now
from geo.ingest.planning import (
    ORIGIN_COLUMNS,
    ImportReport,
    outside_notes,
    plan_progress,
    read_progress,
    rel_path,
    source_rows,
    unchanged_as_a_whole,
)
from geo.ingest.problems import Problems
from geo.ingest.records import listing, rename_fields
from geo.io.files import write_atomic
from geo.io.manifest import LayerSpec, Manifest, TableSpec
from geo.io.sources import read_source
from geo.store import RECORD_SCHEMA, RECORDS, SOURCE_SCHEMA, SOURCES, Store

__all__ = [
    "ImportReport",
    "frame_fingerprint",
    "import_project",
    "normalize_layer",
    "normalize_table",
    "parse_date",
    "parse_number",
]

# ---------------------------------------------------------------------------- values


# ---------------------------------------------------------------------------- fields


def _coerce(
    frame: pd.DataFrame, where: str, k: Kind, ids: pd.Series | None, problems: Problems
) -> pd.DataFrame:
    """*frame*'s fields as their kind's types; each bad value filed in *problems* by kind
    (bad dates, bad numbers, bad declared areas, required values missing)."""
    out = frame.copy()
    id_list = None if ids is None else ids.tolist()

    def place(i: int, f) -> str:  # only for a problem: 100k features, few problems
        row = f"row {i + 2}" if id_list is None else f"feature {id_list[i]!r} (#{i + 1})"
        return f"{where}: {row}, field {f.name} ({f.label_zh})"

    for f in k.fields:
        if f.name not in out.columns:
            continue
        values = []
        for i, v in enumerate(out[f.name].tolist()):
            try:
                if f.type == "date":
                    d = parse_date(v)
                    values.append(d.isoformat() if d else None)
                elif f.type in ("float", "int"):
                    values.append(parse_number(v, unit=field_unit(f.name)))
                elif f.type == "ids":
                    values.append(_split_ids(None if _blank(v) else v))
                else:
                    values.append(None if _blank(v) else str(v).strip())
            except ValueError as exc:
                kind = "bad_date" if f.type == "date" else "bad_number"
                problems.add(kind, [f"{place(i, f)}: {exc}"])
                values.append(None)
            number = values[-1] if f.type in ("float", "int") and "area" in f.name else None
            if number is not None and (not math.isfinite(number) or number < 0):
                problems.add("bad_area", [f"{place(i, f)}: {_bad_area(v, number, f.name)}"])
                values[-1] = None
            if f.required and values[-1] in (None, "", []):
                problems.add("required", [f"{place(i, f)}: empty, but required"])
        if f.type in ("float", "int"):
            out[f.name] = pd.Series(values, index=out.index, dtype="float64")
        else:
            out[f.name] = pd.Series(values, index=out.index, dtype="object")
    return out


def _bad_area(value: object, number: float, field: str) -> str:
    """Why *value* (read as *number*) is no area, and what to write instead."""
    unit = field_unit(field)
    shown = str(value).strip() if isinstance(value, str) else f"{number:g}"
    if math.isnan(number):
        return f"{shown!r} is not a number (NaN); leave the cell empty when the area is unknown"
    if number < 0:
        return (
            f"{shown!r} is a negative area; write the area as a positive number "
            f"(e.g. {-number:g}{unit.zh if unit else ''})"
        )
    return f"{shown!r} is not a finite area; write the area as a number"


def _broken_by_projection(gdf, centre, i: int, where: str, working_crs: str) -> str:
    """Why feature *i* (*centre* in degrees), valid as read, is invalid once projected into
    *working_crs*."""
    fit = working_crs_for(centre.x, centre.y)
    return (
        f"{where}: {gdf['id'].iloc[i]!r} is valid as read but not once projected into the "
        f"working CRS {working_crs} ({shapely.is_valid_reason(gdf.geometry.array[i])}): it "
        f"lies too far from that zone. Measure it in the zone of its centre ({fit}): set crs "
        "in [park], or split the layer by zone into projects of their own."
    )


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _id_text(value: object) -> str:
    """Ids as text; a float id read from a spreadsheet (12.0) becomes "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_ids(frame: pd.DataFrame, where: str, problems: Problems) -> None:
    ids = frame["id"]
    empty = [f"{where}: feature #{i + 1}" for i, v in enumerate(ids) if v in (None, "")]
    problems.add("empty_id", empty)
    dup = ids[ids.duplicated(keep=False) & ids.notna() & (ids != "")]
    problems.add(
        "duplicate_id",
        [
            f"{where}: {v!r} at #{', #'.join(str(i + 1) for i in np.flatnonzero(ids == v))}"
            for v in dict.fromkeys(dup)
        ],
    )


# ---------------------------------------------------------------------------- layers


def normalize_layer(
    frame: pd.DataFrame,
    spec: LayerSpec,
    *,
    working_crs: str,
    repair: bool = False,
    repair_tolerance_m2: float | None = None,
    report: ImportReport | None = None,
    problems: Problems | None = None,
) -> pd.DataFrame | None:
    """Validate and normalize one source layer into the canonical form of its kind.

    Canonical field names and types, ids as unique text, geometry valid and in
    *working_crs*, coordinates as the source has them (not snapped: areas are those of
    the source geometry; Z values are dropped with a note). Non-spatial kinds return a
    DataFrame.

    Parameters
    ----------
    repair_tolerance_m2
        Largest area (m²; length for lines) a repair may change a feature by (default: the
        layer's ``repair_tolerance_m2``, else ``settings.REPAIR_AREA_TOLERANCE_M2``).
    problems
        Where to file what is wrong, by kind, and go on (the importer collects every
        layer's problems this way); None: refuse at the end with all of this layer's.
        With *problems* given, None is returned when the layer cannot be read at all.

    Raises
    ------
    LayerReadError, CRSError, GeometryError, ImportProblemsError
        With file, layer, feature id and field, and how to fix the source or park.toml.
    """
    mine = problems is None
    problems = Problems() if mine else problems
    out = _normalize(frame, spec, working_crs, repair, repair_tolerance_m2, report, problems)
    if mine:
        problems.raise_if_any()
    return out


def _normalize(frame, spec, working_crs, repair, repair_tolerance_m2, report, problems):
    report = report if report is not None else ImportReport()
    k = kind(spec.kind)
    where = f"{spec.source.name}" + (f" (layer {spec.layer})" if spec.layer else "")
    where += f" [layers.{spec.name}]"
    if len(frame) == 0:
        raise LayerReadError(
            f"{where}: the layer is empty. Point source at the right file or layer."
        )
    try:
        frame = rename_fields(frame, where, f"layers.{spec.name}", spec.fields, spec.id_field, k)
    except LayerReadError as error:
        problems.catch("fields", error)
        return None
    frame["id"] = [None if _blank(v) else _id_text(v) for v in frame["id"]]
    _check_ids(frame, where, problems)
    frame = _coerce(frame, where, k, frame["id"], problems)
    if not k.spatial:
        return pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"]))
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerReadError(f"{where}: a {k.name} layer needs geometry, but the source has none.")
    try:
        gdf = resolve_crs(frame, spec, where)
    except CRSError as error:
        problems.catch("crs", error)
        return None
    if spec.crs is None and _geojson_without_crs(spec.source):
        report.notes.append(
            f"{where}: the GeoJSON names no CRS, so its coordinates are taken as WGS 84 degrees "
            f'(RFC 7946); if they are not, set crs = "EPSG:..." in [layers.{spec.name}]'
        )
    present = ~(gdf.geometry.isna() | gdf.geometry.is_empty)
    if gdf.geometry[present].has_z.any():
        n = int(gdf.geometry[present].has_z.sum())
        gdf = gdf.set_geometry(shapely.force_2d(gdf.geometry.array))
        report.notes.append(
            f"{where}: {n} feature(s) have Z (height) coordinates; parkgeo measures in the "
            "plane, so the Z values were dropped (areas and lengths are those of the 2D shapes)"
        )
    report.warnings.extend(crs_fit_warnings(gdf, working_crs, layer=spec.name))
    source = gdf.geometry
    valid_before = shapely.is_valid(source.array)
    gdf = gdf.to_crs(working_crs)
    broken = np.flatnonzero(valid_before & ~shapely.is_valid(gdf.geometry.array))
    if len(broken):
        # the source is fine: the working CRS cannot hold features that far from its zone
        centres = shapely.centroid(source.iloc[broken].to_crs("EPSG:4326").array)
        problems.add(
            "crs",
            [
                _broken_by_projection(gdf, centre, i, where, working_crs)
                for i, centre in zip(broken, centres, strict=True)
            ],
            CRSError,
        )
        return None
    tolerance = repair_tolerance_m2
    if tolerance is None:
        tolerance = spec.repair_tolerance_m2
    if tolerance is None:
        tolerance = settings.REPAIR_AREA_TOLERANCE_M2
    gdf = check_geometry(
        gdf,
        k,
        where,
        repair=repair or spec.repair,
        tolerance_m2=tolerance,
        report=report,
        layer=spec.name,
        problems=problems,
    )
    canonical = [f.name for f in k.fields if f.name in gdf.columns]
    extra = [c for c in gdf.columns if c not in canonical and c != gdf.geometry.name]
    return gdf[[*canonical, *extra, gdf.geometry.name]]


def _geojson_without_crs(path: Path) -> bool:
    """Whether *path* is a GeoJSON file with no ``crs`` member (GDAL writes it first)."""
    if path.suffix.lower() not in (".geojson", ".json") or not path.is_file():
        return False
    with path.open("rb") as fh:
        return b'"crs"' not in fh.read(65536)


def _split_ids(value: object) -> list[str]:
    """A cell naming several ids (``WLT-01;WLT-02``, ``WLT-01、WLT-02``) as a list; the store
    keeps it as rows of its own table."""
    if value is None:
        return []
    return [p.strip() for p in re.split(r"[;；,，、\s]+", str(value)) if p.strip()]


def normalize_table(frame: pd.DataFrame, spec: TableSpec, *, kind_name: str) -> pd.DataFrame:
    """Rename a progress or goals table's columns to canonical names and set their types."""
    k = kind(kind_name)
    where = f"{spec.source.name} [{'goals' if kind_name == 'goals' else 'progress.' + spec.name}]"
    key = "goals" if kind_name == "goals" else f"progress.{spec.name}"
    if spec.kind and "kind" not in spec.fields.values():
        frame = frame.assign(kind=spec.kind)
    frame = rename_fields(frame, where, key, spec.fields, None, k)
    problems = Problems()
    frame = _coerce(frame, where, k, None, problems)
    problems.raise_if_any()
    frame["source_file"] = spec.source.name
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame


def check_goals(goals: pd.DataFrame, *, source: Path, layers: dict[str, pd.DataFrame]) -> None:
    """Refuse a goals table with any goal that cannot be measured, naming every bad row.

    Parameters
    ----------
    goals
        The normalized goals table (:func:`normalize_table`).
    source
        Its file, named in the message.
    layers
        Kind → normalized layer of this import: a ``sum:FIELD`` goal must name one of its
        fields.

    Raises
    ------
    GoalError
        Listing each bad row with the reason and how to fix it (see
        :func:`geo.domain.goals.goal_spec`).
    """
    problems = []
    for row in goals.to_dict("records"):
        where = f"goal {as_text(row.get('id'))!r} ({source.name} row {row['source_row']})"
        layer = layers.get(as_text(row.get("layer")))
        try:
            goal_spec(row, where=where, fields=None if layer is None else list(layer.columns))
        except GoalError as exc:
            problems.append(str(exc))
    if problems:
        raise GoalError(
            f"{source}: {len(problems)} goal(s) cannot be measured; nothing was imported:"
            f"{listing(problems)}\nFix these rows of the goals table and import again."
        )


# ---------------------------------------------------------------------------- project


def import_project(
    manifest: Manifest,
    store: Store,
    *,
    repair: bool = False,
    repair_tolerance_m2: float | None = None,
    skip_bad: bool = False,
    today: dt.date | None = None,
    on_step: Callable[[str], None] | None = None,
    by: str | None = None,
    dry_run: bool = False,
    on_plan: Callable[[ImportReport], None] | None = None,
) -> ImportReport:
    """Read every source of *manifest*, validate it and write the store.

    Layers and the goals table are replaced (an unchanged layer is not rewritten). Each
    progress file is the record of what it holds: new rows are added, changed rows
    supersede their records, removed rows retract theirs (:mod:`geo.ingest.lifecycle`);
    nothing is deleted. One transaction, the history read and written under one write
    lock: when any source is refused the store is left exactly as it was.

    Parameters
    ----------
    repair_tolerance_m2
        Largest area change a geometry repair may make (see :func:`normalize_layer`).
    skip_bad
        Import the good progress rows and write the bad ones, with their reasons, to
        ``NAME.rejects.csv`` beside each input instead of refusing the whole file.
    today
        Progress dated after it is refused (default: today).
    by
        Who records (default: ``[park] operator``, else the OS user).
    dry_run
        Work out and report the changes, write nothing.
    on_plan
        Called with the report once the changes are known, before anything is written.
    """
    report = ImportReport(dry_run=dry_run)
    step = on_step or (lambda _name: None)
    if not manifest.layers:
        raise ManifestError(f"{manifest.path}: no [layers.*] entries; nothing to import.")
    frames: dict[str, tuple[str, pd.DataFrame, Path]] = {}
    problems = Problems()
    for spec in manifest.layers.values():
        step(spec.name)
        try:
            raw = read_source(
                spec.source, layer=spec.layer, encoding=spec.encoding, sheet=spec.sheet
            )
        except LayerReadError as error:
            problems.catch("source", error)
            continue
        report.notes.extend(raw.notes)
        try:
            frame = normalize_layer(
                clean_frame(raw.frame),
                spec,
                working_crs=manifest.crs,
                repair=repair,
                repair_tolerance_m2=repair_tolerance_m2,
                report=report,
                problems=problems,
            )
        except LayerReadError as error:  # an empty layer, or one with no geometry
            problems.catch("source", error)
            continue
        frames[spec.name] = (spec.kind, frame, spec.source)
    problems.raise_if_any()
    by_kind = {k: f for k, f, _ in frames.values()}
    centerlines = (
        road_centerlines(by_kind["roads"], scale_tolerance=manifest.road_scale_tolerance)
        if "roads" in by_kind
        else {}
    )
    sheets = read_progress(manifest, report) if manifest.progress else []
    report.notes.extend(
        outside_notes(
            [
                *((f"layers.{s.name}", s.source) for s in manifest.layers.values()),
                *((f"progress.{s.spec.name}", s.path) for s in sheets),
                *([("goals", manifest.goals.source)] if manifest.goals else []),
            ],
            manifest.root,
        )
    )
    goals = None
    if manifest.goals:
        step("goals")
        g = manifest.goals
        raw = read_source(g.source, encoding=g.encoding, sheet=g.sheet)
        goals = (normalize_table(raw.frame, g, kind_name="goals"), g.source)
        check_goals(goals[0], source=g.source, layers=by_kind)
    step("progress")
    recorder = by or manifest.operator or _os_user()
    fingerprints = {name: frame_fingerprint(frame) for name, (_, frame, _) in frames.items()}
    layers = hashlib.sha256(
        repr([sorted(fingerprints.items()), manifest.road_scale_tolerance]).encode()
    ).hexdigest()
    planning = dict(
        layers=layers,
        by_kind=by_kind,
        centerlines=centerlines,
        report=report,
        root=manifest.root,
        today=today,
        skip_bad=skip_bad,
    )
    if dry_run and not store.exists():
        plan_progress(sheets, None, **planning)
        _announce(report, on_plan)
        return report
    with store.transaction(command="parkgeo import") as tx:
        upgrade_history(tx, {s.path.name: rel_path(s.path, manifest.root) for s in sheets})
        imported = tx.read(SOURCES)
        root = manifest.root
        unchanged = unchanged_as_a_whole(sheets, root=root, layers=layers, imported=imported)
        history = tallied = None
        if not unchanged:
            history = tx.read(RECORDS, columns=["fid", *RECORD_SCHEMA])
            history = history.rename(columns={"fid": "seq"}) if history is not None else None
        elif RECORDS in tx.catalog()["name"].tolist():
            # every sheet as last imported: the active records counted by origin are all
            # the plan needs, counted by the database, not read
            tallied = tx.tally(
                RECORDS, ORIGIN_COLUMNS, where={"superseded_at": None, "retracted_at": None}
            )
        plan_progress(sheets, history, imported=imported, tallied=tallied, **planning)
        _announce(report, on_plan)
        if dry_run:
            tx.discard()
            return report
        for name, (kind_name, frame, source) in frames.items():
            tx.write_layer(
                name,
                frame,
                kind=kind_name,
                source=rel_path(source, manifest.root),
                fingerprint=fingerprints[name],
            )
            report.counts[name] = len(frame)
        if goals is not None:
            frame, source = goals
            tx.write_layer("goals", frame, kind="goals", source=rel_path(source, manifest.root))
            report.counts["goals"] = len(frame)
        keep = {*frames, RECORDS, SOURCES, "goals" if goals is not None else RECORDS}
        for name in tx.catalog()["name"]:
            if name not in keep:
                tx.drop(name)
        if manifest.progress or history is not None:
            report.counts[RECORDS] = apply_plans(
                tx, report.files, history, by=recorder, before=report.active_before
            )
        versions = source_rows(report, now=utc_now(), by=tx.recorder(recorder))
        if len(versions):
            tx.append(SOURCES, versions, types=SOURCE_SCHEMA)
    # rejects are written only once the store holds the good rows
    for path, text in report.rejects_text.items():
        write_atomic(path, "\ufeff" + text)  # UTF-8 with BOM, for Excel
    return report


def _announce(report: ImportReport, on_plan) -> None:
    if on_plan is not None:
        on_plan(report)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def frame_fingerprint(frame: pd.DataFrame) -> str:
    """A hash of a normalized layer's content (attributes and geometry)."""
    h = hashlib.sha1()
    h.update("\x1f".join(map(str, frame.columns)).encode("utf-8"))
    for column in frame.columns:
        values = frame[column]
        if isinstance(frame, gpd.GeoDataFrame) and column == frame.geometry.name:
            h.update(b"".join(w or b"" for w in shapely.to_wkb(values.array)))
        else:
            h.update(pd.util.hash_pandas_object(values.astype(str), index=False).to_numpy())
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None:
        h.update(frame.crs.to_wkt().encode("utf-8"))
    return h.hexdigest()
