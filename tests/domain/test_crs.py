"""Gauss-Krüger zones and CRS guessing, checked against the PROJ database."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS

from geo.domain.crs import (
    GK_ZONES,
    geodesic_areas,
    gk_crs_for_longitude,
    guess_crs,
    is_projected_metric,
    metric_twins,
    working_crs_for,
    zone_overrun,
)


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


@pytest.mark.parametrize(
    ("lon", "lat", "expected"),
    [
        (105.09, 31.09, "EPSG:4544"),  # the seed's park, zone 35
        (121.47, 31.23, "EPSG:4549"),  # Shanghai: CM 120°E, zone 40
        (117.2, 31.8, "EPSG:4548"),  # Hefei: CM 117°E, zone 39
        (-73.97, 40.78, "EPSG:32618"),  # New York: UTM 18N (78°W..72°W)
        (151.21, -33.87, "EPSG:32756"),  # Sydney: UTM 56S (150°E..156°E)
    ],
)
def test_working_crs_is_the_zone_of_the_centre(lon, lat, expected):
    assert working_crs_for(lon, lat) == expected
    assert zone_overrun(expected, lon - 0.01, lon + 0.01) == 0.0


def test_zone_overrun_counts_degrees_beyond_the_strip():
    # EPSG:4544's strip is 103.5..106.5°E (PROJ says 106.51): Shanghai is ~15° east of it
    assert zone_overrun("EPSG:4544", 120.9, 121.9) == pytest.approx(121.9 - 106.51)


def test_metric_twin_of_a_state_plane_in_feet():
    # NAD83 / New York Long Island (ftUS) → its metre edition EPSG:32118, then UTM 18N
    assert metric_twins("EPSG:2263")[:2] == ["EPSG:32118", "EPSG:32618"]
    assert all(is_projected_metric(c) for c in metric_twins("EPSG:2263"))


@pytest.mark.parametrize(
    ("x", "y", "needle"),
    [
        ([3.44e6, 3.441e6], [41_508_000.0, 41_509_000.0], "EPSG:4529"),
        ([3.44e6, 3.441e6], [508_000.0, 509_000.0], "EPSG:4534-4554"),
        ([31.0, 31.1], [105.0, 105.1], "latitude"),
    ],
)
def test_swapped_axes_are_named(x, y, needle):
    crs, reason = guess_crs(np.array(x), np.array(y))
    assert crs is None and "axes look swapped" in reason and needle in reason


def test_geodesic_area_of_a_one_degree_cell():
    # a 1°×1° cell at the equator on GRS 80 is 12,308.8 km² (Karney's GeographicLib value
    # for the WGS 84 ellipsoid, which differs from GRS 80 by 0.1 mm in the minor axis)
    import shapely

    (area,) = geodesic_areas([shapely.box(0, 0, 1, 1)])
    assert area == pytest.approx(12_308_778_361, rel=1e-6)
