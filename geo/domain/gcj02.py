"""WGS-84 / CGCS2000 → GCJ-02 ("Mars coordinates"), for overlays on Gaode (Amap) tiles.

GCJ-02 is the obfuscated datum that Chinese web maps (Gaode/Amap, Tencent) draw their
tiles in; data in WGS-84 or CGCS2000 must be shifted by the same published formula to
line up with them (100–700 m in most of China). EPSG has no code for it, so PROJ cannot
do it. Outside China the formula is the identity.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gcj02_to_wgs84", "out_of_china", "wgs84_to_gcj02"]

# Krasovsky 1940 ellipsoid, as the published GCJ-02 formula uses it.
_A = 6378245.0
_EE = 0.00669342162296594323


def out_of_china(lon, lat):
    """True where the point lies outside the rough China box in which GCJ-02 applies."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon, lat):
    x, y = lon - 105.0, lat - 35.0
    sx = np.sqrt(np.abs(x))
    waves = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + waves
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + waves
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * np.pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    """Shift WGS-84 longitudes/latitudes (scalars or arrays) to GCJ-02."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    outside = out_of_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_wgs84(lon, lat, *, iterations: int = 10):
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (well under 0.01 m in China)."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(iterations):
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon - (glon - lon), wlat - (glat - lat)
    return wlon, wlat
