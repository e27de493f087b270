"""Coordinate reference systems of Chinese land data: CGCS2000 Gauss-Krüger zones.

CGCS2000 3-degree Gauss-Krüger zones 25–45 are EPSG:4513–4533 with the zone number prefixed
to the easting (e.g. 35 508 600.0), and EPSG:4534–4554 without it (easting ~500 000,
"CM 75E" … "CM 135E"). The central meridian is 3 × zone.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS

__all__ = [
    "GK_ZONES",
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
