"""Road progress by chainage (桩号): per road and work item, what is done on a date.

Road records (kind ``roads`` in the stored progress history) each say that a work item
(路基, 管网, 路面, 绿化, 照明; ``item`` in ``stages.toml``) stands at a stage over a chainage
section. The state on a date is painted record by record, in order of date then ``seq``: a
later record wins on its section, so "路面 K0+000–K1+000 已完成" followed by "路面
K0+400–K0+600 施工中" leaves 800 m done. Painting happens in distance along the drawn
centerline (see :mod:`geo.domain.linref`), so chain breaks (断链) and start chainages other than
K0+000 are handled once, there.

Lengths: ``done_m`` and ``percent`` are in metres of road (chainage metres, the design
length when one is given and used); a section's ``length_m`` is its length along the drawn
line, which is what the map shows. The two agree unless the drawn and design lengths
differ (within the scale tolerance, see :class:`geo.domain.linref.Centerline`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.analysis.roads.findings import _ahead, _conflicts, _finding, _gaps, _road_title
from geo.analysis.roads.model import (
    _MIN_LENGTH_M,
    ItemProgress,
    RoadsResult,
    RoadState,
    _item,
    _label,
    _length,
    _road_role,
    _road_stage,
    _station,
    _union,
    _where,
)
from geo.domain.tables import Stage, kind, stage_with_role, stages_for_kind, work_items
from geo.domain.values import as_number, as_text
from geo.errors import ChainageError, JoinError

__all__ = ["road_state", "roads_status", "select_roads"]


def _state(stage: str, percent: float | None) -> str:
    """Stage code of a record: done when its stage says so or its percent is 100; without
    a stage, the first road stage at 0 % and the partial one in between (stages.toml roles)."""
    vocab = kind("roads").stages
    done = stage_with_role(vocab, "done").code
    if stage == done or percent == 100:
        return done
    if stage:
        return stage
    return (
        stages_for_kind("roads")[0].code if percent == 0 else stage_with_role(vocab, "partial").code
    )


def _road_records(records: pd.DataFrame | None) -> list[dict]:
    """Road records as plain dicts with numbers as floats, in order of date then seq."""
    if records is None or not len(records):
        return []
    frame = records[records["kind"] == "roads"]
    out = []
    for rec in frame.to_dict("records"):
        percent = as_number(rec.get("percent"))
        stage = as_text(rec.get("stage"))
        seq = as_number(rec.get("seq"))
        out.append(
            {
                "road": as_text(rec.get("feature_id")),
                "item": as_text(rec.get("item")),
                "date": as_text(rec.get("date")),
                "seq": 0 if seq is None else int(seq),
                "from_m": as_number(rec.get("from_m")),
                "to_m": as_number(rec.get("to_m")),
                "stage": _state(stage, percent),
                "percent": percent,
                "contract_section": as_text(rec.get("contract_section")),
                "note": as_text(rec.get("note")),
                "source_file": as_text(rec.get("source_file")),
                "source_row": as_number(rec.get("source_row")),
            }
        )
    out.sort(key=lambda r: (r["date"], r["seq"]))
    return out


def road_state(
    roads: pd.DataFrame,
    records: pd.DataFrame | None,
    *,
    as_of: dt.date,
    centerlines: dict,
) -> RoadsResult:
    """Every road's progress on *as_of*: done length per work item, sections, findings.

    Parameters
    ----------
    roads
        The stored roads layer (``id``, ``name``); one :class:`RoadState` per row, in order.
    records
        The stored progress history (every kind; road records are picked here). Records
        dated after *as_of* are ignored.
    as_of
        The date of the state.
    centerlines
        Road id → :class:`~geo.domain.linref.Centerline` (see ``road_centerlines``).

    Returns
    -------
    RoadsResult
        Per road, per work item ``done_m`` (metres of road whose latest record on or before
        *as_of* is 已完成 or 100 %) and ``percent`` of the road's chainage length; the
        sections, each a dict with ``item``, ``item_zh``, ``item_en``, ``from_m``, ``to_m``,
        ``from``, ``to`` (labels such as ``K0+500``), ``stage``, ``stage_zh``, ``stage_en``,
        ``percent``, ``date``, ``contract_section``, ``note`` and ``length_m`` (along the
        drawn line); and findings, each a dict with ``rule`` (an id of :data:`RULES`),
        ``severity``, ``road``, ``road_name``, ``item``, ``from_m``, ``to_m``, ``from``,
        ``to``, ``message_zh`` and ``message_en``.

    Notes
    -----
    The rules: two records of one item on one date overlapping with different stages
    (``conflicting_records``); an item whose latest record over the whole road says it is
    done while later records leave parts of it not done (``gap_in_complete_item``); an item
    under way or done where the item named in its ``after`` column of ``stages.toml`` is not
    done (``pavement_ahead_of_subgrade``: pavement or pipes before subgrade); drawn and design
    length differing beyond the scale tolerance (``length_mismatch``, a warning); a record
    whose chainage is no longer on its road, e.g. after the road was redrawn
    (``record_off_road``).
    """
    cutoff = as_of.isoformat()
    by_road: dict[str, list[dict]] = {}
    for rec in _road_records(records):
        if rec["date"] <= cutoff:
            by_road.setdefault(rec["road"], []).append(rec)
    states = []
    for row in roads.to_dict("records"):
        road = {"id": as_text(row["id"]), "name": as_text(row.get("name"))}
        states.append(_one_road(road, by_road.get(road["id"], []), centerlines[road["id"]]))
    findings = tuple(f for state in states for f in state.findings)
    return RoadsResult(as_of=as_of, roads=tuple(states), findings=findings)


def _one_road(road: dict, records: list[dict], line) -> RoadState:
    findings: list[dict] = []
    zh, en = _road_title(road)
    if line.length_warning:
        difference = line.length_difference or 0.0
        findings.append(
            _finding(
                "length_mismatch",
                road,
                None,
                line.start,
                line.end,
                f"{zh}图上长度 {line.drawn_length:.2f} 米，设计长度 {line.design_length:.2f} 米，"
                f"相差 {difference:+.2f} 米，超出容差；桩号按图上长度计，可能偏差至多 "
                f"{abs(difference):.1f} 米。请核对坐标系、图形或设计长度",
                line.length_warning,
            )
        )
    # Place each record on the line: distances along the drawn centerline.
    placed: list[dict] = []
    chainage_of: dict[float, float] = {}  # distance → the station written for it
    for rec in records:
        try:
            d0, d1 = line.distance_at(rec["from_m"]), line.distance_at(rec["to_m"])
        except ChainageError as exc:
            findings.append(
                _finding(
                    "record_off_road",
                    road,
                    _item(rec["item"]),
                    rec["from_m"],
                    rec["to_m"],
                    f"{zh}的记录（{_where(rec)}）桩号不在道路上（{exc}）；道路图形可能已更改，"
                    "请更正记录的桩号",
                    f"{en}: the record in {_where(rec)} is not on the road ({exc}); the road "
                    "may have been redrawn since; correct the record's chainage",
                )
            )
            continue
        if d1 - d0 <= 0:
            continue  # a section across a short chain's skipped stations has no length
        chainage_of.setdefault(d0, rec["from_m"])
        chainage_of.setdefault(d1, rec["to_m"])
        placed.append({**rec, "d0": d0, "d1": d1})
    items = []
    sections: list[dict] = []
    stretches: list[dict] = []
    done: dict[str, list[tuple[float, float]]] = {}
    started: dict[str, list[tuple[float, float]]] = {}
    painted_by_item: dict[str, list[tuple[float, float, dict]]] = {}
    for item in work_items():
        own = [rec for rec in placed if rec["item"] == item.code]
        painted = _paint(own)
        painted_by_item[item.code] = painted
        done[item.code] = _union(
            (a, b) for a, b, rec in painted if rec["stage"] in _road_role("done")
        )
        started[item.code] = _union(
            (a, b) for a, b, rec in painted if rec["stage"] in _road_role("begun")
        )
        done_m = _length(done[item.code]) / line.scale
        items.append(
            ItemProgress(
                code=item.code,
                zh=item.zh,
                en=item.en,
                done_m=done_m,
                percent=100.0 * done_m / line.chainage_length,
            )
        )
        sections.extend(_section(item, a, b, rec, chainage_of) for a, b, rec in painted)
        stretches.extend(_stretches(item, painted, line, chainage_of))
        findings.extend(_conflicts(road, item, own, line, chainage_of))
        findings.extend(_gaps(road, item, own, done[item.code], line, chainage_of))
    for item in work_items():
        findings.extend(_ahead(road, item, painted_by_item[item.code], done, line, chainage_of))
    contract_sections = tuple(
        dict.fromkeys(rec["contract_section"] for rec in records if rec["contract_section"])
    )
    return RoadState(
        id=road["id"],
        name=road["name"],
        start=line.start,
        end=line.end,
        start_label=_label(line.start),
        end_label=_label(line.end),
        length_m=line.drawn_length,
        chainage_length=line.chainage_length,
        contract_sections=contract_sections,
        items=tuple(items),
        sections=tuple(sections),
        findings=tuple(findings),
        stretches=tuple(stretches),
    )


def _paint(records: list[dict]) -> list[tuple[float, float, dict]]:
    """Pieces ``(d0, d1, record)`` owned by the latest record; *records* in date, seq order."""
    pieces: list[tuple[float, float, dict]] = []
    for rec in records:
        a, b = rec["d0"], rec["d1"]
        kept = []
        for p0, p1, owner in pieces:
            if p1 <= a or p0 >= b:
                kept.append((p0, p1, owner))
                continue
            if p0 < a:
                kept.append((p0, a, owner))
            if p1 > b:
                kept.append((b, p1, owner))
        kept.append((a, b, rec))
        pieces = sorted(kept, key=lambda piece: piece[0])
    return pieces


def _section(item: Stage, d0: float, d1: float, rec: dict, chainage_of: dict) -> dict:
    return _piece(item, chainage_of[d0], chainage_of[d1], _road_stage(rec["stage"]), rec, d1 - d0)


#: What a stretch no record covers says of its record.
_UNRECORDED = {"percent": None, "date": None, "contract_section": None, "note": None}


def _piece(item: Stage, ch_from: float, ch_to: float, stage: Stage, rec: dict, length: float):
    """One section dict: *item* from chainage *ch_from* to *ch_to* at *stage*, with the
    percent, date, contract section and note of its record *rec*."""
    return {
        "item": item.code,
        "item_zh": item.zh,
        "item_en": item.en,
        "from_m": ch_from,
        "to_m": ch_to,
        "from": _label(ch_from),
        "to": _label(ch_to),
        "stage": stage.code,
        "stage_zh": stage.zh,
        "stage_en": stage.en,
        **{key: rec[key] for key in _UNRECORDED},
        "length_m": length,
    }


def _stretches(item: Stage, painted, line, chainage_of: dict) -> list[dict]:
    """The whole road for one item, in order along it: the painted sections, and the
    stretches no record covers at the first stage of the road vocabulary (未开工).

    Each is a section dict (see :func:`_section`) with ``d0``, ``d1`` (distances along the
    drawn line) and ``recorded``.
    """
    first = stages_for_kind("roads")[0]
    out: list[dict] = []

    def unrecorded(d0: float, d1: float) -> dict:
        ch_from, ch_to = _station(d0, chainage_of, line), _station(d1, chainage_of, line)
        piece = _piece(item, ch_from, ch_to, first, _UNRECORDED, d1 - d0)
        return {**piece, "d0": d0, "d1": d1, "recorded": False}

    at = 0.0
    for a, b, rec in painted:
        if a - at > _MIN_LENGTH_M:
            out.append(unrecorded(at, a))
        out.append({**_section(item, a, b, rec, chainage_of), "d0": a, "d1": b, "recorded": True})
        at = max(at, b)
    if line.drawn_length - at > _MIN_LENGTH_M:
        out.append(unrecorded(at, line.drawn_length))
    return out


def select_roads(roads: pd.DataFrame, road: str | None) -> pd.DataFrame:
    """The rows of *roads* whose id or name is *road* (all rows when *road* is None).

    Raises
    ------
    JoinError
        When no road has that id or name; the known roads are listed.
    """
    if road is None:
        return roads
    key = road.strip()
    mask = (roads["id"].astype(str) == key) | (roads["name"].astype(str) == key)
    if not mask.any():
        known = ", ".join(
            f"{rid} {name}" for rid, name in zip(roads["id"], roads["name"], strict=True)
        )
        raise JoinError(f"no road has id or name {road!r}; known roads: {known}")
    return roads[mask]


def roads_status(store, manifest, *, as_of: dt.date, road: str | None = None) -> RoadsResult:
    """The roads of a project's store on *as_of* (see :func:`road_state`).

    Parameters
    ----------
    store
        The project's store.
    manifest
        The project's manifest (working CRS, ``[roads] scale_tolerance``).
    as_of
        The date of the state.
    road
        Only this road (id or name).

    Raises
    ------
    JoinError
        When *road* names no road.
    """
    from geo.domain.linref import road_centerlines

    roads = store.read_kind("roads")
    if roads is None:
        if road is not None:
            raise JoinError(f"no road has id or name {road!r}: the project has no roads layer")
        return RoadsResult(as_of=as_of, roads=(), findings=())
    roads = select_roads(roads, road)
    centerlines = road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
    return road_state(roads, store.read_kind("progress"), as_of=as_of, centerlines=centerlines)
