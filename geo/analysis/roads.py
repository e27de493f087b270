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
from collections.abc import Iterable
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geo.domain.chainage import format_chainage
from geo.domain.tables import Stage, data_table, vocabulary, work_items
from geo.domain.values import as_number, as_text
from geo.errors import ChainageError, JoinError

__all__ = [
    "RULES",
    "ItemProgress",
    "RoadState",
    "RoadsResult",
    "Rule",
    "chainage_ticks",
    "road_state",
    "roads_json",
    "roads_status",
    "section_geometries",
    "select_roads",
]

#: Intervals shorter than this (metres) are floating-point noise, never a gap or a conflict.
_MIN_LENGTH_M = 0.01
#: A record "covers the whole road" when it misses at most this much at either end: stations
#: are written to the metre, so a 1504.6 m road reported as K0+000–K1+504 is the whole road.
_WHOLE_ROAD_SLACK_M = 1.0


@dataclass(frozen=True)
class Rule:
    """A check on road records: its id, severity and title."""

    id: str
    severity: str
    zh: str
    en: str


#: The road checks, by id. ``error`` findings make ``parkgeo roads`` exit 1.
#: Road findings by id, from ``geo/data/road_rules.toml``.
RULES = {
    rule_id: Rule(rule_id, spec["severity"], spec["title_zh"], spec["title_en"])
    for rule_id, spec in data_table("road_rules.toml").items()
}


@dataclass(frozen=True)
class ItemProgress:
    """Completed length of one work item on one road."""

    code: str
    zh: str
    en: str
    done_m: float
    percent: float

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class RoadState:
    """One road on the as-of date.

    Attributes
    ----------
    id, name
        The road.
    start, end
        Chainage of its start and end in metres; ``start_label``/``end_label`` as ``K0+000``.
    length_m
        Length of the drawn centerline in metres.
    chainage_length
        Length of road the chainage implies (design length when used; breaks included).
    contract_sections
        标段 named by its records, in order of first report.
    items
        One per work item of ``stages.toml``, in table order.
    sections
        Sections by item and stage (dicts, see :func:`road_state`).
    findings
        Findings of this road (dicts, see :func:`road_state`).
    """

    id: str
    name: str
    start: float
    end: float
    start_label: str
    end_label: str
    length_m: float
    chainage_length: float
    contract_sections: tuple[str, ...]
    items: tuple[ItemProgress, ...]
    sections: tuple[dict, ...]
    findings: tuple[dict, ...]

    def item(self, code: str) -> ItemProgress:
        """The progress of work item *code* (e.g. ``"pavement"``)."""
        for entry in self.items:
            if entry.code == code:
                return entry
        known = ", ".join(entry.code for entry in self.items)
        raise KeyError(f"no work item {code!r}; known: {known}")


@dataclass(frozen=True)
class RoadsResult:
    """Every road on ``as_of``, and all findings."""

    as_of: dt.date
    roads: tuple[RoadState, ...]
    findings: tuple[dict, ...]

    @property
    def has_errors(self) -> bool:
        """True when a finding has severity ``error``."""
        return any(f["severity"] == "error" for f in self.findings)

    def road(self, road_id: str) -> RoadState:
        """The road with id *road_id*."""
        for road in self.roads:
            if road.id == road_id:
                return road
        raise KeyError(f"no road {road_id!r}; known: {', '.join(r.id for r in self.roads)}")


# ---------------------------------------------------------------------------- intervals


def _union(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for a, b in sorted(intervals):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _subtract(
    intervals: list[tuple[float, float]], holes: list[tuple[float, float]]
) -> list[tuple[float, float]]:
    """Parts of *intervals* outside *holes* (both unions), longer than the noise limit."""
    out = []
    for a, b in intervals:
        pieces = [(a, b)]
        for h0, h1 in holes:
            pieces = [
                part
                for p0, p1 in pieces
                for part in ((p0, min(p1, h0)), (max(p0, h1), p1))
                if part[1] - part[0] > 0
            ]
        out.extend(p for p in pieces if p[1] - p[0] > _MIN_LENGTH_M)
    return out


def _length(intervals: Iterable[tuple[float, float]]) -> float:
    return sum(b - a for a, b in intervals)


# ---------------------------------------------------------------------------- records


def _label(chainage: float) -> str:
    """``K0+500`` for whole metres, ``K0+512.5`` to the decimetre otherwise."""
    whole = abs(chainage - round(chainage)) < 5e-4
    return format_chainage(chainage, decimals=0 if whole else 1)


def _state(stage: str, percent: float | None) -> str:
    """Stage code of a record: ``done`` when its stage says so or its percent is 100."""
    if stage == "done" or percent == 100:
        return "done"
    if stage:
        return stage
    return "not_started" if percent == 0 else "in_progress"


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


def _station(distance: float, chainage_of: dict, line) -> float:
    """The station written in a record for a boundary, else the line's station there."""
    found = chainage_of.get(distance)
    return line.chainage_at(distance) if found is None else found


def _where(rec: dict) -> str:
    if rec["source_file"] and rec["source_row"] is not None:
        return f"{rec['source_file']} row {int(rec['source_row'])}"
    return f"record #{rec['seq']}"


# ---------------------------------------------------------------------------- findings


def _finding(rule_id, road, item, ch_from, ch_to, message_zh, message_en) -> dict:
    return {
        "rule": rule_id,
        "severity": RULES[rule_id].severity,
        "road": road["id"],
        "road_name": road["name"],
        "item": item.code if item is not None else None,
        "from_m": ch_from,
        "to_m": ch_to,
        "from": None if ch_from is None else _label(ch_from),
        "to": None if ch_to is None else _label(ch_to),
        "message_zh": message_zh,
        "message_en": message_en,
    }


def _road_title(road: dict) -> tuple[str, str]:
    return f"{road['name']}（{road['id']}）", f"road {road['id']} ({road['name']})"


# ---------------------------------------------------------------------------- state


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
    done: dict[str, list[tuple[float, float]]] = {}
    started: dict[str, list[tuple[float, float]]] = {}
    painted_by_item: dict[str, list[tuple[float, float, dict]]] = {}
    for item in work_items():
        own = [rec for rec in placed if rec["item"] == item.code]
        painted = _paint(own)
        painted_by_item[item.code] = painted
        done[item.code] = _union((a, b) for a, b, rec in painted if rec["stage"] == "done")
        started[item.code] = _union(
            (a, b) for a, b, rec in painted if rec["stage"] in ("done", "in_progress")
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
    )


def _item(code: str) -> Stage | None:
    return next((item for item in work_items() if item.code == code), None)


def _road_stage(code: str) -> Stage:
    return next(stage for stage in vocabulary("road") if stage.code == code)


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
    stage = _road_stage(rec["stage"])
    ch_from, ch_to = chainage_of[d0], chainage_of[d1]
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
        "percent": rec["percent"],
        "date": rec["date"],
        "contract_section": rec["contract_section"],
        "note": rec["note"],
        "length_m": d1 - d0,
    }


def _conflicts(road, item, records, line, chainage_of) -> list[dict]:
    """Records of one item on one date overlapping with different stages."""
    zh, en = _road_title(road)
    out = []
    for i, first in enumerate(records):
        for second in records[i + 1 :]:
            if second["date"] != first["date"] or second["stage"] == first["stage"]:
                continue
            a, b = max(first["d0"], second["d0"]), min(first["d1"], second["d1"])
            if b - a <= _MIN_LENGTH_M:
                continue
            s1, s2 = _road_stage(first["stage"]), _road_stage(second["stage"])
            ch_a, ch_b = _station(a, chainage_of, line), _station(b, chainage_of, line)
            span = f"{_label(ch_a)}–{_label(ch_b)}"
            out.append(
                _finding(
                    "conflicting_records",
                    road,
                    item,
                    ch_a,
                    ch_b,
                    f"{zh}{item.zh} {span}：{first['date']} 有两条记录阶段不同（"
                    f"{_where(first)} 为{s1.zh}，{_where(second)} 为{s2.zh}），现以后者为准；"
                    "请更正或删除其中一条",
                    f"{en}: two {item.en.lower()} records on {first['date']} overlap at {span} "
                    f"with different stages ({s1.en} in {_where(first)}, {s2.en} in "
                    f"{_where(second)}); the later row wins for now. Correct or remove one",
                )
            )
    return out


def _gaps(road, item, records, done_intervals, line, chainage_of) -> list[dict]:
    """Parts not done of an item whose latest whole-road record says it is done."""
    whole = [
        rec
        for rec in records
        if rec["from_m"] <= line.start + _WHOLE_ROAD_SLACK_M
        and rec["to_m"] >= line.end - _WHOLE_ROAD_SLACK_M
    ]
    if not whole or whole[-1]["stage"] != "done":
        return []
    claim = whole[-1]
    gaps = _subtract([(claim["d0"], claim["d1"])], done_intervals)
    zh, en = _road_title(road)
    out = []
    for a, b in gaps:
        ch_a, ch_b = _station(a, chainage_of, line), _station(b, chainage_of, line)
        span = f"{_label(ch_a)}–{_label(ch_b)}"
        out.append(
            _finding(
                "gap_in_complete_item",
                road,
                item,
                ch_a,
                ch_b,
                f"{zh}{item.zh}于 {claim['date']} 报全线完成（{_where(claim)}），但 {span} "
                f"至今未完成（后续记录）；请核对后续记录或重新报送",
                f"{en}: {item.en.lower()} was reported done over the whole road on "
                f"{claim['date']} ({_where(claim)}), but {span} is not done (later records say "
                "otherwise); check the later records or report the item again",
            )
        )
    return out


def _ahead(road, item, painted, done, line, chainage_of) -> list[dict]:
    """Sections under way or done where the item this one comes after is not done."""
    if not item.after:
        return []
    before = _item(item.after)
    zh, en = _road_title(road)
    out = []
    for a, b, rec in painted:
        if rec["stage"] not in ("done", "in_progress"):
            continue
        stage = _road_stage(rec["stage"])
        for g0, g1 in _subtract([(a, b)], done[item.after]):
            ch_a, ch_b = _station(g0, chainage_of, line), _station(g1, chainage_of, line)
            span = f"{_label(ch_a)}–{_label(ch_b)}"
            out.append(
                _finding(
                    "pavement_ahead_of_subgrade",
                    road,
                    item,
                    ch_a,
                    ch_b,
                    f"{zh}{item.zh} {span} {stage.zh}（{_where(rec)}），但该段{before.zh}"
                    f"尚未完成；{item.zh}不能先于{before.zh}，请核对日期或补报{before.zh}进度",
                    f"{en}: {item.en.lower()} is {stage.en.lower()} at {span} ({_where(rec)}) "
                    f"where {before.en.lower()} is not done; {item.en.lower()} cannot be ahead "
                    f"of {before.en.lower()}. Check the dates or report the "
                    f"{before.en.lower()}",
                )
            )
    return out


# ---------------------------------------------------------------------------- store


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


# ---------------------------------------------------------------------------- outputs


def section_geometries(
    result: RoadsResult, centerlines: dict, *, crs: str | None = None
) -> gpd.GeoDataFrame:
    """One line per section, cut from its road's centerline, for the map.

    Parameters
    ----------
    result
        From :func:`road_state`.
    centerlines
        Road id → :class:`geo.domain.linref.Centerline`.
    crs
        CRS of the result; default the centerlines' metric CRS (the working CRS).

    Returns
    -------
    GeoDataFrame
        Columns ``road``, ``road_name``, ``item``, ``item_zh``, ``item_en``, ``stage``,
        ``stage_zh``, ``stage_en``, ``color`` (the stage's colour in ``stages.toml``),
        ``item_color``, ``from_m``, ``to_m``, ``from``, ``to``, ``label`` (e.g. ``路面
        K0+000–K0+300 已完成``), ``percent``, ``date``, ``contract_section``, ``note``,
        ``length_m`` and the geometry.
    """
    colors = {stage.code: stage.color for stage in vocabulary("road")}
    item_colors = {item.code: item.color for item in work_items()}
    rows, geoms = [], []
    source_crs = None
    for road in result.roads:
        line = centerlines[road.id]
        source_crs = source_crs or line.crs
        for section in road.sections:
            rows.append(
                {
                    "road": road.id,
                    "road_name": road.name,
                    **{k: section[k] for k in ("item", "item_zh", "item_en")},
                    **{k: section[k] for k in ("stage", "stage_zh", "stage_en")},
                    "color": colors[section["stage"]],
                    "item_color": item_colors[section["item"]],
                    **{k: section[k] for k in ("from_m", "to_m", "from", "to")},
                    "label": f"{section['item_zh']} {section['from']}–{section['to']} "
                    f"{section['stage_zh']}",
                    **{
                        k: section[k]
                        for k in ("percent", "date", "contract_section", "note", "length_m")
                    },
                }
            )
            geoms.append(line.cut(section["from_m"], section["to_m"]))
    columns = [
        "road",
        "road_name",
        "item",
        "item_zh",
        "item_en",
        "stage",
        "stage_zh",
        "stage_en",
        "color",
        "item_color",
        "from_m",
        "to_m",
        "from",
        "to",
        "label",
        "percent",
        "date",
        "contract_section",
        "note",
        "length_m",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["percent"] = frame["percent"].astype("float64")
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs=source_crs or crs)
    return out.to_crs(crs) if crs and out.crs is not None else out


def chainage_ticks(centerlines: dict, *, every: float = 100.0) -> gpd.GeoDataFrame:
    """Chainage marks along every road: each multiple of *every*, plus start and end.

    Parameters
    ----------
    centerlines
        Road id → :class:`geo.domain.linref.Centerline`.
    every
        Spacing of the ticks in metres of chainage.

    Returns
    -------
    GeoDataFrame
        Points with ``road``, ``chainage`` (m), ``label`` (``K0+100``) and ``kind``
        (``"station"`` for the road's start and end, ``"tick"`` otherwise), in the
        centerlines' metric CRS.
    """
    rows, geoms = [], []
    crs = None
    for road_id, line in centerlines.items():
        crs = crs or line.crs
        ticks = line.ticks(every)
        for i, (chainage, point, label) in enumerate(ticks):
            kind = "station" if i in (0, len(ticks) - 1) else "tick"
            rows.append({"road": road_id, "chainage": chainage, "label": label, "kind": kind})
            geoms.append(point)
    frame = pd.DataFrame(rows, columns=["road", "chainage", "label", "kind"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs=crs)


def roads_json(result: RoadsResult) -> dict:
    """The JSON-ready shape of ``parkgeo roads --json``::

        {"as_of": "2024-09-30",
         "roads": [{"id": "R02", "name": "二号路", "start": 0.0, "end": 1200.0,
                    "length_m": 1204.6,
                    "items": {"路面": {"code": "pavement", "done_m": 300.0, "percent": 25.0},
                              ...},
                    "sections": [{"item": "pavement", "from": "K0+000", ...}, ...]}],
         "findings": [{"rule": "...", "severity": "error", "road": "R02", ...}]}

    Numbers are not rounded.
    """
    return {
        "as_of": result.as_of.isoformat(),
        "roads": [
            {
                "id": road.id,
                "name": road.name,
                "start": road.start,
                "end": road.end,
                "length_m": road.length_m,
                "items": {
                    item.zh: {"code": item.code, "done_m": item.done_m, "percent": item.percent}
                    for item in road.items
                },
                "sections": [dict(section) for section in road.sections],
            }
            for road in result.roads
        ],
        "findings": [dict(finding) for finding in result.findings],
    }
