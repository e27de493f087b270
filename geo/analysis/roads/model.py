"""Road progress results (:class:`RoadsResult`, :class:`RoadState`), the road rules, and the
chainage interval arithmetic the state and the findings share."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from geo.domain.chainage import format_chainage
from geo.domain.tables import Labelled, Stage, data_table, stages_for_kind, work_items

__all__ = ["RULES", "ItemProgress", "RoadState", "RoadsResult", "Rule"]

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
class ItemProgress(Labelled):
    """Completed length of one work item on one road; ``label(lang)`` its name."""

    code: str
    zh: str
    en: str
    done_m: float
    percent: float


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
    stretches
        Per work item, the whole road in order along it: the sections, and the stretches no
        record covers as not started (each a section dict with ``recorded`` and ``d0``/``d1``,
        distances along the drawn line).
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
    stretches: tuple[dict, ...] = ()

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


def _label(chainage: float) -> str:
    """``K0+500`` for whole metres, ``K0+512.5`` to the decimetre otherwise."""
    whole = abs(chainage - round(chainage)) < 5e-4
    return format_chainage(chainage, decimals=0 if whole else 1)


def _station(distance: float, chainage_of: dict, line) -> float:
    """The station written in a record for a boundary, else the line's station there."""
    found = chainage_of.get(distance)
    return line.chainage_at(distance) if found is None else found


def _where(rec: dict) -> str:
    if rec["source_file"] and rec["source_row"] is not None:
        return f"{rec['source_file']} row {int(rec['source_row'])}"
    return f"record #{rec['seq']}"


def _item(code: str) -> Stage | None:
    return next((item for item in work_items() if item.code == code), None)


def _road_stage(code: str) -> Stage:
    return next(stage for stage in stages_for_kind("roads") if stage.code == code)


def _road_role(role: str) -> frozenset[str]:
    """Codes of the road stages with *role* (``done``, ``partial``, ``begun``: stages.toml)."""
    return frozenset(s.code for s in stages_for_kind("roads") if role in s.roles)
