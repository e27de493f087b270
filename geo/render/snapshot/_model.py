"""Snapshot options, extents and results: what a snapshot is fitted to and what it wrote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import settings
from geo.domain.tables import data_table, drawn_layers, kinds
from geo.errors import ParkGeoError

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


def layer_keys() -> tuple[str, ...]:
    """Layer keys a snapshot can show, in drawing order: the kinds kinds.toml draws and
    the overlays of map.toml (:func:`geo.domain.tables.drawn_layers`), so a kind added to
    the tables is drawn without a change here."""
    return tuple(key for key, _ in drawn_layers())


def road_layers() -> tuple[str, ...]:
    """Layers of a road snapshot unless --layers says otherwise (``[snapshot]
    road_layers`` of map.toml)."""
    return tuple(data_table("map.toml")["snapshot"]["road_layers"])


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

    ``regions`` maps ``title``, ``legend``, ``scale``, ``north`` and ``footer`` (and, in
    the browser's, ``band``, the legend's band below the map, and ``legend_group``, its
    first layer's legend) to boxes (left, top, right, bottom) in image pixels. ``labels``
    are the texts the browser's drew on the map and left visible (class such as
    ``pg-zone-label`` or ``pg-road-name``, text, box in image pixels).
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
    labels: tuple[tuple[str, str, tuple[int, int, int, int]], ...] = ()


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
    known = layer_keys()
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ParkGeoError(
            f"--layers: unknown layer(s) {', '.join(unknown)}; use any of {', '.join(known)}"
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
        # every drawn layer the store holds (derived ones, the findings, it holds not)
        frames = [store.read_kind(k.name) for k in kinds().values() if k.draw is not None]
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


def metres_per_px(extent: Extent, size: tuple[int, int]) -> float:
    """Ground metres per CSS pixel when *extent* is fitted into a map of *size*."""
    x0, y0, x1, y1 = extent.bounds
    left, top, right, bottom = FRAME_PX
    free_w = max(size[0] - left - right, size[0] * 0.3)
    free_h = max(size[1] - top - bottom, size[1] * 0.3)
    return max((x1 - x0) / free_w, (y1 - y0) / free_h, 0.05)


#: Resolution of a snapshot laid out for Word (print quality).
WORD_DPI = 288  # scale 3: whole pixels at every width
#: Width : height of a landscape snapshot, and of a portrait one (for a road that runs
#: north–south; 16 cm × 20 cm still leaves room for the caption on an A4 page).
LANDSCAPE, PORTRAIT = 1.6, 0.8


def extent_aspect(extent: Extent) -> float:
    """Width : height for *extent*: a road taller than wide gets a portrait frame, one
    wider than tall a landscape 2 : 1 strip; the park, a zone or a parcel landscape."""
    if extent.kind != "road":
        return LANDSCAPE
    x0, y0, x1, y1 = extent.bounds
    return PORTRAIT if (y1 - y0) > (x1 - x0) else 2.0


def word_layout(
    width_cm: float, aspect: float = LANDSCAPE, *, dpi: float = WORD_DPI
) -> tuple[tuple[int, int], float]:
    """(size in CSS px, scale) of a snapshot placed *width_cm* wide in Word.

    The CSS pixel is laid out at its nominal 1/96 inch at that width, so the legend's 12 px
    text prints at 9 pt and the footer's 11 px at 8.25 pt (GB/T 9704 and legibility ask for
    at least 8 pt and 7 pt); *scale* brings the picture to *dpi*.

    Raises
    ------
    ParkGeoError
        For a width that is not positive or wider than an A3 page (42 cm).
    """
    if not 0 < width_cm <= 42:
        raise ParkGeoError(f"--width-cm {width_cm:g}: give a width in cm above 0, at most 42")
    width = round(width_cm / 2.54 * CSS_DPI)
    return (width, round(width / aspect)), dpi / CSS_DPI
