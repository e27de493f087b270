"""What the store holds: per layer its kind, feature count, CRS, extent and totals."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd

from geo.domain.crs import to_metric
from geo.domain.tables import kinds
from geo.domain.units import Area
from geo.store import Store

__all__ = ["LayerSummary", "layer_summaries"]


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
        }


def layer_summaries(store: Store, *, crs: str) -> list[LayerSummary]:
    """Summarize every stored layer and table, measuring in the metric CRS *crs*."""
    out = []
    for row in store.catalog().to_dict("records"):
        frame = store.read(row["name"])
        spatial = isinstance(frame, gpd.GeoDataFrame)
        geometry = kinds()[row["kind"]].geometry if row["kind"] in kinds() else "none"
        extent = extent_ll = area = length = None
        if spatial and len(frame):
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
            )
        )
    return out
