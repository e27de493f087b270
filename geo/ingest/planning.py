"""Planning an import's progress records, and the report an import returns.

Progress files are read and renamed outside the write lock (:func:`read_progress`); under it,
:func:`plan_progress` validates each file (:mod:`geo.ingest.records`) and matches its rows
with the stored records (:mod:`geo.ingest.lifecycle`). :mod:`geo.ingest.history` writes the
plans; :mod:`geo.ingest.importer` puts it all in one transaction.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.domain.tables import kind
from geo.domain.values import as_number
from geo.errors import LayerReadError, ProgressError
from geo.ingest.history import AUTO_RETRACT_WHY
from geo.ingest.lifecycle import FilePlan, plan_file
from geo.ingest.records import listing, rename_fields, validate_records
from geo.io.cells import csv_text
from geo.io.manifest import Manifest, TableSpec
from geo.io.sources import read_source
from geo.store import RECORD_SCHEMA, SOURCE_SCHEMA, active_at

__all__ = ["ImportReport", "ProgressSheet", "plan_progress", "read_progress", "rel_path"]


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
    #: per progress file, the version read (:data:`geo.store.SOURCES` columns)
    sources: list[dict] = field(default_factory=list)
    dry_run: bool = False

    @property
    def rejects_files(self) -> list[Path]:
        return list(self.rejects_text)


def _progress_sources(spec: TableSpec) -> list[Path]:
    if any(ch in spec.source.name for ch in "*?["):
        found = sorted(spec.source.parent.glob(spec.source.name))
        if not found:
            raise LayerReadError(f"{spec.source}: no file matches [progress.{spec.name}] source.")
        return found
    return [spec.source]


@dataclass
class ProgressSheet:
    """One progress file (or sheet) as read and as renamed to canonical fields."""

    spec: TableSpec
    path: Path
    raw: pd.DataFrame
    frame: pd.DataFrame
    #: SHA-256 of the file's bytes
    digest: str = ""

    def context(self, layers: str) -> str:
        """A digest of what the rows are read against: the sheet's field mapping and the
        feature layers (*layers*, a digest of their fingerprints)."""
        spec = self.spec
        text = json.dumps(
            [spec.kind, spec.sheet, spec.encoding, sorted(spec.fields.items()), layers],
            default=str,
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_progress(manifest: Manifest, report: ImportReport) -> list[ProgressSheet]:
    """Every progress file, read and renamed (outside the write lock: reading is slow)."""
    out = []
    for spec in manifest.progress.values():
        for path in _progress_sources(spec):
            raw = read_source(path, encoding=spec.encoding, sheet=spec.sheet)
            report.notes.extend(raw.notes)
            file_spec = TableSpec(name=spec.name, source=path, kind=spec.kind, fields=spec.fields)
            frame = _rename_table(raw.frame, file_spec)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            out.append(ProgressSheet(spec, path, raw.frame, frame, digest))
    return out


def plan_progress(
    sheets,
    history,
    *,
    by_kind,
    centerlines,
    report,
    root,
    today,
    skip_bad,
    layers="",
    imported=None,
):
    """Validate every progress sheet and plan what importing it changes, into *report*.

    Each sheet is matched with the active records that came from it
    (:func:`geo.ingest.lifecycle.plan_file`); records retracted by hand stay retracted.
    A sheet whose bytes, field mapping and feature layers (*layers*, a digest) are those of
    its last import (*imported*, the :data:`geo.store.SOURCES` table) and which had no
    refused rows then is unchanged as a whole: it is not validated again.

    Raises
    ------
    ProgressError
        When rows are bad and *skip_bad* is false; nothing is planned then.
    """
    feature_ids = {k: set(f["id"]) for k, f in by_kind.items() if "id" in f.columns}
    active = (
        active_at(history, None)
        if history is not None
        else pd.DataFrame(columns=["seq", *RECORD_SCHEMA])
    )
    origin = active["source_file"].astype(str) + "\x1f" + active["source_sheet"].fillna("")
    problems, seen = [], set()
    for sheet in sheets:
        file = rel_path(sheet.path, root)
        sheet_name = str(sheet.spec.sheet or "")
        key = f"{file}\x1f{sheet_name}"
        seen.add(key)
        mine = (origin == key).to_numpy(dtype=bool)
        version = {
            "source_file": file,
            "source_sheet": sheet_name,
            "digest": sheet.digest,
            "context": sheet.context(layers),
            "rows": len(sheet.frame),
        }
        last = _last_import(imported, file, sheet_name)
        known = last is not None and _same(last, version)
        if known and not as_number(last.get("bad")):
            report.sources.append({**version, "bad": 0, "known": True})
            plan = FilePlan(file=file, sheet=sheet_name, unchanged=len(sheet.frame))
            report.files.append(plan)
            report.duplicates += plan.unchanged
            continue
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
        report.sources.append({**version, "bad": len(batch.bad), "known": known})
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
            f"{len(problems)} bad progress row(s); nothing was imported:{listing(listed)}\n"
            "Fix the rows, or run `parkgeo import --skip-bad` to import the good rows and write "
            "the bad ones to NAME.rejects.csv beside the input.",
            problems,
        )


def _last_import(imported: pd.DataFrame | None, file: str, sheet: str) -> dict | None:
    """The latest version of *file* (*sheet*) in the sources table, or None."""
    if imported is None or not len(imported):
        return None
    rows = imported[
        (imported["source_file"] == file) & (imported["source_sheet"].fillna("") == sheet)
    ]
    return rows.iloc[-1].to_dict() if len(rows) else None


def _same(last: dict, version: dict) -> bool:
    return all(last.get(k) == version[k] for k in ("digest", "context", "rows"))


def source_rows(report: ImportReport, *, now: str, by: str) -> pd.DataFrame:
    """The rows to add to :data:`geo.store.SOURCES`: the file versions not yet listed."""
    new = [
        {**{k: v for k, v in s.items() if k != "known"}, "imported_at": now, "imported_by": by}
        for s in report.sources
        if not s["known"]
    ]
    return pd.DataFrame(new, columns=list(SOURCE_SCHEMA))


def _rename_table(frame: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
    where = f"{spec.source.name} [progress.{spec.name}]"
    k = kind("progress")
    if spec.kind and "kind" not in spec.fields.values():
        frame = frame.assign(kind=spec.kind)
    renamed = rename_fields(frame, where, f"progress.{spec.name}", spec.fields, None, k)
    known = [f.name for f in k.fields]
    return renamed[[c for c in renamed.columns if c in known]]


def rel_path(path: Path, root: Path) -> str:
    """*path* relative to the project folder *root* (``../data/x.csv`` when it lies outside:
    the store, the file people mail around, never records a path of one machine), with
    forward slashes; absolute only when no relative path exists (another drive)."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:
        return str(path)


def outside_notes(sources: list[tuple[str, Path]], root: Path) -> list[str]:
    """A note for each of *sources* ((manifest key, path) pairs) whose file lies outside the
    project folder *root*, itself or through a symbolic link."""
    notes = []
    real_root = root.resolve()
    for key, path in sources:
        real = path.resolve()
        if real.is_relative_to(real_root):
            continue
        via = f" (a link to {real})" if real != Path(os.path.abspath(path)) else ""
        notes.append(
            f"[{key}] source {rel_path(path, root)}{via} lies outside the project folder "
            f"{root}; it was read, and the store records it as {rel_path(path, root)!r}, "
            "relative to the project. Copy the file into layers/ so that the project folder "
            "holds everything it is built from."
        )
    return notes
