"""The map model: everything the interactive map shows, as JSON-ready data.

Each stored layer is read once; staged layers carry their stage on every date of the time
control, so the page restyles without asking for more data. Every kind, stage, style and
text the page shows comes from ``geo/data`` through this model: the page's script holds no
domain vocabulary of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import settings
from geo.analysis.checks import check_project, findings_frame
from geo.analysis.goals import developed_area_goals, goals_json, measure_goals
from geo.analysis.progress import layer_state
from geo.analysis.projects import project_parcels
from geo.analysis.roads import chainage_ticks, road_state, section_geometries
from geo.domain.crs import to_metric
from geo.domain.gcj02 import wgs84_to_gcj02
from geo.domain.linref import road_centerlines
from geo.domain.tables import kind, label, labels, vocabularies
from geo.domain.units import M2_PER_MU, Area, convert, parse_unit
from geo.errors import ParkGeoError
from geo.render.webmap.encoding import compact_layer, to_web
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
            state[field] = state["id"].map({k: v[field] for k, v in index.items()}).fillna("")
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


def _timeline(store, manifest, dates: list[dt.date]) -> list[dict]:
    """Developed area to date on each of *dates*, measured as the goals measure it.

    The area is None when the project has no developed-area goal (which says what counts
    as developed); the dates still drive the time control.
    """

    has_goals = store.read_kind("goals") is not None
    out = []
    for date in dates:
        goals = (
            developed_area_goals(measure_goals(store, as_of=date, crs=manifest.crs))
            if has_goals
            else []
        )
        entry = {"date": date.isoformat(), "m2": None, "km2": None, "mu": None}
        if goals and goals[0].achieved_to_date is not None:
            area = Area(
                convert(goals[0].achieved_to_date, parse_unit(goals[0].unit), parse_unit("m2"))
            )
            entry.update(m2=area.m2, km2=area.km2, mu=area.mu)
        out.append(entry)
    return out


def map_model(store, manifest, options: MapOptions) -> dict:
    """Everything the map shows, as JSON-ready data; each stored layer is read once."""
    shift = BASEMAPS[options.basemap][3]
    as_of, crs = options.as_of, manifest.crs
    stored = {
        k: store.read_kind(k)
        for k in (
            "zones",
            "parcels",
            "factories",
            "housing",
            "roads",
            "projects",
            "progress",
        )
    }
    stored["findings"] = findings_frame(check_project(store, manifest, as_of=as_of))
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
    for kind_name in ("parcels", "factories", "housing"):
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
    layers.extend(_road_layers(store, manifest, records, as_of=as_of, shift=shift))
    findings = stored["findings"]
    if findings is not None and len(findings) and isinstance(findings, gpd.GeoDataFrame):
        f = findings[~findings.geometry.is_empty & findings.geometry.notna()]
        f = f[f.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]
        cols = {
            c: f[c]
            for c in (
                "rule",
                "severity",
                "ids",
                "value",
                "threshold",
                "unit",
                "message_zh",
                "message_en",
            )
            if c in f.columns
        }
        layers.append(
            {
                "key": "findings",
                "geometry": "polygon",
                "count": len(f),
                "data": compact_layer(f, cols, geometry="polygon", shift=shift),
            }
        )
    if options.layers is not None:
        layers = [layer for layer in layers if layer["key"] in options.layers]
    bounds = _bounds(
        [stored["zones"], stored["parcels"], stored["roads"]], shift=shift, extent=options.extent
    )
    goals = _goals(store, manifest, as_of)
    styles = {
        name: {s.code: {"color": s.color, "zh": s.zh, "en": s.en, "order": s.order} for s in stages}
        for name, stages in vocabularies().items()
    }
    fields = {
        k.name: {f.name: {"zh": f.label_zh, "en": f.label_en} for f in k.fields}
        for k in (kind(n) for n in ("parcels", "factories", "housing", "zones"))
    }
    return {
        "title": manifest.name if options.lang == "zh" else manifest.name_en,
        "as_of": as_of.isoformat(),
        "lang": options.lang,
        "labels": labels(options.lang),
        "layer_labels": {
            key: label(key, options.lang)
            for key in ("zones", "parcels", "factories", "housing", "roads", "ticks", "findings")
        },
        "styles": styles,
        "fields": fields,
        "layers": layers,
        "bounds": bounds,
        "goals": goals,
        "timeline": _timeline(store, manifest, dates),
        "shifted": shift,
        "snapshot": options.snapshot,
        "data_source": manifest.data_source,
        "review_number": manifest.map_review_number,
    }


def _road_layers(store, manifest, records, *, as_of, shift) -> list[dict]:
    roads = store.read_kind("roads")
    if roads is None or not len(roads):
        return []

    centerlines = road_centerlines(roads, scale_tolerance=manifest.road_scale_tolerance)
    result = road_state(roads, records, as_of=as_of, centerlines=centerlines)
    sections = section_geometries(result, centerlines)
    ticks = chainage_ticks(centerlines)
    out = []
    if len(sections):
        cols = [c for c in sections.columns if c != sections.geometry.name]
        out.append(
            {
                "key": "roads",
                "vocab": "road",
                "geometry": "line",
                "count": len(sections),
                "data": compact_layer(
                    sections, {c: sections[c] for c in cols}, geometry="line", shift=shift
                ),
            }
        )
    if len(ticks):
        cols = [c for c in ticks.columns if c != ticks.geometry.name]
        out.append(
            {
                "key": "ticks",
                "geometry": "point",
                "count": len(ticks),
                "data": compact_layer(
                    ticks, {c: ticks[c] for c in cols}, geometry="point", shift=shift
                ),
            }
        )
    return out


def _goals(store, manifest, as_of) -> list[dict]:

    if store.read_kind("goals") is None:
        return []
    return goals_json(measure_goals(store, as_of=as_of, crs=manifest.crs))


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
