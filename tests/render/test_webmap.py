"""The interactive map in a real headless Chromium: offline, counts, legends, XSS, GCJ-02,
goal panel and time control."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.cli import cli
from geo.domain.gcj02 import wgs84_to_gcj02
from geo.render.webmap import MapOptions, build_map
from tests.conftest import demo_project, realdata

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">恶意项目'
TEMPLATE = "{{ 7 * 7 }}{% raw %}模板项目"  # must stay text: data never reaches a template
#: zone names that look like page text: a placeholder the page once replaced, a closing tag
PLACEHOLDER = "__LAYER_0__"
CLOSER = "</script><script>window.__xss=2</script>片区"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo park with one project named like an attack, imported into a real store."""

    def plant(root):
        projects = root / "layers" / "projects.csv"
        frame = pd.read_csv(projects, dtype=str, keep_default_na=False)
        frame.loc[frame["项目名称"].str.startswith("臻秦"), "项目名称"] = XSS
        assert (frame["项目名称"] == XSS).sum() == 1
        frame.loc[frame["项目名称"].str.startswith("鑫鸣灏"), "项目名称"] = TEMPLATE
        assert (frame["项目名称"] == TEMPLATE).sum() == 1
        frame.to_csv(projects, index=False)
        zones = root / "layers" / "zones.geojson"
        collection = json.loads(zones.read_text(encoding="utf-8"))
        collection["features"][0]["properties"]["片区名称"] = PLACEHOLDER
        collection["features"][1]["properties"]["片区名称"] = CLOSER
        zones.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    return demo_project(tmp_path_factory.mktemp("demo"), edit=plant)


def _open(browser, path, *, width=1400, height=900):
    """Open *path* with every non-file request blocked and recorded."""
    page = browser.new_page(viewport={"width": width, "height": height})
    outside, errors = [], []

    def route(r):
        if r.request.url.startswith(("file:", "data:")):
            return r.continue_()
        outside.append(r.request.url)
        return r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.parkgeo && window.parkgeo.drawn", timeout=30_000)
    return page, outside, errors


@pytest.fixture(scope="module")
def page(demo, browser, tmp_path_factory):
    manifest, store = demo
    out = tmp_path_factory.mktemp("map") / "park.html"
    out.write_text(build_map(store, manifest, MapOptions(as_of=manifest.as_of)), encoding="utf-8")
    page, outside, errors = _open(browser, out)
    yield page, outside, errors, out
    page.close()


def test_offline_no_requests_no_errors(page):
    _, outside, errors, out = page
    assert outside == []
    assert errors == []
    text = out.read_text(encoding="utf-8")
    # nothing is fetched by the page: no script/link/img with a remote source
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=\"https?:", text)


def test_drawn_features_equal_store_counts(page, demo):
    pg, *_ = page
    _, store = demo
    counts = pg.evaluate("window.parkgeo.counts")
    for kind_name in ("zones", "parcels", "factories", "housing"):
        assert counts[kind_name] == len(store.read_kind(kind_name)), kind_name
    # canvas: every parcel is drawn by the renderer
    drawn = pg.evaluate(
        "Object.keys(window.parkgeo.layers.parcels._layers).filter("
        "k => window.parkgeo.layers.parcels._layers[k]._pxBounds).length"
    )
    assert drawn == counts["parcels"]


def test_switching_a_layer_off_hides_its_legend(page):
    pg, *_ = page
    legend = pg.locator(".pg-legend[data-layer='parcels']")
    assert legend.is_visible()
    pg.locator(".pg-layers .pg-panel-head").click()  # folded by default: it opens
    checkbox = pg.locator(".pg-layer-toggle", has_text="地块").locator("input")
    checkbox.uncheck()
    assert not legend.is_visible()
    checkbox.check()
    assert legend.is_visible()
    pg.locator(".pg-layers .pg-panel-head").click()


def test_xss_name_stays_text(page):
    pg, *_ = page
    ids = pg.evaluate("window.parkgeo.search('恶意项目')")
    assert ids, "the project is searchable by name"
    popup = pg.locator(".leaflet-popup-content", has_text="恶意项目")
    popup.wait_for()
    assert XSS in popup.inner_text()
    assert pg.locator(".leaflet-popup-content img").count() == 0
    assert pg.evaluate("window.__xss") is None


def test_template_syntax_in_data_stays_text(page):
    pg, *_ = page
    assert pg.evaluate("window.parkgeo.search('模板项目')")
    popup = pg.locator(".leaflet-popup-content", has_text="模板项目")
    popup.wait_for()
    assert TEMPLATE in popup.inner_text()


def test_goal_panel_equals_status_json(page, demo, runner):
    pg, *_ = page
    manifest, _ = demo
    result = runner.invoke(cli, ["status", "-p", str(manifest.root), "--json"])
    assert result.exit_code == 0, result.output
    goals = {g["id"]: g for g in json.loads(result.stdout)["goals"]}
    shown = pg.evaluate("""Array.from(document.querySelectorAll('.pg-goal')).map(e => [
        e.dataset.goalId, e.dataset.achieved, e.dataset.target])""")
    assert shown, "the goal panel lists the current year's goals"
    for gid, achieved, target in shown:
        g = goals[gid]
        assert float(target) == g["target"]
        if g["achieved"] is None:
            assert achieved == ""
        else:
            assert float(achieved) == pytest.approx(g["achieved"], rel=1e-12)
    first = pg.locator(".pg-goal").first.inner_text()
    assert "新开发建设园区面积" in first


def test_time_control_changes_developed_area(page):
    pg, *_ = page
    timeline = pg.evaluate("window.PARKGEO_TIMELINE || null")
    text = pg.locator(".pg-time-text")
    last = float(text.get_attribute("data-developed-km2"))
    pg.evaluate("window.parkgeo.setTime(0)")
    first = float(text.get_attribute("data-developed-km2"))
    assert first < last
    assert "2021-12-31" in text.inner_text()
    del timeline
    pg.evaluate("window.parkgeo.setTime(Number(window.parkgeo.slider.max))")


def test_amap_shifts_vertices_by_gcj02(demo, browser, tmp_path):
    manifest, store = demo
    out = tmp_path / "amap.html"
    out.write_text(
        build_map(store, manifest, MapOptions(as_of=manifest.as_of, basemap="amap")),
        encoding="utf-8",
    )
    pg, outside, errors = _open(browser, out)
    # tiles are requested from Gaode (aborted here); nothing else
    assert all("autonavi.com" in url for url in outside)
    assert errors == [] or all("net::ERR_FAILED" in e for e in errors)
    assert "GCJ-02" in pg.locator(".pg-title").inner_text()
    drawn = pg.evaluate("""(() => { const l = window.parkgeo.layers.parcels.getLayers()[0];
        const ll = l.getLatLngs()[0][0]; return [l.feature.properties.id, ll.lng, ll.lat]; })()""")
    pid, lon, lat = drawn
    parcels = store.read_kind("parcels").set_index("id").to_crs("EPSG:4326")
    ring = np.asarray(
        parcels.geometry.loc[pid].geoms[0].exterior.coords
        if parcels.geometry.loc[pid].geom_type == "MultiPolygon"
        else parcels.geometry.loc[pid].exterior.coords
    )
    # the drawn vertex is the WGS-84 vertex moved by the published formula, within 1 m
    glon, glat = wgs84_to_gcj02(ring[:, 0], ring[:, 1])
    _, _, dist = Geod(ellps="WGS84").inv(
        glon, glat, np.full(len(ring), lon), np.full(len(ring), lat)
    )
    assert dist.min() < 1.0
    _, _, shift = Geod(ellps="WGS84").inv(
        ring[:, 0], ring[:, 1], np.full(len(ring), lon), np.full(len(ring), lat)
    )
    assert shift.min() > 100  # and visibly away from the unshifted vertex
    pg.close()


def test_gcj02_formula_matches_published_pair_near_the_park():
    """The shift used by the map is the published one (eviltransform's Shenzhen triple)."""
    v = pd.read_csv(realdata("gcj02_vectors.csv"))
    row = v[v["source_repo"] == "googollee/eviltransform"].iloc[1]
    lon, lat = wgs84_to_gcj02(row["wgs_lon"], row["wgs_lat"])
    _, _, d = Geod(ellps="WGS84").inv(lon, lat, row["gcj_lon"], row["gcj_lat"])
    assert d < 0.1


def test_english_map(demo, browser, tmp_path):
    manifest, store = demo
    out = tmp_path / "en.html"
    out.write_text(
        build_map(store, manifest, MapOptions(as_of=manifest.as_of, lang="en")), encoding="utf-8"
    )
    pg, outside, errors = _open(browser, out)
    assert outside == [] and errors == []
    assert "construction progress" in pg.locator(".pg-title").inner_text()
    assert "Parcels by land stage" in pg.locator(".pg-legends").inner_text()
    pg.close()


def _tile_png(color=(51, 102, 204)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (256, 256), color).save(buf, format="PNG")
    return buf.getvalue()


def _park_tiles(store, z):
    import math

    b = store.read_kind("zones").to_crs("EPSG:4326").total_bounds
    n = 2**z

    def xy(lon, lat):
        r = math.radians(lat)
        return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)

    (x0, y0), (x1, y1) = xy(b[0], b[3]), xy(b[2], b[1])
    return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


@pytest.mark.parametrize("fmt", ["xyz", "mbtiles"])
def test_local_tiles_are_embedded_and_drawn_offline(demo, browser, tmp_path, fmt):
    import sqlite3

    manifest, store = demo
    png = _tile_png()
    tiles = _park_tiles(store, 14)
    if fmt == "xyz":
        source = tmp_path / "tiles"
        for x, y in tiles:
            (source / "14" / str(x)).mkdir(parents=True, exist_ok=True)
            (source / "14" / str(x) / f"{y}.png").write_bytes(png)
    else:
        source = tmp_path / "park.mbtiles"
        con = sqlite3.connect(source)
        con.execute("CREATE TABLE metadata (name text, value text)")
        con.execute("INSERT INTO metadata VALUES ('format', 'png')")
        con.execute(
            "CREATE TABLE tiles (zoom_level int, tile_column int, tile_row int, tile_data blob)"
        )
        con.executemany(
            "INSERT INTO tiles VALUES (14, ?, ?, ?)", [(x, 2**14 - 1 - y, png) for x, y in tiles]
        )  # MBTiles rows are TMS
        con.commit()
        con.close()
    out = tmp_path / "local.html"
    options = MapOptions(as_of=manifest.as_of, basemap="local", tiles=source)
    out.write_text(build_map(store, manifest, options), encoding="utf-8")
    pg, outside, errors = _open(browser, out)
    assert outside == [] and errors == []
    srcs = pg.evaluate("Array.from(document.querySelectorAll('img.leaflet-tile')).map(i => i.src)")
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs if s)
    shot = pg.screenshot()
    import io

    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).reshape(-1, 3)
    assert (np.abs(image.astype(int) - [51, 102, 204]).sum(axis=1) < 6).mean() > 0.01
    pg.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--basemap", "tianditu"], "TIANDITU_KEY"),
        (["--basemap", "local"], "--tiles"),
        (["--basemap", "local", "--tiles", "/nonexistent/tiles"], "no such tile folder"),
    ],
)
def test_map_cli_refuses_incomplete_basemaps(demo, runner, args, message, monkeypatch):
    manifest, _ = demo
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    result = runner.invoke(cli, ["map", "-p", str(manifest.root), *args])
    assert result.exit_code == 2 and message in result.output
    assert "Traceback" not in result.output


def test_map_cli_writes_the_default_file(demo, runner):
    manifest, _ = demo
    result = runner.invoke(cli, ["map", "-p", str(manifest.root)])
    assert result.exit_code == 0, result.output
    text = (manifest.root / "maps" / "park.html").read_text(encoding="utf-8")
    assert "parkgeoInit(" in text and manifest.as_of.isoformat() in text


def test_compact_layer_round_trips_geometry_to_a_tenth_of_a_metre(demo, browser, tmp_path):
    """The page rebuilds every parcel vertex from the compact form within 0.1 m."""
    manifest, store = demo
    out = tmp_path / "c.html"
    out.write_text(build_map(store, manifest, MapOptions(as_of=manifest.as_of)), encoding="utf-8")
    pg, _, _ = _open(browser, out)
    drawn = pg.evaluate("""window.parkgeo.layers.parcels.getLayers().map(l =>
        [l.feature.properties.id, l.getLatLngs()[0].map(ll => [ll.lng, ll.lat])])""")
    parcels = store.read_kind("parcels").set_index("id").to_crs("EPSG:4326")
    geod = Geod(ellps="WGS84")
    worst = 0.0
    for pid, ring in drawn:
        geom = parcels.geometry.loc[pid]
        poly = geom.geoms[0] if geom.geom_type == "MultiPolygon" else geom
        expected = np.asarray(poly.exterior.coords)[:-1]
        got = np.asarray(ring if not isinstance(ring[0][0], list) else ring[0])
        assert got.shape == expected.shape, pid
        _, _, d = geod.inv(expected[:, 0], expected[:, 1], got[:, 0], got[:, 1])
        worst = max(worst, float(d.max()))
    assert worst < 0.1
    props = pg.evaluate("window.parkgeo.layers.parcels.getLayers()[0].feature.properties")
    assert {"id", "stage", "area_mu", "ts"} <= set(props)
    pg.close()


def test_tianditu_requests_only_its_vector_and_label_tiles_with_the_key(demo, browser, tmp_path):
    manifest, store = demo
    out = tmp_path / "tdt.html"
    options = MapOptions(as_of=manifest.as_of, basemap="tianditu", tianditu_key="TESTKEY")
    out.write_text(build_map(store, manifest, options), encoding="utf-8")
    pg, outside, _ = _open(browser, out)
    pg.wait_for_function("document.querySelectorAll('img.leaflet-tile').length > 0")
    pg.close()
    assert outside, "tiles are requested from Tianditu"
    assert all(re.match(r"https://t[0-7]\.tianditu\.gov\.cn/(vec|cva)_w/", u) for u in outside)
    assert all("tk=TESTKEY" in u for u in outside)
    assert any("/cva_w/" in u for u in outside) and any("/vec_w/" in u for u in outside)


def test_goal_panel_folds_away_and_back(page):
    pg, *_ = page
    goal = pg.locator(".pg-goal").first
    assert goal.is_visible()
    pg.locator(".pg-goals .pg-panel-head").click()
    assert not goal.is_visible()
    pg.locator(".pg-goals .pg-panel-head").click()
    assert goal.is_visible()


def test_names_like_page_text_stay_names(page):
    """A zone called like a placeholder or a closing tag is drawn as its name."""
    pg, *_ = page
    labels = pg.evaluate(
        "Array.from(document.querySelectorAll('.pg-zone-label')).map(e => e.textContent)"
    )
    assert PLACEHOLDER in labels and CLOSER in labels
    assert pg.evaluate("window.__xss") is None


def test_page_text_holds_data_only_in_json_elements(page):
    _, _, _, out = page
    text = out.read_text(encoding="utf-8")
    # the only <script> elements: Leaflet, ours, the model and layers (JSON), the start call
    scripts = re.findall(r"<script([^>]*)>", text)
    assert scripts.count("") == 3
    assert all(
        s == ' type="application/json"' or s.startswith(' type="application/json" id=')
        for s in scripts
        if s
    )
    assert CLOSER not in text and "\\u003c/script\\u003e" in text


def test_road_snapshot_of_a_park_with_a_placeholder_named_zone(demo, tmp_path):
    """The road snapshot (GeoJSON text layers) once hung on a zone named ``__LAYER_0__``.

    Run as its own process: this module's browser holds the thread's Playwright loop."""
    manifest, _ = demo
    out = tmp_path / "r02.png"
    args = ["snapshot", "-p", str(manifest.root), "--extent", "road:R02", "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-c", "from geo.cli import main; main()", *args, "--renderer", "browser"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert out.stat().st_size > 10_000


def _column_values(col: dict, n: int) -> list:
    """A column of the map's compact layer form back as values (codes into dict, or v)."""
    if "codes" in col:
        return [None if c < 0 else col["dict"][c] for c in col["codes"]]
    return list(col["v"])[:n]


def test_findings_of_every_date_are_those_of_check_as_of(demo, runner):
    """For each date of the time control the map holds (drawn, or listed when they have no
    place) exactly the findings `parkgeo check --as-of D --json` prints for that date:
    checking the dates at once shares work but changes nothing."""
    from geo.render.webmap import map_model

    manifest, store = demo
    model = map_model(store, manifest, MapOptions(as_of=manifest.as_of))
    layer = next(layer for layer in model["layers"] if layer["key"] == "findings")
    n = layer["data"]["n"]
    cols = {k: _column_values(v, n) for k, v in layer["data"]["cols"].items()}
    rows = [dict(zip(cols, values, strict=True)) for values in zip(*cols.values(), strict=True)]
    rows += model["findings_unplaced"]
    dates = [t["date"] for t in model["timeline"]]
    assert layer["dates"] == dates and len(dates) >= 3
    seen = set()
    for i, date in enumerate(dates):
        result = runner.invoke(cli, ["check", "-p", str(manifest.root), "--as-of", date, "--json"])
        assert result.exit_code in (0, 1), result.output
        expected = sorted(
            (f["rule"], ";".join(f["ids"]), f["message_zh"])
            for f in json.loads(result.stdout)["findings"]
        )
        held = sorted((r["rule"], r["ids"], r["message_zh"]) for r in rows if r["ts"][i] == "1")
        assert held == expected, date
        seen.update(expected)
    # the demo's findings change over the years (idle land grows older): a real comparison
    assert len(seen) > len(expected)
