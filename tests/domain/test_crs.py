"""Gauss-Krüger zones and CRS guessing, checked against the PROJ database."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS

from geo.domain.crs import GK_ZONES, gk_crs_for_longitude, guess_crs, is_projected_metric


@pytest.mark.parametrize("zone", sorted(GK_ZONES))
def test_every_zone_matches_proj(zone):
    prefixed, plain = (CRS.from_epsg(c) for c in GK_ZONES[zone])
    assert f"zone {zone}" in prefixed.name
    assert f"CM {3 * zone}E" in plain.name
    for crs in (prefixed, plain):
        params = {p.name: p.value for p in crs.coordinate_operation.params}
        assert params["Longitude of natural origin"] == 3 * zone
    assert {p.name: p.value for p in prefixed.coordinate_operation.params}["False easting"] == (
        zone * 1_000_000 + 500_000
    )


def test_seed_region_is_zone_35():
    assert gk_crs_for_longitude(105.09) == "EPSG:4544"
    assert gk_crs_for_longitude(105.09, prefixed=True) == "EPSG:4523"
    with pytest.raises(ValueError):
        gk_crs_for_longitude(10.0)


def test_guess():
    assert guess_crs(np.array([105.0, 105.1]), np.array([31.0, 31.1]))[0] == "EPSG:4490"
    assert guess_crs(np.array([35_508_000.0, 35_509_000.0]), np.array([3.44e6, 3.441e6]))[0] == (
        "EPSG:4523"
    )
    crs, reason = guess_crs(np.array([508_000.0]), np.array([3.44e6]))
    assert crs is None and "EPSG:4534-4554" in reason


def test_projected_metric():
    assert is_projected_metric("EPSG:4544")
    assert not is_projected_metric("EPSG:4490")
    assert not is_projected_metric(None)
