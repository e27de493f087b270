"""The GeoPackage store: in-place transactions, a valid GeoPackage, reads by column/where/bbox."""

from __future__ import annotations

import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import StoreBusyError, StoreError
from geo.store import CATALOG, RECORD_SCHEMA, RECORDS, GpkgStore
from tests.conftest import sha


def _layer(n=1):
    return gpd.GeoDataFrame(
        {"id": [f"a{i}" for i in range(n)], "allocated_on": ["2024-01-02"] * n},
        geometry=[shapely.box(10 * i, 0, 10 * i + 1, 1) for i in range(n)],
        crs="EPSG:4544",
    )


def test_write_read_and_catalog(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    assert not store.exists()
    with pytest.raises(StoreError, match="parkgeo import"):
        store.catalog()
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels", source="layers/p.shp")
        tx.write_layer("goals", pd.DataFrame({"id": ["g1"], "target": [1.0]}), kind="goals")
    # read back by GDAL, independently of the store's own reader
    cat = pyogrio.read_dataframe(store.path, layer=CATALOG)
    assert cat[["name", "kind", "source", "features", "crs"]].to_dict("records") == [
        {
            "name": "parcels",
            "kind": "parcels",
            "source": "layers/p.shp",
            "features": 1,
            "crs": "EPSG:4544",
        },
        {"name": "goals", "kind": "goals", "source": "", "features": 1, "crs": ""},
    ]
    parcels = store.read_kind("parcels")
    assert isinstance(parcels, gpd.GeoDataFrame) and parcels.crs.to_epsg() == 4544
    assert parcels.geometry.iloc[0].equals(shapely.box(0, 0, 1, 1))
    goals = store.read_kind("goals")
    assert not isinstance(goals, gpd.GeoDataFrame) and goals["target"].tolist() == [1.0]
    assert store.read_kind("roads") is None


def test_file_is_a_valid_geopackage_that_gdal_reads(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(3), kind="parcels")
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
    assert con.execute("SELECT count(*) FROM rtree_parcels_geometry").fetchone() == (3,)
    types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(parcels)")}
    assert types["allocated_on"] == "DATE"  # dates are stored as dates
    con.close()
    info = pyogrio.read_info(store.path, layer="parcels")
    assert info["geometry_type"] == "Polygon" and info["features"] == 3
    assert pyogrio.read_info(store.path, layer="parcels")["crs"] == "EPSG:4544"
    # GDAL uses the spatial index: a bbox around the second box finds only it
    found = pyogrio.read_dataframe(store.path, layer="parcels", bbox=(9, -1, 12, 2))
    assert found["id"].tolist() == ["a1"]
    assert str(found["allocated_on"].iloc[0])[:10] == "2024-01-02"


def test_read_columns_where_bbox(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(4), kind="parcels")
    assert store.read("parcels", where={"id": ["a1", "a3"]})["id"].tolist() == ["a1", "a3"]
    assert store.read("parcels", bbox=(19.5, 0, 31, 1))["id"].tolist() == ["a2", "a3"]
    assert list(store.read("parcels", columns=["id"]).columns) == ["id", "geometry"]


def test_failed_transaction_leaves_store_and_no_temp_file(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    before = sha(store.path)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write_layer("zones", _layer(), kind="zones")
        raise RuntimeError("disk full")
    assert sha(store.path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]
    assert store.names() == ["parcels"]


def test_append_appends_and_drop_keeps_records(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    row = {c: None for c in RECORD_SCHEMA}
    with store.transaction() as tx:
        assert tx.append(
            RECORDS, pd.DataFrame([{**row, "record_id": "R1"}]), types=RECORD_SCHEMA
        ) == [1]
    with store.transaction() as tx:
        assert tx.append(
            RECORDS, pd.DataFrame([{**row, "record_id": "R2"}]), types=RECORD_SCHEMA
        ) == [2]
        with pytest.raises(StoreError, match="never dropped"):
            tx.drop(RECORDS)
    assert store.read(RECORDS)["record_id"].tolist() == ["R1", "R2"]


def test_unchanged_layer_is_not_rewritten(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        assert tx.write_layer("parcels", _layer(), kind="parcels", fingerprint="x")
    with store.transaction() as tx:
        assert not tx.write_layer("parcels", _layer(2), kind="parcels", fingerprint="x")
        assert tx.write_layer("parcels", _layer(2), kind="parcels", fingerprint="y")
    assert len(store.read("parcels")) == 2


def test_second_writer_waits_then_says_who_writes(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg", timeout=0.2)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    with store.transaction(command="parkgeo import"):
        other = GpkgStore(store.path, timeout=0.2)
        busy = r"another parkgeo import .* since \d\d:\d\d"
        with pytest.raises(StoreBusyError, match=busy), other.transaction():
            pass
        # a reader sees the last committed state meanwhile
        assert store.names() == ["parcels"]


def test_empty_spatial_layer_can_be_written(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("findings", _layer().iloc[0:0], kind="findings")
    assert len(store.read("findings")) == 0
    assert store.catalog()["features"].tolist() == [0]


def test_unknown_store_option_is_refused(tmp_path):
    with pytest.raises(StoreError, match="journal=wal"):
        GpkgStore.from_url("gpkg:park.gpkg?jornal=wal", root=tmp_path)
    store = GpkgStore.from_url("gpkg:park.gpkg?journal=delete&timeout=3", root=tmp_path)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert store.timeout == 3


def _projects():
    return pd.DataFrame(
        {
            "id": ["P1", "P2", "P3"],
            "name": ["甲", "乙", "丙"],
            "parcels": [["WLT-01", "WLT-02"], [], ["CCB-1"]],
        }
    )


def test_list_column_is_stored_as_rows(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    # GDAL sees a plain projects table and one row per parcel named, in order
    plain = pyogrio.read_dataframe(store.path, layer="projects")
    assert "parcels" not in plain.columns
    rows = pyogrio.read_dataframe(store.path, layer="projects__parcels")
    assert rows[["row", "id", "position", "parcels"]].values.tolist() == [
        [1, "P1", 1, "WLT-01"],
        [1, "P1", 2, "WLT-02"],
        [3, "P3", 1, "CCB-1"],
    ]
    assert store.read_kind("projects")["parcels"].tolist() == [["WLT-01", "WLT-02"], [], ["CCB-1"]]
    assert store.read("projects", where={"id": ["P3", "P2"]})["parcels"].tolist() == [
        [],
        ["CCB-1"],
    ]
    assert "parcels" not in store.read("projects", columns=["id"]).columns


def test_rewriting_or_dropping_a_layer_drops_its_list_rows(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    with store.transaction() as tx:
        tx.write_layer("projects", _projects().drop(columns="parcels"), kind="projects")
    assert "projects__parcels" not in pyogrio.list_layers(store.path)[:, 0]
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    with store.transaction() as tx:
        tx.drop("projects")
    assert "projects__parcels" not in pyogrio.list_layers(store.path)[:, 0]
    assert list(store.catalog()["name"]) == []
