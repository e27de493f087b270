"""The project's store: the only package that reads or writes stored geodata.

:func:`open_store` gives the store a manifest names; the rest of parkgeo uses only the
:class:`~geo.store.base.Store` interface.
"""

from __future__ import annotations

from geo.errors import StoreError
from geo.store.base import (
    CATALOG,
    RECORD_SCHEMA,
    RECORDS,
    SOURCE_SCHEMA,
    SOURCES,
    Store,
    StoreWriter,
    active_at,
)
from geo.store.gpkg import GpkgStore

__all__ = [
    "CATALOG",
    "RECORDS",
    "RECORD_SCHEMA",
    "SOURCES",
    "SOURCE_SCHEMA",
    "GpkgStore",
    "Store",
    "StoreWriter",
    "active_at",
    "open_store",
]


def open_store(manifest) -> Store:
    """The store named by a manifest's ``store`` (a GeoPackage path or ``gpkg:`` URL)."""
    url = str(manifest.store)
    if url.startswith(("postgresql:", "postgres:")):
        raise StoreError(
            f"store = {url!r} in {manifest.path}: PostGIS stores are not supported yet; "
            'use a GeoPackage (store = "park.gpkg").'
        )
    return GpkgStore.from_url(url, root=manifest.root)
