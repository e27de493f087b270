"""`history`, `retract` and `--as-recorded` through the real CLI on the demo park, on a
GeoPackage and on PostGIS."""

from __future__ import annotations

import datetime as dt
import json
import time

from geo.cli import cli
from tests.conftest import demo_project

MISTAKE = "地块,WLT-02,2024-06-01,已开工,,,,误录\n"


def _idle(runner, root, *extra) -> list:
    result = runner.invoke(cli, ["check", "-p", str(root), "--json", *extra])
    assert result.exit_code in (0, 1), result.output
    findings = json.loads(result.stdout)["findings"]
    return [f["ids"] for f in findings if f["rule"] == "idle_unstarted_reclaim"]


def _status(runner, root, *extra) -> str:
    result = runner.invoke(cli, ["status", "-p", str(root), "--json", *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_mistaken_row_deleted_brings_the_idle_finding_back(tmp_path, runner, store_url):
    _, store = demo_project(tmp_path, store=store_url)
    assert "findings" not in store.names()  # findings are derived for each command, never stored
    csv = tmp_path / "layers" / "progress.csv"
    original = csv.read_text(encoding="utf-8")
    # WLT-02 is the demo's one idle parcel (never started): the land bureau's finding
    assert _idle(runner, tmp_path) == [["WLT-02"]]
    before = _status(runner, tmp_path)
    time.sleep(0.01)
    moment = dt.datetime.now(dt.UTC).isoformat()
    time.sleep(0.01)

    csv.write_text(original + MISTAKE, encoding="utf-8")
    assert runner.invoke(cli, ["import", "-p", str(tmp_path)]).exit_code == 0
    assert _idle(runner, tmp_path) == []  # the mistake says it started
    assert _status(runner, tmp_path) != before
    # what the store knew before the mistake, regenerated exactly
    assert _status(runner, tmp_path, "--as-recorded", moment) == before
    assert _idle(runner, tmp_path, "--as-recorded", moment) == [["WLT-02"]]

    csv.write_text(original, encoding="utf-8")
    done = runner.invoke(cli, ["import", "-p", str(tmp_path)])
    assert done.exit_code == 0 and "layers/progress.csv" in done.output
    assert _idle(runner, tmp_path) == [["WLT-02"]]
    assert _status(runner, tmp_path) == before
    history = runner.invoke(cli, ["history", "-p", str(tmp_path), "WLT-02"])
    assert history.exit_code == 0
    assert "retracted" in history.output and "误录" in history.output


def test_as_recorded_rejects_a_non_date(tmp_path, runner, store_url):
    demo_project(tmp_path, store=store_url)
    result = runner.invoke(cli, ["status", "-p", str(tmp_path), "--as-recorded", "yesterday"])
    assert result.exit_code == 2 and "not a date" in result.output
