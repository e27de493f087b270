"""Map snapshots: a PNG of the park, a zone, a road or a parcel, for Word briefings.

Two renderers draw the same picture from the same style table (``geo/data/stages.toml``)
and interface texts (``geo/data/labels.toml``): title with the as-of date, legend of the
visible layers, metric scale bar, north arrow and a footer with the data source and the
map review number (审图号) of ``park.toml``.

* ``browser``: the web map of :mod:`geo.render.webmap` in snapshot mode (no controls),
  opened in the machine's headless Chromium and screenshotted once the page says it is
  drawn (``window.parkgeo.drawn``), with animations off and nothing fetched from outside
  unless a basemap was asked for.
* ``static``: matplotlib (:mod:`geo.render.static`), used when no browser is found, so a
  snapshot never fails for lack of one.

The PNG is exactly ``size × scale`` pixels and carries ``96 × scale`` dpi, so Word places
it at ``size`` CSS pixels (e.g. 1600 px → 42.3 cm; images in a briefing are resized to the
text width anyway). The same data and options give the same bytes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.domain.tables import label, vocabulary, work_items
from geo.errors import ParkGeoError
from geo.io.files import write_atomic

__all__ = [
    "CSS_DPI",
    "LAYER_KEYS",
    "RENDERERS",
    "Extent",
    "Georef",
    "Snapshot",
    "SnapshotOptions",
    "SnapshotSession",
    "footer_text",
    "legend_columns",
    "parse_layers",
    "parse_size",
    "resolve_extent",
    "road_strands",
    "snapshot",
    "snapshot_layers",
]

#: Layer keys a snapshot can show, in drawing order.
LAYER_KEYS = ("zones", "parcels", "housing", "factories", "roads", "ticks", "findings")
#: Layers of a road snapshot unless --layers says otherwise.
ROAD_LAYERS = ("zones", "roads", "ticks")
#: Margin around a zone, road or parcel extent, as a fraction of its larger side.
EXTENT_MARGIN = {"zone": 0.04, "road": 0.08, "parcel": 0.5}
#: Renderer choices: auto is the browser when one is found, else static.
RENDERERS = ("auto", "browser", "static")
#: Pixels per inch of one CSS pixel; the PNG says 96 × scale dpi.
CSS_DPI = 96
#: Distance between the work items of a road drawn side by side, in CSS pixels.
STRAND_SPACING_PX = 13.0
#: Room the title, legend and footer take from the map, in CSS pixels (left, top, right,
#: bottom), to fit the extent into what is left; the browser measures its own.
FRAME_PX = (30.0, 100.0, 260.0, 60.0)
#: How long the browser may take to load and draw the page, in milliseconds.
PAGE_TIMEOUT_MS = 120_000

_EXTRA_CSS = """
*, *::before, *::after { transition: none !important; animation: none !important; }
.pg-legends { max-height: none !important; overflow: visible !important; }
.pg-legend { break-inside: avoid; }
.pg-legend-item { line-height: 18px !important; }
"""


@dataclass(frozen=True)
class Extent:
    """What a snapshot is fitted to.

    Attributes
    ----------
    kind
        ``park``, ``zone``, ``road`` or ``parcel``.
    id, name
        The feature (empty for the park).
    bounds
        (xmin, ymin, xmax, ymax) in the working CRS, metres.
    lonlat
        The same as (lon0, lat0, lon1, lat1).
    """

    kind: str
    id: str
    name: str
    bounds: tuple[float, float, float, float]
    lonlat: tuple[float, float, float, float]

    @property
    def road(self) -> str | None:
        return self.id if self.kind == "road" else None


@dataclass(frozen=True)
class SnapshotOptions:
    """What to draw and how big.

    ``size`` is in CSS pixels; the PNG has ``size × scale`` pixels. ``layers`` None shows
    the extent's default layers (all for the park, zones/roads/ticks for a road).
    """

    as_of: dt.date
    extent: str = "park"
    layers: tuple[str, ...] | None = None
    size: tuple[int, int] = (1600, 1000)
    scale: float = 2.0
    lang: str = settings.DEFAULT_LANG
    basemap: str = "none"
    tiles: Path | None = None
    tianditu_key: str | None = None

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.size[0] * self.scale), round(self.size[1] * self.scale)

    @property
    def dpi(self) -> float:
        return CSS_DPI * self.scale


@dataclass(frozen=True)
class Georef:
    """Where map coordinates fall in the PNG: the image's edges in *crs* units."""

    crs: str
    left: float
    top: float
    right: float
    bottom: float
    width: int
    height: int

    def pixel(self, x: float, y: float) -> tuple[float, float]:
        """Column and row (from the top-left corner) of the point (*x*, *y*) in :attr:`crs`."""
        col = (x - self.left) / (self.right - self.left) * self.width
        row = (self.top - y) / (self.top - self.bottom) * self.height
        return col, row


@dataclass(frozen=True)
class Snapshot:
    """A written snapshot: its file, renderer, pixel size, dpi and layout.

    ``regions`` maps ``title``, ``legend``, ``scale``, ``north`` and ``footer`` to boxes
    (left, top, right, bottom) in image pixels.
    """

    path: Path
    renderer: str
    width: int
    height: int
    dpi: float
    extent: Extent
    layers: tuple[str, ...]
    regions: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)
    georef: Georef | None = None
    note: str = ""


# ---------------------------------------------------------------------------- options


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` → (1600, 1000).

    Raises
    ------
    ParkGeoError
        For anything but two positive integers joined by ``x``.
    """
    parts = str(text).lower().replace("×", "x").split("x")
    try:
        width, height = (int(p) for p in parts)
    except ValueError:
        width = height = 0
    if len(parts) != 2 or not (50 <= width <= 10000 and 50 <= height <= 10000):
        raise ParkGeoError(
            f"--size {text!r}: give WIDTHxHEIGHT in pixels, each 50–10000, e.g. 1600x1000"
        )
    return width, height


def parse_layers(text: str | None) -> tuple[str, ...] | None:
    """``"zones,parcels"`` → ("zones", "parcels"); None or empty → None (the default).

    Raises
    ------
    ParkGeoError
        For a key that is not a layer of the map; the valid keys are listed.
    """
    if not text:
        return None
    keys = tuple(dict.fromkeys(k.strip() for k in str(text).split(",") if k.strip()))
    unknown = [k for k in keys if k not in LAYER_KEYS]
    if unknown:
        raise ParkGeoError(
            f"--layers: unknown layer(s) {', '.join(unknown)}; use any of {', '.join(LAYER_KEYS)}"
        )
    return keys


# ---------------------------------------------------------------------------- extent


def _lonlat_bounds(gdf: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    return tuple(float(v) for v in gdf.to_crs(settings.WEB_CRS).total_bounds)


def _choices(frame: pd.DataFrame) -> str:
    names = frame["name"].astype(str) if "name" in frame.columns else None
    items = [
        f"{fid} {name}" if names is not None and name and name != "None" else str(fid)
        for fid, name in zip(frame["id"], names if names is not None else frame["id"], strict=True)
    ]
    if len(items) > 40:
        items = [*items[:40], f"… ({len(items) - 40} more)"]
    return ", ".join(items)


def resolve_extent(store, manifest, spec: str | None = "park") -> Extent:
    """The extent named by *spec*: ``park``, ``zone:NAME``, ``road:NAME`` or ``parcel:ID``.

    A zone or road is found by id or name, a parcel by id.

    Raises
    ------
    ParkGeoError
        For an unknown form or name; the valid names are listed.
    """
    spec = (spec or "park").strip()
    crs = manifest.crs
    if spec == "park":
        frames = [store.read_kind(k) for k in ("zones", "parcels", "roads")]
        frames = [f.to_crs(crs) for f in frames if f is not None and len(f)]
        if not frames:
            raise ParkGeoError("the store holds no spatial layer to draw; run `parkgeo import`.")
        b = np.array([f.total_bounds for f in frames])
        ll = np.array([_lonlat_bounds(f) for f in frames])
        return Extent(
            "park",
            "",
            manifest.name,
            (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()),
            (ll[:, 0].min(), ll[:, 1].min(), ll[:, 2].max(), ll[:, 3].max()),
        )
    kind_name, _, key = spec.partition(":")
    layer = {"zone": "zones", "road": "roads", "parcel": "parcels"}.get(kind_name)
    if layer is None or not key.strip():
        raise ParkGeoError(
            f"--extent {spec!r}: use park, zone:NAME, road:NAME or parcel:ID "
            "(e.g. zone:五里梁片区, road:二号路, parcel:WLL-01)"
        )
    key = key.strip()
    frame = store.read_kind(layer)
    if frame is None or not len(frame):
        raise ParkGeoError(f"--extent {spec!r}: the project has no {layer} layer")
    mask = frame["id"].astype(str) == key
    if layer != "parcels":
        for col in ("name", "name_en"):
            if col in frame.columns:
                mask |= frame[col].astype(str) == key
    if not mask.any():
        what = "id" if layer == "parcels" else "id or name"
        raise ParkGeoError(
            f"--extent {spec!r}: no {kind_name} has {what} {key!r}; "
            f"valid {layer}: {_choices(frame)}"
        )
    row = frame[mask].iloc[[0]].to_crs(crs)
    name = str(row["name"].iloc[0]) if "name" in row.columns and row["name"].iloc[0] else key
    # room around the feature: its neighbours for context, a road's item labels
    x0, y0, x1, y1 = (float(v) for v in row.total_bounds)
    pad = max(x1 - x0, y1 - y0) * EXTENT_MARGIN[kind_name]
    box = gpd.GeoSeries([shapely.box(x0 - pad, y0 - pad, x1 + pad, y1 + pad)], crs=crs)
    return Extent(
        kind_name,
        str(row["id"].iloc[0]),
        name,
        (x0 - pad, y0 - pad, x1 + pad, y1 + pad),
        tuple(float(v) for v in box.to_crs(settings.WEB_CRS).total_bounds),
    )


def _metres_per_px(extent: Extent, size: tuple[int, int]) -> float:
    """Ground metres per CSS pixel when *extent* is fitted into a map of *size*."""
    x0, y0, x1, y1 = extent.bounds
    left, top, right, bottom = FRAME_PX
    free_w = max(size[0] - left - right, size[0] * 0.3)
    free_h = max(size[1] - top - bottom, size[1] * 0.3)
    return max((x1 - x0) / free_w, (y1 - y0) / free_h, 0.05)


# ---------------------------------------------------------------------------- roads


def road_strands(
    store, manifest, road_id: str, *, as_of: dt.date, spacing_m: float, lang: str = "zh"
) -> tuple[gpd.GeoDataFrame, list[dict]]:
    """One road's work items drawn side by side, each coloured by stage along its chainage.

    Each work item of ``stages.toml`` gets a strand: the centerline offset to its right by
    a multiple of *spacing_m* (items in table order, the first nearest; the centerline
    itself keeps the chainage ticks); where no record says otherwise the strand is "not
    started".

    Returns
    -------
    (GeoDataFrame, list of dict)
        Lines in the working CRS with ``road``, ``road_name``, ``item``, ``stage``,
        ``color``, ``from``, ``to``; and one label per strand (``x``, ``y`` in the working
        CRS, ``text``, ``direction`` left/top, ``offset`` in CSS pixels) at its west or
        north end.
    """
    from geo.analysis.roads import road_state, section_geometries, select_roads
    from geo.domain.linref import road_centerlines

    roads = select_roads(store.read_kind("roads"), road_id)
    centerlines = road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
    result = road_state(roads, store.read_kind("progress"), as_of=as_of, centerlines=centerlines)
    sections = section_geometries(result, centerlines, crs=manifest.crs)
    line = centerlines[road_id]
    base = gpd.GeoSeries([line.line], crs=line.crs).to_crs(manifest.crs).iloc[0]
    colors = {s.code: s.color for s in vocabulary("road")}
    not_started = vocabulary("road")[0].code
    items = work_items()
    rows, geoms, labels_out = [], [], []
    (sx, sy), (ex, ey) = base.coords[0], base.coords[-1]
    horizontal = abs(ex - sx) >= abs(ey - sy)
    # label the west end of an east-west road, the north end of a north-south one
    at_start = (sx <= ex) if horizontal else (sy >= ey)
    for i, item in enumerate(items):
        offset = -(i + 1) * spacing_m  # negative: right of the direction of chainage
        strand = shapely.offset_curve(base, offset)
        own = sections[sections["item"] == item.code]
        # the rest of the road, where no record says anything, is not started
        pieces = [
            (shapely.offset_curve(geom, offset), not_started, "", "")
            for geom in _uncovered(line, own, manifest.crs)
        ]
        for rec, geom in zip(own.to_dict("records"), own.geometry, strict=True):
            pieces.append(
                (
                    shapely.offset_curve(geom, offset),
                    rec["stage"],
                    rec["from"],
                    rec["to"],
                )
            )
        for geom, stage, ch0, ch1 in pieces:
            rows.append(
                {
                    "road": road_id,
                    "road_name": result.roads[0].name,
                    "item": item.code,
                    "item_label": item.label(lang),
                    "stage": stage,
                    "color": colors[stage],
                    "from": ch0,
                    "to": ch1,
                }
            )
            geoms.append(geom)
        # offset_curve keeps the direction of the line for either side
        end = shapely.get_point(strand, 0 if at_start else -1)
        labels_out.append(
            {
                "x": shapely.get_x(end),
                "y": shapely.get_y(end),
                "text": item.zh if lang == "zh" else item.en,
                "direction": "left" if horizontal else "top",
                "offset": [-6, 0] if horizontal else [0, -6 - 15 * i],
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=manifest.crs)
    return frame, labels_out


def _uncovered(line, sections: pd.DataFrame, crs: str) -> list:
    """Pieces of a centerline outside every section (chainage intervals), in *crs*."""
    spans = sorted(
        (min(a, b), max(a, b)) for a, b in zip(sections["from_m"], sections["to_m"], strict=True)
    )
    gaps, at = [], line.start
    for a, b in spans:
        if a - at > 0.01:
            gaps.append((at, a))
        at = max(at, b)
    if line.end - at > 0.01:
        gaps.append((at, line.end))
    geoms = [line.cut(a, b) for a, b in gaps]
    if not geoms:
        return []
    return list(gpd.GeoSeries(geoms, crs=line.crs).to_crs(crs))


# ---------------------------------------------------------------------------- layers


def _layers_for(extent: Extent, options: SnapshotOptions) -> tuple[str, ...]:
    if options.layers is not None:
        return tuple(k for k in LAYER_KEYS if k in options.layers)
    return ROAD_LAYERS if extent.kind == "road" else LAYER_KEYS


def snapshot_layers(
    store, manifest, extent: Extent, options: SnapshotOptions
) -> dict[str, gpd.GeoDataFrame]:
    """The features a snapshot draws, by layer key, in the working CRS with a ``color``.

    Staged layers carry the stage on ``options.as_of`` and its colour from the style
    table; roads are the pavement by stage for the park (as the web map shows them), every
    work item side by side for a road extent; ticks are the chainage marks.
    """
    from geo.analysis.progress import layer_state

    crs, as_of = manifest.crs, options.as_of
    keys = _layers_for(extent, options)
    records = store.read_kind("progress")
    out: dict[str, gpd.GeoDataFrame] = {}
    if "zones" in keys:
        zones = store.read_kind("zones")
        if zones is not None and len(zones):
            out["zones"] = zones.to_crs(crs)
    vocab = {"parcels": "land", "factories": "building", "housing": "building"}
    for key in ("parcels", "housing", "factories"):
        if key not in keys:
            continue
        features = store.read_kind(key)
        if features is None or not len(features):
            continue
        state = layer_state(features, records, kind_name=key, as_of=as_of).features
        colors = {s.code: s.color for s in vocabulary(vocab[key])}
        state = state.to_crs(crs)
        state["color"] = [colors.get(s, "#888888") for s in state["stage"]]
        out[key] = state
    roads = store.read_kind("roads")
    if roads is not None and len(roads) and ("roads" in keys or "ticks" in keys):
        from geo.analysis.roads import chainage_ticks, road_state, section_geometries, select_roads
        from geo.domain.linref import road_centerlines

        chosen = select_roads(roads, extent.road)
        centerlines = road_centerlines(chosen, scale_tolerance=manifest.road_scale_tolerance)
        if "roads" in keys:
            if extent.road:
                spacing = STRAND_SPACING_PX * _metres_per_px(extent, options.size)
                frame, _ = road_strands(
                    store, manifest, extent.road, as_of=as_of, spacing_m=spacing
                )
            else:
                result = road_state(chosen, records, as_of=as_of, centerlines=centerlines)
                frame = section_geometries(result, centerlines, crs=crs)
                items = [i.code for i in work_items() if (frame["item"] == i.code).any()]
                shown = "pavement" if "pavement" in items else (items[0] if items else None)
                frame = frame[frame["item"] == shown]
            out["roads"] = frame
        if "ticks" in keys:
            out["ticks"] = chainage_ticks(centerlines).to_crs(crs)
    if "findings" in keys:
        from geo.analysis.checks import check_project, findings_frame

        findings = findings_frame(check_project(store, manifest, as_of=as_of))
        if isinstance(findings, gpd.GeoDataFrame) and len(findings):
            f = findings[findings.geometry.notna() & ~findings.geometry.is_empty]
            if len(f):
                out["findings"] = f.to_crs(crs)
    return out


# ---------------------------------------------------------------------------- renderers


def _to_png(image, path: Path, dpi: float) -> Path:
    """Save a Pillow image as an RGB PNG with *dpi* in its pHYs chunk, via a temp file."""
    rgb = image.convert("RGB")
    return write_atomic(path, lambda tmp: rgb.save(tmp, format="PNG", dpi=(dpi, dpi)))


def legend_columns(keys: tuple[str, ...], height: float) -> int:
    """Columns the legend needs to fit in a map *height* CSS pixels high (about 18 px a
    line, a title and its entries per layer, 110 px kept for the title and margins)."""
    from geo.domain.tables import kind

    lines = 0
    for key in keys:
        if key == "roads":
            lines += 1 + len(vocabulary("road"))
        elif key in ("parcels", "factories", "housing"):
            lines += 1 + len(vocabulary("land" if key == "parcels" else kind(key).stages))
        else:
            lines += 2
    needed = lines * 18 + 8 * len(keys) + 20
    return max(1, math.ceil(needed / max(height - 110, 100)))


def _title(manifest, extent: Extent, lang: str) -> str:
    name = manifest.name if lang == "zh" else manifest.name_en
    if extent.kind == "park":
        return name
    return f"{name} · {extent.name}" if extent.name != extent.id else f"{name} · {extent.id}"


def _review_number(manifest, lang: str) -> str:
    text = manifest.map_review_number or ""
    for prefix in (label("review_number", "zh"), label("review_number", "en")):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("：: ")
    return text


def footer_text(manifest, lang: str) -> str:
    """``数据来源：…　审图号：…`` from park.toml, as both renderers print it."""
    return (
        f"{label('source', lang)}：{manifest.data_source}　"
        f"{label('review_number', lang)}：{_review_number(manifest, lang)}"
    )


class SnapshotSession:
    """Renders snapshots with one renderer; the browser, if any, is launched once.

    Parameters
    ----------
    renderer
        ``auto`` (the browser when one is found, else static), ``browser`` or ``static``.
    browser
        Path of a Chromium/Chrome/Edge executable (else ``$PARKGEO_BROWSER``, else PATH).

    Raises
    ------
    ParkGeoError
        For ``renderer="browser"`` when no browser is found.
    """

    def __init__(self, *, renderer: str = "auto", browser: str | Path | None = None):
        from geo.render.browser import find_browser

        if renderer not in RENDERERS:
            raise ParkGeoError(f"unknown renderer {renderer!r}; use one of {', '.join(RENDERERS)}")
        self.note = ""
        self._stack = contextlib.ExitStack()
        self._browser = None
        self._executable = None if renderer == "static" else find_browser(browser)
        if renderer == "browser" and self._executable is None:
            raise ParkGeoError(
                "--renderer browser: no Chromium, Chrome or Edge found; give --browser PATH "
                "or set PARKGEO_BROWSER, or use --renderer static"
            )
        if renderer == "auto" and self._executable is None:
            self.note = "no browser found; drawn with matplotlib"
        self.renderer = "browser" if self._executable else "static"
        self._strict = renderer == "browser"

    def __enter__(self) -> SnapshotSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self._browser = None

    def _launched(self):
        if self._browser is None:
            from geo.render.browser import launch

            try:
                self._browser = self._stack.enter_context(launch(self._executable))
            except Exception as exc:
                if self._strict:
                    raise ParkGeoError(
                        f"could not start the browser {self._executable}: {exc}"
                    ) from exc
                self.renderer, self.note = "static", f"browser failed to start ({exc}); static"
                return None
        return self._browser

    def render(self, store, manifest, path: Path | str, options: SnapshotOptions) -> Snapshot:
        """Draw the snapshot of *options* and write it to *path* (PNG)."""
        if options.lang not in ("zh", "en"):
            raise ParkGeoError(f"unknown language {options.lang!r}; use zh or en")
        if options.scale <= 0 or options.scale > 8:
            raise ParkGeoError(f"--scale {options.scale}: give a number above 0, at most 8")
        extent = resolve_extent(store, manifest, options.extent)
        if self.renderer == "browser" and self._launched() is not None:
            shot = self._render_browser(store, manifest, Path(path), options, extent)
        else:
            shot = self._render_static(store, manifest, Path(path), options, extent)
        return replace(shot, note=self.note)

    # -------------------------------------------------------------------- browser

    def _render_browser(self, store, manifest, path, options, extent) -> Snapshot:
        from PIL import Image

        from geo.render.webmap import (
            BASEMAPS,
            MapOptions,
            feature_collection,
            feature_properties,
            map_model,
        )
        from geo.render.webmap import render_html as webmap_html

        if options.basemap not in BASEMAPS:
            raise ParkGeoError(
                f"unknown basemap {options.basemap!r}; use one of: {', '.join(BASEMAPS)}"
            )
        keys = _layers_for(extent, options)
        shift = BASEMAPS[options.basemap][3]
        lonlat = extent.lonlat
        map_options = MapOptions(
            as_of=options.as_of,
            basemap=options.basemap,
            lang=options.lang,
            tianditu_key=options.tianditu_key,
            tiles=options.tiles,
            snapshot=True,
            layers=keys,
            extent=lonlat,
        )
        model = map_model(store, manifest, map_options)
        model["title"] = _title(manifest, extent, options.lang)
        model["review_number"] = _review_number(manifest, options.lang)
        if extent.road:
            spacing = STRAND_SPACING_PX * _metres_per_px(extent, options.size)
            strands, strand_labels = road_strands(
                store,
                manifest,
                extent.road,
                as_of=options.as_of,
                spacing_m=spacing,
                lang=options.lang,
            )
            props = feature_properties(
                strands, ["road", "road_name", "item", "stage", "from", "to"]
            )
            for layer in model["layers"]:
                if layer["key"] == "roads":
                    layer["data"] = feature_collection(strands, props, shift=shift)
                    layer["count"] = len(strands)
                elif layer["key"] == "ticks":
                    from geo.analysis.roads import chainage_ticks, select_roads
                    from geo.domain.linref import road_centerlines

                    roads = select_roads(store.read_kind("roads"), extent.road)
                    ticks = chainage_ticks(
                        road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
                    )
                    layer["data"] = feature_collection(
                        ticks,
                        feature_properties(ticks, ["road", "chainage", "label", "kind"]),
                        shift=shift,
                    )
                    layer["count"] = len(ticks)
            model["items_visible"] = [i.code for i in work_items()]
            pts = gpd.GeoSeries(
                [shapely.Point(s["x"], s["y"]) for s in strand_labels], crs=manifest.crs
            ).to_crs(settings.WEB_CRS)
            model["strand_labels"] = [
                {
                    "lon": p.x,
                    "lat": p.y,
                    "text": s["text"],
                    "direction": s["direction"],
                    "offset": s["offset"],
                }
                for p, s in zip(pts, strand_labels, strict=True)
            ]
        text = webmap_html(model, map_options)
        css = _EXTRA_CSS
        columns = legend_columns(keys, options.size[1])
        if columns > 1:
            css += (
                f".pg-legends {{ column-count: {columns}; column-gap: 14px; "
                f"width: {columns * 200}px; }}\n"
            )
        text = text.replace("</head>", f"<style>{css}</style></head>", 1)
        width, height = options.size
        with tempfile.TemporaryDirectory(prefix="parkgeo-snapshot-") as tmp:
            page_path = Path(tmp) / "snapshot.html"
            page_path.write_text(text, encoding="utf-8")
            page = self._browser.new_page(
                viewport={"width": width, "height": height},
                device_scale_factor=options.scale,
                reduced_motion="reduce",
            )
            try:
                online = options.basemap not in ("none", "local")

                def route(r):
                    url = r.request.url
                    if url.startswith(("file:", "data:")) or online:
                        return r.continue_()
                    return r.abort()

                page.route("**/*", route)
                # generous: a busy machine (2 cores, tests in parallel) loads slowly
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                page.goto(page_path.as_uri())
                page.wait_for_function(
                    "document.documentElement.getAttribute('data-parkgeo-drawn') === '1'"
                )
                if online:
                    page.wait_for_load_state("networkidle")
                info = page.evaluate(_LAYOUT_JS)
                png = page.screenshot(type="png", animations="disabled", caret="hide")
            finally:
                page.close()
        image = Image.open(io.BytesIO(png))
        px_w, px_h = options.pixels
        if image.size != (px_w, px_h):
            raise ParkGeoError(
                f"the browser gave a {image.size[0]}×{image.size[1]} picture, not "
                f"{px_w}×{px_h}; try --renderer static"
            )
        _to_png(image, path, options.dpi)
        s = options.scale
        regions = {k: tuple(round(v * s) for v in box) for k, box in info["regions"].items() if box}
        (lat0, lon0), (lat1, lon1) = info["corners"]
        from pyproj import Transformer

        to_merc = Transformer.from_crs(settings.WEB_CRS, "EPSG:3857", always_xy=True)
        left, top = to_merc.transform(lon0, lat0)
        right, bottom = to_merc.transform(lon1, lat1)
        georef = None if shift else Georef("EPSG:3857", left, top, right, bottom, px_w, px_h)
        return Snapshot(
            path=path,
            renderer="browser",
            width=px_w,
            height=px_h,
            dpi=options.dpi,
            extent=extent,
            layers=keys,
            regions=regions,
            georef=georef,
        )

    # -------------------------------------------------------------------- static

    def _render_static(self, store, manifest, path, options, extent, *, font=None) -> Snapshot:
        from geo.render.static import render_static

        if options.basemap != "none":
            raise ParkGeoError(
                f"--basemap {options.basemap}: the static renderer draws no basemap; "
                "use the browser renderer (--renderer browser) for a basemap"
            )
        keys = _layers_for(extent, options)
        frames = snapshot_layers(store, manifest, extent, options)
        strand_labels = []
        if extent.road and "roads" in frames:
            spacing = STRAND_SPACING_PX * _metres_per_px(extent, options.size)
            _, strand_labels = road_strands(
                store,
                manifest,
                extent.road,
                as_of=options.as_of,
                spacing_m=spacing,
                lang=options.lang,
            )
        title = f"{_title(manifest, extent, options.lang)} {label('title_suffix', options.lang)}"
        date_line = f"{label('as_of', options.lang)} {options.as_of.isoformat()}"
        image, regions, limits = render_static(
            frames,
            bounds=extent.bounds,
            title=title,
            date_line=date_line,
            footer=footer_text(manifest, options.lang),
            lang=options.lang,
            size=options.size,
            scale=options.scale,
            tick_labels=extent.kind in ("road", "parcel"),
            strand_labels=strand_labels,
            road_items=bool(extent.road),
            font=font,
        )
        _to_png(image, path, options.dpi)
        px_w, px_h = options.pixels
        left, bottom, right, top = limits
        return Snapshot(
            path=path,
            renderer="static",
            width=px_w,
            height=px_h,
            dpi=options.dpi,
            extent=extent,
            layers=keys,
            regions=regions,
            georef=Georef(manifest.crs, left, top, right, bottom, px_w, px_h),
        )


_LAYOUT_JS = """(() => {
  const box = (sel) => { const e = document.querySelector(sel);
    if (!e || !e.offsetParent) return null; const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const m = window.parkgeo.map, s = m.getSize();
  const a = m.containerPointToLatLng([0, 0]), b = m.containerPointToLatLng([s.x, s.y]);
  return {regions: {title: box('.pg-title'), legend: box('.pg-legends'),
                    scale: box('.leaflet-control-scale'), north: box('.pg-north'),
                    footer: box('.pg-footer')},
          corners: [[a.lat, a.lng], [b.lat, b.lng]]};
})()"""


def snapshot(
    store,
    manifest,
    path: Path | str,
    options: SnapshotOptions,
    *,
    renderer: str = "auto",
    browser: str | Path | None = None,
) -> Snapshot:
    """Write one snapshot PNG (see :class:`SnapshotSession` for the renderer choice).

    Parameters
    ----------
    store, manifest
        The project.
    path
        The PNG to write (its folder is created; written through a temporary file).
    options
        Date, extent, layers, size, scale, language, basemap.
    renderer, browser
        ``auto``, ``browser`` or ``static``, and the browser executable.

    Raises
    ------
    ParkGeoError
        For an unknown extent, layer, language or renderer, or no browser when one is
        required.
    """
    with SnapshotSession(renderer=renderer, browser=browser) as session:
        return session.render(store, manifest, path, options)
