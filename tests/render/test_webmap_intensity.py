"""The web map's 亩均效益 layer in a real headless Chromium: off at first, toggled in the
layer control, parcels filled by class with the colours of map.toml, 低效用地 outlined.

The demo park is planted with one parcel long in production: LKH-13 (容积率 0.52 < 1.0,
completed, 投产 2020-01-01, more than 3 years before 2024-09-30) is 低效用地.
"""

from __future__ import annotations

import json

import pytest

from geo.cli import cli
from geo.domain.intensity import MUJUN_CLASSES
from geo.domain.tables import data_table
from geo.render.webmap import MapOptions, build_map
from tests.conftest import demo_project

pytestmark = pytest.mark.browser

OLD = "LKH-13"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    def plant(root):
        path = root / "layers" / "parcels.geojson"
        collection = json.loads(path.read_text(encoding="utf-8"))
        (feature,) = [f for f in collection["features"] if f["properties"]["地块编号"] == OLD]
        feature["properties"]["投产日期"] = "2020-01-01"
        path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")

    return demo_project(tmp_path_factory.mktemp("demo"), edit=plant)


@pytest.fixture(scope="module")
def page(demo, browser, tmp_path_factory):
    manifest, store = demo
    out = tmp_path_factory.mktemp("map") / "park.html"
    out.write_text(build_map(store, manifest, MapOptions(as_of=manifest.as_of)), encoding="utf-8")
    pg = browser.new_page(viewport={"width": 1400, "height": 900})
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort(),
    )
    pg.goto(out.as_uri())
    pg.wait_for_function("window.parkgeo && window.parkgeo.drawn", timeout=30_000)
    yield pg, errors
    pg.close()


def _intensity(demo, runner) -> list[dict]:
    manifest, _ = demo
    result = runner.invoke(cli, ["intensity", "-p", str(manifest.root), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["parcels"]


def test_layer_is_off_and_toggles_on(page, demo, runner):
    pg, errors = page
    rows = _intensity(demo, runner)
    shown = [r for r in rows if r["mujun_class"] or r["low_use_flags"]]
    assert pg.evaluate("window.parkgeo.counts.mujun") == len(shown) > 0
    assert not pg.evaluate("window.parkgeo.map.hasLayer(window.parkgeo.layers.mujun)")
    pg.locator(".pg-layers .pg-panel-head").click()
    pg.locator(".pg-layer-toggle", has_text="亩均效益等级与低效用地").locator("input").check()
    assert pg.evaluate("window.parkgeo.map.hasLayer(window.parkgeo.layers.mujun)")
    legend = pg.locator(".pg-legend[data-layer='mujun']")
    assert legend.is_visible()
    assert "A 优先发展" in legend.inner_text() and "低效用地" in legend.inner_text()
    assert errors == []


def test_fill_by_class_and_low_use_outline(page, demo, runner):
    pg, _ = page
    spec = data_table("map.toml")["layers"]["mujun"]
    drawn = pg.evaluate(
        """Object.values(window.parkgeo.layers.mujun._layers).map(l => [
            l.feature.properties.id, l.options.fillColor, l.options.color, l.options.weight])"""
    )
    by_id = {r["id"]: r for r in _intensity(demo, runner)}
    assert by_id[OLD]["low_use"] is True  # the planted parcel
    for pid, fill, color, weight in drawn:
        cls = by_id[pid]["mujun_class"]
        assert fill == (spec["classes"][cls] if cls else spec["unclassed"]), pid
        if by_id[pid]["low_use"]:
            assert (color, weight) == (
                spec["low_use_style"]["color"],
                spec["low_use_style"]["weight"],
            )
        else:
            assert (color, weight) == (spec["style"]["color"], spec["style"]["weight"]), pid


def test_popup_names_the_rule_value_and_threshold(page):
    pg, _ = page
    html = pg.evaluate(
        f"""(() => {{ const l = Object.values(window.parkgeo.layers.mujun._layers)
            .find(l => l.feature.properties.id === {json.dumps(OLD)});
            l.openPopup(); return l.getPopup().getContent(); }})()"""
    )
    assert "容积率低于绝对下限: 0.52 &lt; 1.00" in html and "亩均效益等级" in html  # escaped


def test_every_class_has_a_colour():
    spec = data_table("map.toml")["layers"]["mujun"]
    assert tuple(spec["classes"]) == MUJUN_CLASSES
