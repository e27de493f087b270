"""checks.xlsx's 集约利用与亩均效益 sheet on the flawed park with its economy
(tests/cli/test_intensity.py): P15, 15 亩, 容积率 0.32, 亩均税收 15, 亩均产值 300,
score 100 → A; 0.32 < 1.0 and < 0.6 but completed 2023-05-01: exempt on 2024-09-30."""

from __future__ import annotations

import openpyxl
import pytest

from geo.cli import cli
from tests.cli.test_intensity import park  # noqa: F401  (the fixture)


def _sheet(park, runner, tmp_path, *args):  # noqa: F811
    path = tmp_path / "checks.xlsx"
    result = runner.invoke(cli, ["check", "-p", str(park), "--xlsx", str(path), *args])
    assert result.exit_code == 1, result.output
    book = openpyxl.load_workbook(path)
    return book, book.sheetnames


def test_intensity_sheet_by_hand(park, runner, tmp_path):  # noqa: F811
    book, names = _sheet(park, runner, tmp_path)
    assert names[-1] == "宗地台账" and "集约利用与亩均效益" in names
    sheet = book["集约利用与亩均效益"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    header, (p15,) = rows[0], rows[1:]
    got = dict(zip(header, p15, strict=True))
    assert got["地块编号"] == "P15" and got["行业代码"] == "13" and got["状态"] == "已竣工"
    assert got["容积率"] == pytest.approx(0.32) and got["亩均税收(万元/亩)"] == pytest.approx(15.0)
    assert got["亩均产值(万元/亩)"] == pytest.approx(300.0)
    assert got["综合得分"] == pytest.approx(100.0) and got["亩均效益等级"] == "A 优先发展"
    assert got["低效用地"] is None and got["豁免"] == "投产未满3年"
    assert "容积率低于绝对下限: 0.32 < 1.00" in got["低效用地认定规则"]
    assert "容积率低于控制标准的60%: 0.32 < 0.60" in got["低效用地认定规则"]
    column = header.index("容积率") + 1
    assert sheet.cell(row=2, column=column).number_format == "0.00"
    assert sheet.freeze_panes == "A2"


def test_intensity_sheet_in_english(park, runner, tmp_path):  # noqa: F811
    book, _ = _sheet(park, runner, tmp_path, "--lang", "en")
    rows = [[c.value for c in r] for r in book["Land-use intensity"].iter_rows()]
    got = dict(zip(rows[0], rows[1], strict=True))
    assert got["Yield class"] == "A priority" and got["Exempt"] == "under 3 years in production"
