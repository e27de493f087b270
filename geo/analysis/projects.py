"""Projects: which parcels a project holds, and how far its land has got on a date."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo.analysis.progress import layer_state
from geo.domain.tables import kind, stages_for_kind, stages_with_role
from geo.domain.values import as_text

__all__ = [
    "project_parcels",
    "project_stages",
    "projects_by_stage",
    "roads_under_construction",
    "section_stage_counts",
]


def project_stages() -> tuple[str, ...]:
    """Land stages by which projects are counted (``roles = ["project"]`` in stages.toml:
    the seed's 开工 / 竣工 / 投产)."""
    return tuple(s.code for s in stages_with_role(kind("parcels").stages, "project"))


def project_parcels(cell) -> list[str]:
    """The parcel ids a project's ``parcels`` value names, in order: a list (as the store
    gives it) or, from a store written by parkgeo 0.1, ids joined by ";"."""
    if isinstance(cell, list | tuple):
        return [as_text(p) for p in cell if as_text(p)]
    return [p.strip() for p in as_text(cell).split(";") if p.strip()]


def projects_by_stage(
    projects: pd.DataFrame | None,
    parcels: pd.DataFrame | None,
    progress: pd.DataFrame | None,
    *,
    as_of: dt.date,
) -> dict[str, list[str]]:
    """Project names by the furthest land stage of their parcels on *as_of*.

    Only :func:`project_stages` are kept: a project is started, completed or in production
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
    out: dict[str, list[str]] = {code: [] for code in project_stages()}
    if projects is None or parcels is None or not len(parcels):
        return out
    state = layer_state(parcels, progress, kind_name="parcels", as_of=as_of).features
    order = {s.code: s.order for s in stages_for_kind("parcels")}
    by_order = {s.order: s.code for s in stages_for_kind("parcels")}
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
    return [
        (stage, own.count(stage.code)) for stage in stages_for_kind("roads") if stage.code in own
    ]


def roads_under_construction(result) -> list:
    """Roads of a :class:`~geo.analysis.roads.RoadsResult` begun and not every item done."""
    out = []
    unbegun = stages_for_kind("roads")[0].code  # the first stage: not started
    for road in result.roads:
        begun = any(s["stage"] != unbegun for s in road.sections)
        finished = all(item.percent >= 99.95 for item in road.items)
        if begun and not finished:
            out.append(road)
    return out
