"""Coordinate reference systems of Chinese land data: CGCS2000 Gauss-Krüger zones.

CGCS2000 3-degree Gauss-Krüger zones 25–45 are EPSG:4513–4533 with the zone number prefixed
to the easting (e.g. 35 508 600.0), and EPSG:4534–4554 without it (easting ~500 000,
"CM 75E" … "CM 135E"). The central meridian is 3 × zone.
"""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import CRS, Transformer
from shapely.geometry.base import BaseGeometry

from geo.errors import CRSError, GeometryError

__all__ = [
    "GK_ZONES",
    "geometry_to_metric",
    "gk_crs_for_longitude",
    "guess_crs",
    "is_projected_metric",
    "to_metric",
]

#: 3-degree zone number → (EPSG with zone prefix, EPSG without prefix).
GK_ZONES = {zone: (4513 + zone - 25, 4534 + zone - 25) for zone in range(25, 46)}


def gk_zone_for_longitude(lon: float) -> int:
    """3-degree Gauss-Krüger zone whose central meridian is nearest to *lon*."""
    return round(lon / 3.0)


def gk_crs_for_longitude(lon: float, *, prefixed: bool = False) -> str:
    """The CGCS2000 3-degree GK CRS for a longitude, e.g. ``EPSG:4544`` for 105.09°E.

    Raises ValueError outside China's zones 25–45 (73.5°E–136.5°E).
    """
    zone = gk_zone_for_longitude(lon)
    if zone not in GK_ZONES:
        raise ValueError(f"longitude {lon:.3f} is outside China's GK zones 25-45")
    return f"EPSG:{GK_ZONES[zone][0 if prefixed else 1]}"


def is_projected_metric(crs) -> bool:
    """True when *crs* is projected with metre units (areas may be measured in it)."""
    if crs is None:
        return False
    crs = CRS.from_user_input(crs)
    if not crs.is_projected:
        return False
    unit = crs.axis_info[0].unit_name if crs.axis_info else ""
    return unit in ("metre", "meter", "m")


def guess_crs(x: np.ndarray, y: np.ndarray) -> tuple[str | None, str]:
    """Suggest a CRS from coordinates alone.

    Returns ``(crs or None, reason)``. Recognizes longitude/latitude degrees, zone-prefixed
    GK eastings (8 digits before the decimal point, first two the zone) and unprefixed GK
    eastings near 500 000 (the zone cannot be told from those alone).
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    x = x[np.isfinite(x)]
    y = y[np.isfinite(y)]
    if x.size == 0:
        return None, "the layer has no coordinates"
    xmin, xmax, ymin, ymax = x.min(), x.max(), y.min(), y.max()
    if xmin >= -180 and xmax <= 180 and ymin >= -90 and ymax <= 90:
        lon = float((xmin + xmax) / 2)
        return "EPSG:4490", (
            f"coordinates look like degrees (x {xmin:.4f}..{xmax:.4f}, y {ymin:.4f}..{ymax:.4f}); "
            f"CGCS2000 geographic is EPSG:4490 (its GK zone would be "
            f"{_safe_gk(lon)})"
        )
    zones = {int(v // 1_000_000) for v in (xmin, xmax)}
    if len(zones) == 1 and ymin >= 1_000_000 and ymax <= 6_000_000:
        (zone,) = zones
        if zone in GK_ZONES:
            epsg = GK_ZONES[zone][0]
            return f"EPSG:{epsg}", (
                f"eastings start with the zone number {zone} ({xmin:.1f}); that is CGCS2000 "
                f"3-degree GK zone {zone} with prefix, EPSG:{epsg} (central meridian {3 * zone}°E)"
            )
    if xmin >= 100_000 and xmax <= 900_000 and ymin >= 1_000_000 and ymax <= 6_000_000:
        return None, (
            f"eastings near 500000 ({xmin:.1f}..{xmax:.1f}) look like an unprefixed CGCS2000 "
            "3-degree GK zone (EPSG:4534-4554, e.g. EPSG:4544 for central meridian 105°E); "
            "the zone cannot be told from the coordinates"
        )
    return (
        None,
        f"coordinates x {xmin:.1f}..{xmax:.1f}, y {ymin:.1f}..{ymax:.1f} match no known CRS",
    )


def _safe_gk(lon: float) -> str:
    try:
        return gk_crs_for_longitude(lon)
    except ValueError:
        return "outside China"


def to_metric(gdf, working_crs: str | None = None):
    """Return *gdf* in a projected metric CRS for measuring.

    Uses *working_crs* when given; keeps a projected metric CRS as it is; otherwise
    projects a geographic layer to the GK zone of its centre longitude.
    """
    if working_crs:
        return gdf.to_crs(working_crs) if gdf.crs != CRS.from_user_input(working_crs) else gdf
    if is_projected_metric(gdf.crs):
        return gdf
    if gdf.crs is None:
        raise ValueError("layer has no CRS; cannot measure it")
    bounds = gdf.to_crs("EPSG:4326").total_bounds
    lon = (bounds[0] + bounds[2]) / 2 if not math.isnan(bounds[0]) else 105.0
    return gdf.to_crs(gk_crs_for_longitude(lon))


def geometry_to_metric(geom: BaseGeometry, source: CRS, *, what: str) -> tuple[BaseGeometry, str]:
    """*geom* in metres, with its CRS: as it is when *source* is projected in metres, else
    projected from degrees to the CGCS2000 Gauss-Krüger zone of its centroid's longitude.

    Raises
    ------
    CRSError
        When *source* is neither metric nor geographic, or the longitude has no GK zone.
    GeometryError
        When some coordinates are not valid longitudes/latitudes. *what* names the
        geometry in the messages.
    """
    if is_projected_metric(source):
        return geom, source.to_string()
    if not source.is_geographic:
        raise CRSError(
            f"{what} is in {source.name}, which is neither projected in metres "
            "nor geographic; reproject it to a metric CRS (e.g. EPSG:4544) first"
        )
    lon = geom.centroid.x
    try:
        target = gk_crs_for_longitude(lon)
    except ValueError as error:
        raise CRSError(
            f"{what} is at longitude {lon:.4f}: {error}; pass it in a projected metric CRS instead"
        ) from None
    transformer = Transformer.from_crs(source, target, always_xy=True)
    projected = shapely.transform(
        geom, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1]))
    )
    if not np.isfinite(shapely.get_coordinates(projected)).all():
        raise GeometryError(
            f"{what} cannot be projected from {source.name} to {target}: some "
            "coordinates are not valid longitudes/latitudes (x must be longitude, y latitude)"
        )
    return projected, target
