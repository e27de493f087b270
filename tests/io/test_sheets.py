"""Office spreadsheets as a clerk makes them: a merged title above the header, date cells,
several sheets, a totals row; every message names file, sheet and row."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pyogrio
import pytest

from geo.cli import cli
from geo.errors import LayerReadError, ProgressError
from geo.io.sheets import find_header
from geo.io.sources import read_table
from tests.conftest import PROGRESS_HEADERS as HEADERS
from tests.conftest import PROGRESS_SPEC
from tests.ingest.test_records import run_import, write_progress

TITLE = "Y县工业园区项目进度周报表"


def clerk_sheet(ws, rows, *, blank_row=False, totals=True):
    """Title merged over the header's width, maybe a blank row, the header, rows, 合计."""
    ws.append([TITLE])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    if blank_row:
        ws.append(["填报单位：招商局", None, None, "单位：%"])
    ws.append(HEADERS)
    for row in rows:
        ws.append(row)
    for cell in ws["C"]:
        if isinstance(cell.value, dt.date):
            cell.number_format = "yyyy-mm-dd"
    if totals:
        ws.append(["合计", None, None, None, f"=SUM(E3:E{ws.max_row})", None])


ROWS = [
    ["地块", "P1", dt.datetime(2023, 3, 1), "已供地", None, None],
    ["地块", "P1", 45356, "已开工", 10, "桩基施工"],  # serial 45356 = 2024-03-05 (hand count)
    ["地块", "P2", "2023/7/1", "已供地", None, None],
]


def write_book(park, sheets, name="进度.xlsx", spec_extra=""):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, kwargs in sheets:
        clerk_sheet(book.create_sheet(title), rows, **kwargs)
    path = park / "layers" / name
    book.save(path)
    text = (park / "park.toml").read_text(encoding="utf-8")
    spec = PROGRESS_SPEC.format(source=f"layers/{name}")
    if spec_extra:
        spec = spec.replace("[progress.weekly.fields]", spec_extra + "\n[progress.weekly.fields]")
    (park / "park.toml").write_text(text + spec, encoding="utf-8")
    return path


def stored(park):
    frame = pyogrio.read_dataframe(park / "park.gpkg", layer="progress")
    return frame.sort_values(["source_sheet", "source_row"])


@pytest.mark.parametrize("blank_row", [False, True])
def test_title_row_above_the_header_is_skipped(park, blank_row):
    write_book(park, [("三月", ROWS, {"blank_row": blank_row})])
    report = run_import(park)
    assert report.added == 3
    got = stored(park)
    first = 4 if blank_row else 3  # title, (blank/unit row), header, then the rows
    assert list(got["source_row"]) == [first, first + 1, first + 2]
    assert [d.date().isoformat() for d in got["date"]] == ["2023-03-01", "2024-03-05", "2023-07-01"]
    assert list(got["stage"]) == ["allocated", "started", "allocated"]
    assert (
        f"进度.xlsx, sheet 三月, row {first + 3}: a totals row (合计), not imported" in report.notes
    )


def test_header_row_in_the_manifest(park):
    write_book(park, [("三月", ROWS, {"blank_row": True})], spec_extra="header_row = 3")
    assert run_import(park).added == 3


def test_wrong_header_row_lists_what_the_sheet_has(park):
    write_book(park, [("三月", ROWS, {})], spec_extra="header_row = 1")
    with pytest.raises(LayerReadError) as info:
        run_import(park)
    # row 1 taken as header: the field map's 图层 is missing and the fields found are listed
    assert TITLE in str(info.value) and "进度.xlsx, sheet 三月" in str(info.value)


def test_no_header_found_lists_rows_and_says_header_row(park):
    book = openpyxl.Workbook()
    book.active.append([TITLE])
    book.active.append(["类型", "代码", "时间"])
    book.active.append(["地块", "P1", "2023-03-01"])
    book.save(park / "layers" / "进度.xlsx")
    text = (park / "park.toml").read_text(encoding="utf-8")
    text += PROGRESS_SPEC.format(source="layers/进度.xlsx")
    (park / "park.toml").write_text(text, encoding="utf-8")
    with pytest.raises(LayerReadError) as info:
        run_import(park)
    msg = str(info.value)
    assert "no header row found" in msg and "row 2: 类型, 代码, 时间" in msg
    assert "header_row = N in [progress.weekly]" in msg


def test_every_sheet_with_the_header_is_imported_and_others_named(park):
    book_rows = [
        ("三月", ROWS[:1], {}),
        ("四月", ROWS[1:], {"totals": False}),
    ]
    path = write_book(park, book_rows)
    book = openpyxl.load_workbook(path)
    book.create_sheet("填表说明").append(["阶段请从下拉列表选择"])
    book.save(path)
    report = run_import(park)
    assert report.added == 3
    got = stored(park)
    # the first sheet keeps the name records had before sheets were read ("")
    assert list(zip(got["source_sheet"].fillna(""), got["source_row"], strict=True)) == [
        ("", 3),
        ("四月", 3),
        ("四月", 4),
    ]
    assert any("填表说明" in n and "not imported" in n for n in report.notes)


def test_bad_rows_name_file_sheet_and_row_and_rejects_are_per_sheet(park, runner):
    bad = ["地块", "P9", "2023-03-01", "已供地", None, None]
    path = write_book(park, [("三月", [*ROWS[:1], bad], {}), ("四月", [bad], {})])
    with pytest.raises(ProgressError) as info:
        run_import(park)
    assert "进度.xlsx, sheet 三月, row 4: unknown feature id 'P9'" in str(info.value)
    assert "进度.xlsx, sheet 四月, row 3: unknown feature id 'P9'" in str(info.value)
    result = runner.invoke(cli, ["import", "-p", str(park), "--skip-bad", "--json"])
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert sorted(out["rejects_files"]) == sorted(
        [str(path.with_name("进度.rejects.csv")), str(path.with_name("进度.四月.rejects.csv"))]
    )


def test_named_sheet_only(park):
    write_book(park, [("三月", ROWS[:1], {}), ("四月", ROWS[1:], {})], spec_extra='sheet = "四月"')
    assert run_import(park).added == 2
    assert set(stored(park)["source_sheet"]) == {"四月"}


def test_unknown_sheet_lists_the_sheets(park):
    write_book(park, [("三月", ROWS, {})], spec_extra='sheet = "五月"')
    with pytest.raises(LayerReadError, match="no sheet '五月'; the workbook holds 三月"):
        run_import(park)


def test_find_header_without_field_names_skips_a_merged_title():
    rows = [[TITLE, "", ""], ["", "", ""], ["编号", "名称", "面积"], ["P1", "一号", "3"]]
    assert find_header(rows) == 2
    assert find_header(rows, expected={"名称"}) == 2
    assert find_header(rows, expected={"别的"}) is None
    assert find_header(rows, header_row=1) == 0


def test_csv_with_a_title_line(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(f"{TITLE}\n编号,阶段\nP1,已开工\n\n合计,1\n", encoding="utf-8")
    raw = read_table(path, expected={"编号"})
    assert raw.frame.to_dict("records") == [{"编号": "P1", "阶段": "已开工"}]
    assert raw.rows == [3]


def test_real_xls_with_a_title_row_and_date_cells(park):
    # a BIFF8 .xls written by xlwt (another implementation than the reader, xlrd)
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("三月")
    ws.write_merge(0, 0, 0, len(HEADERS) - 1, TITLE)
    for col, name in enumerate(HEADERS):
        ws.write(1, col, name)
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for r, row in enumerate(ROWS, 2):
        for col, value in enumerate(row):
            if isinstance(value, dt.datetime):
                ws.write(r, col, value, dated)
            elif value is not None:
                ws.write(r, col, value)
    book.save(str(park / "layers" / "进度.xls"))
    text = (park / "park.toml").read_text(encoding="utf-8")
    text += PROGRESS_SPEC.format(source="layers/进度.xls")
    (park / "park.toml").write_text(text, encoding="utf-8")
    assert run_import(park).added == 3
    got = stored(park)
    assert list(got["source_row"]) == [3, 4, 5]
    assert [d.date().isoformat() for d in got["date"]] == ["2023-03-01", "2024-03-05", "2023-07-01"]


def test_truncated_xlsx_is_exit_2_with_a_message(park, runner):
    path = write_book(park, [("三月", ROWS, {})])
    path.write_bytes(path.read_bytes()[:600])
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2, result.output
    assert "not a readable .xlsx workbook" in result.output and "save it again" in result.output
    assert "Traceback" not in result.output


def test_gbk_csv_declared_utf8_says_set_gbk(tmp_path):
    path = tmp_path / "进度.csv"
    path.write_bytes("编号,阶段\nP1,已开工\n".encode("gbk"))
    with pytest.raises(LayerReadError, match='look like GB18030 \\(GBK\\): set encoding = "gbk"'):
        read_table(path, encoding="utf-8")
    with pytest.raises(LayerReadError, match=r"'utf-9' in park\.toml is not a known"):
        read_table(path, encoding="utf-9")
    assert read_table(path, encoding="gbk").frame.to_dict("records") == [
        {"编号": "P1", "阶段": "已开工"}
    ]


def test_controls_are_stripped_from_progress_and_layer_text_at_import(park):
    import geopandas as gpd

    from tests.conftest import write_layer, zones_frame

    zones = zones_frame()
    zones.loc[0, "片区名称"] = "五里梁\u202e片区\x1b]0;pwned\x07"
    write_layer(gpd.GeoDataFrame(zones), park / "layers" / "zones", fmt="geojson")
    # a CSV: Excel's XML cannot hold these characters at all
    rows = [["地块", "P1\x1b[0m", "2023-03-01", "已供地", "", "第一行\x07\r\n第二行"]]
    write_progress(park, rows)
    run_import(park)
    got = stored(park)
    assert list(got["feature_id"]) == ["P1"]
    assert list(got["note"]) == ["第一行\n第二行"]
    names = pyogrio.read_dataframe(park / "park.gpkg", layer="zones")["name"]
    assert sorted(names) == ["五里梁片区", "青东X"]


@pytest.mark.parametrize("value", ['"2"', "0", "true"])
def test_header_row_must_be_a_row_number(park, value):
    from geo.errors import ManifestError

    write_book(park, [("三月", ROWS, {})], spec_extra=f"header_row = {value}")
    with pytest.raises(ManifestError, match=r"not a (whole|row) number"):
        run_import(park)
