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
