"""The project's store: the only package that reads or writes stored geodata.

:func:`open_store` gives the store a manifest names; the rest of parkgeo uses only the
:class:`~geo.store.base.Store` interface.
"""

from __future__ import annotations

from geo.store.base import CATALOG, Store, StoreWriter
from geo.store.gpkg import GpkgStore

__all__ = ["CATALOG", "GpkgStore", "Store", "StoreWriter", "open_store"]


def open_store(manifest) -> Store:
    """The store named by a manifest (a GeoPackage file for now)."""
    return GpkgStore(manifest.store)
