"""What a snapshot draws: its layers' features, a road's work items side by side, the
legend's size and the title and footer texts."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.domain.tables import (
    drawn_layers,
    kind,
    label,
    stage_with_role,
    stages_for_kind,
    work_items,
)
from geo.io.files import write_atomic
from geo.render.snapshot._model import (
    STRAND_SPACING_PX,
    Extent,
    SnapshotOptions,
    extent_aspect,
    layer_keys,
    metres_per_px,
    resolve_extent,
    road_layers,
    word_layout,
)

# ---------------------------------------------------------------------------- roads

#: Rise between the labels of a north-south road's strands, stacked above its north end,
#: in CSS pixels: one 11 px bold line and its padding, so that none hides the next.
STRAND_LABEL_PX = 19


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
    colors = {s.code: s.color for s in stages_for_kind("roads")}
    not_started = stages_for_kind("roads")[0].code
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
                "offset": [-6, 0] if horizontal else [0, -6 - STRAND_LABEL_PX * i],
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry=geoms, crs=manifest.crs)
    return frame, labels_out


def road_name_anchors(store, manifest) -> list[tuple]:
    """Where each road's name is written, as the web map writes it: ``(road, name, middle
    of the line, a point 1 m on)`` in the working CRS (the name is turned along the two)."""
    from geo.domain.linref import road_centerlines

    roads = store.read_kind("roads")
    if roads is None or not len(roads):
        return []
    names = dict(zip(roads["id"].astype(str), roads["name"], strict=True))
    out = []
    for road_id, line in road_centerlines(
        roads, scale_tolerance=manifest.road_scale_tolerance
    ).items():
        middle = line.drawn_length / 2
        ends = [
            line.line.interpolate(middle),
            line.line.interpolate(min(middle + 1.0, line.drawn_length)),
        ]
        a, b = gpd.GeoSeries(ends, crs=line.crs).to_crs(manifest.crs)
        out.append((road_id, names.get(str(road_id), road_id), a, b))
    return out


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
    keys = layer_keys()
    if options.layers is not None:
        return tuple(k for k in keys if k in options.layers)
    return road_layers() if extent.kind == "road" else keys


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
    drawn = dict(drawn_layers())
    for key in keys:
        k = drawn.get(key)
        if k is None or k.sections:  # overlays and roads: below
            continue
        features = store.read_kind(key)  # None for a derived kind (the findings: below)
        if features is None or not len(features):
            continue
        if not k.stages:  # an area kind drawn in its own style (zones)
            out[key] = features.to_crs(crs)
            continue
        state = layer_state(features, records, kind_name=key, as_of=as_of).features
        colors = {s.code: s.color for s in stages_for_kind(key)}
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
                spacing = STRAND_SPACING_PX * metres_per_px(extent, options.size)
                frame, _ = road_strands(
                    store, manifest, extent.road, as_of=as_of, spacing_m=spacing
                )
            else:
                result = road_state(chosen, records, as_of=as_of, centerlines=centerlines)
                frame = section_geometries(result, centerlines, crs=crs)
                items = [i.code for i in work_items() if (frame["item"] == i.code).any()]
                default = stage_with_role(kind("roads").sections, "map_default").code
                shown = default if default in items else (items[0] if items else None)
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


def _title(manifest, extent: Extent, lang: str) -> str:
    name = manifest.display_name(lang)
    if extent.kind == "park":
        return name
    return f"{name} · {extent.name}" if extent.name != extent.id else f"{name} · {extent.id}"


def _review_number(manifest, lang: str) -> str:
    """The 审图号 of park.toml without its own 审图号： prefix; the placeholder when empty."""
    text = (manifest.map_review_number or "").strip()
    for prefix in (label("review_number", "zh"), label("review_number", "en")):
        if text.startswith(prefix):
            text = text[len(prefix) :].lstrip("：: ")
    if text in (label("placeholder", "zh"), label("placeholder", "en")):
        text = ""  # the placeholder written into park.toml: in the picture's language
    return text or label("placeholder", lang)


def _data_source(manifest, lang: str) -> str:
    return (manifest.data_source or "").strip() or label("placeholder", lang)


def footer_text(manifest, lang: str) -> str:
    """``数据来源：…　审图号：…`` from park.toml, as both renderers print it; an empty
    source or 审图号 shows the placeholder （待填写）, never a blank."""
    colon, gap = ("：", "　") if lang == "zh" else (": ", "   ")
    return (
        f"{label('source', lang)}{colon}{_data_source(manifest, lang)}{gap}"
        f"{label('review_number', lang)}{colon}{_review_number(manifest, lang)}"
    )


#: CSS px of the legend's text and the footer's (geo/templates/webmap.css).
LEGEND_PX, FOOTER_PX = 12, 12


def word_options(
    store,
    manifest,
    *,
    width_cm: float,
    extent: str = "park",
    aspect=None,
    **options,
) -> tuple[SnapshotOptions, float]:
    """Snapshot options laid out for *width_cm* in Word, and the legend's size there (pt).

    The frame's orientation follows the extent (:func:`extent_aspect`) unless *aspect*
    (width : height) is given. The CSS pixel is laid out at 1/96 inch, so the legend and
    the footer print at 9 pt: both renderers set them in a band below the map, in as many
    lines as the width needs, and the picture grows by the band's height.
    """
    where = resolve_extent(store, manifest, extent)
    base = SnapshotOptions(as_of=options.pop("as_of"), extent=extent, **options)
    size, scale = word_layout(width_cm, aspect or extent_aspect(where))
    return replace(base, size=size, scale=scale), LEGEND_PX * 0.75
