"""Goals against actuals: what each goal of the goals table achieved in its period.

A goal row names a layer, the stage that counts as achieved and a measure:

* ``area``: area of the union of the features that first reached the stage inside the
  period (overlapping parcels are not counted twice), measured in the working CRS and
  cross-checked geodesically on the GRS80 ellipsoid;
* ``sum:FIELD``: the sum of a field over those features (``floor_area_m2``,
  ``investment_yi``), converted to the goal's unit by the field's unit;
* ``count``: how many features reached the stage inside the period.

A feature counts in the period where it reached the stage (or any later one) for the first
time, from the progress history and the parcels' own date fields
(:func:`geo.analysis.progress.stage_history`). For a kind without stages (projects) the goal's stage
names a date field: ``signed`` is the field ``signed_on``. A goal without a layer or
measure, or whose layer the project does not have, is listed with status ``no data``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from pyproj import Geod

from geo.analysis.economy import economy_goal
from geo.analysis.geometry import union as union_of
from geo.analysis.progress import stage_history
from geo.domain.crs import to_metric
from geo.domain.goals import ECONOMY, goal_spec
from geo.domain.goals import date_field as goal_date_field
from geo.domain.tables import Labelled, accepted_labels, kind, kinds, lookup_stage, stages_for_kind
from geo.domain.units import convert, field_unit
from geo.domain.values import as_text
from geo.errors import GoalError, GoalWarning

__all__ = [
    "GEODESIC_TOLERANCE",
    "STATUSES",
    "GoalResult",
    "GoalWarning",
    "developed_area_goals",
    "first_reached",
    "geodesic_area",
    "goals_json",
    "measure_goals",
]

#: Largest relative difference between the planar and the geodesic area of a union that
#: passes without a warning (0.1 %).
GEODESIC_TOLERANCE = 0.001

#: Every status a goal can have.
STATUSES = ("no data", "met", "on track", "behind", "future", "not met")

_GEOD = Geod(ellps="GRS80")


@dataclass(frozen=True)
class GoalResult(Labelled):
    """One goal and what was achieved, in the goal's unit, as of a date.

    ``achieved`` counts the features that first reached the stage inside the period up to
    ``as_of``; ``achieved_to_date`` counts every one reached on or before ``as_of``;
    ``cumulative`` every one reached on or before the period's end (or ``as_of``, if
    earlier; None for a future period). All three are None for a goal with no data.
    """

    _zh, _en = "metric_zh", "metric_en"

    id: str
    metric_zh: str
    metric_en: str
    period_start: dt.date
    period_end: dt.date
    target: float
    unit: str
    layer: str
    stage: str
    measure: str
    note: str
    as_of: dt.date
    status: str
    achieved: float | None = None
    achieved_to_date: float | None = None
    cumulative: float | None = None
    achieved_m2: float | None = None
    projection: float | None = None
    on_track: bool | None = None
    feature_ids: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def metric(self) -> str:
        return self.metric_zh

    @property
    def is_area(self) -> bool:
        return self.measure == "area"

    @property
    def percent(self) -> float | None:
        if self.achieved is None or not self.target:
            return None
        return self.achieved / self.target * 100.0

    @property
    def remaining(self) -> float | None:
        return None if self.achieved is None else max(self.target - self.achieved, 0.0)

    @property
    def period_days(self) -> int:
        """Days in the period, both ends included."""
        return (self.period_end - self.period_start).days + 1

    @property
    def elapsed_days(self) -> int:
        """Days of the period up to and including ``as_of`` (0 before it starts)."""
        end = min(self.as_of, self.period_end)
        return max((end - self.period_start).days + 1, 0)


def first_reached(
    features: pd.DataFrame, records: pd.DataFrame | None, *, kind_name: str, stage: str
) -> dict[str, str]:
    """The ISO date each feature first reached *stage* or a later one.

    Features that never reached it are absent. For a kind with stages the history is
    :func:`geo.analysis.progress.stage_history` (progress records plus the stages a parcel's own
    dates imply); for a kind without stages *stage* names a date field (``signed`` →
    ``signed_on``), and the feature's date is that field's value.

    Parameters
    ----------
    features
        The stored layer or table (``id`` column).
    records
        The stored progress history (all kinds).
    kind_name
        Kind of *features*.
    stage
        A stage code or label of the kind's vocabulary, or a date field of a kind
        without stages.
    """
    k = kind(kind_name)
    if not k.stages:
        date_field = goal_date_field(k, stage)
        return {
            fid: date
            for fid, date in zip(features["id"], features[date_field], strict=True)
            if isinstance(date, str) and date
        }
    target = lookup_stage(k.stages, stage)
    if target is None:
        raise GoalError(
            f"unknown stage {stage!r} for layer kind {kind_name!r}; "
            f"accepted: {accepted_labels(k.stages)}"
        )
    order = {s.code: s.order for s in stages_for_kind(kind_name)}
    out = {}
    for fid, changes in stage_history(features, records, kind_name=kind_name).items():
        date = next((d for d, code in changes if order[code] >= target.order), None)
        if date is not None:
            out[fid] = date
    return out


def geodesic_area(geometry, crs) -> float:
    """Area in m² of *geometry* (in *crs*) on the GRS80 ellipsoid, via EPSG:4490."""
    if geometry is None or geometry.is_empty:
        return 0.0
    lonlat = gpd.GeoSeries([geometry], crs=crs).to_crs("EPSG:4490").iloc[0]
    area, _ = _GEOD.geometry_area_perimeter(lonlat)
    return abs(area)


def developed_area_goals(results: list[GoalResult]) -> list[GoalResult]:
    """The goals measuring developed park area: parcel area reaching a stage."""
    return [r for r in results if r.layer == "parcels" and r.is_area]


# ---------------------------------------------------------------------------- measuring


@dataclass(frozen=True)
class _Goal:
    row: dict
    where: str

    def get(self, name: str) -> str:
        return as_text(self.row.get(name))


def measure_goals(store, *, as_of: dt.date, crs: str) -> list[GoalResult]:
    """Measure every goal of the stored goals table as of *as_of*, in the table's order.

    Parameters
    ----------
    store
        The project's store (:func:`geo.store.open_store`).
    as_of
        Records and dates after it are ignored.
    crs
        The working (projected, metric) CRS areas are measured in.

    Returns
    -------
    list of GoalResult
        Empty when the project has no goals table. Issues a :class:`GoalWarning` (also
        kept in ``GoalResult.warnings``) when a union's planar and geodesic areas differ by
        more than :data:`GEODESIC_TOLERANCE`.
    """
    table = store.read_kind("goals")
    if table is None or not len(table):
        return []
    records = store.read_kind("progress")
    layers: dict[str, pd.DataFrame | None] = {}
    reached: dict[tuple[str, str], dict[str, str]] = {}
    results = []
    for row in table.to_dict("records"):
        source = f"{row.get('source_file', 'goals')} row {row.get('source_row', '?')}"
        goal = _Goal(row, f"goal {as_text(row.get('id'))!r} ({source})")
        results.append(_measure(goal, store, records, layers, reached, as_of=as_of, crs=crs))
    return results


def _measure(goal, store, records, layers, reached, *, as_of, crs) -> GoalResult:
    layer = goal.get("layer")
    if layer and goal.get("measure") and layer in kinds() and layer not in layers:
        layers[layer] = store.read_kind(layer)
    features = layers.get(layer)
    fields = None if features is None else list(features.columns)
    spec = goal_spec(goal.row, where=goal.where, fields=fields)
    start, end = spec.start, spec.end
    base = {
        "id": goal.get("id"),
        "metric_zh": goal.get("metric_zh"),
        "metric_en": goal.get("metric_en"),
        "period_start": start,
        "period_end": end,
        "target": float(goal.row["target"]),
        "unit": goal.get("unit"),
        "layer": layer,
        "stage": goal.get("stage"),
        "measure": spec.measure or goal.get("measure"),
        "note": goal.get("note"),
        "as_of": as_of,
    }
    if not spec.how or features is None:
        return GoalResult(**base, status="no data")
    if layer == ECONOMY:
        values, ids = economy_goal(features, spec, as_of=as_of)
        status, projection, on_track = _judge(base["target"], values["in"], start, end, as_of)
        return GoalResult(
            **base,
            status=status,
            achieved=values["in"],
            achieved_to_date=values["to_date"],
            cumulative=None if as_of < start else values["cum"],
            projection=projection,
            on_track=on_track,
            feature_ids=ids,
        )
    how, field, unit = spec.how, spec.field, spec.unit
    key = (layer, base["stage"])
    if key not in reached:
        try:
            reached[key] = first_reached(features, records, kind_name=layer, stage=base["stage"])
        except GoalError as exc:
            raise GoalError(f"{goal.where}: {exc}") from None
    dates = reached[key]
    ids = features["id"].astype(str)
    never = "9999-12-31"  # sorts after every date: never inside a period
    date = ids.map(lambda fid: dates.get(fid, never))
    iso_start, iso_end, iso_as_of = start.isoformat(), end.isoformat(), as_of.isoformat()
    notes: list[str] = []
    in_period = (date >= iso_start) & (date <= min(iso_end, iso_as_of))
    to_date = date <= iso_as_of
    cumulative = date <= min(iso_end, iso_as_of)
    values = {}
    if how == "area":
        metric = to_metric(features, crs)
        done: dict[bytes, float] = {}  # to date and to the period's end are often one set
        for name, mask in (("in", in_period), ("to_date", to_date), ("cum", cumulative)):
            # one cross-check per goal: the area in the period, else the area to date
            check = not notes and (name == "in" or not in_period.any())
            key = mask.to_numpy().tobytes()
            if key in done and not check:
                values[name] = done[key]
                continue
            m2, note = _union_area(metric, mask.to_numpy(), goal=goal, what=name, check=check)
            values[name] = done[key] = m2
            if note:
                notes.append(note)
        base["achieved_m2"] = values["in"]
        values = {n: v / unit.size for n, v in values.items()}
    elif how == "count":
        values = {
            "in": float(in_period.sum()),
            "to_date": float(to_date.sum()),
            "cum": float(cumulative.sum()),
        }
    else:
        source = field_unit(field)
        numbers = pd.to_numeric(features[field], errors="coerce")
        missing = ids[in_period & numbers.isna()].tolist()
        if missing:
            notes.append(f"{goal.where}: {field} is empty for {', '.join(missing)}; counted as 0")
        numbers = numbers.fillna(0.0)
        values = {
            n: convert(float(numbers[mask].sum()), source, unit)
            for n, mask in (("in", in_period), ("to_date", to_date), ("cum", cumulative))
        }
    for note in notes:
        warnings.warn(note, GoalWarning, stacklevel=3)
    achieved = values["in"]
    status, projection, on_track = _judge(base["target"], achieved, start, end, as_of)
    return GoalResult(
        **base,
        status=status,
        achieved=achieved,
        achieved_to_date=values["to_date"],
        cumulative=None if as_of < start else values["cum"],
        projection=projection,
        on_track=on_track,
        feature_ids=tuple(ids[in_period].tolist()),
        warnings=tuple(notes),
    )


def _union_area(metric: gpd.GeoDataFrame, mask, *, goal: _Goal, what: str, check: bool):
    """Area of the union of the masked geometries; a warning text when it fails the check."""
    if not mask.any():
        return 0.0, None
    union = union_of(metric.geometry.to_numpy()[mask])  # touching groups: linear in parcels
    planar = float(union.area)
    if not check:
        return planar, None
    geodesic = geodesic_area(union, metric.crs)
    if geodesic and abs(planar - geodesic) / geodesic > GEODESIC_TOLERANCE:
        label = {"in": "in the period", "to_date": "to date", "cum": "to the period's end"}
        return planar, (
            f"{goal.where}: the area {label[what]} measured in {metric.crs.to_string()} "
            f"({planar:,.1f} m²) differs from the geodesic GRS80 area ({geodesic:,.1f} m²) "
            f"by {abs(planar - geodesic) / geodesic:.3%}, more than "
            f"{GEODESIC_TOLERANCE:.1%}; check the working CRS (park.toml [park] crs) is the "
            "Gauss-Krüger zone of the park"
        )
    return planar, None


def _judge(target, achieved, start, end, as_of):
    """Status, straight-line projection to the period's end, and whether it is on track."""
    if as_of < start:
        return "future", None, None
    if as_of > end:
        return ("met" if achieved >= target else "not met"), None, None
    elapsed = (as_of - start).days + 1
    projection = achieved * ((end - start).days + 1) / elapsed
    on_track = projection >= target
    if achieved >= target:
        return "met", projection, on_track
    return ("on track" if on_track else "behind"), projection, on_track


def goals_json(results: list[GoalResult]) -> list[dict]:
    """The JSON shape of the goals (``parkgeo status --json`` key ``goals``), unrounded.

    Keys: ``id, metric, period_start, period_end, target, unit, achieved, percent,
    remaining, metric_en, achieved_to_date, projection, on_track, status, note``, and
    ``achieved_m2`` for area goals.
    """
    out = []
    for r in results:
        entry = {
            "id": r.id,
            "metric": r.metric_zh,
            "period_start": r.period_start.isoformat(),
            "period_end": r.period_end.isoformat(),
            "target": r.target,
            "unit": r.unit,
            "achieved": r.achieved,
            "percent": r.percent,
            "remaining": r.remaining,
            "metric_en": r.metric_en,
            "achieved_to_date": r.achieved_to_date,
            "projection": r.projection,
            "on_track": r.on_track,
            "status": r.status,
            "note": r.note,
        }
        if r.is_area and r.status != "no data":
            entry["achieved_m2"] = r.achieved_m2
        out.append(entry)
    return out
