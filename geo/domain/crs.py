"""Coordinate reference systems of Chinese land data: CGCS2000 Gauss-Krüger zones.

CGCS2000 3-degree Gauss-Krüger zones 25–45 are EPSG:4513–4533 with the zone number prefixed
to the easting (e.g. 35 508 600.0), and EPSG:4534–4554 without it (easting ~500 000,
"CM 75E" … "CM 135E"). The central meridian is 3 × zone.
"""

from __future__ import annotations

import math
import re

import numpy as np
import shapely
from pyproj import CRS, Geod, Transformer
from pyproj.aoi import AreaOfInterest
from pyproj.database import query_crs_info
from pyproj.enums import PJType
from shapely.geometry.base import BaseGeometry

from geo import settings
from geo.errors import CRSError, GeometryError

__all__ = [
    "GK_ZONES",
    "crs_fit_warnings",
    "geodesic_areas",
    "geometry_to_metric",
    "gk_crs_for_longitude",
    "guess_crs",
    "is_projected_metric",
    "metric_twins",
    "to_metric",
    "working_crs_for",
    "zone_overrun",
]

#: CGCS2000 uses the GRS 1980 ellipsoid; WGS 84's differs from it by 0.1 mm in the minor axis.
_GEOD = Geod(ellps="GRS80")
#: features measured geodesically by the working-CRS guard (an even sample of bigger layers)
GUARD_SAMPLE = 5000
#: rough box of China's territory where its GK zones are the working CRS (lon/lat degrees)
_CHINA = (73.0, 3.0, 136.0, 54.0)

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


def working_crs_for(lon: float, lat: float) -> str:
    """The metric CRS to measure data centred at *lon*, *lat* in.

    In China the CGCS2000 3-degree Gauss-Krüger zone of the longitude, without prefix
    (EPSG:4534–4554); elsewhere the WGS 84 UTM zone (EPSG:326zz north, 327zz south).
    """
    west, south, east, north = _CHINA
    if west <= lon <= east and south <= lat <= north:
        try:
            return gk_crs_for_longitude(lon)
        except ValueError:
            pass
    zone = min(60, max(1, int((lon + 180.0) // 6.0) + 1))
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def zone_overrun(crs, lon_min: float, lon_max: float) -> float:
    """Degrees of longitude by which data spanning *lon_min*..*lon_max* leaves *crs*'s zone.

    The zone is the CRS's area of use (a GK or UTM zone's strip); 0 when inside or when
    the CRS has no area of use.
    """
    area = CRS.from_user_input(crs).area_of_use
    if area is None or area.east - area.west >= 359:
        return 0.0
    return max(0.0, area.west - lon_min, lon_max - area.east)


def geodesic_areas(geometries) -> np.ndarray:
    """Area in m² of each polygon given in longitude/latitude degrees, on the GRS 80 ellipsoid.

    Independent of any projection (pyproj's Geod, after Karney 2013); non-polygons are 0.
    """
    out = np.zeros(len(geometries))
    for i, geom in enumerate(geometries):
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            continue
        out[i] = abs(_GEOD.geometry_area_perimeter(shapely.orient_polygons(geom))[0])
    return out


def metric_twins(crs) -> list[str]:
    """Projected metric CRSs to use instead of a non-metric *crs*, best first.

    A CRS in feet is answered with its metre edition (NAD83 / New York Long Island (ftUS)
    → EPSG:32118) when PROJ has one, then the UTM zone of its area's centre; a geographic
    CRS with the GK zone (in China) or UTM zone of its area's centre.
    """
    crs = CRS.from_user_input(crs)
    area = crs.area_of_use
    out = []
    if crs.is_projected and area is not None:
        base = re.sub(r"\s*\((?:ftUS|ft|ftIb|ftCla|ftSe|ftGC|ydIb|ftInd)\)$", "", crs.name)
        found = query_crs_info(
            auth_name="EPSG",
            pj_types=PJType.PROJECTED_CRS,
            area_of_interest=AreaOfInterest(area.west, area.south, area.east, area.north),
        )
        for info in found:
            code = f"EPSG:{info.code}"
            if info.name == base and not info.deprecated and is_projected_metric(code):
                out.append(code)
    if area is not None:
        lon = (area.west + area.east) / 2
        lat = (area.south + area.north) / 2
        out.append(working_crs_for(lon, lat))
    return list(dict.fromkeys(out))


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
    swapped = _swapped(xmin, xmax, ymin, ymax)
    if swapped:
        return None, swapped
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


def _swapped(xmin: float, xmax: float, ymin: float, ymax: float) -> str | None:
    """Why the coordinates look like (northing, easting) or (lat, lon); None when not.

    Chinese surveys write X = northing first; a file that keeps that order has "eastings"
    of millions of metres and "northings" that look like eastings.
    """
    fix = "set swap_xy = true in the layer's park.toml section"
    if xmin >= -90 and xmax <= 90 and ymin >= -180 and ymax <= 180 and max(-ymin, ymax) > 90:
        return (
            f"the axes look swapped: x {xmin:.4f}..{xmax:.4f} reads as latitude and "
            f"y {ymin:.4f}..{ymax:.4f} as longitude (latitude written first); {fix}"
        )
    if not (xmin >= 1_000_000 and xmax <= 6_000_000):
        return None
    zones = {int(v // 1_000_000) for v in (ymin, ymax)}
    if len(zones) == 1 and next(iter(zones)) in GK_ZONES:
        zone = next(iter(zones))
        return (
            f"the axes look swapped: x {xmin:.1f}..{xmax:.1f} is a northing and y "
            f"{ymin:.1f}..{ymax:.1f} an easting prefixed with GK zone {zone} (surveys write "
            f'X = northing first); {fix} and crs = "EPSG:{GK_ZONES[zone][0]}"'
        )
    if ymin >= 100_000 and ymax <= 900_000:
        return (
            f"the axes look swapped: x {xmin:.1f}..{xmax:.1f} is a northing and y "
            f"{ymin:.1f}..{ymax:.1f} an easting near 500000 (surveys write X = northing "
            f"first); {fix} and crs to the data's GK zone (EPSG:4534-4554)"
        )
    return None


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


def crs_fit_warnings(gdf, working_crs: str, *, layer: str) -> list[str]:
    """Why *working_crs* mis-measures *gdf* (empty when it fits).

    Data beyond the working zone's edge is named when its centre lies in another zone. The
    layer's planar area in the working CRS is compared with its geodesic area (GRS 80)
    on an even sample of at most :data:`GUARD_SAMPLE` features; a difference above
    ``settings.WORKING_CRS_AREA_TOLERANCE``, or data beyond the zone's edge, is a warning
    naming the zone to use.
    """
    if gdf.crs is None or not len(gdf):
        return []
    lonlat = gdf.geometry.to_crs("EPSG:4326")
    lon_min, lat_min, lon_max, lat_max = lonlat.total_bounds
    if not np.isfinite([lon_min, lon_max]).all():
        return []
    fit = working_crs_for((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)
    better = f"use crs = {fit!r} in [park] (the zone of the data's centre)"
    out = []
    overrun = zone_overrun(working_crs, lon_min, lon_max)
    # data a little over the edge of its own centre's zone is measured in it as well as in any
    if overrun > 0.01 and fit != CRS.from_user_input(working_crs).to_string():
        out.append(
            f"{layer}: the data ({lon_min:.3f}..{lon_max:.3f}°E) reaches {overrun:.2f}° beyond "
            f"the edge of the working CRS {working_crs}'s zone; {better}"
        )
    step = max(1, len(gdf) // GUARD_SAMPLE)
    sample = gdf.geometry.iloc[::step]
    if sample.geom_type.isin(["Polygon", "MultiPolygon"]).any():
        planar = float(sample.to_crs(working_crs).area.sum())
        geodesic = float(geodesic_areas(lonlat.iloc[::step].array).sum())
        if geodesic > 0:
            share = planar / geodesic - 1
            if abs(share) > settings.WORKING_CRS_AREA_TOLERANCE:
                out.append(
                    f"{layer}: areas measured in the working CRS {working_crs} are {share:+.2%} "
                    f"off their geodesic areas (limit ±{settings.WORKING_CRS_AREA_TOLERANCE:.1%}); "
                    + (better if fit != working_crs else "split the layer by zone")
                )
    return out


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
