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

__all__ = ["FIGURES", "classed_year", "mujun_classes", "parcel_economy", "period_end", "periods"]

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
