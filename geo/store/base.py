"""The store interface: what parkgeo needs of a store, whatever holds it.

:class:`Store` reads; :class:`StoreWriter` writes inside one :meth:`Store.transaction`.
The GeoPackage store (:mod:`geo.store.gpkg`) implements it; a PostGIS store will too.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod

import pandas as pd

__all__ = ["CATALOG", "Store", "StoreWriter"]

#: Name of the table listing every stored layer: name, kind, source, features, crs.
CATALOG = "parkgeo_catalog"


class StoreWriter(ABC):
    """Writes inside one transaction."""

    @abstractmethod
    def write_layer(self, name: str, frame: pd.DataFrame, *, kind: str, source: str = "") -> None:
        """Write (replace) layer or table *name* holding *frame* of *kind*."""

    @abstractmethod
    def read(self, name: str) -> pd.DataFrame | None:
        """Read *name* as it stands inside the transaction (None when absent)."""


class Store(ABC):
    """What parkgeo needs of a store; the GeoPackage store implements it."""

    @abstractmethod
    def exists(self) -> bool:
        """True once something has been imported."""

    @abstractmethod
    def catalog(self) -> pd.DataFrame:
        """One row per stored layer or table: name, kind, source, features, crs."""

    @abstractmethod
    def read(self, name: str) -> pd.DataFrame:
        """Read a stored layer (a GeoDataFrame) or table (a DataFrame) by name."""

    @abstractmethod
    def transaction(
        self, *, replace: bool = False
    ) -> contextlib.AbstractContextManager[StoreWriter]:
        """All-or-nothing writes; *replace* starts from an empty store."""

    def names(self) -> list[str]:
        return list(self.catalog()["name"]) if self.exists() else []

    def read_kind(self, kind: str) -> pd.DataFrame | None:
        """The stored layer of *kind* (None when the project has none)."""
        if not self.exists():
            return None
        cat = self.catalog()
        rows = cat[cat["kind"] == kind]
        if rows.empty:
            return None
        return self.read(rows.iloc[0]["name"])
