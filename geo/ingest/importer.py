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
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.domain.crs import crs_fit_warnings
from geo.domain.linref import road_centerlines
from geo.domain.tables import Kind, kind
from geo.domain.values import parse_date, parse_number
from geo.errors import LayerReadError, ManifestError, ProgressError
from geo.ingest.geometry import MAX_LISTED, check_geometry, resolve_crs
from geo.ingest.geometry import listing as _listing
from geo.ingest.history import AUTO_RETRACT_WHY, apply_plans, upgrade_history
from geo.io.cells import csv_text
from geo.io.files import write_atomic
from geo.io.manifest import LayerSpec, Manifest, TableSpec
from geo.io.sources import read_source
from geo.store import RECORD_SCHEMA, RECORDS, Store, active_at

__all__ = [
    "ImportReport",
    "frame_fingerprint",
    "import_project",
    "normalize_layer",
    "normalize_table",
    "parse_date",
    "parse_number",
]


@dataclass
class ImportReport:
    """What an import did: per layer its feature count, plus notes (encodings, repairs)."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: measurements to doubt: a working CRS that does not fit the data
    warnings: list[str] = field(default_factory=list)
    repairs: list[dict] = field(default_factory=list)
    added: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)
    rejects_text: dict[Path, str] = field(default_factory=dict)
    #: per progress file, what the import changes (:class:`geo.ingest.lifecycle.FilePlan`)
    files: list = field(default_factory=list)
    #: progress files that held stored records and are no longer among the sources
    vanished: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejects_files(self) -> list[Path]:
        return list(self.rejects_text)


# ---------------------------------------------------------------------------- values


# ---------------------------------------------------------------------------- fields


def _rename(
    frame: pd.DataFrame, where: str, key: str, fields: dict[str, str], id_field: str | None, k: Kind
) -> pd.DataFrame:
    missing_sources = [src for src in fields if src not in frame.columns]
    if missing_sources:
        cut = [
            f"{src!r} is {c!r} in the file"
            for src in missing_sources
            for c in map(str, frame.columns)
            if len(c) < len(src) and src.startswith(c)
        ]
        why = (
            f" Shapefile (.dbf) field names hold at most 10 bytes, so long names are cut: "
            f"{'; '.join(cut)}; name the field as the file has it."
            if cut
            else ""
        )
        raise LayerReadError(
            f"{where}: field(s) {', '.join(missing_sources)} named in [{key}.fields] are not in "
            f"the source, which has: {', '.join(map(str, frame.columns))}. Fix the field map." + why
        )
    mapping = dict(fields)
    if id_field and id_field != "id":
        if id_field not in frame.columns:
            raise LayerReadError(
                f"{where}: id field {id_field!r} ([{key}] id) is not in the source, which has: "
                f'{", ".join(map(str, frame.columns))}. Set id = "..." to the field holding ids.'
            )
        mapping[id_field] = "id"
    out = frame.rename(columns=mapping)
    missing = [f for f in k.required if f not in out.columns]
    if missing:
        labels = ", ".join(f"{f} ({k.field(f).label_zh})" for f in missing)
        raise LayerReadError(
            f"{where}: required field(s) {labels} missing. Map the source field to it in "
            f'[{key}.fields], e.g. "地块编号" = "id".'
        )
    return out


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
                else:
                    values.append(
                        None
                        if v is None or (isinstance(v, float) and math.isnan(v))
                        else str(v).strip()
                    )
            except ValueError as exc:
                problems.append(f"{who}, field {f.name} ({f.label_zh}): {exc}")
                values.append(None)
            if f.required and values[-1] in (None, ""):
                problems.append(f"{who}, field {f.name} ({f.label_zh}): empty, but required")
        if f.type in ("float", "int"):
            out[f.name] = pd.Series(values, index=out.index, dtype="float64")
        else:
            out[f.name] = pd.Series(values, index=out.index, dtype="object")
    if problems:
        raise LayerReadError(f"{where}: {len(problems)} bad value(s):{_listing(problems)}")
    return out


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
        raise LayerReadError(f"{where}: duplicate id(s):{_listing(listed)}\nIds must be unique.")


# ---------------------------------------------------------------------------- layers


def normalize_layer(
    frame: pd.DataFrame,
    spec: LayerSpec,
    *,
    working_crs: str,
    repair: bool = False,
    repair_tolerance_m2: float | None = None,
    report: ImportReport | None = None,
) -> pd.DataFrame:
    """Validate and normalize one source layer into the canonical form of its kind.

    Canonical field names and types, ids as unique text, geometry valid and in
    *working_crs*, coordinates as the source has them (not snapped: areas are those of
    the source geometry). Non-spatial kinds return a DataFrame.

    Parameters
    ----------
    repair_tolerance_m2
        Largest area (m²; length for lines) a repair may change a feature by (default: the
        layer's ``repair_tolerance_m2``, else ``settings.REPAIR_AREA_TOLERANCE_M2``).

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
    frame = _rename(frame, where, f"layers.{spec.name}", spec.fields, spec.id_field, k)
    frame["id"] = [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else _id_text(v)
        for v in frame["id"]
    ]
    _check_ids(frame, where)
    frame = _coerce(frame, where, k, frame["id"])
    if not k.spatial:
        out = pd.DataFrame(frame.drop(columns=[c for c in frame.columns if c == "geometry"]))
        if "parcels" in out.columns:
            out["parcels"] = out["parcels"].map(_split_ids)
        return out
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerReadError(f"{where}: a {k.name} layer needs geometry, but the source has none.")
    gdf = resolve_crs(frame, spec, where)
    report.warnings.extend(crs_fit_warnings(gdf, working_crs, layer=spec.name))
    gdf = gdf.to_crs(working_crs)
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
    )
    canonical = [f.name for f in k.fields if f.name in gdf.columns]
    extra = [c for c in gdf.columns if c not in canonical and c != gdf.geometry.name]
    return gdf[[*canonical, *extra, gdf.geometry.name]]


def _split_ids(value: object) -> str | None:
    if value is None:
        return None
    parts = [p.strip() for p in re.split(r"[;；,，、\s]+", str(value)) if p.strip()]
    return ";".join(parts) or None


def normalize_table(frame: pd.DataFrame, spec: TableSpec, *, kind_name: str) -> pd.DataFrame:
    """Rename a progress or goals table's columns to canonical names and set their types."""
    k = kind(kind_name)
    where = f"{spec.source.name} [{'goals' if kind_name == 'goals' else 'progress.' + spec.name}]"
    key = "goals" if kind_name == "goals" else f"progress.{spec.name}"
    if spec.kind and "kind" not in spec.fields.values():
        frame = frame.assign(kind=spec.kind)
    frame = _rename(frame, where, key, spec.fields, None, k)
    frame = _coerce(frame, where, k, None)
    frame["source_file"] = spec.source.name
    frame["source_row"] = np.arange(2, len(frame) + 2)
    return frame


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
    for spec in manifest.layers.values():
        step(spec.name)
        raw = read_source(spec.source, layer=spec.layer, encoding=spec.encoding, sheet=spec.sheet)
        report.notes.extend(raw.notes)
        frames[spec.name] = (
            spec.kind,
            normalize_layer(
                raw.frame,
                spec,
                working_crs=manifest.crs,
                repair=repair,
                repair_tolerance_m2=repair_tolerance_m2,
                report=report,
            ),
            spec.source,
        )
    by_kind = {k: f for k, f, _ in frames.values()}
    centerlines = (
        road_centerlines(by_kind["roads"], scale_tolerance=manifest.road_scale_tolerance)
        if "roads" in by_kind
        else {}
    )
    sheets = _read_progress(manifest, report) if manifest.progress else []
    goals = None
    if manifest.goals:
        step("goals")
        g = manifest.goals
        raw = read_source(g.source, encoding=g.encoding, sheet=g.sheet)
        goals = (normalize_table(raw.frame, g, kind_name="goals"), g.source)
    step("progress")
    recorder = by or manifest.operator or _os_user()
    if dry_run and not store.exists():
        _plan_progress(sheets, None, by_kind, centerlines, report, manifest.root, today, skip_bad)
        _announce(report, on_plan)
        return report
    with store.transaction(command="parkgeo import") as tx:
        upgrade_history(tx, {s.path.name: _rel(s.path, manifest.root) for s in sheets})
        history = tx.read(RECORDS, columns=["fid", *RECORD_SCHEMA])
        history = history.rename(columns={"fid": "seq"}) if history is not None else None
        _plan_progress(
            sheets, history, by_kind, centerlines, report, manifest.root, today, skip_bad
        )
        _announce(report, on_plan)
        if dry_run:
            tx.discard()
            return report
        for name, (kind_name, frame, source) in frames.items():
            tx.write_layer(
                name,
                frame,
                kind=kind_name,
                source=_rel(source, manifest.root),
                fingerprint=frame_fingerprint(frame),
            )
            report.counts[name] = len(frame)
        if goals is not None:
            frame, source = goals
            tx.write_layer("goals", frame, kind="goals", source=_rel(source, manifest.root))
            report.counts["goals"] = len(frame)
        keep = {*frames, RECORDS, "goals" if goals is not None else RECORDS}
        for name in tx.catalog()["name"]:
            if name not in keep:
                tx.drop(name)
        if manifest.progress or history is not None:
            report.counts[RECORDS] = apply_plans(tx, report.files, history, by=recorder)
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


def _progress_sources(spec: TableSpec) -> list[Path]:
    if any(ch in spec.source.name for ch in "*?["):
        found = sorted(spec.source.parent.glob(spec.source.name))
        if not found:
            raise LayerReadError(f"{spec.source}: no file matches [progress.{spec.name}] source.")
        return found
    return [spec.source]


@dataclass
class _Sheet:
    spec: TableSpec
    path: Path
    raw: pd.DataFrame
    frame: pd.DataFrame


def _read_progress(manifest: Manifest, report: ImportReport) -> list[_Sheet]:
    """Every progress file, read and renamed (outside the write lock: reading is slow)."""
    out = []
    for spec in manifest.progress.values():
        for path in _progress_sources(spec):
            raw = read_source(path, encoding=spec.encoding, sheet=spec.sheet)
            report.notes.extend(raw.notes)
            file_spec = TableSpec(name=spec.name, source=path, kind=spec.kind, fields=spec.fields)
            out.append(_Sheet(spec, path, raw.frame, _rename_table(raw.frame, file_spec)))
    return out


def _plan_progress(sheets, history, by_kind, centerlines, report, root, today, skip_bad):
    from geo.ingest.lifecycle import plan_file
    from geo.ingest.records import validate_records

    feature_ids = {k: set(f["id"]) for k, f in by_kind.items() if "id" in f.columns}
    active = (
        active_at(history, None)
        if history is not None
        else pd.DataFrame(columns=["seq", *RECORD_SCHEMA])
    )
    origin = active["source_file"].astype(str) + "\x1f" + active["source_sheet"].fillna("")
    problems, seen = [], set()
    for sheet in sheets:
        file = _rel(sheet.path, root)
        sheet_name = str(sheet.spec.sheet or "")
        key = f"{file}\x1f{sheet_name}"
        seen.add(key)
        mine = (origin == key).to_numpy(dtype=bool)
        batch = validate_records(
            sheet.frame,
            source=sheet.path,
            feature_ids=feature_ids,
            history=active[~mine],
            today=today,
            centerlines=centerlines,
        )
        report.notes.extend(batch.notes)
        if batch.bad:
            problems.extend(batch.bad)
            report.rejected.extend(batch.bad)
            if skip_bad:
                rejects = sheet.raw.iloc[batch.bad_rows].copy()
                rejects.insert(0, "行号 row", [b.row for b in batch.bad])
                rejects["原因 reason"] = [b.reason for b in batch.bad]
                target = sheet.path.with_name(sheet.path.stem + ".rejects.csv")
                # text a spreadsheet would run as a formula gets a leading '
                report.rejects_text[target] = csv_text(rejects)
        plan = plan_file(
            active[mine],
            batch.good,
            file=file,
            sheet=sheet_name,
            bad_rows=[b.row for b in batch.bad],
        )
        if history is not None and len(history):
            # a record retracted by hand stays retracted while its row is still in the file
            by_hand = history[
                history["retracted_at"].notna()
                & (history["retracted_why"] != AUTO_RETRACT_WHY)
                & ((history["source_file"] + "\x1f" + history["source_sheet"].fillna("")) == key)
            ]
            withdrawn = set(by_hand["fingerprint"])
            plan.unchanged += sum(r["fingerprint"] in withdrawn for r in plan.added)
            plan.added = [r for r in plan.added if r["fingerprint"] not in withdrawn]
        report.files.append(plan)
        report.added += len(plan.added) + len(plan.changed)
        report.duplicates += plan.unchanged
    for key in dict.fromkeys(origin[~origin.isin(seen)]):
        file, _, sheet_name = key.partition("\x1f")
        n = int((origin == key).sum())
        where = file + (f" (sheet {sheet_name})" if sheet_name else "")
        report.vanished.append({"file": file, "sheet": sheet_name, "records": n})
        report.notes.append(
            f"{where} is no longer among the progress sources; its {n} record(s) are kept. "
            "Retract any that were wrong with `parkgeo retract RECORD_ID --why ...`."
        )
    if problems and not skip_bad:
        listed = [str(p) for p in problems]
        raise ProgressError(
            f"{len(problems)} bad progress row(s); nothing was imported:{_listing(listed)}\n"
            "Fix the rows, or run `parkgeo import --skip-bad` to import the good rows and write "
            "the bad ones to NAME.rejects.csv beside the input.",
            problems,
        )


def _rename_table(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    where = f"{spec.source.name} [progress.{spec.name}]"
    k = kind("progress")
    if spec.kind and "kind" not in spec.fields.values():
        frame = frame.assign(kind=spec.kind)
    renamed = _rename(frame, where, f"progress.{spec.name}", spec.fields, None, k)
    known = [f.name for f in k.fields]
    return renamed[[c for c in renamed.columns if c in known]]


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
