"""Map snapshots: a PNG of the park, a zone, a road or a parcel, for Word briefings.

Two renderers draw the same picture from the same style table (``geo/data/stages.toml``)
and interface texts (``geo/data/labels.toml``): title with the as-of date, legend of the
visible layers, metric scale bar, north arrow and a footer with the data source and the
map review number (审图号) of ``park.toml``.

* ``browser``: the web map of :mod:`geo.render.webmap` in snapshot mode (no controls),
  opened in the machine's headless Chromium and screenshotted once the page says it is
  drawn (``window.parkgeo.drawn``), with animations off and nothing fetched from outside
  unless a basemap was asked for.
* ``static``: matplotlib (:mod:`geo.render.static`). ``auto`` falls back to it when no
  browser is found, and says so in :attr:`Snapshot.note` (printed by the CLI) with how to
  add the browser renderer.

The PNG is exactly ``size × scale`` pixels and carries ``96 × scale`` dpi, so Word places
it at ``size`` CSS pixels (e.g. 1600 px → 42.3 cm; images in a briefing are resized to the
text width anyway). The same data and options give the same bytes.
"""

from __future__ import annotations

import contextlib
import io
import math
import tempfile
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import shapely

from geo import settings
from geo.domain.tables import label, work_items
from geo.errors import ParkGeoError
from geo.render.snapshot._layers import (
    _layers_for,
    _review_number,
    _title,
    _to_png,
    footer_text,
    road_name_anchors,
    road_strands,
    snapshot_layers,
)
from geo.render.snapshot._model import (
    RENDERERS,
    STRAND_SPACING_PX,
    Georef,
    Snapshot,
    SnapshotOptions,
    metres_per_px,
    resolve_extent,
)

#: How long the browser may take to load and draw the page, in milliseconds.
PAGE_TIMEOUT_MS = 120_000

_EXTRA_CSS = """
*, *::before, *::after { transition: none !important; animation: none !important; }
.pg-legends { max-height: none !important; overflow: visible !important; }
.pg-legend { break-inside: avoid; }
.pg-legend-item { line-height: 18px !important; }
"""


class SnapshotSession:
    """Renders snapshots with one renderer; the browser, if any, is launched once.

    Parameters
    ----------
    renderer
        ``auto`` (the browser when one is found, else static), ``browser`` or ``static``.
    browser
        Path of a Chromium/Chrome/Edge executable (else ``$PARKGEO_BROWSER``, else PATH).

    Raises
    ------
    ParkGeoError
        For ``renderer="browser"`` when no browser is found.
    """

    def __init__(self, *, renderer: str = "auto", browser: str | Path | None = None):
        from geo.render.browser import BROWSER_HINT, find_browser

        if renderer not in RENDERERS:
            raise ParkGeoError(f"unknown renderer {renderer!r}; use one of {', '.join(RENDERERS)}")
        self.note = ""
        self._stack = contextlib.ExitStack()
        self._browser = None
        self._executable = None if renderer == "static" else find_browser(browser)
        if renderer == "browser" and self._executable is None:
            raise ParkGeoError(
                f"--renderer browser: no Chromium, Chrome or Edge found; {BROWSER_HINT}, "
                "or use --renderer static"
            )
        if renderer == "auto" and self._executable is None:
            self.note = (
                "browser renderer missing: no Chromium found; drawn with matplotlib "
                f"({BROWSER_HINT})"
            )
        self.renderer = "browser" if self._executable else "static"
        self._strict = renderer == "browser"

    def __enter__(self) -> SnapshotSession:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._stack.close()
        self._browser = None

    def _launched(self):
        if self._browser is None:
            from geo.render.browser import launch

            try:
                self._browser = self._stack.enter_context(launch(self._executable))
            except Exception as exc:
                if self._strict:
                    raise ParkGeoError(
                        f"could not start the browser {self._executable}: {exc}"
                    ) from exc
                self.renderer = "static"
                self.note = f"browser renderer failed to start ({exc}); drawn with matplotlib"
                return None
        return self._browser

    def render(self, store, manifest, path: Path | str, options: SnapshotOptions) -> Snapshot:
        """Draw the snapshot of *options* and write it to *path* (PNG)."""
        if options.lang not in ("zh", "en"):
            raise ParkGeoError(f"unknown language {options.lang!r}; use zh or en")
        if options.scale <= 0 or options.scale > 8:
            raise ParkGeoError(f"--scale {options.scale}: give a number above 0, at most 8")
        extent = resolve_extent(store, manifest, options.extent)
        if self.renderer == "browser" and self._launched() is not None:
            shot = self._render_browser(store, manifest, Path(path), options, extent)
        else:
            shot = self._render_static(store, manifest, Path(path), options, extent)
        return replace(shot, note=self.note)

    # -------------------------------------------------------------------- browser

    def _render_browser(self, store, manifest, path, options, extent) -> Snapshot:
        from PIL import Image

        from geo.render.webmap import (
            BASEMAPS,
            MapOptions,
            feature_collection,
            feature_properties,
            map_model,
        )
        from geo.render.webmap import render_html as webmap_html

        if options.basemap not in BASEMAPS:
            raise ParkGeoError(
                f"unknown basemap {options.basemap!r}; use one of: {', '.join(BASEMAPS)}"
            )
        keys = _layers_for(extent, options)
        shift = BASEMAPS[options.basemap][3]
        lonlat = extent.lonlat
        map_options = MapOptions(
            as_of=options.as_of,
            basemap=options.basemap,
            lang=options.lang,
            tianditu_key=options.tianditu_key,
            tiles=options.tiles,
            snapshot=True,
            layers=keys,
            extent=lonlat,
        )
        model = map_model(store, manifest, map_options)
        model["title"] = _title(manifest, extent, options.lang)
        model["review_number"] = _review_number(manifest, options.lang)
        if extent.road:
            strands, strand_labels = _strands(store, manifest, extent, options)
            props = feature_properties(
                strands, ["road", "road_name", "item", "stage", "from", "to"]
            )
            for layer in model["layers"]:
                if layer["key"] == "roads":
                    layer["data"] = feature_collection(strands, props, shift=shift)
                    layer["count"] = len(strands)
                elif layer["key"] == "ticks":
                    from geo.analysis.roads import chainage_ticks, select_roads
                    from geo.domain.linref import road_centerlines

                    roads = select_roads(store.read_kind("roads"), extent.road)
                    ticks = chainage_ticks(
                        road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
                    )
                    layer["data"] = feature_collection(
                        ticks,
                        feature_properties(ticks, ["road", "chainage", "label", "kind"]),
                        shift=shift,
                    )
                    layer["count"] = len(ticks)
            model["items_visible"] = [i.code for i in work_items()]
            model["focus_road"] = extent.road
            pts = gpd.GeoSeries(
                [shapely.Point(s["x"], s["y"]) for s in strand_labels], crs=manifest.crs
            ).to_crs(settings.WEB_CRS)
            model["strand_labels"] = [
                {
                    "lon": p.x,
                    "lat": p.y,
                    "text": s["text"],
                    "direction": s["direction"],
                    "offset": s["offset"],
                }
                for p, s in zip(pts, strand_labels, strict=True)
            ]
        text = webmap_html(model, map_options)
        text = text.replace("</head>", f"<style>{_EXTRA_CSS}</style></head>", 1)
        width, height = options.size
        with tempfile.TemporaryDirectory(prefix="parkgeo-snapshot-") as tmp:
            page_path = Path(tmp) / "snapshot.html"
            page_path.write_text(text, encoding="utf-8")
            page = self._browser.new_page(
                viewport={"width": width, "height": height},
                device_scale_factor=options.scale,
                reduced_motion="reduce",
            )
            try:
                online = options.basemap not in ("none", "local")

                def route(r):
                    url = r.request.url
                    if url.startswith(("file:", "data:")) or online:
                        return r.continue_()
                    return r.abort()

                page.route("**/*", route)
                # generous: a busy machine (2 cores, tests in parallel) loads slowly
                page.set_default_timeout(PAGE_TIMEOUT_MS)
                page.goto(page_path.as_uri())
                page.wait_for_function(
                    "document.documentElement.getAttribute('data-parkgeo-drawn') === '1'"
                )
                if online:
                    page.wait_for_load_state("networkidle")
                # the legend's band below the map: the picture grows by its height
                full = math.ceil(page.evaluate(_BAND_JS))
                page.set_viewport_size({"width": width, "height": max(full, height)})
                info = page.evaluate(_LAYOUT_JS)
                png = page.screenshot(type="png", animations="disabled", caret="hide")
            finally:
                page.close()
        image = Image.open(io.BytesIO(png))
        px_w, px_h = options.pixels  # the map's part of the picture
        if image.size[0] != px_w or image.size[1] < px_h:
            raise ParkGeoError(
                f"the browser gave a {image.size[0]}×{image.size[1]} picture, not "
                f"{px_w} wide with a {px_h} px map; try --renderer static"
            )
        _to_png(image, path, options.dpi)
        s = options.scale
        regions = {k: tuple(round(v * s) for v in box) for k, box in info["regions"].items() if box}
        (lat0, lon0), (lat1, lon1) = info["corners"]
        from pyproj import Transformer

        to_merc = Transformer.from_crs(settings.WEB_CRS, "EPSG:3857", always_xy=True)
        left, top = to_merc.transform(lon0, lat0)
        right, bottom = to_merc.transform(lon1, lat1)
        georef = None if shift else Georef("EPSG:3857", left, top, right, bottom, px_w, px_h)
        labels = tuple(
            (kind, text, tuple(round(v * s) for v in box)) for kind, text, box in info["labels"]
        )
        shot = _written(path, "browser", options, extent, keys, regions, georef, size=image.size)
        return replace(shot, labels=labels)

    # -------------------------------------------------------------------- static

    def _render_static(self, store, manifest, path, options, extent, *, font=None) -> Snapshot:
        from geo.render.static import render_static

        if options.basemap != "none":
            raise ParkGeoError(
                f"--basemap {options.basemap}: the static renderer draws no basemap; "
                "use the browser renderer (--renderer browser) for a basemap"
            )
        keys = _layers_for(extent, options)
        frames = snapshot_layers(store, manifest, extent, options)
        strand_labels = []
        if extent.road and "roads" in frames:
            _, strand_labels = _strands(store, manifest, extent, options)
        title = f"{_title(manifest, extent, options.lang)} {label('title_suffix', options.lang)}"
        date_line = f"{label('as_of', options.lang)} {options.as_of.isoformat()}"
        bounds = extent.bounds
        if strand_labels:  # the strands beside the road, and their labels, in the frame too
            x0, y0, x1, y1 = frames["roads"].total_bounds
            pad = max(x1 - x0, y1 - y0) * 0.04
            bounds = (
                min(bounds[0], x0 - pad),
                min(bounds[1], y0 - pad),
                max(bounds[2], x1 + pad),
                max(bounds[3], y1 + pad),
            )
        image, regions, limits, written = render_static(
            frames,
            bounds=bounds,
            title=title,
            date_line=date_line,
            footer=footer_text(manifest, options.lang),
            lang=options.lang,
            size=options.size,
            scale=options.scale,
            tick_labels=extent.kind in ("road", "parcel"),
            strand_labels=strand_labels,
            road_items=bool(extent.road),
            name_anchors=road_name_anchors(store, manifest) if "roads" in frames else None,
            focus_road=extent.road,
            font=font,
        )
        _to_png(image, path, options.dpi)
        px_w, px_h = options.pixels  # the map's part of the picture
        left, bottom, right, top = limits
        georef = Georef(manifest.crs, left, top, right, bottom, px_w, px_h)
        shot = _written(path, "static", options, extent, keys, regions, georef, size=image.size)
        # the labels on the map (the band's texts are in regions)
        return replace(shot, labels=tuple(w for w in written if len(w) == 3))


def _strands(store, manifest, extent, options):
    """:func:`road_strands` of the extent's road, spaced for the snapshot's scale."""
    spacing = STRAND_SPACING_PX * metres_per_px(extent, options.size)
    return road_strands(
        store, manifest, extent.road, as_of=options.as_of, spacing_m=spacing, lang=options.lang
    )


def _written(path, renderer, options, extent, keys, regions, georef, size=None) -> Snapshot:
    """The :class:`Snapshot` of a PNG just written at *size* (else *options*' pixel
    size) and *options*' dpi."""
    px_w, px_h = size or options.pixels
    return Snapshot(
        path=path,
        renderer=renderer,
        width=px_w,
        height=px_h,
        dpi=options.dpi,
        extent=extent,
        layers=keys,
        regions=regions,
        georef=georef,
    )


_BAND_JS = """(() => { const b = document.querySelector('.pg-band');
  return b ? b.getBoundingClientRect().bottom : window.innerHeight; })()"""

_LAYOUT_JS = """(() => {
  const box = (sel) => { const e = document.querySelector(sel);
    if (!e || !e.offsetParent) return null; const r = e.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const m = window.parkgeo.map, s = m.getSize();
  const a = m.containerPointToLatLng([0, 0]), b = m.containerPointToLatLng([s.x, s.y]);
  return {regions: {title: box('.pg-title'), legend: box('.pg-legends'),
                    scale: box('.leaflet-control-scale'), north: box('.pg-north'),
                    footer: box('.pg-footer'), legend_group: box('.pg-legend'),
                    band: box('.pg-band')},
          corners: [[a.lat, a.lng], [b.lat, b.lng]],
          labels: Array.from(document.querySelectorAll(['.pg-zone-label', '.pg-road-name',
              '.pg-tick-label', '.pg-station-label', '.pg-strand-label', '.pg-id-label'].join()))
            .filter((e) => e.offsetParent && e.style.display !== 'none'
                           && e.style.visibility !== 'hidden')
            .map((e) => { const r = e.getBoundingClientRect();
              return [e.className.match(/pg-[a-z-]+-(label|name)/)[0], e.textContent,
                      [r.left, r.top, r.right, r.bottom]]; })};
})()"""


def snapshot(
    store,
    manifest,
    path: Path | str,
    options: SnapshotOptions,
    *,
    renderer: str = "auto",
    browser: str | Path | None = None,
) -> Snapshot:
    """Write one snapshot PNG (see :class:`SnapshotSession` for the renderer choice).

    Parameters
    ----------
    store, manifest
        The project.
    path
        The PNG to write (its folder is created; written through a temporary file).
    options
        Date, extent, layers, size, scale, language, basemap.
    renderer, browser
        ``auto``, ``browser`` or ``static``, and the browser executable.

    Raises
    ------
    ParkGeoError
        For an unknown extent, layer, language or renderer, or no browser when one is
        required.
    """
    with SnapshotSession(renderer=renderer, browser=browser) as session:
        return session.render(store, manifest, path, options)
