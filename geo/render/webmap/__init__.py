"""The interactive map (``parkgeo map``): one self-contained, offline HTML file.

``model`` gathers what the map shows, ``encoding`` packs layers compactly, ``tiles`` holds
the basemaps, ``page`` assembles the HTML with ``geo/templates/webmap.js`` and ``.css``.
"""

from geo.render.webmap.encoding import compact_layer, feature_collection, feature_properties
from geo.render.webmap.model import MapOptions, map_model, timeline_dates
from geo.render.webmap.page import build_map, leaflet_assets, render_html
from geo.render.webmap.tiles import BASEMAPS

__all__ = [
    "BASEMAPS",
    "MapOptions",
    "build_map",
    "compact_layer",
    "feature_collection",
    "feature_properties",
    "leaflet_assets",
    "map_model",
    "render_html",
    "timeline_dates",
]
