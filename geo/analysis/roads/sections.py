"""Road outputs: section lines cut from the centerlines, chainage ticks, the JSON shape."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo.analysis.roads.model import RoadsResult
from geo.domain.tables import stages_for_kind, work_items

__all__ = ["chainage_ticks", "roads_json", "section_geometries"]


def section_geometries(
    result: RoadsResult, centerlines: dict, *, crs: str | None = None
) -> gpd.GeoDataFrame:
    """One line per section, cut from its road's centerline, for the map.

    Parameters
    ----------
    result
        From :func:`road_state`.
    centerlines
        Road id → :class:`geo.domain.linref.Centerline`.
    crs
        CRS of the result; default the centerlines' metric CRS (the working CRS).

    Returns
    -------
    GeoDataFrame
        Columns ``road``, ``road_name``, ``item``, ``item_zh``, ``item_en``, ``stage``,
        ``stage_zh``, ``stage_en``, ``color`` (the stage's colour in ``stages.toml``),
        ``item_color``, ``from_m``, ``to_m``, ``from``, ``to``, ``label`` (e.g. ``路面
        K0+000–K0+300 已完成``), ``percent``, ``date``, ``contract_section``, ``note``,
        ``length_m`` and the geometry.
    """
    colors = {stage.code: stage.color for stage in stages_for_kind("roads")}
    item_colors = {item.code: item.color for item in work_items()}
    rows, geoms = [], []
    source_crs = None
    for road in result.roads:
        line = centerlines[road.id]
        source_crs = source_crs or line.crs
        for section in road.sections:
            rows.append(
                {
                    "road": road.id,
                    "road_name": road.name,
                    **{k: section[k] for k in ("item", "item_zh", "item_en")},
                    **{k: section[k] for k in ("stage", "stage_zh", "stage_en")},
                    "color": colors[section["stage"]],
                    "item_color": item_colors[section["item"]],
                    **{k: section[k] for k in ("from_m", "to_m", "from", "to")},
                    "label": f"{section['item_zh']} {section['from']}–{section['to']} "
                    f"{section['stage_zh']}",
                    **{
                        k: section[k]
                        for k in ("percent", "date", "contract_section", "note", "length_m")
                    },
                }
            )
            geoms.append(line.cut(section["from_m"], section["to_m"]))
    columns = [
        "road",
        "road_name",
        "item",
        "item_zh",
        "item_en",
        "stage",
        "stage_zh",
        "stage_en",
        "color",
        "item_color",
        "from_m",
        "to_m",
        "from",
        "to",
        "label",
        "percent",
        "date",
        "contract_section",
        "note",
        "length_m",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    frame["percent"] = frame["percent"].astype("float64")
    out = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs=source_crs or crs)
    return out.to_crs(crs) if crs and out.crs is not None else out


def chainage_ticks(centerlines: dict, *, every: float = 100.0) -> gpd.GeoDataFrame:
    """Chainage marks along every road: each multiple of *every*, plus start and end.

    Parameters
    ----------
    centerlines
        Road id → :class:`geo.domain.linref.Centerline`.
    every
        Spacing of the ticks in metres of chainage.

    Returns
    -------
    GeoDataFrame
        Points with ``road``, ``chainage`` (m), ``label`` (``K0+100``) and ``kind``
        (``"station"`` for the road's start and end, ``"tick"`` otherwise), in the
        centerlines' metric CRS.
    """
    rows, geoms = [], []
    crs = None
    for road_id, line in centerlines.items():
        crs = crs or line.crs
        ticks = line.ticks(every)
        for i, (chainage, point, label) in enumerate(ticks):
            kind = "station" if i in (0, len(ticks) - 1) else "tick"
            rows.append({"road": road_id, "chainage": chainage, "label": label, "kind": kind})
            geoms.append(point)
    frame = pd.DataFrame(rows, columns=["road", "chainage", "label", "kind"])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms), crs=crs)


def roads_json(result: RoadsResult) -> dict:
    """The JSON-ready shape of ``parkgeo roads --json``::

        {"as_of": "2024-09-30",
         "roads": [{"id": "R02", "name": "二号路", "start": 0.0, "end": 1200.0,
                    "length_m": 1204.6,
                    "items": {"路面": {"code": "pavement", "done_m": 300.0, "percent": 25.0},
                              ...},
                    "sections": [{"item": "pavement", "from": "K0+000", ...}, ...],
                    "stretches": [{"item": "pavement", "from": "K0+500", "to": "K1+200",
                                   "stage": "not_started", "recorded": false, ...}, ...]}],
         "findings": [{"rule": "...", "severity": "error", "road": "R02", ...}]}

    Numbers are not rounded.
    """
    return {
        "as_of": result.as_of.isoformat(),
        "roads": [
            {
                "id": road.id,
                "name": road.name,
                "start": road.start,
                "end": road.end,
                "length_m": road.length_m,
                "items": {
                    item.zh: {"code": item.code, "done_m": item.done_m, "percent": item.percent}
                    for item in road.items
                },
                "sections": [dict(section) for section in road.sections],
                "stretches": [
                    {k: v for k, v in stretch.items() if k not in ("d0", "d1")}
                    for stretch in road.stretches
                ],
            }
            for road in result.roads
        ],
        "findings": [dict(finding) for finding in result.findings],
    }
