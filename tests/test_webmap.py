"""The interactive map in a real headless Chromium: offline, counts, legends, XSS, GCJ-02,
goal panel and time control."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from geo.cli import cli
from geo.demo import write_demo_project
from geo.gcj02 import wgs84_to_gcj02
from geo.importer import import_project
from geo.manifest import load_manifest
from geo.render.browser import find_browser, launch
from geo.render.webmap import MapOptions, build_map
from geo.store import open_store
from tests.conftest import realdata

pytestmark = pytest.mark.browser

XSS = '<img src=x onerror="window.__xss=1">恶意项目'
TEMPLATE = "{{ 7 * 7 }}{% raw %}模板项目"  # must stay text: data never reaches a template


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo park with one project named like an attack, imported into a real store."""
    root = tmp_path_factory.mktemp("demo")
    write_demo_project(root)
    projects = root / "layers" / "projects.csv"
    frame = pd.read_csv(projects, dtype=str, keep_default_na=False)
    frame.loc[frame["项目名称"].str.startswith("臻秦"), "项目名称"] = XSS
    assert (frame["项目名称"] == XSS).sum() == 1
    frame.loc[frame["项目名称"].str.startswith("鑫鸣灏"), "项目名称"] = TEMPLATE
    assert (frame["项目名称"] == TEMPLATE).sum() == 1
    frame.to_csv(projects, index=False)
    manifest = load_manifest(root)
    store = open_store(manifest)
    import_project(manifest, store)
    return manifest, store


@pytest.fixture(scope="module")
def browser():
    path = find_browser()
    assert path is not None, "no Chromium on this machine: `make test` installs Debian's chromium"
    with launch(path) as b:
        yield b


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
    checkbox = pg.locator(".leaflet-control-layers-overlays label", has_text="地块").locator(
        "input"
    )
    checkbox.uncheck()
    assert not legend.is_visible()
    checkbox.check()
    assert legend.is_visible()


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
