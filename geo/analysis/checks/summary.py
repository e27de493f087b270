"""The allocation summary reported upward: land allocated by zone, year, land use, industry."""

from __future__ import annotations

import pandas as pd

from geo.analysis.checks.base import land_use_table, lookup_land_use, message_table
from geo.analysis.checks.context import Context, polygonal_area
from geo.analysis.checks.idle import allocations_by_year
from geo.domain.units import M2_PER_HECTARE, M2_PER_MU
from geo.domain.values import as_number, as_text


def _area_entry(m2: float, count: int) -> dict:
    return {
        "count": int(count),
        "area_m2": float(m2),
        "area_mu": float(m2) / M2_PER_MU,
        "area_ha": float(m2) / M2_PER_HECTARE,
    }


def summarize(ctx: Context) -> dict:
    allocated = ctx.allocated_parcels()
    ids = allocated["id"].tolist()
    area = ctx.parcel_area_m2.reindex(ids).fillna(0.0)
    area.index = ids

    def grouped(keys: list) -> dict:
        out: dict = {}
        for pid, key in zip(ids, keys, strict=True):
            m2, n = out.get(key, (0.0, 0))
            out[key] = (m2 + float(area[pid]), n + 1)
        return out

    # by zone, with the land still available
    zone_keys = [as_text(r.get("zone")) or None for r in allocated.to_dict("records")]
    by_zone_raw = grouped(zone_keys)
    zones = ctx.layers.get("zones")
    by_zone = []
    zone_rows = zones.to_dict("records") if zones is not None else []
    for z in zone_rows:
        zid = z["id"]
        geom = z["geometry"]
        zone_m2 = polygonal_area(geom if geom is None or geom.is_valid else geom.buffer(0))
        m2, n = by_zone_raw.pop(zid, (0.0, 0))
        declared = as_number(z.get("available_area_mu"))
        entry = {"zone": zid, "name": as_text(z.get("name")), **_area_entry(m2, n)}
        entry["zone_area_mu"] = zone_m2 / M2_PER_MU
        entry["remaining_mu"] = (zone_m2 - m2) / M2_PER_MU
        entry["available_area_mu"] = declared
        by_zone.append(entry)
    for zid, (m2, n) in by_zone_raw.items():
        entry = {"zone": zid, "name": "", **_area_entry(m2, n)}
        entry.update(zone_area_mu=None, remaining_mu=None, available_area_mu=None)
        by_zone.append(entry)

    # by year of allocation, with the year's quota
    year_of = {pid: y for y, pids in allocations_by_year(ctx).items() for pid in pids}
    by_year_raw = grouped([year_of.get(pid) for pid in ids])
    years = sorted({*by_year_raw, *ctx.quotas}, key=lambda y: (y is None, y or 0))
    by_year = []
    for year in years:
        m2, n = by_year_raw.get(year, (0.0, 0))
        quota = ctx.quotas.get(year) if year is not None else None
        entry = {"year": year, **_area_entry(m2, n), "quota_mu": quota}
        entry["quota_left_mu"] = None if quota is None else quota - m2 / M2_PER_MU
        by_year.append(entry)

    # by land-use class
    uses = [
        lookup_land_use(r.get("land_use")) if "land_use" in allocated.columns else None
        for r in allocated.to_dict("records")
    ]
    raw_uses = [as_text(r.get("land_use")) for r in allocated.to_dict("records")]
    keys = [u.code if u else (raw or None) for u, raw in zip(uses, raw_uses, strict=True)]
    by_use = []
    for code, (m2, n) in grouped(keys).items():
        use = land_use_table().get(code) if code else None
        by_use.append(
            {
                "code": code,
                "name_zh": use.zh if use else "",
                "name_en": use.en if use else "",
                **_area_entry(m2, n),
            }
        )

    # by industry, through the projects (a parcel counts under its first project)
    industries: list[str | None] = []
    for pid in ids:
        projects = ctx.parcel_projects.get(pid, [])
        industries.append(
            as_text(ctx.project_row(projects[0]).get("industry")) if projects else None
        )
    by_industry = [
        {"industry": key, **_area_entry(m2, n)} for key, (m2, n) in grouped(industries).items()
    ]
    by_industry.sort(key=lambda e: (e["industry"] is None, -e["area_m2"]))

    all_m2 = float(ctx.parcel_area_m2.fillna(0).sum())
    return {
        "as_of": ctx.as_of.isoformat(),
        "parcels": _area_entry(all_m2, len(ctx.parcel_area_m2)),
        "allocated": _area_entry(float(area.sum()), len(ids)),
        "by_zone": by_zone,
        "by_year": by_year,
        "by_land_use": by_use,
        "by_industry": by_industry,
    }


def summary_frames(summary: dict) -> dict[str, pd.DataFrame]:
    """The allocation summary as tables with bilingual headers, by sheet name."""
    texts = message_table()
    headers, missing, sheets = texts["headers"], texts["missing_key"], texts["sheets"]

    def frame(rows: list[dict], first: list[str], extra: list[str]) -> pd.DataFrame:
        cols = [*first, "count", "area_mu", "area_ha", *extra]
        data = pd.DataFrame(rows, columns=cols)
        # the group key is text: a year is "2023", no value is named rather than left blank
        key = first[0]
        data[key] = [missing[key] if v is None else str(v) for v in data[key].astype(object)]
        return data.rename(columns={c: headers[c] for c in cols})

    return {
        sheets["by_zone"]: frame(
            summary["by_zone"],
            ["zone", "name"],
            ["zone_area_mu", "remaining_mu", "available_area_mu"],
        ),
        sheets["by_year"]: frame(summary["by_year"], ["year"], ["quota_mu", "quota_left_mu"]),
        sheets["by_land_use"]: frame(summary["by_land_use"], ["code", "name_zh", "name_en"], []),
        sheets["by_industry"]: frame(summary["by_industry"], ["industry"], []),
    }
