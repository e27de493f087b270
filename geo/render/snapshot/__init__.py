"""Map snapshots: a PNG of the park, a zone, a road or a parcel, for Word briefings.

The package splits what a snapshot is (:mod:`._model`: options, extents, results), what it
draws (:mod:`._layers`) and how it is drawn (:mod:`._session`: browser or matplotlib);
the public names are all importable from here.
"""

from geo.render.snapshot._layers import (
    footer_text,
    road_name_anchors,
    road_strands,
    snapshot_layers,
    word_options,
)
from geo.render.snapshot._model import (
    CSS_DPI,
    RENDERERS,
    WORD_DPI,
    Extent,
    Georef,
    Snapshot,
    SnapshotOptions,
    extent_aspect,
    layer_keys,
    parse_layers,
    parse_size,
    resolve_extent,
    road_layers,
    word_layout,
)
from geo.render.snapshot._session import SnapshotSession, snapshot

__all__ = [
    "CSS_DPI",
    "RENDERERS",
    "WORD_DPI",
    "Extent",
    "Georef",
    "Snapshot",
    "SnapshotOptions",
    "SnapshotSession",
    "extent_aspect",
    "footer_text",
    "layer_keys",
    "parse_layers",
    "parse_size",
    "resolve_extent",
    "road_layers",
    "road_name_anchors",
    "road_strands",
    "snapshot",
    "snapshot_layers",
    "word_layout",
    "word_options",
]
