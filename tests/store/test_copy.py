"""`parkgeo store copy`: GeoPackage → PostGIS → GeoPackage gives the same layers, tables and
history; the PostGIS layers are what QGIS needs (SRID, spatial index, primary key)."""

from __future__ import annotations

import json

import pandas as pd
import pyogrio
from click.testing import CliRunner

from geo.cli import cli
from geo.store import RECORDS, store_at
from tests.conftest import demo_project, store_state, use_store


def _same(first, second) -> None:
    pd.testing.assert_frame_equal(first.catalog(), second.catalog())
    for name in first.names():
        a, b = first.read(name), second.read(name)
        assert type(a) is type(b), name
        pd.testing.assert_frame_equal(pd.DataFrame(a), pd.DataFrame(b), obj=name)
        if hasattr(a, "crs"):
            assert a.crs == b.crs, name
            assert a.geometry.geom_equals_exact(b.geometry, 0).all(), name
    pd.testing.assert_frame_equal(
        first.records(everything=True), second.records(everything=True), obj="records"
    )


def test_round_trip_keeps_every_layer_table_and_record(tmp_path, pg_cluster):
    root = tmp_path / "demo"
    _, gpkg = demo_project(root)
    runner = CliRunner()
    # a correction, so that the history holds a retracted record too
    retract = runner.invoke(cli, ["retract", "-p", str(root), "R000005", "--why", "误录"])
    assert retract.exit_code == 0, retract.output
    status = runner.invoke(cli, ["status", "-p", str(root), "--json"]).stdout
    url = pg_cluster.database()
    back = tmp_path / "back.gpkg"
    result = runner.invoke(cli, ["store", "copy", gpkg.url, url, "--json"])
    assert result.exit_code == 0, result.output
    copied = json.loads(result.stdout)["layers"]
    assert [r["name"] for r in copied] == gpkg.names()
    assert runner.invoke(cli, ["store", "copy", url, str(back)]).exit_code == 0
    _same(gpkg, store_at(url))
    _same(gpkg, store_at(str(back)))
    records = store_at(url).records(everything=True)
    assert len(records) == 895 and records["seq"].tolist() == list(range(1, 896))
    assert records.set_index("record_id").loc["R000005", "retracted_why"] == "误录"
    assert pyogrio.read_info(back, layer="parcels")["crs"] == "EPSG:4544"  # a valid GeoPackage
    # the park pointed at the server answers as it did, for now and for an earlier moment
    moment = records["recorded_at"].max()
    earlier = runner.invoke(cli, ["status", "-p", str(root), "--json", "--as-recorded", moment])
    use_store(root, url)
    assert runner.invoke(cli, ["status", "-p", str(root), "--json"]).stdout == status
    on_pg = runner.invoke(cli, ["status", "-p", str(root), "--json", "--as-recorded", moment])
    assert on_pg.exit_code == 0 and on_pg.stdout == earlier.stdout
    # an unchanged re-import on the server writes nothing new (fingerprints came along)
    again = runner.invoke(cli, ["import", "-p", str(root), "--json"])
    assert again.exit_code == 0, again.output
    assert len(store_at(url).records(everything=True)) == 895


def test_postgis_layers_open_in_qgis_as_they_are(tmp_path, pg_cluster):
    """Asked of PostgreSQL's own catalogs: every layer has a primary key, every geometry
    column its type and SRID (geometry_columns, which QGIS reads) and a GiST index."""
    url = pg_cluster.database()
    _, store = demo_project(tmp_path, store=url)
    db = url.split("/")[3].split("?")[0]
    layers = store.catalog()
    spatial = sorted(layers[layers["crs"] != ""]["name"])
    assert {"parcels", "zones", "roads"} <= set(spatial)
    geometry = pg_cluster.sql(
        "SELECT f_table_name, f_geometry_column, srid, type FROM geometry_columns ORDER BY 1",
        db=db,
    )
    assert [g[0] for g in geometry] == spatial
    assert all(g[1] == "geom" and g[2] == 4544 and g[3] != "GEOMETRY" for g in geometry), geometry
    gist = pg_cluster.sql(
        "SELECT t.relname FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_am a ON a.oid = i.relam "
        "WHERE a.amname = 'gist' ORDER BY 1",
        db=db,
    )
    assert [g[0] for g in gist] == spatial
    keys = pg_cluster.sql(
        "SELECT t.relname, a.attname FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(x.indkey) "
        "WHERE x.indisprimary AND t.relnamespace = 'public'::regnamespace "
        "AND t.relname <> 'spatial_ref_sys' ORDER BY 1",
        db=db,
    )
    assert dict(keys) == {
        **{name: "fid" for name in layers["name"]},
        "projects__parcels": "fid",  # a project's parcels, one row each
        "parkgeo_catalog": "name",
        "parkgeo_writer": "one",
    }
    types = dict(
        pg_cluster.sql(
            "SELECT column_name, data_type FROM information_schema.columns "
            f"WHERE table_name = '{RECORDS}'",
            db=db,
        )
    )
    assert types["date"] == "date" and types["recorded_at"] == "timestamp with time zone"


def test_copy_refuses_a_store_that_is_not_empty(tmp_path, pg_cluster):
    _, gpkg = demo_project(tmp_path / "demo")
    url = pg_cluster.database()
    runner = CliRunner()
    assert runner.invoke(cli, ["store", "copy", gpkg.url, url]).exit_code == 0
    before = store_state(url)
    result = runner.invoke(cli, ["store", "copy", gpkg.url, url])
    assert result.exit_code == 2 and "already holds" in result.output
    assert store_state(url) == before
    result = runner.invoke(cli, ["store", "copy", str(tmp_path / "none.gpkg"), url])
    assert result.exit_code == 2 and "empty" in result.output
