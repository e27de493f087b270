"""Unit conversions against hand-worked values of their definitions.

1 亩 = 10000/15 m² = 666.666… m²; 1 公顷 = 10000 m² = 15 亩; 1 km² = 100 公顷 = 1500 亩;
1 万m² = 10000 m²; 1 亿元 = 10000 万元. Expected numbers are written out here, never taken
from the module's constants.
"""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.domain.units import Area, convert, mu_to_m2, to_unit, unit_by_code

EXACT = 1e-15  # relative: one rounding of a double


@pytest.mark.parametrize(
    ("m2", "mu", "ha", "km2"),
    [
        (666.6666666666666, 1.0, 0.06666666666666667, 0.0006666666666666666),  # 1 亩
        (2_000.0, 3.0, 0.2, 0.002),  # 3 亩 = 2000 m² exactly
        (10_000.0, 15.0, 1.0, 0.01),  # 1 公顷
        (15_000.0, 22.5, 1.5, 0.015),  # the union of the goals test's squares
        (30_000.0, 45.0, 3.0, 0.03),
        (1_000_000.0, 1500.0, 100.0, 1.0),  # 1 km²
        (2_000_000.0, 3000.0, 200.0, 2.0),  # the seed's 2 km² goal
    ],
)
def test_areas_by_hand(m2, mu, ha, km2):
    area = Area(m2)
    assert area.mu == pytest.approx(mu, rel=EXACT)
    assert area.ha == pytest.approx(ha, rel=EXACT)
    assert area.km2 == pytest.approx(km2, rel=EXACT)
    assert mu_to_m2(mu) == pytest.approx(m2, rel=EXACT)
    assert to_unit(m2, "mu") == pytest.approx(mu, rel=EXACT)


@pytest.mark.parametrize(
    ("value", "source", "target", "expected"),
    [
        (1500.0, "mu", "km2", 1.0),
        (15.0, "mu", "ha", 1.0),
        (200_000.0, "m2", "wan_m2", 20.0),  # 20万 m²
        (1.0, "wan_m2", "mu", 15.0),  # 1万 m² = 1 公顷 = 15 亩
        (50.0, "yi_cny", "wan_cny", 500_000.0),  # 50 亿元 = 50万 万元
        (3.0, "wan_cny", "cny", 30_000.0),
    ],
)
def test_conversions_by_hand(value, source, target, expected):
    got = convert(value, unit_by_code(source), unit_by_code(target))
    assert got == pytest.approx(expected, rel=EXACT)


def test_no_conversion_across_quantities():
    with pytest.raises(ValueError, match="cannot convert mu"):
        convert(1.0, unit_by_code("mu"), unit_by_code("cny"))


@given(st.integers(min_value=0, max_value=10**10))
def test_mu_against_exact_fractions(m2):
    # exact rational arithmetic from the definition (15 亩 per 10000 m²), rounded once
    assert Area(float(m2)).mu == pytest.approx(float(Fraction(m2) * 15 / 10_000), rel=1e-15)
    assert Area(float(m2)).ha == pytest.approx(float(Fraction(m2, 10_000)), rel=1e-15)
