"""Snapshots: pixel size and dpi, stage colours where parcels are, layout boxes, CJK text,
determinism, extents, both renderers and the fallback when no browser is found."""

from __future__ import annotations

import io
import tomllib
from pathlib import Path

import numpy as np
import pytest
import shapely
from PIL import Image

from geo.analysis.progress import layer_state
from geo.cli import cli
from geo.errors import ParkGeoError
from geo.render.browser import find_browser
from geo.render.snapshot import (
    SnapshotOptions,
    SnapshotSession,
    parse_layers,
    parse_size,
    resolve_extent,
)
from tests.conftest import demo_project

SIZE, SCALE = (800, 500), 2  # a 1600 × 1000 PNG at 192 dpi

#: Stage colours as the style table writes them, read here with tomllib (not through the
#: renderer's loader), so a renderer that changed or ignored them would fail.
STAGES = tomllib.loads(
    (Path(__file__).parents[2] / "geo" / "data" / "stages.toml").read_text(encoding="utf-8")
)
#: How the map is drawn, written by hand from webmap.css/webmap.js: the map background,
#: the zones' white fill at 4 %, parcels at 70 % and roads at 90 % opacity.
BACKGROUND = "#f4f3ef"
ZONE_FILL, ZONE_ALPHA = "#ffffff", 0.04
PARCEL_ALPHA, ROAD_ALPHA = 0.7, 0.9


def _colours(vocabulary: str) -> dict[str, str]:
    return {entry["code"]: entry["color"] for entry in STAGES[vocabulary]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_project(tmp_path_factory.mktemp("demo"))


def _render(demo, renderer, path, **kw):
    manifest, store = demo
    options = SnapshotOptions(as_of=manifest.as_of, size=SIZE, scale=SCALE, **kw)
    with SnapshotSession(renderer=renderer) as session:
        return session.render(store, manifest, path, options)


@pytest.fixture(scope="module")
def shots(demo, tmp_path_factory):
    """The park drawn once by each renderer (the browser one only when asked for)."""
    out = tmp_path_factory.mktemp("shots")
    return {"static": _render(demo, "static", out / "static.png")}


@pytest.fixture(scope="module")
def browser_shot(demo, tmp_path_factory):
    assert find_browser() is not None, "no Chromium: `make test` installs Debian's chromium"
    return _render(demo, "browser", tmp_path_factory.mktemp("b") / "browser.png")


def _pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def _hex(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _blend(top: str, alpha: float, under: np.ndarray) -> np.ndarray:
    return alpha * _hex(top) + (1 - alpha) * under


def _shot(request, shots, renderer):
    return shots["static"] if renderer == "static" else request.getfixturevalue("browser_shot")


RENDERERS = ["static", pytest.param("browser", marks=pytest.mark.browser)]


# ---------------------------------------------------------------------------- size, dpi


@pytest.mark.parametrize("renderer", RENDERERS)
def test_pixel_size_dpi_and_not_blank(request, shots, renderer):
    shot = _shot(request, shots, renderer)
    assert shot.renderer == renderer
    with Image.open(shot.path) as image:
        assert image.size == (shot.width, shot.height)
        # the map is 1600 × 1000; the legend's band below it adds to the height
        assert image.width == 1600 and image.height > 1000
        assert shot.georef.height == 1000
        assert shot.regions["band"][1] == pytest.approx(1000, abs=2)
        assert image.info["dpi"] == pytest.approx((192, 192), abs=0.01)
        assert image.mode == "RGB"
    pixels = _pixels(shot.path)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    assert len(colours) > 50
    assert pixels.std() > 20


# ---------------------------------------------------------------------------- colours


@pytest.mark.parametrize("renderer", RENDERERS)
def test_parcel_stage_colours_at_parcel_points(request, shots, demo, renderer):
    """The pixel at an inner point of a parcel (away from buildings, roads, findings and
    labels) is the stage colour of the style table laid over the map background."""
    shot = _shot(request, shots, renderer)
    manifest, store = demo
    parcels = store.read_kind("parcels")
    state = layer_state(
        parcels, store.read_kind("progress"), kind_name="parcels", as_of=manifest.as_of
    ).features.to_crs(manifest.crs)
    kinds = ("factories", "housing", "roads", "findings")
    covers = [
        store.read_kind(k).to_crs(manifest.crs) for k in kinds if store.read_kind(k) is not None
    ]
    blocked = shapely.union_all([g for c in covers for g in c.geometry if g is not None])
    blocked = blocked.buffer(15)
    zones = store.read_kind("zones").to_crs(manifest.crs)
    georef = shot.georef
    label_at = [
        georef.pixel(p.x, p.y) for p in zones.geometry.representative_point().to_crs(georef.crs)
    ]
    colours = _colours("land")
    zone_fill = _blend(ZONE_FILL, ZONE_ALPHA, _hex(BACKGROUND))
    pixels = _pixels(shot.path)
    points = state.geometry.representative_point().to_crs(georef.crs)
    checked, good, stages_seen = 0, 0, set()
    for geom, point, stage in zip(state.geometry, points, state["stage"], strict=True):
        inner = geom.representative_point()
        if blocked.contains(inner):
            continue
        if geom.boundary.distance(inner) < 12:
            continue
        col, row = georef.pixel(point.x, point.y)
        col, row = int(col), int(row)
        if any(abs(col - c) < 90 * SCALE and abs(row - r) < 14 * SCALE for c, r in label_at):
            continue  # under a zone's name
        boxes = [*shot.regions.values(), *(box for _, _, box in shot.labels)]
        if any(l0 - 4 <= col <= r0 + 4 and t0 - 4 <= row <= b0 + 4 for l0, t0, r0, b0 in boxes):
            continue
        if not (0 <= col < shot.width and 0 <= row < shot.height):
            continue
        expected = _blend(colours[stage], PARCEL_ALPHA, zone_fill)
        checked += 1
        if np.abs(pixels[row, col] - expected).max() <= 4:
            good += 1
            stages_seen.add(stage)
    assert checked >= 30
    assert good >= 0.9 * checked
    assert len(stages_seen) >= 4  # several stages of the table, each in its own colour


@pytest.mark.parametrize("renderer", RENDERERS)
def test_road_snapshot_shows_every_work_item_by_stage(request, demo, tmp_path, renderer):
    """二号路 on 2024-09-30: subgrade and pipes done to K0+500, pavement to K0+300."""
    shot = _render(demo, renderer, tmp_path / "road.png", extent="road:二号路")
    assert shot.extent.id == "R02"
    assert shot.layers == ("zones", "roads", "ticks")
    pixels = _pixels(shot.path).reshape(-1, 3)
    road = _colours("road")
    assert (road["done"], road["in_progress"]) == ("#1a9850", "#fdae61")
    done = _blend(road["done"], ROAD_ALPHA, _hex(BACKGROUND))
    going = _blend(road["in_progress"], ROAD_ALPHA, _hex(BACKGROUND))
    n_done = (np.abs(pixels - done).max(axis=1) <= 4).sum()
    n_going = (np.abs(pixels - going).max(axis=1) <= 4).sum()
    # 500 + 500 + 300 m done against 700 + 200 m in progress (subgrade, pavement)
    assert n_done > 0 and n_going > 0
    assert n_done / n_going == pytest.approx(1300 / 900, rel=0.2)


# ---------------------------------------------------------------------------- layout, CJK


@pytest.mark.parametrize("renderer", RENDERERS)
def test_title_legend_scale_north_footer_present(request, shots, renderer):
    shot = _shot(request, shots, renderer)
    pixels = _pixels(shot.path)
    assert {"title", "legend", "scale", "north", "footer"} <= set(shot.regions)
    for name, (left, top, right, bottom) in shot.regions.items():
        if name == "band":
            continue
        assert 0 <= left < right <= shot.width and 0 <= top < bottom <= shot.height, name
        crop = pixels[top:bottom, left:right]
        dark = (crop.max(axis=2) < 100).sum()
        assert dark > 30, f"{name}: no text drawn"
    # title top left, legend bottom right, north arrow top right, footer bottom left
    w, h = shot.width, shot.height
    assert shot.regions["title"][0] < w / 4 and shot.regions["title"][1] < h / 10
    assert shot.regions["legend"][2] > w * 0.75 and shot.regions["legend"][3] > h * 0.9
    assert shot.regions["north"][2] > w * 0.9 and shot.regions["north"][1] < h / 10
    assert shot.regions["footer"][0] < w / 4 and shot.regions["footer"][3] > h * 0.9


def _title_strokes(shot) -> tuple[int, int]:
    """Dark connected blobs and dark pixels in the first line of the title box."""
    from scipy import ndimage

    left, top, right, bottom = shot.regions["title"]
    crop = _pixels(shot.path)[top:bottom, left:right]
    line = crop[: (bottom - top) // 2 + 4]
    dark = line.max(axis=2) < 110
    _, blobs = ndimage.label(dark)
    return blobs, int(dark.sum())


@pytest.mark.parametrize("renderer", RENDERERS)
def test_cjk_title_is_drawn_with_glyphs(request, shots, demo, renderer):
    """X县工业园区 建设进度图: 11 glyphs, most of several strokes; empty boxes (tofu) would
    give one outline blob per glyph."""
    shot = _shot(request, shots, renderer)
    blobs, dark = _title_strokes(shot)
    assert blobs >= 20
    assert dark > 800


def test_static_title_differs_from_a_font_without_cjk(demo, shots, tmp_path):
    """Drawn with a font that lacks CJK glyphs, the title's glyphs become one repeated box;
    the real font gives eleven different glyphs (a renderer drawing tofu would fail)."""
    manifest, store = demo
    session = SnapshotSession(renderer="static")
    options = SnapshotOptions(as_of=manifest.as_of, size=SIZE, scale=SCALE)
    extent = resolve_extent(store, manifest, "park")
    from matplotlib.font_manager import FontProperties

    with pytest.warns(UserWarning, match="missing from font"):
        tofu = session._render_static(
            store,
            manifest,
            tmp_path / "tofu.png",
            options,
            extent,
            font=FontProperties(family="DejaVu Sans"),
        )
    good, boxes = _glyph_shapes(shots["static"]), _glyph_shapes(tofu)
    # 11 glyphs in the first title line: X 县 工 业 园 区 | 建 设 进 度 图
    assert len(good) == len(boxes) == 11
    # the real glyphs are all different; the missing-glyph boxes are one shape repeated
    assert _distinct(good) == 11
    assert _distinct(boxes) <= 2


def _glyph_shapes(shot) -> list[np.ndarray]:
    """The glyphs of the first title line, cut at the blank columns between them, each as a
    16 × 16 mask (so glyphs of the same shape compare equal whatever their position)."""
    left, top, right, bottom = shot.regions["title"]
    crop = _pixels(shot.path)[top:bottom, left:right]
    dark = crop[: (bottom - top) // 2 + 4].max(axis=2) < 110
    inked = dark.any(axis=0)
    glyphs, start = [], None
    for col, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = col
        elif not ink and start is not None:
            glyph = dark[:, start:col]
            rows = np.flatnonzero(glyph.any(axis=1))
            glyph = glyph[rows[0] : rows[-1] + 1]
            small = Image.fromarray(glyph.astype(np.uint8) * 255).resize((16, 16))
            glyphs.append(np.asarray(small) > 127)
            start = None
    return glyphs


def _distinct(glyphs: list[np.ndarray]) -> int:
    """How many of *glyphs* differ from every earlier one in more than 10 % of the mask."""
    kept: list[np.ndarray] = []
    for glyph in glyphs:
        if all((glyph != other).mean() > 0.1 for other in kept):
            kept.append(glyph)
    return len(kept)


# ---------------------------------------------------------------------------- determinism


@pytest.mark.parametrize("renderer", RENDERERS)
def test_same_options_give_the_same_bytes(request, demo, shots, tmp_path, renderer):
    first = _shot(request, shots, renderer)
    again = _render(demo, renderer, tmp_path / "again.png")
    assert again.path.read_bytes() == first.path.read_bytes()


def test_other_date_gives_another_picture(demo, shots, tmp_path):
    manifest, store = demo
    import datetime as dt

    options = SnapshotOptions(as_of=dt.date(2022, 6, 30), size=SIZE, scale=SCALE)
    with SnapshotSession(renderer="static") as session:
        old = session.render(store, manifest, tmp_path / "old.png", options)
    assert old.path.read_bytes() != shots["static"].path.read_bytes()


# ---------------------------------------------------------------------------- options


def test_extent_by_id_or_name_and_unknown_names_listed(demo):
    manifest, store = demo
    by_name = resolve_extent(store, manifest, "road:二号路")
    by_id = resolve_extent(store, manifest, "road:R02")
    assert by_name == by_id
    park = resolve_extent(store, manifest, "park")
    x0, y0, x1, y1 = by_id.bounds
    # the road's box (with its margin) lies inside the park's, give or take the margin
    assert park.bounds[0] - 200 <= x0 and x1 <= park.bounds[2] + 200
    assert park.bounds[1] - 200 <= y0 and y1 <= park.bounds[3] + 200
    zone = resolve_extent(store, manifest, "zone:五里梁片区")
    assert zone.kind == "zone" and zone.name == "五里梁片区"
    with pytest.raises(ParkGeoError, match="R02 二号路"):
        resolve_extent(store, manifest, "road:九号路")
    with pytest.raises(ParkGeoError, match="valid zones"):
        resolve_extent(store, manifest, "zone:nowhere")
    with pytest.raises(ParkGeoError, match="parcel:ID"):
        resolve_extent(store, manifest, "building:1")


def test_parse_size_and_layers():
    assert parse_size("1600x1000") == (1600, 1000)
    assert parse_size("800×600") == (800, 600)
    for bad in ("1600", "0x10", "axb", "1x2x3"):
        with pytest.raises(ParkGeoError, match="WIDTHxHEIGHT"):
            parse_size(bad)
    assert parse_layers("parcels, zones") == ("parcels", "zones")
    assert parse_layers(None) is None
    with pytest.raises(ParkGeoError, match="zones, parcels"):
        parse_layers("parcels,roofs")


def test_layers_option_limits_the_legend(demo, tmp_path):
    shot = _render(demo, "static", tmp_path / "z.png", layers=("zones", "parcels"))
    assert shot.layers == ("zones", "parcels")
    full = shot.regions["legend"][3] - shot.regions["legend"][1]
    assert full < 300  # two legend sections, not seven


def test_no_browser_falls_back_to_static(demo, tmp_path, monkeypatch):
    monkeypatch.delenv("PARKGEO_BROWSER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    shot = _render(demo, "auto", tmp_path / "auto.png")
    assert shot.renderer == "static"
    # said, with how to get the browser renderer, not a silent fallback
    assert "browser renderer missing" in shot.note and "apt-get install chromium" in shot.note
    with pytest.raises(ParkGeoError, match="no Chromium"):
        SnapshotSession(renderer="browser")


# ---------------------------------------------------------------------------- CLI


def test_cli_snapshot_default_path_and_renderer(demo, runner):
    manifest, _ = demo
    result = runner.invoke(
        cli,
        [
            "snapshot",
            "-p",
            str(manifest.root),
            "--renderer",
            "static",
            "--size",
            "400x300",
            "--scale",
            "1.5",
        ],
    )
    assert result.exit_code == 0, result.output
    path = manifest.maps_dir / "snapshot.png"
    assert "renderer static" in result.output and str(path) in result.output.replace("\n", "")
    with Image.open(path) as image:
        assert image.width == 600 and image.height > 450  # the map, and the band below it
        assert image.info["dpi"] == pytest.approx((144, 144), abs=0.01)


def test_cli_snapshot_unknown_extent_exits_2(demo, runner):
    manifest, _ = demo
    result = runner.invoke(cli, ["snapshot", "-p", str(manifest.root), "--extent", "road:X"])
    assert result.exit_code == 2
    assert "二号路" in result.output


def test_png_reads_back_with_pillow(shots):
    data = shots["static"].path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"pHYs" in data
    with Image.open(io.BytesIO(data)) as image:
        image.verify()


#: CSS px of the legend's and the footer's text, read from the stylesheet itself.
_CSS = (Path(__file__).parents[2] / "geo" / "templates" / "webmap.css").read_text(encoding="utf-8")


def _css_px(selector: str) -> float:
    import re

    rule = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", _CSS).group(1)
    return float(re.search(r"font-size:\s*([\d.]+)px", rule).group(1))


def test_laid_out_for_16_cm_the_legend_reads_8_pt_and_the_footer_7():
    """16 cm = 6.299 in = 604.7 CSS px at 96 px/in: 605 px wide, so 1 px = 0.75 pt placed
    at 16 cm; the legend's 12 px is then 9 pt, the footer's 11 px 8.25 pt."""
    from geo.render.snapshot import word_layout

    (width, height), scale = word_layout(16.0)
    assert (width, height, scale) == (605, 378, 3.0)
    pt_per_px = 16.0 / 2.54 * 72 / width
    assert _css_px(".leaflet-container") * pt_per_px >= 8.0  # the legend's text
    assert _css_px(".pg-footer") * pt_per_px >= 7.0
    with pytest.raises(ParkGeoError, match="--width-cm"):
        word_layout(0)


def test_road_snapshots_choose_their_orientation(demo, tmp_path, runner):
    """四号路 (R04) runs north–south in layers/roads.geojson, 二号路 (R02) east–west:
    a portrait and a landscape frame, both 16 cm wide at 288 dpi."""
    import json

    manifest, _ = demo
    roads = json.loads((manifest.root / "layers" / "roads.geojson").read_text(encoding="utf-8"))
    spans = {}
    for f in roads["features"]:
        xy = np.array(f["geometry"]["coordinates"], dtype=float).reshape(-1, 2)
        spans[f["properties"]["道路编号"]] = np.ptp(xy, axis=0)
    assert spans["R04"][1] > spans["R04"][0] and spans["R02"][0] > spans["R02"][1]
    for road, portrait in (("R04", True), ("R02", False)):
        out = tmp_path / f"{road}.png"
        args = ["snapshot", "-p", str(manifest.root), "--renderer", "static"]
        result = runner.invoke(cli, [*args, "--extent", f"road:{road}", "--out", str(out)])
        assert result.exit_code == 0, result.output
        with Image.open(out) as image:
            assert (image.height > image.width) is portrait
            assert image.info["dpi"] == pytest.approx((288, 288), abs=0.05)  # px per metre
            assert image.width / 288 * 2.54 == pytest.approx(16.0, abs=0.01)


def test_the_whole_park_at_16_cm_keeps_its_legend_at_9_pt(demo):
    from geo.render.snapshot import word_options

    manifest, store = demo
    # both renderers set the legend in a band below the map: 9 pt at any number of layers
    banded, legend_pt = word_options(store, manifest, width_cm=16, as_of=manifest.as_of)
    assert legend_pt == 9.0 and banded.size == (605, 378)
    fewer, legend_pt = word_options(
        store, manifest, width_cm=16, as_of=manifest.as_of, layers=("zones", "roads")
    )
    assert legend_pt == 9.0 and fewer.size == (605, 378)


def test_empty_source_and_review_number_show_the_placeholder(demo):
    from dataclasses import replace

    from geo.render.snapshot import footer_text

    manifest, _ = demo
    blank = replace(manifest, data_source="", map_review_number=" ")
    assert footer_text(blank, "zh") == "数据来源：（待填写）　审图号：（待填写）"
    assert footer_text(blank, "en").count("(to be filled in)") == 2


# ---------------------------------------------------------------------------- Word width

#: 16 cm in typographic points (72 pt to the inch, 2.54 cm to the inch).
WORD_PT = 16 / 2.54 * 72


def _ink_lines(crop: np.ndarray) -> list[int]:
    """Heights in pixels of the runs of rows holding dark (text) pixels in *crop*."""
    rows = (crop.max(axis=2) < 110).sum(axis=1) > 0
    runs, n = [], 0
    for dark in [*rows, False]:
        if dark:
            n += 1
        elif n:
            runs.append(n)
            n = 0
    return runs


def _word_shots(demo, out, renderer):
    """The park, one parcel and a north-south road laid out for 16 cm in Word."""
    from geo.render.snapshot import word_options

    manifest, store = demo
    shots = {}
    with SnapshotSession(renderer=renderer) as session:
        for name, extent in (("park", "park"), ("parcel", "parcel:WLT-02"), ("road", "road:R04")):
            options, _ = word_options(
                store, manifest, width_cm=16, extent=extent, as_of=manifest.as_of
            )
            shots[name] = session.render(store, manifest, out / f"{name}.png", options)
    return shots


@pytest.fixture(scope="module")
def word_shots(demo, tmp_path_factory):
    return _word_shots(demo, tmp_path_factory.mktemp("word"), "browser")


@pytest.fixture(scope="module")
def static_word_shots(demo, tmp_path_factory):
    return _word_shots(demo, tmp_path_factory.mktemp("word-static"), "static")


def _word(request, renderer):
    return request.getfixturevalue("word_shots" if renderer == "browser" else "static_word_shots")


@pytest.mark.parametrize("renderer", RENDERERS)
def test_at_16_cm_the_legend_and_the_footer_print_at_8_pt(request, renderer):
    """Measured on the PNG: the ink of a line of CJK text (Noto Sans CJK's ideographs
    fill about 0.9 of the em) is at least 0.9 × 8 pt high once the picture is 16 cm wide,
    for the legend's first layer (片区 □ 片区) and for the 数据来源/审图号 line."""
    for shot in _word(request, renderer).values():
        assert shot.renderer == renderer
        pixels = _pixels(shot.path)
        pt_per_px = WORD_PT / shot.width
        for region in ("legend_group", "footer"):
            left, top, right, bottom = shot.regions[region]
            lines = _ink_lines(pixels[top:bottom, left:right])
            assert lines, region
            assert max(lines) * pt_per_px >= 0.9 * 8, (shot.extent.kind, region, lines)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_the_legend_sits_in_a_band_below_the_map(request, renderer):
    """No part of the legend or the footer is drawn on the map (the map is the top
    size × scale pixels the georeference describes)."""
    for shot in _word(request, renderer).values():
        map_bottom = shot.georef.height
        assert shot.height > map_bottom
        for region in ("legend", "footer"):
            assert shot.regions[region][1] >= map_bottom, region
        assert shot.regions["band"][3] <= shot.height


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.mark.parametrize("renderer", RENDERERS)
def test_map_labels_name_roads_and_parcels_and_never_overlap(request, demo, renderer):
    """Road names of layers/roads.geojson and parcel ids are written on the snapshots;
    no two visible labels overlap, and each lies on the map, not in the band."""
    import json

    manifest, _ = demo
    roads = json.loads((manifest.root / "layers" / "roads.geojson").read_text(encoding="utf-8"))
    names = {f["properties"]["道路编号"]: f["properties"]["道路名称"] for f in roads["features"]}
    word_shots = _word(request, renderer)
    for shot in word_shots.values():
        boxes = [box for _, _, box in shot.labels]
        assert len(boxes) >= 5
        for i, a in enumerate(boxes):
            assert a[3] <= shot.georef.height + 1
            for b in boxes[i + 1 :]:
                assert not _overlap(a, b), (shot.extent.kind, shot.labels)
    road_names = {t for k, t, _ in word_shots["park"].labels if k == "pg-road-name"}
    assert len(road_names & set(names.values())) >= 3, road_names
    assert names["R04"] in {t for k, t, _ in word_shots["road"].labels if k == "pg-road-name"}
    ids = {t for k, t, _ in word_shots["parcel"].labels if k == "pg-id-label"}
    assert "WLT-02" in ids and len(ids) >= 5, ids  # the parcel itself and its neighbours


def test_english_footer_has_english_punctuation_and_placeholder(demo):
    """The demo's park.toml says 审图号：（待填写）, the Chinese placeholder itself: an English
    picture prints the English one, with ": " rather than the full-width colon."""
    from geo.render.snapshot import footer_text

    manifest, _ = demo
    assert manifest.map_review_number == "审图号：（待填写）"
    assert footer_text(manifest, "en") == (
        "Data source: 演示数据（parkgeo 生成，非真实测绘成果）   Map review no.: (to be filled in)"
    )
    assert footer_text(manifest, "zh") == (
        "数据来源：演示数据（parkgeo 生成，非真实测绘成果）　审图号：（待填写）"
    )


def test_static_band_texts_measure_at_least_8_and_7_pt_at_16_cm(demo):
    """matplotlib's own measure of the band's texts: their font size, and the height of
    their extents, in points once the picture is placed 16 cm wide (a figure W inches wide
    shrinks by 16 / 2.54 / W); and the footer is park.toml's source and 审图号."""
    from geo.render.snapshot import footer_text, resolve_extent, snapshot_layers, word_options
    from geo.render.static import render_static

    manifest, store = demo
    options, _ = word_options(store, manifest, width_cm=16, as_of=manifest.as_of)
    extent = resolve_extent(store, manifest, "park")
    frames = snapshot_layers(store, manifest, extent, options)
    image, _, _, written = render_static(
        frames,
        bounds=extent.bounds,
        title="t",
        date_line="d",
        footer=footer_text(manifest, "zh"),
        lang="zh",
        size=options.size,
        scale=options.scale,
    )
    dpi = 96 * options.scale
    shrink = 16 / 2.54 / (image.width / dpi)
    band = [w for w in written if len(w) == 4]
    legend = [w for w in band if w[0] == "legend"]
    footer = [w for w in band if w[0] == "footer"]
    assert len(legend) >= 20 and len(footer) == 1
    assert footer[0][1] == "数据来源：演示数据（parkgeo 生成，非真实测绘成果）　审图号：（待填写）"
    for role, text, box, size_pt in band:
        least = 8 if role == "legend" else 7
        assert size_pt * shrink >= least, (text, size_pt * shrink)
        height_pt = (box[3] - box[1]) / dpi * 72 * shrink
        assert height_pt >= least, (text, height_pt)
