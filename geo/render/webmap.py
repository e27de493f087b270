"""The interactive map: one self-contained, offline HTML file built with folium.

Data is serialized once (orjson, coordinates at 1e-6° ≈ 0.1 m) into a single JSON blob and
drawn by a small script of ours that styles features by a lookup on their stage, so the
page stays fast at 100,000 parcels. Leaflet's JS and CSS are inlined from the
``xstatic-leaflet`` package: opening the file makes no network request unless an online
basemap was chosen.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import os
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from pyproj import CRS, Transformer

from geo import settings
from geo.analysis.checks import check_project, findings_frame
from geo.analysis.goals import developed_area_goals, goals_json, measure_goals
from geo.analysis.progress import layer_state
from geo.analysis.projects import project_parcels
from geo.analysis.roads import chainage_ticks, road_state, section_geometries
from geo.domain.crs import to_metric
from geo.domain.gcj02 import wgs84_to_gcj02
from geo.domain.linref import road_centerlines
from geo.domain.tables import kind, label, labels, vocabularies
from geo.domain.units import M2_PER_MU, Area, convert, parse_unit
from geo.errors import ParkGeoError

__all__ = [
    "BASEMAPS",
    "MapOptions",
    "build_map",
    "feature_collection",
    "feature_properties",
    "leaflet_assets",
    "map_model",
    "render_html",
]

#: Basemaps: name → (tile URL template or None, attribution, subdomains, needs GCJ-02 shift).
BASEMAPS = {
    "none": (None, "", "", False),
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "© OpenStreetMap contributors",
        "",
        False,
    ),
    "tianditu": (
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=vec&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}"
        "&TILECOL={x}&tk={key}",
        "天地图 Tianditu",
        "01234567",
        False,
    ),
    "amap": (
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
        "&x={x}&y={y}&z={z}",
        "高德地图 Gaode/Amap",
        "1234",
        True,
    ),
    "local": (None, "", "", False),
}

#: Label (annotation) tiles drawn over a basemap whose own tiles carry no names.
BASEMAP_LABELS = {
    "tianditu": "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile"
    "&VERSION=1.0.0&LAYER=cva&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}"
    "&TILEROW={y}&TILECOL={x}&tk={key}",
}

#: Leaflet's CSS refers to these images; they are inlined as data URIs.
_LEAFLET_IMAGES = (
    "layers.png",
    "layers-2x.png",
    "marker-icon.png",
    "marker-icon-2x.png",
    "marker-shadow.png",
)

COORD_DECIMALS = 6  # 1e-6° ≈ 0.1 m, finer than the data's survey accuracy


@dataclass(frozen=True)
class MapOptions:
    """How to draw the map."""

    as_of: dt.date
    basemap: str = "none"
    lang: str = settings.DEFAULT_LANG
    tianditu_key: str | None = None
    tiles: Path | None = None
    snapshot: bool = False  # no interactive controls; title, legend, scale and north arrow
    layers: tuple[str, ...] | None = None  # layer keys to show (None: all)
    extent: tuple[float, float, float, float] | None = None  # lon/lat bounds to fit


# ---------------------------------------------------------------------------- assets


def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS from the installed ``xstatic-leaflet`` package (images inlined)."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    for name in _LEAFLET_IMAGES:
        path = base / "images" / name
        if path.exists():
            uri = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
            css = css.replace(f"images/{name}", uri)
    return js, css


def _template(name: str) -> str:
    return resources.files("geo.templates").joinpath(name).read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text safe inside an inline <script>: no closing tag can appear."""
    return text.replace("</", "<\\/")


def _json_for_script(data) -> str:
    raw = orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)
    return _escape_json_text(raw.decode("utf-8"))


# ---------------------------------------------------------------------------- data


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


def _to_web(crs) -> Transformer:
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
        transformer = _to_web(crs)
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


def _project_index(projects: pd.DataFrame | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if projects is None:
        return out
    for rec in projects.to_dict("records"):
        for pid in project_parcels(rec.get("parcels")):
            if pid:
                entry = out.setdefault(pid, {"project": [], "enterprise": [], "industry": []})
                entry["project"].append(rec.get("name") or "")
                entry["enterprise"].append(rec.get("enterprise") or "")
                entry["industry"].append(rec.get("industry") or "")
    return {
        k: {f: "、".join(dict.fromkeys(x for x in v if x)) for f, v in e.items()}
        for k, e in out.items()
    }


#: Attributes the map's popups show, per staged layer, with the decimals kept for numbers.
STAGED_COLUMNS = {
    "id": None,
    "name": None,
    "zone": None,
    "parcel": None,
    "land_use": None,
    "project": None,
    "enterprise": None,
    "industry": None,
    "stage": None,
    "stage_since": None,
    "percent": 1,
    "area_m2": 1,
    "area_mu": 2,
    "declared_area_mu": 2,
    "floor_area_m2": 0,
    "allocated_on": None,
    "agreed_start_on": None,
    "last_note": None,
}


def _staged_layer(features, kind_name: str, records, *, as_of, crs, projects, shift, dates):
    if features is None or not len(features):
        return None
    result = layer_state(features, records, kind_name=kind_name, as_of=as_of, dates=dates)
    state = result.features
    state["area_m2"] = to_metric(state, crs).geometry.area.to_numpy()
    state["area_mu"] = state["area_m2"] / M2_PER_MU
    if kind_name == "parcels":
        index = _project_index(projects)
        for field in ("project", "enterprise", "industry"):
            state[field] = state["id"].map({k: v[field] for k, v in index.items()}).fillna("")
    columns = {}
    for name, digits in STAGED_COLUMNS.items():
        if name in state.columns:
            values = state[name]
            columns[name] = values.round(digits) if digits is not None else values
    # the stage order on each date of the time control, one digit per date
    orders = result.stage_orders
    digits = np.ascontiguousarray(orders.astype(np.uint8) + ord("0"))
    columns["ts"] = digits.view(f"S{max(digits.shape[1], 1)}").ravel().astype(str)
    return {
        "key": kind_name,
        "vocab": kind(kind_name).stages,
        "geometry": "polygon",
        "data": compact_layer(state, columns, geometry="polygon", shift=shift),
        "count": len(state),
    }


def timeline_dates(records: pd.DataFrame | None, as_of: dt.date) -> list[dt.date]:
    """Year ends from the first recorded year (at least the previous one) to *as_of*."""
    first = as_of.year - 1
    if records is not None and len(records):
        first = min(first, int(str(records["date"].min())[:4]))
    return [dt.date(y, 12, 31) for y in range(first, as_of.year)] + [as_of]


def _timeline(store, manifest, dates: list[dt.date]) -> list[dict]:
    """Developed area to date on each of *dates*, measured as the goals measure it.

    The area is None when the project has no developed-area goal (which says what counts
    as developed); the dates still drive the time control.
    """

    has_goals = store.read_kind("goals") is not None
    out = []
    for date in dates:
        goals = (
            developed_area_goals(measure_goals(store, as_of=date, crs=manifest.crs))
            if has_goals
            else []
        )
        entry = {"date": date.isoformat(), "m2": None, "km2": None, "mu": None}
        if goals and goals[0].achieved_to_date is not None:
            area = Area(
                convert(goals[0].achieved_to_date, parse_unit(goals[0].unit), parse_unit("m2"))
            )
            entry.update(m2=area.m2, km2=area.km2, mu=area.mu)
        out.append(entry)
    return out


def map_model(store, manifest, options: MapOptions) -> dict:
    """Everything the map shows, as JSON-ready data; each stored layer is read once."""
    shift = BASEMAPS[options.basemap][3]
    as_of, crs = options.as_of, manifest.crs
    stored = {
        k: store.read_kind(k)
        for k in (
            "zones",
            "parcels",
            "factories",
            "housing",
            "roads",
            "projects",
            "progress",
        )
    }
    stored["findings"] = findings_frame(check_project(store, manifest, as_of=as_of))
    records = stored["progress"]
    dates = timeline_dates(records, as_of)
    layers = []
    zones = stored["zones"]
    if zones is not None and len(zones):
        z = zones.copy()
        z["area_m2"] = to_metric(z, crs).geometry.area.round(1).to_numpy()
        z["area_mu"] = (z["area_m2"] / M2_PER_MU).round(2)
        cols = {c: z[c] for c in ("id", "name", "name_en", "area_m2", "area_mu") if c in z}
        layers.append(
            {
                "key": "zones",
                "geometry": "polygon",
                "count": len(z),
                "data": compact_layer(z, cols, geometry="polygon", shift=shift),
            }
        )
    for kind_name in ("parcels", "factories", "housing"):
        layer = _staged_layer(
            stored[kind_name],
            kind_name,
            records,
            as_of=as_of,
            crs=crs,
            projects=stored["projects"],
            shift=shift,
            dates=dates,
        )
        if layer:
            layers.append(layer)
    layers.extend(_road_layers(store, manifest, records, as_of=as_of, shift=shift))
    findings = stored["findings"]
    if findings is not None and len(findings) and isinstance(findings, gpd.GeoDataFrame):
        f = findings[~findings.geometry.is_empty & findings.geometry.notna()]
        f = f[f.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        cols = {
            c: f[c]
            for c in (
                "rule",
                "severity",
                "ids",
                "value",
                "threshold",
                "unit",
                "message_zh",
                "message_en",
            )
            if c in f.columns
        }
        layers.append(
            {
                "key": "findings",
                "geometry": "polygon",
                "count": len(f),
                "data": compact_layer(f, cols, geometry="polygon", shift=shift),
            }
        )
    if options.layers is not None:
        layers = [layer for layer in layers if layer["key"] in options.layers]
    bounds = _bounds(
        [stored["zones"], stored["parcels"], stored["roads"]], shift=shift, extent=options.extent
    )
    goals = _goals(store, manifest, as_of)
    styles = {
        name: {s.code: {"color": s.color, "zh": s.zh, "en": s.en, "order": s.order} for s in stages}
        for name, stages in vocabularies().items()
    }
    fields = {
        k.name: {f.name: {"zh": f.label_zh, "en": f.label_en} for f in k.fields}
        for k in (kind(n) for n in ("parcels", "factories", "housing", "zones"))
    }
    return {
        "title": manifest.name if options.lang == "zh" else manifest.name_en,
        "as_of": as_of.isoformat(),
        "lang": options.lang,
        "labels": labels(options.lang),
        "layer_labels": {
            key: label(key, options.lang)
            for key in ("zones", "parcels", "factories", "housing", "roads", "ticks", "findings")
        },
        "styles": styles,
        "fields": fields,
        "layers": layers,
        "bounds": bounds,
        "goals": goals,
        "timeline": _timeline(store, manifest, dates),
        "shifted": shift,
        "snapshot": options.snapshot,
        "data_source": manifest.data_source.strip() or label("placeholder", options.lang),
        "review_number": manifest.map_review_number.strip() or label("placeholder", options.lang),
    }


def _road_layers(store, manifest, records, *, as_of, shift) -> list[dict]:
    roads = store.read_kind("roads")
    if roads is None or not len(roads):
        return []

    centerlines = road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
    result = road_state(roads, records, as_of=as_of, centerlines=centerlines)
    sections = section_geometries(result, centerlines)
    ticks = chainage_ticks(centerlines)
    out = []
    if len(sections):
        cols = [c for c in sections.columns if c != sections.geometry.name]
        out.append(
            {
                "key": "roads",
                "vocab": "road",
                "geometry": "line",
                "count": len(sections),
                "data": compact_layer(
                    sections, {c: sections[c] for c in cols}, geometry="line", shift=shift
                ),
            }
        )
    if len(ticks):
        cols = [c for c in ticks.columns if c != ticks.geometry.name]
        out.append(
            {
                "key": "ticks",
                "geometry": "point",
                "count": len(ticks),
                "data": compact_layer(
                    ticks, {c: ticks[c] for c in cols}, geometry="point", shift=shift
                ),
            }
        )
    return out


def _goals(store, manifest, as_of) -> list[dict]:

    if store.read_kind("goals") is None:
        return []
    goals = goals_json(measure_goals(store, as_of=as_of, crs=manifest.crs))
    # the panel shows the strings every output shows (geo.domain.quantities)
    for goal in goals:
        goal["texts"] = {lang: _goal_panel_texts(goal, lang) for lang in ("zh", "en")}
    return goals


def _goal_panel_texts(goal: dict, lang: str) -> dict:
    from geo.domain.quantities import goal_texts

    t = goal_texts(goal, lang)
    figures = f"{label('this_year', lang)} {t.achieved} / {label('target', lang)} {t.target}"
    if t.percent:
        figures += f"（{t.percent}）" if lang == "zh" else f" ({t.percent})"
    if t.to_date:
        figures += f"　{label('to_date', lang)} {t.to_date}"
    return {"name": t.metric, "unit": t.unit, "figures": figures, "status": t.status}


def _bounds(frames, *, shift: bool, extent=None) -> list[list[float]]:
    if extent is not None:
        lon0, lat0, lon1, lat1 = extent
    else:
        boxes = [
            _to_web(f.crs).transform_bounds(*f.total_bounds)
            for f in frames
            if f is not None and len(f) and isinstance(f, gpd.GeoDataFrame)
        ]
        if not boxes:
            raise ParkGeoError("the store holds no spatial layer to map; run `parkgeo import`.")
        b = np.array(boxes)
        lon0, lat0, lon1, lat1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    if shift:
        (lon0, lon1), (lat0, lat1) = wgs84_to_gcj02([lon0, lon1], [lat0, lat1])
    return [[float(lat0), float(lon0)], [float(lat1), float(lon1)]]


# ---------------------------------------------------------------------------- tiles


def _local_tiles(path: Path, bounds, *, max_tiles: int = 4000) -> dict[str, str]:
    """Tiles covering *bounds* from an XYZ folder or an MBTiles file, as data URIs."""
    import math

    path = Path(path)
    if not path.exists():
        raise ParkGeoError(f"{path}: no such tile folder or MBTiles file (--tiles).")
    (lat0, lon0), (lat1, lon1) = bounds

    def tile_range(z):
        n = 2**z

        def xy(lon, lat):
            x = int((lon + 180.0) / 360.0 * n)
            r = math.radians(lat)
            y = int((1.0 - math.asinh(math.tan(r)) / math.pi) / 2.0 * n)
            return min(max(x, 0), n - 1), min(max(y, 0), n - 1)

        (xa, ya), (xb, yb) = xy(lon0, lat1), xy(lon1, lat0)
        return range(xa, xb + 1), range(ya, yb + 1)

    out: dict[str, str] = {}
    if path.suffix.lower() == ".mbtiles":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            fmt = dict(con.execute("SELECT name, value FROM metadata").fetchall()).get(
                "format", "png"
            )
            zooms = [r[0] for r in con.execute("SELECT DISTINCT zoom_level FROM tiles")]
            for z in sorted(zooms):
                xs, ys = tile_range(z)
                for x in xs:
                    for y in ys:
                        row = con.execute(
                            "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? "
                            "AND tile_row=?",
                            (z, x, 2**z - 1 - y),
                        ).fetchone()
                        if row:
                            out[f"{z}/{x}/{y}"] = _data_uri(row[0], fmt)
                            if len(out) > max_tiles:
                                raise ParkGeoError(
                                    f"{path}: more than {max_tiles} tiles cover "
                                    "the park; export fewer zoom levels."
                                )
        finally:
            con.close()
        return out
    for zdir in sorted(p for p in path.iterdir() if p.is_dir() and p.name.isdigit()):
        z = int(zdir.name)
        xs, ys = tile_range(z)
        for x in xs:
            for y in ys:
                for ext in ("png", "jpg", "jpeg", "webp"):
                    tile = zdir / str(x) / f"{y}.{ext}"
                    if tile.exists():
                        out[f"{z}/{x}/{y}"] = _data_uri(tile.read_bytes(), ext)
                        break
        if len(out) > max_tiles:
            raise ParkGeoError(
                f"{path}: more than {max_tiles} tiles cover the park; export fewer zoom levels."
            )
    return out


def _data_uri(data: bytes, fmt: str) -> str:
    mime = {"jpg": "jpeg", "jpeg": "jpeg", "webp": "webp"}.get(fmt, "png")
    return f"data:image/{mime};base64," + base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------- render


class _Raw(Element):
    """Text put into the page as it is: not a Jinja template (inlined Leaflet is large, and
    its text must never be read as template syntax)."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _ParkLayers(MacroElement):
    """Our script call, added to the page's script as raw text.

    folium's MacroElement would compile the rendered script as a Jinja template, so data
    text such as ``{{ ... }}`` in a project name would be evaluated: never let data reach a
    template.
    """

    def __init__(self, payload: str):
        super().__init__()
        self._name = "ParkLayers"
        self.payload = payload

    def render(self, **kwargs) -> None:
        script = f"parkgeoInit({self._parent.get_name()}, {self.payload});"
        self.get_root().script.add_child(_Raw(script), name=self.get_name())


def render_html(model: dict, options: MapOptions) -> str:
    """The map page as one self-contained HTML string."""
    url, attribution, subdomains, _ = BASEMAPS[options.basemap]
    m = folium.Map(
        location=[0, 0],
        zoom_start=2,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,  # our own metric-only scale bar (webmap.js)
        zoom_control=not options.snapshot,
        attribution_control=options.basemap != "none",
    )
    # folium's default assets come from CDNs; Leaflet is inlined below and nothing else
    # (jQuery, Bootstrap, Font Awesome) is needed by this page
    m.default_js = []
    m.default_css = []
    js, css = leaflet_assets()
    root = m.get_root()
    root.header.add_child(_Raw(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(_Raw(f"<style>{_template('webmap.css')}</style>"), name="parkgeo_css")
    root.header.add_child(_Raw(f"<script>{_script_safe(js)}</script>"), name="leaflet_js")
    root.header.add_child(
        _Raw(f"<script>{_script_safe(_template('webmap.js'))}</script>"), name="parkgeo_js"
    )
    title = (
        f"{model['title']} {label('title_suffix', options.lang)} · "
        f"{label('as_of', options.lang)} {model['as_of']}"
    )
    root.header.add_child(_Raw(f"<title>{html.escape(title)}</title>"), name="title")
    tiles: dict = {}
    labels_url = None
    if options.basemap == "local":
        if options.tiles is None:
            raise ParkGeoError("--basemap local needs --tiles PATH (an XYZ folder or .mbtiles).")
        tiles = _local_tiles(options.tiles, model["bounds"])
    elif url and options.basemap == "tianditu":
        key = options.tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ParkGeoError(
                "--basemap tianditu needs a key: --tianditu-key KEY or the "
                "TIANDITU_KEY environment variable (get one at the Tianditu site)."
            )
        url = url.replace("{key}", key)
        labels_url = BASEMAP_LABELS["tianditu"].replace("{key}", key)
    payload = dict(
        model,
        basemap={
            "name": options.basemap,
            "url": url,
            "labels_url": labels_url,
            "attribution": attribution,
            "subdomains": subdomains,
            "tiles": tiles,
        },
    )
    # compact layers are serialized with the payload (orjson, straight from numpy); layers
    # given as GeoJSON text (snapshots build some) are spliced in rather than re-parsed
    texts = {
        i: layer["data"]
        for i, layer in enumerate(model["layers"])
        if isinstance(layer["data"], str)
    }
    payload["layers"] = [
        dict(layer, data=f"__LAYER_{i}__") if i in texts else layer
        for i, layer in enumerate(model["layers"])
    ]
    text = _json_for_script(payload)
    for i, data in texts.items():
        text = text.replace(f'"__LAYER_{i}__"', _escape_json_text(data), 1)
    _ParkLayers(text).add_to(m)
    return root.render()


def _escape_json_text(text: str) -> str:
    """JSON text safe in a <script>: <, > and & occur only inside JSON strings, where the
    \\u escapes mean the same characters, so no tag can open or close."""
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def build_map(store, manifest, options: MapOptions) -> str:
    """Model and render the map: the HTML text of ``parkgeo map``."""
    if options.basemap not in BASEMAPS:
        raise ParkGeoError(
            f"unknown basemap {options.basemap!r}; use one of: {', '.join(BASEMAPS)}"
        )
    if options.lang not in ("zh", "en"):
        raise ParkGeoError(f"unknown language {options.lang!r}; use zh or en")
    return render_html(map_model(store, manifest, options), options)
