"""Goals against actuals, with hand-computed expectations.

Squares are laid out in EPSG:4544 (CGCS2000 GK, central meridian 105°E) near the demo park,
8.6 km east of the central meridian, where the projection's scale error is ~1e-6.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from pyproj import Transformer

from geo.analysis.goals import (
    STATUSES,
    GoalWarning,
    first_reached,
    geodesic_area,
    goals_json,
    measure_goals,
)
from geo.cli import cli
from geo.domain.units import _spellings, convert, parse_unit
from geo.errors import GoalError, ParkGeoWarning
from geo.store import RECORD_SCHEMA, RECORDS
from geo.store.gpkg import GpkgStore
from tests.conftest import X0, Y0, demo_project, realdata

D = dt.date
CRS = "EPSG:4544"


@pytest.fixture
def store_of(tmp_path):
    """A real GeoPackage store holding *frames* by kind (``progress``: the records, in order)."""
    made = iter(range(1_000))

    def make(**frames) -> GpkgStore:
        store = GpkgStore(tmp_path / f"store{next(made)}.gpkg")
        with store.transaction(command="test") as tx:
            for name, frame in frames.items():
                if name == "progress":
                    rows = frame.drop(columns=["seq"]).reindex(columns=list(RECORD_SCHEMA))
                    rows["record_id"] = [f"R{i + 1:06d}" for i in range(len(rows))]
                    tx.append(RECORDS, rows, types=RECORD_SCHEMA)
                else:
                    tx.write_layer(name, frame, kind=name)
        return store

    return make


def goals(*rows) -> pd.DataFrame:
    cols = ["id", "period_start", "period_end", "target", "unit", "layer", "stage", "measure"]
    frame = pd.DataFrame([dict(zip(cols, r, strict=True)) for r in rows])
    frame["metric_zh"] = [f"指标{r[0]}" for r in rows]
    frame["metric_en"] = [f"metric {r[0]}" for r in rows]
    frame["note"] = ""
    frame["target"] = frame["target"].astype(float)
    frame["source_file"] = "goals.csv"
    frame["source_row"] = range(2, len(rows) + 2)
    return frame


def year(goal_id, y, target, unit, layer="", stage="", measure=""):
    return (goal_id, f"{y}-01-01", f"{y}-12-31", target, unit, layer, stage, measure)


def parcels(boxes, started_on, **cols) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": [f"P{i + 1}" for i in range(len(boxes))],
            "allocated_on": [None] * len(boxes),
            "started_on": started_on,
            "completed_on": [None] * len(boxes),
            **cols,
        },
        geometry=[shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1) for x0, y0, x1, y1 in boxes],
        crs=CRS,
    )


def records(rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["kind", "feature_id", "date", "stage", "note"])
    frame["seq"] = range(len(frame))
    return frame


def by_id(results):
    return {r.id: r for r in results}


# Two 100 m × 100 m squares overlapping by 50 m × 100 m: union 15,000 m², sum 20,000 m².
SQUARES = parcels([(0, 0, 100, 100), (50, 0, 150, 100)], ["2024-03-01", "2024-06-30"])


@pytest.mark.parametrize(
    ("unit", "expected"),
    [
        ("km2", 0.015),
        ("km²", 0.015),
        ("平方公里", 0.015),
        ("亩", 22.5),  # 15,000 / (10000/15)
        ("公顷", 1.5),
        ("万m2", 1.5),
        ("万平方米", 1.5),
        ("m2", 15_000.0),
        ("平方米", 15_000.0),
    ],
)
def test_area_is_the_union_not_the_sum(unit, expected, store_of):
    store = store_of(
        parcels=SQUARES, goals=goals(year("G1", 2024, 1, unit, "parcels", "started", "area"))
    )
    (result,) = measure_goals(store, as_of=D(2024, 12, 31), crs=CRS)
    assert result.achieved_m2 == pytest.approx(15_000.0, rel=1e-9)
    assert result.achieved == pytest.approx(expected, rel=1e-9)
    assert result.feature_ids == ("P1", "P2")
    assert result.warnings == ()


def test_31_december_counts_in_one_year_and_1_january_in_the_next(store_of):
    # P1 100 × 200 m = 30 亩 started 31 Dec 2023; P2 100 × 100 m = 15 亩 started 1 Jan 2024
    layer = parcels([(0, 0, 100, 200), (200, 0, 300, 100)], ["2023-12-31", "2024-01-01"])
    store = store_of(
        parcels=layer,
        goals=goals(
            year("G2023", 2023, 40, "亩", "parcels", "started", "area"),
            year("G2024", 2024, 40, "亩", "parcels", "started", "area"),
        ),
    )
    got = by_id(measure_goals(store, as_of=D(2024, 1, 1), crs=CRS))
    assert got["G2023"].achieved == pytest.approx(30.0, rel=1e-9)
    assert got["G2023"].feature_ids == ("P1",)
    assert got["G2024"].achieved == pytest.approx(15.0, rel=1e-9)
    assert got["G2024"].feature_ids == ("P2",)
    assert got["G2024"].achieved_to_date == pytest.approx(45.0, rel=1e-9)
    # on 31 Dec 2023 the 2024 period has not begun
    early = by_id(measure_goals(store, as_of=D(2023, 12, 31), crs=CRS))
    assert early["G2023"].achieved == pytest.approx(30.0, rel=1e-9)
    assert (early["G2024"].status, early["G2024"].achieved) == ("future", 0.0)
    assert early["G2024"].cumulative is None


def test_first_reached_uses_records_a_later_stage_and_ignores_a_relapse():
    factories = gpd.GeoDataFrame(
        {"id": ["F1", "F2", "F3", "F4"]},
        geometry=[shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 50, Y0 + 50) for i in range(4)],
        crs=CRS,
    )
    recs = records(
        [
            ("factories", "F1", "2023-06-01", "structure", ""),
            ("factories", "F1", "2023-12-31", "completed", ""),
            ("factories", "F1", "2024-03-01", "delivered", ""),
            ("factories", "F2", "2024-01-01", "delivered", ""),  # skips completed
            ("factories", "F3", "2024-02-01", "topped_out", ""),  # never completed
            ("factories", "F4", "2022-11-01", "completed", ""),
            ("factories", "F4", "2023-02-01", "structure", "验收未通过，返工"),
            ("factories", "F4", "2023-05-01", "completed", ""),
            ("housing", "F3", "2023-01-01", "completed", ""),  # another layer's F3
        ]
    )
    reached = first_reached(factories, recs, kind_name="factories", stage="completed")
    assert reached == {"F1": "2023-12-31", "F2": "2024-01-01", "F4": "2022-11-01"}
    # the Chinese label names the same stage
    assert first_reached(factories, recs, kind_name="factories", stage="竣工") == reached
    with pytest.raises(GoalError, match=r"unknown stage '已拆迁'.*竣工 \(completed\)"):
        first_reached(factories, recs, kind_name="factories", stage="已拆迁")


def test_sum_of_floor_area_in_wan_m2(store_of):
    factories = gpd.GeoDataFrame(
        {"id": ["F1", "F2", "F3"], "floor_area_m2": [120_000.0, 60_000.0, 99_999.0]},
        geometry=[shapely.box(X0 + 200 * i, Y0, X0 + 200 * i + 50, Y0 + 50) for i in range(3)],
        crs=CRS,
    )
    recs = records(
        [
            ("factories", "F1", "2023-12-31", "completed", ""),
            ("factories", "F2", "2024-01-01", "delivered", ""),
            ("factories", "F3", "2024-02-01", "topped_out", ""),
        ]
    )
    store = store_of(
        factories=factories,
        progress=recs,
        goals=goals(
            year("F2023", 2023, 20, "万m2", "factories", "completed", "sum:floor_area_m2"),
            year("F2024", 2024, 30, "万平方米", "factories", "completed", "sum:floor_area_m2"),
        ),
    )
    got = by_id(measure_goals(store, as_of=D(2024, 9, 30), crs=CRS))
    assert got["F2023"].achieved == pytest.approx(12.0)  # 120,000 m² = 12万 m²
    assert got["F2023"].status == "not met"
    assert got["F2023"].remaining == pytest.approx(8.0)
    assert got["F2023"].percent == pytest.approx(60.0)
    assert got["F2024"].achieved == pytest.approx(6.0)
    assert got["F2024"].achieved_to_date == pytest.approx(18.0)
    assert got["F2024"].achieved_m2 is None


PROJECTS = pd.DataFrame(
    {
        "id": ["XM1", "XM2", "XM3", "XM4"],
        "name": ["臻秦", "鑫鸣灏", "亿鸿展盛", "杭起华盛"],
        "signed_on": ["2023-03-01", "2023-12-31", "2024-01-01", None],
        "investment_yi": [5.5, 2.0, 10.0, 3.0],
    }
)


def test_count_and_investment_of_signed_projects(store_of):
    store = store_of(
        projects=PROJECTS,
        goals=goals(
            year("N2023", 2023, 10, "个", "projects", "signed", "count"),
            year("I2023", 2023, 50, "亿元", "projects", "signed", "sum:investment_yi"),
            year("W2023", 2023, 50, "万元", "projects", "signed", "sum:investment_yi"),
            year("N2024", 2024, 1, "个", "projects", "signed_on", "count"),
        ),
    )
    got = by_id(measure_goals(store, as_of=D(2024, 9, 30), crs=CRS))
    assert got["N2023"].achieved == 2.0 and got["N2023"].feature_ids == ("XM1", "XM2")
    assert got["I2023"].achieved == pytest.approx(7.5)
    assert got["W2023"].achieved == pytest.approx(75_000.0)  # 1亿元 = 10,000万元
    assert (got["N2024"].achieved, got["N2024"].status) == (1.0, "met")


def test_goals_without_data_are_listed_never_hidden(store_of):
    store = store_of(
        parcels=SQUARES,
        goals=goals(
            year("OUT", 2024, 200, "亿元"),  # no layer, no measure: the data cannot tell
            year("SHARE", 2024, 65, "%"),
            year("HOUSE", 2024, 10, "万m2", "housing", "completed", "sum:floor_area_m2"),
            year("AREA", 2024, 1, "km2", "parcels", "started", "area"),
        ),
    )
    results = measure_goals(store, as_of=D(2024, 9, 30), crs=CRS)
    assert [r.id for r in results] == ["OUT", "SHARE", "HOUSE", "AREA"]
    for r in results[:3]:
        assert r.status == "no data"
        assert (r.achieved, r.percent, r.remaining, r.projection, r.on_track) == (None,) * 5
    out = goals_json(results)
    assert out[0] == {
        "id": "OUT",
        "metric": "指标OUT",
        "period_start": "2024-01-01",
        "period_end": "2024-12-31",
        "target": 200.0,
        "unit": "亿元",
        "achieved": None,
        "percent": None,
        "remaining": None,
        "metric_en": "metric OUT",
        "achieved_to_date": None,
        "projection": None,
        "on_track": None,
        "status": "no data",
        "note": "",
    }
    assert set(out[3]) == set(out[0]) | {"achieved_m2"}
    assert out[3]["achieved_m2"] == pytest.approx(15_000.0)
    json.dumps(out)  # JSON-ready


def test_projection_for_the_current_period_by_hand(store_of):
    # 2024 has 366 days; 1 Jan – 30 Sep is 274 of them. 0.015 km² so far:
    # projection 0.015 × 366 / 274 = 0.0200365 km²
    store = store_of(
        parcels=SQUARES,
        goals=goals(
            year("ON", 2024, 0.02, "km2", "parcels", "started", "area"),
            year("BEHIND", 2024, 0.021, "km2", "parcels", "started", "area"),
            year("MET", 2024, 0.015, "km2", "parcels", "started", "area"),
            year("FUTURE", 2025, 0.01, "km2", "parcels", "started", "area"),
            year("CLOSED", 2023, 0.01, "km2", "parcels", "started", "area"),
        ),
    )
    got = by_id(measure_goals(store, as_of=D(2024, 9, 30), crs=CRS))
    on = got["ON"]
    assert (on.period_days, on.elapsed_days) == (366, 274)
    assert on.projection == pytest.approx(0.015 * 366 / 274, rel=1e-12)
    assert on.projection == pytest.approx(0.0200365, rel=1e-5)
    assert (on.on_track, on.status) == (True, "on track")
    assert on.percent == pytest.approx(75.0)
    assert on.remaining == pytest.approx(0.005)
    assert (got["BEHIND"].on_track, got["BEHIND"].status) == (False, "behind")
    assert got["MET"].status == "met" and got["MET"].remaining == 0.0
    assert (got["FUTURE"].status, got["FUTURE"].projection) == ("future", None)
    assert (got["CLOSED"].status, got["CLOSED"].achieved) == ("not met", 0.0)
    assert {r.status for r in got.values()} <= set(STATUSES)


def test_unit_definitions():
    km2, mu, ha, wan_m2 = (parse_unit(u) for u in ("km²", "亩", "公顷", "万m2"))
    assert mu.size == pytest.approx(10_000 / 15, rel=1e-15)
    assert convert(1, ha, mu) == pytest.approx(15.0, rel=1e-12)
    assert convert(1, km2, mu) == pytest.approx(1500.0, rel=1e-12)
    assert convert(1, km2, ha) == pytest.approx(100.0, rel=1e-12)
    assert convert(1, wan_m2, parse_unit("平方米")) == 10_000.0
    assert convert(1, parse_unit("亿元"), parse_unit("万元")) == 10_000.0
    assert convert(1, parse_unit("亿元"), parse_unit("元")) == 100_000_000.0
    with pytest.raises(ValueError, match="cannot convert"):
        convert(1, km2, parse_unit("亿元"))
    assert parse_unit("公里") is None


@pytest.mark.parametrize(
    ("code", "spelling"),
    [(code, s) for code, spellings in _spellings()["aliases"].items() for s in spellings],
)
def test_every_unit_spelling_parses_to_its_unit(code, spelling):
    assert parse_unit(spelling).code == code
    assert parse_unit(f" {spelling.upper()} ").code == code


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (year("G", 2024, 1, "公里", "parcels", "started", "area"), "unknown unit '公里'"),
        (year("G", 2024, 1, "亿元", "parcels", "started", "area"), "a money unit '亿元'"),
        (year("G", 2024, 1, "km2", "parcels", "started", "volume"), "unknown measure 'volume'"),
        (year("G", 2024, 1, "km2", "lakes", "started", "area"), "unknown layer kind 'lakes'"),
        (year("G", 2024, 1, "km2", "parcels", "", "area"), "no stage"),
        (year("G", 2024, 1, "km2", "parcels", "finished", "area"), "unknown stage 'finished'"),
        (year("G", 2024, 1, "m2", "parcels", "started", "sum:height"), "no field 'height'"),
        (("G", "2024-12-31", "2024-01-01", 1, "km2", "parcels", "started", "area"), "ends"),
    ],
)
def test_a_goal_that_cannot_be_measured_says_which_and_why(row, message, store_of):
    store = store_of(parcels=SQUARES, goals=goals(row))
    with pytest.raises(GoalError, match=message) as info:
        measure_goals(store, as_of=D(2024, 9, 30), crs=CRS)
    assert "goal 'G' (goals.csv row 2)" in str(info.value)


def test_empty_fields_of_counted_features_warn(store_of):
    factories = gpd.GeoDataFrame(
        {"id": ["F1"], "floor_area_m2": [None]}, geometry=[shapely.box(0, 0, 1, 1)], crs=CRS
    )
    recs = records([("factories", "F1", "2024-01-05", "completed", "")])
    store = store_of(
        factories=factories,
        progress=recs,
        goals=goals(year("G", 2024, 1, "万m2", "factories", "completed", "sum:floor_area_m2")),
    )
    with pytest.warns(GoalWarning, match="floor_area_m2 is empty for F1"):
        (result,) = measure_goals(store, as_of=D(2024, 9, 30), crs=CRS)
    assert result.achieved == 0.0 and "F1" in result.warnings[0]


# ------------------------------------------------------------------ geodesic cross-check


def test_geodesic_area_of_a_100_m_square():
    square = shapely.box(X0, Y0, X0 + 100, Y0 + 100)
    assert geodesic_area(square, CRS) == pytest.approx(10_000.0, rel=1e-4)


def test_geodesic_agrees_within_0_1_percent_on_a_real_polygon_in_its_gk_zone(store_of):
    # Heilongjiang's real boundary (geotools sample data), the part inside GK zone 42
    # (124.5°E-127.5°E, central meridian 126°E = EPSG:4551), a polygon ~300 km wide
    path = realdata("encodings", "chinese_poly.shp")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GBK text without .cpg
        province = pyogrio.read_dataframe(path, columns=[])
    strip = shapely.box(124.5, 40.0, 127.5, 60.0)
    lonlat = province.geometry.iloc[0].intersection(strip)
    gk = gpd.GeoSeries([lonlat], crs="EPSG:4490").to_crs("EPSG:4551").iloc[0]
    assert gk.area > 50_000e6  # a real province-sized polygon, not a toy
    geodesic = geodesic_area(gk, "EPSG:4551")
    assert abs(gk.area - geodesic) / geodesic < 0.001
    # and measure_goals finds no reason to warn on it
    layer = gpd.GeoDataFrame(
        {"id": ["HLJ"], "started_on": ["2024-05-01"]}, geometry=[gk], crs="EPSG:4551"
    )
    store = store_of(
        parcels=layer, goals=goals(year("G", 2024, 1, "km2", "parcels", "started", "area"))
    )
    (result,) = measure_goals(store, as_of=D(2024, 9, 30), crs="EPSG:4551")
    assert result.achieved == pytest.approx(gk.area / 1e6) and result.warnings == ()


def test_a_working_crs_far_from_the_park_warns(store_of):
    # a 1 km square ~3° east of EPSG:4544's central meridian (~290 km): GK scale ≈ 1.001,
    # so the planar area is ~0.2 % too large
    to_gk = Transformer.from_crs("EPSG:4490", CRS, always_xy=True)
    x, y = to_gk.transform(108.0, 31.0)
    layer = gpd.GeoDataFrame(
        {"id": ["FAR"], "started_on": ["2024-05-01"]},
        geometry=[shapely.box(x, y, x + 1000, y + 1000)],
        crs=CRS,
    )
    store = store_of(
        parcels=layer, goals=goals(year("G", 2024, 1, "km2", "parcels", "started", "area"))
    )
    with pytest.warns(GoalWarning, match="differs from the geodesic GRS80 area") as caught:
        (result,) = measure_goals(store, as_of=D(2024, 9, 30), crs=CRS)
    assert issubclass(caught[0].category, ParkGeoWarning)
    assert result.achieved == pytest.approx(1.0)  # the planar figure is still reported
    assert len(result.warnings) == 1 and "EPSG:4544" in result.warnings[0]
    geodesic = geodesic_area(layer.geometry.iloc[0], CRS)
    assert 0.001 < 1e6 / geodesic - 1 < 0.003


# ------------------------------------------------------------------------------- CLI

GOALS_CSV = """编号,指标,指标英文,起始日期,截止日期,目标值,单位,统计图层,达成阶段,统计方式
G1,新开发建设园区面积,Newly developed park area,2023-01-01,2023-12-31,100,亩,parcels,allocated,area
G2,新开发建设园区面积,Newly developed park area,2024-01-01,2024-12-31,100,亩,parcels,allocated,area
G3,工业总产值,Industrial output,2024-01-01,2024-12-31,200,亿元,,,
"""
GOALS_SPEC = """
[goals]
source = "layers/goals.csv"
[goals.fields]
"编号" = "id"
"指标" = "metric_zh"
"指标英文" = "metric_en"
"起始日期" = "period_start"
"截止日期" = "period_end"
"目标值" = "target"
"单位" = "unit"
"统计图层" = "layer"
"达成阶段" = "stage"
"统计方式" = "measure"
"""


def with_goals(park, text=GOALS_CSV):
    (park / "layers" / "goals.csv").write_text(text, encoding="utf-8")
    with open(park / "park.toml", "a", encoding="utf-8") as f:
        f.write(GOALS_SPEC)
    return park


def test_cli_status_json_lists_the_goals(park, runner):
    # conftest's parcels: P1 (30 亩) allocated 2023-03-01, P2 (45 亩) 2023-05-06,
    # P4 (15 亩) 2022-12-01, P3 never: 75 亩 allocated in 2023, none in 2024
    with_goals(park)
    assert runner.invoke(cli, ["import", "-p", str(park)]).exit_code == 0
    result = runner.invoke(cli, ["status", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    got = {g["id"]: g for g in json.loads(result.stdout)["goals"]}
    assert list(got) == ["G1", "G2", "G3"]
    assert got["G1"]["achieved"] == pytest.approx(75.0)
    assert got["G1"]["achieved_m2"] == pytest.approx(50_000.0)
    assert (got["G1"]["status"], got["G1"]["percent"]) == ("not met", pytest.approx(75.0))
    assert got["G2"]["achieved"] == 0.0 and got["G2"]["status"] == "behind"
    assert got["G2"]["projection"] == 0.0 and got["G2"]["achieved_to_date"] == pytest.approx(90)
    assert got["G3"]["status"] == "no data" and got["G3"]["achieved"] is None
    table = runner.invoke(cli, ["status", "-p", str(park)])
    assert table.exit_code == 0
    assert "goals vs actual" in table.output and "G3" in table.output
    assert "no data" in table.output


def test_cli_status_chart_writes_a_png(park, runner, tmp_path):
    with_goals(park)
    runner.invoke(cli, ["import", "-p", str(park)])
    out = tmp_path / "charts" / "goals.png"
    result = runner.invoke(cli, ["status", "-p", str(park), "--json", "--chart", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    json.loads(result.stdout)  # the chart's path goes to stderr, not into the JSON


@pytest.mark.parametrize(
    ("old", "new", "row", "message"),
    [
        (",100,亩,", ",100,公里,", "goal 'G1' (goals.csv row 2)", "unknown unit '公里'"),
        ("2024-01-01,2024-12-31,100", "2024-01-01,2204-12-31,100", "goal 'G2' (goals.csv row 3)",
         "year 2204, outside 1990–2100"),
        ("2023-01-01,2023-12-31", "2023-01-01,2022-12-31", "goal 'G1' (goals.csv row 2)",
         r"ends \(2022-12-31\) before it starts"),
        (",allocated,area\nG2", ",allocated,volume\nG2", "goal 'G1' (goals.csv row 2)",
         "unknown measure 'volume'"),
    ],
)  # fmt: skip
def test_cli_import_refuses_a_bad_goal_with_file_and_row(park, runner, old, new, row, message):
    with_goals(park)
    assert runner.invoke(cli, ["import", "-p", str(park)]).exit_code == 0
    before = json.loads(runner.invoke(cli, ["status", "-p", str(park), "--json"]).stdout)
    assert old in GOALS_CSV
    (park / "layers" / "goals.csv").write_text(GOALS_CSV.replace(old, new, 1), encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2, result.output
    assert "goals.csv" in result.output and row in result.output
    assert re.search(message, " ".join(result.output.split()))
    assert "Traceback" not in result.output
    # the store keeps the goals of the last good import
    after = runner.invoke(cli, ["status", "-p", str(park), "--json"])
    assert after.exit_code == 0 and json.loads(after.stdout)["goals"] == before["goals"]


# ------------------------------------------------------------------------- demo park

# The seed's goals (DOMAIN.md "Goals stated in the seed"), by hand: metric → unit and the
# target for 2023, 2024 and 2028. Output value, 10亿级 enterprises and the industry share
# are measured from the demo's economy table (layers/economy.csv).
SEED = {
    "新开发建设园区面积": ("km2", (1, 2, 2)),
    "新建标准厂房面积": ("万m2", (20, 30, 50)),
    "新建安置房面积": ("万m2", (18, 10, 12)),
    "招引项目": ("个", (10, 15, 15)),
    "签约投资": ("亿元", (50, 70, 70)),
    "工业总产值": ("亿元", (200, 280, 800)),
    "新增10亿级企业": ("个", (1, 8, 5)),
    "主导特色产业产值占比": ("%", (65, 73, 80)),
}


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo-goals")
    manifest, store = demo_project(folder, today=D(2024, 9, 30))
    return folder, manifest, store


def test_demo_goals_are_the_seed_table(demo_store):
    _, manifest, store = demo_store
    results = measure_goals(store, as_of=manifest.as_of, crs=manifest.crs)
    got = {}
    for r in results:
        assert r.period_start == D(r.period_start.year, 1, 1)
        assert r.period_end == D(r.period_start.year, 12, 31)
        unit, targets = got.setdefault(r.metric_zh, (r.unit, {}))
        assert r.unit == unit
        targets[r.period_start.year] = r.target
        assert r.status != "no data", r.id
    expected = {m: (u, dict(zip((2023, 2024, 2028), t, strict=True))) for m, (u, t) in SEED.items()}
    assert got == expected
    assert len(results) == 24


def test_demo_economic_goals_from_the_economy_csv(demo_store):
    folder, manifest, store = demo_store
    with open(folder / "layers" / "economy.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    def output(year):
        return [float(r["工业总产值(万元)"]) for r in rows if r["年度"] == str(year)]

    def leading(year):
        return sum(
            float(r["工业总产值(万元)"])
            for r in rows
            if r["年度"] == str(year) and r["主导特色产业"] == "是"
        )

    results = by_id(measure_goals(store, as_of=manifest.as_of, crs=manifest.crs))
    assert results["G2024-06"].achieved == pytest.approx(53.93)  # the seed's 1–8月 figure
    assert results["G2023-06"].achieved == pytest.approx(sum(output(2023)) / 1e4)
    assert results["G2023-07"].achieved == 1.0  # X县规上企业01 passes 10亿元 in 2023
    assert results["G2024-07"].achieved == 0.0
    share = leading(2023) / sum(output(2023)) * 100
    assert results["G2023-08"].achieved == pytest.approx(share)


def test_demo_developed_area_is_the_union_of_parcels_started_in_the_year(demo_store):
    folder, manifest, store = demo_store
    frame = pyogrio.read_dataframe(folder / "layers" / "parcels.geojson")
    started = frame["实际开工日期"].fillna("")
    in_2023 = frame[(started >= "2023-01-01") & (started <= "2023-12-31")]
    union_km2 = shapely.union_all(in_2023.to_crs(CRS).geometry.to_numpy()).area / 1e6
    results = by_id(measure_goals(store, as_of=manifest.as_of, crs=manifest.crs))
    g = results["G2023-01"]
    assert g.achieved == pytest.approx(union_km2, rel=1e-9)
    assert g.warnings == ()
    assert sorted(g.feature_ids) == sorted(in_2023["地块编号"])
