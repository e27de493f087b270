"""The project's store: the only package that reads or writes stored geodata.

:func:`open_store` gives the store a manifest names (a GeoPackage, or PostGIS for a
``postgresql://`` URL); the rest of parkgeo uses only the :class:`~geo.store.base.Store`
interface.
"""

from __future__ import annotations

from pathlib import Path

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
    "is_postgres_url",
    "open_store",
    "store_at",
]


def is_postgres_url(text: str) -> bool:
    """True when *text* names a PostgreSQL store rather than a GeoPackage file."""
    return str(text).startswith(("postgresql://", "postgres://"))


def open_store(manifest) -> Store:
    """The store named by a manifest's ``store`` (a GeoPackage path, a ``gpkg:`` URL or a
    ``postgresql://`` URL)."""
    return store_at(str(manifest.store), root=manifest.root)


def store_at(url: str, *, root: Path | None = None) -> Store:
    """The store at *url*: PostGIS for a ``postgresql://`` URL, else a GeoPackage (a relative
    path taken from *root*, default the current folder)."""
    if is_postgres_url(url):
        try:  # psycopg only when a server is named
            from geo.store.postgis import PostgisStore
        except ImportError:
            raise StoreError(
                f"store = {url!r} names a PostgreSQL server but its driver is not installed. "
                'Install it with `pip install "parkgeo[postgis]"` (psycopg 3).'
            ) from None
        return PostgisStore(url)
    return GpkgStore.from_url(str(url), root=root or Path.cwd())
