"""The map's data encoding: layers as compact columns and delta-encoded coordinates.

Coordinates are longitude/latitude at 1e-6° (about 0.1 m), shifted to GCJ-02 when asked;
repeated text is sent once. The page's script (``geo/templates/webmap.js``) decodes it.
"""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from pyproj import CRS, Transformer

from geo import settings
from geo.domain.gcj02 import wgs84_to_gcj02

__all__ = [
    "COORD_DECIMALS",
    "compact_layer",
    "feature_collection",
    "feature_properties",
    "json_for_script",
    "lonlat_points",
    "to_web",
]

COORD_DECIMALS = 6  # 1e-6° ≈ 0.1 m, finer than the data's survey accuracy


def json_for_script(data) -> str:
    """*data* as JSON text safe inside a ``<script>`` element (see :func:`escape_json_text`)."""
    raw = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return escape_json_text(raw.decode("utf-8"))


def escape_json_text(text: str) -> str:
    """JSON text safe in a <script>: <, > and & occur only inside JSON strings, where the
    \\u escapes mean the same characters, so no tag can open or close."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _lonlat(gdf: gpd.GeoDataFrame, *, shift: bool) -> np.ndarray:
    """Geometries in longitude/latitude (GCJ-02 when *shift*), rounded to 1e-6°."""
    geoms = np.asarray(
        gdf.to_crs(settings.WEB_CRS).geometry.array if gdf.crs else gdf.geometry.array
    )

    def move(coords):
        if shift:
            coords = np.column_stack(wgs84_to_gcj02(coords[:, 0], coords[:, 1]))
        return np.round(coords, COORD_DECIMALS)

    return shapely.transform(geoms, move)


def feature_collection(
    gdf: gpd.GeoDataFrame, properties: list[dict], *, shift: bool = False
) -> str:
    """A GeoJSON FeatureCollection as text, built once: geometry by shapely, properties by orjson.

    Coordinates are longitude/latitude rounded to 1e-6° (about 0.1 m), shifted to GCJ-02
    when *shift*.
    """
    geoms = shapely.to_geojson(_lonlat(gdf, shift=shift))
    parts = []
    for geom, props in zip(geoms, properties, strict=True):
        parts.append(
            '{"type":"Feature","properties":'
            + orjson.dumps(props, option=orjson.OPT_SERIALIZE_NUMPY).decode("utf-8")
            + ',"geometry":'
            + geom
            + "}"
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}"


def to_web(crs) -> Transformer:
    """The transformer from *crs* to longitude/latitude, built once per CRS (building one
    costs more than transforming 100,000 parcels)."""
    return _web_transformer(CRS.from_user_input(crs).to_wkt())


@functools.cache
def _web_transformer(wkt: str) -> Transformer:
    return Transformer.from_crs(CRS.from_wkt(wkt), settings.WEB_CRS, always_xy=True)


def _rings_geometry(geoms: np.ndarray, geometry: str, *, crs, shift: bool) -> dict:
    """Geometry structure and coordinates of a layer, delta-encoded in 1e-6 degrees.

    ``np`` parts per feature, ``nr`` rings per part (polygons), ``nc`` coordinates per ring
    or line; ``xy`` the coordinates as integer steps from the previous one. Closing
    coordinates of rings are dropped (Leaflet closes rings itself). An all-ones count array
    is sent as null. Coordinates are projected to longitude/latitude (and shifted to GCJ-02
    when *shift*) in one call on the flat coordinate array.
    """
    out: dict = {"np": None, "nr": None}
    if geometry == "polygon":
        simple = bool(
            (shapely.get_type_id(geoms) == shapely.GeometryType.POLYGON).all()
            and (shapely.get_num_interior_rings(geoms) == 0).all()
        )
        if simple:  # one part, one ring each (most parcels): no need to split them
            rings = geoms
        else:
            parts, part_of = shapely.get_parts(geoms, return_index=True)
            rings, ring_of = shapely.get_rings(parts, return_index=True)
            n_parts = np.bincount(part_of, minlength=len(geoms))
            n_rings = np.bincount(ring_of, minlength=len(parts))
            out["np"] = None if (n_parts == 1).all() else n_parts
            out["nr"] = None if (n_rings == 1).all() else n_rings
        counts = shapely.get_num_coordinates(rings)
        coords = shapely.get_coordinates(rings)
        keep = np.ones(len(coords), dtype=bool)
        keep[np.cumsum(counts) - 1] = False  # the closing coordinate of each ring
        coords, counts = coords[keep], counts - 1
    else:
        parts, part_of = shapely.get_parts(geoms, return_index=True)
        n_parts = np.bincount(part_of, minlength=len(geoms))
        out["np"] = None if (n_parts == 1).all() else n_parts
        counts = shapely.get_num_coordinates(parts) if geometry == "line" else None
        coords = shapely.get_coordinates(parts)
    if crs is not None and len(coords):
        transformer = to_web(crs)
        coords = np.column_stack(transformer.transform(coords[:, 0], coords[:, 1]))
    if shift and len(coords):
        coords = np.column_stack(wgs84_to_gcj02(coords[:, 0], coords[:, 1]))
    q = np.round(coords * 10**COORD_DECIMALS).astype(np.int64).ravel()
    xy = np.empty_like(q)
    if len(q):
        xy[:2] = q[:2]
        xy[2:] = q[2:] - q[:-2]
    out["nc"] = counts
    out["xy"] = xy
    return out


def compact_layer(
    gdf: gpd.GeoDataFrame, columns: dict, *, geometry: str, shift: bool = False
) -> dict:
    """A layer in the map's compact form: geometry as delta-encoded integers (about 0.1 m)
    and attributes as columns; repeated text is sent once (``dict`` + codes).

    The page's script turns it back into features; it is several times smaller than
    GeoJSON and is serialized by orjson straight from numpy arrays.
    """
    cols = {}
    for name, values in columns.items():
        cols[name] = _column(values)
    return {
        "n": len(gdf),
        "cols": cols,
        "geom": _rings_geometry(np.asarray(gdf.geometry.array), geometry, crs=gdf.crs, shift=shift),
    }


def _column(values) -> dict:
    series = pd.Series(values)
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        return {"v": series.to_numpy(dtype="float64")}  # NaN is written as null
    series = series.astype(object).where(series.notna(), None)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) * 2 < len(series):
        return {"codes": codes.astype(np.int32), "dict": [str(u) for u in uniques]}
    return {"v": [None if v is None else str(v) for v in series.tolist()]}


def _clean(value):
    if value is None:
        return None
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def feature_properties(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Per row, the JSON-ready properties in *columns* (NaN as None, numpy as Python), for
    :func:`feature_collection`."""
    cols = [c for c in columns if c in frame.columns]
    return [
        {c: _clean(v) for c, v in zip(cols, row, strict=True)}
        for row in frame[cols].itertuples(index=False, name=None)
    ]


def lonlat_points(points, *, crs, shift: bool) -> list[list[float]]:
    """Shapely points in *crs* as ``[lat, lon]`` pairs (GCJ-02 when *shift*), for Leaflet."""
    if not len(points):
        return []
    xy = np.array([(p.x, p.y) for p in points], dtype="float64")
    lon, lat = to_web(crs).transform(xy[:, 0], xy[:, 1])
    if shift:
        lon, lat = wgs84_to_gcj02(np.asarray(lon), np.asarray(lat))
    return [
        [round(float(a), COORD_DECIMALS), round(float(o), COORD_DECIMALS)]
        for a, o in zip(lat, lon, strict=True)
    ]
