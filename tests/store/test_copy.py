"""`parkgeo store copy`: GeoPackage → PostGIS → GeoPackage gives the same layers and history."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from geo.cli import cli
from geo.store import store_at
from tests.conftest import demo_project, store_state


def test_round_trip_keeps_every_layer_table_and_record(tmp_path, pg_cluster):
    _, gpkg = demo_project(tmp_path / "demo")
    url = pg_cluster.database()
    back = tmp_path / "back.gpkg"
    runner = CliRunner()
    result = runner.invoke(cli, ["store", "copy", gpkg.url, url, "--json"])
    assert result.exit_code == 0, result.output
    copied = json.loads(result.stdout)["layers"]
    assert [r["name"] for r in copied] == gpkg.names()
    assert runner.invoke(cli, ["store", "copy", url, str(back)]).exit_code == 0
    first, second = gpkg, store_at(back)
    pd.testing.assert_frame_equal(first.catalog(), store_at(url).catalog())
    pd.testing.assert_frame_equal(first.catalog(), second.catalog())
    for name in first.names():
        a, b = first.read(name), second.read(name)
        assert type(a) is type(b), name
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), obj=name)
        if hasattr(a, "crs"):
            assert a.crs == b.crs and a.geometry.geom_equals_exact(b.geometry, 0).all(), name
    assert len(second.read("progress")) == 895  # the demo's whole record history


def test_copy_refuses_a_store_that_is_not_empty(tmp_path, pg_cluster):
    _, gpkg = demo_project(tmp_path / "demo")
    url = pg_cluster.database()
    runner = CliRunner()
    assert runner.invoke(cli, ["store", "copy", gpkg.url, url]).exit_code == 0
    before = store_state(url)
    result = runner.invoke(cli, ["store", "copy", str(gpkg.url), url])
    assert result.exit_code == 2 and "already holds" in result.output
    assert store_state(url) == before
    result = runner.invoke(cli, ["store", "copy", str(tmp_path / "none.gpkg"), url])
    assert result.exit_code == 2 and "empty" in result.output
