"""A progress file is the record of what it holds: each kind of edit, through `parkgeo import`
on real CSV and XLSX files, with `parkgeo history` asserted."""

from __future__ import annotations

import json

import pytest

from geo.cli import cli
from tests.conftest import is_pg, read_back, store_location, store_state
from tests.ingest.test_records import GOOD, PROGRESS_SPEC, write_progress


def _import(runner, park, *extra):
    result = runner.invoke(cli, ["import", "-p", str(park), "--json", *extra])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    return {
        f["file"]: {k: f[k] for k in ("added", "changed", "retracted", "unchanged")}
        for f in out["files"]
    }, out


def _history(runner, park, fid):
    result = runner.invoke(cli, ["history", "-p", str(park), fid, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _counts(added=0, changed=0, retracted=0, unchanged=0):
    return {"added": added, "changed": changed, "retracted": retracted, "unchanged": unchanged}


@pytest.mark.parametrize("name", ["progress.csv", "progress.xlsx"])
def test_each_edit_of_a_file(park, runner, name):
    key = f"layers/{name}"
    write_progress(park, GOOD, name=name)
    assert _import(runner, park, "--by", "王工")[0] == {key: _counts(added=4)}
    p1 = _history(runner, park, "P1")
    # on PostGIS the database says who writes: the user parkgeo logged in as, not --by
    by = "postgres" if is_pg(store_location(park)) else "王工"
    assert [r["recorded_by"] for r in p1["records"]] == [by] * 3
    assert [(t["date"], t["stage"]) for t in p1["timeline"]] == [
        ("2023-03-01", "allocated"),
        ("2023-06-01", "started"),
        ("2024-01-15", "completed"),
    ]
    # a row inserted above the others: one added, the rest unchanged
    rows = [["地块", "P3", "2023-02-01", "已供地", "", ""], *GOOD]
    write_progress(park, rows, name=name)
    assert _import(runner, park)[0] == {key: _counts(added=1, unchanged=4)}
    # the rows re-sorted: nothing changes
    write_progress(park, rows[::-1], name=name)
    assert _import(runner, park)[0] == {key: _counts(unchanged=5)}
    # a cell fixed (P1 started: 10 % → 20 %) supersedes that record
    fixed = [r.copy() for r in rows[::-1]]
    i = next(i for i, r in enumerate(fixed) if r[3] == "已开工")
    fixed[i][4] = "20"
    write_progress(park, fixed, name=name)
    assert _import(runner, park)[0] == {key: _counts(changed=1, unchanged=4)}
    # ... and fixed back: a third record, the second superseded by it
    write_progress(park, rows[::-1], name=name)
    assert _import(runner, park)[0] == {key: _counts(changed=1, unchanged=4)}
    started = [r for r in _history(runner, park, "P1")["records"] if r["stage"] == "started"]
    assert [(r["percent"], r["status"]) for r in started] == [
        (10.0, "superseded"),
        (20.0, "superseded"),
        (10.0, "active"),
    ]
    assert started[0]["superseded_by"] == started[1]["record_id"]
    assert started[1]["superseded_by"] == started[2]["record_id"]
    # a row deleted: its record is retracted, not deleted
    write_progress(park, [r for r in rows if r[1] != "P2"], name=name)
    assert _import(runner, park)[0] == {key: _counts(retracted=1, unchanged=4)}
    p2 = _history(runner, park, "P2")
    assert [(r["status"], r["retracted_why"]) for r in p2["records"]] == [
        ("retracted", "removed from its source file")
    ]
    # what remains is the parcel's own 供地日期 (2023/5/6 in the parcels layer)
    assert p2["timeline"] == [{"date": "2023-05-06", "stage": "allocated"}]


def test_dry_run_prints_and_writes_nothing(park, runner):
    write_progress(park, GOOD)
    _import(runner, park)
    before = store_state(store_location(park))
    write_progress(park, [*GOOD[:3], ["地块", "P2", "2024-02-01", "已开工", "", ""]])
    counts, out = _import(runner, park, "--dry-run")
    assert out["dry_run"] and counts == {"layers/progress.csv": _counts(changed=1, unchanged=3)}
    assert store_state(store_location(park)) == before
    table = runner.invoke(cli, ["import", "-p", str(park), "--dry-run"])
    assert "dry run" in table.output and "layers/progress.csv" in table.output


def test_record_id_column_matches_rows_whatever_else_changes(park, runner):
    spec = PROGRESS_SPEC.replace('"备注" = "note"', '"备注" = "note"\n"记录编号" = "record_id"')
    (park / "park.toml").write_text(
        (park / "park.toml").read_text(encoding="utf-8") + spec.format(source="layers/ids.csv"),
        encoding="utf-8",
    )
    path = park / "layers" / "ids.csv"
    header = "图层,编号,日期,阶段,完成比例(%),备注,记录编号\n"
    path.write_text(
        header + "地块,P1,2023-03-01,已供地,,,a\n地块,P2,2023-03-02,已供地,,,b\n", encoding="utf-8"
    )
    assert _import(runner, park)[0] == {"layers/ids.csv": _counts(added=2)}
    # re-sorted and P1's date fixed: the id says which record changed
    path.write_text(
        header + "地块,P2,2023-03-02,已供地,,,b\n地块,P1,2023-03-05,已供地,,,a\n", encoding="utf-8"
    )
    assert _import(runner, park)[0] == {"layers/ids.csv": _counts(changed=1, unchanged=1)}
    assert [r["status"] for r in _history(runner, park, "P1")["records"]] == [
        "superseded",
        "active",
    ]


def test_vanished_file_keeps_its_records_and_import_says_so(park, runner, monkeypatch):
    import geo.ingest.importer

    outlines = []  # whether each import read only the records' outline
    whole = geo.ingest.importer.unchanged_as_a_whole
    monkeypatch.setattr(
        geo.ingest.importer,
        "unchanged_as_a_whole",
        lambda *a, **k: outlines.append(whole(*a, **k)) or outlines[-1],
    )
    (park / "layers" / "weekly").mkdir()
    write_progress(park, GOOD[:2], name="weekly/w1.csv", spec=False)
    write_progress(park, GOOD[2:3], name="weekly/w2.csv", spec=False)
    text = (park / "park.toml").read_text(encoding="utf-8")
    (park / "park.toml").write_text(
        text + PROGRESS_SPEC.format(source="layers/weekly/w*.csv"), encoding="utf-8"
    )
    _import(runner, park)
    (park / "layers" / "weekly" / "w2.csv").unlink()
    counts, out = _import(runner, park)
    assert counts == {"layers/weekly/w1.csv": _counts(unchanged=2)}
    assert out["vanished"] == [{"file": "layers/weekly/w2.csv", "sheet": "", "records": 1}]
    assert any("w2.csv is no longer among the progress sources" in n for n in out["notes"])
    assert out["counts"]["progress"] == 3  # w1's two records and w2's one, kept
    assert [r["status"] for r in _history(runner, park, "P2")["records"]] == ["active"]
    # w1 unchanged: the second import planned from the outline, and said the same
    assert outlines == [False, True]


def test_retract_keeps_the_record_and_a_reimport_does_not_bring_it_back(park, runner):
    write_progress(park, GOOD)
    _import(runner, park)
    rid = _history(runner, park, "P2")["records"][0]["record_id"]
    done = runner.invoke(cli, ["retract", "-p", str(park), rid, "--why", "误录", "--by", "李工"])
    assert done.exit_code == 0, done.output
    rec = _history(runner, park, "P2")["records"][0]
    by = "postgres" if is_pg(store_location(park)) else "李工"
    assert (rec["status"], rec["retracted_by"], rec["retracted_why"]) == ("retracted", by, "误录")
    assert _import(runner, park)[0] == {"layers/progress.csv": _counts(unchanged=4)}
    assert [r["status"] for r in _history(runner, park, "P2")["records"]] == ["retracted"]
    again = runner.invoke(cli, ["retract", "-p", str(park), rid, "--why", "x"])
    assert again.exit_code == 2 and "already retracted" in again.output
    missing = runner.invoke(cli, ["retract", "-p", str(park), "R999999", "--why", "x"])
    assert missing.exit_code == 2 and "no progress record 'R999999'" in missing.output


def test_store_of_an_earlier_parkgeo_keeps_its_records(park, runner):
    """A progress table without record ids (content-keyed, ``seq`` numbered) is upgraded in
    place on the next import: every record kept, none added twice."""
    import pandas as pd
    import pyogrio

    if is_pg(store_location(park)):
        pytest.skip("stores of earlier parkgeo versions are GeoPackages")
    write_progress(park, GOOD)
    _import(runner, park)
    earlier = pd.DataFrame(
        {
            "kind": ["parcels"] * 4,
            "feature_id": ["P1", "P1", "P2", "P1"],
            "date": ["2023-03-01", "2023-06-01", "2023-07-01", "2024-01-15"],
            "stage": ["allocated", "started", "allocated", "completed"],
            "percent": [None, 10.0, None, 100.0],
            "note": ["", "桩基施工", "", ""],
            "source_file": ["progress.csv"] * 4,
            "source_row": [2, 3, 4, 5],
            "record_key": ["k1", "k2", "k3", "k4"],
            "seq": [0, 1, 2, 3],
        }
    )
    pyogrio.write_dataframe(
        earlier,
        park / "park.gpkg",
        layer="progress",
        driver="GPKG",
        layer_options={"OVERWRITE": "YES"},
    )
    assert _import(runner, park)[0] == {"layers/progress.csv": _counts(unchanged=4)}
    records = _history(runner, park, "P1")["records"]
    assert [(r["record_id"], r["status"]) for r in records] == [
        ("R000001", "active"),
        ("R000002", "active"),
        ("R000004", "active"),
    ]


def _sources(park):
    return read_back(store_location(park), "parkgeo_sources")


def test_unchanged_file_is_not_validated_again_and_each_version_is_listed(
    park, runner, monkeypatch
):
    import hashlib

    import geo.ingest.planning

    path = write_progress(park, GOOD)
    _import(runner, park, "--by", "王工")
    by = "postgres" if is_pg(store_location(park)) else "王工"  # PostGIS: the database user
    listed = _sources(park)
    assert listed[["source_file", "digest", "rows", "bad", "imported_by"]].values.tolist() == [
        ["layers/progress.csv", hashlib.sha256(path.read_bytes()).hexdigest(), 4, 0, by]
    ]

    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged file was validated again")

    monkeypatch.setattr(geo.ingest.planning, "validate_records", refuse)
    assert _import(runner, park)[0] == {"layers/progress.csv": _counts(unchanged=4)}
    assert len(_sources(park)) == 1  # the same version is listed once
    monkeypatch.undo()
    write_progress(park, [*GOOD, ["地块", "P3", "2023-02-01", "已供地", "", ""]])
    assert _import(runner, park)[0] == {"layers/progress.csv": _counts(added=1, unchanged=4)}
    assert _sources(park)["rows"].tolist() == [4, 5]


def test_unchanged_file_is_checked_again_when_its_features_change(park):
    import geopandas as gpd

    from geo.errors import ProgressError
    from geo.ingest.importer import import_project
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    write_progress(park, GOOD)
    manifest = load_manifest(park)
    import_project(manifest, open_store(manifest))
    # P2, which the file records, is taken out of the parcels layer
    layer = park / "layers" / "parcels.geojson"
    parcels = gpd.read_file(layer)
    parcels[parcels["地块编号"] != "P2"].to_file(layer, driver="GeoJSON")
    with pytest.raises(ProgressError, match="P2"):
        import_project(manifest, open_store(manifest))


def test_file_with_refused_rows_is_checked_again(park, runner):
    write_progress(park, [*GOOD, ["地块", "NOPE", "2023-02-01", "已供地", "", ""]])
    result = runner.invoke(cli, ["import", "-p", str(park), "--skip-bad"])
    assert result.exit_code == 1, result.output  # rows were refused: a finding
    again = runner.invoke(cli, ["import", "-p", str(park)])
    assert again.exit_code == 2 and "NOPE" in again.output
