"""The static snapshot renderer: matplotlib (Agg), no browser needed.

It draws what the web map draws in snapshot mode, with the same style table, opacities,
line widths and layout (title top left, legend bottom right, scale bar and footer bottom
left, north arrow top right), in the working CRS (metres, so the scale bar is exact).
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
from matplotlib.lines import Line2D
from matplotlib.offsetbox import AnchoredOffsetbox, TextArea, VPacker
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

from geo.domain.tables import Kind, drawn_kinds, drawn_layers, label, stage_with_role, vocabulary
from geo.errors import ParkGeoError

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
    font: font_manager.FontProperties | None = None,
):
    """Draw a snapshot with matplotlib.

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
        Size in CSS pixels and image pixels per CSS pixel.
    tick_labels
        Write the chainage at each tick (a road or parcel extent) when the map is at
        least as detailed as :data:`TICK_LABEL_MPP`.
    strand_labels
        Work item names beside the strands of a road drawn item by item.
    road_items
        The roads layer holds every work item side by side (one legend for all).
    font
        Override the font (tests draw with a font without CJK glyphs).

    Returns
    -------
    (PIL.Image.Image, dict, tuple)
        The RGB image of exactly ``size × scale`` pixels; the regions ``title``,
        ``legend``, ``scale``, ``north``, ``footer`` as (left, top, right, bottom) image
        pixels; the map limits (left, bottom, right, top) in the working CRS.
    """
    from PIL import Image

    base = font or snapshot_font(lang)
    width, height = size
    dpi = 96.0 * scale
    px_w, px_h = round(width * scale), round(height * scale)
    fig = Figure(figsize=(px_w / dpi, px_h / dpi), dpi=dpi, facecolor=BACKGROUND)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_facecolor(BACKGROUND)

    # ------------------------------------------------------------ overlays (sized first)
    title_box = VPacker(
        children=[
            TextArea(title, textprops={"fontproperties": _font(base, 18, bold=True)}),
            TextArea(date_line, textprops={"fontproperties": _font(base, 13), "color": "#333"}),
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
        bbox_transform=fig.transFigure,
    )
    title_anchor.patch.set(facecolor="white", alpha=0.92, edgecolor="#bbbbbb", linewidth=0.5)
    title_anchor.patch.set_boxstyle("round,pad=0,rounding_size=0.3")
    ax.add_artist(title_anchor)

    handles, names, bold_rows = [], [], []
    line_kinds = {k.name for k in drawn_kinds() if k.geometry == "line"}
    for key, what, text, color in legend_entries(frames, lang=lang, road_items=road_items):
        if what == "heading":
            bold_rows.append(len(names))
            handles.append(Patch(visible=False))
        elif what == "stage" and key in line_kinds:
            handles.append(Line2D([], [], color=color, linewidth=4 * _PT))
        elif what == "stage":
            handles.append(Patch(facecolor=color, edgecolor="#555555", linewidth=0.75))
        elif what == "outline":
            handles.append(Patch(facecolor="none", edgecolor=color, linestyle="--", linewidth=1.5))
        elif what == "tick":
            handles.append(Line2D([], [], marker="o", color=color, linestyle="", markersize=4))
        else:
            handles.append(Patch(facecolor=color + "80", edgecolor=color, linewidth=1.5))
        names.append(text)

    def make_legend(columns: int):
        # entries flow down the columns: keep a layer's title with its first entries
        legend = ax.legend(
            handles,
            names,
            ncols=columns,
            columnspacing=1.2,
            loc="lower right",
            bbox_to_anchor=(1 - 10 / width, 10 / height),
            bbox_transform=fig.transFigure,
            prop=_font(base, 12),
            frameon=True,
            fancybox=True,
            framealpha=0.92,
            edgecolor="#bbbbbb",
            handlelength=1.2,
            handleheight=0.8,
            labelspacing=0.25,
            borderpad=0.6,
        )
        for i in bold_rows:
            legend.get_texts()[i].set_fontproperties(_font(base, 12, bold=True))
        legend.set_zorder(20)
        return legend

    legend = make_legend(1) if handles else None
    if legend is not None:
        tall = legend.get_window_extent(canvas.get_renderer()).height / scale
        if tall > height - 110:
            legend.remove()
            legend = make_legend(math.ceil(tall / (height - 110)))

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
        bbox_transform=fig.transFigure,
    )
    north.patch.set(facecolor="white", alpha=0.9, edgecolor="none")
    ax.add_artist(north)

    foot = AnchoredOffsetbox(
        "lower left",
        child=TextArea(footer, textprops={"fontproperties": _font(base, 11)}),
        pad=0.3,
        borderpad=0,
        frameon=True,
        bbox_to_anchor=(10 / width, 10 / height),
        bbox_transform=fig.transFigure,
    )
    foot.patch.set(facecolor="white", alpha=0.9, edgecolor="none")
    ax.add_artist(foot)

    renderer = canvas.get_renderer()
    title_h = title_anchor.get_window_extent(renderer).height / scale
    legend_w = legend.get_window_extent(renderer).width / scale if legend else 0.0

    # ------------------------------------------------------------ fit the extent
    x0, y0, x1, y1 = bounds
    free_l, free_t = 30.0, title_h + 40.0
    free_r, free_b = width - legend_w - 40.0, height - 60.0
    if free_r - free_l < width * 0.3:
        free_l, free_r = 30.0, width - 30.0
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
    halo = [patheffects.withStroke(linewidth=3 * _PT * 2, foreground="white")]
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
                ax.annotate(
                    text,
                    (x, y),
                    xytext=(6 * _PT, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontproperties=_font(base, 10, bool(is_station)),
                    bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 0.5},
                    zorder=10,
                    clip_on=True,
                )
    for s in strand_labels or ():
        dx, dy = s["offset"]
        left_of = s["direction"] == "left"
        ax.annotate(
            s["text"],
            (s["x"], s["y"]),
            xytext=(dx * _PT, -dy * _PT),
            textcoords="offset points",
            ha="right" if left_of else "center",
            va="center" if left_of else "bottom",
            fontproperties=_font(base, 11, True),
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 0.8},
            zorder=11,
            clip_on=True,
        )
    if "zones" in frames:
        z = frames["zones"]
        names = z["name_en"] if lang == "en" and "name_en" in z.columns else z["name"]
        for geom, name in zip(z.geometry, names, strict=True):
            if geom is None or geom.is_empty or not name:
                continue
            p = geom.representative_point()
            ax.text(
                p.x,
                p.y,
                str(name),
                ha="center",
                va="center",
                color="#333333",
                fontproperties=_font(base, 14, True),
                path_effects=halo,
                zorder=12,
                clip_on=True,
            )

    # ------------------------------------------------------------ scale bar
    length = nice_length(160 * mpp)
    text = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    bar = AnchoredSizeBar(
        ax.transData,
        length,
        text,
        loc="lower left",
        bbox_to_anchor=(10 / width, 40 / height),
        bbox_transform=fig.transFigure,
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

    canvas.draw()
    image = Image.fromarray(np.asarray(canvas.buffer_rgba())).convert("RGB")
    if image.size != (px_w, px_h):  # never expected: figure size is whole pixels
        image = image.crop((0, 0, px_w, px_h))

    def box(artist):
        b = artist.get_window_extent(renderer)
        return (
            math.floor(b.x0),
            math.floor(px_h - b.y1),
            math.ceil(b.x1),
            math.ceil(px_h - b.y0),
        )

    regions = {
        "title": box(title_anchor),
        "north": box(north),
        "footer": box(foot),
        "scale": box(bar),
    }
    if legend is not None:
        regions["legend"] = box(legend)
    return image, regions, (left, bottom, right, top)
