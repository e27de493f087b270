"""`parkgeo layers --features` and the working-CRS warnings of `layers`."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.cli import cli
from tests.conftest import parcels_frame, write_layer


def test_features_list_measured_and_declared_area(park, runner):
    frame = parcels_frame()
    frame.loc[1, "用地面积"] = 44.0  # drawn 150 m × 200 m = 30,000 m² = 45 亩
    write_layer(frame, park / "layers" / "parcels", fmt="geojson")
    assert runner.invoke(cli, ["import", "-p", str(park)]).exit_code == 0
    out = park / "areas.csv"
    args = ["layers", "-p", str(park), "--features", "--json", "--csv", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.stdout)["features"]["parcels"]}
    assert rows["P1"]["area_m2"] == pytest.approx(20_000.0, abs=1e-6)
    assert rows["P1"]["area_mu"] == pytest.approx(30.0, abs=1e-9)
    assert rows["P1"]["difference_mu"] == pytest.approx(0.0, abs=1e-9)
    assert rows["P2"]["difference_mu"] == pytest.approx(1.0, abs=1e-9)
    assert rows["P2"]["difference_share"] == pytest.approx(1 / 44, rel=1e-9)
    # ~9 km east of CM 105°E the GK area scale is 1 + (9 km / 6371 km)² ≈ 1 + 2e-6
    assert rows["P2"]["area_m2"] / rows["P2"]["geodesic_m2"] == pytest.approx(1, abs=1e-5)
    table = pd.read_csv(out, encoding="utf-8-sig", dtype={"id": str})
    assert list(table["layer"].unique()) == ["zones", "parcels"]
    assert table.set_index("id").loc["P2", "declared_mu"] == 44.0

    result = runner.invoke(cli, ["layers", "-p", str(park), "--features"])
    assert result.exit_code == 0 and "+2.27%" in result.output  # 1 / 44


def test_layers_warn_when_the_working_crs_is_another_zone(park, runner):
    frame = parcels_frame().to_crs("EPSG:4490")
    # shift the parcels 12° east (to ~117°E): the working CRS EPSG:4544 is 4 zones off
    frame["geometry"] = shapely.transform(frame.geometry.array, lambda c: c + np.array([12.0, 0.0]))
    write_layer(frame, park / "layers" / "parcels", fmt="geojson")
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 0 and "EPSG:4548" in result.output
    result = runner.invoke(cli, ["layers", "-p", str(park), "--json"])
    parcels = next(s for s in json.loads(result.stdout)["layers"] if s["name"] == "parcels")
    assert any("EPSG:4548" in w for w in parcels["warnings"])
    zones = next(s for s in json.loads(result.stdout)["layers"] if s["name"] == "zones")
    assert zones["warnings"] == []


def test_csv_needs_features(park, runner):
    result = runner.invoke(cli, ["layers", "-p", str(park), "--csv", "x.csv"])
    assert result.exit_code == 2 and "--features" in result.output
