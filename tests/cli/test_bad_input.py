"""Bad input through the CLI: every case exits 2 with a message saying what, where and how
to fix, and leaves the store byte for byte as it was (sha256 of park.gpkg)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess

import geopandas as gpd
import pyogrio
import pytest
import shapely

from geo.cli import cli
from tests.conftest import X0, Y0, manifest_text, parcels_frame, sha, write_layer, zones_frame

BOWTIE = shapely.Polygon([(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)])


@pytest.fixture
def imported(park, runner):
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 0, result.output
    return park


def refused(runner, park, args, *fragments, code=2):
    """Run parkgeo *args* on *park*: exit *code*, each fragment in the output, store unchanged."""
    before = sha(park / "park.gpkg")
    result = runner.invoke(cli, [*args, "-p", str(park)])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output
    assert sha(park / "park.gpkg") == before
    return result.output


def test_every_problem_of_an_import_in_one_run(imported, runner):
    frame = parcels_frame()
    frame["用地面积"] = ["-55", "NaN", "90", "15"]
    frame["地块编号"] = ["P1", "P1", "P3", "P4"]  # a duplicate id
    frame.loc[0, "供地日期"] = "2023-02-30"
    frame.loc[2, "geometry"] = None  # a null geometry
    frame.loc[3, "geometry"] = BOWTIE  # an invalid geometry
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    out = refused(
        runner,
        imported,
        ["import"],
        "重复编号 duplicate ids (1):",
        "'P1' at #1, #2",
        "空几何 null or empty geometry (1):",
        "'P3' (#3)",
        "无效几何 invalid geometry (1):",
        "'P4': Self-intersection",
        "面积错误 bad declared areas (2):",
        "'-55' is a negative area",
        "'NaN' is not a number (NaN); leave the cell empty",
        "日期错误 bad dates (1):",
        "feature 'P1' (#1), field allocated_on",
        "nothing was imported",
        "parkgeo import --repair",
    )
    assert out.count("→") == 5  # one fix per kind


def _declare(park, areas: list[str]) -> None:
    """The park's parcels with *areas* as their declared areas (用地面积)."""
    frame = parcels_frame()
    frame["用地面积"] = areas
    write_layer(frame, park / "layers" / "parcels", fmt="geojson")


def test_declared_areas_with_their_unit_negative_and_nan(imported, runner):
    _declare(imported, ["-55亩", "NaN 亩", "90亩", "1公顷"])
    out = refused(
        runner,
        imported,
        ["import"],
        "面积错误 bad declared areas (2):",
        "parcels.geojson [layers.parcels]: feature 'P1' (#1), field declared_area_mu",
        "'-55亩' is a negative area; write the area as a positive number (e.g. 55亩)",
        "feature 'P2' (#2), field declared_area_mu",
        "'NaN 亩' is not a number (NaN); leave the cell empty when the area is unknown",
    )
    assert "is not a number\n" not in out and "数值错误" not in out


def test_declared_areas_may_carry_their_unit(imported, runner):
    # 1 公顷 = 15 亩 (1 亩 = 10000/15 m²); 20,000 m² = 30 亩
    _declare(imported, ["20,000 m²", "45 亩", "90亩", "1公顷"])
    result = runner.invoke(cli, ["import", "-p", str(imported)])
    assert result.exit_code == 0, result.output
    stored = pyogrio.read_dataframe(imported / "park.gpkg", layer="parcels").set_index("id")
    assert stored["declared_area_mu"].to_dict() == pytest.approx(
        {"P1": 30.0, "P2": 45.0, "P3": 90.0, "P4": 15.0}, rel=1e-12
    )


def test_a_number_in_the_wrong_unit_is_refused(imported, runner):
    _declare(imported, ["30万元", "45", "90", "15"])
    refused(
        runner,
        imported,
        ["import"],
        "数值错误 bad numbers (1):",
        "feature 'P1' (#1), field declared_area_mu",
        "'30万元' is in 万元; the field is in 亩: write the number alone in 亩",
    )


def test_problems_are_capped_per_kind_with_a_count(imported, runner):
    n = 15
    columns = {c: [parcels_frame()[c][0]] * n for c in ("所属片区", "用地性质", "用地面积")}
    frame = gpd.GeoDataFrame(
        {"地块编号": [f"Q{i}" for i in range(n)], **columns, "供地日期": [""] * n},
        geometry=[None] * n,
        crs="EPSG:4544",
    )
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    out = refused(
        runner, imported, ["import"], "空几何 null or empty geometry (15):", "... and 3 more"
    )
    assert "'Q11'" in out and "'Q12'" not in out  # the first 12 listed


def _edit_manifest(park, old, new):
    path = park / "park.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


MANIFEST_CASES = {
    "misspelt key": (
        'kind = "parcels"\n',
        'kind = "parcels"\nencodng = "big5"\n',
        ["[layers.parcels] has an unknown key 'encodng'", "did you mean 'encoding'?"],
    ),
    "misspelt repair": (
        'kind = "parcels"\n',
        'kind = "parcels"\nrepiar = true\n',
        ["unknown key 'repiar'", "did you mean 'repair'?"],
    ),
    "misspelt section": (
        "[layers.zones]\n",
        "[road]\nscale_tolerance = 0.02\n\n[layers.zones]\n",
        ["unknown section [road]", "did you mean 'roads'?"],
    ),
    "repair as text": (
        'kind = "parcels"\n',
        'kind = "parcels"\nrepair = "false"\n',
        ["repair = 'false' is text (in quotes), not true or false", "repair = true"],
    ),
    "integer as_of": (
        "as_of = 2024-09-30",
        "as_of = 20240930",
        ["[park] as_of = 20240930 is a number, not a date", "as_of = 2024-09-30"],
    ),
    "unknown encoding": (
        'kind = "parcels"\n',
        'kind = "parcels"\nencoding = "utf-9"\n',
        ["encoding = 'utf-9' is not a text encoding Python knows", "gb18030"],
    ),
    "percent tolerance": (
        "[layers.zones]\n",
        '[roads]\nscale_tolerance = "2%"\n\n[layers.zones]\n',
        ["[roads] scale_tolerance = '2%' is text (in quotes), not a number", "= 0.02"],
    ),
}


@pytest.mark.parametrize("case", MANIFEST_CASES)
def test_manifest_values_are_checked_against_the_schema(imported, runner, case):
    old, new, fragments = MANIFEST_CASES[case]
    _edit_manifest(imported, old, new)
    for command in (["import"], ["status"]):
        refused(runner, imported, command, *fragments)


def test_source_field_already_called_id_and_a_mapping_onto_id(imported, runner):
    frame = parcels_frame()
    frame["id"] = ["a", "a", "b", "c"]  # a column of the source's own, not the parcel ids
    write_layer(frame, imported / "layers" / "parcels", fmt="geojson")
    refused(
        runner,
        imported,
        ["import"],
        "the source already has a field 'id', and '地块编号' is mapped onto it too",
        '"id" = "id_source"',
    )


def test_one_field_as_id_and_name(imported, runner):
    _edit_manifest(imported, '"片区名称" = "name"', '"片区名称" = "name"\n"片区编号" = "name"')
    out = refused(
        runner,
        imported,
        ["import"],
        "field '片区编号' is the id ([layers.zones] id) and is also mapped to 'name'",
    )
    assert "name missing" not in out


def test_missing_field_hint_names_the_missing_field(imported, runner):
    _edit_manifest(imported, '"片区名称" = "name"', "")
    out = refused(
        runner, imported, ["import"], "required field(s) name (名称) missing", '"名称" = "name"'
    )
    assert '"地块编号" = "id"' not in out


def test_degrees_without_crs_and_z_coordinates_are_noted(park, runner):
    frame = parcels_frame().to_crs("EPSG:4326")
    frame["geometry"] = [
        shapely.force_3d(g, 12.5) if i == 0 else g for i, g in enumerate(frame.geometry)
    ]
    path = park / "layers" / "parcels.geojson"
    path.write_text(frame.to_json(drop_id=True), encoding="utf-8")  # RFC 7946: no "crs" member
    assert '"crs"' not in path.read_text(encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 0, result.output
    assert "names no CRS, so its coordinates are taken as WGS 84" in result.output
    assert "1 feature(s) have Z (height) coordinates" in result.output
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="parcels")
    assert not stored.geometry.has_z.any()
    # 100 m × 200 m by hand, through WGS 84 and back
    p1 = stored.set_index("id").geometry["P1"]
    assert p1.area == pytest.approx(20_000.0, rel=1e-6)


def test_corrupt_store_says_restore_not_just_import(imported, runner):
    store = imported / "park.gpkg"
    store.write_bytes(b"not a GeoPackage" * 400)
    for command in (["status"], ["import"]):
        out = refused(runner, imported, command, "not a readable parkgeo store", "backup")
        assert "move park.gpkg aside" in out


@contextlib.contextmanager
def read_only(*paths):
    """*paths* read-only for real: chmod for a normal user, the immutable flag for root
    (root ignores permission bits); skips when neither is possible."""
    if os.geteuid() != 0:
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p in paths:
                p.chmod(0o755 if p.is_dir() else 0o644)
        return
    if shutil.which("chattr") is None:
        pytest.skip("no chattr to make a folder read-only for root")
    done = []
    try:
        for p in paths:
            if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode:
                pytest.skip("the file system has no immutable flag")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=True)


@pytest.mark.parametrize(
    ("command", "code", "fragments"),
    [
        (["import"], 2, ["cannot write the store", "read-only", "Nothing was written"]),
        (["check"], 0, ["no findings"]),  # reads the read-only store and reports
        (["map"], 2, ["cannot write it", "is read-only", "no file was changed"]),
        # matplotlib snapshots: the refusal is the same, and 2 s instead of a browser's 4 s
        (["brief", "--renderer", "static"], 2, ["briefing.docx: cannot write it", "read-only"]),
    ],
)
def test_read_only_project_folder(imported, runner, command, code, fragments):
    (imported / "maps").mkdir(exist_ok=True)
    with read_only(imported, imported / "park.gpkg", imported / "maps"):
        refused(runner, imported, command, *fragments, code=code)


def test_init_freezes_no_as_of_and_invents_no_english_name(tmp_path, runner):
    from geo.io.manifest import load_manifest

    folder = tmp_path / "园区"
    result = runner.invoke(cli, ["init", str(folder), "--name", "Y县工业园区"])
    assert result.exit_code == 0, result.output
    text = (folder / "park.toml").read_text(encoding="utf-8")
    assert not [line for line in text.splitlines() if line.startswith(("as_of", "name_en"))]
    manifest = load_manifest(folder)
    assert manifest.as_of == dt.date.today()  # the day a command runs, not the day of init
    assert manifest.name_en == ""
    assert manifest.display_name("en") == "Y县工业园区"  # the name as written, no translation


def _stored_sources(park):
    import sqlite3

    with contextlib.closing(sqlite3.connect(park / "park.gpkg")) as con:
        return dict(con.execute("SELECT name, source FROM parkgeo_catalog").fetchall())


def test_source_outside_the_project_is_named_and_recorded_relative(tmp_path, runner):
    project = tmp_path / "a" / "b" / "park"
    elsewhere = tmp_path / "elsewhere"
    write_layer(zones_frame(), project / "layers" / "zones", fmt="geojson")
    write_layer(parcels_frame(), elsewhere / "parcels", fmt="geojson")
    (project / "park.toml").write_text(
        manifest_text("../../../elsewhere/parcels.geojson"), encoding="utf-8"
    )
    result = runner.invoke(cli, ["import", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert "source ../../../elsewhere/parcels.geojson lies outside the project" in result.output
    sources = _stored_sources(project)
    assert sources["parcels"] == "../../../elsewhere/parcels.geojson"
    assert sources["zones"] == "layers/zones.geojson"
    assert str(tmp_path) not in repr(sources)


def test_symlink_out_of_layers_is_named(tmp_path, runner):
    project = tmp_path / "park"
    write_layer(zones_frame(), project / "layers" / "zones", fmt="geojson")
    target = write_layer(parcels_frame(), tmp_path / "elsewhere" / "parcels", fmt="geojson")
    (project / "layers" / "parcels.geojson").symlink_to(target)
    (project / "park.toml").write_text(manifest_text("layers/parcels.geojson"), encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(project)])
    assert result.exit_code == 0, result.output
    assert f"(a link to {target})" in result.output
    assert "lies outside the project folder" in result.output
    assert _stored_sources(project)["parcels"] == "layers/parcels.geojson"


def test_full_disk_when_writing_the_map(imported, runner, tmp_path):
    from tests.store.test_processes import _small_filesystem

    with _small_filesystem(tmp_path, 64) as mount:
        if mount is None:
            pytest.skip("no tmpfs mount allowed (needs root)")
        (mount / "filler").write_bytes(b"\0" * (60 * 1024))  # leave ~4 KB: less than a map
        out = mount / "park.html"
        refused(
            runner,
            imported,
            ["map", "--out", str(out)],
            "cannot write it: the disk is full",
            "no file was changed",
        )
        assert sorted(p.name for p in mount.iterdir()) == ["filler"]


def test_problems_of_every_layer_in_one_run(imported, runner):
    zones = zones_frame()
    zones["片区编号"] = ["Z1", "Z1"]
    write_layer(zones, imported / "layers" / "zones", fmt="geojson")
    (imported / "layers" / "parcels.geojson").write_text(
        '{"type": "FeatureCollection", "features": []}', encoding="utf-8"
    )
    refused(
        runner,
        imported,
        ["import"],
        "2 problem(s) of 2 kind(s)",
        "zones.geojson [layers.zones]: 'Z1' at #1, #2",
        "parcels.geojson",
        "empty",
    )


def test_a_progress_row_with_an_impossible_date_names_file_sheet_row_feature_and_field(
    imported, runner
):
    from tests.io.test_sheets import write_book

    rows = [
        ["地块", "P1", "2023-03-01", "已供地", "", ""],
        ["地块", "P2", "2023-02-30", "已供地", "", ""],  # February has no 30th
    ]
    write_book(imported, [("第3周", rows, {"totals": False})])
    # title row 1, header row 2: the bad row is row 4
    refused(
        runner,
        imported,
        ["import"],
        "进度.xlsx, sheet 第3周, row 4: feature 'P2', field date (日期):",
        "'2023-02-30' is not a real date; write it as 2024-09-30 (a day that exists)",
    )


def test_a_progress_number_may_carry_its_unit(imported, runner):
    from tests.io.test_sheets import write_book

    rows = [["地块", "P1", "2023-03-01", "已开工", "40%", ""]]
    write_book(imported, [("三月", rows, {"totals": False})])
    assert runner.invoke(cli, ["import", "-p", str(imported)]).exit_code == 0
    stored = pyogrio.read_dataframe(imported / "park.gpkg", layer="progress")
    assert list(stored["percent"]) == [40.0]


def test_a_progress_number_in_another_unit_is_refused(imported, runner):
    from tests.io.test_sheets import write_book

    rows = [["地块", "P1", "2023-03-01", "已开工", "40亩", ""]]
    write_book(imported, [("三月", rows, {"totals": False})])
    refused(
        runner,
        imported,
        ["import"],
        "进度.xlsx, sheet 三月, row 3: feature 'P1', field percent (完成比例(%)):",
        "'40亩' is in 亩; the field is in %: write the number alone in %",
    )


def _truncated_workbook(park):
    from tests.io.test_sheets import ROWS, write_book

    path = write_book(park, [("三月", ROWS, {})])
    path.write_bytes(path.read_bytes()[:600])  # a download cut short


def _gbk_csv_declared_utf8(park):
    from tests.conftest import PROGRESS_HEADERS, PROGRESS_SPEC

    lines = [",".join(PROGRESS_HEADERS), "地块,P1,2023-03-01,已供地,,首次供地"]
    (park / "layers" / "进度.csv").write_bytes("\n".join(lines).encode("gbk"))
    spec = PROGRESS_SPEC.format(source="layers/进度.csv")
    spec = spec.replace("[progress.weekly.fields]", 'encoding = "utf-8"\n[progress.weekly.fields]')
    with (park / "park.toml").open("a", encoding="utf-8") as toml:
        toml.write(spec)


PROGRESS_SOURCE_CASES = {
    "truncated xlsx": (
        _truncated_workbook,
        ["进度.xlsx", "not a readable .xlsx workbook", "save it again"],
    ),
    "GBK CSV declared utf-8": (
        _gbk_csv_declared_utf8,
        ["进度.csv", "look like GB18030 (GBK)", 'set encoding = "gbk"'],
    ),
}


@pytest.mark.parametrize("case", PROGRESS_SOURCE_CASES)
def test_unreadable_progress_sources_through_the_cli(imported, runner, case):
    write, fragments = PROGRESS_SOURCE_CASES[case]
    write(imported)
    refused(runner, imported, ["import"], *fragments)


def test_controls_already_in_the_store_break_neither_xlsx_nor_briefing(imported, runner):
    """An ESC or BEL in a stored name (written past import, as an older parkgeo could) made
    `check --xlsx` (openpyxl IllegalCharacterError) and `brief` (python-docx) crash."""
    import docx
    import openpyxl

    from tests.cli.test_common import HOSTILE, _write_directly

    sql = "UPDATE parcels SET id = ?, declared_area_mu = 50 WHERE id = 'P1'"
    _write_directly(imported / "park.gpkg", sql, HOSTILE)
    xlsx, word = imported / "checks.xlsx", imported / "briefing.docx"
    result = runner.invoke(cli, ["check", "-p", str(imported), "--xlsx", str(xlsx)])
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    cells = [
        str(c)
        for ws in openpyxl.load_workbook(xlsx)
        for r in ws.iter_rows(values_only=True)
        for c in r
    ]
    assert "P1" in cells  # the escape sequences removed (clean_text), the id kept
    assert not any("\x1b" in c or "\x07" in c for c in cells)
    args = ["brief", "-p", str(imported), "--renderer", "static", "--out", str(word)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    assert docx.Document(word).paragraphs  # a readable Word file
