"""The GeoPackage store: all-or-nothing transactions and a catalog of kinds."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import StoreError
from geo.store import CATALOG, GpkgStore
from tests.conftest import sha


def _layer():
    return gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4544")


def test_write_read_and_catalog(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    assert not store.exists()
    with pytest.raises(StoreError, match="parkgeo import"):
        store.catalog()
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels", source="layers/p.shp")
        tx.write_layer("goals", pd.DataFrame({"id": ["g1"], "target": [1.0]}), kind="goals")
    cat = pyogrio.read_dataframe(store.path, layer=CATALOG)
    assert cat.to_dict("records") == [
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


def test_failed_transaction_leaves_store_and_no_temp_file(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    before = sha(store.path)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write_layer("zones", _layer(), kind="zones")
        raise RuntimeError("disk full")
    assert sha(store.path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.gpkg"]


def test_update_keeps_other_layers(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction(replace=True) as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    with store.transaction() as tx:
        assert tx.read("parcels") is not None
        tx.write_layer("zones", _layer(), kind="zones")
    assert store.names() == ["parcels", "zones"]
    with store.transaction(replace=True) as tx:
        tx.write_layer("zones", _layer(), kind="zones")
    assert store.names() == ["zones"]


def test_empty_spatial_layer_can_be_written(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction(replace=True) as tx:
        tx.write_layer("findings", _layer().iloc[0:0], kind="findings")
    assert len(store.read("findings")) == 0
    assert store.catalog()["features"].tolist() == [0]
