"""Enterprises' yearly economic figures on the land: 亩均税收, 亩均产值 and 亩均效益 classes.

The ``economy`` table (kinds.toml) holds one row per enterprise and period (``year``, and
``months`` from January, 12 when empty). A row's land is its ``parcel``, else the parcels of
its ``project``; a row on several parcels is shared over them by area. Several enterprises
on one parcel (一地多企) are summed. :func:`parcel_economy` gives each parcel's totals for one
year; :func:`mujun_classes` scores them with the scheme of
:func:`geo.domain.intensity.mujun_settings`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo.analysis.projects import project_parcels
from geo.domain.values import as_number, as_text

__all__ = [
    "FIGURES",
    "classed_year",
    "economy_goal",
    "mujun_classes",
    "parcel_economy",
    "period_end",
    "periods",
]

#: the figures summed per parcel
FIGURES = ("output_wan", "tax_wan", "value_added_wan", "investment_wan")


def period_end(year: int, months: int) -> dt.date:
    """The last day of month *months* of *year* (the end of a 1–N月 period)."""
    if months >= 12:
        return dt.date(year, 12, 31)
    return dt.date(year, months + 1, 1) - dt.timedelta(days=1)


def periods(economy: pd.DataFrame | None, *, as_of: dt.date) -> pd.DataFrame:
    """The economy rows whose period has ended by *as_of*, with ``months`` (12 when empty)
    and ``period_end`` filled in."""
    if economy is None or not len(economy):
        return pd.DataFrame(columns=["enterprise", "year", "months", "period_end", *FIGURES])
    frame = pd.DataFrame(economy).reset_index(drop=True).copy()
    frame["year"] = pd.to_numeric(frame["year"], errors="coerce")
    frame = frame[frame["year"].notna()]
    months = frame["months"] if "months" in frame.columns else pd.Series(12, index=frame.index)
    frame["months"] = pd.to_numeric(months, errors="coerce").fillna(12).clip(1, 12).astype(int)
    frame["year"] = frame["year"].astype(int)
    frame["period_end"] = [
        period_end(y, m) for y, m in zip(frame["year"], frame["months"], strict=True)
    ]
    for name in FIGURES:
        if name not in frame.columns:
            frame[name] = np.nan
        frame[name] = pd.to_numeric(frame[name], errors="coerce")
    return frame[frame["period_end"] <= as_of].reset_index(drop=True)


def classed_year(economy: pd.DataFrame | None, *, as_of: dt.date) -> int | None:
    """The latest whole year (months = 12) that has ended by *as_of*; None when none."""
    rows = periods(economy, as_of=as_of)
    whole = rows[rows["months"] == 12]
    return int(whole["year"].max()) if len(whole) else None


def parcel_economy(
    economy: pd.DataFrame | None,
    projects: pd.DataFrame | None,
    area_m2: Mapping[str, float],
    *,
    year: int,
    months: int = 12,
) -> pd.DataFrame:
    """Each parcel's summed figures (:data:`FIGURES`) for *year* (its rows of *months*).

    Parameters
    ----------
    area_m2
        Parcel id → measured area, to share a row over its project's parcels.

    Returns
    -------
    pandas.DataFrame
        Indexed by parcel id: the figures and ``enterprises`` (how many rows).
    """
    rows = periods(economy, as_of=dt.date(year, 12, 31))
    rows = rows[(rows["year"] == year) & (rows["months"] == months)]
    by_project: dict[str, list[str]] = {}
    if projects is not None and "parcels" in projects.columns:
        for pid, cell in zip(projects["id"].map(as_text), projects["parcels"], strict=True):
            by_project.setdefault(pid, project_parcels(cell))
    totals: dict[str, dict[str, float]] = {}
    for row in rows.to_dict("records"):
        named = as_text(row.get("parcel"))
        land = [named] if named else by_project.get(as_text(row.get("project")), [])
        land = [p for p in dict.fromkeys(land) if p in area_m2]
        whole = sum(area_m2[p] for p in land)
        for pid in land:
            share = area_m2[pid] / whole if whole > 0 else 1 / len(land)
            entry = totals.setdefault(pid, {"enterprises": 0.0})
            entry["enterprises"] += 1
            for name in FIGURES:
                value = as_number(row.get(name))
                if value is not None:
                    entry[name] = entry.get(name, 0.0) + value * share
    frame = pd.DataFrame.from_dict(totals, orient="index")
    return frame.reindex(columns=["enterprises", *FIGURES])


def mujun_classes(
    area_mu: pd.Series, tax_wan: pd.Series, output_wan: pd.Series, scheme: Mapping[str, float]
) -> pd.DataFrame:
    """亩均税收, 亩均产值, score and A–D class per parcel (aligned Series by parcel id).

    score = tax_weight × 亩均税收 / tax_benchmark + output_weight × 亩均产值 / output_benchmark;
    the class is A at ``class_a`` or more, then B, C, else D. A parcel without figures has no
    score and no class.
    """
    tax = tax_wan / area_mu
    output = output_wan / area_mu
    score = (
        scheme["tax_weight"] * tax / scheme["tax_benchmark_wan_per_mu"]
        + scheme["output_weight"] * output / scheme["output_benchmark_wan_per_mu"]
    )
    score = score.where(tax.notna() & output.notna())
    bounds = [("A", scheme["class_a"]), ("B", scheme["class_b"]), ("C", scheme["class_c"])]
    classes = []
    for value in score:
        if pd.isna(value):
            classes.append(None)
            continue
        classes.append(next((code for code, low in bounds if value >= low), "D"))
    return pd.DataFrame(
        {
            "tax_wan_per_mu": tax,
            "output_wan_per_mu": output,
            "mujun_score": score,
            "mujun_class": pd.Series(classes, index=score.index, dtype="object"),
        }
    )


_YES = {"是", "y", "yes", "true", "1", "✓", "√"}


def _yearly(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per enterprise and year: its latest period of the year (1–N月 figures are
    cumulative from January)."""
    rows = rows.sort_values(["enterprise", "year", "months"])
    return rows.drop_duplicates(["enterprise", "year"], keep="last")


def economy_goal(economy: pd.DataFrame, spec, *, as_of: dt.date) -> tuple[dict, tuple]:
    """What a goal on the economy table achieved: ``in`` (periods ended inside the goal's
    period, by *as_of*), ``to_date`` (from the period's start to *as_of*) and ``cum`` (as
    ``in``), and the enterprises counted.

    ``sum:FIELD`` sums each enterprise's latest figures of every year; ``crossing:FIELD:V``
    counts enterprises whose yearly FIELD reaches V in the period and never did before it;
    ``share:FIELD:FLAG`` is the percent of the sum from rows whose FLAG is 是 / yes.
    """
    from geo.domain.units import convert, field_unit

    rows = periods(economy, as_of=as_of)
    rows = rows.assign(enterprise=rows["enterprise"].map(as_text))
    if spec.field not in rows.columns:
        rows[spec.field] = np.nan
    rows[spec.field] = pd.to_numeric(rows[spec.field], errors="coerce")
    yearly = _yearly(rows)
    ends = pd.to_datetime(yearly["period_end"]).dt.date
    out = {}
    counted: tuple = ()
    for name, last in (("in", min(spec.end, as_of)), ("to_date", as_of), ("cum", spec.end)):
        mask = (ends >= spec.start) & (ends <= min(last, as_of))
        chosen = yearly[mask]
        if spec.how == "crossing":
            limit = float(spec.arg)
            over = yearly[yearly[spec.field] >= limit]
            before = set(
                over[pd.to_datetime(over["period_end"]).dt.date < spec.start]["enterprise"]
            )
            new = sorted(set(chosen[chosen[spec.field] >= limit]["enterprise"]) - before)
            value, ids = float(len(new)), tuple(new)
        elif spec.how == "share":
            flag = chosen[spec.arg].map(lambda v: as_text(v).casefold() in _YES)
            total = float(chosen[spec.field].sum())
            value = float(chosen.loc[flag, spec.field].sum()) / total * 100 if total else 0.0
            ids = tuple(sorted(set(chosen.loc[flag, "enterprise"])))
        else:
            total = float(chosen[spec.field].fillna(0.0).sum())
            value = convert(total, field_unit(spec.field), spec.unit)
            ids = tuple(sorted(set(chosen["enterprise"])))
        out[name] = value
        if name == "in":
            counted = ids
    return out, counted
