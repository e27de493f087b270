"""Projects: which parcels a project holds, and how far its land has got on a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.analysis.progress import layer_state
from geo.domain.tables import vocabulary
from geo.domain.values import as_text

__all__ = [
    "PROJECT_STAGES",
    "project_parcels",
    "projects_by_stage",
    "roads_under_construction",
    "section_stage_counts",
]

#: Land stages by which projects are counted (the seed's 开工 / 竣工 / 投产 categories).
PROJECT_STAGES = ("started", "completed", "producing")


def project_parcels(cell) -> list[str]:
    """The parcel ids a project's ``parcels`` cell names (ids joined by ";"), in order."""
    return [p.strip() for p in as_text(cell).split(";") if p.strip()]


def projects_by_stage(
    projects: pd.DataFrame | None,
    parcels: pd.DataFrame | None,
    progress: pd.DataFrame | None,
    *,
    as_of: dt.date,
) -> dict[str, list[str]]:
    """Project names by the furthest land stage of their parcels on *as_of*.

    Only :data:`PROJECT_STAGES` are kept: a project is started, completed or in production
    when the most advanced of its parcels has reached that land stage and no further one.

    Parameters
    ----------
    projects, parcels : DataFrame or None
        The stored projects table and parcels layer.
    progress : DataFrame or None
        The progress records.
    as_of : datetime.date
        The date of the state.

    Returns
    -------
    dict
        Stage code → project names (the project id where it has no name), in table order.
    """
    out: dict[str, list[str]] = {code: [] for code in PROJECT_STAGES}
    if projects is None or parcels is None or not len(parcels):
        return out
    state = layer_state(parcels, progress, kind_name="parcels", as_of=as_of).features
    order = {s.code: s.order for s in vocabulary("land")}
    by_order = {s.order: s.code for s in vocabulary("land")}
    stage_of = dict(zip(state["id"].astype(str), state["stage"], strict=True))
    for rec in projects.to_dict("records"):
        reached = [
            order[stage_of[p]]
            for p in project_parcels(rec.get("parcels"))
            if stage_of.get(p) in order
        ]
        if not reached:
            continue
        code = by_order[max(reached)]
        if code in out:
            out[code].append(as_text(rec.get("name")) or as_text(rec.get("id")))
    return out


def section_stage_counts(road, item: str) -> list[tuple]:
    """(stage, number of sections) of one work item of a road, in stage order, for the
    stages that have sections (the road's ``sections`` of a roads result)."""
    own = [s["stage"] for s in road.sections if s["item"] == item]
    return [(stage, own.count(stage.code)) for stage in vocabulary("road") if stage.code in own]


def roads_under_construction(result) -> list:
    """Roads of a :class:`~geo.analysis.roads.RoadsResult` begun and not every item done."""
    out = []
    for road in result.roads:
        begun = any(s["stage"] != "not_started" for s in road.sections)
        finished = all(item.percent >= 99.95 for item in road.items)
        if begun and not finished:
            out.append(road)
    return out
