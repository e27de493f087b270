"""Economic figures on the land and 亩均效益 classes, worked by hand.

Parcels A = 10 亩 (6666.667 m²) and B = 15 亩 (10000 m²); project XM1 holds both.
    甲 (project XM1, 2023): tax 250, output 5000 万元 → A gets 10/25 = 100 / 2000, B 150 / 3000
    乙 (parcel A, 2023): tax 50, output 1000 → A totals 150 / 3000 (一地多企: summed)
    丙 (parcel B, 2024 1–8月): not a whole year, not classed
Scheme (the shipped example): score = 60 × 亩均税收/15 + 40 × 亩均产值/300, A ≥ 90, B ≥ 60, C ≥ 30.
    A: 15 万元/亩, 300 万元/亩 → 60 + 40 = 100 → A;  B: 10, 200 → 40 + 26.667 = 66.667 → B
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.analysis.economy import classed_year, mujun_classes, parcel_economy, period_end
from geo.domain.intensity import mujun_settings
from geo.errors import ManifestError

AREA = {"A": 20000 / 3, "B": 10000.0}
PROJECTS = pd.DataFrame({"id": ["XM1"], "parcels": [["A", "B"]]})
ECONOMY = pd.DataFrame(
    {
        "enterprise": ["甲", "乙", "丙"],
        "year": [2023, 2023, 2024],
        "months": [None, 12, 8],
        "project": ["XM1", None, None],
        "parcel": [None, "A", "B"],
        "tax_wan": [250.0, 50.0, 80.0],
        "output_wan": [5000.0, 1000.0, 900.0],
    }
)


def test_period_end():
    assert period_end(2024, 8) == dt.date(2024, 8, 31)
    assert period_end(2024, 2) == dt.date(2024, 2, 29)
    assert period_end(2023, 12) == dt.date(2023, 12, 31)


def test_classed_year_is_the_last_whole_year_ended():
    assert classed_year(ECONOMY, as_of=dt.date(2024, 9, 30)) == 2023
    assert classed_year(ECONOMY, as_of=dt.date(2023, 12, 30)) is None
    assert classed_year(None, as_of=dt.date(2024, 9, 30)) is None


def test_shared_by_area_and_summed_per_parcel():
    figures = parcel_economy(ECONOMY, PROJECTS, AREA, year=2023)
    assert figures.loc["A", "tax_wan"] == pytest.approx(150.0)
    assert figures.loc["A", "output_wan"] == pytest.approx(3000.0)
    assert figures.loc["A", "enterprises"] == 2
    assert figures.loc["B", "tax_wan"] == pytest.approx(150.0)
    partial = parcel_economy(ECONOMY, PROJECTS, AREA, year=2024, months=8)
    assert list(partial.index) == ["B"] and partial.loc["B", "tax_wan"] == 80.0


def test_classes_by_hand():
    figures = parcel_economy(ECONOMY, PROJECTS, AREA, year=2023)
    mu = pd.Series({"A": 10.0, "B": 15.0, "C": 5.0})
    out = mujun_classes(
        mu,
        figures["tax_wan"].reindex(mu.index),
        figures["output_wan"].reindex(mu.index),
        mujun_settings(None),
    )
    assert out.loc["A", "tax_wan_per_mu"] == pytest.approx(15.0)
    assert out.loc["A", "mujun_score"] == pytest.approx(100.0)
    assert out.loc["B", "mujun_score"] == pytest.approx(200 / 3)
    assert list(out["mujun_class"]) == ["A", "B", None]  # C: no figures, no class
    strict = mujun_settings({"class_a": 120, "class_b": 70})
    out = mujun_classes(mu, figures["tax_wan"], figures["output_wan"], strict)
    assert list(out["mujun_class"][["A", "B"]]) == ["B", "C"]


def test_scheme_keys_checked():
    with pytest.raises(ManifestError, match=r"\[mujun\] weight is not known"):
        mujun_settings({"weight": 1})


# ---- goals on the economy table
#   甲: 2022 output 120000 万元 (already 10亿级), 2023 150000, leading
#   乙: 2023 1–8月 30000 then the whole year 50000 (the latest period counts), not leading
#   丙: 2023 100000 (reaches 10亿 = 100000 万元 in 2023), leading
#   2023: output (150000 + 50000 + 100000) 万元 = 30 亿元; new 10亿级: 丙 only (甲 was
#   before the period); leading share (150000 + 100000) / 300000 = 83.333 %
GOAL_ECONOMY = pd.DataFrame(
    {
        "enterprise": ["甲", "甲", "乙", "乙", "丙"],
        "year": [2022, 2023, 2023, 2023, 2023],
        "months": [12, 12, 8, 12, 12],
        "output_wan": [120000.0, 150000.0, 30000.0, 50000.0, 100000.0],
        "leading": ["是", "是", "否", "否", "yes"],
    }
)


def goal(measure, unit):
    from geo.domain.goals import goal_spec

    row = {
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "layer": "economy",
        "measure": measure,
        "unit": unit,
    }
    return goal_spec(row, where="goal G")


@pytest.mark.parametrize(
    ("measure", "unit", "expected", "ids"),
    [
        ("sum:output_wan", "亿元", 30.0, ("丙", "乙", "甲")),
        ("crossing:output_wan:100000", "个", 1.0, ("丙",)),
        ("share:output_wan:leading", "%", 250000 / 300000 * 100, ("丙", "甲")),
    ],
)
def test_economy_goals_by_hand(measure, unit, expected, ids):
    from geo.analysis.economy import economy_goal

    values, counted = economy_goal(GOAL_ECONOMY, goal(measure, unit), as_of=dt.date(2024, 9, 30))
    assert values["in"] == pytest.approx(expected)
    assert counted == tuple(sorted(ids))
    # before the year has ended nothing of 2023 counts yet
    early, _ = economy_goal(GOAL_ECONOMY, goal(measure, unit), as_of=dt.date(2023, 6, 30))
    assert early["in"] == 0.0


def test_bad_economy_goal_says_how_to_fix():
    from geo.errors import GoalError

    with pytest.raises(GoalError, match="crossing:output_wan:100000"):
        goal("count", "个")
    with pytest.raises(GoalError, match="no number field 'output'"):
        goal("sum:output", "亿元")


def test_published_scheme_is_cited_and_complete():
    """黄岩区 2022: weights 30 + 20 + 20 + 10 + 10 + 10 = 100 (规上), 50 + 50 (规下)."""
    from geo.domain.tables import data_table

    schemes = data_table("intensity.toml")["mujun_schemes"]
    assert schemes, "ship at least one published scheme"
    for key, spec in schemes.items():
        assert spec["via"].startswith("https://"), key
        assert spec["verified"] is True and spec["class_bounds_verified"] is False, key
        assert sum(t["weight"] for t in spec["terms"]) == pytest.approx(100.0), key
        assert all(t["benchmark"] > 0 and t["zh"] for t in spec["terms"]), key
    first = schemes["huangyan_2022"]["terms"][0]
    assert (first["figure"], first["benchmark"], first["weight"]) == (
        "tax_wan_per_mu",
        24.097,
        30.0,
    )
