"""Formula neutralisation of text cells (OWASP CSV injection)."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from geo.io.cells import safe_cell, safe_frame, write_csv


@pytest.mark.parametrize(
    "text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", '=HYPERLINK("x")']
)
def test_formula_text_gets_an_apostrophe(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["三号路", "K0+500", "a=b", "", None, -3.5, 7, "'=kept"])
def test_other_values_unchanged(value):
    assert safe_cell(value) == value


def test_frame_and_csv(tmp_path):
    frame = pd.DataFrame({"=name": ["=1+1", "ok"], "n": [-1.5, 2.0]})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=name", "n"]
    assert safe["=name".join(["'", ""])].tolist() == ["'=1+1", "ok"]
    assert safe["n"].tolist() == [-1.5, 2.0]
    assert frame["=name"].tolist() == ["=1+1", "ok"]  # the input is not changed
    path = write_csv(tmp_path / "out.csv", frame)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        assert list(csv.reader(f)) == [["'=name", "n"], ["'=1+1", "-1.5"], ["ok", "2.0"]]


def test_controls_already_in_a_store_do_not_break_a_workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    text = "创业\x1b[31m大道\x07\x1b]0;t\x07\u202e"
    with pytest.raises(openpyxl.utils.exceptions.IllegalCharacterError):
        book.active.append([text])  # what check --xlsx did before
    book.active.append([safe_cell(text), safe_cell("=1\x07")])
    book.save(tmp_path / "a.xlsx")
    row = next(openpyxl.load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True))
    assert row == ("创业大道", "'=1")
