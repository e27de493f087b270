"""Road progress by chainage: done lengths by hand, painting order, rules, geometries, CLI.

The fixture project has five straight (or nearly straight) roads drawn in EPSG:4544, so
every expected length is a difference of chainages:

- R1 一号路: 1000 m, K0+000–K1+000; clean (trips no rule).
- R2 二号路: drawn 1204.6 m, design 1200 m (the seed's road, scaled within 2 %); clean.
- R3 滨河路: 800 m starting at K3+200; 路基 reported done over the whole road, then
  K3+400–K3+500 reported under way again: ``gap_in_complete_item``.
- R4 断链路: 1000 m with the long chain K0+600=K0+580 (20 m), so it ends at K0+980;
  路面 under way K0+500–K0+800 over 路基 done only K0+500–K0+700:
  ``pavement_ahead_of_subgrade``.
- R5 冲突路: 500 m drawn, 600 m design (beyond the 2 % tolerance): ``length_mismatch``;
  two 绿化 records on one day overlapping K0+200–K0+300: ``conflicting_records``.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import textwrap

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.roads import (
    RULES,
    chainage_ticks,
    road_state,
    roads_json,
    roads_status,
    section_geometries,
)
from geo.cli import cli
from geo.domain.linref import Centerline, road_centerlines
from geo.domain.tables import vocabulary, work_items
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import X0, Y0, demo_project, write_layer

D = dt.date
AS_OF = D(2024, 9, 30)
GK = "EPSG:4544"

ROADS = [
    # id, name, start chainage, design length, chain breaks, vertices (metres from X0, Y0)
    ("R1", "一号路", "K0+000", None, "", [(0, 0), (1000, 0)]),
    ("R2", "二号路", "K0+000", 1200.0, "", [(0, 100), (600, 100), (1204.6, 100)]),
    ("R3", "滨河路", "K3+200", None, "", [(0, 200), (800, 200)]),
    ("R4", "断链路", "K0+000", None, "K0+600=K0+580", [(0, 300), (1000, 300)]),
    ("R5", "冲突路", "K0+000", 600.0, "", [(0, 400), (500, 400)]),
]

HEADERS = [
    "道路编号",
    "分项",
    "起点桩号",
    "终点桩号",
    "阶段",
    "完成比例(%)",
    "日期",
    "标段",
    "备注",
]
RECORDS = [
    # R1: clean. Pipes under way on K0+000–K0+600, then done on K0+200–K0+400 only.
    ["R1", "路基", "K0+000", "K1+000", "已完成", "100", "2024-01-10", "一标段", ""],
    ["R1", "管网", "K0+000", "K0+600", "施工中", "30", "2024-02-01", "一标段", ""],
    ["R1", "路面", "0", "500米", "已完成", "100", "2024-03-01", "一标段", ""],
    ["R1", "管网", "0+200", "K0+400.00", "已完成", "100", "2024-04-01", "二标段", ""],
    # R2: the seed's 二号路0-500米段.
    ["R2", "路基", "K0+000", "K0+500", "已完成", "100", "2023-11-20", "二号路0-500米段", ""],
    ["R2", "路面", "K0+000", "K0+300", "", "100", "2024-08-16", "二号路0-500米段", ""],
    # R3: whole road done, then a stretch reopened.
    ["R3", "路基", "K3+200", "K4+000", "已完成", "100", "2024-01-01", "滨河路", ""],
    ["R3", "路基", "K3+500", "K3+400", "施工中", "50", "2024-05-01", "滨河路", "返工"],
    # R4: pavement runs 100 m past the subgrade.
    ["R4", "路基", "K0+500", "K0+700", "已完成", "100", "2024-02-01", "", ""],
    ["R4", "路面", "K0+500", "K0+800", "施工中", "20", "2024-06-01", "", ""],
    # R5: two reports of one day disagree on K0+200–K0+300.
    ["R5", "绿化", "K0+000", "K0+300", "已完成", "100", "2024-06-01", "", ""],
    ["R5", "绿化", "K0+200", "K0+500", "施工中", "40", "2024-06-01", "", ""],
]

MANIFEST = textwrap.dedent("""\
    [park]
    name = "道路测试园区"
    as_of = 2024-09-30
    crs = "EPSG:4544"

    [roads]
    scale_tolerance = 0.02

    [layers.roads]
    kind = "roads"
    source = "layers/roads.geojson"
    id = "道路编号"
    crs = "EPSG:4544"
    [layers.roads.fields]
    "道路名称" = "name"
    "起点桩号" = "start_chainage"
    "设计长度(米)" = "design_length_m"
    "断链" = "chain_breaks"

    [progress.roads]
    source = "layers/road_progress.csv"
    kind = "roads"
    [progress.roads.fields]
    "道路编号" = "feature_id"
    "分项" = "item"
    "起点桩号" = "chainage_from"
    "终点桩号" = "chainage_to"
    "阶段" = "stage"
    "完成比例(%)" = "percent"
    "日期" = "date"
    "标段" = "contract_section"
    "备注" = "note"
    """)


def roads_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "道路编号": [r[0] for r in ROADS],
            "道路名称": [r[1] for r in ROADS],
            "起点桩号": [r[2] for r in ROADS],
            "设计长度(米)": [r[3] for r in ROADS],
            "断链": [r[4] for r in ROADS],
        },
        geometry=[shapely.LineString([(X0 + x, Y0 + y) for x, y in r[5]]) for r in ROADS],
        crs=GK,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """The fixture project, imported through `parkgeo import` into a real GeoPackage."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("roads")
    write_layer(roads_frame(), root / "layers" / "roads", fmt="geojson")
    pd.DataFrame(RECORDS, columns=HEADERS).to_csv(
        root / "layers" / "road_progress.csv", index=False, encoding="utf-8"
    )
    (root / "park.toml").write_text(MANIFEST, encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", "-p", str(root)])
    assert result.exit_code == 0, result.output
    return root


def state(project, as_of=AS_OF, road=None):
    manifest = load_manifest(project)
    return roads_status(open_store(manifest), manifest, as_of=as_of, road=road)


def centerlines(project):
    manifest = load_manifest(project)
    return road_centerlines(
        open_store(manifest).read_kind("roads"), scale_tolerance=manifest.road_scale_tolerance
    )


def sections(road, item):
    return [(s["from"], s["to"], s["stage"]) for s in road.sections if s["item"] == item]


# ---------------------------------------------------------------------------- by hand


def test_done_length_and_percent_by_hand(project):
    r1 = state(project).road("R1")
    assert (r1.start, r1.end, r1.start_label, r1.end_label) == (0.0, 1000.0, "K0+000", "K1+000")
    assert r1.length_m == pytest.approx(1000.0, abs=1e-6)
    assert [item.code for item in r1.items] == [item.code for item in work_items()]
    # 路面 done on K0+000–K0+500 of a 1000 m road
    assert r1.item("pavement").done_m == pytest.approx(500.0, abs=1e-6)
    assert r1.item("pavement").percent == pytest.approx(50.0, abs=1e-6)
    assert r1.item("subgrade").done_m == pytest.approx(1000.0, abs=1e-6)
    assert r1.item("greening").done_m == 0.0 and r1.item("greening").percent == 0.0
    assert r1.contract_sections == ("一标段", "二标段")


def test_later_record_overrides_an_earlier_one_on_part_of_its_interval(project):
    r1 = state(project).road("R1")
    # 管网 K0+000–K0+600 under way (02-01), then K0+200–K0+400 done (04-01)
    assert sections(r1, "pipes") == [
        ("K0+000", "K0+200", "in_progress"),
        ("K0+200", "K0+400", "done"),
        ("K0+400", "K0+600", "in_progress"),
    ]
    assert r1.item("pipes").done_m == pytest.approx(200.0, abs=1e-6)
    middle = next(s for s in r1.sections if s["item"] == "pipes" and s["stage"] == "done")
    assert (middle["date"], middle["percent"], middle["contract_section"]) == (
        "2024-04-01",
        100.0,
        "二标段",
    )
    assert (middle["stage_zh"], middle["stage_en"], middle["item_zh"]) == ("已完成", "Done", "管网")
    assert middle["length_m"] == pytest.approx(200.0, abs=1e-6)


def test_as_of_boundary_counts_records_of_that_day_only(project):
    day_before = state(project, as_of=D(2024, 3, 31)).road("R1")
    assert day_before.item("pipes").done_m == 0.0
    assert day_before.item("pavement").done_m == pytest.approx(500.0)  # reported 03-01
    on_the_day = state(project, as_of=D(2024, 4, 1)).road("R1")
    assert on_the_day.item("pipes").done_m == pytest.approx(200.0)
    before_everything = state(project, as_of=D(2023, 1, 1))
    assert all(item.done_m == 0.0 for road in before_everything.roads for item in road.items)
    assert all(not road.sections for road in before_everything.roads)
    assert {f["rule"] for f in before_everything.findings} == {"length_mismatch"}


@pytest.mark.parametrize("item", work_items(), ids=lambda item: item.code)
def test_every_work_item_is_measured(item):
    line = Centerline.from_geometry(shapely.LineString([(0, 0), (1000, 0)]), crs=GK, road_id="A")
    records = frame([("A", item.code, 0, 250, "done", 100.0, "2024-01-01")])
    road = road_state(
        pd.DataFrame({"id": ["A"], "name": ["甲路"]}), records, as_of=AS_OF, centerlines={"A": line}
    ).road("A")
    for other in road.items:
        expected = 250.0 if other.code == item.code else 0.0
        assert (other.done_m, other.percent) == (expected, expected / 10)


# ---------------------------------------------------------------------------- rules


def test_each_rule_trips_once_and_clean_roads_trip_none(project):
    result = state(project)
    counts = collections.Counter(f["rule"] for f in result.findings)
    assert counts == {
        "gap_in_complete_item": 1,
        "pavement_ahead_of_subgrade": 1,
        "conflicting_records": 1,
        "length_mismatch": 1,
    }
    assert result.road("R1").findings == () and result.road("R2").findings == ()
    got = {f["rule"]: f for f in result.findings}
    gap = got["gap_in_complete_item"]
    assert (gap["road"], gap["item"], gap["from"], gap["to"]) == (
        "R3",
        "subgrade",
        "K3+400",
        "K3+500",
    )
    assert gap["severity"] == "error" and "2024-01-01" in gap["message_en"]
    assert "全线完成" in gap["message_zh"]
    ahead = got["pavement_ahead_of_subgrade"]
    assert (ahead["road"], ahead["item"], ahead["from"], ahead["to"]) == (
        "R4",
        "pavement",
        "K0+700",
        "K0+800",
    )
    assert ahead["from_m"] == 700.0 and ahead["to_m"] == 800.0
    assert "路基" in ahead["message_zh"] and "subgrade" in ahead["message_en"]
    conflict = got["conflicting_records"]
    assert (conflict["road"], conflict["item"], conflict["from"], conflict["to"]) == (
        "R5",
        "greening",
        "K0+200",
        "K0+300",
    )
    assert "road_progress.csv row 12" in conflict["message_en"]
    assert "road_progress.csv row 13" in conflict["message_en"]
    mismatch = got["length_mismatch"]
    assert (mismatch["road"], mismatch["severity"], mismatch["item"]) == ("R5", "warning", None)
    assert "600.00" in mismatch["message_en"] and "-100.00" in mismatch["message_zh"]
    assert result.has_errors
    assert {f["severity"] for f in result.findings} <= {rule.severity for rule in RULES.values()}


def test_the_later_row_of_a_conflicting_day_wins(project):
    r5 = state(project).road("R5")
    assert sections(r5, "greening") == [
        ("K0+000", "K0+200", "done"),
        ("K0+200", "K0+500", "in_progress"),
    ]
    assert r5.item("greening").done_m == pytest.approx(200.0)


def test_pipes_follow_the_after_column_too():
    line = Centerline.from_geometry(shapely.LineString([(0, 0), (600, 0)]), crs=GK, road_id="A")
    records = frame(
        [
            ("A", "subgrade", 0, 300, "in_progress", 60.0, "2024-01-01"),
            ("A", "pipes", 100, 200, "in_progress", 10.0, "2024-02-01"),
            ("A", "greening", 0, 600, "in_progress", 10.0, "2024-02-01"),  # after = "" in table
        ]
    )
    result = road_state(
        pd.DataFrame({"id": ["A"], "name": ["甲路"]}), records, as_of=AS_OF, centerlines={"A": line}
    )
    assert [(f["rule"], f["item"], f["from"], f["to"]) for f in result.findings] == [
        ("pavement_ahead_of_subgrade", "pipes", "K0+100", "K0+200")
    ]


def test_a_record_no_longer_on_its_road_is_reported_not_crashed_on():
    line = Centerline.from_geometry(shapely.LineString([(0, 0), (400, 0)]), crs=GK, road_id="A")
    records = frame([("A", "subgrade", 300, 500, "done", 100.0, "2024-01-01")])
    result = road_state(
        pd.DataFrame({"id": ["A"], "name": ["甲路"]}), records, as_of=AS_OF, centerlines={"A": line}
    )
    assert [f["rule"] for f in result.findings] == ["record_off_road"]
    assert "K0+500" in result.findings[0]["message_en"]
    assert result.road("A").item("subgrade").done_m == 0.0


# ---------------------------------------------------------------------------- chainage


def test_road_starting_at_k3_200(project):
    r3 = state(project).road("R3")
    assert (r3.start, r3.end, r3.start_label, r3.end_label) == (3200.0, 4000.0, "K3+200", "K4+000")
    assert r3.chainage_length == pytest.approx(800.0)
    # done over the whole 800 m, then K3+400–K3+500 reopened (written backwards in the CSV)
    assert r3.item("subgrade").done_m == pytest.approx(700.0)
    assert r3.item("subgrade").percent == pytest.approx(87.5)
    assert sections(r3, "subgrade") == [
        ("K3+200", "K3+400", "done"),
        ("K3+400", "K3+500", "in_progress"),
        ("K3+500", "K4+000", "done"),
    ]


def test_road_with_a_chain_break(project):
    r4 = state(project).road("R4")
    # 1000 m drawn; K0+600=K0+580 repeats 20 m of stations, so the road ends at K0+980
    assert (r4.end, r4.end_label, r4.chainage_length) == (980.0, "K0+980", 1000.0)
    # K0+500–K0+700 crosses the break: 100 m to K0+600, then K0+580–K0+700 is 120 m more
    assert r4.item("subgrade").done_m == pytest.approx(220.0)
    assert r4.item("subgrade").percent == pytest.approx(22.0)
    lines = section_geometries(state(project, road="R4"), centerlines(project))
    subgrade = lines[lines["item"] == "subgrade"].iloc[0]
    assert subgrade.geometry.length == pytest.approx(220.0, abs=1e-6)
    assert subgrade.geometry.coords[0] == pytest.approx((X0 + 500, Y0 + 300))


# ---------------------------------------------------------------------------- geometries


def test_section_geometries_sum_to_the_done_length(project):
    result = state(project)
    lines = section_geometries(result, centerlines(project))
    assert lines.crs.to_epsg() == 4544
    assert len(lines) == sum(len(road.sections) for road in result.roads)
    colors = {stage.code: stage.color for stage in vocabulary("road")}
    assert (lines["color"] == lines["stage"].map(colors)).all()
    done = lines[lines["stage"] == "done"]
    for road in result.roads:
        if road.id in ("R2", "R5"):  # scaled, or not matching its design length
            continue
        for item in road.items:
            mine = done[(done["road"] == road.id) & (done["item"] == item.code)]
            assert mine.geometry.length.sum() == pytest.approx(item.done_m, abs=1e-6), (
                road.id,
                item.code,
            )
    r1_pavement = lines[(lines["road"] == "R1") & (lines["item"] == "pavement")].iloc[0]
    assert r1_pavement["label"] == "路面 K0+000–K0+500 已完成"
    assert r1_pavement.geometry.length == pytest.approx(500.0, abs=1e-6)


def test_chainage_ticks_every_100_m(project):
    ticks = chainage_ticks(centerlines(project), every=100.0)
    assert ticks.crs.to_epsg() == 4544
    r1 = ticks[ticks["road"] == "R1"]
    assert list(r1["label"]) == [f"K{m // 1000}+{m % 1000:03d}" for m in range(0, 1001, 100)]
    assert list(r1["kind"]) == ["station"] + ["tick"] * 9 + ["station"]
    np.testing.assert_allclose(r1.geometry.x - X0, np.arange(0, 1001, 100), atol=1e-6)
    r3 = ticks[ticks["road"] == "R3"]
    assert list(r3["label"])[:3] == ["K3+200", "K3+300", "K3+400"]
    assert list(r3["label"])[-1] == "K4+000" and len(r3) == 9


def test_seed_road_two_0_to_500_m_section_is_500_m_long(project):
    r2 = state(project, road="二号路").road("R2")
    assert [road.id for road in state(project, road="二号路").roads] == ["R2"]
    section = next(s for s in r2.sections if s["item"] == "subgrade")
    assert (section["from"], section["to"], section["contract_section"]) == (
        "K0+000",
        "K0+500",
        "二号路0-500米段",
    )
    # drawn 1204.6 m for a 1200 m design: the cut is 500 × 1204.6/1200 = 501.92 m
    assert section["length_m"] == pytest.approx(500.0, rel=0.02)
    assert section["length_m"] == pytest.approx(500 * 1204.6 / 1200, abs=1e-6)
    assert r2.item("subgrade").done_m == pytest.approx(500.0, abs=1e-6)
    assert r2.item("subgrade").percent == pytest.approx(500 / 12, abs=1e-9)
    # a percent of 100 without a stage counts as done
    assert r2.item("pavement").done_m == pytest.approx(300.0, abs=1e-6)
    lines = section_geometries(state(project, road="R2"), centerlines(project))
    assert lines.iloc[0].geometry.length == pytest.approx(500.0, rel=0.02)


def test_demo_park_road_two(tmp_path):
    manifest, store = demo_project(tmp_path, today=AS_OF)
    result = roads_status(store, manifest, as_of=AS_OF, road="二号路")
    (road,) = result.roads
    seed = [s for s in road.sections if (s["from_m"], s["to_m"]) == (0.0, 500.0)]
    assert seed, road.sections
    for section in seed:
        assert section["length_m"] == pytest.approx(500.0, rel=0.02)


# ---------------------------------------------------------------------------- JSON, CLI


def test_json_shape(project):
    data = roads_json(state(project))
    assert set(data) == {"as_of", "roads", "findings"} and data["as_of"] == "2024-09-30"
    r1 = data["roads"][0]
    assert set(r1) == {"id", "name", "start", "end", "length_m", "items", "sections", "stretches"}
    assert list(r1["items"]) == [item.zh for item in work_items()]
    assert r1["items"]["路面"] == {"code": "pavement", "done_m": 500.0, "percent": 50.0}
    json.dumps(data, allow_nan=False)  # JSON-clean: no NaN


def test_cli_json_and_exit_codes(project, runner):
    result = runner.invoke(cli, ["roads", "-p", str(project), "--json"])
    assert result.exit_code == 1, result.output  # error findings
    data = json.loads(result.stdout)
    assert [road["id"] for road in data["roads"]] == ["R1", "R2", "R3", "R4", "R5"]
    assert len(data["findings"]) == 4
    clean = runner.invoke(cli, ["roads", "-p", str(project), "--road", "一号路", "--json"])
    assert clean.exit_code == 0, clean.output
    assert json.loads(clean.stdout)["roads"][0]["items"]["路面"]["done_m"] == 500.0
    warning_only = runner.invoke(
        cli, ["roads", "-p", str(project), "--road", "R5", "--as-of", "2024-05-31"]
    )
    assert warning_only.exit_code == 0, warning_only.output  # length_mismatch is a warning
    unknown = runner.invoke(cli, ["roads", "-p", str(project), "--road", "九号路"])
    assert unknown.exit_code == 2
    assert "九号路" in unknown.output and "R1 一号路" in unknown.output
    assert "Traceback" not in unknown.output


def test_cli_table(project, runner):
    result = runner.invoke(cli, ["roads", "-p", str(project), "--road", "R3"])
    assert result.exit_code == 1
    assert "K3+200–K4+000" in result.output and "800.0 m" in result.output
    assert "路基 (subgrade)" in result.output and "87.5" in result.output
    assert "gap_in_complete_item" in result.output
    assert "Example:" in runner.invoke(cli, ["roads", "--help"]).output


def test_cli_prints_every_stretch_by_chainage_unrecorded_as_not_started(project, runner):
    # R1 管网: under way K0+000–K0+600, then done K0+200–K0+400; nothing beyond K0+600
    result = runner.invoke(cli, ["roads", "-p", str(project), "--road", "R1"])
    lines = [line for line in result.output.splitlines() if "K0+" in line]
    pipes = lines[next(i for i, line in enumerate(lines) if "管网" in line) :][:4]
    stretches = [re.search(r"(K\S+–K\S+ \S+)\s*│\s*$", line).group(1) for line in pipes]
    assert stretches == [
        "K0+000–K0+200 施工中",
        "K0+200–K0+400 已完成",
        "K0+400–K0+600 施工中",
        "K0+600–K1+000 未开工",
    ]


def test_stretches_cover_every_item_of_every_road(project, runner):
    data = json.loads(runner.invoke(cli, ["roads", "-p", str(project), "--json"]).stdout)
    r2 = data["roads"][1]
    pavement = [
        (s["from"], s["to"], s["stage"]) for s in r2["stretches"] if s["item"] == "pavement"
    ]
    # the seed's 二号路: pavement done K0+000–K0+300 only; the rest has no record
    assert pavement == [("K0+000", "K0+300", "done"), ("K0+300", "K1+200", "not_started")]
    greening = [s for s in r2["stretches"] if s["item"] == "greening"]
    assert [(s["from"], s["to"], s["recorded"]) for s in greening] == [("K0+000", "K1+200", False)]
    for road in data["roads"]:
        for item in work_items():
            own = [s for s in road["stretches"] if s["item"] == item.code]
            assert own[0]["from_m"] == pytest.approx(road["start"], abs=1e-6)
            assert own[-1]["to_m"] == pytest.approx(road["end"], abs=1e-6)
            # drawn lengths of the stretches add up to the drawn road
            assert sum(s["length_m"] for s in own) == pytest.approx(road["length_m"], abs=1e-6)


# ---------------------------------------------------------------------------- invariant


def frame(rows) -> pd.DataFrame:
    """Stored-style road records: (road, item, from m, to m, stage, percent, date)."""
    out = pd.DataFrame(
        rows, columns=["feature_id", "item", "from_m", "to_m", "stage", "percent", "date"]
    )
    out.insert(0, "kind", "roads")
    out["contract_section"] = None
    out["note"] = ""
    out["seq"] = range(len(out))
    return out


@st.composite
def histories(draw):
    n = draw(st.integers(1, 10))
    rows = []
    for _ in range(n):
        a, b = sorted(draw(st.lists(st.integers(0, 100), min_size=2, max_size=2, unique=True)))
        stage = draw(st.sampled_from(["not_started", "in_progress", "done"]))
        day = draw(st.integers(1, 5))
        rows.append(("A", "pavement", a * 10.0, b * 10.0, stage, None, f"2024-01-0{day}"))
    return rows


@settings(max_examples=80, deadline=None)
@given(histories(), st.integers(1, 5))
def test_painting_matches_a_metre_grid(rows, last_day):
    """done_m equals painting 10 m cells record by record in (date, seq) order."""
    line = Centerline.from_geometry(shapely.LineString([(0, 0), (1000, 0)]), crs=GK, road_id="A")
    records = frame(rows)
    result = road_state(
        pd.DataFrame({"id": ["A"], "name": ["甲路"]}),
        records,
        as_of=D(2024, 1, last_day),
        centerlines={"A": line},
    )
    cells = ["none"] * 100
    ordered = sorted(
        (r for r in records.to_dict("records") if r["date"] <= f"2024-01-0{last_day}"),
        key=lambda r: (r["date"], r["seq"]),
    )
    for rec in ordered:
        for i in range(int(rec["from_m"] // 10), int(rec["to_m"] // 10)):
            cells[i] = rec["stage"]
    road = result.road("A")
    assert road.item("pavement").done_m == pytest.approx(10.0 * cells.count("done"), abs=1e-6)
    covered = sum(s["length_m"] for s in road.sections)
    assert covered == pytest.approx(10.0 * (100 - cells.count("none")), abs=1e-6)


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_road_rule_of_the_table_is_complete(rule_id):
    import re

    rule = RULES[rule_id]
    assert rule.id == rule_id and rule.severity in ("error", "warning")
    assert re.search(r"[\u4e00-\u9fff]", rule.zh) and rule.en
    assert not re.search(r"[\u4e00-\u9fff]", rule.en)
