"""What the rules share: the stored layers in the working CRS, their states and lookups.

Every lookup a rule makes per feature is prepared once here (dicts by id, a spatial index),
so that the checks grow with the data rather than with its square.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.analysis.checks.base import Finding, Rule
from geo.analysis.progress import layer_state
from geo.analysis.projects import project_parcels
from geo.domain.crs import to_metric
from geo.domain.tables import kind, kinds, vocabulary
from geo.domain.values import as_text
from geo.store import Store

#: Kinds written by parkgeo itself, never checked.
OUTPUT_KINDS = ("findings",)
_POLY = ("Polygon", "MultiPolygon")


def building_kinds() -> tuple[str, ...]:
    """Kinds whose features stand on a parcel: area kinds with a ``parcel`` field in
    kinds.toml (factories, housing, and any such kind a park adds)."""
    return tuple(
        k.name
        for k in kinds().values()
        if k.geometry == "polygon" and any(f.name == "parcel" for f in k.fields)
    )


def sited_kinds() -> tuple[str, ...]:
    """Kinds whose features the geometric rules look at: the parcels and what stands on
    them (zones are the reference)."""
    return ("parcels", *building_kinds())


def parse_date(value: object) -> dt.date | None:
    """A stored ISO date; None when empty (or "NaT", which some stores hold for no date)."""
    text = as_text(value)
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def add_years(date: dt.date, years: float) -> dt.date:
    whole = int(years)
    if whole == years:
        try:
            return date.replace(year=date.year + whole)
        except ValueError:  # 29 February in a year that has none
            return date.replace(year=date.year + whole, day=28)
    return date + dt.timedelta(days=round(years * 365.25))


def polygonal_area(geom) -> float:
    if geom is None or geom.is_empty:
        return 0.0
    return float(sum(g.area for g in shapely.get_parts(geom) if g.geom_type in _POLY))


def polygonal(geom):
    """A polygonal geometry for the findings layer (lines and points get a 1 m buffer)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in _POLY and geom.is_valid:
        return geom  # uniting its parts again would change nothing (and is slow when many)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in _POLY]
    if parts:
        return shapely.union_all(parts)
    return geom.buffer(1.0)


class Context:
    """What the rules share: the stored layers in the working CRS and their states."""

    def __init__(self, store: Store, *, as_of, crs, thresholds, quotas, intensity=None):
        self.store = store
        self.as_of = as_of
        self.crs = crs
        self.thresholds = thresholds
        self.quotas = dict(quotas or {})
        #: the park's control-indicator thresholds by indicator (park.toml [intensity])
        self.intensity = dict(intensity or {})
        land = {s.code: s for s in vocabulary("land")}
        self.allocated = land["allocated"].order
        self.started = land["started"].order
        self.completed = land["completed"].order
        self._geoms: dict[str, dict[str, object]] = {}
        #: what a rule module prepares once for its rules (by key of its choice)
        self.cache: dict[str, object] = {}

    #: Cached lookups that depend on :attr:`as_of` (the rest hold for any date).
    DATED = ("states", "buildings_by_parcel", "_allocated")

    def at(self, as_of: dt.date) -> Context:
        """This context on another date: the layers, projects and spatial lookups already
        prepared are shared, the stages and allocations are taken anew on *as_of*."""
        other = copy.copy(self)
        other.as_of = as_of
        for name in self.DATED:
            other.__dict__.pop(name, None)
        return other

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
        """A finding of rule *spec* (its primary threshold unless *threshold* is given)."""
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
            geometry=polygonal(geometry),
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
        """Id → geometry of the good features of *name* (built once per kind)."""
        if name not in self._geoms:
            frame = self.good(name)
            self._geoms[name] = (
                {} if frame is None else dict(zip(frame["id"], frame.geometry, strict=True))
            )
        return self._geoms[name]

    @cached_property
    def records(self) -> pd.DataFrame | None:
        return self.store.read_kind("progress")

    @cached_property
    def states(self) -> dict[str, pd.DataFrame]:
        """Staged layers with each feature's state on the as-of date, indexed by id."""
        out = {}
        for name in sited_kinds():
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
        geoms = np.asarray(frame.geometry.array, dtype=object)
        bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        areas = np.where(bad, np.nan, shapely.area(geoms))
        # invalid ones made valid, and anything not a (multi)polygon: its polygonal parts
        odd = ~bad & (~shapely.is_valid(geoms) | ~np.isin(shapely.get_type_id(geoms), (3, 6)))
        for k in np.flatnonzero(odd):
            geom = geoms[k]
            areas[k] = polygonal_area(geom if geom.is_valid else shapely.make_valid(geom))
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

    @cached_property
    def _project_rows(self) -> dict[str, dict]:
        rows: dict[str, dict] = {}
        if self.projects is not None:
            for row in self.projects.to_dict("records"):
                rows.setdefault(row["id"], row)  # the first row of an id, as a mask's iloc[0]
        return rows

    def project_row(self, project_id: str) -> dict:
        """The (first) projects row of *project_id*; empty when there is none."""
        return self._project_rows.get(project_id, {})

    def parcel_of(self, building: Mapping) -> str | None:
        """The parcel a building stands on: its ``parcel`` field, else the one it overlaps most."""
        named = as_text(building.get("parcel"))
        if named:
            return named
        geom = building.get("geometry")
        index = self._parcel_index
        if geom is None or index is None or geom.is_empty or not geom.is_valid:
            return None
        ids, geoms, tree = index
        best, best_area = None, 0.0
        for k in sorted(tree.query(geom, predicate="intersects").tolist()):
            area = polygonal_area(geom.intersection(geoms[k]))
            if area > best_area:
                best, best_area = ids[k], area
        return best

    @cached_property
    def _parcel_index(self):
        """(ids, geometries, STRtree) of the good parcels, or None without parcels."""
        parcels = self.good("parcels")
        if parcels is None:
            return None
        geoms = parcels.geometry.array
        return parcels["id"].tolist(), geoms, shapely.STRtree(geoms)

    def placed(self, frames: Mapping[str, pd.DataFrame]) -> Iterable[tuple[str, dict, str]]:
        """(kind, row, parcel id) of every building in *frames* that stands on a parcel."""
        for name in building_kinds():
            frame = frames.get(name)
            if frame is None:
                continue
            for row in frame.to_dict("records"):
                pid = self.parcel_of(row)
                if pid is not None:
                    yield name, row, pid

    @cached_property
    def buildings_by_parcel(self) -> dict[str, list[tuple[str, dict]]]:
        """Parcel id → (kind, state row) of the buildings on it."""
        out: dict[str, list[tuple[str, dict]]] = {}
        for name, row, pid in self.placed(self.states):
            out.setdefault(pid, []).append((name, row))
        return out

    def buildings_on(self, parcel_id: str) -> list[tuple[str, dict]]:
        """(kind, state row) of every building standing on parcel *parcel_id*."""
        return self.buildings_by_parcel.get(parcel_id, [])

    def allocated_parcels(self) -> pd.DataFrame:
        """The parcels allocated on the as-of date (their state rows)."""
        return self._allocated

    @cached_property
    def _allocated(self) -> pd.DataFrame:
        state = self.states.get("parcels")
        if state is None:
            return pd.DataFrame(columns=["id", "stage_order"])
        return state[state["stage_order"] >= self.allocated]
