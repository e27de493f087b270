"""The park's state on any date, reconstructed from the stored progress history.

For each feature the latest record on or before the as-of date gives its stage; features
with no record stand at the first stage of their vocabulary and are never dropped. Parcels'
own date fields (供地日期, 实际开工日期, 竣工日期) count as records of the stages they imply
(``date_field`` in ``stages.toml``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.domain.crs import to_metric
from geo.domain.tables import kind, staged_kinds, stages_for_kind

__all__ = [
    "LayerState",
    "layer_state",
    "stage_history",
    "stage_summary",
    "stages_on",
    "status",
]


@dataclass(frozen=True)
class LayerState:
    """Features of one layer with their state on ``as_of``, and records of unknown features."""

    kind: str
    as_of: dt.date
    features: gpd.GeoDataFrame
    orphans: pd.DataFrame
    #: stage order of each feature on each of the ``dates`` asked for (features × dates)
    stage_orders: np.ndarray | None = None


_RECORD_COLS = [
    "feature_id",
    "date",
    "stage",
    "seq",
    "note",
    "percent",
    "floor_area_m2",
    "investment_wan",
]


def _implied_records(features: pd.DataFrame, kind_name: str) -> pd.DataFrame:
    """Records implied by a feature's own date fields (``date_field`` in stages.toml)."""
    frames = []
    for stage in stages_for_kind(kind_name):
        if stage.date_field and stage.date_field in features.columns:
            dates = features[stage.date_field].astype(object)
            mask = (dates.notna() & (dates.astype(str) != "")).to_numpy(dtype=bool)
            frames.append(
                pd.DataFrame(
                    {
                        "feature_id": features["id"].to_numpy()[mask],
                        "date": dates.to_numpy()[mask],
                        "stage": stage.code,
                        "seq": -1,
                        "note": "",
                    }
                )
            )
    if not frames:
        return pd.DataFrame(columns=["feature_id", "date", "stage", "seq", "note"])
    return pd.concat(frames, ignore_index=True)


def _feature_records(features: pd.DataFrame, records: pd.DataFrame | None, kind_name: str):
    """Every record of the features of *kind_name* and the records whose feature does not
    exist. The first are sorted by (feature, date, seq) and carry ``fi``, the feature's
    position in *features*, so that per-feature results are plain array operations."""
    recs = records if records is not None else pd.DataFrame(columns=["kind"])
    recs = recs[recs["kind"] == kind_name] if len(recs) else recs
    index = pd.Index(features["id"])
    position = index.get_indexer(recs["feature_id"]) if len(recs) else np.array([], dtype=int)
    orphans = recs[position < 0] if len(recs) else recs
    parts = [_implied_records(features, kind_name).reindex(columns=_RECORD_COLS)]
    if len(recs) and (position >= 0).any():
        parts.append(recs[position >= 0].reindex(columns=_RECORD_COLS))
    allrecs = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    allrecs["fi"] = index.get_indexer(allrecs["feature_id"])
    allrecs = allrecs.sort_values(["fi", "date", "seq"], kind="stable")
    return allrecs.reset_index(drop=True), orphans


def _last(groups: np.ndarray, values: np.ndarray, n: int, fill, dtype=object) -> np.ndarray:
    """The last of *values* in each group, for rows sorted by group (``groups`` = feature
    positions 0..n-1); *fill* where a group has no row."""
    out = np.full(n, fill, dtype=dtype)
    if len(groups):
        ends = np.r_[groups[1:] != groups[:-1], True]
        out[groups[ends]] = values[ends]
    return out


def layer_state(
    features: gpd.GeoDataFrame,
    records: pd.DataFrame | None,
    *,
    kind_name: str,
    as_of: dt.date,
    dates: list[dt.date] | None = None,
) -> LayerState:
    """Each feature's state on *as_of*.

    Adds the columns ``stage`` (canonical code), ``stage_zh``, ``stage_en``, ``stage_order``,
    ``stage_since`` (ISO date the current stage was reached, None at the first stage with
    no record), ``percent``, ``last_date``, ``last_note``, ``floor_area_built_m2`` and
    ``investment_made_wan`` (latest reported values).

    Parameters
    ----------
    features
        The stored layer (``id`` column).
    records
        The stored progress history (all kinds; filtered here).
    kind_name
        Kind of *features*, which selects the stage vocabulary.
    as_of
        Records dated after it are ignored.
    dates
        Also give each feature's stage order on these dates (``stage_orders``), as
        :func:`stages_on` does, from the same records.
    """
    vocab = stages_for_kind(kind_name)
    if not vocab:
        raise ValueError(f"kind {kind_name!r} has no stages")
    allrecs, orphans = _feature_records(features, records, kind_name)
    n = len(features)
    orders = _stage_orders(allrecs, n, vocab, dates) if dates is not None else None
    sub = allrecs[(allrecs["date"] <= as_of.isoformat()).to_numpy(dtype=bool)]
    fi = sub["fi"].to_numpy()

    staged = sub[sub["stage"].isin([s.code for s in vocab]).to_numpy(dtype=bool)]
    sfi, sstage = staged["fi"].to_numpy(), staged["stage"].to_numpy(dtype=object)
    # a run of one stage starts where the stage differs from the feature's previous record
    starts = np.r_[True, (sstage[1:] != sstage[:-1]) | (sfi[1:] != sfi[:-1])][: len(sstage)]
    stage = _last(sfi, sstage, n, vocab[0].code)
    since = _last(sfi[starts], staged["date"].to_numpy(dtype=object)[starts], n, None)

    by_code = {s.code: s for s in vocab}
    out = features.copy()
    # text columns stay plain Python objects: converting each to pandas' Arrow-backed str
    # and back costs more than everything else here
    text = {
        "stage": stage,
        "stage_zh": np.array([by_code[c].zh for c in stage], dtype=object),
        "stage_en": np.array([by_code[c].en for c in stage], dtype=object),
        "stage_since": since,
        "last_date": _last(fi, sub["date"].to_numpy(dtype=object), n, None),
    }
    notes = sub["note"].to_numpy(dtype=object)
    has_note = np.array([isinstance(x, str) and x != "" for x in notes], dtype=bool)
    text["last_note"] = _last(fi[has_note], notes[has_note], n, "")
    for column, values in text.items():
        out[column] = pd.Series(values, index=out.index, dtype=object)
    out["stage_order"] = np.array([by_code[c].order for c in stage], dtype=np.int64)
    for column, source in (
        ("percent", "percent"),
        ("floor_area_built_m2", "floor_area_m2"),
        ("investment_made_wan", "investment_wan"),
    ):
        values = pd.to_numeric(sub[source], errors="coerce").to_numpy(dtype="float64")
        known = ~np.isnan(values)
        out[column] = _last(fi[known], values[known], n, np.nan, dtype="float64")
    return LayerState(
        kind=kind_name, as_of=as_of, features=out, orphans=orphans.copy(), stage_orders=orders
    )


def stages_on(
    features: pd.DataFrame, records: pd.DataFrame | None, *, kind_name: str, dates: list[dt.date]
) -> np.ndarray:
    """Stage order of every feature on each of *dates*: an int array of shape (features, dates).

    The same rule as :func:`layer_state` (latest record on or before the date; the first
    stage when there is none), for many dates at once.
    """
    allrecs, _ = _feature_records(features, records, kind_name)
    return _stage_orders(allrecs, len(features), stages_for_kind(kind_name), dates)


def _stage_orders(allrecs: pd.DataFrame, n: int, vocab, dates) -> np.ndarray:
    order = {s.code: s.order for s in vocab}
    staged = allrecs[allrecs["stage"].isin(order).to_numpy(dtype=bool)]
    sfi = staged["fi"].to_numpy()
    orders = staged["stage"].map(order).to_numpy(dtype=np.int8)
    when = staged["date"].to_numpy(dtype=object)
    out = np.zeros((n, len(dates)), dtype=np.int8)
    for j, date in enumerate(dates):
        m = when <= date.isoformat()
        out[:, j] = _last(sfi[m], orders[m], n, 0, dtype=np.int8)
    return out


def stage_summary(state: LayerState, *, crs: str) -> dict:
    """Count, area (m², 亩) and floor area per stage code; every stage listed, even at 0."""
    features = state.features
    k = kind(state.kind)
    metric = to_metric(features, crs) if len(features) else features
    area = metric.geometry.area if len(features) else pd.Series(dtype=float)
    floor = features["floor_area_m2"] if "floor_area_m2" in features.columns else None
    out = {}
    for stage in stages_for_kind(state.kind):
        mask = (features["stage"] == stage.code).to_numpy()
        entry = {
            "count": int(mask.sum()),
            "area_m2": float(area[mask].sum()),
            "area_mu": float(area[mask].sum()) / (10000 / 15),
        }
        if floor is not None and k.geometry == "polygon":
            entry["floor_area_m2"] = float(
                pd.to_numeric(floor[mask], errors="coerce").fillna(0).sum()
            )
        out[stage.code] = entry
    return out


def status(store, *, as_of: dt.date, crs: str) -> dict:
    """The park's status on *as_of*, per staged layer, with changes since last year's end.

    Staged layers are the kinds whose features carry a stage of their own
    (:func:`geo.domain.tables.staged_kinds`; roads are in :mod:`geo.analysis.roads`).

    Returns the JSON-ready shape of ``parkgeo status --json``::

        {"as_of": "2024-09-30", "since": "2023-12-31",
         "layers": {"parcels": {"features": 97, "by_stage": {"started": {"count": 12,
                    "area_m2": ..., "area_mu": ...}}, "changes": {...}, "orphans": [...]}}}
    """
    records = store.records(columns=[*_RECORD_COLS, "kind", "source_file", "source_row"])
    since = dt.date(as_of.year - 1, 12, 31)
    layers = {}
    for kind_name in staged_kinds():
        features = store.read_kind(kind_name)
        if features is None:
            continue
        now = layer_state(features, records, kind_name=kind_name, as_of=as_of)
        then = layer_state(features, records, kind_name=kind_name, as_of=since)
        by_now, by_then = stage_summary(now, crs=crs), stage_summary(then, crs=crs)
        changes = {
            code: {key: by_now[code][key] - by_then[code][key] for key in by_now[code]}
            for code in by_now
        }
        layers[kind_name] = {
            "features": len(features),
            "by_stage": by_now,
            "changes": changes,
            "orphans": [
                {
                    "feature_id": r["feature_id"],
                    "date": r["date"],
                    "source_file": r.get("source_file"),
                    "source_row": r.get("source_row"),
                }
                for r in now.orphans.to_dict("records")
            ],
        }
    return {"as_of": as_of.isoformat(), "since": since.isoformat(), "layers": layers}


def stage_history(
    features: pd.DataFrame, records: pd.DataFrame | None, *, kind_name: str
) -> dict[str, list[tuple[str, str]]]:
    """Per feature id, its stage changes as ``[(iso_date, stage_code), ...]`` in date order.

    Uses the same records as :func:`layer_state` (progress history plus the stages implied
    by a parcel's own dates); consecutive records of one stage collapse into the first.
    """
    codes = {s.code for s in stages_for_kind(kind_name)}
    allrecs, _ = _feature_records(features, records, kind_name)
    allrecs = allrecs[allrecs["stage"].isin(codes)]
    out: dict[str, list[tuple[str, str]]] = {}
    for fid, date, code in zip(
        allrecs["feature_id"], allrecs["date"], allrecs["stage"], strict=True
    ):
        changes = out.setdefault(fid, [])
        if changes and changes[-1][0] == date:
            changes[-1] = (date, code)
        elif not changes or changes[-1][1] != code:
            changes.append((date, code))
    return out
