"""Importing progress records: every kind of bad row, idempotence, CSV and XLSX."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pyogrio
import pytest

from geo.cli import cli
from geo.errors import ProgressError
from geo.ingest.importer import import_project
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import PROGRESS_HEADERS as HEADERS
from tests.conftest import PROGRESS_SPEC, sha

GOOD = [
    ["地块", "P1", "2023-03-01", "已供地", "", ""],
    ["地块", "P1", "2023-06-01", "已开工", "10", "桩基施工"],
    ["parcels", "P2", "2023/7/1", "allocated", "", ""],
    ["地块", "P1", "2024-01-15", "已竣工", "100", ""],
]


def write_progress(project, rows, name="progress.csv", spec=True):
    path = project / "layers" / name
    frame = pd.DataFrame(rows, columns=HEADERS)
    if name.endswith(".xlsx"):
        frame.to_excel(path, index=False)
    else:
        frame.to_csv(path, index=False, encoding="utf-8")
    if spec:
        text = (project / "park.toml").read_text(encoding="utf-8")
        if "[progress.weekly]" not in text:
            text += PROGRESS_SPEC.format(source=f"layers/{name}")
            (project / "park.toml").write_text(text, encoding="utf-8")
    return path


def run_import(project, **kwargs):
    manifest = load_manifest(project)
    return import_project(manifest, open_store(manifest), today=dt.date(2024, 9, 30), **kwargs)


@pytest.mark.parametrize("name", ["progress.csv", "progress.xlsx"])
def test_csv_and_xlsx_with_chinese_headers(park, name):
    write_progress(park, GOOD, name=name)
    report = run_import(park)
    assert report.added == 4
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="progress")
    stored = stored.sort_values("record_id")
    assert list(stored["stage"]) == ["allocated", "started", "allocated", "completed"]
    assert [d.date().isoformat() for d in stored["date"]] == [
        "2023-03-01",
        "2023-06-01",
        "2023-07-01",
        "2024-01-15",
    ]
    assert list(stored["kind"]) == ["parcels"] * 4
    assert stored["percent"].tolist()[1] == 10.0
    assert set(stored["source_file"]) == {f"layers/{name}"}
    assert sorted(stored["source_row"]) == [2, 3, 4, 5]


def test_reimport_adds_nothing_and_history_survives(park):
    write_progress(park, GOOD)
    assert run_import(park).added == 4
    again = run_import(park)
    assert again.added == 0 and again.duplicates == 4
    # the file is what it holds: replacing its rows retracts the old ones, deletes nothing
    write_progress(park, [["地块", "P2", "2024-02-01", "已开工", "", ""]])
    assert run_import(park).files[0].counts() == {
        "added": 0,
        "changed": 1,
        "retracted": 3,
        "unchanged": 0,
    }
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="progress")
    assert len(stored) == 5
    assert stored["retracted_at"].notna().sum() == 3 and stored["superseded_by"].notna().sum() == 1


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["地块", "P9", "2023-03-01", "已供地", "", ""], "unknown feature id 'P9'"),
        (["地块", "P1", "2023-13-01", "已供地", "", ""], "'2023-13-01' is not a real date"),
        (["地块", "P1", "2023-02-30", "已供地", "", ""], "'2023-02-30' is not a real date"),
        (["地块", "P1", "next week", "已供地", "", ""], "'next week' is not a date"),
        (["地块", "P1", "2023-03-01", "已供地", "120", ""], "percent 120 is outside 0-100"),
        (
            ["地块", "P1", "2023-03-01", "已拆迁", "", ""],
            "unknown stage '已拆迁'; accepted: 规划 (planned)",
        ),
        (["地块", "P1", "2025-01-01", "已供地", "", ""], "after today (2024-09-30)"),
        (["湖泊", "P1", "2023-03-01", "已供地", "", ""], "unknown layer '湖泊'"),
        (["地块", "P1", "2023-08-01", "已收储", "", ""], "stage goes backwards: 已收储"),
    ],
)
def test_each_bad_row_refuses_the_file_and_keeps_the_store(park, row, reason):
    write_progress(park, GOOD[:2])
    run_import(park)
    before = sha(park / "park.gpkg")
    write_progress(park, [*GOOD, row])
    with pytest.raises(ProgressError) as info:
        run_import(park)
    message = str(info.value)
    assert "progress.csv row 6" in message and reason in message, message
    assert "--skip-bad" in message
    assert sha(park / "park.gpkg") == before


def test_backwards_with_a_note_is_accepted(park):
    write_progress(park, [*GOOD, ["地块", "P1", "2024-03-01", "已开工", "", "验收未通过，返工"]])
    assert run_import(park).added == 5


def test_skip_bad_imports_good_rows_and_writes_rejects(park, runner):
    bad = [
        ["地块", "P9", "2023-03-01", "已供地", "", ""],
        ["地块", "P2", "2023-05-01", "已开工", "150", ""],
    ]
    path = write_progress(park, [*GOOD, *bad])
    result = runner.invoke(cli, ["import", "-p", str(park), "--skip-bad", "--json"])
    assert result.exit_code == 1, result.output
    out = json.loads(result.stdout)
    assert out["progress_added"] == 4
    assert [(r["row"], r["reason"][:20]) for r in out["rejected"]] == [
        (6, "unknown feature id '"),
        (7, "percent 150 is outsi"),
    ]
    rejects = pd.read_csv(path.with_name("progress.rejects.csv"), dtype=str, encoding="utf-8-sig")
    assert list(rejects["编号"]) == ["P9", "P2"]
    assert list(rejects["行号 row"]) == ["6", "7"]
    assert "unknown feature id" in rejects["原因 reason"].iloc[0]
    stored = pyogrio.read_dataframe(park / "park.gpkg", layer="progress")
    assert len(stored) == 4


def test_cli_refusal_is_exit_2(park, runner):
    write_progress(park, [*GOOD, ["地块", "P9", "2023-03-01", "已供地", "", ""]])
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2
    assert "row 6" in result.output and "Traceback" not in result.output


def test_glob_source_takes_every_weekly_file(park):
    (park / "layers" / "weekly").mkdir()
    write_progress(park, GOOD[:2], name="weekly/w1.csv", spec=False)
    write_progress(park, GOOD[2:], name="weekly/w2.csv", spec=False)
    text = (park / "park.toml").read_text(encoding="utf-8")
    (park / "park.toml").write_text(
        text + PROGRESS_SPEC.format(source="layers/weekly/w*.csv"), encoding="utf-8"
    )
    assert run_import(park).added == 4
