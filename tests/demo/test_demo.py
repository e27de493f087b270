"""The demo park: reproducible output, committed copy up to date, sizes and flaws as planted.

Sizes are checked independently of the generator: geometry is read back from the GeoJSON
text and measured with shapely.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
from pathlib import Path

import pyogrio
import pytest
from shapely.geometry import shape

from geo.demo import write_demo_project

ROOT = Path(__file__).resolve().parents[2]
M2_PER_MU = 10000 / 15
AS_OF = dt.date(2024, 9, 30)
LAYERS = ("zones", "parcels", "factories", "housing", "roads")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("demo")
    return folder, write_demo_project(folder)


def features(folder: Path, name: str) -> list[dict]:
    return json.loads((folder / "layers" / f"{name}.geojson").read_text("utf-8"))["features"]


def rows(folder: Path, name: str) -> list[dict]:
    with open(folder / "layers" / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_id(folder: Path, name: str, id_field: str) -> dict[str, tuple[dict, object]]:
    return {
        f["properties"][id_field]: (f["properties"], shape(f["geometry"]))
        for f in features(folder, name)
    }


def test_writes_every_file(demo):
    folder, written = demo
    names = [p.relative_to(folder).as_posix() for p in written]
    assert names == [
        "park.toml",
        "layers/zones.geojson",
        "layers/parcels.geojson",
        "layers/factories.geojson",
        "layers/housing.geojson",
        "layers/roads.geojson",
        "layers/projects.csv",
        "layers/economy.csv",
        "layers/progress.csv",
        "layers/road_progress.csv",
        "layers/goals.csv",
    ]
    for path in written:
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf"), path
        assert b"\r" not in data, path
        data.decode("utf-8")


def test_output_is_byte_identical_on_every_run(demo, tmp_path):
    folder, first = demo
    second = write_demo_project(tmp_path)
    assert [p.relative_to(tmp_path) for p in second] == [p.relative_to(folder) for p in first]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_committed_demo_is_up_to_date(demo):
    folder, written = demo
    for path in written:
        rel = path.relative_to(folder)
        committed = ROOT / rel
        assert committed.exists(), f"{rel} missing: run scripts/make_demo_park.py"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{rel} is out of date: run .venv/bin/python scripts/make_demo_park.py"
        )


@pytest.mark.parametrize("name", LAYERS)
def test_gdal_reads_crs_and_chinese_fields(demo, name):
    folder, _ = demo
    info = pyogrio.read_info(folder / "layers" / f"{name}.geojson")
    assert info["crs"] == "EPSG:4544"
    first = features(folder, name)[0]["properties"]
    assert list(info["fields"]) == list(first)
    assert info["features"] == len(features(folder, name))


def test_zones_cover_a_few_km2_without_overlap(demo):
    folder, _ = demo
    zones = by_id(folder, "zones", "片区编号")
    assert len(zones) == 7
    total = sum(g.area for _, g in zones.values()) / 1e6
    assert 5.0 <= total <= 7.0
    for (_, a), (_, b) in itertools.combinations(zones.values(), 2):
        assert not a.intersects(b)
    names = {p["片区名称"] for p, _ in zones.values()}
    assert "五里梁潼X片区" in names and "X州织造产业园" in names


def test_parcels_sizes_and_zones(demo):
    folder, _ = demo
    zones = by_id(folder, "zones", "片区编号")
    parcels = by_id(folder, "parcels", "地块编号")
    assert len(parcels) >= 80
    for pid, (props, geom) in parcels.items():
        assert geom.is_valid, pid
        assert 10 <= geom.area / M2_PER_MU <= 300, pid
        assert zones[props["所属片区"]][1].covers(geom), pid
        if props["出让面积(亩)"] is not None:
            drawn = geom.area / M2_PER_MU
            assert abs(props["出让面积(亩)"] - drawn) / drawn < 0.01, pid
    # some land is left in every zone
    for zid, (props, _) in zones.items():
        assert props["可供地面积(亩)"] > 0, zid


def test_exactly_one_overlapping_parcel_pair(demo):
    folder, _ = demo
    parcels = by_id(folder, "parcels", "地块编号")
    overlaps = []
    for (a, (_, ga)), (b, (_, gb)) in itertools.combinations(parcels.items(), 2):
        area = ga.intersection(gb).area
        if area > 1.0:
            overlaps.append((a, b, area))
    assert len(overlaps) == 1
    a, b, area = overlaps[0]
    assert 100 < area < 1000
    # a thin strip: 2–4 m wide
    width = area / (parcels[a][1].intersection(parcels[b][1]).length / 2)
    assert 2 <= width <= 4


def test_buildings_inside_their_parcels_on_the_right_land(demo):
    folder, _ = demo
    parcels = by_id(folder, "parcels", "地块编号")
    roads = [g.buffer(p["路宽(米)"] / 2) for p, g in by_id(folder, "roads", "道路编号").values()]
    uses = {"factories": {"0601", "0604"}, "housing": {"0701"}}
    id_fields = {"factories": "厂房编号", "housing": "编号"}
    for name in ("factories", "housing"):
        buildings = by_id(folder, name, id_fields[name])
        assert buildings
        for bid, (props, geom) in buildings.items():
            pprops, pgeom = parcels[props["所在地块"]]
            assert pgeom.buffer(-5).covers(geom), bid
            assert pprops["用地性质"] in uses[name], bid
            assert pprops["所属片区"] == props["所属片区"], bid
            assert props["建筑面积(平方米)"] > geom.area, bid
            assert not any(r.intersects(geom) for r in roads), bid


def test_roads_keep_out_of_zones(demo):
    folder, _ = demo
    zones = [g for _, g in by_id(folder, "zones", "片区编号").values()]
    roads = by_id(folder, "roads", "道路编号")
    for rid, (props, geom) in roads.items():
        corridor = geom.buffer(props["路宽(米)"] / 2)
        assert not any(corridor.intersects(z) for z in zones), rid
    one = next(g for p, g in roads.values() if p["道路名称"] == "南北干道一号路")
    assert one.length == pytest.approx(2400, abs=150)


def test_projects_own_every_allocated_parcel_once(demo):
    folder, _ = demo
    parcels = by_id(folder, "parcels", "地块编号")
    owners: dict[str, str] = {}
    for row in rows(folder, "projects.csv"):
        ids = row["用地地块"].split(";")
        assert ids and all(ids), row["项目编号"]
        for pid in ids:
            assert pid not in owners, pid
            owners[pid] = row["项目编号"]
    allocated = {pid for pid, (p, _) in parcels.items() if p["供地日期"]}
    assert set(owners) == allocated


def test_exactly_one_idle_parcel(demo):
    folder, _ = demo
    idle = []
    for pid, (p, _) in by_id(folder, "parcels", "地块编号").items():
        if p["供地日期"] and not p["实际开工日期"]:
            agreed = dt.date.fromisoformat(p["约定开工日期"])
            if (AS_OF - agreed).days > 365:
                idle.append((pid, p))
    assert len(idle) == 1
    pid, p = idle[0]
    assert p["供地日期"].startswith("2021")
    assert p["约定开工日期"] < "2022-06-01"


def developed_km2(folder: Path, start: str, end: str) -> float:
    return (
        sum(
            g.area
            for p, g in by_id(folder, "parcels", "地块编号").values()
            if p["实际开工日期"] and start <= p["实际开工日期"] <= end
        )
        / 1e6
    )


def completed_wan_m2(folder: Path, label: str, name: str, id_field: str, year: str) -> float:
    floor = {k: p["建筑面积(平方米)"] for k, (p, _) in by_id(folder, name, id_field).items()}
    return (
        sum(
            floor[r["编号"]]
            for r in rows(folder, "progress.csv")
            if r["图层"] == label and r["阶段"] == "竣工" and r["日期"].startswith(year)
        )
        / 1e4
    )


def test_calibrated_against_the_goals(demo):
    folder, _ = demo
    assert 0.9 <= developed_km2(folder, "2023-01-01", "2023-12-31") <= 1.1
    assert 1.2 <= developed_km2(folder, "2024-01-01", "2024-09-30") <= 1.6
    assert developed_km2(folder, "2021-01-01", "2022-12-31") > 0.1
    assert 15 <= completed_wan_m2(folder, "标准厂房", "factories", "厂房编号", "2023") <= 22
    assert 12 <= completed_wan_m2(folder, "安置房", "housing", "编号", "2023") <= 18
    signed = {}
    for row in rows(folder, "projects.csv"):
        if row["签约日期"]:
            year = row["签约日期"][:4]
            count, money = signed.get(year, (0, 0.0))
            signed[year] = (count + 1, money + float(row["总投资(亿元)"]))
    assert 10 <= signed["2023"][0] <= 12 and 50 <= signed["2023"][1] <= 60
    assert 9 <= signed["2024"][0] <= 12


def test_progress_records_move_forward(demo):
    folder, _ = demo
    order = {
        s: i
        for vocab in (
            ("规划", "已收储", "已供地", "已开工", "已竣工", "已投产"),
            ("未开工", "基础", "主体", "封顶", "竣工", "交付"),
        )
        for i, s in enumerate(vocab)
    }
    records = rows(folder, "progress.csv")
    keys = [(r["日期"], r["编号"]) for r in records]
    assert keys == sorted(keys)
    last: dict[str, int] = {}
    for r in records:
        assert "2021-01-01" <= r["日期"] <= "2024-09-30"
        stage = order[r["阶段"]]
        assert stage >= last.get(r["编号"], 0), r
        last[r["编号"]] = stage
    parcels = by_id(folder, "parcels", "地块编号")
    for pid, (p, _) in parcels.items():
        dated = (("供地日期", "已供地"), ("实际开工日期", "已开工"), ("竣工日期", "已竣工"))
        for field, stage in dated:
            dates = [r["日期"] for r in records if r["编号"] == pid and r["阶段"] == stage]
            assert (min(dates) if dates else None) == p[field], (pid, field)


# The seed's goals table (DOMAIN.md "Goals stated in the seed"), written out by hand.
SEED_GOALS = {
    "新开发建设园区面积": ("km2", {2023: 1, 2024: 2, 2028: 2}),
    "新建标准厂房面积": ("万m2", {2023: 20, 2024: 30, 2028: 50}),
    "新建安置房面积": ("万m2", {2023: 18, 2024: 10, 2028: 12}),
    "招引项目": ("个", {2023: 10, 2024: 15, 2028: 15}),
    "签约投资": ("亿元", {2023: 50, 2024: 70, 2028: 70}),
    "工业总产值": ("亿元", {2023: 200, 2024: 280, 2028: 800}),
    "新增10亿级企业": ("个", {2023: 1, 2024: 8, 2028: 5}),
    "主导特色产业产值占比": ("%", {2023: 65, 2024: 73, 2028: 80}),
}


def test_goals_are_the_seed_table(demo):
    folder, _ = demo
    goals = rows(folder, "goals.csv")
    assert len(goals) == 24
    got = {}
    for g in goals:
        year = int(g["起始日期"][:4])
        assert g["起始日期"] == f"{year}-01-01" and g["截止日期"] == f"{year}-12-31"
        got.setdefault(g["指标"], (g["单位"], {}))[1][year] = float(g["目标值"])
        if year == 2028:
            assert "2028" in g["说明"] and "单年" in g["说明"]
    assert got == SEED_GOALS
    assert len({g["编号"] for g in goals}) == 24


def test_economy_is_the_seed_figures(demo):
    """The seed's January–August 2024: 90 规上企业, 53.93 亿元 output, 22.83 亿元 investment."""
    folder, _ = demo
    economy = rows(folder, "economy.csv")
    latest = [r for r in economy if r["年度"] == "2024"]
    assert len(latest) == 90 and {r["月数"] for r in latest} == {"8"}
    assert {r["规上企业"] for r in latest} == {"是"}
    assert sum(float(r["工业总产值(万元)"]) for r in latest) == pytest.approx(539300.0)
    assert sum(float(r["固定资产投资(万元)"]) for r in latest) == pytest.approx(228300.0)
    assert {r["月数"] for r in economy if r["年度"] != "2024"} == {"12"}
    # one enterprise first passes 10亿元 (100000 万元) in 2023
    over = {(r["企业名称"], r["年度"]) for r in economy if float(r["工业总产值(万元)"]) >= 100000}
    assert over == {("X县规上企业01", "2023")}


def test_two_completed_parcels_miss_their_floor_area_ratio(demo):
    from geo.domain.intensity import far_minimum

    folder, _ = demo
    low = []
    for props, geom in by_id(folder, "parcels", "地块编号").values():
        floor = props.get("计容建筑面积(平方米)")
        if floor is None:
            continue
        if floor / geom.area < far_minimum(props["行业代码"]).value:
            low.append(props["地块编号"])
    assert len(low) == 2
