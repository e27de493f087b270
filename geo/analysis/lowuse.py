"""低效用地: completed industrial parcels used below the set intensity or yield.

The rules and exemptions are data (intensity.toml ``[low_use_rules]``,
``[low_use_exemptions]``, read by :func:`geo.domain.intensity.low_use_rules`). A rule
compares a column of the intensity table (:func:`geo.analysis.intensity.parcel_indicators`)
with a fixed threshold or with a share of another column: the parcel's own standard
(``far_threshold``), or ``industry_prior_tax_wan_per_mu``, the 亩均税收 of all parcels of
its industry in the year before (their tax summed over their land summed). A value or a
base that is missing is no flag ("no data", never a failure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.domain.intensity import low_use_exemptions, low_use_rules
from geo.domain.values import as_text

__all__ = ["LowUseFlag", "industry_average", "low_use_flags", "low_use_table"]


@dataclass(frozen=True)
class LowUseFlag:
    """One rule a parcel breaks: the rule's key, the parcel's value, the threshold in force
    for it and the key of the source (intensity.toml ``[sources]``)."""

    rule: str
    value: float
    threshold: float
    source: str

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "value": self.value,
            "threshold": self.threshold,
            "source": self.source,
        }


def _date(value: object) -> dt.date | None:
    text = as_text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:  # "NaT" and the like: no date
        return None


def _after_years(date: dt.date, years: float) -> dt.date:
    return date + dt.timedelta(days=round(years * 365.25))


def industry_average(
    tax_wan: Mapping[str, float], area_mu: pd.Series, industry: pd.Series
) -> dict[str, float]:
    """亩均税收 of each industry: its parcels' tax summed ÷ their land summed (万元/亩).

    *area_mu* and *industry* are indexed by parcel id; parcels without tax are left out.
    """
    frame = pd.DataFrame({"area_mu": area_mu, "industry": industry})
    frame["tax"] = frame.index.map(dict(tax_wan)).astype("float64")
    frame = frame[frame["tax"].notna() & frame["industry"].notna() & (frame["area_mu"] > 0)]
    grouped = frame.groupby("industry")[["tax", "area_mu"]].sum()
    return (grouped["tax"] / grouped["area_mu"]).to_dict()


def low_use_flags(
    table: pd.DataFrame,
    *,
    checked: pd.Series,
    as_of: dt.date,
    dates: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The 低效用地 flags of every row of *table* that is *checked*.

    Parameters
    ----------
    table
        The intensity table, with the columns the rules name (``far``, ``far_threshold``,
        ``tax_wan_per_mu``, ``industry_prior_tax_wan_per_mu``).
    checked
        True for the rows to judge (completed industrial parcels).
    dates
        The parcels' date fields named by the exemptions (``production_on``,
        ``completed_on``), aligned with *table*.

    Returns
    -------
    pandas.DataFrame
        Aligned with *table*: ``low_use`` (True when flagged and not exempt),
        ``low_use_flags`` (a tuple of :class:`LowUseFlag`, also for an exempt parcel) and
        ``low_use_exempt`` (the exemption's key, or None).
    """
    index = table.index
    flags: list[list[LowUseFlag]] = [[] for _ in range(len(table))]
    judged = checked.reindex(index).fillna(False).to_numpy(dtype=bool)
    for spec in low_use_rules():
        if spec.value not in table.columns:
            continue
        values = pd.to_numeric(table[spec.value], errors="coerce").to_numpy(dtype="float64")
        if spec.of is not None:
            base = (
                pd.to_numeric(table[spec.of], errors="coerce").to_numpy(dtype="float64")
                if spec.of in table.columns
                else np.full(len(table), np.nan)
            )
            limits = base * spec.share
        else:
            limits = np.full(len(table), spec.threshold, dtype="float64")
        hit = judged & ~np.isnan(values) & ~np.isnan(limits) & (values < limits)
        for k in np.flatnonzero(hit):
            flags[k].append(LowUseFlag(spec.key, float(values[k]), float(limits[k]), spec.source))
    exempt: list[str | None] = [None] * len(table)
    for spec in low_use_exemptions():
        for k in range(len(table)):
            if not flags[k] or exempt[k] is not None or dates is None:
                continue
            since = next(
                (
                    d
                    for f in spec.fields
                    if f in dates.columns and (d := _date(dates[f].iloc[k])) is not None
                ),
                None,
            )
            if since is not None and as_of < _after_years(since, spec.years):
                exempt[k] = spec.key
    return pd.DataFrame(
        {
            "low_use": [bool(f) and e is None for f, e in zip(flags, exempt, strict=True)],
            "low_use_flags": [tuple(f) for f in flags],
            "low_use_exempt": pd.Series(exempt, index=index, dtype="object"),
        },
        index=index,
    )


def low_use_table(
    table: pd.DataFrame,
    parcels: pd.DataFrame,
    economy: pd.DataFrame | None,
    projects: pd.DataFrame | None,
    *,
    as_of: dt.date,
    checked: pd.Series,
) -> pd.DataFrame:
    """*table* (parcel indicators, one row per parcel of *parcels*, in order) with this
    year's 亩均税收, the industry's average of the year before and the 低效用地 flags.

    The year is the latest whole year of *economy* ended by *as_of*
    (:func:`geo.analysis.economy.classed_year`).
    """
    from geo.analysis.economy import classed_year, parcel_economy

    table = table.copy()
    area_m2 = dict(zip(table["id"], table["area_m2"].fillna(0.0), strict=True))
    year = classed_year(economy, as_of=as_of)
    by_id = table.set_index("id")
    prior = {}
    if year is not None:
        if table["tax_wan"].isna().all():
            now = parcel_economy(economy, projects, area_m2, year=year)["tax_wan"]
            table["tax_wan"] = table["id"].map(now.dropna().to_dict()).astype("float64")
            table["tax_wan_per_mu"] = table["tax_wan"] / table["area_mu"]
        before = parcel_economy(economy, projects, area_m2, year=year - 1)["tax_wan"]
        prior = industry_average(
            before.dropna().to_dict(), by_id["area_mu"], by_id["industry_code"]
        )
    table["industry_prior_tax_wan_per_mu"] = table["industry_code"].map(prior).astype("float64")
    fields = [f for spec in low_use_exemptions() for f in spec.fields]
    dates = pd.DataFrame(
        {f: (parcels[f].to_numpy() if f in parcels.columns else None) for f in fields},
        index=table.index,
    )
    flags = low_use_flags(table, checked=checked, as_of=as_of, dates=dates)
    return pd.concat([table, flags], axis=1)
