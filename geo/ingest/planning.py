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
from geo.domain.values import as_number, clean_frame
from geo.errors import LayerReadError, ProgressError
from geo.ingest.history import AUTO_RETRACT_WHY
from geo.ingest.lifecycle import FilePlan, plan_file
from geo.ingest.records import listing, rename_fields, validate_records
from geo.io.cells import csv_text
from geo.io.manifest import Manifest, TableSpec
from geo.io.sources import read_tables
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
    #: active records in the store before the import
    active_before: int = 0
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
    #: the sheet read ("" for CSV) and as its records name it (see geo.io.sheets)
    sheet: str = ""
    stored_as: str = ""
    #: the sheet row number of each row
    rows: list[int] | None = None

    @property
    def where(self) -> str:
        """The file and sheet, as messages name them."""
        return self.path.name + (f", sheet {self.sheet}" if self.sheet else "")

    def rejects_path(self) -> Path:
        """``NAME.rejects.csv`` beside the file; ``NAME.SHEET.rejects.csv`` for a sheet that
        is not the workbook's first, so two sheets never share one."""
        if not self.stored_as:
            return self.path.with_name(self.path.stem + ".rejects.csv")
        safe = "".join("_" if ch in '<>:"/\\|?*' else ch for ch in self.stored_as)
        return self.path.with_name(f"{self.path.stem}.{safe}.rejects.csv")

    def context(self, layers: str) -> str:
        """A digest of what the rows are read against: the sheet's field mapping and the
        feature layers (*layers*, a digest of their fingerprints)."""
        spec = self.spec
        read = [spec.kind, spec.sheet, spec.encoding, sorted(spec.fields.items()), layers]
        if spec.header_row is not None:  # (absent before header_row existed: same digest)
            read.append(spec.header_row)
        text = json.dumps(
            read,
            default=str,
            ensure_ascii=False,
        )
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_progress(manifest: Manifest, report: ImportReport) -> list[ProgressSheet]:
    """Every progress file, read and renamed (outside the write lock: reading is slow)."""
    out = []
    for spec in manifest.progress.values():
        labels = [(f.name, f.label_zh, f.label_en) for f in kind("progress").fields]
        expected = set(spec.fields) | {name for names in labels for name in names}
        for path in _progress_sources(spec):
            tables = read_tables(
                path,
                encoding=spec.encoding,
                sheet=spec.sheet,
                header_row=spec.header_row,
                expected=expected,
                key=f"progress.{spec.name}",
                every_sheet=spec.sheet is None,
            )
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            for raw in tables:
                report.notes.extend(raw.notes)
                file_spec = TableSpec(
                    name=spec.name, source=path, kind=spec.kind, fields=spec.fields
                )
                where = path.name + (f", sheet {raw.sheet}" if raw.sheet else "")
                # no terminal escapes or controls in ids, names and notes (notes keep \n)
                frame = clean_frame(
                    _rename_table(raw.frame, file_spec, where=where), multiline={"note"}
                )
                out.append(
                    ProgressSheet(
                        spec,
                        path,
                        raw.frame,
                        frame,
                        digest,
                        sheet=raw.sheet,
                        stored_as=raw.stored_as,
                        rows=raw.rows,
                    )
                )
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
    tallied=None,
):
    """Validate every progress sheet and plan what importing it changes, into *report*.

    Each sheet is matched with the active records that came from it
    (:func:`geo.ingest.lifecycle.plan_file`); records retracted by hand stay retracted.
    A sheet whose bytes, field mapping and feature layers (*layers*, a digest) are those of
    its last import (*imported*, the :data:`geo.store.SOURCES` table) and which had no
    refused rows then is unchanged as a whole: it is not validated again. When every sheet
    is, *history* may be None and *tallied* the active records counted by origin
    (``source_file``, ``source_sheet``, ``rows``, from :meth:`StoreWriter.tally`).

    Raises
    ------
    ProgressError
        When rows are bad and *skip_bad* is false; nothing is planned then.
    """
    feature_ids = {k: set(f["id"]) for k, f in by_kind.items() if "id" in f.columns}
    feature_names = {
        k: dict(zip(f["id"].astype(str), f["name"].astype(str), strict=True))
        for k, f in by_kind.items()
        if "id" in f.columns and "name" in f.columns
    }
    active = (
        active_at(history, None)
        if history is not None
        else pd.DataFrame(columns=["seq", *RECORD_SCHEMA])
    )
    origin = _origin_key(active)
    if history is None and tallied is not None:
        per_origin = pd.Series(tallied["rows"].to_numpy(), index=_origin_key(tallied))
    else:
        per_origin = origin.value_counts(sort=False)
    report.active_before = int(per_origin.sum())
    problems, seen = [], set()
    for sheet in sheets:
        file = rel_path(sheet.path, root)
        sheet_name = sheet.stored_as
        key = f"{file}\x1f{sheet_name}"
        seen.add(key)
        mine = (origin == key).to_numpy(dtype=bool)
        version, known, clean = _version(sheet, root, layers, imported)
        if clean:
            report.sources.append({**version, "bad": 0, "known": True})
            plan = FilePlan(file=file, sheet=sheet_name, unchanged=len(sheet.frame))
            report.files.append(plan)
            report.duplicates += plan.unchanged
            continue
        batch = validate_records(
            sheet.frame,
            source=sheet.path,
            sheet=sheet.sheet,
            rows=sheet.rows,
            feature_ids=feature_ids,
            feature_names=feature_names,
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
                target = sheet.rejects_path()
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
    for key, n in per_origin.items():
        if key in seen:
            continue
        file, _, sheet_name = key.partition("\x1f")
        n = int(n)
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


#: The record columns that say where a record came from (its file and sheet): what an
#: import counts active records by when every sheet is as last imported.
ORIGIN_COLUMNS = ["source_file", "source_sheet"]


def _origin_key(records: pd.DataFrame) -> pd.Series:
    """Each record's file and sheet (:data:`ORIGIN_COLUMNS`) as one key."""
    file, sheet = ORIGIN_COLUMNS
    return records[file].astype(str) + "\x1f" + records[sheet].fillna("")


def unchanged_as_a_whole(sheets, *, root: Path, layers: str, imported) -> bool:
    """True when every sheet's bytes, field mapping and feature layers are those of its
    last clean import: nothing in it needs reading again, so the import needs only
    :data:`ORIGIN_COLUMNS` counts of the history, not every record's content."""
    return bool(sheets) and all(_version(s, root, layers, imported)[2] for s in sheets)


def _version(sheet, root: Path, layers: str, imported) -> tuple[dict, bool, bool]:
    """The :data:`~geo.store.SOURCES` row *sheet* would add; whether it is listed there as
    its latest version (known); whether that import refused no rows too (clean)."""
    file = rel_path(sheet.path, root)
    sheet_name = sheet.stored_as
    version = {
        "source_file": file,
        "source_sheet": sheet_name,
        "digest": sheet.digest,
        "context": sheet.context(layers),
        "rows": len(sheet.frame),
    }
    last = _last_import(imported, file, sheet_name)
    known = last is not None and _same(last, version)
    return version, known, known and not as_number(last.get("bad"))


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


def _rename_table(frame: pd.DataFrame, spec: TableSpec, *, where: str) -> pd.DataFrame:
    where = f"{where} [progress.{spec.name}]"
    k = kind("progress")
    if spec.kind and "kind" not in spec.fields.values():
        frame = frame.assign(kind=spec.kind)
    fields = dict(spec.fields)
    for f in k.fields:  # a header that is a field's own label (the template's) needs no map
        if f.name in fields.values() or f.name in frame.columns:
            continue
        found = next((c for c in (f.label_zh, f.label_en) if c in frame.columns), None)
        if found is not None and found not in fields:
            fields[found] = f.name
    renamed = rename_fields(frame, where, f"progress.{spec.name}", fields, None, k)
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
