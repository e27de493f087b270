"""checks.xlsx as a report, read back with openpyxl as a land officer opens it; and no
text from the data becomes a formula in any spreadsheet or CSV the tool writes."""

from __future__ import annotations

import csv
import itertools
import json

import openpyxl
import pytest

from geo.cli import cli
from tests.conftest import demo_project

#: Text that Excel, WPS or LibreOffice would run as a formula (OWASP, CSV injection).
PAYLOADS = [
    '=HYPERLINK("http://x","click")',
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_project(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def workbook(demo, tmp_path_factory):
    from click.testing import CliRunner

    manifest, _ = demo
    path = tmp_path_factory.mktemp("xlsx") / "checks.xlsx"
    result = CliRunner().invoke(cli, ["check", "-p", str(manifest.root), "--xlsx", str(path)])
    assert result.exit_code == 1, result.output  # the demo has two errors
    return openpyxl.load_workbook(path)


def _rows(sheet) -> list[list]:
    return [[c.value for c in row] for row in sheet.iter_rows()]


def _shoelace_mu(ring) -> float:
    """Area of a ring in EPSG:4544 metres, in 亩 (1 亩 = 10000/15 m²), by hand."""
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring))
    return abs(twice) / 2 / (10000 / 15)


def test_findings_sheet_reads_as_a_report(workbook):
    assert workbook.sheetnames[0] == "问题清单" and workbook.sheetnames[-1] == "宗地台账"
    sheet = workbook["问题清单"]
    rows = _rows(sheet)
    assert rows[0] == ["序号", "级别", "规则", "图层", "编号", "量测值", "阈值", "单位", "说明"]
    # the two planted errors, then the two parcels under their 容积率 (warnings)
    assert [r[1] for r in rows[1:]] == ["错误", "错误", "警告", "警告"]
    assert [r[4] for r in rows[3:]] == ["LKH-13", "LKH-14"]
    assert {r[2] for r in rows[3:]} == {"容积率低于控制指标"}
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:I5"
    overlap = next(r for r in rows if r[2] == "地块重叠")
    assert overlap[4] == "CCB-13; CCB-14" and overlap[5] == pytest.approx(540.0)  # 3 m × 180 m
    value_cell = sheet.cell(row=rows.index(overlap) + 1, column=6)
    assert value_cell.number_format == "#,##0"  # m², whole square metres as in every output
    # the message column is wide enough not to cut 「地块 CCB-13 与 …」 to a few characters
    assert sheet.column_dimensions["I"].width >= 40
    assert all(cell.font.bold for cell in sheet[1])


def test_ledger_one_row_per_parcel_with_measured_mu(workbook, demo):
    manifest, _ = demo
    features = json.loads((manifest.root / "layers" / "parcels.geojson").read_text("utf-8"))[
        "features"
    ]
    sheet = workbook["宗地台账"]
    rows = _rows(sheet)
    header, body, total = rows[0], rows[1:-1], rows[-1]
    assert header[:2] == ["地块编号", "所属片区"] and "量测面积(亩)" in header
    assert len(body) == len(features) == 108
    by_id = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    declared = measured = 0.0
    for feature in features:
        props = feature["properties"]
        row = by_id[props["地块编号"]]
        assert row["出让面积(亩)"] == props["出让面积(亩)"]
        rings = feature["geometry"]["coordinates"]
        mu = _shoelace_mu(rings[0]) - sum(_shoelace_mu(r) for r in rings[1:])
        assert row["量测面积(亩)"] == pytest.approx(mu, abs=0.006)
        declared += props["出让面积(亩)"] or 0
        measured += mu
    assert total[0] == "合计"
    assert total[header.index("出让面积(亩)")] == pytest.approx(declared, abs=0.01)
    assert total[header.index("量测面积(亩)")] == pytest.approx(measured, abs=0.6)
    assert "地块重叠" in by_id["CCB-13"]["核查问题"]
    assert "闲置土地" in by_id["WLT-02"]["核查问题"]
    assert sheet.freeze_panes == "A2"
    col = sheet.cell(row=2, column=header.index("量测面积(亩)") + 1)
    assert col.number_format == "#,##0.00"


def test_summary_sheets_have_totals(workbook, demo):
    sheet = workbook["按片区"]
    rows = _rows(sheet)
    count = rows[0].index("宗数")
    assert rows[-1][0] == "合计"
    assert rows[-1][count] == sum(r[count] for r in rows[1:-1])


def test_english_headers(demo, runner, tmp_path):
    manifest, _ = demo
    path = tmp_path / "en.xlsx"
    result = runner.invoke(
        cli, ["check", "-p", str(manifest.root), "--xlsx", str(path), "--lang", "en"]
    )
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Findings" and book.sheetnames[-1] == "Parcel ledger"
    assert _rows(book["Findings"])[0][:3] == ["No.", "Severity", "Rule"]
    assert _rows(book["Findings"])[1][1] == "error"


# ---------------------------------------------------------------------------- injection


def _plant(root) -> None:
    """Payloads into every text field of the demo's projects and zones, a parcel whose id is
    a payload, a project naming a missing parcel, and a bad progress row for rejects."""
    layers = root / "layers"
    path = layers / "projects.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for i, row in enumerate(rows[1:]):
        for col in ("项目名称", "企业名称", "所属产业"):
            row[header.index(col)] = PAYLOADS[i % len(PAYLOADS)] + f" {i}"
    rows[1][header.index("用地地块")] += ";=MISSING-1"
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    zones = json.loads((layers / "zones.geojson").read_text("utf-8"))
    for i, feature in enumerate(zones["features"]):
        feature["properties"]["片区名称"] = PAYLOADS[i % len(PAYLOADS)]
    (layers / "zones.geojson").write_text(json.dumps(zones, ensure_ascii=False), "utf-8")
    parcels = json.loads((layers / "parcels.geojson").read_text("utf-8"))
    parcels["features"][-1]["properties"]["地块编号"] = "@PARCEL-1"
    (layers / "parcels.geojson").write_text(json.dumps(parcels, ensure_ascii=False), "utf-8")
    with open(layers / "progress.csv", "a", encoding="utf-8", newline="") as f:
        csv.writer(f).writerow(["地块", "=NOPE(1)", "2024-01-01", "已开工", "", "", "", "+bad"])


def _no_formula_text(values, where: str) -> int:
    seen = 0
    for value in values:
        if isinstance(value, str) and value:
            assert not value.startswith(FORMULA_STARTS), f"{where}: {value!r}"
            seen += value.startswith("'") and value[1:].startswith(FORMULA_STARTS)
    return seen


def test_payloads_never_become_formulas(tmp_path, runner):
    from geo.ingest.importer import import_project
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    root = tmp_path / "park"
    from geo.demo import write_demo_project

    write_demo_project(root)
    _plant(root)
    manifest = load_manifest(root)
    store = open_store(manifest)
    report = import_project(manifest, store, skip_bad=True)
    rejects = root / "layers" / "progress.rejects.csv"
    assert rejects in report.rejects_text or rejects.exists()

    xlsx, findings_csv = tmp_path / "c.xlsx", tmp_path / "c.csv"
    for args in (
        ["--xlsx", str(xlsx)],
        ["--xlsx", str(xlsx.with_suffix(".en.xlsx")), "--lang", "en"],
        ["--csv", str(findings_csv)],
    ):
        result = runner.invoke(cli, ["check", "-p", str(root), *args])
        assert result.exit_code in (0, 1), result.output

    neutralised = 0
    for path in (xlsx, xlsx.with_suffix(".en.xlsx")):
        book = openpyxl.load_workbook(path)
        for sheet in book:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{path.name} {sheet.title}!{cell.coordinate}"
                    neutralised += _no_formula_text(
                        [cell.value], f"{sheet.title}!{cell.coordinate}"
                    )
        ledger = _rows(book[book.sheetnames[-1]])
        assert "'@PARCEL-1" in [r[0] for r in ledger]
    for path in (findings_csv, rejects):
        with open(path, encoding="utf-8-sig", newline="") as f:
            cells = [c for row in csv.reader(f) for c in row]
        neutralised += _no_formula_text(cells, path.name)
    with open(rejects, encoding="utf-8-sig", newline="") as f:
        text = f.read()
    assert "'=NOPE(1)" in text and "'+bad" in text
    # industries and zone names reach the summary, project names the ledger, ids findings
    assert neutralised >= 20
