"""Rules on how intensively industrial land is used (工业项目建设用地控制指标).

The indicators come from :func:`geo.analysis.intensity.parcel_indicators`, measured once per
run; a completed industrial parcel whose indicator misses its threshold is a finding that
names the indicator, the value, the threshold and where the threshold came from.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from geo.analysis.checks.base import Both, Finding, Rule, message, rule
from geo.analysis.checks.context import Context
from geo.analysis.intensity import VALUE_COLUMNS, parcel_indicators
from geo.analysis.lowuse import low_use_table
from geo.domain.intensity import indicator, low_use_rules, source

#: the indicators checked, by rule id
RULES = {
    "intensity_far": "far",
    "intensity_coverage": "coverage",
    "intensity_admin_share": "admin_share",
    "intensity_green_ratio": "green_ratio",
    "intensity_investment": "investment",
}
_DIGITS = {"far": 2, "coverage": 1, "admin_share": 1, "green_ratio": 1, "investment": 1}


def indicators(ctx: Context) -> pd.DataFrame:
    """The parcels' indicators (measured once, shared by every date of
    :meth:`Context.at`), with their land stage order on the context's own date."""
    if "intensity" not in ctx.cache:
        parcels = ctx.good("parcels")
        if parcels is None or not len(parcels):
            ctx.cache["intensity"] = pd.DataFrame()
        else:
            ctx.cache["intensity"] = parcel_indicators(
                parcels,
                {k: ctx.layers[k] for k in ("factories", "housing") if k in ctx.layers},
                ctx.projects,
                park=ctx.intensity,
            )
    table = ctx.cache["intensity"]
    if not len(table):
        return table
    state = ctx.states["parcels"]["stage_order"]  # the stage is the date's, never cached
    return table.assign(stage_order=table["id"].map(state).fillna(-1).to_numpy())


def _check(ctx: Context, spec: Rule) -> Iterable[Finding]:
    key = RULES[spec.id]
    table = indicators(ctx)
    if table.empty:
        return
    failed = table[
        table["industrial"]
        & (table["stage_order"] >= ctx.completed)
        & (table[f"{key}_ok"] == False)  # noqa: E712
    ]
    if failed.empty:
        return
    spec_i = indicator(key)
    geoms = ctx.geoms_by_id("parcels")
    digits = _DIGITS[key]
    for row in failed.to_dict("records"):
        value, limit = row[VALUE_COLUMNS[key]], row[f"{key}_threshold"]
        origin = source(row[f"{key}_source"])
        fields = dict(
            parcel=row["id"],
            industry=row["industry_code"] or "—",
            indicator=spec_i.zh,
            indicator_en=spec_i.en.lower(),
            value=f"{value:,.{digits}f}",
            limit=f"{limit:,.{digits}f}",
            unit_zh=spec_i.unit,
            unit_en=spec_i.unit_en,
            source_zh=origin.label("zh"),
            source_en=origin.label("en"),
        )
        if spec_i.bound == "min":
            text = message("intensity_below", **fields)
        else:
            text = message("intensity_above", **fields)
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[row["id"]],
            value=value,
            threshold=limit,
            geometry=geoms.get(row["id"]),
            **text,
        )


for _rule_id in RULES:
    rule(_rule_id)(_check)


def _flag_text(flag, lang: str) -> str:
    spec = next(r for r in low_use_rules() if r.key == flag.rule)
    sign = f"{flag.value:,.2f} < {flag.threshold:,.2f}"
    return f"{spec.label(lang)}: {sign} ({source(flag.source).label(lang)})"


@rule("low_use")
def low_use(ctx: Context, spec: Rule) -> Iterable[Finding]:
    """低效用地: a completed industrial parcel breaking a rule of intensity.toml
    [low_use_rules] and not exempt; one finding per parcel naming every rule it breaks."""
    table = indicators(ctx)
    if table.empty:
        return
    checked = table["industrial"] & (table["stage_order"] >= ctx.completed)
    if not checked.any():
        return
    if "economy" not in ctx.cache:
        ctx.cache["economy"] = ctx.store.read_kind("economy")
    flagged = low_use_table(
        table,
        ctx.good("parcels").reset_index(drop=True),
        ctx.cache["economy"],
        ctx.projects,
        as_of=ctx.as_of,
        checked=checked,
    )
    geoms = ctx.geoms_by_id("parcels")
    for row in flagged[flagged["low_use"]].to_dict("records"):
        flags = row["low_use_flags"]
        text = message(
            "low_use",
            parcel=row["id"],
            industry=row["industry_code"] or "—",
            rules=Both(
                tuple(_flag_text(f, "zh") for f in flags),
                tuple(_flag_text(f, "en") for f in flags),
            ),
        )
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[row["id"]],
            value=flags[0].value,
            threshold=flags[0].threshold,
            geometry=geoms.get(row["id"]),
            **text,
        )
