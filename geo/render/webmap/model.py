"""The map model: everything the interactive map shows, as JSON-ready data.

Each stored layer is read once; staged layers carry their stage on every date of the time
control, so the page restyles without asking for more data. Every kind, stage, style and
text the page shows comes from ``geo/data`` through this model: the page's script holds no
domain vocabulary of its own.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.analysis.checks import check_dates, findings_frame
from geo.analysis.goals import developed_area_goals, goals_json, measure_goals
from geo.analysis.progress import layer_state
from geo.analysis.projects import project_parcels
from geo.domain.crs import to_metric
from geo.domain.gcj02 import wgs84_to_gcj02
from geo.domain.tables import data_table, kind, kinds, label, labels, vocabularies
from geo.domain.units import M2_PER_MU, Area, convert, parse_unit, unit_by_code
from geo.errors import ParkGeoError
from geo.render.webmap.encoding import compact_layer, to_web
from geo.render.webmap.intensity import mujun_layer
from geo.render.webmap.roads import road_layers
from geo.render.webmap.tiles import BASEMAPS

__all__ = ["MapOptions", "map_model", "timeline_dates"]


@dataclass(frozen=True)
class MapOptions:
    """How to draw the map."""

    as_of: dt.date
    basemap: str = "none"
    lang: str = settings.DEFAULT_LANG
    tianditu_key: str | None = None
    tiles: Path | None = None
    snapshot: bool = False  # no interactive controls; title, legend, scale and north arrow
    layers: tuple[str, ...] | None = None  # layer keys to show (None: all)
    extent: tuple[float, float, float, float] | None = None  # lon/lat bounds to fit


def _project_index(projects: pd.DataFrame | None) -> dict[str, dict]:
    out: dict[str, dict] = {}
    if projects is None:
        return out
    for rec in projects.to_dict("records"):
        for pid in project_parcels(rec.get("parcels")):
            if pid:
                entry = out.setdefault(pid, {"project": [], "enterprise": [], "industry": []})
                entry["project"].append(rec.get("name") or "")
                entry["enterprise"].append(rec.get("enterprise") or "")
                entry["industry"].append(rec.get("industry") or "")
    return {
        k: {f: "、".join(dict.fromkeys(x for x in v if x)) for f, v in e.items()}
        for k, e in out.items()
    }


#: Attributes the map's popups show, per staged layer, with the decimals kept for numbers.
STAGED_COLUMNS = {
    "id": None,
    "name": None,
    "zone": None,
    "parcel": None,
    "land_use": None,
    "project": None,
    "enterprise": None,
    "industry": None,
    "stage": None,
    "stage_since": None,
    "percent": 1,
    "area_m2": 1,
    "area_mu": 2,
    "declared_area_mu": 2,
    "floor_area_m2": 0,
    "allocated_on": None,
    "agreed_start_on": None,
    "last_note": None,
}


def _staged_layer(features, kind_name: str, records, *, as_of, crs, projects, shift, dates):
    if features is None or not len(features):
        return None
    result = layer_state(features, records, kind_name=kind_name, as_of=as_of, dates=dates)
    state = result.features
    state["area_m2"] = to_metric(state, crs).geometry.area.to_numpy()
    state["area_mu"] = state["area_m2"] / M2_PER_MU
    if kind_name == "parcels":
        index = _project_index(projects)
        for field in ("project", "enterprise", "industry"):
            # object first: a park with no projects maps every parcel to NaN (float)
            values = state["id"].map({k: v[field] for k, v in index.items()})
            state[field] = values.astype(object).fillna("")
    columns = {}
    for name, digits in STAGED_COLUMNS.items():
        if name in state.columns:
            values = state[name]
            columns[name] = values.round(digits) if digits is not None else values
    # the stage order on each date of the time control, one digit per date
    orders = result.stage_orders
    digits = np.ascontiguousarray(orders.astype(np.uint8) + ord("0"))
    columns["ts"] = digits.view(f"S{max(digits.shape[1], 1)}").ravel().astype(str)
    return {
        "key": kind_name,
        "vocab": kind(kind_name).stages,
        "geometry": "polygon",
        "data": compact_layer(state, columns, geometry="polygon", shift=shift),
        "count": len(state),
    }


def timeline_dates(records: pd.DataFrame | None, as_of: dt.date) -> list[dt.date]:
    """Year ends from the first recorded year (at least the previous one) to *as_of*."""
    first = as_of.year - 1
    if records is not None and len(records):
        first = min(first, int(str(records["date"].min())[:4]))
    return [dt.date(y, 12, 31) for y in range(first, as_of.year)] + [as_of]


def map_model(store, manifest, options: MapOptions) -> dict:
    """Everything the map shows, as JSON-ready data; each stored layer is read once."""
    shift = BASEMAPS[options.basemap][3]
    as_of, crs = options.as_of, manifest.crs
    staged = _staged_kinds()
    stored = {k: store.read_kind(k) for k in ("zones", *staged, "roads", "projects", "progress")}
    records = stored["progress"]
    dates = timeline_dates(records, as_of)
    layers = []
    zones = stored["zones"]
    if zones is not None and len(zones):
        z = zones.copy()
        z["area_m2"] = to_metric(z, crs).geometry.area.round(1).to_numpy()
        z["area_mu"] = (z["area_m2"] / M2_PER_MU).round(2)
        cols = {c: z[c] for c in ("id", "name", "name_en", "area_m2", "area_mu") if c in z}
        layers.append(
            {
                "key": "zones",
                "geometry": "polygon",
                "count": len(z),
                "data": compact_layer(z, cols, geometry="polygon", shift=shift),
            }
        )
    for kind_name in staged:
        layer = _staged_layer(
            stored[kind_name],
            kind_name,
            records,
            as_of=as_of,
            crs=crs,
            projects=stored["projects"],
            shift=shift,
            dates=dates,
        )
        if layer:
            layers.append(layer)
    layers.extend(
        road_layers(
            stored["roads"],
            records,
            dates=dates,
            tolerance=manifest.road_scale_tolerance,
            shift=shift,
        )
    )
    features = sum(len(stored[k]) for k in staged if stored[k] is not None)
    checked = _checked(features, dates)
    classed = mujun_layer(store, manifest, as_of=as_of, lang=options.lang, shift=shift)
    if classed:
        layers.append(classed)
    findings, unplaced = _findings_layer(store, manifest, dates, checked=checked, shift=shift)
    if findings:
        layers.append(findings)
    if options.layers is not None:
        layers = [layer for layer in layers if layer["key"] in options.layers]
    bounds = _bounds(
        [stored["zones"], stored["parcels"], stored["roads"]], shift=shift, extent=options.extent
    )
    measured = _measured(store, manifest, dates)
    goals_on = [_goals_shown(results, options.lang) for results in measured]
    styles = {
        name: {s.code: {"color": s.color, "zh": s.zh, "en": s.en, "order": s.order} for s in stages}
        for name, stages in vocabularies().items()
    }
    fields = {
        k.name: {f.name: {"zh": f.label_zh, "en": f.label_en} for f in k.fields}
        for k in (kind(n) for n in ("zones", *staged))
    }
    return {
        "title": manifest.display_name(options.lang),
        "as_of": as_of.isoformat(),
        "lang": options.lang,
        "labels": labels(options.lang),
        "units": {code: unit_by_code(code).label(options.lang) for code in ("m2", "mu", "km2")},
        "styles": styles,
        "severity": _map_table()["severity"],
        "fields": fields,
        "layers": _dressed(layers, options.lang),
        "bounds": bounds,
        "goals": goals_on[-1],
        "goals_on": goals_on,
        "timeline": _timeline(dates, measured),
        "shifted": shift,
        "snapshot": options.snapshot,
        # findings with no place on the map (a project's): listed in the findings panel
        "findings_unplaced": unplaced,
        "data_source": manifest.data_source.strip() or label("placeholder", options.lang),
        "review_number": manifest.map_review_number.strip() or label("placeholder", options.lang),
    }


def _measured(store, manifest, dates: list[dt.date]) -> list[list]:
    """The goals measured on each of *dates* (empty lists without a goals table)."""
    if store.read_kind("goals") is None:
        return [[] for _ in dates]
    return [measure_goals(store, as_of=date, crs=manifest.crs) for date in dates]


def _goals_shown(results: list, lang: str) -> list[dict]:
    """:func:`goals_json` rows, each with ``whole`` (its unit counts things: projects,
    enterprises; printed as a whole number) and ``unit_label`` in *lang*."""
    out = []
    for goal in goals_json(results):
        unit = parse_unit(goal["unit"])
        whole = unit is not None and unit.quantity == "count"
        shown = unit.label(lang) if unit else goal["unit"]
        # the panel shows the strings every output shows (geo.domain.quantities)
        texts = {code: _goal_panel_texts(goal, code) for code in ("zh", "en")}
        out.append({**goal, "whole": whole, "unit_label": shown, "texts": texts})
    return out


def _goal_panel_texts(goal: dict, lang: str) -> dict:
    from geo.domain.quantities import goal_texts

    t = goal_texts(goal, lang)
    figures = f"{label('this_year', lang)} {t.achieved} / {label('target', lang)} {t.target}"
    if t.percent:
        figures += f"（{t.percent}）" if lang == "zh" else f" ({t.percent})"
    if t.to_date:
        figures += f"　{label('to_date', lang)} {t.to_date}"
    return {"name": t.metric, "unit": t.unit, "figures": figures, "status": t.status}


def _timeline(dates: list[dt.date], measured: list[list]) -> list[dict]:
    """Developed area to date on each of *dates*, measured as the goals measure it.

    The area is None when the project has no developed-area goal (which says what counts
    as developed); the dates still drive the time control.
    """
    out = []
    for date, results in zip(dates, measured, strict=True):
        goals = developed_area_goals(results)
        entry = {"date": date.isoformat(), "m2": None, "km2": None, "mu": None}
        if goals and goals[0].achieved_to_date is not None:
            area = Area(
                convert(goals[0].achieved_to_date, parse_unit(goals[0].unit), parse_unit("m2"))
            )
            entry.update(m2=area.m2, km2=area.km2, mu=area.mu)
        out.append(entry)
    return out


#: Finding fields the map's popups show.
_FINDING_FIELDS = ("rule", "severity", "title_zh", "title_en", "layer", "ids")
_FINDING_FIELDS += ("value", "threshold", "unit", "message_zh", "message_en")


def _findings_layer(
    store, manifest, dates: list[dt.date], *, checked: list[int], shift: bool
) -> tuple[dict | None, list[dict]]:
    """The findings of every date of the time control, each drawn once: ``ts`` says on which
    dates (``1``) a finding holds; a finding whose message changes with the date (years idle)
    is one feature per message. Returns the layer (None when no finding has a place) and
    the findings with no polygon (a project's), as dicts with the same fields and ``ts``."""
    rows: dict[tuple, dict] = {}
    geoms: dict[tuple, object] = {}
    unplaced: dict[tuple, dict] = {}
    crs = None
    results = check_dates(store, manifest, [dates[i] for i in checked], summary=False)
    for i in checked:
        found = findings_frame(results[dates[i]])
        if not len(found) or not isinstance(found, gpd.GeoDataFrame):
            continue
        drawn = found.geometry.notna() & ~found.geometry.is_empty
        drawn &= found.geometry.geom_type.isin(["Polygon", "MultiPolygon"])
        for rec in found[~drawn].to_dict("records"):  # a project's finding: no place
            fields = {f: rec.get(f) for f in _FINDING_FIELDS if f in rec}
            key = ("unplaced", *map(str, fields.values()))
            unplaced.setdefault(key, {**fields, "flags": ["0"] * len(dates)})["flags"][i] = "1"
        found = found[drawn]
        crs = found.crs
        for rec, geom in zip(found.to_dict("records"), found.geometry, strict=True):
            fields = {f: rec.get(f) for f in _FINDING_FIELDS if f in rec}
            key = (*map(str, fields.values()), geom.wkb)
            if key not in rows:
                rows[key] = {**fields, "flags": ["0"] * len(dates)}
                geoms[key] = geom
            rows[key]["flags"][i] = "1"
    unplaced_out = [
        {**{k: v for k, v in u.items() if k != "flags"}, "ts": "".join(u["flags"])}
        for u in unplaced.values()
    ]
    if not rows:
        return None, unplaced_out
    frame = pd.DataFrame(list(rows.values()))
    frame["ts"] = ["".join(flags) for flags in frame.pop("flags")]
    layer = gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(list(geoms.values())), crs=crs)
    cols = {c: layer[c] for c in layer.columns if c != layer.geometry.name}
    return {
        "key": "findings",
        "geometry": "polygon",
        "dates": [dates[i].isoformat() for i in checked],
        "count": len(layer),
        "data": compact_layer(layer, cols, geometry="polygon", shift=shift),
    }, unplaced_out


def _checked(features: int, dates: list[dt.date]) -> list[int]:
    """Indices of the dates whose findings the map shows: every date, or for a park of more
    staged features than ``every_date_max_features`` (map.toml; the checks take seconds per
    date there) the map's own date only."""
    limit = _map_table()["layers"]["findings"]["every_date_max_features"]
    return list(range(len(dates))) if features <= limit else [len(dates) - 1]


@functools.cache
def _map_table() -> dict:
    return data_table("map.toml")


def _staged_kinds() -> list[str]:
    """Kinds whose features stand at a stage and are drawn as areas (kinds.toml)."""
    return [k.name for k in kinds().values() if k.stages and k.geometry == "polygon"]


def _dressed(layers: list[dict], lang: str) -> list[dict]:
    """Each layer with its form, style and title (map.toml, labels.toml), in draw order."""
    table = _map_table()
    order = list(table["layers"])
    staged_at = max((order.index(k) for k in _staged_kinds() if k in order), default=0)
    ranked = []
    for layer in layers:
        key = layer["key"]
        entry = table["layers"].get(key, table["staged_default"])
        rank = order.index(key) if key in order else staged_at + 0.5
        title = label(key, lang) if key in labels(lang) else kind(key).label(lang)
        ranked.append((rank, {**layer, **entry, "title": title}))
    return [layer for _, layer in sorted(ranked, key=lambda pair: pair[0])]


def _bounds(frames, *, shift: bool, extent=None) -> list[list[float]]:
    if extent is not None:
        lon0, lat0, lon1, lat1 = extent
    else:
        boxes = [
            to_web(f.crs).transform_bounds(*f.total_bounds)
            for f in frames
            if f is not None and len(f) and isinstance(f, gpd.GeoDataFrame)
        ]
        if not boxes:
            raise ParkGeoError("the store holds no spatial layer to map; run `parkgeo import`.")
        b = np.array(boxes)
        lon0, lat0, lon1, lat1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
    if shift:
        (lon0, lon1), (lat0, lat1) = wgs84_to_gcj02([lon0, lon1], [lat0, lat1])
    return [[float(lat0), float(lon0)], [float(lat1), float(lon1)]]
