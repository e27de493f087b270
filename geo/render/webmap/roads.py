"""The map's road layers: every stretch of every work item on every date of the time control.

Each road and work item is cut at every boundary its stretches have on any date of the
time control, so one set of pieces serves every date: a piece carries its stage on each
date (``ts``, one stage-order digit per date, as the staged layers do) and which stretch it
belongs to on each date (``st``, indices into the layer's ``stretches`` table, for popups).
Stretches no record covers are drawn at the first road stage (未开工).
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import pandas as pd
from shapely.ops import substring

from geo.analysis.roads import chainage_ticks, road_state
from geo.domain.linref import road_centerlines
from geo.domain.tables import kind, vocabulary, work_items
from geo.render.webmap.encoding import compact_layer, lonlat_points

__all__ = ["road_layers"]

#: Pieces shorter than this (metres) are rounding noise between two dates' boundaries.
_MIN_PIECE_M = 0.01
#: The vocabulary of road work items (stages.toml), as ``work_items`` reads it.
_ITEMS = work_items()[0].vocabulary
#: ``kind`` of a chainage tick at a road's start or end (see ``chainage_ticks``).
_END = "station"
#: Stretch fields the popups show, as sent to the page.
_STRETCH_FIELDS = ("from", "to", "length_m", "stage", "percent", "date", "contract_section", "note")


def road_layers(roads: pd.DataFrame | None, records, *, dates, tolerance, shift) -> list[dict]:
    """The ``roads`` layer (pieces by date) and the ``ticks`` layer (chainage marks).

    Parameters
    ----------
    roads
        The stored roads layer.
    records
        The stored progress history.
    dates
        The dates of the time control, the map's own as-of date last.
    tolerance
        ``[roads] scale_tolerance`` of the manifest.
    shift
        Shift coordinates to GCJ-02.
    """
    if roads is None or not len(roads):
        return []
    centerlines = road_centerlines(roads, scale_tolerance=tolerance)
    results = [road_state(roads, records, as_of=d, centerlines=centerlines) for d in dates]
    order = {stage.code: stage.order for stage in vocabulary(kind("roads").stages)}
    stretches: list[dict] = []
    known: dict[tuple, int] = {}
    rows, geoms, names = [], [], []
    for i, road in enumerate(results[-1].roads):
        line = centerlines[road.id]
        on_dates = [result.roads[i] for result in results]
        names.append(_name_anchor(road, line))
        for item in work_items():
            own = [[s for s in state.stretches if s["item"] == item.code] for state in on_dates]
            cuts = sorted({s[k] for date_own in own for s in date_own for k in ("d0", "d1")})
            for a, b in itertools.pairwise(cuts):
                if b - a <= _MIN_PIECE_M:
                    continue
                middle = (a + b) / 2
                at = [next(s for s in date_own if s["d0"] <= middle <= s["d1"]) for date_own in own]
                index = []
                for stretch in at:
                    key = (road.id, item.code, *(stretch[f] for f in _STRETCH_FIELDS))
                    if key not in known:
                        known[key] = len(stretches)
                        stretches.append({f: stretch[f] for f in _STRETCH_FIELDS})
                    index.append(str(known[key]))
                rows.append(
                    {
                        "road": road.id,
                        "road_name": road.name,
                        "item": item.code,
                        "stage": at[-1]["stage"],
                        "ts": "".join(chr(48 + order[s["stage"]]) for s in at),
                        "st": ",".join(index),
                        "cf": line.chainage_at(a),
                        "ct": line.chainage_at(b),
                    }
                )
                geoms.append(substring(line.line, a, b))
    crs = next(iter(centerlines.values())).crs
    pieces = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=gpd.GeoSeries(geoms), crs=crs)
    for stretch in stretches:
        stretch["length_m"] = round(stretch["length_m"], 1)
    out = []
    if len(pieces):
        cols = {c: pieces[c] for c in pieces.columns if c != pieces.geometry.name}
        points = lonlat_points([p for anchor in names for p in anchor[2:]], crs=crs, shift=shift)
        out.append(
            {
                "key": "roads",
                "vocab": kind("roads").stages,
                "items": _ITEMS,
                "geometry": "line",
                "count": len(pieces),
                "stretches": stretches,
                "names": [
                    {"road": road_id, "name": name, "a": points[2 * j], "b": points[2 * j + 1]}
                    for j, (road_id, name, *_) in enumerate(names)
                ],
                "data": compact_layer(pieces, cols, geometry="line", shift=shift),
            }
        )
    ticks = chainage_ticks(centerlines)
    if len(ticks):
        cols = {c: ticks[c] for c in ticks.columns if c != ticks.geometry.name}
        out.append(
            {
                "key": "ticks",
                "end_kind": _END,
                "geometry": "point",
                "count": len(ticks),
                "data": compact_layer(ticks, cols, geometry="point", shift=shift),
            }
        )
    return out


def _name_anchor(road, line) -> tuple:
    """Where the road's name is written: the middle of the line, and a point 1 m on (the
    page turns the name along the line between the two)."""
    middle = line.drawn_length / 2
    return (
        road.id,
        road.name,
        line.line.interpolate(middle),
        line.line.interpolate(min(middle + 1.0, line.drawn_length)),
    )
