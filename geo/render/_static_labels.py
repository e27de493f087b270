"""Labels on the static snapshot's map, and the band below it with the legend and footer.

The decisions are the browser snapshot's (geo/templates/webmap.js and webmap.css): road
names at the middle of the line, turned along it and kept upright, a few pixels beside it;
a parcel's id where it fits inside the parcel as drawn (``id_labels`` in map.toml); labels
placed in order of importance, each hidden when it would overlap one already placed, a
control on the map, or the map's edge. The legend flows in one wrapping line per layer
(its title, then its entries) in a band below the map, the footer under it.
"""

from __future__ import annotations

import math

from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from geo.domain.tables import data_table

__all__ = ["band_layout", "declutter", "draw_band", "id_labels", "road_names"]

_PT = 0.75  # points per CSS pixel

#: Label classes in the order they are placed (the browser's ``declutter``), by the
#: class names the browser's snapshot gives them.
PLACE_ORDER = (
    "pg-strand-label",
    "pg-station-label",
    "pg-road-name",
    "pg-zone-label",
    "pg-tick-label",
    "pg-id-label",
)
#: Margin kept between two labels, in CSS pixels (as the browser's).
GAP_PX = 2
#: The band's geometry in CSS pixels (webmap.css ``.pg-band``): padding, the height of a
#: legend line, the gaps between a layer's entries and between layers, the swatch.
BAND_PAD = (4, 8)
LINE_PX, ENTRY_GAP_PX, GROUP_GAP_PX = 18, 10, 18
SWATCH_PX, SWATCH_GAP_PX = (14, 10), 6


def road_names(anchors, *, away_px: float):
    """Where each road's name goes: ``(road, name, x, y, angle, dx, dy)`` with the angle
    in degrees kept upright (-90..90) and the offset (*away_px* CSS px) to the side the
    text's top faces, from *anchors* ``(road, name, middle, a point 1 m on)``."""
    out = []
    for road, name, a, b in anchors:
        angle = math.degrees(math.atan2(b.y - a.y, b.x - a.x))
        if angle > 90:
            angle -= 180
        if angle < -90:
            angle += 180
        t = math.radians(angle)
        out.append((road, name, a.x, a.y, angle, -math.sin(t) * away_px, math.cos(t) * away_px))
    return out


def id_labels(frames) -> list[tuple[str, str, object]]:
    """``(layer, id, geometry)`` of the features of the layers whose map.toml entry says
    ``id_labels``: the browser writes their ids on them."""
    spec = data_table("map.toml")["layers"]
    out = []
    for key, frame in frames.items():
        if not spec.get(key, {}).get("id_labels") or "id" not in frame.columns:
            continue
        for fid, geom in zip(frame["id"], frame.geometry, strict=True):
            if geom is not None and not geom.is_empty and fid:
                out.append((key, str(fid), geom))
    return out


def _box(artist, renderer):
    text = artist.get_window_extent(renderer)
    patch = artist.get_bbox_patch() if hasattr(artist, "get_bbox_patch") else None
    if patch is not None:
        artist.update_bbox_position_size(renderer)
        text = patch.get_window_extent(renderer)
    return text


def _inside(box, outer) -> bool:
    return outer[0] <= box[0] and box[2] <= outer[2] and outer[1] <= box[1] and box[3] <= outer[3]


def _near(a, b, gap: float) -> bool:
    """Whether boxes *a* and *b* overlap or stand less than *gap* apart."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def declutter(labels, *, renderer, frame, taken, scale: float):
    """Hide the labels that would overlap: *labels* ``(class, text, artist, inside)`` are
    placed in :data:`PLACE_ORDER` (then their own order), each shown only when its box lies
    within *frame* (and *inside*, the box of its parcel as drawn, when given) and keeps
    :data:`GAP_PX` from every box placed so far (*taken*: controls on the map).

    Returns the shown labels as ``(class, text, (x0, y0, x1, y1))`` in display pixels
    (origin bottom left)."""
    gap = GAP_PX * scale
    placed = [tuple(b) for b in taken]
    shown = []
    rank = {name: i for i, name in enumerate(PLACE_ORDER)}
    for cls, text, artist, inside in sorted(labels, key=lambda e: rank.get(e[0], len(rank))):
        b = _box(artist, renderer)
        box = (b.x0, b.y0, b.x1, b.y1)
        within = _inside(box, frame) and (inside is None or _inside(box, inside))
        clear = not any(_near(box, q, gap) for q in placed)
        if box[2] > box[0] and within and clear:
            placed.append(box)
            shown.append((cls, text, box))
        else:
            artist.set_visible(False)
    return shown


def band_layout(rows, footer: str, *, width: float, measure) -> tuple[list, float]:
    """The band's items in CSS px from its top-left corner, and its height.

    *rows* are :func:`geo.render.static.legend_entries` rows; *measure(text, bold)* gives a
    text's width in CSS px. Each layer is one flowing group (title, then entries) that
    wraps to the next line when the band's width is used up; the footer is the last line.
    Items are ``(what, layer, text, colour, x, y)`` with *y* the middle of their line.
    """
    left, right = BAND_PAD[1], width - BAND_PAD[1]
    x, line = left, 0
    items = []
    group = None
    for key, what, text, color in rows:
        heading = what == "heading"
        if group is not None and key != group:
            x += GROUP_GAP_PX - ENTRY_GAP_PX
        group = key
        w = measure(text, heading) + (0 if heading else SWATCH_PX[0] + SWATCH_GAP_PX)
        if x > left and x + w > right:
            x, line = left, line + 1
        items.append((what, key, text, color, x, BAND_PAD[0] + (line + 0.5) * LINE_PX))
        x += w + ENTRY_GAP_PX
    lines = line + 1 if rows else 0
    foot_y = BAND_PAD[0] + lines * LINE_PX + 3 + LINE_PX / 2
    items.append(("footer", "", footer, None, left, foot_y))
    return items, foot_y + LINE_PX / 2 + BAND_PAD[0]


def draw_band(fig, items, *, height_px: float, scale: float, band_top: float, fonts, lines):
    """Draw the band's *items* (:func:`band_layout`) on *fig*, whose total height is
    *height_px* image pixels, the band starting *band_top* CSS px from the top.

    *fonts* maps ``text``/``bold``/``footer`` to font properties; *lines* is the set of
    layers drawn as lines (their swatch is a line). Returns ``(what, text artist)`` for
    each item."""
    width_px = fig.get_figwidth() * fig.dpi

    def at(x, y):  # CSS px from the band's top-left → figure fraction
        return x * scale / width_px, 1 - (band_top + y) * scale / height_px

    fig.add_artist(Rectangle((0, 0), 1, 1 - band_top * scale / height_px, color="white", zorder=0))
    fig.add_artist(
        Line2D([0, 1], [1 - band_top * scale / height_px] * 2, color="#999999", linewidth=_PT)
    )
    artists = []
    for what, key, text, color, x, y in items:
        if what not in ("heading", "footer"):
            sw, sh = SWATCH_PX
            x0, y0 = at(x, y + sh / 2)
            x1, y1 = at(x + sw, y - sh / 2)
            if what == "stage" and key in lines:
                fig.add_artist(Line2D([x0, x1], [(y0 + y1) / 2] * 2, color=color, linewidth=3))
            elif what == "tick":
                fig.add_artist(
                    Line2D([(x0 + x1) / 2], [(y0 + y1) / 2], marker="o", color=color, markersize=4)
                )
            else:
                face = {"stage": color, "finding": color + "59"}.get(what, "none")
                dash = "--" if what in ("outline", "finding") else "-"
                fig.add_artist(
                    Rectangle(
                        (x0, y0),
                        x1 - x0,
                        y1 - y0,
                        facecolor=face,
                        edgecolor=color if what != "stage" else "#555555",
                        linestyle=dash,
                        linewidth=1.2 if what != "stage" else 0.75,
                    )
                )
            x += SWATCH_PX[0] + SWATCH_GAP_PX
        font = fonts["bold" if what == "heading" else "footer" if what == "footer" else "text"]
        tx, ty = at(x, y)
        artists.append(
            (what, fig.text(tx, ty, text, fontproperties=font, va="center", ha="left", zorder=5))
        )
    return artists
