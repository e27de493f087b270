"""Land-bureau checks: one fixture tripping every rule once, a clean one, hand-computed values.

Layout of the flawed park (metres from X0, Y0 of conftest, EPSG:4544; 100 m × 100 m = 15 亩):

    zones Z1 = [0, 1000] × [0, 500], Z2 = [1000, 1500] × [0, 500]; the park is their union
    P01 [10,110]×[10,110] and P02 [107,207]×[10,110] overlap by 3 m × 100 m = 300 m² = 0.45 亩
    P03 [10,110]×[120,220] and P04 [111,211]×[120,220] leave a 1 m × 100 m gap
    P05 [1450,1550]×[400,480] sticks 50 m × 80 m = 4000 m² out of the park
    P06 [950,1050]×[300,400] (zone Z1) reaches 50 m × 100 m = 5000 m² into Z2
    P07 0601 industrial land carries housing H01; P08 has the unknown land use 0699
    P09 is named by two projects; P10 is allocated with no project; P11 declares 16 亩 for 15
    P12 agreed start 2023-09-29, not started on 2024-09-30: idle 1 year + 1 day (fee)
    P13 agreed start 2022-09-29, not started: idle 2 years + 1 day (may be reclaimed)
    P14 started 2021, last progress 2023-06-01 at 20 %: stalled a year with under 1/3 built
    P15 [540,640]×[300,400] (15 亩, completed, industry C13) misses every control indicator:
        F05 (1600 m², 3200 m² floor) → 容积率 0.32 < 1.0, 建筑系数 16 % < 30 %;
        admin 1000 m² → 10 % > 7 %; green 2500 m² → 25 % > 20 %;
        XM14 0.3 亿元 = 3000 万元 / 15 亩 = 200 万元/亩 < its contract's 300
    F02 reaches 13 m × 40 m = 520 m² out of P02; F03 is under way on P03, which is not allocated
    2023 allocations (P01, P02) are 30 亩 against a 2023 quota of 20 亩
    XM08 names no parcel, XM09 names P99, which does not exist
    F04 (a line) and H02 (a self-crossing polygon) are written into park.gpkg after the import,
    as an edit in a GIS would: the importer refuses both.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.analysis.checks import base as checks_base
from geo.analysis.checks import (
    check_thresholds,
    findings_frame,
    land_use_table,
    lookup_land_use,
    registered_rules,
    rule_table,
    run_checks,
)
from geo.analysis.checks.base import message, message_table
from geo.analysis.checks.context import add_years
from geo.cli import cli
from geo.domain.tables import kinds
from geo.errors import ManifestError, StoreError
from geo.ingest.importer import import_project
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import PROGRESS_SPEC, X0, Y0, demo_project, sha

AS_OF = dt.date(2024, 9, 30)
CRS = "EPSG:4544"
MU = 10000 / 15


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


DONE = {
    "allocated_on": "2022-03-01",
    "agreed_start_on": "2022-06-01",
    "started_on": "2022-05-01",
    "completed_on": "2023-05-01",
    "declared_area_mu": 15.0,
}
DONE_2023 = {**DONE, "allocated_on": "2023-01-10", "completed_on": "2024-01-10"}

FLAWED_PARCELS = [
    ("P01", (10, 10, 110, 110), "Z1", "0601", DONE_2023),
    ("P02", (107, 10, 207, 110), "Z1", "0601", {**DONE_2023, "allocated_on": "2023-02-01"}),
    ("P03", (10, 120, 110, 220), "Z1", "0601", {}),
    ("P04", (111, 120, 211, 220), "Z1", "0601", {}),
    ("P05", (1450, 400, 1550, 480), "Z2", "0601", {}),
    ("P06", (950, 300, 1050, 400), "Z1", "0601", {}),
    ("P07", (300, 10, 400, 110), "Z1", "0601", DONE),
    ("P08", (1100, 10, 1200, 110), "Z2", "0699", {}),
    ("P09", (420, 10, 520, 110), "Z1", "0601", DONE),
    ("P10", (540, 10, 640, 110), "Z1", "0601", DONE),
    ("P11", (660, 10, 760, 110), "Z1", "0601", {**DONE, "declared_area_mu": 16.0}),
    (
        "P12",
        (780, 10, 880, 110),
        "Z1",
        "0601",
        {
            "allocated_on": "2022-06-01",
            "agreed_start_on": "2023-09-29",
            "declared_area_mu": 15.0,
            "land_price_wan": 300.0,
        },
    ),
    (
        "P13",
        (300, 300, 400, 400),
        "Z1",
        "0601",
        {"allocated_on": "2022-01-05", "agreed_start_on": "2022-09-29", "declared_area_mu": 15.0},
    ),
    (
        "P14",
        (420, 300, 520, 400),
        "Z1",
        "0601",
        {
            "allocated_on": "2021-03-01",
            "agreed_start_on": "2021-09-01",
            "started_on": "2021-08-01",
            "declared_area_mu": 15.0,
        },
    ),
]
INTENSITY = {
    "industry_code": "C13",
    "admin_area_m2": 1000.0,
    "green_area_m2": 2500.0,
    "contract_investment_wan_per_mu": 300.0,
}
FLAWED_PARCELS.append(("P15", (540, 300, 640, 400), "Z1", "0601", {**DONE, **INTENSITY}))
FLAWED_FACTORIES = [
    ("F01", (20, 20, 60, 60), "P01"),
    ("F02", (150, 50, 220, 90), "P02"),
    ("F03", (20, 130, 60, 170), "P03"),
    ("F05", (550, 310, 590, 350), "P15"),
]
FLAWED_HOUSING = [("H01", (320, 20, 380, 80), "P07")]
FLAWED_PROJECTS = [
    ("XM01", "臻秦食品", "健康食品", 3.0, "P01"),
    ("XM02", "鑫鸣灏鞋服", "纺织鞋服", 4.2, "P02"),
    ("XM05", "园区安置房", "园区配套", 2.0, "P07"),
    ("XM06", "亿鸿展盛", "新能源电池", 5.5, "P09"),
    ("XM07", "杭起华盛", "装备制造", 3.6, "P09"),
    ("XM08", "穆丹食品", "健康食品", 1.0, ""),
    ("XM09", "伟晟环保", "环保设备", 1.2, "P99"),
    ("XM10", "优利克", "新能源电池", 4.6, "P11"),
    ("XM11", "珍有缘二期", "健康食品", 1.5, "P12"),
    ("XM12", "志远印务", "包装印刷", 1.2, "P13"),
    ("XM13", "领旗食品", "健康食品", 3.2, "P14"),
    ("XM14", "秦川粮油", "健康食品", 0.3, "P15"),
]
FLAWED_PROGRESS = [
    ("地块", "P14", "2023-06-01", "已开工", "20", "主体停工"),
    ("标准厂房", "F03", "2024-05-01", "基础", "10", ""),
]

CLEAN_PARCELS = [
    ("C01", (10, 10, 110, 110), "Z1", "0601", DONE),
    ("C02", (110, 10, 210, 110), "Z1", "0601", DONE),  # shares an edge with C01: no gap
    ("C03", (10, 300, 110, 400), "Z1", "0701", DONE),
    ("C04", (1100, 10, 1200, 110), "Z2", "M1", {}),
]
CLEAN_FACTORIES = [("CF1", (20, 20, 60, 60), "C01")]
CLEAN_HOUSING = [("CH1", (20, 310, 60, 350), "C03")]
CLEAN_PROJECTS = [
    ("XM01", "臻秦食品", "健康食品", 3.0, "C01;C02"),
    ("XM02", "五里梁安置房", "园区配套", 3.6, "C03"),
]


def _frame(rows, columns):
    return gpd.GeoDataFrame(
        [dict(zip(columns, r[:-1], strict=True)) for r in rows],
        geometry=[r[-1] for r in rows],
        crs=CRS,
    )


def write_park(folder, *, parcels, factories, housing, projects, progress, extra=""):
    """Write a park project (GeoJSON layers, CSV tables, park.toml) and import it."""
    layers = folder / "layers"
    layers.mkdir(parents=True)
    zones = gpd.GeoDataFrame(
        {"id": ["Z1", "Z2"], "name": ["五里梁片区", "青东X"], "available_area_mu": [600.0, None]},
        geometry=[box(0, 0, 1000, 500), box(1000, 0, 1500, 500)],
        crs=CRS,
    )
    pyogrio.write_dataframe(zones, layers / "zones.geojson", driver="GeoJSON")
    prows = []
    for pid, coords, zone, use, attrs in parcels:
        prows.append({"id": pid, "zone": zone, "land_use": use, **attrs, "geometry": box(*coords)})
    cols = ["id", "zone", "land_use", "declared_area_mu", "allocated_on", "agreed_start_on"]
    cols += ["started_on", "completed_on", "land_price_wan", *INTENSITY, "geometry"]
    pgdf = gpd.GeoDataFrame(pd.DataFrame(prows).reindex(columns=cols), geometry="geometry", crs=CRS)
    pyogrio.write_dataframe(pgdf, layers / "parcels.geojson", driver="GeoJSON")
    written = ["zones", "parcels"]
    for name, rows in (("factories", factories), ("housing", housing)):
        if not rows:
            continue  # the importer refuses an empty layer: leave it out
        written.append(name)
        gdf = _frame(
            [(fid, pid, "Z1", 3200.0, box(*coords)) for fid, coords, pid in rows],
            ["id", "parcel", "zone", "floor_area_m2"],
        )
        pyogrio.write_dataframe(gdf, layers / f"{name}.geojson", driver="GeoJSON")
    pd.DataFrame(projects, columns=["id", "name", "industry", "investment_yi", "parcels"]).to_csv(
        layers / "projects.csv", index=False
    )
    headers = ["图层", "编号", "日期", "阶段", "完成比例(%)", "备注", "已完成投资(万元)"]
    rows = [(*r, "")[:7] for r in progress]
    pd.DataFrame(rows, columns=headers).to_csv(layers / "progress.csv", index=False)
    layer_specs = "".join(
        f'[layers.{k}]\nkind = "{k}"\nsource = "layers/{k}.geojson"\n\n' for k in written
    )
    text = textwrap.dedent("""\
        [park]
        name = "测试园区"
        as_of = 2024-09-30
        crs = "EPSG:4544"

        [quotas]
        2021 = 1000
        2022 = 1000
        2023 = 20

        """)
    text += layer_specs
    text += textwrap.dedent("""\
        [layers.projects]
        kind = "projects"
        source = "layers/projects.csv"
        """)
    # the shared [progress.weekly] section, plus the investment column these rules read
    text += PROGRESS_SPEC.format(source="layers/progress.csv")
    text += '"已完成投资(万元)" = "investment_wan"\n'
    (folder / "park.toml").write_text(text + extra, encoding="utf-8")
    manifest = load_manifest(folder)
    import_project(manifest, open_store(manifest), today=AS_OF)
    return folder


def edit_in_gis(folder):
    """Add a line to the factories and a self-crossing polygon to the housing in park.gpkg."""
    store = open_store(load_manifest(folder))
    bowtie = shapely.Polygon(
        [(X0 + 600, Y0 + 300), (X0 + 700, Y0 + 400), (X0 + 700, Y0 + 300), (X0 + 600, Y0 + 400)]
    )
    line = shapely.LineString([(X0 + 800, Y0 + 300), (X0 + 900, Y0 + 350)])
    with store.transaction() as tx:
        for name, fid, geom in (("factories", "F04", line), ("housing", "H02", bowtie)):
            frame = tx.read(name)
            extra = gpd.GeoDataFrame({"id": [fid], "zone": ["Z1"]}, geometry=[geom], crs=CRS)
            tx.write_layer(name, pd.concat([frame, extra], ignore_index=True), kind=name)
    return folder


def flawed_park(folder, extra=""):
    """The flawed park written to *folder* and imported (park.toml + *extra*)."""
    return write_park(
        folder,
        parcels=FLAWED_PARCELS,
        factories=FLAWED_FACTORIES,
        housing=FLAWED_HOUSING,
        projects=FLAWED_PROJECTS,
        progress=FLAWED_PROGRESS,
        extra=extra,
    )


@pytest.fixture
def flawed(tmp_path):
    return edit_in_gis(flawed_park(tmp_path / "flawed"))


@pytest.fixture
def clean(tmp_path):
    return write_park(
        tmp_path / "clean",
        parcels=CLEAN_PARCELS,
        factories=CLEAN_FACTORIES,
        housing=CLEAN_HOUSING,
        projects=CLEAN_PROJECTS,
        progress=[("地块", "C01", "2024-06-01", "已投产", "100", "")],
    )


def check(folder, **kwargs):
    manifest = load_manifest(folder)
    kwargs.setdefault("as_of", manifest.as_of)
    return run_checks(
        open_store(manifest),
        crs=manifest.crs,
        thresholds=kwargs.pop("thresholds", manifest.checks),
        quotas=manifest.quotas,
        **kwargs,
    )


def by_rule(result):
    return {f.rule: f for f in result.findings}


# ---------------------------------------------------------------------------- tables


RULES = list(rule_table().values())
#: the rules the flawed park trips on its as-of date (P15 is exempt from low_use until 2026)
TRIPPED = [r for r in RULES if r.id != "low_use"]
LAND_USES = list(land_use_table().values())


@pytest.mark.parametrize("spec", RULES, ids=lambda r: r.id)
def test_every_rule_is_complete_and_registered(spec):
    assert re.fullmatch(r"[a-z][a-z_]*", spec.id)
    assert spec.severity in ("error", "warning")
    assert re.search(r"[\u4e00-\u9fff]", spec.title_zh) and spec.title_en
    assert spec.unit in ("", "m", "m2", "mu", "%", "year", "wan_per_mu")
    assert spec.id in registered_rules()
    for name, default in spec.thresholds:
        assert re.fullmatch(r"[a-z][a-z0-9_]*", name) and default >= 0


def test_registry_is_the_rule_table_and_threshold_names_are_unique():
    assert list(registered_rules()) == list(rule_table())
    names = [n for r in RULES for n, _ in r.thresholds]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("use", LAND_USES, ids=lambda u: u.code)
def test_every_land_use_code_is_complete(use):
    assert re.fullmatch(r"\d{2}|\d{4}|[A-Z]\d?", use.code)
    assert use.standard in ("GB/T 21010-2017", "GB 50137-2011")
    assert re.search(r"[\u4e00-\u9fff]", use.zh) and use.en
    assert set(use.buildings) <= {"factories", "housing"} <= set(kinds())
    assert lookup_land_use(use.code) == use


def test_land_use_names_of_the_standards():
    names = {u.code: u.zh for u in LAND_USES}
    assert names["0601"] == "工业用地" and names["0602"] == "采矿用地"
    assert names["0603"] == "盐田" and names["0604"] == "仓储用地"
    assert names["0701"] == "城镇住宅用地" and names["0702"] == "农村宅基地"
    assert names["05"] == "商服用地" and names["08"] == "公共管理与公共服务用地"
    assert names["09"] == "特殊用地" and names["0809"] == "公用设施用地"
    assert names["M1"] == "一类工业用地" and names["M3"] == "三类工业用地"
    assert names["W"] == "物流仓储用地" and names["R"] == "居住用地"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0601", "0601"),
        (" 601 ", "0601"),
        ("601.0", "0601"),
        ("0701 城镇住宅用地", "0701"),
        ("0601工业用地", "0601"),
        ("m1", "M1"),
        ("城镇住宅用地", "0701"),
        ("工业用地", "0601"),  # in both standards: GB/T 21010 wins
        ("0699", None),
        ("Mixed", None),
        ("", None),
        (None, None),
    ],
)
def test_lookup_land_use(text, code):
    found = lookup_land_use(text)
    assert (found.code if found else None) == code


def test_thresholds_defaults_overrides_and_unknown_keys():
    assert check_thresholds()["overlap_min_m2"] == 1.0
    assert check_thresholds({"declared_area_tolerance_pct": 2})["declared_area_tolerance_pct"] == 2
    with pytest.raises(
        ManifestError, match=r"\[checks\] overlap_m2 is not a check threshold.*overlap_min_m2"
    ):
        check_thresholds({"overlap_m2": 1.0})
    for bad in ("1", True, -1.0, float("nan")):
        with pytest.raises(ManifestError, match="not a number"):
            check_thresholds({"overlap_min_m2": bad})


@pytest.mark.parametrize(
    ("date", "years", "expected"),
    [
        (dt.date(2023, 9, 29), 1, dt.date(2024, 9, 29)),
        (dt.date(2020, 2, 29), 1, dt.date(2021, 2, 28)),
        (dt.date(2020, 2, 29), 4, dt.date(2024, 2, 29)),
        (dt.date(2023, 1, 1), 0.5, dt.date(2023, 7, 3)),
    ],
)
def test_add_years(date, years, expected):
    assert add_years(date, years) == expected


# ---------------------------------------------------------------------------- rules


def test_the_flawed_park_trips_every_rule_exactly_once(flawed):
    result = check(flawed)
    counts = collections.Counter(f.rule for f in result.findings)
    assert set(counts) == {r.id for r in TRIPPED}
    assert all(n == 1 for n in counts.values()), counts
    ids = {f.rule: f.ids for f in result.findings}
    assert ids == {
        "geometry_invalid": ("H02",),
        "geometry_type": ("F04",),
        "parcel_overlap": ("P01", "P02"),
        "parcel_gap": ("P03", "P04"),
        "outside_park": ("P05",),
        "outside_zone": ("P06", "Z1"),
        "building_outside_parcel": ("F02", "P02"),
        "building_on_unallocated": ("F03", "P03"),
        "parcel_two_projects": ("P09", "XM06", "XM07"),
        "project_unknown_parcel": ("XM09", "P99"),
        "project_without_parcel": ("XM08",),
        "parcel_without_project": ("P10",),
        "declared_area": ("P11",),
        "land_use_conflict": ("H01", "P07"),
        "land_use_unknown": ("P08",),
        "idle_unstarted_fee": ("P12",),
        "idle_unstarted_reclaim": ("P13",),
        "idle_stalled": ("P14",),
        "quota_exceeded": ("P01", "P02"),
        "intensity_far": ("P15",),
        "intensity_coverage": ("P15",),
        "intensity_admin_share": ("P15",),
        "intensity_green_ratio": ("P15",),
        "intensity_investment": ("P15",),
    }
    # errors first, then the order of the rule table
    severities = [f.severity for f in result.findings]
    assert severities == sorted(severities, key=("error", "warning").index)
    assert {f.severity for f in result.findings if f.rule.startswith("idle_")} == {
        "warning",
        "error",
    }


def test_control_indicator_findings_by_hand(flawed):
    found = by_rule(check(flawed))
    expected = {
        "intensity_far": (0.32, 1.0),
        "intensity_coverage": (16.0, 30.0),
        "intensity_admin_share": (10.0, 7.0),
        "intensity_green_ratio": (25.0, 20.0),
        "intensity_investment": (200.0, 300.0),
    }
    for rule_id, (value, threshold) in expected.items():
        f = found[rule_id]
        assert (f.value, f.threshold) == (pytest.approx(value), threshold), rule_id
        assert f.geometry.area == pytest.approx(10000.0)
    far = found["intensity_far"]
    assert "容积率为 0.32，低于 1.00" in far.message_zh and "未核实" in far.message_zh
    assert "below the minimum of 1.00" in far.message_en and "not verified" in far.message_en
    invest = found["intensity_investment"]
    assert "200.0 万元/亩" in invest.message_zh and "标准地出让合同" in invest.message_zh
    # under construction: provisional, not a finding
    result = check(flawed, as_of=dt.date(2023, 1, 1))
    assert not [f for f in result.findings if f.rule.startswith("intensity_")]


@pytest.mark.parametrize(
    ("as_of", "flagged"),
    [(dt.date(2024, 9, 30), False), (dt.date(2026, 4, 30), False), (dt.date(2026, 5, 1), True)],
)
def test_low_use_after_the_exemption(flawed, as_of, flagged):
    """P15 completed 2023-05-01 (no 投产 date): exempt until 2023-05-01 + 3 years; then
    容积率 0.32 < 1.0 (absolute) and < 0.6 = 60 % of its 1.0 (C13), no economy: no tax flag."""
    found = [f for f in check(flawed, as_of=as_of).findings if f.rule == "low_use"]
    if not flagged:
        assert found == []
        return
    (f,) = found
    assert f.ids == ("P15",) and (f.value, f.threshold) == (pytest.approx(0.32), 1.0)
    assert "容积率低于绝对下限: 0.32 < 1.00" in f.message_zh
    assert "容积率低于控制标准的60%: 0.32 < 0.60" in f.message_zh and "未核实" in f.message_zh
    assert "FAR under 60% of the parcel's standard: 0.32 < 0.60" in f.message_en
    assert "亩均税收" not in f.message_zh


def test_hand_computed_values(flawed):
    found = by_rule(check(flawed))
    overlap = found["parcel_overlap"]
    assert overlap.value == pytest.approx(300.0, abs=1e-6)  # 3 m × 100 m
    assert overlap.geometry.area == pytest.approx(300.0, abs=1e-6)
    assert "300.00 m²（0.45 亩）" in overlap.message_zh and "0.45 mu" in overlap.message_en
    assert found["parcel_gap"].value == pytest.approx(1.0, abs=0.01)  # the 1 m gap
    assert found["parcel_gap"].geometry.area == pytest.approx(100.0, abs=1e-3)
    assert found["outside_park"].value == pytest.approx(4000.0)  # 50 m × 80 m
    assert found["outside_zone"].value == pytest.approx(5000.0)  # 50 m × 100 m
    assert found["building_outside_parcel"].value == pytest.approx(520.0)  # 13 m × 40 m
    declared = found["declared_area"]
    assert declared.value == pytest.approx(100 / 15)  # |16 - 15| / 15
    assert "出让面积 16.00 亩，图上量算 15.00 亩" in declared.message_zh
    assert declared.threshold == 1.0 and declared.unit == "%"
    quota = found["quota_exceeded"]
    assert (quota.value, quota.threshold) == (pytest.approx(30.0), 20.0)
    assert "超出当年用地指标 20.00 亩 10.00 亩" in quota.message_zh
    fee = found["idle_unstarted_fee"]
    assert fee.value == pytest.approx(367 / 365.25)  # 2023-09-29 → 2024-09-30
    assert "约 60.00 万元" in fee.message_zh  # 20 % of 300 万元
    stalled = found["idle_stalled"]
    assert (stalled.value, stalled.threshold) == (20.0, pytest.approx(100 / 3, abs=1e-5))
    assert "2023-06-01" in stalled.message_zh


def test_the_clean_park_has_no_findings(clean, runner):
    result = check(clean)
    assert result.findings == []
    cli_result = runner.invoke(cli, ["check", "-p", str(clean)])
    assert cli_result.exit_code == 0, cli_result.output
    assert "检查无发现 no findings" in cli_result.output
    assert "0 error(s)" in cli_result.output
    assert "findings" not in set(pyogrio.list_layers(clean / "park.gpkg")[:, 0])


@pytest.mark.parametrize(
    ("as_of", "rules"),
    [
        (dt.date(2024, 9, 29), set()),  # exactly one year after the agreed start
        (dt.date(2024, 9, 30), {"idle_unstarted_fee"}),  # one year and a day
        (dt.date(2025, 9, 29), {"idle_unstarted_fee"}),  # exactly two years
        (dt.date(2025, 9, 30), {"idle_unstarted_reclaim"}),  # two years and a day
    ],
)
def test_idle_land_boundaries(flawed, as_of, rules):
    found = {f.rule for f in check(flawed, as_of=as_of).findings if f.ids == ("P12",)}
    assert found & {"idle_unstarted_fee", "idle_unstarted_reclaim"} == rules


def test_idle_not_before_allocation_nor_once_started(flawed):
    # on 2021-12-31 P13 (allocated 2022-01-05) is not allocated: not idle, whatever its dates
    found = {f.ids for f in check(flawed, as_of=dt.date(2021, 12, 31)).findings}
    assert ("P13",) not in found
    # P14 with recent progress is not stalled
    recent = check(flawed, as_of=dt.date(2024, 5, 31)).findings
    assert not [f for f in recent if f.rule == "idle_stalled"]


def test_stalled_by_investment_under_a_quarter(tmp_path):
    started = {
        "allocated_on": "2021-03-01",
        "agreed_start_on": "2021-09-01",
        "started_on": "2021-08-01",
        "declared_area_mu": 15.0,
    }
    folder = write_park(
        tmp_path / "p",
        parcels=[
            ("S1", (10, 10, 110, 110), "Z1", "0601", started),
            ("S2", (200, 10, 300, 110), "Z1", "0601", started),
            ("S3", (400, 10, 500, 110), "Z1", "0601", started),
        ],
        factories=[],
        housing=[],
        projects=[
            ("XM1", "甲", "健康食品", 3.0, "S1"),
            ("XM2", "乙", "健康食品", 3.0, "S2"),
            ("XM3", "丙", "健康食品", 3.0, "S3"),
        ],
        progress=[
            # half built, but 7,400 of 30,000 万元 invested (24.67 %): stalled
            ("地块", "S1", "2023-06-01", "已开工", "50", "", "7400"),
            # half built, 7,500 万元 invested (exactly 25 %): not stalled
            ("地块", "S2", "2023-06-01", "已开工", "50", "", "7500"),
            # a third built and 25 % invested, but progress within the year: not stalled
            ("地块", "S3", "2024-01-01", "已开工", "10", "", "100"),
        ],
    )
    found = [f for f in check(folder).findings if f.rule == "idle_stalled"]
    assert [f.ids for f in found] == [("S1",)]
    assert found[0].value == pytest.approx(7400 / 30000 * 100)
    assert found[0].threshold == 25.0
    assert "已投资 24.7%" in found[0].message_zh


def test_the_stalled_message_states_the_threshold_in_force(flawed):
    # P14: 20 % built; default threshold 1/3 → "33.3%"; overridden to 25 % → "25.0%"
    stalled = by_rule(check(flawed))["idle_stalled"]
    assert "不足 33.3%" in stalled.message_zh and "under 33.3%" in stalled.message_en
    result = check(flawed, thresholds={"stalled_built_pct": 25.0})
    stalled = by_rule(result)["idle_stalled"]
    assert stalled.threshold == 25.0
    assert "已建 20.0%（不足 25.0%）" in stalled.message_zh
    assert "built 20.0% (under 25.0%)" in stalled.message_en
    for text in (stalled.message_zh, stalled.message_en):
        assert "三分之一" not in text and "one third" not in text


MESSAGE_FIELD = re.compile(r"\{(\w+)[^}]*\}")


def test_every_message_template_is_bilingual_and_used():
    table = message_table()
    sources = "".join(
        p.read_text(encoding="utf-8") for p in Path(checks_base.__file__).parent.glob("*.py")
    )
    used = set(re.findall(r'message\(\s*"(\w+)"', sources))
    fragments = {"nouns", "headers", "sheets", "missing_key"}
    templates = {k for k in table if k not in fragments}
    assert used == templates  # every template used, none missing
    for key in templates:
        zh, en = table[key]["zh"], table[key]["en"]
        assert re.search(r"[\u4e00-\u9fff]", zh), key
        assert not re.search(r"[\u4e00-\u9fff]", en.replace("万元", "")), key


def test_message_joins_lists_and_picks_the_language():
    text = message("parcel_two_projects", parcel="P1", count=2, projects=["XM1", "XM2"])
    assert text == {
        "zh": "地块 P1 同时列为 2 个项目的用地：XM1、XM2。",
        "en": "parcel P1 is the land of 2 projects: XM1, XM2.",
    }
    with pytest.raises(KeyError):
        message("no_such_message")


def test_thresholds_from_park_toml(flawed, runner):
    toml = flawed / "park.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + "\n[checks]\noverlap_min_m2 = 300.0\n",
        encoding="utf-8",
    )
    assert "parcel_overlap" not in by_rule(check(flawed))  # 300 m² is not above 300 m²
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("overlap_min_m2 = 300.0", "overlap_m2 = 1"),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["check", "-p", str(flawed)])
    assert result.exit_code == 2
    # (the CLI prints errors as rich markup, which swallows the "[checks]" of the message)
    assert "overlap_m2 is not a check threshold" in result.output
    assert "overlap_min_m2 (default 1)" in result.output
    assert "Traceback" not in result.output


def test_areas_of_a_geographic_layer_are_measured_in_the_working_crs(flawed):
    store = open_store(load_manifest(flawed))
    with store.transaction() as tx:
        tx.write_layer("parcels", tx.read("parcels").to_crs("EPSG:4490"), kind="parcels")
    found = by_rule(check(flawed))
    assert found["parcel_overlap"].value == pytest.approx(300.0, rel=1e-4)
    assert found["declared_area"].value == pytest.approx(100 / 15, rel=1e-3)


def test_no_store_is_a_store_error(tmp_path):
    (tmp_path / "park.toml").write_text('[park]\ncrs = "EPSG:4544"\n', encoding="utf-8")
    with pytest.raises(StoreError, match="parkgeo import"):
        check(tmp_path)


# ---------------------------------------------------------------------------- summary


def test_allocation_summary(flawed):
    summary = check(flawed).summary
    # ten allocated parcels of 100 m × 100 m = 15 亩 = 1 公顷 each (the overlap counts twice)
    assert summary["allocated"]["count"] == 10
    assert summary["allocated"]["area_mu"] == pytest.approx(150.0)
    assert summary["allocated"]["area_ha"] == pytest.approx(10.0)
    z1 = next(z for z in summary["by_zone"] if z["zone"] == "Z1")
    assert z1["count"] == 10 and z1["zone_area_mu"] == pytest.approx(750.0)  # 1000 m × 500 m
    assert z1["remaining_mu"] == pytest.approx(600.0) and z1["available_area_mu"] == 600.0
    z2 = next(z for z in summary["by_zone"] if z["zone"] == "Z2")
    assert z2["count"] == 0 and z2["available_area_mu"] is None
    years = {y["year"]: y for y in summary["by_year"]}
    assert years[2023]["count"] == 2 and years[2023]["quota_left_mu"] == pytest.approx(-10.0)
    assert years[2022]["area_mu"] == pytest.approx(105.0)  # P07, P09-P13, P15
    assert years[2021]["count"] == 1
    uses = {u["code"]: u for u in summary["by_land_use"]}
    assert set(uses) == {"0601"} and uses["0601"]["name_zh"] == "工业用地"
    industries = {i["industry"]: i["count"] for i in summary["by_industry"]}
    # P09 counts under its first project (XM06); P10 has none
    assert industries == {
        "健康食品": 4,
        "纺织鞋服": 1,
        "园区配套": 1,
        "新能源电池": 2,
        "包装印刷": 1,
        None: 1,
    }


# ---------------------------------------------------------------------------- CLI and outputs


def test_cli_prints_findings_and_exits_1(flawed, runner):
    result = runner.invoke(cli, ["check", "-p", str(flawed)])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "地块 P01 与 P02 重叠 300.00 m²（0.45 亩）" in out
    assert "parcels P01 and P02 overlap by 300.00 m² (0.45 mu)" in out
    assert "可无偿收回土地使用权" in out
    assert "供地汇总 allocation" in out and "健康食品" in out
    counts = collections.Counter(r.severity for r in TRIPPED)
    assert f"{counts['error']} error(s) 错误, {counts['warning']} warning(s) 警告" in out


def test_cli_json(flawed, runner):
    result = runner.invoke(cli, ["check", "-p", str(flawed), "--json", "--as-of", "2024-09-30"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["as_of"] == "2024-09-30" and data["crs"] == CRS
    assert data["counts"]["error"] + data["counts"]["warning"] == len(TRIPPED)
    overlap = next(f for f in data["findings"] if f["rule"] == "parcel_overlap")
    assert overlap["ids"] == ["P01", "P02"] and overlap["severity"] == "error"
    assert overlap["value"] == pytest.approx(300.0) and overlap["unit"] == "m2"
    assert overlap["threshold"] == 1.0 and overlap["title_zh"] == "地块重叠"
    assert data["summary"]["allocated"]["count"] == 10
    assert data["thresholds"]["declared_area_tolerance_pct"] == 1.0


def test_cli_csv_has_a_bom_and_one_row_per_finding(flawed, runner, tmp_path):
    path = tmp_path / "out" / "checks.csv"
    result = runner.invoke(cli, ["check", "-p", str(flawed), "--csv", str(path)])
    assert result.exit_code == 1, result.output
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"ids": str})
    assert len(frame) == len(TRIPPED)
    assert list(frame.columns[:2]) == ["rule", "severity"]
    for col in ("ids", "value", "threshold", "unit", "message_zh", "message_en"):
        assert col in frame.columns
    row = frame.set_index("rule").loc["parcel_overlap"]
    assert row["ids"] == "P01;P02" and row["value"] == pytest.approx(300.0)
    assert "重叠" in row["message_zh"]
    assert not list(path.parent.glob(".*"))  # the temporary file was renamed


def test_cli_xlsx_has_findings_and_summary(flawed, runner, tmp_path):
    path = tmp_path / "checks.xlsx"
    result = runner.invoke(cli, ["check", "-p", str(flawed), "--xlsx", str(path)])
    assert result.exit_code == 1, result.output
    sheets = pd.read_excel(path, sheet_name=None)
    assert next(iter(sheets)) == "问题清单"  # the report's layout: tests/render/test_workbook.py
    assert len(sheets["问题清单"]) == len(TRIPPED)
    zones = sheets["按片区"]
    assert list(zones["片区"]) == ["Z1", "Z2", "合计"]
    assert zones["宗数"].tolist() == [10, 0, 10]


def test_cli_refuses_two_outputs(flawed, runner, tmp_path):
    result = runner.invoke(
        cli, ["check", "-p", str(flawed), "--json", "--csv", str(tmp_path / "x.csv")]
    )
    assert result.exit_code == 2 and "choose one of" in result.output


def test_findings_frame_is_what_maps_draw(flawed):
    layer = findings_frame(check(flawed))
    assert len(layer) == len(TRIPPED) and set(layer["rule"]) == {r.id for r in TRIPPED}
    assert layer.crs.to_epsg() == 4544
    overlap = layer[layer["rule"] == "parcel_overlap"].iloc[0]
    assert overlap["ids"] == "P01;P02" and overlap.geometry.area == pytest.approx(300.0, abs=1e-3)
    assert layer[layer["rule"] == "project_without_parcel"].geometry.isna().all()
    assert set(layer.geometry.dropna().geom_type) <= {"Polygon", "MultiPolygon"}


def test_check_leaves_the_store_as_it_was(flawed, runner):
    # findings are derived: maps, snapshots and the briefing compute them for their own date
    gpkg = flawed / "park.gpkg"
    before = sha(gpkg)
    assert runner.invoke(cli, ["check", "-p", str(flawed)]).exit_code == 1
    assert runner.invoke(cli, ["check", "-p", str(flawed), "--json"]).exit_code == 1
    assert sha(gpkg) == before
    assert "findings" not in set(pyogrio.list_layers(gpkg)[:, 0])


def test_findings_frame_columns(flawed):
    frame = findings_frame(check(flawed))
    assert list(frame["id"][:2]) == ["F0001", "F0002"]
    fields = [f.name for f in kinds()["findings"].fields]
    assert list(frame.columns) == [*fields, "geometry"]


# ---------------------------------------------------------------------------- the demo park


def test_demo_park_finds_the_planted_flaws_and_no_other_error(tmp_path):
    demo_project(tmp_path)
    result = check(tmp_path)
    errors = {(f.rule, f.ids) for f in result.errors}
    assert errors == {
        ("parcel_overlap", ("CCB-13", "CCB-14")),
        ("idle_unstarted_reclaim", ("WLT-02",)),
    }
    overlap = by_rule(result)["parcel_overlap"]
    assert overlap.value == pytest.approx(540.0, rel=1e-3)  # 3 m × 180 m, as planted


def test_park_intensity_settings_reach_the_checks(tmp_path, runner):
    # the park lowers 容积率 to 0.3 (P15 has 0.32) and asks 500 万元/亩 (its contract's 300 wins)
    folder = flawed_park(
        tmp_path / "lenient", "\n[intensity]\nfar_min = 0.3\ninvestment_wan_per_mu = 500\n"
    )
    result = runner.invoke(cli, ["check", "-p", str(folder), "--json"])
    found = {f["rule"]: f for f in json.loads(result.stdout)["findings"]}
    assert "intensity_far" not in found
    assert found["intensity_investment"]["threshold"] == 300.0
    folder = flawed_park(tmp_path / "bad", "\n[intensity]\nfar_minimum = 0.3\n")
    result = runner.invoke(cli, ["check", "-p", str(folder)])
    assert result.exit_code == 2 and "[intensity] far_minimum is not known" in result.output


def test_the_kinds_that_stand_on_parcels_come_from_the_kinds_table():
    from geo.analysis.checks.context import building_kinds, sited_kinds

    # kinds.toml: factories and housing have a `parcel` field; roads, zones, projects not
    assert building_kinds() == ("factories", "housing")
    assert sited_kinds() == ("parcels", "factories", "housing")


@pytest.mark.parametrize(("quota", "over"), [(30.0, False), (29.9, True)])
def test_quota_is_crossed_only_above_it(flawed, quota, over):
    # 2023 allocations P01 and P02 are two 100 m squares: 2 × 10,000 m² = 2 × 15 亩 = 30 亩
    # (each parcel's own area: their 300 m² overlap counts in both, as allocated)
    manifest = load_manifest(flawed)
    result = run_checks(
        open_store(manifest), as_of=manifest.as_of, crs=manifest.crs, quotas={2023: quota}
    )
    found = [f for f in result.findings if f.rule == "quota_exceeded"]
    assert bool(found) is over
    if over:
        assert found[0].ids == ("P01", "P02")
        assert found[0].value == pytest.approx(30.0, abs=1e-9)
        # the finding's place is the union: 20,000 m² less the overlap counted once
        assert found[0].geometry.area == pytest.approx(19_700.0, abs=1e-6)


def test_on_rule_reports_every_rule_in_order(flawed):
    seen = []
    check(flawed, on_rule=lambda rule_id, done, total: seen.append((rule_id, done, total)))
    rules = list(registered_rules())
    assert seen == [(r, k, len(rules)) for k, r in enumerate(rules)]
