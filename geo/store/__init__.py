"""The project's store: the only package that reads or writes stored geodata.

:func:`open_store` gives the store a manifest names; the rest of parkgeo uses only the
:class:`~geo.store.base.Store` interface.
"""

from __future__ import annotations

from geo.store.base import CATALOG, Store, StoreWriter
from geo.store.gpkg import GpkgStore
from geo.store.postgis import PostgisStore, is_postgres_url

__all__ = ["CATALOG", "GpkgStore", "PostgisStore", "Store", "StoreWriter", "open_store", "store_at"]


def open_store(manifest) -> Store:
    """The store named by a manifest: a ``postgresql://`` URL or a GeoPackage file."""
    return store_at(manifest.store)


def store_at(location) -> Store:
    """The store at *location*: PostGIS for a ``postgresql://`` URL, else a GeoPackage path."""
    if is_postgres_url(str(location)):
        return PostgisStore(str(location))
    return GpkgStore(location)
