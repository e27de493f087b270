"""Writing the record lifecycle: new records, superseded and retracted ones, never deletions.

Every record gets a stable id (``R000123``), ``recorded_at`` (UTC, when it entered the
store) and ``recorded_by``. Superseding or retracting a record sets when, by whom and why
on it; its content is never changed, so the store can say what it held at any moment.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.errors import RecordError
from geo.store import RECORD_SCHEMA, RECORDS, Store, StoreWriter

__all__ = [
    "AUTO_RETRACT_WHY",
    "apply_plans",
    "parse_moment",
    "retract_record",
    "upgrade_history",
    "utc_now",
]


#: Why a record is retracted when its row was removed from its file.
AUTO_RETRACT_WHY = "removed from its source file"


def utc_now() -> str:
    """Now as the store writes moments: ISO 8601 UTC with milliseconds."""
    return _iso(dt.datetime.now(dt.UTC))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_moment(value: dt.datetime | str) -> str:
    """A user's moment (local time unless it says otherwise) as the store writes them."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.astimezone()  # a naive moment is local time
    return _iso(value)


def record_id(seq: int) -> str:
    return f"R{seq:06d}"


def apply_plans(
    tx: StoreWriter, plans: list, history: pd.DataFrame | None, *, by: str, before: int
) -> int:
    """Write what *plans* (one :class:`~geo.ingest.lifecycle.FilePlan` per file) say, inside
    the transaction *tx* in which *history* was read (None: nothing to add); *before* active
    records were stored. Returns the number of active records after."""
    now = utc_now()
    by = tx.recorder(by)
    seq = int(history["seq"].max()) + 1 if history is not None and len(history) else 1
    rows, supersede, retract, moved = [], [], [], []
    for plan in plans:
        news = [*plan.added, *(new for _, new in plan.changed)]
        ids = {}
        for rec in sorted(news, key=lambda r: r["source_row"]):
            ids[id(rec)] = record_id(seq)
            rows.append(
                {
                    **rec,
                    "record_id": record_id(seq),
                    "source_file": plan.file,
                    "source_sheet": plan.sheet,
                    "seen_row": rec["source_row"],
                    "recorded_at": now,
                    "recorded_by": by,
                }
            )
            seq += 1
        supersede += [(old["record_id"], ids[id(new)]) for old, new in plan.changed]
        retract += [old["record_id"] for old in plan.retracted]
        moved += plan.moved
    if rows:
        frame = pd.DataFrame(rows).reindex(columns=list(RECORD_SCHEMA))
        fids = tx.append(RECORDS, frame, types=RECORD_SCHEMA)
        if [record_id(f) for f in fids] != list(frame["record_id"]):
            raise RecordError(
                "record numbers in the store are not what this import expected; nothing was "
                "written. Run the import again."
            )
    for old, new in supersede:
        tx.update(
            RECORDS, where={"record_id": old}, values={"superseded_by": new, "superseded_at": now}
        )
    if retract:
        tx.update(
            RECORDS,
            where={"record_id": retract},
            values={
                "retracted_at": now,
                "retracted_by": by,
                "retracted_why": AUTO_RETRACT_WHY,
            },
        )
    for rid, row in moved:
        tx.update(RECORDS, where={"record_id": rid}, values={"seen_row": row})
    return before + len(rows) - len(supersede) - len(retract)


def upgrade_history(tx: StoreWriter, origins: dict[str, str]) -> None:
    """Give the records of a store written by an earlier parkgeo (no record ids) their ids
    and lifecycle columns, in the transaction *tx*; nothing is dropped. *origins* maps a
    file name, as earlier versions stored it, to its path in the project."""
    from geo.ingest.records import fingerprint

    probe = tx.read(RECORDS, where={"fid": 0})  # no rows: just the columns
    if probe is None:
        return
    if "record_id" in probe.columns:
        tx.index_records()
        return
    old = tx.read(RECORDS)
    old = old.sort_values("seq" if "seq" in old.columns else old.columns[0], kind="stable")
    now = utc_now()
    rows = []
    for i, rec in enumerate(old.to_dict("records"), start=1):
        rec = {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in rec.items()}
        name = str(rec.get("source_file") or "")
        rows.append(
            {
                **rec,
                "record_id": record_id(i),
                "source_file": origins.get(name, name),
                "source_sheet": "",
                "seen_row": rec.get("source_row"),
                "fingerprint": fingerprint(rec),
                "recorded_at": now,
                "recorded_by": "(recorded before parkgeo kept who)",
            }
        )
    frame = pd.DataFrame(rows).reindex(columns=list(RECORD_SCHEMA))
    tx.write_layer(RECORDS, frame, kind=RECORDS, source="", types=RECORD_SCHEMA)


def retract_record(store: Store, rid: str, *, why: str, by: str) -> dict:
    """Retract record *rid* (it stays in the store, marked retracted with when, who, why).

    Raises
    ------
    RecordError
        When there is no such record, or it is already superseded or retracted.
    """
    if not why.strip():
        raise RecordError("say why the record is retracted: --why TEXT")
    with store.transaction(command="parkgeo retract") as tx:
        found = tx.read(RECORDS, columns=list(RECORD_SCHEMA), where={"record_id": rid})
        if found is None or not len(found):
            raise RecordError(
                f"no progress record {rid!r} in the store; `parkgeo history FEATURE_ID` lists "
                "the records of a feature with their ids."
            )
        rec = found.iloc[0]
        if pd.notna(rec["retracted_at"]):
            raise RecordError(
                f"record {rid} was already retracted on {rec['retracted_at']} by "
                f"{rec['retracted_by']}: {rec['retracted_why']}"
            )
        if pd.notna(rec["superseded_at"]):
            raise RecordError(
                f"record {rid} was superseded by {rec['superseded_by']} on "
                f"{rec['superseded_at']}; retract that one instead."
            )
        now = utc_now()
        by = tx.recorder(by)
        tx.update(
            RECORDS,
            where={"record_id": rid},
            values={"retracted_at": now, "retracted_by": by, "retracted_why": why.strip()},
        )
    return {**rec.to_dict(), "retracted_at": now, "retracted_by": by, "retracted_why": why}
