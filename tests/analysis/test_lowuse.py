"""低效用地 flags, with numbers worked out by hand.

Rules of intensity.toml: 容积率 < 1.0; 容积率 < 60 % of the parcel's standard; 亩均税收 <
40 % of the industry's average the year before; exempt under 3 years in production.

    A: 容积率 0.9 (standard 1.2 → 0.72), tax 5 万元/亩 (industry 20 → 8): far_absolute
       (0.9 < 1.0) and tax_share (5 < 8); not far_share (0.9 ≥ 0.72)
    B: 容积率 0.7 (standard 1.2 → 0.72): far_absolute and far_share; no tax; in production
       since 2023-01-01, judged 2024-12-31: exempt (flags kept, not low use)
    C: 容积率 1.5, tax 10 ≥ 8: nothing
    D: 容积率 0.1 but not completed (not checked): nothing
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.analysis.lowuse import industry_average, low_use_flags, low_use_table
from geo.domain.intensity import low_use_exemptions, low_use_rules, source
from geo.domain.units import M2_PER_MU


def table():
    return pd.DataFrame(
        {
            "id": ["A", "B", "C", "D"],
            "far": [0.9, 0.7, 1.5, 0.1],
            "far_threshold": [1.2, 1.2, 1.0, 1.0],
            "tax_wan_per_mu": [5.0, np.nan, 10.0, 1.0],
            "industry_prior_tax_wan_per_mu": [20.0, 20.0, 20.0, 20.0],
        }
    )


def test_flags_by_hand():
    dates = pd.DataFrame({"production_on": [None, "2023-01-01", None, None]})
    checked = pd.Series([True, True, True, False])
    out = low_use_flags(table(), checked=checked, as_of=dt.date(2024, 12, 31), dates=dates)
    got = {
        pid: [(f.rule, f.value, f.threshold) for f in flags]
        for pid, flags in zip("ABCD", out["low_use_flags"], strict=True)
    }
    assert got["A"] == [("far_absolute", 0.9, 1.0), ("tax_share", 5.0, pytest.approx(8.0))]
    assert got["B"] == [("far_absolute", 0.7, 1.0), ("far_share", 0.7, pytest.approx(0.72))]
    assert got["C"] == [] and got["D"] == []
    assert out["low_use"].tolist() == [True, False, False, False]
    assert out["low_use_exempt"].tolist() == [None, "new_production", None, None]


def test_exemption_ends_three_years_after_production():
    dates = pd.DataFrame({"production_on": [None, "2023-01-01", None, None]})
    checked = pd.Series([True, True, True, False])
    before = low_use_flags(table(), checked=checked, as_of=dt.date(2025, 12, 31), dates=dates)
    after = low_use_flags(table(), checked=checked, as_of=dt.date(2026, 1, 1), dates=dates)
    assert before["low_use"].tolist()[1] is False
    assert after["low_use"].tolist()[1] is True and after["low_use_exempt"][1] is None


def test_industry_average_sums_tax_over_land():
    area = pd.Series({"p1": 10.0, "p2": 5.0, "p3": 4.0, "p4": 8.0})
    industry = pd.Series({"p1": "13", "p2": "13", "p3": "13", "p4": "26"})
    tax = {"p1": 100.0, "p2": 20.0, "p4": 16.0}  # p3 has no tax: its land is left out
    assert industry_average(tax, area, industry) == {
        "13": pytest.approx(120 / 15),
        "26": pytest.approx(2.0),
    }


def test_tax_against_last_years_industry_average():
    """X and Y: C13, 10 亩 each. 2023 tax 100 + 100 → 10 万元/亩, 40 % → 4.0;
    2024: X 30 → 3.0 < 4.0 (flagged), Y 200 → 20.0."""
    mu = 10 * M2_PER_MU
    base = pd.DataFrame(
        {
            "id": ["X", "Y"],
            "area_m2": [mu, mu],
            "area_mu": [10.0, 10.0],
            "industry_code": ["13", "13"],
            "tax_wan": [np.nan, np.nan],
            "far": [1.5, 1.5],
            "far_threshold": [1.0, 1.0],
        }
    )
    economy = pd.DataFrame(
        {
            "enterprise": ["x", "y", "x", "y"],
            "year": [2023, 2023, 2024, 2024],
            "parcel": ["X", "Y", "X", "Y"],
            "tax_wan": [100.0, 100.0, 30.0, 200.0],
        }
    )
    out = low_use_table(
        base,
        pd.DataFrame({"id": ["X", "Y"]}),
        economy,
        None,
        as_of=dt.date(2024, 12, 31),
        checked=pd.Series([True, True]),
    )
    assert out["industry_prior_tax_wan_per_mu"].tolist() == [pytest.approx(10.0)] * 2
    assert out["tax_wan_per_mu"].tolist() == [pytest.approx(3.0), pytest.approx(20.0)]
    (flag,) = out["low_use_flags"][0]
    assert (flag.rule, flag.value, flag.threshold) == ("tax_share", 3.0, pytest.approx(4.0))
    assert out["low_use"].tolist() == [True, False]


@pytest.mark.parametrize("spec", low_use_rules(), ids=lambda s: s.key)
def test_every_rule_is_complete(spec):
    assert spec.zh and spec.en and source(spec.source)
    assert (spec.threshold is None) != (spec.of is None and spec.share is None)


@pytest.mark.parametrize("spec", low_use_exemptions(), ids=lambda s: s.key)
def test_every_exemption_is_complete(spec):
    assert spec.zh and spec.en and spec.fields and spec.years > 0 and source(spec.source)
