"""The map page: one self-contained HTML file, assembled so that data is never read as page.

The page is a fixed shell (Leaflet's and our CSS and JS, inlined) and data elements: the map
model and every layer each go into their own ``<script type="application/json">`` element,
as JSON whose ``<``, ``>`` and ``&`` are ``\\u`` escapes. No text is ever searched for and
replaced in the assembled page and no template engine reads it, so a name such as
``__LAYER_0__``, ``{{ 7 * 7 }}`` or ``</script>`` stays a name. The page's script reads the
elements with ``JSON.parse``. Leaflet comes from the ``xstatic-leaflet`` package: opening
the file makes no network request unless an online basemap was chosen.
"""

from __future__ import annotations

import base64
import html
import os
from importlib import resources
from pathlib import Path

from geo.domain.tables import label
from geo.errors import ParkGeoError
from geo.render.webmap.encoding import escape_json_text, json_for_script
from geo.render.webmap.model import MapOptions, map_model
from geo.render.webmap.tiles import BASEMAP_LABELS, BASEMAPS, local_tiles

__all__ = ["build_map", "leaflet_assets", "render_html"]

#: Leaflet's CSS refers to these images; they are inlined as data URIs.
_LEAFLET_IMAGES = (
    "layers.png",
    "layers-2x.png",
    "marker-icon.png",
    "marker-icon-2x.png",
    "marker-shadow.png",
)


def leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS from the installed ``xstatic-leaflet`` package (images inlined)."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    for name in _LEAFLET_IMAGES:
        path = base / "images" / name
        if path.exists():
            uri = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
            css = css.replace(f"images/{name}", uri)
    return js, css


def _template(name: str) -> str:
    return resources.files("geo.templates").joinpath(name).read_text(encoding="utf-8")


def _inline_safe(text: str) -> str:
    """Our own script or style text safe inline: no closing tag can appear in it."""
    return text.replace("</", "<\\/")


def _basemap(model: dict, options: MapOptions) -> dict:
    url, attribution, subdomains, _ = BASEMAPS[options.basemap]
    tiles: dict = {}
    labels_url = None
    if options.basemap == "local":
        if options.tiles is None:
            raise ParkGeoError("--basemap local needs --tiles PATH (an XYZ folder or .mbtiles).")
        tiles = local_tiles(options.tiles, model["bounds"])
    elif url and options.basemap == "tianditu":
        key = options.tianditu_key or os.environ.get("TIANDITU_KEY")
        if not key:
            raise ParkGeoError(
                "--basemap tianditu needs a key: --tianditu-key KEY or the "
                "TIANDITU_KEY environment variable (get one at the Tianditu site)."
            )
        url = url.replace("{key}", key)
        labels_url = BASEMAP_LABELS["tianditu"].replace("{key}", key)
    return {
        "name": options.basemap,
        "url": url,
        "labels_url": labels_url,
        "attribution": attribution,
        "subdomains": subdomains,
        "tiles": tiles,
    }


def _data_element(element_id: str, json_text: str) -> str:
    """A JSON data element; *json_text* is already escaped (no ``<`` in it)."""
    return f'<script type="application/json" id="{element_id}">{json_text}</script>'


def render_html(model: dict, options: MapOptions) -> str:
    """The map page as one self-contained HTML string.

    A layer's ``data`` is the compact form of :func:`~geo.render.webmap.encoding.compact_layer`
    or a GeoJSON FeatureCollection as text (snapshots build some); either way it is written
    into its own data element, never spliced into other text.
    """
    payload = dict(model, basemap=_basemap(model, options))
    elements = []
    layers = []
    for i, layer in enumerate(model["layers"]):
        data = layer["data"]
        text = escape_json_text(data) if isinstance(data, str) else json_for_script(data)
        elements.append(_data_element(f"pg-layer-{i}", text))
        layers.append({k: v for k, v in layer.items() if k != "data"})
    payload["layers"] = layers
    title = (
        f"{model['title']} {label('title_suffix', options.lang)} · "
        f"{label('as_of', options.lang)} {model['as_of']}"
    )
    js, css = leaflet_assets()
    head = "".join(
        [
            '<!DOCTYPE html>\n<html lang="',
            "zh-CN" if options.lang == "zh" else "en",
            '">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            f"<title>{html.escape(title)}</title>\n",
            f"<style>{_inline_safe(css)}</style>\n",
            f"<style>{_inline_safe(_template('webmap.css'))}</style>\n",
            f"<script>{_inline_safe(js)}</script>\n",
            f"<script>{_inline_safe(_template('webmap.js'))}</script>\n",
            "</head>\n",
        ]
    )
    body = "".join(
        [
            '<body>\n<div id="pg-map" class="pg-map"></div>\n',
            _data_element("pg-model", json_for_script(payload)),
            "\n",
            "\n".join(elements),
            "\n<script>parkgeoStart();</script>\n</body>\n</html>\n",
        ]
    )
    return head + body


def build_map(store, manifest, options: MapOptions) -> str:
    """Model and render the map: the HTML text of ``parkgeo map``."""
    if options.basemap not in BASEMAPS:
        raise ParkGeoError(
            f"unknown basemap {options.basemap!r}; use one of: {', '.join(BASEMAPS)}"
        )
    if options.lang not in ("zh", "en"):
        raise ParkGeoError(f"unknown language {options.lang!r}; use zh or en")
    return render_html(map_model(store, manifest, options), options)
