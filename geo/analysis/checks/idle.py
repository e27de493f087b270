"""Idle land (闲置土地处置办法, 国土资源部令第53号) and the yearly land quota."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

import pandas as pd

from geo.analysis.checks.base import Both, Finding, Rule, message, rule
from geo.analysis.checks.context import Context, add_years, parse_date
from geo.analysis.geometry import union
from geo.domain.tables import kind, vocabulary
from geo.domain.units import M2_PER_MU, WAN_PER_YI
from geo.domain.values import as_number

# ---------------------------------------------------------------------------- unstarted


def _rows(frame, keep) -> list[dict]:
    """The rows of *frame* where *keep*, as dicts without their geometry (turning 100k
    geometries into Python objects was most of what these rules cost at city scale)."""
    chosen = frame[keep.to_numpy(dtype=bool)]
    geometry = getattr(chosen, "_geometry_column_name", None)
    return pd.DataFrame(chosen.drop(columns=[geometry] if geometry else [])).to_dict("records")


def _unstarted(ctx: Context) -> Iterable[tuple[dict, dt.date]]:
    """Allocated parcels not started on the as-of date, with their agreed start date."""
    parcels = ctx.allocated_parcels()
    for row in _rows(parcels, parcels["stage_order"] < ctx.started):
        started_on = parse_date(row.get("started_on"))
        if started_on is not None and started_on <= ctx.as_of:
            continue
        agreed = parse_date(row.get("agreed_start_on"))
        if agreed is not None and agreed <= ctx.as_of:
            yield row, agreed


def _idle_finding(ctx: Context, spec: Rule, row, agreed, years_limit, tail) -> Finding:
    pid = row["id"]
    years = (ctx.as_of - agreed).days / 365.25
    text = message(
        "idle_unstarted",
        parcel=pid,
        agreed=agreed,
        as_of=ctx.as_of,
        years=years,
        limit=years_limit,
        tail=Both.of(tail),
    )
    return ctx.finding(
        spec,
        layer="parcels",
        ids=[pid],
        value=years,
        geometry=ctx.geoms_by_id("parcels").get(pid),
        **text,
    )


@rule("idle_unstarted_fee")
def _idle_unstarted_fee(ctx: Context, spec: Rule) -> Iterable[Finding]:
    fee_years = ctx.thresholds["idle_fee_years"]
    reclaim_years = ctx.thresholds["idle_reclaim_years"]
    share = spec.param("fee_pct")
    for row, agreed in _unstarted(ctx):
        if not ctx.as_of > add_years(agreed, fee_years):
            continue
        if ctx.as_of > add_years(agreed, reclaim_years):
            continue  # the reclaim rule's finding
        price = as_number(row.get("land_price_wan"))
        fee = message("idle_fee_amount", amount=price * share / 100) if price else {}
        tail = message("idle_fee_tail", share=share, fee=Both(fee.get("zh", ""), fee.get("en", "")))
        yield _idle_finding(ctx, spec, row, agreed, fee_years, tail)


@rule("idle_unstarted_reclaim")
def _idle_unstarted_reclaim(ctx: Context, spec: Rule) -> Iterable[Finding]:
    reclaim_years = ctx.thresholds["idle_reclaim_years"]
    for row, agreed in _unstarted(ctx):
        if ctx.as_of > add_years(agreed, reclaim_years):
            tail = message("idle_reclaim_tail")
            yield _idle_finding(ctx, spec, row, agreed, reclaim_years, tail)


# ---------------------------------------------------------------------------- stalled


def built_pct(ctx: Context, parcel: dict) -> float | None:
    """Share of the planned floor area built (%), from the parcel's buildings or its percent."""
    buildings = ctx.buildings_on(parcel["id"])
    planned_total = built_total = 0.0
    for name, b in buildings:
        planned = as_number(b.get("floor_area_m2"))
        if not planned:
            return None
        planned_total += planned
        built = as_number(b.get("floor_area_built_m2"))
        percent = as_number(b.get("percent"))
        if built is not None:
            built_total += min(built, planned)
        elif percent is not None:
            built_total += planned * percent / 100
        elif b["stage_order"] >= completed_order(name):
            built_total += planned
        elif b["stage_order"] > 0:
            return None  # under construction, amount unknown
    if planned_total > 0:
        return built_total / planned_total * 100
    return as_number(parcel.get("percent"))


@cache
def completed_order(kind_name: str) -> int:
    """The order of the "completed" stage of *kind_name*'s vocabulary."""
    stages = vocabulary(kind(kind_name).stages)
    return next(s.order for s in stages if s.code == "completed")


def _investment_made(ctx: Context) -> dict[str, float]:
    """Parcel id → investment reported made (万元) on it and its buildings, where any is."""
    if "made" not in ctx.cache:
        made: dict[str, float] = {}
        parcels = ctx.states.get("parcels")
        rows = [] if parcels is None else parcels.to_dict("records")
        for row in rows:
            value = as_number(row.get("investment_made_wan"))
            if value is not None:
                made[row["id"]] = made.get(row["id"], 0.0) + value
        for pid, buildings in ctx.buildings_by_parcel.items():
            for _name, b in buildings:
                value = as_number(b.get("investment_made_wan"))
                if value is not None:
                    made[pid] = made.get(pid, 0.0) + value
        ctx.cache["made"] = made
    return ctx.cache["made"]


def investment_pct(ctx: Context, parcel: dict) -> float | None:
    """Investment made (latest reports over the project's parcels) against the project's."""
    projects = ctx.parcel_projects.get(parcel["id"], [])
    if not projects:
        return None
    project = projects[0]
    planned = as_number(ctx.project_row(project).get("investment_yi"))
    if not planned:
        return None
    made_by_parcel = _investment_made(ctx)
    made, known = 0.0, False
    for pid in ctx.project_parcels.get(project, []):
        if pid in made_by_parcel:
            made, known = made + made_by_parcel[pid], True
    return made / (planned * WAN_PER_YI) * 100 if known else None


@rule("idle_stalled")
def _idle_stalled(ctx: Context, spec: Rule) -> Iterable[Finding]:
    years = ctx.thresholds["stalled_years"]
    built_limit = ctx.thresholds["stalled_built_pct"]
    invest_limit = ctx.thresholds["stalled_investment_pct"]
    unknown = Both.of(message("unknown"))
    parcels = ctx.allocated_parcels()
    order = parcels["stage_order"]
    for row in _rows(parcels, (ctx.started <= order) & (order < ctx.completed)):
        pid = row["id"]
        dates = [parse_date(row.get("last_date"))]
        dates += [parse_date(b.get("last_date")) for _name, b in ctx.buildings_on(pid)]
        dates = [d for d in dates if d is not None]
        if not dates:
            continue
        last = max(dates)
        if add_years(last, years) > ctx.as_of:
            continue
        built = built_pct(ctx, row)
        invest = investment_pct(ctx, row)
        if built is not None and built < built_limit:
            value, limit = built, built_limit
        elif invest is not None and invest < invest_limit:
            value, limit = invest, invest_limit
        else:
            continue
        text = message(
            "idle_stalled",
            parcel=pid,
            last=last,
            years=years,
            built=unknown if built is None else f"{built:.1f}%",
            built_limit=built_limit,
            invested=unknown if invest is None else f"{invest:.1f}%",
            invest_limit=invest_limit,
        )
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[pid],
            value=value,
            threshold=limit,
            geometry=ctx.geoms_by_id("parcels").get(pid),
            **text,
        )


# ---------------------------------------------------------------------------- quotas


def allocations_by_year(ctx: Context) -> dict[int | None, list[str]]:
    """Year of allocation (None: no date, or after the as-of date) → parcel ids."""
    out: dict[int | None, list[str]] = {}
    parcels = ctx.allocated_parcels()
    dates = parcels["allocated_on"] if "allocated_on" in parcels.columns else [None] * len(parcels)
    for pid, value in zip(parcels["id"], dates, strict=True):
        date = parse_date(value)
        year = date.year if date is not None and date <= ctx.as_of else None
        out.setdefault(year, []).append(pid)
    return out


@rule("quota_exceeded")
def _quota_exceeded(ctx: Context, spec: Rule) -> Iterable[Finding]:
    by_year = allocations_by_year(ctx)
    geoms = ctx.geoms_by_id("parcels")
    for year, quota in sorted(ctx.quotas.items()):
        ids = by_year.get(year, [])
        area_mu = float(ctx.parcel_area_m2.reindex(ids).fillna(0).sum()) / M2_PER_MU
        if area_mu <= quota:
            continue
        parts = [geoms[p] for p in ids if p in geoms]
        text = message(
            "quota_exceeded",
            year=year,
            area=area_mu,
            count=len(ids),
            quota=quota,
            over=area_mu - quota,
        )
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=ids,
            value=area_mu,
            threshold=quota,
            geometry=union(parts) if parts else None,
            **text,
        )
