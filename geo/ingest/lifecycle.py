"""A source file is the record of what it holds: how a re-import changes the stored records.

The rows of a file are matched with the active records that came from it, in this order:

1. by the file's own record id column (记录编号), when a row has one;
2. by content (the fingerprint of what the row says), wherever the row now is, so rows
   inserted above or re-sorted are unchanged;
3. by position: a row standing where an unmatched record's row now is (the shift of the
   nearest content-matched row above it is applied), so a fixed cell is a *change*;
4. by what it is about (layer, feature, work item, chainage), one to one, for a row both
   moved and fixed.

A matched row with other content supersedes its record; an unmatched record is retracted
(its row was removed); an unmatched row is added. Nothing is deleted: superseded and
retracted records stay in the store with when, by whom and why.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from geo.domain.values import as_number
from geo.ingest.records import section_key

__all__ = ["FilePlan", "plan_file"]


@dataclass
class FilePlan:
    """What importing one file changes: per kind of change, the rows and records."""

    file: str
    sheet: str = ""
    added: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, dict]] = field(default_factory=list)  # (old record, new row)
    retracted: list[dict] = field(default_factory=list)
    unchanged: int = 0
    moved: list[tuple[str, int]] = field(default_factory=list)  # (record id, row now)
    kept_bad: int = 0  # records whose row is now refused: kept as they were

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "retracted": len(self.retracted),
            "unchanged": self.unchanged,
        }


def _row(rec: dict) -> int:
    value = as_number(rec.get("seen_row"))
    return int(value if value is not None else as_number(rec.get("source_row")) or 0)


def plan_file(
    active: pd.DataFrame, rows: pd.DataFrame, *, file: str, sheet: str = "", bad_rows=()
) -> FilePlan:
    """Match the validated *rows* of *file* with the *active* records that came from it.

    Parameters
    ----------
    active
        Active stored records whose origin is this file and sheet.
    rows
        The file's good rows (:data:`geo.ingest.records.RECORD_COLUMNS`).
    bad_rows
        Row numbers refused this time; a record standing there is kept, not retracted.
    """
    plan = FilePlan(file=file, sheet=sheet)
    needed = [
        "record_id",
        "fingerprint",
        "seen_row",
        "source_row",
        "source_record_id",
        "kind",
        "feature_id",
        "item",
        "from_m",
        "to_m",
    ]
    old = sorted(active[needed].to_dict("records"), key=_row) if len(active) else []
    new = rows.to_dict("records") if len(rows) else []
    old_left, new_left = set(range(len(old))), set(range(len(new)))
    pairs: list[tuple[int, int]] = []  # (old, new) matched

    def match(i: int, j: int) -> None:
        old_left.discard(i)
        new_left.discard(j)
        pairs.append((i, j))

    by_id = {o["source_record_id"]: i for i, o in enumerate(old) if o.get("source_record_id")}
    for j, n in enumerate(new):
        i = by_id.get(n.get("source_record_id")) if n.get("source_record_id") else None
        if i is not None and i in old_left:
            match(i, j)
    by_print = defaultdict(list)
    for i in sorted(old_left, key=lambda i: _row(old[i])):
        by_print[old[i]["fingerprint"]].append(i)
    for j in sorted(new_left):
        same = by_print.get(new[j]["fingerprint"])
        if same:
            match(same.pop(0), j)
    # the shift of each content-matched row, in the records' row order
    anchors = sorted((_row(old[i]), int(new[j]["source_row"])) for i, j in pairs)
    keys = [a[0] for a in anchors]
    at_row = {int(new[j]["source_row"]): j for j in new_left}
    bad = set(bad_rows)
    for i in sorted(old_left):
        k = bisect.bisect_left(keys, _row(old[i])) - 1
        expected = _row(old[i]) + (anchors[k][1] - anchors[k][0] if k >= 0 else 0)
        j = at_row.get(expected)
        if j is not None and j in new_left:
            match(i, j)
        elif expected in bad:
            old_left.discard(i)
            plan.kept_bad += 1
    groups_old, groups_new = defaultdict(list), defaultdict(list)
    for i in sorted(old_left):
        groups_old[section_key(old[i])].append(i)
    for j in sorted(new_left):
        groups_new[section_key(new[j])].append(j)
    for key, olds in groups_old.items():
        news = groups_new.get(key, [])
        if len(olds) == len(news):
            for i, j in zip(olds, news, strict=True):
                match(i, j)
    for i, j in pairs:
        if old[i]["fingerprint"] == new[j]["fingerprint"]:
            plan.unchanged += 1
            if _row(old[i]) != int(new[j]["source_row"]):
                plan.moved.append((old[i]["record_id"], int(new[j]["source_row"])))
        else:
            plan.changed.append((old[i], new[j]))
    plan.retracted = [old[i] for i in sorted(old_left)]
    plan.added = [new[j] for j in sorted(new_left)]
    return plan
