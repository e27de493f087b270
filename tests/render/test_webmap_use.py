"""The demo's map used as a road engineer, a building engineer and a land officer would, in a
real headless Chromium at 1366×768, 1920×1080 and 390×844, in Chinese and English.

Expected values come from the CLI (``roads/status/check --json --as-of``) and the colour
tables in ``geo/data`` read as TOML here; colours are read back from the map's canvas.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo.cli import cli
from geo.domain.chainage import parse_chainage
from geo.domain.linref import road_centerlines
from geo.render.webmap import MapOptions, build_map
from tests.conftest import demo_project

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[2] / "geo" / "data"
STAGES = tomllib.loads((DATA / "stages.toml").read_text(encoding="utf-8"))
MAP = tomllib.loads((DATA / "map.toml").read_text(encoding="utf-8"))
SIZES = {"laptop": (1366, 768), "desktop": (1920, 1080), "phone": (390, 844)}


def _rgb(color: str) -> np.ndarray:
    return np.array([int(color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def _colours(vocab: str) -> dict[str, np.ndarray]:
    return {entry["code"]: _rgb(entry["color"]) for entry in STAGES[vocab]}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return demo_project(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def pages(demo, tmp_path_factory):
    """The demo's map in both languages, written once."""
    manifest, store = demo
    out = tmp_path_factory.mktemp("maps")
    paths = {}
    for lang in ("zh", "en"):
        paths[lang] = out / f"park_{lang}.html"
        options = MapOptions(as_of=manifest.as_of, lang=lang)
        paths[lang].write_text(build_map(store, manifest, options), encoding="utf-8")
    return paths


def _open(browser, path, size, *, touch=False):
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_function("window.parkgeo && window.parkgeo.drawn", timeout=30_000)
    return page, errors


def _json(runner, manifest, *args):
    result = runner.invoke(cli, [*args, "-p", str(manifest.root), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


# ------------------------------------------------------------------- the time control

_ONLY = """async (names) => {
  const s = window.parkgeo;
  for (const [name, layer] of Object.entries(s.layers)) {
    const want = names.some(n => name === n || name.startsWith(n + ':'));
    if (want && !s.map.hasLayer(layer)) layer.addTo(s.map);
    if (!want && s.map.hasLayer(layer)) s.map.removeLayer(layer);
  }
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}"""

# the drawn colour (RGBA, not premultiplied) of the canvas at map points: [lat, lon] or
# {x, y} container pixels
_SAMPLE = """(points) => {
  const m = window.parkgeo.map, canvas = document.querySelector('.leaflet-overlay-pane canvas');
  const ctx = canvas.getContext('2d'), r = canvas.getBoundingClientRect();
  const c = m.getContainer().getBoundingClientRect();
  const sx = canvas.width / r.width, sy = canvas.height / r.height;
  return points.map(p => {
    const cp = Array.isArray(p) ? m.latLngToContainerPoint(p) : p;
    const x = Math.round((cp.x + c.left - r.left) * sx);
    const y = Math.round((cp.y + c.top - r.top) * sy);
    return Array.from(ctx.getImageData(x, y, 1, 1).data);
  });
}"""


def _classify(rgba, colours: dict[str, np.ndarray]) -> tuple[str, float]:
    rgb = np.array(rgba[:3], dtype=float)
    code = min(colours, key=lambda c: np.abs(colours[c] - rgb).max())
    return code, float(np.abs(colours[code] - rgb).max())


def _clean_points(frame) -> dict[str, list[float]]:
    """Per feature, a point well inside it and inside no other feature: [lat, lon]."""
    geoms = list(frame.geometry)
    out = {}
    for i, (fid, geom) in enumerate(zip(frame["id"], geoms, strict=True)):
        others = shapely.union_all(geoms[:i] + geoms[i + 1 :])
        clean = geom.difference(others).buffer(-4)
        assert not clean.is_empty, f"{fid} has no inner point of its own"
        point = shapely.Point(clean.representative_point())
        out[fid] = point
    ids = list(out)
    lonlat = gpd.GeoSeries(list(out.values()), crs=frame.crs).to_crs("EPSG:4326")
    return {fid: [p.y, p.x] for fid, p in zip(ids, lonlat, strict=True)}


def _road_probes(store, manifest, roads_json):
    """(road, item, chainage, stage) at a quarter, half and three quarters of every stretch
    30 m or longer, away from other roads (crossings) and from chain breaks (stations there
    exist twice)."""
    roads = store.read_kind("roads").to_crs(manifest.crs)
    lines = road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
    breaks = {}
    for rid, text in zip(roads["id"], roads["chain_breaks"].fillna(""), strict=True):
        for part in filter(None, str(text).split(";")):
            a, b = (parse_chainage(x) for x in part.split("="))
            breaks.setdefault(rid, []).append((min(a, b) - 30, max(a, b) + 30))
    probes = []
    for road in roads_json["roads"]:
        other = shapely.union_all([lines[r].line for r in lines if r != road["id"]])
        for s in road["stretches"]:
            if s["to_m"] - s["from_m"] < 30:
                continue
            for share in (0.25, 0.5, 0.75):
                at = s["from_m"] + share * (s["to_m"] - s["from_m"])
                if any(a <= at <= b for a, b in breaks.get(road["id"], [])):
                    continue
                if lines[road["id"]].point_at(at).distance(other) < 40:
                    continue
                probes.append((road["id"], s["item"], at, s["stage"]))
    return probes


#: the probe and the pixels around it, nearest first
_NEAR = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1)]


def _drawn_road_stage(page, road, item, chainage) -> str | None:
    """The road stage whose colour is drawn on *item*'s strip at *chainage*: the pixel nearest
    the strip's line that is a pure stage colour (antialiased edges mix with the next strip;
    strips stand a pixel apart, so one pixel around is the strip's own)."""
    x, y = page.evaluate(f"window.parkgeo.roadPoint('{road}', '{item}', {chainage})")
    drawn = page.evaluate(_SAMPLE, [{"x": x + dx, "y": y + dy} for dx, dy in _NEAR])
    block = [_classify(rgba, _colours("road")) for rgba in drawn]
    return next((code for code, distance in block if distance <= 3), None)


def test_time_control_moves_every_layer_as_the_cli_says(demo, pages, browser, runner):
    manifest, store = demo
    page, errors = _open(browser, pages["zh"], SIZES["desktop"])
    model = page.evaluate("document.getElementById('pg-model').textContent")
    timeline = json.loads(model)["timeline"]
    dates = [t["date"] for t in timeline]
    assert len(dates) >= 3
    parcels = store.read_kind("parcels").to_crs(manifest.crs)
    buildings = {k: store.read_kind(k).to_crs(manifest.crs) for k in ("factories", "housing")}
    points = {"parcels": _clean_points(parcels)}
    points.update({k: _clean_points(v) for k, v in buildings.items()})
    ever = {
        (p["rule"], p["ids"])
        for p in page.evaluate("window.parkgeo.findings.map(l => l.feature.properties)")
    }
    for i, date in enumerate(dates):
        page.evaluate(f"window.parkgeo.setTime({i})")
        status = _json(runner, manifest, "status", "--as-of", date)
        # parcels and buildings: the colour drawn in each, counted by stage
        for key, colours in (
            ("parcels", "land"),
            ("factories", "building"),
            ("housing", "building"),
        ):
            page.evaluate(_ONLY, [key])
            drawn = page.evaluate(_SAMPLE, list(points[key].values()))
            counted = dict.fromkeys(_colours(colours), 0)
            for rgba in drawn:
                code, distance = _classify(rgba, _colours(colours))
                assert distance <= 3, (key, date, rgba)
                counted[code] += 1
            expected = {k: v["count"] for k, v in status["layers"][key]["by_stage"].items()}
            assert counted == expected, (key, date)
        # roads: the colour of each work item's strip at the middle of each stretch
        roads = _json(runner, manifest, "roads", "--as-of", date)
        page.evaluate(_ONLY, ["roads"])
        probes = _road_probes(store, manifest, roads)
        assert len(probes) >= 20
        for road, item, ch, stage in probes:
            assert _drawn_road_stage(page, road, item, ch) == stage, (date, road, item, ch)
        # findings of that date, and only those
        check = _json(runner, manifest, "check", "--as-of", date)
        page.evaluate(_ONLY, ["findings"])
        shown = {
            (p["rule"], p["ids"])
            for p in page.evaluate(
                "window.parkgeo.layers.findings.getLayers().map(l => l.feature.properties)"
            )
        }
        held = {(f["rule"], ";".join(f["ids"])) for f in check["findings"]}
        assert shown == held & ever, date
        # goal panel and title
        assert date in page.locator(".pg-title-date").inner_text()
        assert date in page.locator(".pg-goals .pg-panel-head").inner_text()
        goals = {g["id"]: g for g in status["goals"]}
        for gid, achieved in page.evaluate(
            "Array.from(document.querySelectorAll('.pg-goal')).map(e => "
            "[e.dataset.goalId, e.dataset.achieved])"
        ):
            g = goals[gid]
            assert g["period_start"] <= date <= g["period_end"]
            if g["achieved"] is not None:
                assert float(achieved) == pytest.approx(g["achieved"], rel=1e-12)
    # the seed's 二号路 pavement K0+000–K0+300 was finished on 2024-08-16: not done before
    page.evaluate("window.parkgeo.setTime(0)")
    page.evaluate(_ONLY, ["roads"])  # and waits for the canvas to be drawn
    assert _drawn_road_stage(page, "R02", "pavement", 150) == "not_started"
    page.evaluate(f"window.parkgeo.setTime({len(dates) - 1})")
    page.evaluate(_ONLY, ["roads"])
    assert _drawn_road_stage(page, "R02", "pavement", 150) == "done"
    assert errors == []
    page.close()


# ------------------------------------------------------------------- layout


_COVERED = """() => {
  // share of the map covered by controls: union of their boxes on a 4 px grid
  const m = document.getElementById('pg-map').getBoundingClientRect();
  const nodes = Array.from(document.querySelectorAll(
    '.leaflet-control-container .leaflet-control, .pg-sheet'));
  const boxes = nodes.filter(n => n.offsetParent).map(n => n.getBoundingClientRect());
  let covered = 0, total = 0;
  for (let x = m.left; x < m.right; x += 4) for (let y = m.top; y < m.bottom; y += 4) {
    total++;
    if (boxes.some(b => x >= b.left && x < b.right && y >= b.top && y < b.bottom)) covered++;
  }
  return covered / total;
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", ["laptop", "desktop"])
def test_panels_leave_three_quarters_of_the_map_free(pages, browser, lang, size, tmp_path):
    page, errors = _open(browser, pages[lang], SIZES[size])
    assert page.evaluate(_COVERED) <= 0.25
    # the legend shows whole, nothing cut off at the bottom of the screen
    box = page.locator(".pg-legends").bounding_box()
    assert box["y"] + box["height"] <= SIZES[size][1]
    body = page.locator(".pg-legends .pg-panel-body")
    assert body.evaluate("e => e.scrollHeight <= e.clientHeight + 1")
    shots = Path(pages[lang]).parent
    page.screenshot(path=str(shots / f"{size}_{lang}.png"))
    assert errors == []
    page.close()


def test_every_panel_folds_and_remembers(pages, browser):
    page, _ = _open(browser, pages["zh"], SIZES["laptop"])
    names = page.evaluate(
        "Array.from(document.querySelectorAll('.pg-panel')).map(p => p.className)"
    )
    assert len(names) >= 4  # layers, time, goals, legend
    for panel in page.locator(".pg-panel").all():
        before = "pg-folded" in panel.get_attribute("class")
        panel.locator(".pg-panel-head").click()
        assert ("pg-folded" in panel.get_attribute("class")) != before
    after = page.evaluate(
        "Array.from(document.querySelectorAll('.pg-panel')).map(p => p.className)"
    )
    page.reload()
    page.wait_for_function("window.parkgeo && window.parkgeo.drawn")
    assert (
        page.evaluate("Array.from(document.querySelectorAll('.pg-panel')).map(p => p.className)")
        == after
    )
    page.evaluate("localStorage.clear()")
    page.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_phone_controls_behind_one_button_each_tappable(pages, browser, lang):
    page, errors = _open(browser, pages[lang], SIZES["phone"], touch=True)
    assert page.locator(".pg-sheet").is_hidden()
    assert page.evaluate(_COVERED) <= 0.2  # the map keeps the screen
    page.locator(".pg-menu-button").tap()
    sheet = page.locator(".pg-sheet")
    assert sheet.is_visible()
    assert sheet.bounding_box()["height"] <= 0.6 * SIZES["phone"][1]
    # every control in the sheet takes a tap (Playwright fails when another element would
    # receive it)
    for head in sheet.locator(".pg-panel-head").all():
        head.scroll_into_view_if_needed()
        head.tap()
        head.tap()
    sheet.locator(".pg-layers .pg-panel-head").evaluate(
        "e => e.parentNode.classList.remove('pg-folded')"
    )
    for box in sheet.locator(".pg-layer-toggle input").all():
        box.scroll_into_view_if_needed()
        box.tap()
        box.tap()
    sheet.locator(".pg-time-slider").scroll_into_view_if_needed()
    sheet.locator(".pg-time-slider").tap()
    search = sheet.locator(".pg-search-input")
    search.scroll_into_view_if_needed()
    search.tap()
    search.fill("WLT")
    hit = sheet.locator(".pg-search-hit").first
    hit.tap()
    assert page.locator(".leaflet-popup-content").is_visible()
    assert sheet.is_hidden()  # a hit closes the sheet to show the parcel
    page.locator(".pg-menu-button").tap()
    page.locator(".pg-menu-button").tap()
    page.locator(".leaflet-control-zoom-in").tap()
    assert errors == []
    page.evaluate("localStorage.clear()")
    page.close()


# ------------------------------------------------------------------- what a person reads


def _codes() -> set[str]:
    """Every code of the data tables a person must never read as such."""
    codes = {e["code"] for vocab in STAGES.values() for e in vocab}
    codes |= set(MAP["severity"])
    for name in ("checks.toml", "road_rules.toml"):
        table = tomllib.loads((DATA / name).read_text(encoding="utf-8"))
        codes |= {k for k, v in table.items() if isinstance(v, dict)}
    codes |= set(tomllib.loads((DATA / "kinds.toml").read_text(encoding="utf-8")))
    return codes


_WALK = """async () => {
  const s = window.parkgeo, m = s.map, texts = [];
  for (const [name, layer] of Object.entries(s.layers)) if (!m.hasLayer(layer)) layer.addTo(m);
  for (let t = 0; t <= Number(s.slider.max); t++) {
    s.setTime(t);
    for (const layer of Object.values(s.layers)) {
      for (const l of layer.getLayers()) {
        if (l.getPopup && l.getPopup()) {
          const c = l.getPopup().getContent();
          texts.push(['popup', typeof c === 'function' ? c(l) : c]);
        }
        if (l.getTooltip && l.getTooltip()) {
          const c = l.getTooltip()._content;
          texts.push(['tooltip', typeof c === 'function' ? c(l) : c]);
        }
      }
    }
  }
  for (const sel of ['.pg-legends', '.pg-layers', '.pg-goals', '.pg-time', '.pg-title',
                     '.leaflet-marker-pane', '.leaflet-tooltip-pane']) {
    document.querySelectorAll(sel).forEach(e => texts.push([sel, e.textContent]));
  }
  const input = document.querySelector('.pg-search-input');
  for (const q of ['W', 'Q', '厂', '项目']) {
    input.value = q; input.dispatchEvent(new Event('input'));
    texts.push(['search', document.querySelector('.pg-search-results').textContent]);
  }
  return texts.map(([w, h]) => {
    const d = document.createElement('div'); d.innerHTML = h; return [w, d.textContent]; });
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_table_code_where_a_person_reads(pages, browser, lang):
    page, errors = _open(browser, pages[lang], SIZES["laptop"])
    texts = page.evaluate(_WALK)
    assert len(texts) > 500
    codes = _codes()
    if lang == "en":  # plain English words may be words there; identifiers never are
        codes = {c for c in codes if "_" in c} | set(MAP["severity"])
    pattern = re.compile(r"(?<![A-Za-z_])(" + "|".join(map(re.escape, codes)) + r")(?![A-Za-z_])")
    found = {(where, m.group(1)) for where, text in texts for m in pattern.finditer(text)}
    assert not found, sorted(found)[:10]
    # every road popup names road and id, item, a chainage range and a length in metres
    roads = [t for w, t in texts if w == "popup" and ("桩号范围" in t or "Chainage" in t)]
    assert roads and all(re.search(r"K\d+\+\d{3}(\.\d)?–K\d+\+\d{3}", t) for t in roads)
    assert all(re.search(r"\(R\d+\)", t) for t in roads)
    assert all(re.search(r"\d m|\d 米", t) for t in roads)
    assert errors == []
    page.close()


def test_flagged_parcel_popup_shows_the_parcel_and_its_findings(pages, browser, runner, demo):
    manifest, _ = demo
    check = _json(runner, manifest, "check")
    flagged = next(f for f in check["findings"] if f["rule"].startswith("idle"))
    pid = flagged["ids"][0]
    page, _ = _open(browser, pages["zh"], SIZES["laptop"])
    page.evaluate(f"window.parkgeo.search({json.dumps(pid)})")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert pid in text and "面积" in text and "阶段" in text  # the parcel's own data
    assert flagged["title_zh"] in text and flagged["message_zh"][:12] in text
    page.close()


def test_goal_counts_are_whole_numbers(pages, browser):
    page, _ = _open(browser, pages["zh"], SIZES["laptop"])
    texts = page.locator(".pg-goal").all_inner_texts()
    counts = [t for t in texts if "(个)" in t and "无数据" not in t]
    assert counts
    for t in counts:
        assert re.search(r"本年 \d+个? / 目标 \d+个?[（(]", t), t  # whole numbers, with the unit
    page.close()


def test_no_stage_takes_a_findings_colour_and_buildings_have_their_own_ramp():
    findings = [_rgb(s["color"]) for s in MAP["severity"].values()]
    for vocab, entries in STAGES.items():
        for entry in entries:
            for colour in findings:
                assert np.abs(_rgb(entry["color"]) - colour).max() > 60, (vocab, entry["code"])
    land = {e["color"] for e in STAGES["land"]}
    building = {e["color"] for e in STAGES["building"]}
    assert not land & building


def test_a_large_park_shows_the_findings_of_its_own_date_only(demo, monkeypatch):
    import copy

    from geo.render.webmap import map_model, model

    manifest, store = demo
    table = copy.deepcopy(MAP)
    everywhere = map_model(store, manifest, MapOptions(as_of=manifest.as_of))
    findings = next(layer for layer in everywhere["layers"] if layer["key"] == "findings")
    assert findings["dates"] == [t["date"] for t in everywhere["timeline"]]
    table["layers"]["findings"]["every_date_max_features"] = 10  # the demo has 169
    monkeypatch.setattr(model, "_map_table", lambda: table)
    one = map_model(store, manifest, MapOptions(as_of=manifest.as_of))
    findings = next(layer for layer in one["layers"] if layer["key"] == "findings")
    assert findings["dates"] == [manifest.as_of.isoformat()]


def test_the_page_script_holds_no_domain_literal():
    """Kinds, stages, work items, severities and vocabularies reach the page through the
    model; the script knows only the forms of map.toml (how a layer is drawn)."""
    script = (DATA.parent / "templates" / "webmap.js").read_text(encoding="utf-8")
    literals = set(re.findall(r"\"([A-Za-z_]+)\"|'([A-Za-z_]+)'", script))
    literals = {a or b for a, b in literals}
    forms = {spec["form"] for spec in MAP["layers"].values()}
    panels = set(re.findall(r"panel\(\"(\w+)\"", script))  # names of its own panels
    domain = (_codes() | set(STAGES)) - forms - panels
    assert not literals & domain, sorted(literals & domain)
    assert not re.findall(r"[\"']#[0-9a-fA-F]{3,6}[\"']", script)  # no colour either


# ------------------------------------------------------------------- labels, findings

_LABEL_BOXES = """(sel) => Array.from(document.querySelectorAll(sel))
  .filter(e => e.offsetParent && e.style.display !== 'none'
               && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"""


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_zone_labels_never_overlap(pages, browser, size):
    """The demo's seven zone names (layers/zones.geojson) do not all fit side by side on a
    phone: the ones that would overlap a name already placed are hidden, at every zoom."""
    page, errors = _open(browser, pages["zh"], SIZES[size], touch=size == "phone")
    for zoom_by in (0, 1, -1):
        if zoom_by:
            page.evaluate(
                f"void window.parkgeo.map.setZoom(window.parkgeo.map.getZoom() + {zoom_by})"
            )
            page.wait_for_timeout(600)
        boxes = page.evaluate(_LABEL_BOXES, ".pg-zone-label, .pg-road-name, .pg-tick-label")
        zones = page.evaluate(_LABEL_BOXES, ".pg-zone-label")
        assert len(zones) >= 2, zoom_by
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
                assert not overlap, (size, zoom_by, a, b)
    assert errors == []
    page.close()


def _project_without_parcel(root):
    with (root / "layers" / "projects.csv").open("a", encoding="utf-8") as f:
        f.write("XM999,待落地项目,某企业,现代物流,2024-05-01,1.00,\n")


@pytest.fixture(scope="module")
def unplaced(tmp_path_factory):
    """The demo with a project that has no parcel: a finding with no place on the map."""
    manifest, store = demo_project(
        tmp_path_factory.mktemp("unplaced"), edit=_project_without_parcel
    )
    path = manifest.root / "maps" / "park.html"
    path.parent.mkdir(exist_ok=True)
    path.write_text(build_map(store, manifest, MapOptions(as_of=manifest.as_of)), encoding="utf-8")
    return manifest, path


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_a_finding_without_geometry_is_listed_not_dropped(unplaced, browser, runner, size):
    manifest, path = unplaced
    found = _json(runner, manifest, "check")["findings"]
    mine = [f for f in found if f["ids"] == ["XM999"]]
    assert [f["rule"] for f in mine] == ["project_without_parcel"]
    page, errors = _open(browser, path, SIZES[size], touch=size == "phone")
    if size == "phone":
        page.locator(".pg-menu-button").tap()
    panel = page.locator(".pg-unplaced")
    assert panel.is_visible()
    text = panel.inner_text()
    assert mine[0]["message_zh"] in text and "XM999" in text
    assert errors == []
    page.close()
