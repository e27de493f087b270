"""One way of writing every quantity: unit symbol, decimals by unit, thousands separators.

Status tables, the web map's goal panel, the goals chart, the Word briefing and the
spreadsheets all write numbers through this module, so one goal reads the same in each of
them (``1.524 km²``, ``76.2%``, ``进行中（滞后）``). The facts per unit (symbol in Chinese and
English, decimals, an English rescaling such as 万m² → thousand m²) are the ``[display]``
table of ``geo/data/units.toml``; the goal status words are ``status_*`` in
``geo/data/labels.toml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from geo.domain.tables import label
from geo.domain.units import _spellings, parse_unit

__all__ = [
    "GoalTexts",
    "excel_format",
    "format_number",
    "format_percent",
    "format_quantity",
    "goal_texts",
    "status_word",
    "unit_code",
    "unit_digits",
    "unit_scale",
    "unit_symbol",
]


@cache
def _display() -> dict[str, dict]:
    return _spellings()["display"]


def unit_code(unit: str) -> str:
    """The canonical code of a unit given as a code or any spelling (``万m2`` → ``wan_m2``).

    Raises
    ------
    KeyError
        For a spelling ``geo/data/units.toml`` does not know.
    """
    if unit in _display():
        return unit
    parsed = parse_unit(unit)
    if parsed is None or parsed.code not in _display():
        raise KeyError(f"unknown unit {unit!r}")
    return parsed.code


def _facts(unit: str, lang: str) -> tuple[str, int, float]:
    """(symbol, decimals, scale) of *unit* in *lang*."""
    facts = _display()[unit_code(unit)]
    if lang == "en":
        return facts["en"], facts.get("en_digits", facts["digits"]), facts.get("en_scale", 1.0)
    return facts["zh"], facts["digits"], 1.0


def unit_symbol(unit: str, lang: str = "zh") -> str:
    """The symbol *unit* is written with in *lang* (``km2`` → ``km²``, ``万m2`` → ``万m²``)."""
    return _facts(unit, lang)[0]


def unit_digits(unit: str, lang: str = "zh") -> int:
    """Decimals a quantity in *unit* is written with in *lang*."""
    return _facts(unit, lang)[1]


def unit_scale(unit: str, lang: str = "zh") -> float:
    """What one *unit* is in the unit *lang* writes it in (万m² in English: 10 thousand m²)."""
    return _facts(unit, lang)[2]


def _round_half_up(value: float, digits: int) -> float:
    # decimal rounding as people do it by hand (0.5 up), not binary float's banker's
    scale = 10**digits
    return math.floor(abs(value) * scale + 0.5 + 1e-9) / scale * (1 if value >= 0 else -1)


def format_number(value: float | None, unit: str, lang: str = "zh") -> str:
    """*value* (in *unit*) as a number in *lang*'s unit: its decimals, thousands separators.

    "" for None. English may rescale (18.6 万m² → ``186.0``, in thousand m²).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    _symbol, digits, scale = _facts(unit, lang)
    number = _round_half_up(value * scale, digits)
    return f"{number + 0.0:,.{digits}f}"


def format_quantity(
    value: float | None, unit: str, lang: str = "zh", *, prose: bool = False
) -> str:
    """*value* with its unit symbol: ``1.524 km²``, ``693.20亩``, ``18.60万m²``, ``10个``.

    A space separates the number from a symbol that starts with a Latin letter (km², mu,
    thousand m²); Chinese symbols and % follow the number directly. With *prose*, a
    Chinese sentence's unit written out (``1.524平方公里``). "" for None.
    """
    number = format_number(value, unit, lang)
    if not number:
        return ""
    symbol = unit_symbol(unit, lang)
    if prose and lang == "zh":
        symbol = _display()[unit_code(unit)].get("zh_prose", symbol)
    if not symbol:
        return number
    space = " " if symbol[0].isascii() and symbol[0].isalpha() else ""
    return f"{number}{space}{symbol}"


def format_percent(value: float | None) -> str:
    """A percentage with one decimal: ``76.2%``; below 100 it never reads ``100.0%``.

    Rounded half up (76.15 → 76.2); a goal 99.96 % done shows ``99.9%``, not a completion
    it has not reached. "" for None.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    shown = _round_half_up(value, 1)
    if shown >= 100.0 > value:
        shown = 99.9
    return f"{shown:.1f}%"


def excel_format(unit: str, lang: str = "zh") -> str:
    """The spreadsheet number format of a quantity in *unit* (``#,##0.000`` for km²)."""
    digits = unit_digits(unit, lang)
    return "#,##0" + ("." + "0" * digits if digits else "")


def status_word(status: str, lang: str = "zh") -> str:
    """A goal status (:data:`geo.analysis.goals.STATUSES`) in plain words: 已完成, 未完成,
    进行中（按期）, 进行中（滞后）, 未开始, 无数据 (met, not met, in progress (on track) ...)."""
    return label(f"status_{status.replace(' ', '_')}", lang)


@dataclass(frozen=True)
class GoalTexts:
    """What a reader sees of one goal, every figure written as :func:`format_quantity` does."""

    metric: str
    period: str
    unit: str
    target: str
    achieved: str
    percent: str
    remaining: str
    projection: str
    to_date: str
    status: str
    note: str
    #: target and achieved as numbers only, for a table whose unit column names the unit
    target_number: str = ""
    achieved_number: str = ""


def goal_texts(goal: Mapping, lang: str = "zh") -> GoalTexts:
    """The texts of a goal in the shape of :func:`geo.analysis.goals.goals_json`.

    Every output that shows a goal (status, map, chart, briefing, spreadsheet) takes its
    strings from here.
    """
    unit = goal["unit"]
    metric = goal.get("metric_en") if lang == "en" and goal.get("metric_en") else goal["metric"]
    start, end = str(goal["period_start"]), str(goal["period_end"])
    whole_year = start[:4] == end[:4] and start[5:] == "01-01" and end[5:] == "12-31"
    return GoalTexts(
        metric=metric,
        period=start[:4] if whole_year else f"{start}–{end}",
        unit=unit_symbol(unit, lang),
        target=format_quantity(goal["target"], unit, lang),
        achieved=format_quantity(goal.get("achieved"), unit, lang),
        percent=format_percent(goal.get("percent")),
        remaining=format_quantity(goal.get("remaining"), unit, lang),
        projection=format_quantity(goal.get("projection"), unit, lang),
        to_date=format_quantity(goal.get("achieved_to_date"), unit, lang),
        status=status_word(goal["status"], lang),
        note=_note(goal.get("note") or "", lang),
        target_number=format_number(goal["target"], unit, lang),
        achieved_number=format_number(goal.get("achieved"), unit, lang),
    )


def _note(note: str, lang: str) -> str:
    """The *lang* half of a note written ``中文 / English`` (the whole note otherwise)."""
    if " / " not in note:
        return note
    zh, en = note.split(" / ", 1)
    return en.strip() if lang == "en" else zh.strip()
