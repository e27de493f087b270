"""Rules on what the land is for: projects and their parcels, declared areas, land use."""

from __future__ import annotations

from collections.abc import Iterable

from geo.analysis.checks.base import (
    Both,
    Finding,
    Rule,
    lookup_land_use,
    message,
    noun,
    rule,
)
from geo.analysis.checks.context import Context, parse_date, polygonal_area
from geo.domain.units import M2_PER_MU
from geo.domain.values import as_number, as_text

# ---------------------------------------------------------------------------- projects


@rule("parcel_two_projects")
def _parcel_two_projects(ctx: Context, spec: Rule) -> Iterable[Finding]:
    geoms = ctx.geoms_by_id("parcels")
    for pid, projects in ctx.parcel_projects.items():
        if len(projects) < 2:
            continue
        text = message("parcel_two_projects", parcel=pid, count=len(projects), projects=projects)
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[pid, *projects],
            value=len(projects),
            geometry=geoms.get(pid),
            **text,
        )


@rule("project_unknown_parcel")
def _project_unknown_parcel(ctx: Context, spec: Rule) -> Iterable[Finding]:
    known = set(ctx.layers["parcels"]["id"]) if "parcels" in ctx.layers else set()
    for project, parcels in ctx.project_parcels.items():
        missing = [p for p in dict.fromkeys(parcels) if p not in known]
        if missing:
            text = message("project_unknown_parcel", project=project, missing=missing)
            yield ctx.finding(spec, layer="projects", ids=[project, *missing], **text)


@rule("project_without_parcel")
def _project_without_parcel(ctx: Context, spec: Rule) -> Iterable[Finding]:
    for project, parcels in ctx.project_parcels.items():
        if not parcels:
            name = as_text(ctx.project_row(project).get("name"))
            text = message("project_without_parcel", project=project, name=name)
            yield ctx.finding(spec, layer="projects", ids=[project], **text)


@rule("parcel_without_project")
def _parcel_without_project(ctx: Context, spec: Rule) -> Iterable[Finding]:
    if ctx.projects is None:
        return
    geoms = ctx.geoms_by_id("parcels")
    for row in ctx.allocated_parcels().to_dict("records"):
        pid = row["id"]
        if pid not in ctx.parcel_projects:
            since = parse_date(row.get("allocated_on")) or row.get("stage_since") or ""
            text = message("parcel_without_project", parcel=pid, since=since)
            yield ctx.finding(spec, layer="parcels", ids=[pid], geometry=geoms.get(pid), **text)


# ---------------------------------------------------------------------------- areas, use


@rule("declared_area")
def _declared_area(ctx: Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.good("parcels")
    if parcels is None or "declared_area_mu" not in parcels.columns:
        return
    tolerance = ctx.thresholds["declared_area_tolerance_pct"]
    for row in parcels.to_dict("records"):
        declared = as_number(row.get("declared_area_mu"))
        if declared is None:
            continue
        measured_m2 = polygonal_area(row["geometry"])
        measured = measured_m2 / M2_PER_MU
        if measured <= 0:
            continue
        pct = abs(declared - measured) / measured * 100
        if pct <= tolerance:
            continue
        fid = row["id"]
        text = message(
            "declared_area",
            fid=fid,
            declared=declared,
            measured=measured,
            measured_m2=measured_m2,
            pct=pct,
            tolerance=tolerance,
        )
        yield ctx.finding(
            spec, layer="parcels", ids=[fid], value=pct, geometry=row["geometry"], **text
        )


@rule("land_use_conflict")
def _land_use_conflict(ctx: Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.states.get("parcels")
    if parcels is None or "land_use" not in parcels.columns:
        return
    none = message("none")
    for name, row, pid in ctx.placed(ctx.layers):
        if pid not in parcels.index:
            continue
        use = lookup_land_use(parcels.loc[pid, "land_use"])
        if use is None or name in use.buildings:
            continue
        fid = row["id"]
        allowed = Both(
            [noun(b).zh for b in use.buildings] or none["zh"],
            list(use.buildings) or none["en"],
        )
        text = message(
            "land_use_conflict",
            what=noun(name),
            fid=fid,
            parcel=pid,
            use=Both(use.label("zh"), use.label("en")),
            standard=use.standard,
            allowed=allowed,
        )
        yield ctx.finding(spec, layer=name, ids=[fid, pid], geometry=row["geometry"], **text)


@rule("land_use_unknown")
def _land_use_unknown(ctx: Context, spec: Rule) -> Iterable[Finding]:
    frame = ctx.layers.get("parcels")
    if frame is None or "land_use" not in frame.columns:
        return
    geoms = ctx.geoms_by_id("parcels")
    for fid, value in zip(frame["id"], frame["land_use"], strict=True):
        text = as_text(value)
        if text and lookup_land_use(text) is None:
            words = message("land_use_unknown", fid=fid, text=text)
            yield ctx.finding(spec, layer="parcels", ids=[fid], geometry=geoms.get(fid), **words)
