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
from pyproj import CRS, Transformer

from geo import settings
from geo.domain.crs import guess_crs
from geo.domain.goals import goal_spec
from geo.domain.linref import road_centerlines
from geo.domain.tables import Kind, kind
from geo.domain.values import as_text, clean_frame, parse_date, parse_number
from geo.errors import CRSError, GeometryError, GoalError, LayerReadError, ManifestError
from geo.ingest.history import apply_plans, upgrade_history, utc_now
from geo.ingest.planning import (
    HISTORY_OUTLINE,
    ImportReport,
    plan_progress,
    read_progress,
    rel_path,
    source_rows,
    unchanged_as_a_whole,
)
from geo.ingest.records import MAX_LISTED, listing, rename_fields
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


def _coerce(frame: pd.DataFrame, where: str, k: Kind, ids: pd.Series | None) -> pd.DataFrame:
    problems = []
    out = frame.copy()
    for f in k.fields:
        if f.name not in out.columns:
            continue
        values = []
        for i, v in enumerate(out[f.name].tolist()):
            who = f"row {i + 2}" if ids is None else f"feature {ids.iloc[i]!r} (#{i + 1})"
            try:
                if f.type == "date":
                    d = parse_date(v)
                    values.append(d.isoformat() if d else None)
                elif f.type in ("float", "int"):
                    values.append(parse_number(v))
                elif f.type == "ids":
                    values.append(_split_ids(None if _blank(v) else v))
                else:
                    values.append(
                        None
                        if v is None or (isinstance(v, float) and math.isnan(v))
                        else str(v).strip()
                    )
            except ValueError as exc:
                problems.append(f"{who}, field {f.name} ({f.label_zh}): {exc}")
                values.append(None)
            if f.required and values[-1] in (None, "", []):
                problems.append(f"{who}, field {f.name} ({f.label_zh}): empty, but required")
        if f.type in ("float", "int"):
            out[f.name] = pd.Series(values, index=out.index, dtype="float64")
        else:
            out[f.name] = pd.Series(values, index=out.index, dtype="object")
    if problems:
        raise LayerReadError(f"{where}: {len(problems)} bad value(s):{listing(problems)}")
    return out


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _id_text(value: object) -> str:
    """Ids as text; a float id read from a spreadsheet (12.0) becomes "12"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _check_ids(frame: pd.DataFrame, where: str) -> None:
    ids = frame["id"]
    empty = [f"#{i + 1}" for i, v in enumerate(ids) if v in (None, "")]
    if empty:
        raise LayerReadError(
            f"{where}: {len(empty)} feature(s) with an empty id: {', '.join(empty[:MAX_LISTED])}. "
            "Give every feature a unique id."
        )
    dup = ids[ids.duplicated(keep=False)]
    if not dup.empty:
        listed = [
            f"{v!r} at #{', #'.join(str(i + 1) for i in np.flatnonzero(ids == v))}"
            for v in dict.fromkeys(dup)
        ]
        raise LayerReadError(f"{where}: duplicate id(s):{listing(listed)}\nIds must be unique.")


# ---------------------------------------------------------------------------- CRS


def _implausible(crs: CRS, bounds) -> str | None:
    """Why *bounds* cannot be coordinates in *crs* (None when they can)."""
    area = crs.area_of_use
    try:
        t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon, lat = t.transform([bounds[0], bounds[2]], [bounds[1], bounds[3]])
    except Exception:
        return "PROJ cannot transform them"
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return "they fall outside the CRS's valid range"
    if area is not None:
        margin = 1.0
        inside = (
            (lon >= area.west - margin).all()
            and (lon <= area.east + margin).all()
            and (lat >= area.south - margin).all()
            and (lat <= area.north + margin).all()
        )
        if not inside:
            return (
                f"they would lie at {lon.mean():.3f}°E {lat.mean():.3f}°N, outside the CRS's "
                f"area of use ({area.name})"
            )
    return None


def _resolve_crs(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    key = f"[layers.{spec.name}] crs"
    bounds = gdf.total_bounds
    xs, ys = np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])
    guess, reason = guess_crs(xs, ys)
    suggestion = f'set {key} = "{guess}" in park.toml' if guess else f"set {key} in park.toml"
    if spec.crs:
        crs = CRS.from_user_input(spec.crs)
        why = _implausible(crs, bounds)
        if why:
            raise CRSError(
                f"{where}: park.toml declares {spec.crs} but the coordinates do not fit it: {why}. "
                f"{reason}. Fix {key}."
            )
        return gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise CRSError(
            f"{where}: the layer has no CRS (no or unreadable .prj). {reason}. "
            f"To fix, {suggestion}."
        )
    why = _implausible(gdf.crs, bounds)
    if why:
        name = gdf.crs.name
        raise CRSError(
            f"{where}: the file says its CRS is {name} but the coordinates do not fit it: {why}; "
            f"the .prj is probably wrong. {reason}. To fix, {suggestion}."
        )
    return gdf


# ---------------------------------------------------------------------------- geometry


def _check_geometry(
    gdf: gpd.GeoDataFrame, k: Kind, where: str, *, repair: bool, report: ImportReport, layer: str
) -> gpd.GeoDataFrame:
    geoms = gdf.geometry.array
    ids = gdf["id"].tolist()
    empty = [ids[i] for i in np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    if empty:
        raise GeometryError(
            f"{where}: {len(empty)} feature(s) with empty geometry: "
            f"{', '.join(map(repr, empty[:MAX_LISTED]))}. Draw them or remove them."
        )
    types = gdf.geometry.geom_type
    wrong = [f"{ids[i]!r}: {types.iloc[i]}" for i in np.flatnonzero(~types.isin(k.geometry_types))]
    if wrong:
        raise GeometryError(
            f"{where}: a {k.name} layer holds {'/'.join(k.geometry_types)} geometries, but:"
            f"{listing(wrong)}\nExport the layer with the right geometry type."
        )
    valid = shapely.is_valid(geoms)
    if valid.all():
        return gdf
    bad = np.flatnonzero(~valid)
    reasons = [f"{ids[i]!r}: {shapely.is_valid_reason(geoms[i])}" for i in bad]
    if not repair:
        raise GeometryError(
            f"{where}: {len(bad)} invalid geometr{'y' if len(bad) == 1 else 'ies'}:"
            f"{listing(reasons)}\n"
            f"Fix them in a GIS, or let parkgeo repair them: `parkgeo import --repair` or "
            f"repair = true in [layers.{layer}]; every repair is reported with the area it changed."
        )
    fixed = list(geoms)
    for i in bad:
        before = geoms[i]
        after = shapely.make_valid(before, method="structure", keep_collapsed=False)
        if k.geometry == "polygon":
            parts = [
                g for g in shapely.get_parts(after) if g.geom_type in ("Polygon", "MultiPolygon")
            ]
            after = shapely.union_all(parts) if parts else shapely.Polygon()
        if after.is_empty:
            raise GeometryError(
                f"{where}: feature {ids[i]!r} collapses to nothing when repaired "
                f"({shapely.is_valid_reason(before)}). Redraw it."
            )
        fixed[i] = after
        measure = "area" if k.geometry == "polygon" else "length"
        b = before.area if k.geometry == "polygon" else before.length
        a = after.area if k.geometry == "polygon" else after.length
        report.repairs.append(
            {
                "layer": layer,
                "id": ids[i],
                "reason": shapely.is_valid_reason(before),
                f"{measure}_before": b,
                f"{measure}_after": a,
                "changed": a - b,
            }
        )
        report.notes.append(
            f"{layer}: repaired {ids[i]!r} ({shapely.is_valid_reason(before)}): {measure} "
            f"{b:,.2f} → {a:,.2f} (changed {a - b:+,.2f})"
        )
    return gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))


# ---------------------------------------------------------------------------- layers


def normalize_layer(
    frame: pd.DataFrame,
    spec: LayerSpec,
    *,
    working_crs: str,
    repair: bool = False,
    report: ImportReport | None = None,
) -> pd.DataFrame:
    """Validate and normalize one source layer into the canonical form of its kind.

    Canonical field names and types, ids as unique text, geometry valid and in
    *working_crs* (coordinates rounded to 1 mm). Non-spatial kinds return a DataFrame.

    Raises
    ------
    LayerReadError, CRSError, GeometryError
        With file, layer, feature id and field, and how to fix the source or park.toml.
    """
    report = report if report is not None else ImportReport()
    k = kind(spec.kind)
    where = f"{spec.source.name}" + (f" (layer {spec.layer})" if spec.layer else "")
    where += f" [layers.{spec.name}]"
    if len(frame) == 0:
        raise LayerReadError(
            f"{where}: the layer is empty. Point source at the right file or layer."
        )
    frame = rename_fields(frame, where, f"layers.{spec.name}", spec.fields, spec.id_field, k)
    frame["id"] = [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else _id_text(v)
        for v in frame["id"]
    ]
    _check_ids(frame, where)
    frame = _coerce(frame, where, k, frame["id"])
    if not k.spatial:
        out = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"]))
        return out
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerReadError(f"{where}: a {k.name} layer needs geometry, but the source has none.")
    gdf = _resolve_crs(frame, spec, where)
    gdf = gdf.to_crs(working_crs)
    gdf = _check_geometry(
        gdf, k, where, repair=repair or spec.repair, report=report, layer=spec.name
    )
    gdf = gdf.set_geometry(
        shapely.set_precision(gdf.geometry.array, 10**-settings.COORDINATE_DECIMALS)
    )
    canonical = [f.name for f in k.fields if f.name in gdf.columns]
    extra = [c for c in gdf.columns if c not in canonical and c != gdf.geometry.name]
    return gdf[[*canonical, *extra, gdf.geometry.name]]


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
    frame = _coerce(frame, where, k, None)
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
    for spec in manifest.layers.values():
        step(spec.name)
        raw = read_source(spec.source, layer=spec.layer, encoding=spec.encoding, sheet=spec.sheet)
        report.notes.extend(raw.notes)
        frames[spec.name] = (
            spec.kind,
            normalize_layer(
                clean_frame(raw.frame), spec, working_crs=manifest.crs, repair=repair, report=report
            ),
            spec.source,
        )
    by_kind = {k: f for k, f, _ in frames.values()}
    centerlines = (
        road_centerlines(by_kind["roads"], scale_tolerance=manifest.road_scale_tolerance)
        if "roads" in by_kind
        else {}
    )
    sheets = read_progress(manifest, report) if manifest.progress else []
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
        outline = unchanged_as_a_whole(sheets, root=manifest.root, layers=layers, imported=imported)
        # every sheet as last imported: the records' outline is all the plan needs
        history = tx.read(
            RECORDS, columns=["fid", *(HISTORY_OUTLINE if outline else RECORD_SCHEMA)]
        )
        history = history.rename(columns={"fid": "seq"}) if history is not None else None
        plan_progress(sheets, history, imported=imported, **planning)
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
            report.counts[RECORDS] = apply_plans(tx, report.files, history, by=recorder)
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
