"""Control indicators of industrial land per parcel (工业项目建设用地控制指标).

:func:`parcel_indicators` takes frames (parcels, buildings, projects) and measures, for
every parcel, in the working metric CRS:

容积率 (far)           floor area counted for FAR ÷ land; the buildings on the parcel give
                       the floor area (``floor_area_m2``, else footprint × ``storeys``; a
                       building whose ``storey_height_m`` exceeds 8 m counts twice), else
                       the parcel's declared ``far_floor_area_m2`` (计容建筑面积)
建筑系数 (coverage)    (building footprints + ``structures_area_m2``) ÷ land, %
行政办公 (admin_share) ``admin_area_m2`` ÷ land, else the office-and-living buildings' share
                       of the floor area, %
绿地率 (green_ratio)   ``green_area_m2`` ÷ land, %
投资强度 (investment)  ``investment_wan`` (else the projects' ``investment_yi`` shared by
                       parcel area) ÷ land in 亩, 万元/亩
亩均税收 (tax)         the parcel's yearly tax ÷ land in 亩 (from the economy table)

Each indicator is set against its threshold (:func:`geo.domain.intensity.thresholds_for`):
``<key>_ok`` is True / False, or None when the value or the threshold is missing ("no data",
never a failure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.projects import project_parcels
from geo.domain.crs import to_metric
from geo.domain.intensity import (
    CONTRACT_FIELDS,
    INDICATORS,
    building_use,
    indicator,
    industry_key,
    tall_storey_m,
    thresholds_for,
)
from geo.domain.units import M2_PER_MU
from geo.domain.values import as_number, as_text

__all__ = [
    "VALUE_COLUMNS",
    "assign_buildings",
    "intensity_table",
    "parcel_indicators",
    "park_indicators",
    "project_intensity",
]

#: indicator key → the column of its value
VALUE_COLUMNS = {
    "far": "far",
    "coverage": "coverage_pct",
    "admin_share": "admin_share_pct",
    "green_ratio": "green_ratio_pct",
    "investment": "investment_wan_per_mu",
    "tax": "tax_wan_per_mu",
}
_BUILDING_KINDS = ("factories", "housing")
_POLY = ("Polygon", "MultiPolygon")


def _metric(frame, crs):
    if frame is None or not isinstance(frame, gpd.GeoDataFrame) or frame.crs is None:
        return frame
    return to_metric(frame, crs)


def assign_buildings(buildings: gpd.GeoDataFrame, parcels: gpd.GeoDataFrame) -> np.ndarray:
    """The parcel id each building stands on: its ``parcel`` field, else the parcel it
    overlaps most (None when it overlaps none). Both frames in one metric CRS."""
    named = (
        buildings["parcel"].map(as_text).to_numpy(dtype=object)
        if "parcel" in buildings.columns
        else np.full(len(buildings), "", dtype=object)
    )
    out = np.where(named != "", named, None).astype(object)
    todo = np.flatnonzero(out == None)  # noqa: E711 (element-wise)
    if not len(todo) or not len(parcels):
        return out
    pgeoms = parcels.geometry.array
    bgeoms = buildings.geometry.array[todo]
    ok = ~(shapely.is_missing(bgeoms) | shapely.is_empty(bgeoms)) & shapely.is_valid(bgeoms)
    tree = shapely.STRtree(pgeoms)
    b_idx, p_idx = tree.query(bgeoms[ok], predicate="intersects")
    if not len(b_idx):
        return out
    rows = np.flatnonzero(ok)[b_idx]
    areas = shapely.area(shapely.intersection(bgeoms[rows], pgeoms[p_idx]))
    pairs = pd.DataFrame({"b": rows, "p": p_idx, "a": areas})
    pairs = pairs[pairs["a"] > 0].sort_values(["b", "a", "p"], ascending=[True, False, True])
    best = pairs.drop_duplicates("b")
    ids = parcels["id"].map(as_text).to_numpy(dtype=object)
    out[todo[best["b"].to_numpy()]] = ids[best["p"].to_numpy()]
    return out


def _building_rows(buildings: Mapping[str, gpd.GeoDataFrame], parcels) -> pd.DataFrame:
    """One row per building on a parcel: parcel, footprint, floor area counted, use."""
    tall = tall_storey_m()
    parts = []
    for name in _BUILDING_KINDS:
        frame = buildings.get(name)
        if frame is None or not len(frame):
            continue
        geoms = frame.geometry.array
        good = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        footprint = np.where(good, shapely.area(geoms), np.nan)

        def column(field, frame=frame):
            if field not in frame.columns:
                return np.full(len(frame), np.nan)
            return pd.to_numeric(frame[field], errors="coerce").to_numpy(dtype="float64")

        floor = column("floor_area_m2")
        floor = np.where(np.isnan(floor), footprint * column("storeys"), floor)
        height = column("storey_height_m")
        floor = np.where(height > tall, floor * 2.0, floor)
        uses = (
            frame["use"].map(building_use).to_numpy(dtype=object)
            if "use" in frame.columns
            else np.full(len(frame), None, dtype=object)
        )
        parts.append(
            pd.DataFrame(
                {
                    "parcel": assign_buildings(frame, parcels),
                    "footprint_m2": footprint,
                    "floor_m2": floor,
                    "office": uses == "office",
                    "use_known": uses != None,  # noqa: E711
                }
            )
        )
    if not parts:
        return pd.DataFrame(columns=["parcel", "footprint_m2", "floor_m2", "office", "use_known"])
    rows = pd.concat(parts, ignore_index=True)
    return rows[rows["parcel"].notna()]


def _project_investment(projects: pd.DataFrame | None, area_by_id: Mapping[str, float]) -> dict:
    """万元 of project investment per parcel: each project's ``investment_yi`` shared over
    its parcels by area (plain dicts: one pass over the projects, no per-row table lookups)."""
    out: dict[str, float] = {}
    if projects is None or "investment_yi" not in projects.columns:
        return out
    cells = projects["parcels"] if "parcels" in projects.columns else [None] * len(projects)
    for yi, cell in zip(projects["investment_yi"], cells, strict=True):
        total = as_number(yi)
        ids = [p for p in dict.fromkeys(project_parcels(cell)) if p in area_by_id]
        if total is None or not ids:
            continue
        areas = [a if a == a else 0.0 for a in (area_by_id[p] for p in ids)]
        whole = sum(areas)
        if whole <= 0:
            continue
        for pid, area in zip(ids, areas, strict=True):
            out[pid] = out.get(pid, 0.0) + total * 1e4 * area / whole
    return out


def _field(frame: pd.DataFrame, name: str) -> pd.Series:
    if name not in frame.columns:
        return pd.Series(np.nan, index=frame.index, dtype="float64")
    return pd.to_numeric(frame[name], errors="coerce").astype("float64")


def parcel_indicators(
    parcels: gpd.GeoDataFrame,
    buildings: Mapping[str, gpd.GeoDataFrame] | None = None,
    projects: pd.DataFrame | None = None,
    *,
    park: Mapping[str, float] | None = None,
    tax_wan: Mapping[str, float] | None = None,
    crs: str | None = None,
) -> pd.DataFrame:
    """The control indicators of every parcel, each against its threshold.

    Parameters
    ----------
    parcels
        The parcels layer (with optional fields ``industry_code``, ``far_floor_area_m2``,
        ``structures_area_m2``, ``admin_area_m2``, ``green_area_m2``, ``investment_wan`` and
        the contract values of kinds.toml).
    buildings
        Building layers by kind (``factories``, ``housing``).
    projects
        The projects table (``investment_yi``, ``parcels``), for parcels without
        ``investment_wan``.
    park
        The park's thresholds by indicator (:func:`geo.domain.intensity.intensity_settings`).
    tax_wan
        Yearly tax (万元) by parcel id, for 亩均税收.
    crs
        The working metric CRS; frames are projected to it (else to a GK zone) before
        anything is measured.

    Returns
    -------
    pandas.DataFrame
        One row per parcel: ``id``, ``industrial`` (an industry code or a contract value),
        ``industry_code``, ``area_m2``, ``area_mu``, ``buildings``, ``floor_area_m2``,
        ``floor_source`` (``buildings`` / ``declared`` / None), the value columns of
        :data:`VALUE_COLUMNS`, and per indicator ``<key>_threshold``, ``<key>_source``,
        ``<key>_ok``.
    """
    parcels = _metric(parcels, crs).reset_index(drop=True)
    ids = parcels["id"].map(as_text)
    frame = pd.DataFrame({"id": ids})
    geoms = parcels.geometry.array
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    fixed = np.where(shapely.is_valid(geoms) | bad, geoms, shapely.make_valid(geoms))
    # polygonal parts only: make_valid may leave lines or points in a collection
    kinds = shapely.get_type_id(fixed)
    polys = np.where(kinds >= 7, np.nan, shapely.area(fixed))  # 7: GeometryCollection
    for k in np.flatnonzero(kinds >= 7):
        polys[k] = sum(p.area for p in shapely.get_parts(fixed[k]) if p.geom_type in _POLY)
    area = pd.Series(np.where(bad, np.nan, polys), dtype="float64")
    area = area.where(area > 0)
    frame["area_m2"] = area
    frame["area_mu"] = area / M2_PER_MU
    codes = parcels["industry_code"] if "industry_code" in parcels.columns else None
    frame["industry_code"] = None if codes is None else codes.map(industry_key)

    metric = {k: _metric(v, crs) for k, v in (buildings or {}).items()}
    rows = _building_rows(metric, parcels)
    grouped = rows.groupby("parcel")
    count = grouped.size().reindex(ids).fillna(0).astype(int).to_numpy()
    footprint = grouped["footprint_m2"].sum(min_count=1).reindex(ids).to_numpy(dtype="float64")
    # a parcel's floor area is known when every building on it has one
    complete = grouped["floor_m2"].count() == grouped.size()
    floor_all = grouped["floor_m2"].sum().where(complete)
    floor_b = (
        floor_all.reindex(ids).to_numpy(dtype="float64") if len(rows) else np.full(len(ids), np.nan)
    )
    declared = _field(parcels, "far_floor_area_m2").to_numpy()
    floor = np.where(np.isnan(floor_b), declared, floor_b)
    frame["buildings"] = count
    frame["floor_area_m2"] = floor
    frame["floor_source"] = np.where(
        ~np.isnan(floor_b), "buildings", np.where(~np.isnan(declared), "declared", None)
    )
    frame["far"] = floor / area

    structures = _field(parcels, "structures_area_m2").to_numpy()
    cover = np.where(np.isnan(footprint), 0.0, footprint) + np.nan_to_num(structures)
    cover = np.where(np.isnan(footprint) & np.isnan(structures), np.nan, cover)
    frame["coverage_pct"] = cover / area * 100

    admin = _field(parcels, "admin_area_m2").to_numpy()
    if len(rows):
        known = grouped["use_known"].all().reindex(ids).fillna(False).to_numpy(dtype=bool)
        office = rows[rows["office"]].groupby("parcel")["floor_m2"].sum()
        office = office.reindex(ids).fillna(0.0).to_numpy(dtype="float64")
        share = np.where(known & (floor_b > 0), office / floor_b * 100, np.nan)
    else:
        share = np.full(len(ids), np.nan)
    frame["admin_share_pct"] = np.where(np.isnan(admin), share, admin / area * 100)
    frame["green_ratio_pct"] = _field(parcels, "green_area_m2") / area * 100

    invest = _field(parcels, "investment_wan")
    shared = _project_investment(projects, dict(zip(ids, area.to_numpy(), strict=True)))
    invest = invest.fillna(pd.Series(ids.map(shared).to_numpy(), dtype="float64"))
    frame["investment_wan"] = invest
    frame["investment_wan_per_mu"] = invest / frame["area_mu"]
    tax = ids.map(dict(tax_wan or {})).astype("float64")
    frame["tax_wan"] = tax
    frame["tax_wan_per_mu"] = tax / frame["area_mu"]

    # thresholds depend on the industry and the contract values only: resolve each
    # combination once
    fields = ["industry_code", *CONTRACT_FIELDS]
    keys = pd.DataFrame(  # a park whose parcels have none of these fields: all None
        {f: parcels[f] if f in parcels.columns else None for f in fields}, index=parcels.index
    )
    keys["industry_code"] = frame["industry_code"]
    cache: dict[tuple, dict] = {}
    resolved = []
    for values in keys.itertuples(index=False, name=None):
        key = tuple(None if v is None or v != v else v for v in values)
        if key not in cache:
            cache[key] = thresholds_for(dict(zip(fields, key, strict=True)), park)
        resolved.append(cache[key])
    contract = [c for c in ("contract_far_min", "contract_investment_wan_per_mu") if c in parcels]
    frame["industrial"] = frame["industry_code"].notna() | (
        parcels[contract].notna().any(axis=1) if contract else False
    )
    for key in INDICATORS:
        spec = indicator(key)
        limit = [t[key].value if key in t else np.nan for t in resolved]
        frame[f"{key}_threshold"] = np.asarray(limit, dtype="float64")
        frame[f"{key}_source"] = [t[key].source if key in t else None for t in resolved]
        values = frame[VALUE_COLUMNS[key]].to_numpy(dtype="float64")
        limits = frame[f"{key}_threshold"].to_numpy()
        ok = values >= limits if spec.bound == "min" else values <= limits
        missing = np.isnan(values) | np.isnan(limits)
        frame[f"{key}_ok"] = pd.Series(np.where(missing, None, ok), dtype="object")
    return frame


def intensity_table(
    parcels: gpd.GeoDataFrame,
    buildings: Mapping[str, gpd.GeoDataFrame] | None,
    projects: pd.DataFrame | None,
    economy: pd.DataFrame | None,
    records: pd.DataFrame | None,
    *,
    as_of: dt.date,
    crs: str | None,
    park: Mapping[str, float] | None = None,
    scheme: Mapping[str, float] | None = None,
) -> tuple[pd.DataFrame, int | None]:
    """:func:`parcel_indicators` with each parcel's land stage, status and 亩均效益 class.

    ``status`` is ``checked`` for a completed parcel, ``provisional`` for one under
    construction, ``""`` otherwise, with the 低效用地 columns of
    :func:`geo.analysis.lowuse.low_use_table`. 亩均税收 / 亩均产值 and the class are of the
    latest whole year ended by *as_of* (returned with the table; None without figures).
    """
    from geo.analysis.economy import classed_year, mujun_classes, parcel_economy
    from geo.analysis.progress import layer_state
    from geo.domain.intensity import mujun_settings
    from geo.domain.tables import vocabulary

    parcels = _metric(parcels, crs)
    buildings = {k: _metric(v, crs) for k, v in (buildings or {}).items()}
    year = classed_year(economy, as_of=as_of)
    ids = parcels["id"].map(as_text)
    area = dict(zip(ids, shapely.area(parcels.geometry.array), strict=True))
    figures = (
        parcel_economy(economy, projects, area, year=year)
        if year is not None
        else pd.DataFrame(columns=["tax_wan", "output_wan"])
    )
    tax = figures["tax_wan"].dropna().to_dict()
    table = parcel_indicators(parcels, buildings, projects, park=park, tax_wan=tax)
    state = layer_state(parcels, records, kind_name="parcels", as_of=as_of).features
    state = state.assign(id=state["id"].map(as_text)).set_index("id")
    table["stage"] = table["id"].map(state["stage"])
    order = table["id"].map(state["stage_order"]).fillna(-1)
    table["stage_order"] = order.astype(int)
    land = {s.code: s.order for s in vocabulary("land")}
    table["status"] = np.where(
        order >= land["completed"], "checked", np.where(order >= land["started"], "provisional", "")
    )
    output = table["id"].map(figures["output_wan"]).astype("float64")
    area_mu = table["area_mu"]
    classes = mujun_classes(area_mu, table["tax_wan"], output, scheme or mujun_settings(None))
    table["output_wan"] = output
    for col in classes.columns:
        table[col] = classes[col].to_numpy()
    from geo.analysis.lowuse import low_use_table

    checked = table["industrial"] & (table["status"] == "checked")
    table = low_use_table(table, parcels, economy, projects, as_of=as_of, checked=checked)
    return table, year


def project_intensity(store, manifest, *, as_of: dt.date) -> tuple[pd.DataFrame, int | None]:
    """:func:`intensity_table` over the project's store, park.toml [intensity] and [mujun]."""
    from geo.domain.intensity import intensity_settings, mujun_settings

    parcels = store.read_kind("parcels")
    if parcels is None or not len(parcels):
        return pd.DataFrame(), None
    where = str(manifest.path)
    buildings = {k: store.read_kind(k) for k in _BUILDING_KINDS}
    return intensity_table(
        parcels,
        {k: v for k, v in buildings.items() if v is not None},
        store.read_kind("projects"),
        store.read_kind("economy"),
        store.read_kind("progress"),
        as_of=as_of,
        crs=manifest.crs,
        park=intensity_settings(manifest.intensity, where=where),
        scheme=mujun_settings(manifest.mujun, where=where),
    )


def park_indicators(
    table: pd.DataFrame,
    land_use: pd.Series,
    zones: gpd.GeoDataFrame | None,
    *,
    crs: str | None = None,
) -> dict:
    """开发区土地集约利用 indicators of the park from :func:`intensity_table`'s rows.

    Areas nest as the monitoring's do: 可开发 (the zones' drawn area, overlaps once) ⊇
    已开发 (parcels reserved or further: land made ready) ⊇ 已供应 (allocated) ⊇ 已建成
    (completed); 土地开发率 = 已开发 / 可开发, 土地供应率 = 已供应 / 已开发, 土地建成率 =
    已建成 / 已供应. 工业用地 is land on which factories may stand (landuse.toml); 综合容积率
    is the floor area of the built parcels whose floor area is known over their land;
    供而未用 is land allocated and not started.

    Parameters
    ----------
    table
        :func:`intensity_table` (``stage_order``, ``area_m2``, ``floor_area_m2``, ``tax_wan``).
    land_use
        Each row's ``land_use`` text, aligned with *table*.
    zones
        The zones layer (for the developable area).
    """
    from geo.analysis.checks.base import lookup_land_use
    from geo.domain.tables import vocabulary

    land = {s.code: s.order for s in vocabulary("land")}
    order = table["stage_order"]
    area = table["area_m2"].fillna(0.0)
    uses = [lookup_land_use(v) for v in land_use]
    industrial = pd.Series(
        [u is not None and "factories" in u.buildings for u in uses], index=table.index
    )
    developable = np.nan
    if zones is not None and len(zones):
        zones = _metric(zones, crs)
        developable = float(shapely.area(shapely.union_all(zones.geometry.array)))
    supplied = order >= land["allocated"]
    developed = order >= land["reserved"]
    started = order >= land["started"]
    built = order >= land["completed"]

    def m2(mask):
        return float(area[mask].sum())

    def far(mask):
        known = mask & table["floor_area_m2"].notna()
        return float(table.loc[known, "floor_area_m2"].sum()) / m2(known) if m2(known) else None

    def ratio(a, b):
        return a / b * 100 if b and b == b else None

    built_ind = built & industrial
    tax = float(table.loc[built_ind, "tax_wan"].fillna(0.0).sum())
    taxed = table.loc[built_ind, "tax_wan"].notna().any()
    out = {
        "developable_m2": developable,
        "supplied_m2": m2(supplied),
        "developed_m2": m2(developed),
        "built_m2": m2(built),
        "industrial_built_m2": m2(built_ind),
        "supplied_unused_m2": m2(supplied & ~started),
        "development_rate_pct": ratio(m2(developed), developable),
        "supply_rate_pct": ratio(m2(supplied), m2(developed)),
        "built_rate_pct": ratio(m2(built), m2(supplied)),
        "industrial_land_pct": ratio(m2(built_ind), m2(built)),
        "far": far(built),
        "industrial_far": far(built_ind),
        "industrial_tax_wan_per_ha": tax / (m2(built_ind) / 1e4)
        if taxed and m2(built_ind)
        else None,
        "far_unknown_parcels": int((built & table["floor_area_m2"].isna()).sum()),
    }
    out["developable_m2"] = None if developable != developable else developable
    return out


def project_park(store, manifest, *, as_of: dt.date) -> dict:
    """:func:`park_indicators` of the project's store on *as_of* (with ``as_of`` and the
    economy year); empty without parcels."""
    table, year = project_intensity(store, manifest, as_of=as_of)
    if table.empty:
        return {}
    parcels = store.read_kind("parcels")
    uses = parcels["land_use"] if "land_use" in parcels.columns else [None] * len(parcels)
    land_use = pd.Series(list(uses), index=table.index)
    out = park_indicators(table, land_use, store.read_kind("zones"), crs=manifest.crs)
    return {"as_of": as_of.isoformat(), "economy_year": year, **out}
