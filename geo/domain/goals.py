"""What a goal row says: its period, measure, unit and stage, checked against the tables.

One goal row of ``goals.csv`` names a layer kind, a stage that counts as achieved, a measure
(``area``, ``count`` or ``sum:FIELD``) and a unit. :func:`goal_spec` reads them, or says what
is wrong and how to fix it. The import calls it on every row, so a bad goal fails
``parkgeo import`` (:mod:`geo.ingest.importer`); the goals analysis
(:mod:`geo.analysis.goals`) reads the same spec to measure the goal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from geo.domain.tables import Kind, accepted_labels, kind, kinds, lookup_stage
from geo.domain.units import Unit, accepted_units, field_unit, parse_unit
from geo.domain.values import as_text, parse_date
from geo.errors import GoalError
from geo.settings import GOAL_YEARS

__all__ = ["ECONOMY", "GoalSpec", "date_field", "goal_spec"]

#: the kind of the enterprises' yearly figures: goals on it are measured by year, no stage
ECONOMY = "economy"
_ECONOMY_MEASURES = (
    "sum:FIELD (e.g. sum:output_wan), crossing:FIELD:VALUE (enterprises whose yearly FIELD "
    "first reaches VALUE in the period, e.g. crossing:output_wan:100000 for 10亿元) or "
    "share:FIELD:FLAG (percent of FIELD from rows whose FLAG is 是/yes, e.g. "
    "share:output_wan:leading)"
)


@dataclass(frozen=True)
class GoalSpec:
    """A goal row, understood: what to measure and in which unit.

    ``how`` is ``""`` for a goal the data cannot measure (no layer or no measure), else
    ``area``, ``count`` or ``sum`` (of ``field``). ``unit`` is the goal's unit (None without
    a measure).
    """

    start: dt.date
    end: dt.date
    layer: str
    stage: str
    how: str
    field: str = ""
    unit: Unit | None = None
    #: the economy measures' argument: the output that counts (crossing), the flag (share)
    arg: str = ""

    @property
    def measure(self) -> str:
        if self.how in ("crossing", "share"):
            return f"{self.how}:{self.field}:{self.arg}"
        return f"sum:{self.field}" if self.how == "sum" else self.how


def date_field(k: Kind, stage: str) -> str:
    """The date field a *stage* of kind *k* without stages names (``signed`` → ``signed_on``)."""
    dates = [f.name for f in k.fields if f.type == "date"]
    for name in (stage, f"{stage}_on"):
        if name in dates:
            return name
    raise GoalError(
        f"layer kind {k.name!r} has no stages; a goal's stage must name one of its date "
        f"fields ({', '.join(dates) or 'none'}; e.g. 'signed' for signed_on), not {stage!r}"
    )


def _date(row: dict, name: str, where: str) -> dt.date:
    try:
        day = parse_date(row.get(name))
    except ValueError as exc:
        raise GoalError(f"{where}: {name}: {exc}") from None
    if day is None:
        raise GoalError(f"{where}: no {name}; write the date, e.g. 2024-01-01")
    low, high = GOAL_YEARS
    if not low <= day.year <= high:
        raise GoalError(
            f"{where}: {name} {day.isoformat()} is in the year {day.year}, outside "
            f"{low}–{high}; check the year (a typo?)"
        )
    return day


def _measure(text: str, where: str) -> tuple[str, str]:
    measure = text.replace(" ", "")
    low = measure.casefold()
    if low in ("area", "count"):
        return low, ""
    if low.startswith("sum:") and measure[4:]:
        return "sum", measure[4:]
    raise GoalError(
        f"{where}: unknown measure {measure!r}; write area, count or sum:FIELD "
        "(e.g. sum:floor_area_m2), or leave it empty for a goal the data cannot measure"
    )


def _unit(text: str, quantity: str, where: str) -> Unit:
    unit = parse_unit(text)
    if unit is None or unit.quantity != quantity:
        what = "unknown unit" if unit is None else f"a {unit.quantity} unit"
        raise GoalError(
            f"{where}: {what} {text!r} for a goal measuring {quantity}; "
            f"accepted: {accepted_units(quantity)}"
        )
    return unit


def _check_stage(k: Kind, stage: str, where: str) -> None:
    if not stage:
        raise GoalError(
            f"{where}: no stage; say which stage counts as achieved "
            "(e.g. started for parcels, completed for buildings, signed for projects)"
        )
    if not k.stages:
        try:
            date_field(k, stage)
        except GoalError as exc:
            raise GoalError(f"{where}: {exc}") from None
    elif lookup_stage(k.stages, stage) is None:
        raise GoalError(
            f"{where}: unknown stage {stage!r} for layer kind {k.name!r}; "
            f"accepted: {accepted_labels(k.stages)}"
        )


def goal_spec(row: dict, *, where: str, fields: Iterable[str] | None = None) -> GoalSpec:
    """Read and check one goal row.

    Parameters
    ----------
    row
        The row with canonical field names (``period_start``, ``unit``, ``layer``, …).
    where
        Names the row in messages, e.g. ``"goal 'G1' (goals.csv row 2)"``.
    fields
        The fields of the goal's layer as stored; default: the kind's fields
        (``geo/data/kinds.toml``). A ``sum:FIELD`` goal must name one of them.

    Raises
    ------
    GoalError
        For a period that is not two dates in order, an unknown layer kind, measure or
        stage, or a unit that does not fit the measure; the message says how to fix it.
    """
    start = _date(row, "period_start", where)
    end = _date(row, "period_end", where)
    if end < start:
        raise GoalError(f"{where}: the period ends ({end}) before it starts ({start})")
    layer, stage, measure = (as_text(row.get(n)) for n in ("layer", "stage", "measure"))
    if not layer or not measure:
        return GoalSpec(start, end, layer, stage, "")
    if layer not in kinds():
        raise GoalError(f"{where}: unknown layer kind {layer!r}; known: {', '.join(kinds())}")
    k = kind(layer)
    if layer == ECONOMY:
        return _economy_spec(row, start, end, measure, where)
    _check_stage(k, stage, where)
    how, field = _measure(measure, where)
    unit_text = as_text(row.get("unit"))
    if how == "area":
        if not k.spatial:
            raise GoalError(f"{where}: layer {layer!r} has no geometry to measure area")
        return GoalSpec(start, end, layer, stage, how, unit=_unit(unit_text, "area", where))
    if how == "count":
        return GoalSpec(start, end, layer, stage, how, unit=_unit(unit_text, "count", where))
    known = [f.name for f in k.fields] if fields is None else list(fields)
    if field not in known:
        raise GoalError(
            f"{where}: layer {layer!r} has no field {field!r} to sum; its fields: "
            f"{', '.join(c for c in known if c != 'geometry')}"
        )
    source = field_unit(field)
    if source is None:
        raise GoalError(
            f"{where}: cannot tell the unit of field {field!r} from its name "
            "(geo/data/units.toml [field_suffixes])"
        )
    unit = _unit(unit_text, source.quantity, where)
    return GoalSpec(start, end, layer, stage, how, field, unit)


def _economy_spec(row: dict, start, end, measure: str, where: str) -> GoalSpec:
    """A goal on the economy table (sum:FIELD, crossing:FIELD:VALUE, share:FIELD:FLAG)."""
    parts = measure.replace(" ", "").split(":")
    how = parts[0].casefold()
    shapes = {"sum": 2, "crossing": 3, "share": 3}
    if how not in shapes or len(parts) != shapes[how] or not all(parts):
        raise GoalError(
            f"{where}: unknown measure {measure!r} for the economy; write {_ECONOMY_MEASURES}"
        )
    field, arg = parts[1], parts[2] if len(parts) == 3 else ""
    fields = {f.name: f for f in kind(ECONOMY).fields}
    if field not in fields or fields[field].type not in ("float", "int"):
        numbers = [f.name for f in fields.values() if f.type in ("float", "int")]
        raise GoalError(
            f"{where}: the economy has no number field {field!r}; its fields: {', '.join(numbers)}"
        )
    unit_text = as_text(row.get("unit"))
    if how == "crossing":
        try:
            float(arg)
        except ValueError:
            raise GoalError(f"{where}: crossing:{field}:{arg}: {arg!r} is not a number") from None
        return GoalSpec(start, end, ECONOMY, "", how, field, _unit(unit_text, "count", where), arg)
    if how == "share":
        if arg not in fields:
            raise GoalError(f"{where}: the economy has no field {arg!r} to flag the share's rows")
        return GoalSpec(start, end, ECONOMY, "", how, field, _unit(unit_text, "share", where), arg)
    source = field_unit(field)
    unit = _unit(unit_text, source.quantity, where) if source else None
    if unit is None:
        raise GoalError(f"{where}: cannot tell the unit of field {field!r} from its name")
    return GoalSpec(start, end, ECONOMY, "", how, field, unit)
