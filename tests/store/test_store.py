"""Both stores (GeoPackage and PostGIS): all-or-nothing transactions and a catalog of kinds.

Every test runs once per store through the ``store_url`` fixture.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import StoreError
from geo.store import CATALOG, GpkgStore, store_at
from tests.conftest import read_back, store_state


def _layer():
    return gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4544")


def test_write_read_and_catalog(store_url):
    store = store_at(store_url)
    assert not store.exists()
    with pytest.raises(StoreError, match="parkgeo import"):
        store.catalog()
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels", source="layers/p.shp")
        tx.write_layer("goals", pd.DataFrame({"id": ["g1"], "target": [1.0]}), kind="goals")
    cat = read_back(store_url, CATALOG)
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
    assert isinstance(store.read_kind("parcels"), gpd.GeoDataFrame)
    goals = store.read_kind("goals")
    assert not isinstance(goals, gpd.GeoDataFrame) and goals["target"].tolist() == [1.0]
    assert store.read_kind("roads") is None


def test_failed_transaction_leaves_store_and_no_temp_file(store_url, tmp_path):
    store = store_at(store_url)
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    before = store_state(store_url)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write_layer("zones", _layer(), kind="zones")
        tx.write_layer("parcels", _layer().iloc[0:0], kind="parcels")
        raise RuntimeError("disk full")
    assert store_state(store_url) == before
    assert store.read("parcels")["id"].tolist() == ["a"]
    if isinstance(store, GpkgStore):
        assert sorted(p.name for p in tmp_path.iterdir()) == ["park.gpkg"]


def test_update_keeps_other_layers(store_url):
    store = store_at(store_url)
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    with store.transaction() as tx:
        assert tx.read("parcels") is not None
        tx.write_layer("zones", _layer(), kind="zones")
    assert store.names() == ["parcels", "zones"]
    with store.transaction(replace=True) as tx:
        tx.write_layer("zones", _layer(), kind="zones")
    assert store.names() == ["zones"]


def test_empty_spatial_layer_can_be_written(store_url):
    store = store_at(store_url)
    with store.transaction(replace=True) as tx:
        tx.write_layer("findings", _layer().iloc[0:0], kind="findings")
    assert len(store.read("findings")) == 0
    assert store.catalog()["features"].tolist() == [0]


def test_postgis_layers_open_in_qgis_as_they_are(pg_cluster):
    """Geometry column with its SRID in geometry_columns, a GiST index and a primary key."""
    import psycopg

    url = pg_cluster.database()
    with store_at(url).transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    with psycopg.connect(url) as conn:
        assert conn.execute(
            "SELECT f_geometry_column, srid, type FROM geometry_columns "
            "WHERE f_table_name = 'parcels'"
        ).fetchall() == [("geom", 4544, "GEOMETRY")]
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'parcels' ORDER BY 1"
        ).fetchall()
        assert any("USING gist (geom)" in i for (i,) in indexes)
        assert conn.execute(
            "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
            "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = 'parcels'::regclass "
            "AND i.indisprimary"
        ).fetchall() == [("fid",)]


def test_url_with_password_is_refused(park):
    from geo.errors import ManifestError
    from geo.io.manifest import load_manifest
    from tests.conftest import use_store

    with pytest.raises(StoreError, match="pgpass"):
        store_at("postgresql://bureau:secret@db.example/park")
    use_store(park, "postgresql://bureau:secret@db.example/park")
    with pytest.raises(ManifestError, match=r"park.toml.*\[park\] store holds a password"):
        load_manifest(park)
