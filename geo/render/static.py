"""The static snapshot renderer: matplotlib (Agg), no browser needed.

It draws what the web map draws in snapshot mode, with the same style table, opacities,
line widths and layout (title top left, north arrow top right, scale bar bottom left, the
legend and footer in a band below the map; labels placed as the browser places them, see
:mod:`geo.render._static_labels`), in the working CRS (metres, so the scale bar is exact).
Sizes are given in CSS pixels and the figure has ``96 × scale`` dpi, so one CSS pixel is
``scale`` image pixels, as in the browser.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
from matplotlib import font_manager, patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.offsetbox import AnchoredOffsetbox, TextArea, VPacker
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from geo.domain.tables import (
    Kind,
    drawn_kinds,
    drawn_layers,
    kind,
    label,
    stage_with_role,
    vocabulary,
)
from geo.domain.values import clean_text
from geo.errors import ParkGeoError
from geo.render._static_labels import band_layout, declutter, draw_band, id_labels, road_names

__all__ = ["BACKGROUND", "legend_entries", "nice_length", "render_static", "snapshot_font"]

#: Map background without a basemap (as ``.pg-nobase`` in webmap.css).
BACKGROUND = "#f4f3ef"


#: Ground metres per CSS pixel below which every chainage tick is labelled: the web map
#: labels them from zoom 16 on (about 2 m per pixel at the park's latitude).
TICK_LABEL_MPP = 2.0

_PT = 0.75  # points per CSS pixel


def legend_entries(frames, *, lang: str, road_items: bool = False) -> list[tuple]:
    """The legend of a snapshot of *frames*, in order: ``(layer, entry, text, colour)`` rows.

    ``entry`` is ``heading`` (the layer's title), ``stage`` (a stage of the layer's
    vocabulary; ``colour`` is its colour in stages.toml), or the layer's own symbol
    (``outline``, ``tick``, ``finding``). Layers are those of
    :func:`geo.domain.tables.drawn_layers` (kinds with a ``draw`` order, the chainage
    ticks) that are in *frames*, in that order.
    """
    rows = []
    for key, k in (entry for entry in drawn_layers() if entry[0] in frames):
        heading = label(key, lang, default=k.label(lang) if k else key)
        if k is not None and k.sections and not road_items:
            frame = frames[key]
            default = stage_with_role(k.sections, "map_default").code
            shown = frame["item"].iloc[0] if len(frame) and "item" in frame else default
            item = next((i for i in vocabulary(k.sections) if i.code == shown), None)
            heading = f"{heading} · {item.label(lang) if item else shown}"
        rows.append((key, "heading", heading, None))
        if k is not None and k.stages:
            rows += [(key, "stage", s.label(lang), s.color) for s in vocabulary(k.stages)]
        elif k is not None and "error" in k.style:  # coloured by severity: findings
            rows.append((key, "finding", heading, k.style["error"]))
        elif k is not None:
            rows.append((key, "outline", heading, k.style.get("edge", "#4d4d4d")))
        else:
            rows.append((key, "tick", heading, "black"))
    return rows


def snapshot_font(lang: str = "zh") -> font_manager.FontProperties:
    """The CJK font of the charts (Noto Sans CJK when installed); DejaVu Sans for English
    when no CJK font is found."""
    from geo.render.chart import cjk_font

    try:
        return cjk_font()
    except ParkGeoError:
        if lang == "zh":
            raise
        return font_manager.FontProperties(family="DejaVu Sans")


def nice_length(value: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above *value* (a scale bar's length)."""
    exp = math.floor(math.log10(value))
    for m in (5, 2, 1):
        if m * 10.0**exp <= value:
            return m * 10.0**exp
    return 10.0**exp


def _font(base: font_manager.FontProperties, px: float, bold: bool = False):
    font = base.copy()
    font.set_size(px * _PT)
    if bold:
        font.set_weight("bold")
    return font


def _polygon_path(geom) -> MplPath | None:
    """A compound path (holes included) of a Polygon or MultiPolygon."""
    polys = getattr(geom, "geoms", [geom])
    verts, codes = [], []
    for poly in polys:
        if poly.is_empty or poly.geom_type != "Polygon":
            continue
        for ring in (poly.exterior, *poly.interiors):
            xy = np.asarray(ring.coords)[:, :2]
            verts.append(xy)
            codes.append([MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY])
    if not verts:
        return None
    return MplPath(np.concatenate(verts), np.concatenate(codes))


def _lines(geoms) -> list[np.ndarray]:
    out = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        for part in getattr(geom, "geoms", [geom]):
            out.append(np.asarray(part.coords)[:, :2])
    return out


def _polygons(ax, frame: gpd.GeoDataFrame, *, face, edge, width, alpha, dash=None, zorder=1):
    patches = []
    for geom in frame.geometry:
        path = _polygon_path(geom) if geom is not None else None
        if path is not None:
            patches.append(PathPatch(path))
    if not patches:
        return
    face = face if isinstance(face, list) else [face] * len(patches)
    fill = PatchCollection(patches, facecolors=face, edgecolors="none", alpha=alpha, zorder=zorder)
    ax.add_collection(fill)
    outline = PatchCollection(
        patches,
        facecolors="none",
        edgecolors=edge,
        linewidths=width * _PT,
        linestyles=(0, tuple(d * _PT for d in dash)) if dash else "solid",
        zorder=zorder + 0.1,
    )
    ax.add_collection(outline)


def _draw_layer(ax, k: Kind, frame: gpd.GeoDataFrame) -> None:
    """One layer in its style (kinds.toml ``style``), at its ``draw`` order; staged layers
    carry their stage colours in a ``color`` column."""
    s = k.style
    if k.geometry == "line":
        if not len(frame):
            return
        segs, colors = [], []
        for geom, color in zip(frame.geometry, frame["color"], strict=True):
            parts = _lines([geom])
            segs += parts
            colors += [color] * len(parts)
        ax.add_collection(
            LineCollection(
                segs,
                colors=colors,
                linewidths=s["width"] * _PT,
                alpha=s["alpha"],
                capstyle="butt",
                zorder=k.draw,
            )
        )
    elif "error" in s:  # findings: edges by severity, lines in the error colour
        edges = [s.get(v, s["error"]) for v in frame.get("severity", ["error"] * len(frame))]
        polygonal = frame.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
        polys = frame[polygonal]
        if len(polys):
            _polygons(
                ax,
                polys,
                face=s["fill"],
                edge=edges[: len(polys)],
                width=2.0,
                alpha=s["alpha"],
                zorder=k.draw,
            )
        lines = frame[~polygonal]
        if len(lines):
            ax.add_collection(
                LineCollection(
                    _lines(lines.geometry), colors=s["error"], linewidths=2 * _PT, zorder=k.draw
                )
            )
    else:
        _polygons(
            ax,
            frame,
            face=list(frame["color"]) if "color" in frame.columns else s["fill"],
            edge=s["edge"],
            width=s["width"],
            alpha=s["alpha"],
            dash=s.get("dash"),
            zorder=k.draw,
        )


def render_static(
    frames: dict[str, gpd.GeoDataFrame],
    *,
    bounds: tuple[float, float, float, float],
    title: str,
    date_line: str,
    footer: str,
    lang: str,
    size: tuple[int, int],
    scale: float,
    tick_labels: bool = False,
    strand_labels: list[dict] | None = None,
    road_items: bool = False,
    name_anchors: list[tuple] | None = None,
    focus_road: str | None = None,
    font: font_manager.FontProperties | None = None,
):
    """Draw a snapshot with matplotlib: the map, and a band below it with the legend and
    the footer (as the browser's snapshot).

    Parameters
    ----------
    frames
        Layer key → features in the working CRS, with a ``color`` column for staged layers
        and roads (see :func:`geo.render.snapshot.snapshot_layers`).
    bounds
        The extent to fit, (xmin, ymin, xmax, ymax) in the working CRS.
    title, date_line, footer
        Texts of the title box and the footer.
    lang
        ``zh`` or ``en`` for legend texts.
    size, scale
        Size of the map in CSS pixels (the band is added below) and image pixels per CSS
        pixel.
    tick_labels
        Write the chainage at each tick (a road or parcel extent) when the map is at
        least as detailed as :data:`TICK_LABEL_MPP`.
    strand_labels
        Work item names beside the strands of a road drawn item by item.
    road_items
        The roads layer holds every work item side by side (one legend for all).
    name_anchors
        ``(road, name, middle point, a point 1 m on)`` of each road whose name is written
        along it (:func:`geo.render.snapshot.road_name_anchors`).
    focus_road
        The road of a road snapshot: its name is placed first.
    font
        Override the font (tests draw with a font without CJK glyphs).

    Returns
    -------
    (PIL.Image.Image, dict, tuple, tuple)
        The RGB image, ``size × scale`` pixels wide and the map's height plus the band's;
        the regions ``title``, ``legend``, ``legend_group`` (the first layer's legend),
        ``scale``, ``north``, ``footer`` and ``band`` as (left, top, right, bottom) image
        pixels; the map limits (left, bottom, right, top) in the working CRS; the labels
        written on the map and left visible, ``(class, text, box)`` in image pixels, and
        the band's texts as ``("legend" or "footer", text, box, size in pt)``.
    """
    from PIL import Image

    base = font or snapshot_font(lang)
    width, height = size
    dpi = 96.0 * scale
    px_w, map_h = round(width * scale), round(height * scale)
    fonts = {
        "text": _font(base, 12),
        "bold": _font(base, 12, bold=True),
        "footer": _font(base, 12),
    }
    rows = legend_entries(frames, lang=lang, road_items=road_items)
    measurer = FigureCanvasAgg(Figure(figsize=(1, 1), dpi=dpi)).get_renderer()

    def measure(text: str, bold: bool) -> float:
        w, _, _ = measurer.get_text_width_height_descent(
            text, fonts["bold" if bold else "text"], ismath=False
        )
        return w / scale

    items, band_h = band_layout(rows, footer, width=width, measure=measure)
    px_h = map_h + round(band_h * scale)
    fig = Figure(figsize=(px_w / dpi, px_h / dpi), dpi=dpi, facecolor=BACKGROUND)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 1 - map_h / px_h, 1, map_h / px_h))
    ax.set_axis_off()
    ax.set_facecolor(BACKGROUND)
    line_kinds = {k.name for k in drawn_kinds() if k.geometry == "line"}
    band = draw_band(
        fig, items, height_px=px_h, scale=scale, band_top=map_h / scale, fonts=fonts,
        lines=line_kinds,
    )  # fmt: skip

    # ------------------------------------------------------------ overlays (sized first)
    title_box = VPacker(
        children=[
            TextArea(title, textprops={"fontproperties": _font(base, 15, bold=True)}),
            TextArea(date_line, textprops={"fontproperties": _font(base, 12), "color": "#333"}),
        ],
        pad=0,
        sep=3 * scale,
    )
    title_anchor = AnchoredOffsetbox(
        "upper left",
        child=title_box,
        pad=0.45,
        borderpad=0,
        frameon=True,
        bbox_to_anchor=(10 / width, 1 - 10 / height),
        bbox_transform=ax.transAxes,
    )
    title_anchor.patch.set(facecolor="white", alpha=0.92, edgecolor="#bbbbbb", linewidth=0.5)
    title_anchor.patch.set_boxstyle("round,pad=0,rounding_size=0.3")
    ax.add_artist(title_anchor)

    north = AnchoredOffsetbox(
        "upper right",
        child=VPacker(
            children=[
                TextArea("▲", textprops={"fontproperties": _font(base, 22)}),
                TextArea(label("north", lang), textprops={"fontproperties": _font(base, 12, True)}),
            ],
            align="center",
            pad=0,
            sep=0,
        ),
        pad=0.35,
        borderpad=0,
        frameon=True,
        bbox_to_anchor=(1 - 10 / width, 1 - 10 / height),
        bbox_transform=ax.transAxes,
    )
    north.patch.set(facecolor="white", alpha=0.9, edgecolor="none")
    ax.add_artist(north)

    renderer = canvas.get_renderer()
    title_h = title_anchor.get_window_extent(renderer).height / scale

    # ------------------------------------------------------------ fit the extent
    x0, y0, x1, y1 = bounds
    free_l, free_t = 30.0, title_h + 40.0
    free_r, free_b = width - 30.0, height - 40.0
    if free_b - free_t < height * 0.3:
        free_t, free_b = 30.0, height - 30.0
    mpp = max((x1 - x0) / (free_r - free_l), (y1 - y0) / (free_b - free_t), 0.05)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    left = cx - (free_l + free_r) / 2 * mpp
    top = cy + (free_t + free_b) / 2 * mpp
    right, bottom = left + width * mpp, top - height * mpp
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)

    # ------------------------------------------------------------ layers
    for k in drawn_kinds():
        if k.name in frames:
            _draw_layer(ax, k, frames[k.name])
    labels = _map_labels(
        ax, frames, base=base, lang=lang, mpp=mpp, tick_labels=tick_labels,
        strand_labels=strand_labels, name_anchors=name_anchors, focus_road=focus_road,
    )  # fmt: skip

    # ------------------------------------------------------------ scale bar
    length = nice_length(160 * mpp)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        text,
        loc="lower left",
        bbox_to_anchor=(10 / width, 10 / height),
        bbox_transform=ax.transAxes,
        borderpad=0,
        pad=0.3,
        sep=2,
        frameon=True,
        size_vertical=3 * mpp,
        color="#333333",
        fontproperties=_font(base, 11),
    )
    bar.patch.set(facecolor="white", alpha=0.8, edgecolor="none")
    ax.add_artist(bar)

    frame = ax.get_window_extent(renderer)
    taken = [
        (b.x0, b.y0, b.x1, b.y1)
        for b in (a.get_window_extent(renderer) for a in (title_anchor, north, bar))
    ]
    shown = declutter(
        labels,
        renderer=renderer,
        frame=(frame.x0, frame.y0, frame.x1, frame.y1),
        taken=taken,
        scale=scale,
    )

    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    if image.size != (px_w, px_h):  # never expected: figure size is whole pixels
        image = image.crop((0, 0, px_w, px_h))

    def flip(b) -> tuple[int, int, int, int]:
        x0, y0, x1, y1 = b
        return math.floor(x0), math.floor(px_h - y1), math.ceil(x1), math.ceil(px_h - y0)

    def box(artist):
        b = artist.get_window_extent(renderer)
        return flip((b.x0, b.y0, b.x1, b.y1))

    texts = [(what, artist, box(artist)) for what, artist in band]
    legend = [b for what, _, b in texts if what != "footer"]
    regions = {
        "title": box(title_anchor),
        "north": box(north),
        "footer": next(b for what, _, b in texts if what == "footer"),
        "scale": box(bar),
        "band": (0, map_h, px_w, px_h),
    }
    if legend:
        regions["legend"] = _union(legend)
        first = [b for (what, a, b), row in zip(texts, rows, strict=False) if row[0] == rows[0][0]]
        regions["legend_group"] = _union(first)
    written = [(cls, text, flip(b)) for cls, text, b in shown]
    written += [
        ("footer" if what == "footer" else "legend", a.get_text(), b, a.get_fontsize())
        for what, a, b in texts
    ]
    return image, regions, (left, bottom, right, top), tuple(written)


def _union(boxes) -> tuple[int, int, int, int]:
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _map_labels(
    ax, frames, *, base, lang, mpp, tick_labels, strand_labels, name_anchors, focus_road
) -> list[tuple]:
    """The texts written on the map, as :func:`declutter` takes them: chainage, work
    items, road names, zone names and parcel ids."""
    out = []
    if "ticks" in frames:
        t = frames["ticks"]
        station = (t["kind"] == "station").to_numpy()
        xs, ys = t.geometry.x.to_numpy(), t.geometry.y.to_numpy()
        for mask, radius, face in ((~station, 2, "black"), (station, 4, "white")):
            ax.scatter(
                xs[mask],
                ys[mask],
                s=(2 * radius * _PT) ** 2,
                c=face,
                edgecolors="black",
                linewidths=_PT,
                zorder=9,
            )
        # chainage at the road ends always; at every tick when zoomed in (as the web map)
        for x, y, text, is_station in zip(xs, ys, t["label"], station, strict=True):
            if (tick_labels and mpp <= TICK_LABEL_MPP) or is_station:
                artist = ax.annotate(
                    text,
                    (x, y),
                    xytext=(6 * _PT, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontproperties=_font(base, 10, bool(is_station)),
                    bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.5},
                    zorder=10,
                )
                cls = "pg-station-label" if is_station else "pg-tick-label"
                out.append((cls, str(text), artist, None))
    for s in strand_labels or ():
        dx, dy = s["offset"]
        left_of = s["direction"] == "left"
        artist = ax.annotate(
            s["text"],
            (s["x"], s["y"]),
            xytext=(dx * _PT, -dy * _PT),
            textcoords="offset points",
            ha="right" if left_of else "center",
            va="center" if left_of else "bottom",
            fontproperties=_font(base, 11, True),
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 0.8},
            zorder=11,
        )
        out.append(("pg-strand-label", s["text"], artist, None))
    # a road's snapshot names its own road first; its strands are apart already
    away = 9 if focus_road else kind("roads").style.get("width", 0) / 2 + 9
    names = sorted(road_names(name_anchors or (), away_px=away), key=lambda n: n[0] != focus_road)

    def halo_text(text, x, y, *, px, bold, color, halo_px, offset=(0, 0), angle=0.0):
        """A text centred at (x, y) (+ *offset* CSS px), with a white halo."""
        return ax.annotate(
            clean_text(str(text)),  # a name or id from the data: no controls, no mathtext
            (x, y),
            parse_math=False,
            xytext=(offset[0] * _PT, offset[1] * _PT),
            textcoords="offset points",
            rotation=angle,
            rotation_mode="anchor",
            ha="center",
            va="center",
            color=color,
            fontproperties=_font(base, px, bold),
            path_effects=[patheffects.withStroke(linewidth=halo_px * _PT * 2, foreground="white")],
            zorder=12,
        )

    for _, name, x, y, angle, dx, dy in names:
        artist = halo_text(
            name, x, y, px=12, bold=True, color="#222222", halo_px=3, offset=(dx, dy), angle=angle
        )
        out.append(("pg-road-name", str(name), artist, None))
    if "zones" in frames:
        z = frames["zones"]
        zone_names = z["name_en"] if lang == "en" and "name_en" in z.columns else z["name"]
        for geom, name in zip(z.geometry, zone_names, strict=True):
            if geom is None or geom.is_empty or not name:
                continue
            p = geom.representative_point()
            artist = halo_text(name, p.x, p.y, px=13, bold=True, color="#333333", halo_px=3)
            out.append(("pg-zone-label", str(name), artist, None))
    for _, fid, geom in id_labels(frames):
        c = geom.centroid
        artist = halo_text(fid, c.x, c.y, px=10, bold=False, color="#111111", halo_px=2)
        gx0, gy0, gx1, gy1 = geom.bounds
        (ix0, iy0), (ix1, iy1) = ax.transData.transform([(gx0, gy0), (gx1, gy1)])
        out.append(("pg-id-label", fid, artist, (ix0, iy0, ix1, iy1)))
    return out
