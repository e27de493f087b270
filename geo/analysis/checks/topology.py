"""Rules on the drawing itself: geometry, parcel overlaps and gaps, the park and its zones,
building footprints against their parcels.

Areas are measured in the working CRS (a projected metric CRS). A feature whose geometry is
empty, invalid or of the wrong type is reported once, by ``geometry_invalid`` or
``geometry_type``, and left out of every geometric rule.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import shapely

from geo.analysis.checks.base import Both, Finding, Rule, message, noun, rule
from geo.analysis.checks.context import Context, building_kinds, polygonal_area, sited_kinds
from geo.analysis.geometry import closing_gaps
from geo.domain.tables import kind
from geo.domain.units import M2_PER_MU
from geo.domain.values import as_text

_POLY = ("Polygon", "MultiPolygon")
#: Gap pieces must lie within this distance (m) of two parcels to be "between parcels".
_TOUCH_M = 0.01

# ---------------------------------------------------------------------------- geometry


@rule("geometry_invalid")
def _geometry_invalid(ctx: Context, spec: Rule) -> Iterable[Finding]:
    for name, frame in ctx.layers.items():
        what = Both(noun(name).zh, name)
        for fid, geom in zip(frame["id"], frame.geometry, strict=True):
            if geom is None or geom.is_empty:
                text = message("geometry_empty", what=what, fid=fid)
                yield ctx.finding(spec, layer=name, ids=[fid], **text)
            elif not geom.is_valid:
                reason = shapely.is_valid_reason(geom)
                text = message("geometry_invalid", what=what, fid=fid, reason=reason)
                yield ctx.finding(spec, layer=name, ids=[fid], geometry=geom, **text)


@rule("geometry_type")
def _geometry_type(ctx: Context, spec: Rule) -> Iterable[Finding]:
    for name, frame in ctx.layers.items():
        expected = kind(name).geometry_types
        what = Both(noun(name).zh, name)
        for fid, geom in zip(frame["id"], frame.geometry, strict=True):
            if geom is None or geom.is_empty or geom.geom_type in expected:
                continue
            text = message(
                "geometry_type",
                what=what,
                fid=fid,
                found=geom.geom_type,
                expected="/".join(expected),
            )
            yield ctx.finding(spec, layer=name, ids=[fid], geometry=geom, **text)


# ---------------------------------------------------------------------------- parcels


@rule("parcel_overlap")
def _parcel_overlap(ctx: Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.good("parcels")
    if parcels is None or len(parcels) < 2:
        return
    limit = ctx.thresholds["overlap_min_m2"]
    ids = parcels["id"].tolist()
    geoms = parcels.geometry.array
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        overlap = shapely.intersection(geoms[i], geoms[j])
        area = polygonal_area(overlap)
        if area <= limit:
            continue
        a, b = sorted((ids[i], ids[j]))
        text = message("parcel_overlap", a=a, b=b, area=area, mu=area / M2_PER_MU, limit=limit)
        yield ctx.finding(spec, layer="parcels", ids=[a, b], value=area, geometry=overlap, **text)


@rule("parcel_gap")
def _parcel_gap(ctx: Context, spec: Rule) -> Iterable[Finding]:
    """Gaps narrower than the width threshold between parcels of one zone.

    A morphological closing of the union of the zone's parcels (grow by half the width,
    shrink back, mitred corners) fills exactly the gaps, holes and slivers narrower than the
    width; what it adds and touches two different parcels is a gap between them. The
    closing is taken block by block (:func:`geo.analysis.geometry.closing_gaps`): one GEOS
    buffer of a whole zone grows with the square of its parcels.
    """
    parcels = ctx.good("parcels")
    if parcels is None or len(parcels) < 2:
        return
    width = ctx.thresholds["gap_max_width_m"]
    min_area = ctx.thresholds["gap_min_area_m2"]
    if width <= 0:
        return
    zones = (
        parcels["zone"].map(as_text) if "zone" in parcels.columns else pd.Series("", parcels.index)
    )
    for zone_id, rows in zones.groupby(zones.to_numpy(), sort=False).indices.items():
        members = parcels.iloc[rows]
        if len(members) < 2:
            continue
        ids = members["id"].tolist()
        geoms = members.geometry.array
        tree = shapely.STRtree(geoms)
        where = Both.of(message("gap_in_zone", zone=zone_id) if zone_id else message("gap_no_zone"))
        for piece in closing_gaps(geoms, width):
            if piece.geom_type not in _POLY or piece.area < min_area:
                continue
            touching = sorted({ids[k] for k in tree.query(piece, "dwithin", distance=_TOUCH_M)})
            if len(touching) < 2:
                continue
            radius = shapely.maximum_inscribed_circle(piece, tolerance=0.001).length
            gap_width = 2 * radius
            text = message(
                "parcel_gap",
                zone=where,
                ids=touching,
                width=gap_width,
                area=piece.area,
                limit=width,
            )
            yield ctx.finding(
                spec,
                layer="parcels",
                ids=touching,
                value=gap_width,
                threshold=width,
                geometry=piece,
                **text,
            )


def _sited(ctx: Context) -> Iterable[tuple[str, dict]]:
    for name in sited_kinds():
        frame = ctx.good(name)
        if frame is not None:
            for row in frame.to_dict("records"):
                yield name, row


@rule("outside_park")
def _outside_park(ctx: Context, spec: Rule) -> Iterable[Finding]:
    if ctx.park is None:
        return
    limit = ctx.thresholds["outside_park_m2"]
    for name, row in _sited(ctx):
        outside = shapely.difference(row["geometry"], ctx.park)
        area = polygonal_area(outside)
        if area <= limit:
            continue
        fid = row["id"]
        text = message("outside_park", what=noun(name), fid=fid, area=area, mu=area / M2_PER_MU)
        yield ctx.finding(spec, layer=name, ids=[fid], value=area, geometry=outside, **text)


@rule("outside_zone")
def _outside_zone(ctx: Context, spec: Rule) -> Iterable[Finding]:
    if ctx.park is None:
        return
    limit = ctx.thresholds["outside_zone_m2"]
    known = set(ctx.layers["zones"]["id"])
    for name, row in _sited(ctx):
        zone_id, fid = as_text(row.get("zone")), row["id"]
        if not zone_id:
            continue
        if zone_id not in known:
            text = message(
                "zone_unknown", what=noun(name), fid=fid, zone=zone_id, known=sorted(known)
            )
            yield ctx.finding(
                spec, layer=name, ids=[fid, zone_id], geometry=row["geometry"], **text
            )
            continue
        zone = ctx.zone_geoms.get(zone_id)
        if zone is None:  # the zone's own geometry is broken; reported by the geometry rules
            continue
        # the part outside the park is the outside_park rule's finding
        outside = shapely.difference(shapely.intersection(row["geometry"], ctx.park), zone)
        area = polygonal_area(outside)
        if area <= limit:
            continue
        text = message(
            "outside_zone", what=noun(name), fid=fid, zone=zone_id, area=area, mu=area / M2_PER_MU
        )
        yield ctx.finding(
            spec, layer=name, ids=[fid, zone_id], value=area, geometry=outside, **text
        )


# ---------------------------------------------------------------------------- buildings


@rule("building_outside_parcel")
def _building_outside_parcel(ctx: Context, spec: Rule) -> Iterable[Finding]:
    limit = ctx.thresholds["building_outside_parcel_m2"]
    parcels = ctx.geoms_by_id("parcels")
    all_parcels = set(ctx.layers["parcels"]["id"]) if "parcels" in ctx.layers else set()
    for name in building_kinds():
        frame = ctx.good(name)
        if frame is None or "parcel" not in frame.columns:
            continue
        for row in frame.to_dict("records"):
            fid, pid = row["id"], as_text(row.get("parcel"))
            if not pid:
                continue
            if pid not in all_parcels:
                text = message("parcel_missing", what=noun(name), fid=fid, parcel=pid)
                yield ctx.finding(
                    spec, layer=name, ids=[fid, pid], geometry=row["geometry"], **text
                )
                continue
            if pid not in parcels:
                continue
            outside = shapely.difference(row["geometry"], parcels[pid])
            area = polygonal_area(outside)
            if area <= limit:
                continue
            text = message(
                "building_outside_parcel", what=noun(name), fid=fid, parcel=pid, area=area
            )
            yield ctx.finding(
                spec, layer=name, ids=[fid, pid], value=area, geometry=outside, **text
            )


@rule("building_on_unallocated")
def _building_on_unallocated(ctx: Context, spec: Rule) -> Iterable[Finding]:
    """A building under construction (past its first stage) on a parcel not yet allocated."""
    parcels = ctx.states.get("parcels")
    if parcels is None:
        return
    for name in building_kinds():
        state = ctx.states.get(name)
        if state is None:
            continue
        for row in state.to_dict("records"):
            if row["stage_order"] <= 0:
                continue
            pid = ctx.parcel_of(row)
            if pid is None or pid not in parcels.index:
                continue
            parcel = parcels.loc[pid]
            if parcel["stage_order"] >= ctx.allocated:
                continue
            fid = row["id"]
            text = message(
                "building_on_unallocated",
                what=noun(name),
                fid=fid,
                stage=Both(row["stage_zh"], row["stage_en"]),
                since=row["stage_since"],
                parcel=pid,
                as_of=ctx.as_of,
                parcel_stage=Both(parcel["stage_zh"], parcel["stage_en"]),
            )
            yield ctx.finding(spec, layer=name, ids=[fid, pid], geometry=row["geometry"], **text)
