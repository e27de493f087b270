"""Every entry of every domain table is complete and consistent (one parametrized walk)."""

from __future__ import annotations

import json
import re

import pytest

from geo.domain.tables import (
    _labels,
    accepted_labels,
    kinds,
    label,
    lookup_stage,
    stages_for_kind,
    vocabularies,
    vocabulary,
    work_items,
)

KINDS = list(kinds().values())
STAGES = [s for stages in vocabularies().values() for s in stages]


@pytest.mark.parametrize("k", KINDS, ids=lambda k: k.name)
def test_every_kind_is_complete(k):
    assert k.label_zh and k.label_en
    assert k.geometry in ("polygon", "line", "point", "none")
    assert "id" in k.required or k.name == "progress"
    names = [f.name for f in k.fields]
    assert len(names) == len(set(names))
    for f in k.fields:
        assert f.type in ("str", "float", "int", "date", "ids")
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name)
        assert f.label_zh and f.label_en
    if k.stages:
        assert vocabulary(k.stages)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: f"{s.vocabulary}-{s.code}")
def test_every_stage_has_code_labels_and_colour(stage):
    assert re.fullmatch(r"[a-z][a-z_]*", stage.code)
    assert re.search(r"[\u4e00-\u9fff]", stage.zh)
    assert stage.en
    assert re.fullmatch(r"#[0-9a-f]{6}", stage.color)
    assert lookup_stage(stage.vocabulary, stage.code) == stage
    assert lookup_stage(stage.vocabulary, stage.zh) == stage
    assert lookup_stage(stage.vocabulary, f" {stage.en.upper()} ") == stage
    if stage.after:
        assert lookup_stage(stage.vocabulary, stage.after) is not None


@pytest.mark.parametrize("name", list(vocabularies()))
def test_vocabularies_are_unique_per_vocabulary(name):
    stages = vocabulary(name)
    for attr in ("code", "zh", "en", "color"):
        values = [getattr(s, attr) for s in stages]
        assert len(values) == len(set(values)), attr
    assert [s.order for s in stages] == list(range(len(stages)))


def test_the_issue_texts_stage_orders():
    assert [s.zh for s in stages_for_kind("parcels")] == [
        "规划",
        "已收储",
        "已供地",
        "已开工",
        "已竣工",
        "已投产",
    ]
    assert [s.zh for s in stages_for_kind("factories")] == [
        "未开工",
        "基础",
        "主体",
        "封顶",
        "竣工",
        "交付",
    ]
    assert stages_for_kind("housing") == stages_for_kind("factories")
    assert [s.zh for s in work_items()] == ["路基", "管网", "路面", "绿化", "照明"]


def test_unknown_label_is_none_and_accepted_labels_list_them():
    assert lookup_stage("land", "已拆迁") is None
    assert "已供地 (allocated)" in accepted_labels("land")


@pytest.mark.parametrize("key", list(_labels()))
def test_every_interface_text_has_chinese_and_english(key):
    assert re.search(r"[\u4e00-\u9fff]", label(key, "zh"))
    assert label(key, "en") and not re.search(r"[\u4e00-\u9fff]", label(key, "en"))


# --- a new staged kind and a new stage, added to copies of the tables ----------------------

NEW_KIND = """
[warehouses]
label_zh = "仓库"
label_en = "Warehouses"
geometry = "polygon"
stages = "building"
draw = 5
style = { edge = "#222222", width = 1.0, alpha = 0.9 }
fields = [
  { name = "id", type = "str", required = true, label_zh = "编号", label_en = "ID" },
  { name = "name", type = "str", label_zh = "名称", label_en = "Name" },
  { name = "floor_area_m2", type = "float", label_zh = "建筑面积", label_en = "Floor area" },
]
"""
NEW_STAGE = """[[building]]
code = "fitted_out"
zh = "装修"
en = "Fitted out"
color = "#7b3294"

"""
WAREHOUSES_TOML = """
[layers.warehouses]
kind = "warehouses"
source = "layers/warehouses.geojson"
id = "仓库编号"
[layers.warehouses.fields]
"仓库名称" = "name"
"建筑面积" = "floor_area_m2"
"""


@pytest.fixture
def new_tables(tmp_path, monkeypatch):
    """geo/data copied, with a kind ``warehouses`` (staged by the building vocabulary) and
    a building stage ``fitted_out`` (装修) between 封顶 and 竣工; read instead of geo/data."""
    from importlib import resources

    from geo import settings
    from geo.domain.tables import reload_tables

    folder = tmp_path / "data"
    folder.mkdir()
    for entry in resources.files("geo.data").iterdir():
        if entry.name.endswith(".toml"):
            (folder / entry.name).write_text(entry.read_text(encoding="utf-8"), "utf-8")
    with open(folder / "kinds.toml", "a", encoding="utf-8") as f:
        f.write(NEW_KIND)
    stages = (folder / "stages.toml").read_text(encoding="utf-8")
    anchor = '[[building]]\ncode = "completed"\n'
    assert anchor in stages
    (folder / "stages.toml").write_text(stages.replace(anchor, NEW_STAGE + anchor), "utf-8")
    monkeypatch.setattr(settings, "DATA_DIR", str(folder))
    reload_tables()
    yield folder
    monkeypatch.setattr(settings, "DATA_DIR", None)
    reload_tables()


def _warehouse_park(park, runner):
    """*park* with two warehouses (W1 装修 since 2024-06-01, W2 主体), imported."""
    import geopandas as gpd
    import shapely

    from geo.cli import cli
    from tests.conftest import PROGRESS_HEADERS, PROGRESS_SPEC, X0, Y0

    warehouses = gpd.GeoDataFrame(
        {"仓库编号": ["W1", "W2"], "仓库名称": ["一号库", "二号库"], "建筑面积": [6000.0, 3000.0]},
        geometry=[
            shapely.box(X0, Y0 - 300, X0 + 40, Y0 - 250),
            shapely.box(X0 + 60, Y0 - 300, X0 + 90, Y0 - 250),
        ],
        crs="EPSG:4544",
    )
    warehouses.to_file(park / "layers" / "warehouses.geojson", driver="GeoJSON")
    (park / "layers" / "progress.csv").write_text(
        ",".join(PROGRESS_HEADERS)
        + "\n仓库,W1,2024-03-01,主体,,\n仓库,W1,2024-06-01,装修,,\n仓库,W2,2024-04-01,主体,,\n",
        encoding="utf-8",
    )
    with open(park / "park.toml", "a", encoding="utf-8") as f:
        f.write(WAREHOUSES_TOML + PROGRESS_SPEC.format(source="layers/progress.csv"))
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 0, result.output


def test_a_new_staged_kind_and_stage_reach_status(new_tables, park, runner):
    from geo.cli import cli

    assert [s.code for s in vocabulary("building")][3:5] == ["topped_out", "fitted_out"]
    _warehouse_park(park, runner)
    status = runner.invoke(cli, ["status", "-p", str(park), "--json"])
    assert status.exit_code == 0, status.output
    layer = json.loads(status.stdout)["layers"]["warehouses"]
    assert layer["features"] == 2
    by_stage = layer["by_stage"]
    assert list(by_stage)[3:5] == ["topped_out", "fitted_out"]
    assert by_stage["fitted_out"]["count"] == 1 and by_stage["structure"]["count"] == 1
    assert by_stage["fitted_out"]["floor_area_m2"] == 6000.0  # W1, as written
    assert by_stage["structure"]["floor_area_m2"] == 3000.0
    table = runner.invoke(cli, ["status", "-p", str(park)])
    assert table.exit_code == 0
    assert "仓库 warehouses: 2" in table.output and "装修 (fitted_out)" in table.output


def test_a_new_staged_kind_and_stage_reach_the_web_map(new_tables, park, runner):
    import datetime as dt

    from geo.io.manifest import load_manifest
    from geo.render.webmap import MapOptions
    from geo.render.webmap.model import map_model
    from geo.store import open_store

    _warehouse_park(park, runner)
    manifest = load_manifest(park)
    model = map_model(open_store(manifest), manifest, MapOptions(as_of=dt.date(2024, 9, 30)))
    layer = next(x for x in model["layers"] if x["key"] == "warehouses")
    assert layer["title"] == "仓库" and layer["count"] == 2 and layer["vocab"] == "building"
    # the new stage is styled and ordered in the building vocabulary the page draws with
    fitted = model["styles"]["building"]["fitted_out"]
    assert (fitted["zh"], fitted["color"]) == ("装修", "#7b3294")
    assert fitted["order"] == model["styles"]["building"]["topped_out"]["order"] + 1
    # on the last date W1 stands at 装修, W2 at 主体 (the stage order, one digit per date)
    orders = {s["code"]: s["order"] for s in _stages("building")}
    column = layer["data"]["cols"]["ts"]  # plain values, or codes into a dictionary
    stamps = column["v"] if "v" in column else [column["dict"][c] for c in column["codes"]]
    last = [int(ts[-1]) for ts in stamps]
    assert sorted(last) == sorted([orders["fitted_out"], orders["structure"]])
    # it is drawn after the zones, as a staged layer
    keys = [x["key"] for x in model["layers"]]
    assert keys.index("warehouses") > keys.index("zones")


def test_a_new_staged_kind_and_stage_reach_a_snapshot(new_tables, park, runner, tmp_path):
    """The snapshot draws the new kind in its stage colours: W1 (装修, #7b3294) and W2
    (主体, #9ecae1, written here from stages.toml) at 90 % opacity over the background
    #f4f3ef (kinds.toml style alpha = 0.9 of NEW_KIND), the only layer drawn."""
    import datetime as dt

    import numpy as np
    from PIL import Image

    from geo.io.manifest import load_manifest
    from geo.render.snapshot import SnapshotOptions, SnapshotSession, layer_keys, parse_layers
    from geo.store import open_store
    from tests.conftest import X0, Y0

    _warehouse_park(park, runner)
    assert "warehouses" in layer_keys() and parse_layers("warehouses") == ("warehouses",)
    manifest = load_manifest(park)
    store = open_store(manifest)
    options = SnapshotOptions(as_of=dt.date(2024, 9, 30), size=(800, 500), scale=1.0)
    with SnapshotSession(renderer="static") as session:
        park_shot = session.render(store, manifest, tmp_path / "park.png", options)
        assert "warehouses" in park_shot.layers
        only = SnapshotOptions(
            as_of=dt.date(2024, 9, 30), size=(800, 500), scale=1.0, layers=("warehouses",)
        )
        shot = session.render(store, manifest, tmp_path / "w.png", only)
    pixels = np.asarray(Image.open(shot.path).convert("RGB")).astype(float)
    background = np.array([0xF4, 0xF3, 0xEF])
    for x, y, color in (
        (X0 + 20, Y0 - 275, (0x7B, 0x32, 0x94)),
        (X0 + 75, Y0 - 275, (0x9E, 0xCA, 0xE1)),
    ):
        col, row = shot.georef.pixel(x, y)
        expected = 0.9 * np.array(color) + 0.1 * background
        assert pixels[round(row), round(col)] == pytest.approx(expected, abs=3)


def _stages(name):
    return [{"code": s.code, "order": s.order} for s in vocabulary(name)]


def test_a_new_staged_kind_and_stage_reach_the_static_legend(new_tables):
    import geopandas as gpd
    import numpy as np
    import shapely
    from matplotlib import font_manager

    from geo.render.static import legend_entries, render_static

    frame = gpd.GeoDataFrame(
        {"id": ["W1"], "color": ["#7b3294"]}, geometry=[shapely.box(0, 0, 40, 50)], crs="EPSG:4544"
    )
    zones = gpd.GeoDataFrame({"name": ["Z"]}, geometry=[shapely.box(-10, -10, 50, 60)])
    frames = {"warehouses": frame, "zones": zones}
    rows = legend_entries(frames, lang="en")
    # zones are drawn first (draw = 1), then the new kind (draw = 5)
    assert [r[0] for r in rows] == ["zones"] * 2 + ["warehouses"] * 8
    assert rows[2] == ("warehouses", "heading", "Warehouses", None)
    assert rows[3 + 4] == ("warehouses", "stage", "Fitted out", "#7b3294")
    image, regions, _, _ = render_static(
        frames,
        bounds=(-10, -10, 50, 60),
        title="t",
        date_line="d",
        footer="f",
        lang="en",
        size=(800, 600),
        scale=1.0,
        font=font_manager.FontProperties(family="DejaVu Sans"),
    )
    left, top, right, bottom = regions["legend"]
    legend = np.asarray(image)[top:bottom, left:right].reshape(-1, 3)
    # the new stage's swatch, 0x7b3294 = (123, 50, 148), is in the legend
    assert (legend == (123, 50, 148)).all(axis=1).any()


@pytest.mark.parametrize(("vocab", "role", "codes"), [
    ("land", "project", ["started", "completed", "producing"]),  # the seed's 开工/竣工/投产
    ("item", "map_default", ["pavement"]),
    ("road", "done", ["done"]),  # a record at 100 % is read as done
    ("road", "partial", ["in_progress"]),  # between 0 and 100 % without a stage
    ("road", "begun", ["in_progress", "done"]),  # the next work item may follow
])  # fmt: skip
def test_the_roles_the_code_asks_for_are_in_the_tables(vocab, role, codes):
    from geo.domain.tables import stages_with_role

    assert [s.code for s in stages_with_role(vocab, role)] == codes


def test_staged_and_drawn_kinds_come_from_the_table():
    from geo.domain.tables import drawn_kinds, drawn_layers, staged_kinds

    assert staged_kinds() == ("parcels", "factories", "housing")  # roads: by section
    assert [k.name for k in drawn_kinds()] == [
        "zones", "parcels", "housing", "factories", "roads", "findings"
    ]  # fmt: skip
    # the chainage ticks (no kind) between the roads (draw 6) and the findings (draw 8)
    assert [key for key, _ in drawn_layers()] == [
        "zones", "parcels", "housing", "factories", "roads", "ticks", "findings"
    ]  # fmt: skip
