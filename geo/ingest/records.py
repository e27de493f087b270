"""Validation of dated progress records: each row checked, given a content fingerprint.

Also the field map every source passes through (:func:`rename_fields`) and the listing of
problems in a message.

Which rows are new, changed or gone is decided by :mod:`geo.ingest.lifecycle`; this module
only says whether a row is usable. Each bad row is reported with file, row number and reason.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.domain.chainage import parse_chainage, parse_chainage_range
from geo.domain.tables import Kind, accepted_labels, kind_stage, kinds, lookup_kind, lookup_stage
from geo.domain.units import field_unit, unit_by_code
from geo.domain.values import as_number, as_text, parse_date, parse_number
from geo.errors import ChainageError, LayerReadError, ParkGeoError

__all__ = [
    "CONTENT_COLUMNS",
    "MAX_LISTED",
    "RECORD_COLUMNS",
    "BadRow",
    "RecordBatch",
    "fingerprint",
    "listing",
    "rename_fields",
    "section_key",
    "validate_records",
]

MAX_LISTED = 12  # problems listed in one message before "... and N more"

#: What a record says (its fingerprint is taken over these).
CONTENT_COLUMNS = [
    "kind",
    "feature_id",
    "date",
    "stage",
    "percent",
    "floor_area_m2",
    "investment_wan",
    "item",
    "from_m",
    "to_m",
    "contract_section",
    "note",
]

#: Fields of a progress row that say something: a row with none of them is not a record.
_RECORDING_FIELDS = [
    *(c for c in CONTENT_COLUMNS if c not in ("kind", "feature_id", "from_m", "to_m")),
    *("chainage_from", "chainage_to", "chainage_range", "record_id"),
]

#: Columns of a validated row: its content and where it came from.
RECORD_COLUMNS = [*CONTENT_COLUMNS, "source_row", "source_record_id", "fingerprint"]


@dataclass(frozen=True)
class BadRow:
    """A refused row: where it is and why."""

    file: str
    row: int
    reason: str
    #: the workbook's sheet ("" for CSV)
    sheet: str = ""

    def __str__(self) -> str:
        return f"{_where(self.file, self.sheet, self.row)}: {self.reason}"


def _where(file: str, sheet: str, row: int) -> str:
    return f"{file}, sheet {sheet}, row {row}" if sheet else f"{file} row {row}"


@dataclass
class RecordBatch:
    """The outcome of validating one progress table."""

    good: pd.DataFrame
    bad: list[BadRow] = field(default_factory=list)
    bad_rows: list[int] = field(default_factory=list)  # positions in the source frame
    notes: list[str] = field(default_factory=list)


def fingerprint(rec: dict) -> str:
    """A short hash of what a record says (not where it came from)."""
    parts = []
    for name in CONTENT_COLUMNS:
        v = rec.get(name)
        if isinstance(v, float):
            v = "" if math.isnan(v) else repr(round(v, 6))
        parts.append("" if v is None else str(v))
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def validate_records(
    frame: pd.DataFrame,
    *,
    source: Path | str,
    feature_ids: dict[str, set[str]],
    history: pd.DataFrame | None = None,
    today: dt.date | None = None,
    centerlines: dict | None = None,
    sheet: str = "",
    rows: list[int] | None = None,
    feature_names: dict[str, dict[str, str]] | None = None,
) -> RecordBatch:
    """Validate the rows of a progress table already renamed to canonical field names.

    Parameters
    ----------
    frame
        Rows with canonical column names (``kind``, ``feature_id``, ``date``, ``stage`` ...),
        every cell as text.
    source
        The file the rows came from (named in every message).
    feature_ids
        Ids of the features of each kind in the project; a record for any other id is bad.
    history
        Active records from other files: they decide whether a row goes backwards.
    today
        Records dated after it are bad (default: the real today).
    centerlines
        Road id → :class:`geo.domain.linref.Centerline`, to check chainage ranges.
    sheet
        The workbook sheet the rows came from (named in every message).
    rows
        The sheet row number of each row (default: row 2 onwards, under one header row).
    feature_names
        Per kind, feature id → name: a row naming a feature by its unique name is read as
        that feature; an unknown id or name is refused with the closest ids and names.

    Returns
    -------
    RecordBatch
        Every good row (in :data:`RECORD_COLUMNS`, file order), bad rows with reasons.
    """
    today = today or dt.date.today()
    name = Path(source).name
    latest: dict[tuple, tuple] = {}  # (kind, id, item, from, to) → (date, stage order, label)
    if history is not None and len(history):
        for rec in history.sort_values(["date", "seq"]).to_dict("records"):
            _remember(latest, rec)
    batch = RecordBatch(good=pd.DataFrame(columns=RECORD_COLUMNS))
    numbers = rows
    rows = []
    features = _Features(feature_ids, feature_names or {})
    # plain dicts once: a pandas row lookup per row costs more than validating it
    raws = frame.astype(object).to_dict("records")
    order = sorted(range(len(raws)), key=lambda i: (_sort_date(raws[i].get("date")), i))
    empty = 0
    for pos in order:
        raw = raws[pos]
        if not any(as_text(raw.get(f)) for f in _RECORDING_FIELDS):
            empty += 1  # a row naming a feature and recording nothing (a template's row)
            continue
        rownum = numbers[pos] if numbers is not None else pos + 2  # header is row 1
        where = _where(name, sheet, rownum)
        try:
            rec = _validate_row(raw, features, today, centerlines, batch.notes, where)
            _check_backwards(rec, latest)
        except ParkGeoError as exc:
            batch.bad.append(BadRow(name, rownum, str(exc), sheet))
            batch.bad_rows.append(pos)
            continue
        rec["source_row"] = rownum
        rec["source_record_id"] = _id_cell(raw.get("record_id"))
        rec["fingerprint"] = fingerprint(rec)
        _remember(latest, rec)
        rows.append(rec)
    whole = name + (f", sheet {sheet}" if sheet else "")
    batch.notes.extend(features.notes(whole))
    if empty:
        batch.notes.append(f"{whole}: {empty} row(s) record nothing (no date, stage, ...)")
    batch.bad.sort(key=lambda b: b.row)
    batch.bad_rows.sort()
    rows.sort(key=lambda r: r["source_row"])
    batch.good = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    return batch


def _id_cell(value: object) -> str | None:
    text = as_text(value)
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text or None


def _sort_date(value: object) -> str:
    try:
        d = parse_date(value)
    except ValueError:
        return ""
    return d.isoformat() if d else ""


def section_key(rec: dict) -> tuple:
    """What a record is about: a feature, or one item over one chainage range of a road.

    Empty cells may come back from the store as None or NaN; both mean "none" here.
    """
    return (
        rec["kind"],
        rec["feature_id"],
        as_text(rec.get("item")),
        as_number(rec.get("from_m")),
        as_number(rec.get("to_m")),
    )


def _remember(latest: dict, rec: dict) -> None:
    stage = kind_stage(rec["kind"], rec.get("stage"))
    if stage is not None:
        latest[section_key(rec)] = (rec["date"], stage.order, stage.zh)


def _check_backwards(rec: dict, latest: dict) -> None:
    prev = latest.get(section_key(rec))
    stage = kind_stage(rec["kind"], rec.get("stage"))
    if prev is None or stage is None or rec["note"]:
        return
    if stage.order < prev[1] and rec["date"] >= prev[0]:
        raise ParkGeoError(
            f"stage goes backwards: {stage.zh} ({stage.code}) on {rec['date']} after {prev[2]} "
            f"on {prev[0]}; add a note (备注) saying why, or fix the stage"
        )


class _Features:
    """The features rows may name, by id or by unique name (as ``roads --road`` takes)."""

    def __init__(self, ids: dict[str, set[str]], names: dict[str, dict[str, str]]):
        self.ids, self.names = ids, names
        self.by_name: dict[tuple[str, str], str] = {}  # (kind, name) read as an id

    def resolve(self, kind_name: str, text: str) -> str:
        ids = self.ids.get(kind_name, set())
        if text in ids:
            return text
        names = self.names.get(kind_name, {})
        label = kinds()[kind_name].label_zh
        same = sorted(i for i, n in names.items() if n.strip() == text)
        if len(same) == 1:
            self.by_name[(kind_name, text)] = same[0]
            return same[0]
        if same:
            raise ParkGeoError(
                f"{text!r} is the name of {len(same)} {label} ({kind_name}): {', '.join(same)}; "
                "write the id (编号) instead"
            )
        choices = {i: i for i in sorted(ids)} | {n: i for i, n in sorted(names.items()) if n}
        close = difflib.get_close_matches(text, list(choices), n=3, cutoff=0.6)
        shown = [choices[c] for c in close]
        hint = (
            "; did you mean "
            + " or ".join(f"{i} ({names[i]})" if names.get(i) else i for i in dict.fromkeys(shown))
            if shown
            else ""
        )
        raise ParkGeoError(
            f"unknown feature id {text!r}: no {label} ({kind_name}) has it as id or name{hint}"
        )

    def notes(self, where: str) -> list[str]:
        if not self.by_name:
            return []
        read = ", ".join(f"{n} → {i}" for (_, n), i in sorted(self.by_name.items()))
        return [f"{where}: features named by name, read as their ids: {read}"]


def _validate_row(raw: dict, features: _Features, today, centerlines, notes, where) -> dict:
    found = lookup_kind(raw.get("kind"))
    kind_name = found.name if found else None
    if kind_name is None or not found.stages:
        with_stages = ", ".join(f"{k.label_zh} ({k.name})" for k in kinds().values() if k.stages)
        raise ParkGeoError(f"unknown layer {as_text(raw.get('kind'))!r}; use one of: {with_stages}")
    fid = as_text(raw.get("feature_id"))
    if fid.endswith(".0") and fid[:-2].isdigit():
        fid = fid[:-2]
    if not fid:
        raise ParkGeoError("empty feature id (编号)")
    fid = features.resolve(kind_name, fid)
    try:
        date = parse_date(raw.get("date"))
    except ValueError as exc:
        raise ParkGeoError(
            f"feature {fid!r}, {_field('date')}: {exc}; write it as 2024-09-30 (a day that exists)"
        ) from None
    if date is None:
        raise ParkGeoError("empty date (日期)")
    if date > today:
        raise ParkGeoError(
            f"date {date} is after today ({today}); progress cannot be reported ahead"
        )
    vocab = kinds()[kind_name].stages
    stage_text = as_text(raw.get("stage"))
    stage = lookup_stage(vocab, stage_text) if stage_text else None
    if stage_text and stage is None:
        raise ParkGeoError(f"unknown stage {stage_text!r}; accepted: {accepted_labels(vocab)}")
    percent, floor, invest = (
        _number(raw, name, fid) for name in ("percent", "floor_area_m2", "investment_wan")
    )
    if percent is not None and not 0 <= percent <= 100:
        raise ParkGeoError(f"percent {percent:g} is outside 0-100")
    if stage is None and percent is None:
        raise ParkGeoError("neither a stage (阶段) nor a percent (完成比例) is given")
    rec = {
        "kind": kind_name,
        "feature_id": fid,
        "date": date.isoformat(),
        "stage": stage.code if stage else None,
        "percent": percent,
        "floor_area_m2": floor,
        "investment_wan": invest,
        "item": None,
        "from_m": None,
        "to_m": None,
        "contract_section": as_text(raw.get("contract_section")) or None,
        "note": as_text(raw.get("note")),
    }
    if found.sections:  # progress by work item and chainage section (roads)
        _road_fields(rec, raw, found.sections, centerlines, notes, where)
    return rec


def _field(name: str) -> str:
    """A progress field as messages name it: ``field date (日期)``."""
    found = next(f for f in kinds()["progress"].fields if f.name == name)
    return f"field {name} ({found.label_zh})"


def _number(raw: dict, name: str, fid: str) -> float | None:
    """The number in progress field *name* (a unit may follow it: 80%, 1200m², 50万元)."""
    # percent has no unit suffix in its name (floor_area_m2, investment_wan have)
    unit = field_unit(name) or (unit_by_code("percent") if name == "percent" else None)
    try:
        return parse_number(raw.get(name), unit=unit)
    except ValueError as exc:
        raise ParkGeoError(f"feature {fid!r}, {_field(name)}: {exc}") from None


def _road_fields(rec: dict, raw: dict, items: str, centerlines, notes, where) -> None:
    item_text = as_text(raw.get("item"))
    item = lookup_stage(items, item_text) if item_text else None
    if item is None:
        raise ParkGeoError(
            f"unknown or missing work item {item_text!r}; accepted: {accepted_labels(items)}"
        )
    rec["item"] = item.code
    try:
        if as_text(raw.get("chainage_range")):
            rng = parse_chainage_range(as_text(raw.get("chainage_range")))
            start, end, flipped = rng.start, rng.end, rng.reversed
        else:
            a, b = as_text(raw.get("chainage_from")), as_text(raw.get("chainage_to"))
            if not a or not b:
                raise ChainageError("from and to chainage (起点桩号, 终点桩号) are both needed")
            start, end = parse_chainage(a), parse_chainage(b)
            flipped = start > end
            start, end = min(start, end), max(start, end)
            if start == end:
                raise ChainageError(f"the section {a}–{b} has no length")
    except ChainageError as exc:
        raise ParkGeoError(f"chainage: {exc}") from None
    if flipped:
        notes.append(f"{where}: reversed chainage range normalized to {start:g}–{end:g} m")
    line = (centerlines or {}).get(rec["feature_id"])
    if line is not None:
        try:
            line.distance_at(start)
            line.distance_at(end)
        except ChainageError as exc:
            raise ParkGeoError(f"chainage: {exc}") from None
    rec["from_m"], rec["to_m"] = start, end


def listing(items: list[str]) -> str:
    """Problems as an indented list for a message, at most :data:`MAX_LISTED` of them."""
    shown = items[:MAX_LISTED]
    more = f"\n  ... and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return "\n  " + "\n  ".join(shown) + more


def rename_fields(
    frame: pd.DataFrame, where: str, key: str, fields: dict[str, str], id_field: str | None, k: Kind
) -> pd.DataFrame:
    """Source field names → canonical ones, with the id field; the kind's required fields must
    be there after (else :class:`~geo.errors.LayerReadError` naming *where* and *key*)."""
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
        if mapping.get(id_field, "id") != "id":
            raise LayerReadError(
                f"{where}: field {id_field!r} is the id ([{key}] id) and is also mapped to "
                f"{mapping[id_field]!r} in [{key}.fields]; a source field can be only one "
                f"canonical field. Map another field to {mapping[id_field]!r}, or set id = "
                "... to another field."
            )
        mapping[id_field] = "id"
    _check_collisions(frame, where, key, mapping)
    out = frame.rename(columns=mapping)
    missing = [f for f in k.required if f not in out.columns]
    if missing:
        labels = ", ".join(f"{f} ({k.field(f).label_zh})" for f in missing)
        example = ", ".join(f'"{k.field(f).label_zh}" = "{f}"' for f in missing)
        raise LayerReadError(
            f"{where}: required field(s) {labels} missing. Map the source field holding it in "
            f"[{key}.fields], e.g. {example} (the source has: "
            f"{', '.join(map(str, frame.columns))})."
        )
    return out


def _check_collisions(frame: pd.DataFrame, where: str, key: str, mapping: dict[str, str]) -> None:
    """Refuse a field map under which two source fields would end with one name."""
    targets: dict[str, list[str]] = {}
    for src in map(str, frame.columns):
        targets.setdefault(mapping.get(src, src), []).append(src)
    clashes = {t: s for t, s in targets.items() if len(s) > 1}
    if not clashes:
        return
    problems = []
    for target, sources in clashes.items():
        kept = [s for s in sources if s == target]
        mapped = [s for s in sources if s != target]
        if kept:
            problems.append(
                f"the source already has a field {target!r}, and {', '.join(map(repr, mapped))} "
                f"is mapped onto it too; rename the source's {target!r} or map it to "
                f'another name ("{target}" = "{target}_source")'
                + ("" if target != "id" else f', or set id = "id" in [{key}]')
            )
        else:
            problems.append(
                f"{', '.join(map(repr, mapped))} are all mapped to {target!r}; map only one"
            )
    raise LayerReadError(f"{where}: the field map makes two fields one:{listing(problems)}")
