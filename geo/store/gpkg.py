"""The GeoPackage store, the embedded default.

Every write happens in
a :meth:`Store.transaction`: a GeoPackage is rebuilt in a temporary file beside the store
and renamed over it only when everything succeeded, so a failed write leaves the earlier
store exactly as it was.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import StoreError
from geo.store.base import CATALOG, Store, StoreWriter

__all__ = ["GpkgStore"]


class _GpkgWriter(StoreWriter):
    def __init__(self, path: Path):
        self.path = path
        self.entries: dict[str, dict] = {}
        if path.exists():
            with contextlib.suppress(Exception):
                cat = pyogrio.read_dataframe(path, layer=CATALOG)
                self.entries = {r["name"]: dict(r) for r in cat.to_dict("records")}

    def write_layer(self, name, frame, *, kind, source=""):
        spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
        kwargs = {}
        if spatial:
            kwargs["geometry_type"] = "Unknown"
            kwargs["promote_to_multi"] = False
        exists = self.path.exists() and name in _layer_names(self.path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(
                frame if spatial else pd.DataFrame(frame),
                self.path,
                layer=name,
                driver="GPKG",
                layer_options={"OVERWRITE": "YES"} if exists else None,
                **kwargs,
            )
        self.entries[name] = {
            "name": name,
            "kind": kind,
            "source": str(source),
            "features": len(frame),
            "crs": frame.crs.to_string() if spatial and frame.crs else "",
        }
        self._write_catalog()

    def _write_catalog(self):
        cat = pd.DataFrame(
            list(self.entries.values()), columns=["name", "kind", "source", "features", "crs"]
        )
        exists = CATALOG in _layer_names(self.path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            pyogrio.write_dataframe(
                cat,
                self.path,
                layer=CATALOG,
                driver="GPKG",
                layer_options={"OVERWRITE": "YES"} if exists else None,
            )

    def read(self, name):
        if name not in self.entries:
            return None
        return _read(self.path, name)


def _layer_names(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [str(n) for n in pyogrio.list_layers(path)[:, 0]]


def _read(path: Path, name: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(path, layer=name, use_arrow=True)
    if isinstance(frame, gpd.GeoDataFrame) and frame.geometry.isna().all() and frame.crs is None:
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    return frame


class GpkgStore(Store):
    """A store in one GeoPackage file."""

    def __init__(self, path: Path | str):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"GpkgStore({str(self.path)!r})"

    def __str__(self) -> str:
        return str(self.path)

    def exists(self) -> bool:
        return self.path.exists()

    def _require(self) -> None:
        if not self.exists():
            raise StoreError(
                f"{self.path}: the store does not exist yet. Run `parkgeo import` in the project "
                "folder first."
            )

    def catalog(self) -> pd.DataFrame:
        self._require()
        try:
            return pyogrio.read_dataframe(self.path, layer=CATALOG)
        except (
            pyogrio.errors.DataLayerError,
            pyogrio.errors.DataSourceError,
            sqlite3.Error,
        ) as exc:
            raise StoreError(
                f"{self.path}: not a parkgeo store ({exc}). Run `parkgeo import`."
            ) from None

    def read(self, name: str) -> pd.DataFrame:
        self._require()
        if name not in set(self.catalog()["name"]):
            raise StoreError(f"{self.path}: no layer {name!r} in the store. Run `parkgeo import`.")
        return _read(self.path, name)

    @contextlib.contextmanager
    def transaction(self, *, replace: bool = False) -> Iterator[StoreWriter]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.stem}.", suffix=".tmp.gpkg", dir=self.path.parent
        )
        os.close(fd)
        tmp_path = Path(tmp)
        tmp_path.unlink()
        try:
            if self.exists() and not replace:
                shutil.copy2(self.path, tmp_path)
            yield _GpkgWriter(tmp_path)
            os.replace(tmp_path, self.path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp_path.unlink()
