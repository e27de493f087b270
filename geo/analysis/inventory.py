"""What the store holds: per layer its kind, feature count, CRS, extent and totals."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.domain.crs import crs_fit_warnings, geodesic_areas, to_metric
from geo.domain.tables import kinds
from geo.domain.units import M2_PER_MU, Area
from geo.store import Store

__all__ = ["LayerSummary", "feature_areas", "layer_summaries"]


@dataclass(frozen=True)
class LayerSummary:
    """One stored layer or table. Areas and lengths are measured in the working CRS."""

    name: str
    kind: str
    features: int
    crs: str
    extent: tuple[float, float, float, float] | None
    extent_lonlat: tuple[float, float, float, float] | None
    area: Area | None
    length_m: float | None
    #: why the working CRS mis-measures the layer (:func:`geo.domain.crs.crs_fit_warnings`)
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "features": self.features,
            "crs": self.crs,
            "extent": list(self.extent) if self.extent else None,
            "extent_lonlat": list(self.extent_lonlat) if self.extent_lonlat else None,
            "area": self.area.as_dict() if self.area else None,
            "length_m": self.length_m,
            "warnings": list(self.warnings),
        }


def layer_summaries(store: Store, *, crs: str) -> list[LayerSummary]:
    """Summarize every stored layer and table, measuring in the metric CRS *crs*."""
    out = []
    for row in store.catalog().to_dict("records"):
        frame = store.read(row["name"])
        spatial = isinstance(frame, gpd.GeoDataFrame)
        geometry = kinds()[row["kind"]].geometry if row["kind"] in kinds() else "none"
        extent = extent_ll = area = length = None
        warned: list[str] = []
        if spatial and len(frame):
            warned = crs_fit_warnings(frame, crs, layer=row["name"])
            metric = to_metric(frame, crs)
            extent = tuple(float(v) for v in metric.total_bounds)
            extent_ll = tuple(float(v) for v in frame.to_crs("EPSG:4326").total_bounds)
            if geometry == "polygon":
                area = Area(float(metric.geometry.area.sum()))
            elif geometry == "line":
                length = float(metric.geometry.length.sum())
        out.append(
            LayerSummary(
                name=row["name"],
                kind=row["kind"],
                features=int(row["features"]),
                crs=row["crs"] or "",
                extent=extent,
                extent_lonlat=extent_ll,
                area=area,
                length_m=length,
                warnings=tuple(warned),
            )
        )
    return out


def feature_areas(frame: gpd.GeoDataFrame, *, crs: str) -> pd.DataFrame:
    """Each polygon's measured area beside its declared one.

    Columns: ``id``, ``name`` (when the layer has names), ``area_m2`` and ``area_mu``
    measured in the metric CRS *crs*, ``geodesic_m2`` (GRS 80 ellipsoid, independent of
    the projection), ``declared_mu`` (``declared_area_mu``, when the layer has it),
    ``difference_mu`` (measured − declared) and ``difference_share`` (of the declared).
    """
    metric = to_metric(frame, crs)
    area = metric.geometry.area.to_numpy(dtype=float)
    out = pd.DataFrame({"id": frame["id"].astype(str).to_numpy()})
    if "name" in frame.columns:
        out["name"] = frame["name"].to_numpy()
    out["area_m2"] = area
    out["area_mu"] = area / M2_PER_MU
    out["geodesic_m2"] = geodesic_areas(frame.geometry.to_crs("EPSG:4326").array)
    if "declared_area_mu" in frame.columns:
        declared = pd.to_numeric(frame["declared_area_mu"], errors="coerce").to_numpy(float)
        out["declared_mu"] = declared
        out["difference_mu"] = out["area_mu"] - declared
        with np.errstate(divide="ignore", invalid="ignore"):
            out["difference_share"] = np.where(
                declared > 0, out["difference_mu"] / declared, np.nan
            )
    return out
