"""Unit conversions against their definitions (1 亩 = 10000/15 m², 1 公顷 = 15 亩 ...)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.domain.units import Area, mu_to_m2, to_unit


def test_definitions():
    assert mu_to_m2(15) == pytest.approx(10_000.0, rel=1e-15)  # 15 亩 = 1 公顷
    assert Area(1_000_000).mu == pytest.approx(1500.0, rel=1e-15)  # 1 km² = 1500 亩
    assert Area(1_000_000).ha == 100.0
    assert Area(666.6666666666666).mu == pytest.approx(1.0, rel=1e-12)
    assert to_unit(200_000, "wan_m2") == 20.0  # 20万 m²
    assert to_unit(2_000_000, "km2") == 2.0


@given(st.floats(min_value=0, max_value=1e10, allow_nan=False))
def test_round_trip(m2):
    a = Area(m2)
    assert mu_to_m2(a.mu) == pytest.approx(m2, rel=1e-12, abs=1e-9)
    assert a.ha * 15 == pytest.approx(a.mu, rel=1e-12, abs=1e-9)
