"""The progress template: built from the demo store, filled with openpyxl as a clerk would,
imported back."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pyogrio
import pytest

from geo.cli import cli
from geo.ingest.importer import import_project
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import demo_project

TODAY = dt.date(2024, 9, 30)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    demo_project(root, today=TODAY)
    return root


def _import(root):
    manifest = load_manifest(root)
    return import_project(manifest, open_store(manifest), today=TODAY)


def _rows(ws):
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, r, strict=True)) for r in ws.iter_rows(2, values_only=True)]
    return header, [r for r in rows if r[header[1]] is not None]  # not the spare rows


def _records_from(root, source: str):
    """The stored records of *source* (by kind; None for empty) and their
    (kind, id, date, stage, item, from, to)."""
    stored = pyogrio.read_dataframe(root / "park.gpkg", layer="progress")
    new = stored[stored["source_file"] == source].sort_values("kind")
    new = new.astype(object).where(new.notna(), None)
    return new, [
        (r.kind, r.feature_id, r.date.date().isoformat(), r.stage, r.item, r.from_m, r.to_m)
        for r in new.itertuples()
    ]


def test_template_is_built_filled_and_imported(demo, runner, tmp_path):
    out = demo / "layers" / "进度填报.xlsx"
    result = runner.invoke(cli, ["template", "-p", str(demo), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    sheets = {s["kind"]: s for s in json.loads(result.stdout)["sheets"]}
    parcels = pyogrio.read_dataframe(demo / "park.gpkg", layer="parcels")
    roads = pyogrio.read_dataframe(demo / "park.gpkg", layer="roads")
    assert sheets["parcels"]["features"] == len(parcels)
    assert sheets["roads"]["features"] == len(roads)

    book = openpyxl.load_workbook(out)
    assert {"地块", "道路"} <= set(book.sheetnames)
    ws = book["地块"]
    header, rows = _rows(ws)
    assert header[:4] == ["图层", "编号", "当前阶段", "日期"]
    assert "记录编号" in header
    assert [r["编号"] for r in rows] == list(parcels["id"])
    stage_col = openpyxl.utils.get_column_letter(header.index("阶段") + 1)
    (dropdown,) = [v for v in ws.data_validations.dataValidation if stage_col in str(v.sqref)]
    assert dropdown.type == "list" and "已供地" in dropdown.formula1
    date_col = header.index("日期") + 1
    assert ws.cell(row=2, column=date_col).number_format == "yyyy-mm-dd"
    roads_ws = book["道路"]
    road_header, road_rows = _rows(roads_ws)
    assert road_header[:3] == ["图层", "编号", "名称"]
    chainage = roads_ws.cell(row=1, column=road_header.index("桩号范围") + 1)
    assert "K0+000~K0+500" in chainage.comment.text

    text = (demo / "park.toml").read_text(encoding="utf-8")
    text += '\n[progress.template]\nsource = "layers/进度填报.xlsx"\n'
    (demo / "park.toml").write_text(text, encoding="utf-8")
    before = len(pyogrio.read_dataframe(demo / "park.gpkg", layer="progress"))
    assert _import(demo).added == 0  # unchanged: every row records nothing

    # a clerk fills it: the first parcel still 已收储 is allocated; a road section is started
    pos = next(i for i, r in enumerate(rows) if r["当前阶段"] == "已收储")
    parcel_id = rows[pos]["编号"]
    ws.cell(row=pos + 2, column=header.index("阶段") + 1, value="已供地")
    ws.cell(
        row=pos + 2, column=date_col, value=dt.datetime(2024, 9, 2)
    ).number_format = "yyyy-mm-dd"
    road_id = road_rows[0]["编号"]
    for name, value in (
        ("日期", dt.datetime(2024, 9, 3)),
        ("分项", "路基"),
        ("桩号范围", "K0+010~K0+090"),
        ("阶段", "施工中"),
    ):
        roads_ws.cell(row=2, column=road_header.index(name) + 1, value=value)
    book.save(out)
    report = _import(demo)
    assert report.added == 2, report.notes
    assert len(pyogrio.read_dataframe(demo / "park.gpkg", layer="progress")) == before + 2
    _, got = _records_from(demo, "layers/进度填报.xlsx")
    assert got == [
        ("parcels", parcel_id, "2024-09-02", "allocated", None, None, None),
        ("roads", road_id, "2024-09-03", "in_progress", "subgrade", 10.0, 90.0),
    ]


def test_english_headers(demo, tmp_path):
    from geo.render.template import write_template

    manifest = load_manifest(demo)
    path = write_template(tmp_path / "t.xlsx", open_store(manifest), as_of=TODAY, lang="en")
    book = openpyxl.load_workbook(path)
    assert "Parcels" in book.sheetnames
    assert [c.value for c in book["Parcels"][1]][:4] == [
        "Layer",
        "Feature ID",
        "Current stage",
        "Date",
    ]


def _fill(ws, header: list, row: int, cells: dict) -> None:
    """Write *cells* (heading → value) into *row* of *ws*, as a clerk types them."""
    for name, value in cells.items():
        ws.cell(row=row, column=header.index(name) + 1, value=value)


def test_english_template_filled_by_a_clerk_imports(tmp_path, runner):
    """The --lang en workbook: English sheet names, headers, stages and layer names all
    read back by import, with no field map in park.toml."""
    root = tmp_path / "park"
    demo_project(root, today=TODAY)
    out = root / "layers" / "progress-en.xlsx"
    args = ["template", "-p", str(root), "--lang", "en", "--as-of", "2024-09-30"]
    result = runner.invoke(cli, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = (root / "park.toml").read_text(encoding="utf-8")
    text += '\n[progress.english]\nsource = "layers/progress-en.xlsx"\n'
    (root / "park.toml").write_text(text, encoding="utf-8")
    before = len(pyogrio.read_dataframe(root / "park.gpkg", layer="progress"))
    assert _import(root).added == 0  # unchanged: it records nothing
    assert len(pyogrio.read_dataframe(root / "park.gpkg", layer="progress")) == before

    book = openpyxl.load_workbook(out)
    ws, roads_ws = book["Parcels"], book["Roads"]
    header, rows = _rows(ws)
    road_header, road_rows = _rows(roads_ws)
    pos = next(i for i, r in enumerate(rows) if r["Current stage"] == "Land reserved")
    parcel_id = rows[pos]["Feature ID"]
    parcel_cells = {"Date": dt.datetime(2024, 9, 2), "Stage": "Allocated"}
    _fill(ws, header, pos + 2, {**parcel_cells, "Note": "contract signed"})
    # the date typed as text, as clerks do
    road_cells = {"Date": "2024-09-03", "Work item": "Pavement", "Chainage range": "K0+100~K0+250"}
    _fill(roads_ws, road_header, 2, {**road_cells, "Stage": "In progress", "Percent": "30%"})
    book.save(out)

    report = _import(root)
    assert report.added == 2, report.notes
    new, got = _records_from(root, "layers/progress-en.xlsx")
    assert got == [
        ("parcels", parcel_id, "2024-09-02", "allocated", None, None, None),
        (
            "roads",
            road_rows[0]["Feature ID"],
            "2024-09-03",
            "in_progress",
            "pavement",
            100.0,
            250.0,
        ),
    ]
    assert list(new["percent"]) == [None, 30.0]
    assert list(new["note"]) == ["contract signed", ""]
