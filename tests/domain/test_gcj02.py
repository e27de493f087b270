"""GCJ-02 against published pairs (eviltransform's and gcoord's test vectors)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.domain.gcj02 import gcj02_to_wgs84, wgs84_to_gcj02
from tests.conftest import realdata

GEOD = Geod(ellps="WGS84")


def _vectors():
    return pd.read_csv(realdata("gcj02_vectors.csv"))


def test_eviltransform_triples_to_1e_6_degree():
    v = _vectors()
    v = v[v["source_repo"] == "googollee/eviltransform"]
    lon, lat = wgs84_to_gcj02(v["wgs_lon"], v["wgs_lat"])
    # eviltransform asserts places=6 (|d| < 5e-7°); Denver etc. are the identity
    assert np.abs(lon - v["gcj_lon"]).max() < 5e-7
    assert np.abs(lat - v["gcj_lat"]).max() < 5e-7


def test_city_pairs_within_stated_tolerance():
    v = _vectors()
    v = v[v["source_repo"] == "hujiulong/gcoord"].dropna(subset=["gcj_lon"])
    assert len(v) > 300
    lon, lat = wgs84_to_gcj02(v["wgs_lon"], v["wgs_lat"])
    # gcoord: toBeCloseTo(4) → |d| < 5e-5°
    assert np.abs(lon - v["gcj_lon"]).max() < 5e-5
    assert np.abs(lat - v["gcj_lat"]).max() < 5e-5


def test_inverse_within_half_a_metre_and_shift_size():
    v = _vectors()
    wlon, wlat = gcj02_to_wgs84(v["gcj_lon"], v["gcj_lat"])
    _, _, dist = GEOD.inv(wlon, wlat, v["wgs_lon"], v["wgs_lat"])
    # gcoord's pairs are rounded to 1e-7° and carry API noise up to 7.2e-6° (≈ 0.8 m)
    assert np.nanmax(dist) < 1.0
    evil = v["source_repo"] == "googollee/eviltransform"
    assert np.nanmax(dist[evil.to_numpy()]) < 0.5  # eviltransform's gcj2wgs_exact bound
    # the shift at the demo park (105.09°E 31.09°N) is a few hundred metres
    glon, glat = wgs84_to_gcj02(105.09, 31.09)
    _, _, shift = GEOD.inv(105.09, 31.09, glon, glat)
    assert 100 < shift < 700


def test_outside_china_is_identity():
    assert wgs84_to_gcj02(-104.9903, 39.7392) == pytest.approx((-104.9903, 39.7392))
