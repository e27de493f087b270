"""One way of writing quantities: symbols, decimals by unit, separators, goal statuses."""

from __future__ import annotations

import pytest

from geo.analysis.goals import STATUSES
from geo.domain.quantities import (
    excel_format,
    format_number,
    format_percent,
    format_quantity,
    goal_texts,
    status_word,
    unit_code,
    unit_symbol,
)
from geo.domain.units import _spellings


@pytest.mark.parametrize(
    ("value", "unit", "lang", "text"),
    [
        (1.5234706729, "km2", "zh", "1.523 km²"),
        (1.5234706729, "平方公里", "en", "1.523 km²"),
        (693.2028146999376, "亩", "zh", "693.20亩"),
        (693.2028146999376, "mu", "en", "693.20 mu"),
        (46.2135, "ha", "zh", "46.21公顷"),
        (1234567.4, "m2", "zh", "1,234,567 m²"),
        (18.6, "万m2", "zh", "18.60万m²"),
        (18.6, "万m2", "en", "186.0 thousand m²"),  # 18.6 × 10,000 m² = 186,000 m²
        (52.5, "亿元", "zh", "52.50亿元"),
        (52.5, "亿元", "en", "5.250 billion CNY"),  # 52.5 × 10⁸ CNY
        (12.0, "个", "zh", "12个"),
        (12.0, "个", "en", "12"),
        (0.0, "km2", "zh", "0.000 km²"),
        (500.0, "m", "zh", "500.0 m"),
        (None, "km2", "zh", ""),
    ],
)
def test_format_quantity(value, unit, lang, text):
    assert format_quantity(value, unit, lang) == text


def test_rounding_is_half_up_as_by_hand():
    # 2.675 is 2.67499999... in binary: f"{2.675:.2f}" gives 2.67; by hand it is 2.68
    assert f"{2.675:.2f}" == "2.67"
    assert format_number(1.0005, "km2") == "1.001"
    assert format_number(2.675, "亩") == "2.68"
    assert format_number(-2.675, "亩") == "-2.68"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (76.17353364499833, "76.2%"),  # the demo's 2024 area goal: 1.5235 / 2 km²
        (99.94428173, "99.9%"),  # the 2023 goal: 0.9994 / 1 km²
        (99.96, "99.9%"),  # not done is never shown as 100.0 %
        (100.0, "100.0%"),
        (76.15, "76.2%"),
        (0.0, "0.0%"),
        (None, ""),
    ],
)
def test_format_percent(value, text):
    assert format_percent(value) == text


def test_never_km2_or_wan_m2_spelled_with_a_plain_2():
    for code in _spellings()["display"]:
        for lang in ("zh", "en"):
            symbol = unit_symbol(code, lang)
            assert "m2" not in symbol, (code, lang, symbol)


@pytest.mark.parametrize("code", sorted(_spellings()["display"]))
def test_every_display_unit_is_a_known_unit(code):
    facts = _spellings()["display"][code]
    assert unit_code(code) == code
    assert {"zh", "en", "digits"} <= set(facts)
    assert excel_format(code) == "#,##0" + ("." + "0" * facts["digits"] if facts["digits"] else "")


@pytest.mark.parametrize(
    ("status", "zh", "en"),
    [
        ("met", "已完成", "met"),
        ("not met", "未完成", "not met"),
        ("on track", "进行中（按期）", "in progress (on track)"),
        ("behind", "进行中（滞后）", "in progress (behind)"),
        ("future", "未开始", "not started"),
        ("no data", "无数据", "no data"),
    ],
)
def test_status_words(status, zh, en):
    assert status in STATUSES
    assert (status_word(status, "zh"), status_word(status, "en")) == (zh, en)


def test_goal_texts_of_a_goal_and_its_bilingual_note():
    goal = {
        "id": "G2028-01",
        "metric": "新开发建设园区面积",
        "metric_en": "Newly developed park area",
        "period_start": "2028-01-01",
        "period_end": "2028-12-31",
        "target": 2.0,
        "unit": "km2",
        "achieved": 0.0,
        "percent": 0.0,
        "remaining": 2.0,
        "projection": None,
        "achieved_to_date": 3.4,
        "status": "future",
        "note": "按2028年单年计 / read as the year 2028 alone",
    }
    zh, en = goal_texts(goal, "zh"), goal_texts(goal, "en")
    assert (zh.period, zh.unit, zh.target, zh.achieved, zh.percent) == (
        "2028",
        "km²",
        "2.000 km²",
        "0.000 km²",
        "0.0%",
    )
    assert (zh.status, en.status) == ("未开始", "not started")
    assert (zh.note, en.note) == ("按2028年单年计", "read as the year 2028 alone")
    assert (zh.projection, zh.to_date) == ("", "3.400 km²")
    span = goal | {"period_start": "2023-07-01", "period_end": "2024-06-30"}
    assert goal_texts(span).period == "2023-07-01–2024-06-30"
