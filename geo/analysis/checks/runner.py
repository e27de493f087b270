"""Running the checks: every registered rule over a store, findings as tables and a layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import geopandas as gpd
import pandas as pd

# the rule modules register their rules when imported
from geo.analysis.checks import idle, land, topology  # noqa: F401
from geo.analysis.checks import intensity as _intensity_rules  # noqa: F401
from geo.analysis.checks.base import (
    SEVERITIES,
    CheckResult,
    check_thresholds,
    registered_rules,
    rule_table,
)
from geo.analysis.checks.context import Context
from geo.analysis.checks.summary import summarize
from geo.domain.intensity import intensity_settings
from geo.errors import StoreError
from geo.store import Store


def run_checks(
    store: Store,
    *,
    as_of: dt.date,
    crs: str,
    thresholds: Mapping[str, object] | None = None,
    quotas: Mapping[int, float] | None = None,
    intensity: Mapping[str, float] | None = None,
    on_rule: Callable[[str, int, int], None] | None = None,
) -> CheckResult:
    """Run every registered rule over the store and summarize land allocation on *as_of*.

    Parameters
    ----------
    store
        The project's store (imported).
    as_of
        Stages, idle periods and allocations are taken on this date.
    crs
        The working CRS (projected, metres); every area is measured in it.
    thresholds
        Overrides of the rule table's thresholds (park.toml ``[checks]``); checked by
        :func:`check_thresholds`.
    quotas
        Land quota (亩) per year of allocation (park.toml ``[quotas]``).
    intensity
        The park's control-indicator thresholds by indicator
        (:func:`geo.domain.intensity.intensity_settings` of park.toml ``[intensity]``).
    on_rule
        Called with (rule id, rules done, rules in all) before each rule runs, for a
        progress bar.

    Raises
    ------
    StoreError
        When nothing has been imported.
    ManifestError
        For an unknown or bad threshold.
    """
    if not store.exists():
        raise StoreError(
            f"{store}: the store does not exist yet. Run `parkgeo import` in the project "
            "folder first."
        )
    limits = check_thresholds(thresholds)
    ctx = Context(
        store, as_of=as_of, crs=crs, thresholds=limits, quotas=quotas, intensity=intensity
    )
    return _result(ctx, _run(ctx, dated=None, on_rule=on_rule))


def _run(ctx: Context, *, dated: bool | None, on_rule=None) -> list:
    """The findings of the registered rules on *ctx*: all, or those whose ``dated`` is
    *dated*."""
    table = rule_table()
    chosen = [
        (rule_id, func)
        for rule_id, func in registered_rules().items()
        if dated is None or table[rule_id].dated is dated
    ]
    out = []
    for done, (rule_id, func) in enumerate(chosen):
        if on_rule is not None:
            on_rule(rule_id, done, len(chosen))
        out.extend(func(ctx, table[rule_id]))
    return out


def _result(ctx: Context, findings: list, *, summary: bool = True) -> CheckResult:
    table = rule_table()
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), table[f.rule].order, f.ids))
    return CheckResult(
        as_of=ctx.as_of,
        crs=ctx.crs,
        thresholds=ctx.thresholds,
        findings=findings,
        summary=summarize(ctx) if summary else {},
    )


def check_dates(
    store: Store, manifest, dates: list[dt.date], *, summary: bool = True
) -> dict[dt.date, CheckResult]:
    """:func:`check_project` on each of *dates*, the same findings for less work: the store
    is read and its lookups prepared once, the rules whose findings do not depend on the
    date (``dated = false`` in checks.toml: geometry, projects, declared areas) run once,
    the others on every date. With *summary* False the allocation summary is left empty
    (the map shows findings only; it is a large part of the work).

    Raises
    ------
    StoreError
        When nothing has been imported.
    """
    if not dates:
        return {}
    if not store.exists():
        return {dates[0]: check_project(store, manifest, as_of=dates[0])}  # its error
    limits = check_thresholds(manifest.checks, where=str(manifest.path))
    base = Context(
        store,
        as_of=dates[-1],
        crs=manifest.crs,
        thresholds=limits,
        quotas=manifest.quotas,
        intensity=intensity_settings(manifest.intensity, where=str(manifest.path)),
    )
    fixed = _run(base, dated=False)
    out, ctx = {}, base
    for date in dates:
        ctx = ctx.at(date)  # from the last date's: what it prepared for any date is kept
        out[date] = _result(ctx, [*fixed, *_run(ctx, dated=True)], summary=summary)
    return out


TABLE_COLUMNS = [
    "rule",
    "severity",
    "title_zh",
    "title_en",
    "layer",
    "ids",
    "value",
    "threshold",
    "unit",
    "message_zh",
    "message_en",
]


def findings_table(result: CheckResult) -> pd.DataFrame:
    """One row per finding (ids joined by ";"), as written to CSV and XLSX."""
    rows = []
    for f in result.findings:
        row = f.as_dict()
        row["ids"] = ";".join(f.ids)
        rows.append(row)
    frame = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for col in ("value", "threshold"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame


def check_project(store: Store, manifest, *, as_of: dt.date, on_rule=None) -> CheckResult:
    """:func:`run_checks` with the project's working CRS, ``[checks]`` and ``[quotas]``
    (*on_rule*: as :func:`run_checks`).

    Findings are derived, never stored: every output asks for them on its own date.
    """
    thresholds = check_thresholds(manifest.checks, where=str(manifest.path))
    return run_checks(
        store,
        as_of=as_of,
        crs=manifest.crs,
        thresholds=thresholds,
        quotas=manifest.quotas,
        intensity=intensity_settings(manifest.intensity, where=str(manifest.path)),
        on_rule=on_rule,
    )


def findings_frame(result: CheckResult) -> gpd.GeoDataFrame:
    """The findings as a layer of kind ``findings`` (geometry: the overlap, gap, feature)."""
    frame = findings_table(result)
    frame.insert(0, "id", [f"F{i + 1:04d}" for i in range(len(frame))])
    frame["as_of"] = result.as_of.isoformat()
    geoms = [f.geometry for f in result.findings]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=result.crs), crs=result.crs)
