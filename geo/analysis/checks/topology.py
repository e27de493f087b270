"""Land-bureau checks (国土检查) over the store, and the allocation summary reported upward.

Each rule is a small function registered under its id with :func:`rule`; the rule table
``geo/data/checks.toml`` gives its severity, titles, unit and thresholds (overridable in
park.toml ``[checks]``). Land-use codes and the building kinds allowed on them are the data
table ``geo/data/landuse.toml``. :func:`run_checks` runs every rule and returns findings and
the summary as data; the CLI prints them and writes the ``findings`` layer through the store.

Areas are measured in the working CRS (a projected metric CRS). A feature whose geometry is
empty, invalid or of the wrong type is reported once, by ``geometry_invalid`` or
``geometry_type``, and left out of every geometric rule.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.progress import layer_state
from geo.analysis.projects import project_parcels
from geo.domain.crs import to_metric
from geo.domain.tables import data_table, kind, kinds, vocabulary
from geo.domain.units import M2_PER_HECTARE, M2_PER_MU, WAN_PER_YI
from geo.domain.values import as_number, as_text
from geo.errors import ManifestError, StoreError
from geo.store import Store

__all__ = [
    "CheckResult",
    "Finding",
    "LandUse",
    "Rule",
    "check_thresholds",
    "findings_frame",
    "findings_table",
    "land_use_table",
    "lookup_land_use",
    "registered_rules",
    "rule",
    "rule_table",
    "run_checks",
    "summary_frames",
]

SEVERITIES = ("error", "warning")
#: Kinds whose features the geometric rules look at (zones are the reference).
SITED_KINDS = ("parcels", "factories", "housing")
BUILDING_KINDS = ("factories", "housing")
#: Kinds written by parkgeo itself, never checked.
OUTPUT_KINDS = ("findings",)
#: Gap pieces must lie within this distance (m) of two parcels to be "between parcels".
_TOUCH_M = 0.01

# ---------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Rule:
    """One entry of ``checks.toml``."""

    id: str
    order: int
    severity: str
    title_zh: str
    title_en: str
    unit: str
    thresholds: tuple[tuple[str, float], ...]
    params: tuple[tuple[str, float], ...] = ()

    @property
    def primary(self) -> str | None:
        """The threshold a finding reports beside its value (the first one)."""
        return self.thresholds[0][0] if self.thresholds else None

    def param(self, name: str) -> float:
        return dict(self.params)[name]

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class LandUse:
    """A land-use code of ``landuse.toml`` and the building kinds allowed on it."""

    code: str
    standard: str
    zh: str
    en: str
    buildings: tuple[str, ...]

    def label(self, lang: str = "zh") -> str:
        return f"{self.code} {self.zh if lang == 'zh' else self.en}"


@cache
def rule_table() -> dict[str, Rule]:
    """The rules of ``checks.toml`` by id, in report order."""
    out = {}
    fixed = ("severity", "title_zh", "title_en", "unit", "thresholds")
    for order, (rule_id, spec) in enumerate(data_table("checks.toml").items()):
        if spec.get("severity") not in SEVERITIES:
            raise ValueError(f"checks.toml [{rule_id}]: severity must be one of {SEVERITIES}")
        out[rule_id] = Rule(
            id=rule_id,
            order=order,
            severity=spec["severity"],
            title_zh=spec["title_zh"],
            title_en=spec["title_en"],
            unit=spec.get("unit", ""),
            thresholds=tuple((k, float(v)) for k, v in spec.get("thresholds", {}).items()),
            params=tuple((k, float(v)) for k, v in spec.items() if k not in fixed),
        )
    return out


@cache
def land_use_table() -> dict[str, LandUse]:
    """Land-use codes of ``landuse.toml`` by code, in table order."""
    return {
        e["code"]: LandUse(
            code=e["code"],
            standard=e["standard"],
            zh=e["zh"],
            en=e["en"],
            buildings=tuple(e["buildings"]),
        )
        for e in data_table("landuse.toml")["code"]
    }


_CODE = re.compile(r"\s*([0-9]+(?:\.0+)?|[A-Za-z][0-9]?)(?![A-Za-z0-9])\s*(.*)", re.S)


def lookup_land_use(value: object) -> LandUse | None:
    """The land-use entry for a parcel's ``land_use`` text, or None when it is not known.

    Accepts a code (``0601``, ``601`` or ``601.0`` from a spreadsheet, ``M1``), a code
    followed by its name (``0601 工业用地``) or a Chinese name alone (``城镇住宅用地``; a name
    found in both standards resolves to GB/T 21010-2017).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    table = land_use_table()
    match = _CODE.fullmatch(text)
    if match:
        code = match.group(1).split(".")[0].upper()
        if code.isdigit() and len(code) % 2:
            code = code.zfill(len(code) + 1)
        return table.get(code)
    return next((e for e in table.values() if e.zh == text), None)


def check_thresholds(
    values: Mapping[str, object] | None = None, *, where: str = "park.toml"
) -> dict[str, float]:
    """Every threshold of the rule table, with the overrides in *values* applied.

    Parameters
    ----------
    values
        park.toml's ``[checks]`` table (``Manifest.checks``).
    where
        The file named in error messages.

    Raises
    ------
    ManifestError
        For a key that is no threshold (the valid keys are listed) or a value that is not
        a non-negative number.
    """
    defaults = {name: value for r in rule_table().values() for name, value in r.thresholds}
    out = dict(defaults)
    for key, value in (values or {}).items():
        if key not in defaults:
            valid = ", ".join(f"{k} (default {v:g})" for k, v in defaults.items())
            raise ManifestError(
                f"{where}: [checks] {key} is not a check threshold. Valid keys: {valid}."
            )
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value < 0:
            raise ManifestError(
                f"{where}: [checks] {key} = {value!r} is not a number ≥ 0. "
                f"Write e.g. {key} = {defaults[key]:g}."
            )
        out[key] = float(value)
    return out


# ---------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One problem found: which rule, how bad, which features, what was measured."""

    rule: str
    severity: str
    layer: str
    ids: tuple[str, ...]
    value: float | None
    threshold: float | None
    unit: str
    message_zh: str
    message_en: str
    geometry: shapely.Geometry | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        spec = rule_table()[self.rule]
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title_zh": spec.title_zh,
            "title_en": spec.title_en,
            "layer": self.layer,
            "ids": list(self.ids),
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class CheckResult:
    """Findings (errors first, then by rule-table order) and the allocation summary."""

    as_of: dt.date
    crs: str
    thresholds: dict[str, float]
    findings: list[Finding]
    summary: dict

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def counts(self) -> dict[str, int]:
        return {"error": len(self.errors), "warning": len(self.warnings)}

    def as_dict(self) -> dict:
        """The JSON shape of ``parkgeo check --json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "crs": self.crs,
            "counts": self.counts(),
            "thresholds": dict(self.thresholds),
            "findings": [f.as_dict() for f in self.findings],
            "summary": self.summary,
        }


RuleFunction = Callable[["_Context", Rule], Iterable[Finding]]
_REGISTRY: dict[str, RuleFunction] = {}


def rule(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under *rule_id*, an id of ``checks.toml``."""

    def register(func: RuleFunction) -> RuleFunction:
        if rule_id not in rule_table():
            raise KeyError(f"rule {rule_id!r} is not in checks.toml")
        if rule_id in _REGISTRY:
            raise KeyError(f"rule {rule_id!r} is registered twice")
        _REGISTRY[rule_id] = func
        return func

    return register


def registered_rules() -> dict[str, RuleFunction]:
    """Rule id → function, in rule-table order."""
    return {r: _REGISTRY[r] for r in rule_table() if r in _REGISTRY}


# ---------------------------------------------------------------------------- context


def _date(value: object) -> dt.date | None:
    """A stored ISO date; None when empty (or "NaT", which some stores hold for no date)."""
    text = as_text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _add_years(date: dt.date, years: float) -> dt.date:
    whole = int(years)
    if whole == years:
        try:
            return date.replace(year=date.year + whole)
        except ValueError:  # 29 February in a year that has none
            return date.replace(year=date.year + whole, day=28)
    return date + dt.timedelta(days=round(years * 365.25))


def _polygonal_area(geom) -> float:
    if geom is None or geom.is_empty:
        return 0.0
    return float(sum(g.area for g in shapely.get_parts(geom) if g.geom_type in _POLY))


_POLY = ("Polygon", "MultiPolygon")


def _polygonal(geom):
    """A polygonal geometry for the findings layer (lines and points get a 1 m buffer)."""
    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLY]
    if parts:
        return shapely.union_all(parts)
    return geom.buffer(1.0)


def _ids_text(ids: Iterable[str]) -> str:
    return "、".join(ids)


def _ids_en(ids: Iterable[str]) -> str:
    return ", ".join(ids)


class _Context:
    """What the rules share: the stored layers in the working CRS and their states."""

    def __init__(self, store: Store, *, as_of, crs, thresholds, quotas):
        self.store = store
        self.as_of = as_of
        self.crs = crs
        self.thresholds = thresholds
        self.quotas = dict(quotas or {})
        land = {s.code: s for s in vocabulary("land")}
        self.allocated = land["allocated"].order
        self.started = land["started"].order
        self.completed = land["completed"].order

    def finding(
        self,
        spec: Rule,
        *,
        layer: str,
        ids: Iterable[str],
        zh: str,
        en: str,
        value: float | None = None,
        threshold: float | None = None,
        geometry=None,
    ) -> Finding:
        if threshold is None and spec.primary:
            threshold = self.thresholds[spec.primary]
        return Finding(
            rule=spec.id,
            severity=spec.severity,
            layer=layer,
            ids=tuple(ids),
            value=None if value is None else float(value),
            threshold=None if threshold is None else float(threshold),
            unit=spec.unit,
            message_zh=zh,
            message_en=en,
            geometry=_polygonal(geometry),
        )

    @cached_property
    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Every stored spatial layer by kind, in the working CRS."""
        out = {}
        for k in kinds().values():
            if not k.spatial or k.name in OUTPUT_KINDS:
                continue
            frame = self.store.read_kind(k.name)
            if not isinstance(frame, gpd.GeoDataFrame):
                continue
            frame = frame.reset_index(drop=True)
            frame["id"] = frame["id"].map(as_text)
            out[k.name] = to_metric(frame, self.crs) if frame.crs is not None else frame
        return out

    @cached_property
    def good_masks(self) -> dict[str, np.ndarray]:
        """Per kind: True where the geometry is present, valid and of the kind's type."""
        out = {}
        for name, frame in self.layers.items():
            geoms = frame.geometry.array
            present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
            typed = frame.geometry.geom_type.isin(kind(name).geometry_types).to_numpy()
            out[name] = present & typed & shapely.is_valid(geoms)
        return out

    def good(self, name: str) -> gpd.GeoDataFrame | None:
        frame = self.layers.get(name)
        return None if frame is None else frame[self.good_masks[name]]

    def geoms_by_id(self, name: str) -> dict[str, object]:
        frame = self.good(name)
        if frame is None:
            return {}
        return dict(zip(frame["id"], frame.geometry, strict=True))

    @cached_property
    def records(self) -> pd.DataFrame | None:
        return self.store.read_kind("progress")

    @cached_property
    def states(self) -> dict[str, pd.DataFrame]:
        """Staged layers with each feature's state on the as-of date, indexed by id."""
        out = {}
        for name in SITED_KINDS:
            frame = self.layers.get(name)
            if frame is not None:
                state = layer_state(frame, self.records, kind_name=name, as_of=self.as_of)
                out[name] = state.features.set_index("id", drop=False)
        return out

    @cached_property
    def parcel_area_m2(self) -> pd.Series:
        """Measured area of every parcel (invalid ones made valid first; NaN when none)."""
        frame = self.layers.get("parcels")
        if frame is None:
            return pd.Series(dtype="float64")
        areas = []
        for geom in frame.geometry:
            if geom is None or geom.is_empty:
                areas.append(np.nan)
            else:
                areas.append(_polygonal_area(geom if geom.is_valid else shapely.make_valid(geom)))
        return pd.Series(areas, index=frame["id"].to_numpy(), dtype="float64")

    @cached_property
    def zone_geoms(self) -> dict[str, object]:
        return self.geoms_by_id("zones")

    @cached_property
    def park(self):
        """The park boundary: the union of the zones (None without a zones layer)."""
        geoms = list(self.zone_geoms.values())
        return shapely.union_all(geoms) if geoms else None

    @cached_property
    def projects(self) -> pd.DataFrame | None:
        frame = self.store.read_kind("projects")
        if frame is None:
            return None
        frame = pd.DataFrame(frame).reset_index(drop=True)
        frame["id"] = frame["id"].map(as_text)
        return frame

    @cached_property
    def project_parcels(self) -> dict[str, list[str]]:
        """Project id → the parcel ids it names (``parcels``: ids joined by ";")."""
        if self.projects is None:
            return {}
        cells = self.projects.get("parcels", pd.Series([None] * len(self.projects)))
        return {
            pid: project_parcels(cell) for pid, cell in zip(self.projects["id"], cells, strict=True)
        }

    @cached_property
    def parcel_projects(self) -> dict[str, list[str]]:
        """Parcel id → the projects naming it, in table order."""
        out: dict[str, list[str]] = {}
        for project, parcels in self.project_parcels.items():
            for parcel in dict.fromkeys(parcels):
                out.setdefault(parcel, []).append(project)
        return out

    def project_row(self, project_id: str) -> dict:
        rows = self.projects[self.projects["id"] == project_id]
        return rows.iloc[0].to_dict() if len(rows) else {}

    def parcel_of(self, building: Mapping) -> str | None:
        """The parcel a building stands on: its ``parcel`` field, else the one it overlaps most."""
        named = as_text(building.get("parcel"))
        if named:
            return named
        geom = building.get("geometry")
        parcels = self.good("parcels")
        if geom is None or parcels is None or geom.is_empty or not geom.is_valid:
            return None
        best, best_area = None, 0.0
        for pid, pgeom in zip(parcels["id"], parcels.geometry, strict=True):
            area = _polygonal_area(geom.intersection(pgeom))
            if area > best_area:
                best, best_area = pid, area
        return best

    @cached_property
    def _buildings_by_parcel(self) -> dict[str, list[tuple[str, dict]]]:
        out: dict[str, list[tuple[str, dict]]] = {}
        for name in BUILDING_KINDS:
            state = self.states.get(name)
            if state is None:
                continue
            for row in state.to_dict("records"):
                pid = self.parcel_of(row)
                if pid is not None:
                    out.setdefault(pid, []).append((name, row))
        return out

    def buildings_on(self, parcel_id: str) -> list[tuple[str, dict]]:
        """(kind, state row) of every building standing on parcel *parcel_id*."""
        return self._buildings_by_parcel.get(parcel_id, [])

    def allocated_parcels(self) -> pd.DataFrame:
        state = self.states.get("parcels")
        if state is None:
            return pd.DataFrame(columns=["id", "stage_order"])
        return state[state["stage_order"] >= self.allocated]


def _label(kind_name: str, lang: str = "zh") -> str:
    return kind(kind_name).label(lang) if kind_name in kinds() else kind_name


def _en_label(kind_name: str) -> str:
    return {"parcels": "parcel", "factories": "factory", "housing": "housing block"}.get(
        kind_name, kind_name
    )


# ---------------------------------------------------------------------------- rules: geometry


@rule("geometry_invalid")
def _geometry_invalid(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    for name, frame in ctx.layers.items():
        for fid, geom in zip(frame["id"], frame.geometry, strict=True):
            if geom is None or geom.is_empty:
                yield ctx.finding(
                    spec,
                    layer=name,
                    ids=[fid],
                    zh=f"{_label(name)} {fid} 的几何图形为空；请在 GIS 中补绘或删除该要素。",
                    en=f"{name} {fid}: the geometry is empty; draw it or delete the feature.",
                )
            elif not geom.is_valid:
                reason = shapely.is_valid_reason(geom)
                yield ctx.finding(
                    spec,
                    layer=name,
                    ids=[fid],
                    geometry=geom,
                    zh=f"{_label(name)} {fid} 的几何图形无效（{reason}）；请修复后重新导入"
                    "（parkgeo import --repair）。",
                    en=f"{name} {fid}: invalid geometry ({reason}); fix it and import again "
                    "(parkgeo import --repair).",
                )


@rule("geometry_type")
def _geometry_type(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    for name, frame in ctx.layers.items():
        expected = kind(name).geometry_types
        for fid, geom in zip(frame["id"], frame.geometry, strict=True):
            if geom is None or geom.is_empty or geom.geom_type in expected:
                continue
            yield ctx.finding(
                spec,
                layer=name,
                ids=[fid],
                geometry=geom,
                zh=f"{_label(name)} {fid} 是 {geom.geom_type}，该图层应为 {'/'.join(expected)}。",
                en=f"{name} {fid} is a {geom.geom_type}; a {name} layer holds "
                f"{'/'.join(expected)}.",
            )


# ---------------------------------------------------------------------------- rules: parcels


@rule("parcel_overlap")
def _parcel_overlap(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.good("parcels")
    if parcels is None or len(parcels) < 2:
        return
    limit = ctx.thresholds["overlap_min_m2"]
    ids = parcels["id"].tolist()
    geoms = parcels.geometry.array
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    for i, j in sorted(zip(left.tolist(), right.tolist(), strict=True)):
        if i >= j:
            continue
        overlap = shapely.intersection(geoms[i], geoms[j])
        area = _polygonal_area(overlap)
        if area <= limit:
            continue
        a, b = sorted((ids[i], ids[j]))
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[a, b],
            value=area,
            geometry=overlap,
            zh=f"地块 {a} 与 {b} 重叠 {area:,.2f} m²（{area / M2_PER_MU:,.2f} 亩），"
            f"超过容许值 {limit:g} m²。",
            en=f"parcels {a} and {b} overlap by {area:,.2f} m² ({area / M2_PER_MU:,.2f} mu), "
            f"more than the {limit:g} m² tolerated.",
        )


@rule("parcel_gap")
def _parcel_gap(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    """Gaps narrower than the width threshold between parcels of one zone.

    A morphological closing of the union of the zone's parcels (grow by half the width,
    shrink back, mitred corners) fills exactly the gaps, holes and slivers narrower than the
    width; what it adds and touches two different parcels is a gap between them.
    """
    parcels = ctx.good("parcels")
    if parcels is None or len(parcels) < 2:
        return
    width = ctx.thresholds["gap_max_width_m"]
    min_area = ctx.thresholds["gap_min_area_m2"]
    if width <= 0:
        return
    zones = (
        parcels["zone"].map(as_text) if "zone" in parcels.columns else pd.Series("", parcels.index)
    )
    for zone_id in dict.fromkeys(zones):
        members = parcels[(zones == zone_id).to_numpy()]
        if len(members) < 2:
            continue
        ids = members["id"].tolist()
        geoms = members.geometry.array
        union = shapely.union_all(geoms)
        grown = shapely.buffer(union, width / 2, join_style="mitre", mitre_limit=10.0)
        closed = shapely.buffer(grown, -width / 2, join_style="mitre", mitre_limit=10.0)
        tree = shapely.STRtree(geoms)
        for piece in shapely.get_parts(shapely.difference(closed, union)):
            if piece.geom_type not in _POLY or piece.area < min_area:
                continue
            touching = sorted({ids[k] for k in tree.query(piece, "dwithin", distance=_TOUCH_M)})
            if len(touching) < 2:
                continue
            radius = shapely.maximum_inscribed_circle(piece, tolerance=0.001).length
            gap_width = 2 * radius
            zone_zh = f"片区 {zone_id} 内" if zone_id else "未注明片区的"
            zone_en = f"in zone {zone_id}" if zone_id else "without a zone"
            yield ctx.finding(
                spec,
                layer="parcels",
                ids=touching,
                value=gap_width,
                threshold=width,
                geometry=piece,
                zh=f"{zone_zh}地块 {_ids_text(touching)} 之间有宽约 {gap_width:,.2f} m、"
                f"面积 {piece.area:,.2f} m² 的缝隙或碎片（窄于 {width:g} m）。",
                en=f"a gap or sliver {gap_width:,.2f} m wide, {piece.area:,.2f} m² "
                f"(narrower than {width:g} m), between parcels {_ids_en(touching)} {zone_en}.",
            )


def _sited(ctx: _Context) -> Iterable[tuple[str, dict]]:
    for name in SITED_KINDS:
        frame = ctx.good(name)
        if frame is not None:
            for row in frame.to_dict("records"):
                yield name, row


@rule("outside_park")
def _outside_park(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    if ctx.park is None:
        return
    limit = ctx.thresholds["outside_park_m2"]
    for name, row in _sited(ctx):
        outside = shapely.difference(row["geometry"], ctx.park)
        area = _polygonal_area(outside)
        if area <= limit:
            continue
        fid = row["id"]
        yield ctx.finding(
            spec,
            layer=name,
            ids=[fid],
            value=area,
            geometry=outside,
            zh=f"{_label(name)} {fid} 有 {area:,.2f} m²（{area / M2_PER_MU:,.2f} 亩）"
            "在园区范围（各片区合并）之外。",
            en=f"{_en_label(name)} {fid}: {area:,.2f} m² ({area / M2_PER_MU:,.2f} mu) lies "
            "outside the park (the union of the zones).",
        )


@rule("outside_zone")
def _outside_zone(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    if ctx.park is None:
        return
    limit = ctx.thresholds["outside_zone_m2"]
    known = set(ctx.layers["zones"]["id"])
    for name, row in _sited(ctx):
        zone_id, fid = as_text(row.get("zone")), row["id"]
        if not zone_id:
            continue
        if zone_id not in known:
            yield ctx.finding(
                spec,
                layer=name,
                ids=[fid, zone_id],
                geometry=row["geometry"],
                zh=f"{_label(name)} {fid} 的所属片区 {zone_id} 不在片区图层中"
                f"（已有：{_ids_text(sorted(known))}）。",
                en=f"{_en_label(name)} {fid}: its zone {zone_id} is not in the zones layer "
                f"(which has {_ids_en(sorted(known))}).",
            )
            continue
        zone = ctx.zone_geoms.get(zone_id)
        if zone is None:  # the zone's own geometry is broken; reported by the geometry rules
            continue
        # the part outside the park is the outside_park rule's finding
        outside = shapely.difference(shapely.intersection(row["geometry"], ctx.park), zone)
        area = _polygonal_area(outside)
        if area <= limit:
            continue
        yield ctx.finding(
            spec,
            layer=name,
            ids=[fid, zone_id],
            value=area,
            geometry=outside,
            zh=f"{_label(name)} {fid} 有 {area:,.2f} m²（{area / M2_PER_MU:,.2f} 亩）"
            f"在所属片区 {zone_id} 之外。",
            en=f"{_en_label(name)} {fid}: {area:,.2f} m² ({area / M2_PER_MU:,.2f} mu) lies "
            f"outside its zone {zone_id}.",
        )


# ---------------------------------------------------------------------------- rules: buildings


@rule("building_outside_parcel")
def _building_outside_parcel(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    limit = ctx.thresholds["building_outside_parcel_m2"]
    parcels = ctx.geoms_by_id("parcels")
    all_parcels = set(ctx.layers["parcels"]["id"]) if "parcels" in ctx.layers else set()
    for name in BUILDING_KINDS:
        frame = ctx.good(name)
        if frame is None or "parcel" not in frame.columns:
            continue
        for row in frame.to_dict("records"):
            fid, pid = row["id"], as_text(row.get("parcel"))
            if not pid:
                continue
            if pid not in all_parcels:
                yield ctx.finding(
                    spec,
                    layer=name,
                    ids=[fid, pid],
                    geometry=row["geometry"],
                    zh=f"{_label(name)} {fid} 的所在地块 {pid} 不存在；请更正所在地块字段。",
                    en=f"{_en_label(name)} {fid}: its parcel {pid} does not exist; fix the "
                    "parcel field.",
                )
                continue
            if pid not in parcels:
                continue
            outside = shapely.difference(row["geometry"], parcels[pid])
            area = _polygonal_area(outside)
            if area <= limit:
                continue
            yield ctx.finding(
                spec,
                layer=name,
                ids=[fid, pid],
                value=area,
                geometry=outside,
                zh=f"{_label(name)} {fid} 的占地有 {area:,.2f} m² 超出所在地块 {pid}。",
                en=f"{_en_label(name)} {fid}: {area:,.2f} m² of its footprint lies outside "
                f"its parcel {pid}.",
            )


@rule("building_on_unallocated")
def _building_on_unallocated(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    """A building under construction (past its first stage) on a parcel not yet allocated."""
    parcels = ctx.states.get("parcels")
    if parcels is None:
        return
    for name in BUILDING_KINDS:
        state = ctx.states.get(name)
        if state is None:
            continue
        for row in state.to_dict("records"):
            if row["stage_order"] <= 0:
                continue
            pid = ctx.parcel_of(row)
            if pid is None or pid not in parcels.index:
                continue
            parcel = parcels.loc[pid]
            if parcel["stage_order"] >= ctx.allocated:
                continue
            fid = row["id"]
            yield ctx.finding(
                spec,
                layer=name,
                ids=[fid, pid],
                geometry=row["geometry"],
                zh=f"{_label(name)} {fid} 已到{row['stage_zh']}阶段（{row['stage_since']}），"
                f"但所在地块 {pid} 截至 {ctx.as_of} 仍为{parcel['stage_zh']}，未供地。",
                en=f"{_en_label(name)} {fid} is at stage {row['stage_en']} (since "
                f"{row['stage_since']}) but its parcel {pid} is not allocated on {ctx.as_of} "
                f"(stage {parcel['stage_en']}).",
            )


# ---------------------------------------------------------------------------- rules: projects


@rule("parcel_two_projects")
def _parcel_two_projects(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    geoms = ctx.geoms_by_id("parcels")
    for pid, projects in ctx.parcel_projects.items():
        if len(projects) < 2:
            continue
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[pid, *projects],
            value=len(projects),
            geometry=geoms.get(pid),
            zh=f"地块 {pid} 同时列为 {len(projects)} 个项目的用地：{_ids_text(projects)}。",
            en=f"parcel {pid} is the land of {len(projects)} projects: {_ids_en(projects)}.",
        )


@rule("project_unknown_parcel")
def _project_unknown_parcel(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    known = set(ctx.layers["parcels"]["id"]) if "parcels" in ctx.layers else set()
    for project, parcels in ctx.project_parcels.items():
        missing = [p for p in dict.fromkeys(parcels) if p not in known]
        if missing:
            yield ctx.finding(
                spec,
                layer="projects",
                ids=[project, *missing],
                zh=f"项目 {project} 的用地地块 {_ids_text(missing)} 不在地块图层中。",
                en=f"project {project} names parcel(s) {_ids_en(missing)}, which are not in "
                "the parcels layer.",
            )


@rule("project_without_parcel")
def _project_without_parcel(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    for project, parcels in ctx.project_parcels.items():
        if not parcels:
            name = as_text(ctx.project_row(project).get("name"))
            yield ctx.finding(
                spec,
                layer="projects",
                ids=[project],
                zh=f"项目 {project}（{name}）未填用地地块。",
                en=f"project {project} ({name}) names no parcel.",
            )


@rule("parcel_without_project")
def _parcel_without_project(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    if ctx.projects is None:
        return
    geoms = ctx.geoms_by_id("parcels")
    for row in ctx.allocated_parcels().to_dict("records"):
        pid = row["id"]
        if pid not in ctx.parcel_projects:
            since = _date(row.get("allocated_on")) or row.get("stage_since") or ""
            yield ctx.finding(
                spec,
                layer="parcels",
                ids=[pid],
                geometry=geoms.get(pid),
                zh=f"地块 {pid} 已供地（{since}），但没有项目列其为用地。",
                en=f"parcel {pid} is allocated ({since}) but no project names it.",
            )


# ---------------------------------------------------------------------------- rules: areas, use


@rule("declared_area")
def _declared_area(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.good("parcels")
    if parcels is None or "declared_area_mu" not in parcels.columns:
        return
    tolerance = ctx.thresholds["declared_area_tolerance_pct"]
    for row in parcels.to_dict("records"):
        declared = as_number(row.get("declared_area_mu"))
        if declared is None:
            continue
        measured_m2 = _polygonal_area(row["geometry"])
        measured = measured_m2 / M2_PER_MU
        if measured <= 0:
            continue
        pct = abs(declared - measured) / measured * 100
        if pct <= tolerance:
            continue
        fid = row["id"]
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[fid],
            value=pct,
            geometry=row["geometry"],
            zh=f"地块 {fid} 出让面积 {declared:,.2f} 亩，图上量算 {measured:,.2f} 亩"
            f"（{measured_m2:,.2f} m²），相差 {pct:.2f}%（容许 {tolerance:g}%）。",
            en=f"parcel {fid}: declared {declared:,.2f} mu, drawn {measured:,.2f} mu "
            f"({measured_m2:,.2f} m²), {pct:.2f}% apart ({tolerance:g}% tolerated).",
        )


@rule("land_use_conflict")
def _land_use_conflict(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    parcels = ctx.states.get("parcels")
    if parcels is None or "land_use" not in parcels.columns:
        return
    for name in BUILDING_KINDS:
        frame = ctx.layers.get(name)
        if frame is None:
            continue
        for row in frame.to_dict("records"):
            pid = ctx.parcel_of(row)
            if pid is None or pid not in parcels.index:
                continue
            use = lookup_land_use(parcels.loc[pid, "land_use"])
            if use is None or name in use.buildings:
                continue
            fid = row["id"]
            allowed_zh = "、".join(_label(b) for b in use.buildings) or "无"
            allowed_en = ", ".join(use.buildings) or "none"
            yield ctx.finding(
                spec,
                layer=name,
                ids=[fid, pid],
                geometry=row["geometry"],
                zh=f"{_label(name)} {fid} 位于地块 {pid}，其用地性质为 {use.label('zh')}"
                f"（{use.standard}），该用地上可建：{allowed_zh}。",
                en=f"{_en_label(name)} {fid} stands on parcel {pid}, land use "
                f"{use.label('en')} ({use.standard}), which allows: {allowed_en}.",
            )


@rule("land_use_unknown")
def _land_use_unknown(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    frame = ctx.layers.get("parcels")
    if frame is None or "land_use" not in frame.columns:
        return
    geoms = ctx.geoms_by_id("parcels")
    for fid, value in zip(frame["id"], frame["land_use"], strict=True):
        text = as_text(value)
        if text and lookup_land_use(text) is None:
            yield ctx.finding(
                spec,
                layer="parcels",
                ids=[fid],
                geometry=geoms.get(fid),
                zh=f"地块 {fid} 的用地性质 {text!r} 不是 GB/T 21010-2017 或 GB 50137-2011 的"
                "代码（如 0601 工业用地、0701 城镇住宅用地、M1 一类工业用地）。",
                en=f"parcel {fid}: land use {text!r} is not a GB/T 21010-2017 or GB 50137-2011 "
                "code (e.g. 0601 industrial, 0701 urban residential, M1 class 1 industrial).",
            )


# ---------------------------------------------------------------------------- rules: idle land


def _unstarted(ctx: _Context) -> Iterable[tuple[dict, dt.date]]:
    """Allocated parcels not started on the as-of date, with their agreed start date."""
    for row in ctx.allocated_parcels().to_dict("records"):
        if row["stage_order"] >= ctx.started:
            continue
        started_on = _date(row.get("started_on"))
        if started_on is not None and started_on <= ctx.as_of:
            continue
        agreed = _date(row.get("agreed_start_on"))
        if agreed is not None and agreed <= ctx.as_of:
            yield row, agreed


def _idle_finding(ctx, spec, row, agreed, years_limit, zh_tail, en_tail) -> Finding:
    pid = row["id"]
    years = (ctx.as_of - agreed).days / 365.25
    return ctx.finding(
        spec,
        layer="parcels",
        ids=[pid],
        value=years,
        geometry=ctx.geoms_by_id("parcels").get(pid),
        zh=f"地块 {pid} 约定开工日期 {agreed}，截至 {ctx.as_of} 已逾 {years:.2f} 年未动工"
        f"（超过 {years_limit:g} 年）：{zh_tail}",
        en=f"parcel {pid}: agreed start {agreed}, not started {years:.2f} years later on "
        f"{ctx.as_of} (more than {years_limit:g}): {en_tail}",
    )


@rule("idle_unstarted_fee")
def _idle_unstarted_fee(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    fee_years = ctx.thresholds["idle_fee_years"]
    reclaim_years = ctx.thresholds["idle_reclaim_years"]
    share = spec.param("fee_pct")
    for row, agreed in _unstarted(ctx):
        if not ctx.as_of > _add_years(agreed, fee_years):
            continue
        if ctx.as_of > _add_years(agreed, reclaim_years):
            continue  # the reclaim rule's finding
        price = as_number(row.get("land_price_wan"))
        fee_zh = f"，约 {price * share / 100:,.2f} 万元" if price else ""
        fee_en = f", about {price * share / 100:,.2f} 万元 (10k CNY)" if price else ""
        yield _idle_finding(
            ctx,
            spec,
            row,
            agreed,
            fee_years,
            f"闲置土地，可按土地价款的 {share:g}% 征缴闲置费{fee_zh}。",
            f"idle land; an idle fee of {share:g}% of the land price may be levied{fee_en}.",
        )


@rule("idle_unstarted_reclaim")
def _idle_unstarted_reclaim(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    reclaim_years = ctx.thresholds["idle_reclaim_years"]
    for row, agreed in _unstarted(ctx):
        if ctx.as_of > _add_years(agreed, reclaim_years):
            yield _idle_finding(
                ctx,
                spec,
                row,
                agreed,
                reclaim_years,
                "闲置土地，可无偿收回土地使用权。",
                "idle land; the land-use right may be taken back without compensation.",
            )


def _built_pct(ctx: _Context, parcel: dict) -> float | None:
    """Share of the planned floor area built (%), from the parcel's buildings or its percent."""
    buildings = ctx.buildings_on(parcel["id"])
    planned_total = built_total = 0.0
    for name, b in buildings:
        planned = as_number(b.get("floor_area_m2"))
        if not planned:
            return None
        planned_total += planned
        built = as_number(b.get("floor_area_built_m2"))
        percent = as_number(b.get("percent"))
        if built is not None:
            built_total += min(built, planned)
        elif percent is not None:
            built_total += planned * percent / 100
        elif b["stage_order"] >= _completed_order(name):
            built_total += planned
        elif b["stage_order"] > 0:
            return None  # under construction, amount unknown
    if planned_total > 0:
        return built_total / planned_total * 100
    return as_number(parcel.get("percent"))


@cache
def _completed_order(kind_name: str) -> int:
    stages = vocabulary(kind(kind_name).stages)
    return next(s.order for s in stages if s.code == "completed")


def _investment_pct(ctx: _Context, parcel: dict) -> float | None:
    """Investment made (latest reports over the project's parcels) against the project's."""
    projects = ctx.parcel_projects.get(parcel["id"], [])
    if not projects:
        return None
    project = projects[0]
    planned = as_number(ctx.project_row(project).get("investment_yi"))
    if not planned:
        return None
    parcels = ctx.states["parcels"]
    made, known = 0.0, False
    for pid in ctx.project_parcels.get(project, []):
        rows = [("parcels", parcels.loc[pid].to_dict())] if pid in parcels.index else []
        for _name, row in rows + ctx.buildings_on(pid):
            value = as_number(row.get("investment_made_wan"))
            if value is not None:
                made, known = made + value, True
    return made / (planned * WAN_PER_YI) * 100 if known else None


@rule("idle_stalled")
def _idle_stalled(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    years = ctx.thresholds["stalled_years"]
    built_limit = ctx.thresholds["stalled_built_pct"]
    invest_limit = ctx.thresholds["stalled_investment_pct"]
    for row in ctx.allocated_parcels().to_dict("records"):
        if not ctx.started <= row["stage_order"] < ctx.completed:
            continue
        pid = row["id"]
        dates = [_date(row.get("last_date"))]
        dates += [_date(b.get("last_date")) for _name, b in ctx.buildings_on(pid)]
        dates = [d for d in dates if d is not None]
        if not dates:
            continue
        last = max(dates)
        if _add_years(last, years) > ctx.as_of:
            continue
        built = _built_pct(ctx, row)
        invest = _investment_pct(ctx, row)
        if built is not None and built < built_limit:
            value, limit = built, built_limit
        elif invest is not None and invest < invest_limit:
            value, limit = invest, invest_limit
        else:
            continue
        built_zh = "未知" if built is None else f"{built:.1f}%"
        invest_zh = "未知" if invest is None else f"{invest:.1f}%"
        built_en = "unknown" if built is None else f"{built:.1f}%"
        invest_en = "unknown" if invest is None else f"{invest:.1f}%"
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=[pid],
            value=value,
            threshold=limit,
            geometry=ctx.geoms_by_id("parcels").get(pid),
            zh=f"地块 {pid} 已动工，但自 {last} 起已满 {years:g} 年无进度记录，已建 {built_zh}"
            f"（不足 {built_limit:.1f}% 即三分之一）、已投资 {invest_zh}"
            f"（不足 {invest_limit:g}%）：中止开发建设，属闲置土地。",
            en=f"parcel {pid}: started, but no progress since {last} ({years:g} year(s) or "
            f"more); built {built_en} (under {built_limit:.1f}%, one third), invested "
            f"{invest_en} (under {invest_limit:g}%): stalled, idle land.",
        )


# ---------------------------------------------------------------------------- rules: quotas


def _allocations_by_year(ctx: _Context) -> dict[int | None, list[str]]:
    out: dict[int | None, list[str]] = {}
    for row in ctx.allocated_parcels().to_dict("records"):
        date = _date(row.get("allocated_on"))
        year = date.year if date is not None and date <= ctx.as_of else None
        out.setdefault(year, []).append(row["id"])
    return out


@rule("quota_exceeded")
def _quota_exceeded(ctx: _Context, spec: Rule) -> Iterable[Finding]:
    by_year = _allocations_by_year(ctx)
    geoms = ctx.geoms_by_id("parcels")
    for year, quota in sorted(ctx.quotas.items()):
        ids = by_year.get(year, [])
        area_mu = float(ctx.parcel_area_m2.reindex(ids).fillna(0).sum()) / M2_PER_MU
        if area_mu <= quota:
            continue
        parts = [geoms[p] for p in ids if p in geoms]
        yield ctx.finding(
            spec,
            layer="parcels",
            ids=ids,
            value=area_mu,
            threshold=quota,
            geometry=shapely.union_all(parts) if parts else None,
            zh=f"{year} 年供地 {area_mu:,.2f} 亩（{len(ids)} 宗），超出当年用地指标 "
            f"{quota:,.2f} 亩 {area_mu - quota:,.2f} 亩。",
            en=f"{year}: {area_mu:,.2f} mu allocated in {len(ids)} parcel(s), "
            f"{area_mu - quota:,.2f} mu over the year's land quota of {quota:,.2f} mu.",
        )


# ---------------------------------------------------------------------------- summary


def _area_entry(m2: float, count: int) -> dict:
    return {
        "count": int(count),
        "area_m2": float(m2),
        "area_mu": float(m2) / M2_PER_MU,
        "area_ha": float(m2) / M2_PER_HECTARE,
    }


def _summary(ctx: _Context) -> dict:
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
        zone_m2 = _polygonal_area(geom if geom is None or geom.is_valid else geom.buffer(0))
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
    year_of = {pid: y for y, pids in _allocations_by_year(ctx).items() for pid in pids}
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


# ---------------------------------------------------------------------------- entry points


def run_checks(
    store: Store,
    *,
    as_of: dt.date,
    crs: str,
    thresholds: Mapping[str, object] | None = None,
    quotas: Mapping[int, float] | None = None,
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
    ctx = _Context(store, as_of=as_of, crs=crs, thresholds=limits, quotas=quotas)
    table = rule_table()
    findings = [
        f for rule_id, func in registered_rules().items() for f in func(ctx, table[rule_id])
    ]
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), table[f.rule].order, f.ids))
    return CheckResult(
        as_of=as_of, crs=crs, thresholds=limits, findings=findings, summary=_summary(ctx)
    )


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


def check_project(store: Store, manifest, *, as_of: dt.date) -> CheckResult:
    """:func:`run_checks` with the project's working CRS, ``[checks]`` and ``[quotas]``.

    Findings are derived, never stored: every output asks for them on its own date.
    """
    thresholds = check_thresholds(manifest.checks, where=str(manifest.path))
    return run_checks(
        store, as_of=as_of, crs=manifest.crs, thresholds=thresholds, quotas=manifest.quotas
    )


def findings_frame(result: CheckResult) -> gpd.GeoDataFrame:
    """The findings as a layer of kind ``findings`` (geometry: the overlap, gap, feature)."""
    frame = findings_table(result)
    frame.insert(0, "id", [f"F{i + 1:04d}" for i in range(len(frame))])
    frame["as_of"] = result.as_of.isoformat()
    geoms = [f.geometry for f in result.findings]
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=result.crs), crs=result.crs)


_MISSING_KEY = {
    "zone": "(无片区 no zone)",
    "year": "(无供地日期 no date)",
    "code": "(未填 not given)",
    "industry": "(无项目 no project)",
}


def summary_frames(summary: dict) -> dict[str, pd.DataFrame]:
    """The allocation summary as tables with bilingual headers, by sheet name."""
    area_cols = {
        "count": "宗数 parcels",
        "area_mu": "面积(亩) mu",
        "area_ha": "面积(公顷) ha",
    }

    def frame(rows: list[dict], first: dict[str, str], extra: dict[str, str]) -> pd.DataFrame:
        cols = {**first, **area_cols, **extra}
        data = pd.DataFrame(rows, columns=list(cols))
        # the group key is text: a year is "2023", no value is named rather than left blank
        key = next(iter(first))
        data[key] = [_MISSING_KEY[key] if v is None else str(v) for v in data[key].astype(object)]
        return data.rename(columns=cols)

    return {
        "by zone 按片区": frame(
            summary["by_zone"],
            {"zone": "片区 zone", "name": "名称 name"},
            {
                "zone_area_mu": "片区面积(亩) zone mu",
                "remaining_mu": "片区未供(亩) left mu",
                "available_area_mu": "可供地面积(亩) available mu",
            },
        ),
        "by year 按年度": frame(
            summary["by_year"],
            {"year": "供地年度 year"},
            {"quota_mu": "用地指标(亩) quota mu", "quota_left_mu": "指标余量(亩) quota left"},
        ),
        "by land use 按用地性质": frame(
            summary["by_land_use"],
            {"code": "代码 code", "name_zh": "用地性质", "name_en": "land use"},
            {},
        ),
        "by industry 按产业": frame(summary["by_industry"], {"industry": "产业 industry"}, {}),
    }
