"""Control indicators per parcel, with numbers worked out by hand.

Parcel A = [0, 100] × [0, 200/3] m = 6666.667 m² = 10 亩, industry C13 (national 容积率 ≥ 1.0):
    F1 [5, 65] × [5, 45]   = 2400 m², 2 storeys of 4.5 m        → 4800 m² floor, production
    F2 [70, 90] × [5, 35]  =  600 m², 1 storey of 9 m (> 8 m)   → 1200 m² counted (twice)
    F3 [5, 25] × [50, 60]  =  200 m², 3 storeys, office (named by its `parcel` field) → 600 m²
    容积率 = 6600 / 6666.667 = 0.99 < 1.0                        (fails, gb2008)
    建筑系数 = (2400 + 600 + 200 + 400 structures) / 6666.667 = 54 % ≥ 30 %
    行政办公 = 600 / 6600 of the floor area = 9.0909 % > 7 %       (fails)
    绿地率 = 1000 / 6666.667 = 15 % ≤ 20 %
    投资强度: project XM1 (0.25 亿元 = 2500 万元) over A and B by area: A gets
    2500 × 10 / 25 = 1000 万元 → 100 万元/亩 < the park's 150          (fails, park)
Parcel B = [200, 300] × [0, 100] = 10000 m² = 15 亩, no industry code, contract 容积率 ≥ 1.2,
    contract 投资强度 ≥ 80, declared floor area 9000 m² → 0.9 < 1.2 (fails, contract);
    1500 万元 / 15 亩 = 100 ≥ 80; no buildings, no structures: 建筑系数 no data
Parcel C: nothing known → not industrial, every indicator "no data".
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.analysis.intensity import assign_buildings, parcel_indicators
from geo.domain.intensity import (
    far_minimum,
    industry_key,
    intensity_settings,
    source,
    thresholds_for,
)
from geo.errors import ManifestError
from tests.conftest import X0, Y0

CRS = "EPSG:4544"


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frames():
    parcels = gpd.GeoDataFrame(
        {
            "id": ["A", "B", "C"],
            "industry_code": ["C13", None, None],
            "far_floor_area_m2": [None, 9000.0, None],
            "structures_area_m2": [400.0, None, None],
            "green_area_m2": [1000.0, None, None],
            "contract_far_min": [None, 1.2, None],
            "contract_investment_wan_per_mu": [None, 80.0, None],
        },
        geometry=[box(0, 0, 100, 200 / 3), box(200, 0, 300, 100), box(400, 0, 500, 100)],
        crs=CRS,
    )
    factories = gpd.GeoDataFrame(
        {
            "id": ["F1", "F2", "F3"],
            "parcel": [None, None, "A"],
            "storeys": [2, 1, 3],
            "storey_height_m": [4.5, 9.0, 3.5],
            "use": ["生产", "车间", "办公"],
        },
        geometry=[box(5, 5, 65, 45), box(70, 5, 90, 35), box(5, 50, 25, 60)],
        crs=CRS,
    )
    projects = pd.DataFrame({"id": ["XM1"], "investment_yi": [0.25], "parcels": [["A", "B"]]})
    return parcels, {"factories": factories}, projects


@pytest.fixture
def table():
    parcels, buildings, projects = frames()
    out = parcel_indicators(parcels, buildings, projects, park={"investment": 150.0}, crs=CRS)
    return out.set_index("id")


def test_parcel_a_by_hand(table):
    a = table.loc["A"]
    assert a["area_mu"] == pytest.approx(10.0)
    assert a["buildings"] == 3
    assert a["floor_source"] == "buildings"
    assert a["floor_area_m2"] == pytest.approx(6600.0)
    assert a["far"] == pytest.approx(0.99)
    assert (a["far_threshold"], a["far_source"], a["far_ok"]) == (1.0, "gb2008", False)
    assert a["coverage_pct"] == pytest.approx(54.0)
    assert a["coverage_ok"] is True
    assert a["admin_share_pct"] == pytest.approx(600 / 6600 * 100)
    assert a["admin_share_ok"] is False
    assert a["green_ratio_pct"] == pytest.approx(15.0)
    assert a["green_ratio_ok"] is True
    assert a["investment_wan"] == pytest.approx(1000.0)
    assert a["investment_wan_per_mu"] == pytest.approx(100.0)
    assert (a["investment_threshold"], a["investment_source"]) == (150.0, "park")
    assert a["investment_ok"] is False
    assert a["industrial"]


def test_contract_values_win(table):
    b = table.loc["B"]
    assert b["floor_source"] == "declared"
    assert b["far"] == pytest.approx(0.9)
    assert (b["far_threshold"], b["far_source"], b["far_ok"]) == (1.2, "contract", False)
    assert b["investment_wan_per_mu"] == pytest.approx(100.0)
    assert (b["investment_threshold"], b["investment_source"]) == (80.0, "contract")
    assert b["investment_ok"] is True
    assert b["industrial"]


def test_absent_data_is_no_data_not_a_failure(table):
    b, c = table.loc["B"], table.loc["C"]
    assert math.isnan(b["coverage_pct"]) and b["coverage_ok"] is None
    assert math.isnan(b["admin_share_pct"]) and b["admin_share_ok"] is None
    assert not c["industrial"]
    for key in ("far", "coverage", "admin_share", "green_ratio", "investment", "tax"):
        assert c[f"{key}_ok"] is None


def test_measured_in_metres_when_given_degrees():
    parcels, buildings, projects = frames()
    degrees = parcels.to_crs("EPSG:4490")
    table = parcel_indicators(
        degrees, {"factories": buildings["factories"].to_crs("EPSG:4490")}, projects, crs=CRS
    ).set_index("id")
    assert table.loc["A", "area_m2"] == pytest.approx(20000 / 3, rel=1e-6)
    assert table.loc["A", "far"] == pytest.approx(0.99, rel=1e-6)


def test_tall_storey_counts_declared_floor_area_twice():
    parcels, _, _ = frames()
    factories = gpd.GeoDataFrame(
        {"id": ["T"], "floor_area_m2": [1000.0], "storey_height_m": [8.5]},
        geometry=[box(10, 10, 20, 20)],
        crs=CRS,
    )
    table = parcel_indicators(parcels, {"factories": factories}, crs=CRS).set_index("id")
    assert table.loc["A", "floor_area_m2"] == pytest.approx(2000.0)
    # a building whose floor area cannot be told makes the parcel's floor area unknown
    unknown = factories.assign(floor_area_m2=[None])
    table = parcel_indicators(parcels, {"factories": unknown}, crs=CRS).set_index("id")
    assert math.isnan(table.loc["A", "far"]) and table.loc["A", "far_ok"] is None


def test_assign_by_largest_overlap():
    parcels, _, _ = frames()
    straddling = gpd.GeoDataFrame(
        {"id": ["S"]}, geometry=[box(90, 0, 230, 10)], crs=CRS
    )  # 10 m on A, 30 m on B
    assert list(assign_buildings(straddling, parcels)) == ["B"]


def test_table_lookups():
    assert industry_key("C2610") == "26" and industry_key("13") == "13"
    assert far_minimum("C25").value == 0.5
    assert far_minimum("C39").value == 0.7 and far_minimum("43").value == 0.7
    assert far_minimum("C38") is None  # not in the 2008 table: no national minimum
    assert not source("gb2008").verified
    t = thresholds_for({"industry_code": "C40"})
    assert (t["far"].value, t["coverage"].value, t["admin_share"].value) == (1.0, 30.0, 7.0)
    assert "investment" not in t  # no national 投资强度 without 城市等别


def test_park_settings_checked():
    assert intensity_settings({"investment_wan_per_mu": 300}) == {"investment": 300.0}
    with pytest.raises(ManifestError, match="far_minimum"):
        intensity_settings({"far_minimum": 1})
    with pytest.raises(ManifestError, match="number"):
        intensity_settings({"far_min": "high"})


def test_park_indicators_by_hand():
    """Zone 1000 m × 500 m = 500000 m²; parcels by land stage:
    A completed 0601 10000 m² floor 12000 tax 30 万元; B completed 0701 20000 m² floor 30000;
    C allocated 0601 5000 m²; D reserved 15000 m²; E planned 50000 m².
    已开发 A–D 50000 (10 % of 500000); 已供应 A–C 35000 (70 % of 已开发); 已建成 A, B 30000
    (85.714 % of 已供应); 工业用地率 10000 / 30000; 综合容积率 42000 / 30000 = 1.4;
    工业 12000 / 10000 = 1.2; 地均税收 30 万元 / 1 公顷; 供而未用 C 5000."""
    from geo.analysis.intensity import park_indicators
    from geo.domain.tables import vocabulary

    order = {s.code: s.order for s in vocabulary("land")}
    table = pd.DataFrame(
        {
            "stage_order": [
                order[s] for s in ("completed", "completed", "allocated", "reserved", "planned")
            ],
            "area_m2": [10000.0, 20000.0, 5000.0, 15000.0, 50000.0],
            "floor_area_m2": [12000.0, 30000.0, None, None, None],
            "tax_wan": [30.0, None, None, None, None],
        }
    )
    land_use = pd.Series(["0601", "0701", "0601", "0601", None])
    zones = gpd.GeoDataFrame({"id": ["Z"]}, geometry=[box(0, 0, 1000, 500)], crs=CRS)
    got = park_indicators(table, land_use, zones, crs=CRS)
    assert got["developable_m2"] == pytest.approx(500000.0)
    assert got["development_rate_pct"] == pytest.approx(10.0)
    assert got["supply_rate_pct"] == pytest.approx(70.0)
    assert got["built_rate_pct"] == pytest.approx(30000 / 35000 * 100)
    assert got["industrial_land_pct"] == pytest.approx(100 / 3)
    assert got["far"] == pytest.approx(1.4) and got["industrial_far"] == pytest.approx(1.2)
    assert got["industrial_tax_wan_per_ha"] == pytest.approx(30.0)
    assert got["supplied_unused_m2"] == pytest.approx(5000.0)
    assert got["far_unknown_parcels"] == 0
