"""The demo park's economic figures and its parcels' control-indicator fields.

The seed reports 90 规上企业 with 53.93 亿元 output and 22.83 亿元 fixed-asset investment for
January–August of the as-of year (seed.toml ``[economy]``). :func:`economy_rows` spreads them
over the enterprises of the demo's projects that produce by then and invented ones for the
rest, so that they sum to the seed's figures exactly; the previous whole years are scaled
back from them, and one enterprise grows past 10亿元 in 2023 (the seed's 新增10亿级企业).
:func:`parcel_fields` gives completed enterprise parcels an industry code, a floor area
counted for 容积率 and green and office land; two of them miss the 容积率 of their industry
(findings of ``parkgeo check``). Everything is drawn from one fixed random seed.
"""

from __future__ import annotations

import datetime as dt
import random

from geo.demo.layout import Park, area_m2
from geo.demo.seed import AS_OF, ECONOMY, PLATFORM, SEED
from geo.domain.intensity import far_minimum

__all__ = ["LOW_FAR_PARCELS", "economy_rows", "parcel_fields"]

#: how many completed parcels are given a 容积率 under their industry's minimum
LOW_FAR_PARCELS = 2


def _period_end(year: int, months: int) -> dt.date:
    return dt.date(year, 12, 31) if months >= 12 else dt.date(year, months + 1, 1) - dt.timedelta(1)


def _producers(park: Park, until: dt.date) -> list[tuple[str, str, str]]:
    """(enterprise, project id, industry) of every enterprise project producing by *until*."""
    by_id = {p.id: p for p in park.parcels}
    out = []
    for pr in park.projects:
        if pr.enterprise == PLATFORM:
            continue
        days = [by_id[p].producing for p in pr.parcels if by_id[p].producing]
        if days and min(days) <= until:
            out.append((pr.enterprise, pr.id, pr.industry))
    return out


def _spread(total: float, weights: list[float]) -> list[float]:
    """*total* shared by *weights*, rounded to 0.01 with the residue on the largest share."""
    whole = sum(weights)
    parts = [round(total * w / whole, 2) for w in weights]
    big = max(range(len(parts)), key=parts.__getitem__)
    parts[big] = round(parts[big] + total - sum(parts), 2)
    return parts


def economy_rows(park: Park) -> list[list[str]]:
    """The rows of ``economy.csv`` (columns of seed.toml ``[fields.economy]``)."""
    rng = random.Random(SEED + 4754)
    year, months = ECONOMY["year"], ECONOMY["months"]
    producers = _producers(park, _period_end(year, months))
    leading = ECONOMY["leading"]
    others = [i for i in ECONOMY["industries"] if i not in leading]
    for n in range(1, ECONOMY["above_scale"] - len(producers) + 1):
        industry = rng.choice(leading) if rng.random() < 0.7 else rng.choice(others)
        producers.append((f"X县规上企业{n:02d}", "", industry))
    billion = ECONOMY["billion_enterprise"]
    fixed = {int(y): v for y, v in ECONOMY["billion_output_wan"].items()}
    # its January–August at last year's pace, the others share what remains of the seed's total
    big = fixed[year - 1] * months / 12 if billion in {e for e, _, _ in producers} else 0.0
    rest = [p for p in producers if p[0] != billion]
    outputs = dict(
        zip(
            (e for e, _, _ in rest),
            _spread(ECONOMY["output_yi"] * 1e4 - big, [rng.uniform(0.5, 2.0) for _ in rest]),
            strict=True,
        )
    )
    if big:
        outputs[billion] = round(big, 2)
    investment = _spread(ECONOMY["investment_yi"] * 1e4, [rng.uniform(0.3, 2.0) for _ in producers])
    low, high = ECONOMY["tax_share"]
    rows = []

    def add(y, m, enterprise, project, industry, output, invest):
        tax = round(output * rng.uniform(low, high), 2)
        rows.append(
            [
                f"E{y}-{len(rows) + 1:03d}",
                enterprise,
                str(y),
                str(m),
                project,
                industry,
                "是",
                "是" if industry in leading else "否",
                f"{output:.2f}",
                f"{tax:.2f}",
                f"{invest:.2f}",
            ]
        )

    for (enterprise, project, industry), invest in zip(producers, investment, strict=True):
        add(year, months, enterprise, project, industry, outputs[enterprise], invest)
    for past, factor in sorted(ECONOMY["previous_years"].items(), reverse=True):
        past = int(past)
        present = {e for e, _, _ in _producers(park, dt.date(past, 12, 31))}
        for (enterprise, project, industry), invest in zip(producers, investment, strict=True):
            if project and enterprise not in present:
                continue  # not producing yet that year
            if enterprise == billion:
                output = float(fixed[past])
            else:
                output = outputs[enterprise] * 12 / months * factor * rng.uniform(0.9, 1.1)
            add(past, 12, enterprise, project, industry, output, invest * factor)
    return rows


def parcel_fields(park: Park) -> dict[str, list]:
    """Parcel id → [industry code, floor area for 容积率, green area, office land] (m²):
    an industry code for every enterprise parcel, the areas for completed ones."""
    codes = ECONOMY["industry_codes"]
    industry = {
        p: pr.industry for pr in park.projects if pr.enterprise != PLATFORM for p in pr.parcels
    }
    out: dict[str, list] = {}
    low = LOW_FAR_PARCELS
    for parcel in sorted(park.parcels, key=lambda p: p.id):
        code = codes.get(industry.get(parcel.id, ""))
        if code is None:
            continue
        if parcel.completed is None or parcel.completed > AS_OF:
            out[parcel.id] = [code, None, None, None]
            continue
        area = area_m2(parcel.ring)
        minimum = far_minimum(code).value
        ratio = max(parcel.floor_ratio, minimum + 0.05)
        if low:
            ratio, low = round(minimum * 0.75, 2), low - 1  # planted: under the minimum
        out[parcel.id] = [
            code,
            round(area * ratio, 1),
            round(area * ECONOMY["green_share"], 1),
            round(area * ECONOMY["admin_share"], 1),
        ]
    return out
