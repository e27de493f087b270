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

from geo.crs import to_metric
from geo.tables import kind, stages_for_kind

__all__ = [
    "LayerState",
    "layer_state",
    "stage_history",
    "stage_summary",
    "status",
]

#: Kinds whose features carry a stage of their own (roads are handled by geo.roads).
STAGED_KINDS = ("parcels", "factories", "housing")


@dataclass(frozen=True)
class LayerState:
    """Features of one layer with their state on ``as_of``, and records of unknown features."""

    kind: str
    as_of: dt.date
    features: gpd.GeoDataFrame
    orphans: pd.DataFrame


def _implied_records(features: pd.DataFrame, kind_name: str) -> pd.DataFrame:
    rows = []
    for stage in stages_for_kind(kind_name):
        if stage.date_field and stage.date_field in features.columns:
            for fid, date in zip(features["id"], features[stage.date_field], strict=True):
                if isinstance(date, str) and date:
                    rows.append(
                        {
                            "feature_id": fid,
                            "date": date,
                            "stage": stage.code,
                            "seq": -1,
                            "note": "",
                        }
                    )
    return pd.DataFrame(rows, columns=["feature_id", "date", "stage", "seq", "note"])


def layer_state(
    features: gpd.GeoDataFrame, records: pd.DataFrame | None, *, kind_name: str, as_of: dt.date
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
    """
    vocab = stages_for_kind(kind_name)
    if not vocab:
        raise ValueError(f"kind {kind_name!r} has no stages")
    order = {s.code: s.order for s in vocab}
    cutoff = as_of.isoformat()
    recs = records if records is not None else pd.DataFrame(columns=["kind"])
    recs = recs[recs["kind"] == kind_name] if len(recs) else recs
    ids = set(features["id"])
    orphans = recs[~recs["feature_id"].isin(ids)] if len(recs) else recs
    cols = [
        "feature_id",
        "date",
        "stage",
        "seq",
        "note",
        "percent",
        "floor_area_m2",
        "investment_wan",
    ]
    own = (
        recs[recs["feature_id"].isin(ids)].reindex(columns=cols)
        if len(recs)
        else pd.DataFrame(columns=cols)
    )
    allrecs = pd.concat(
        [_implied_records(features, kind_name).reindex(columns=cols), own], ignore_index=True
    )
    allrecs = allrecs[allrecs["date"] <= cutoff].sort_values(
        ["feature_id", "date", "seq"], kind="stable"
    )
    out = features.copy()
    state = _states(allrecs, order)
    first = vocab[0]
    by_code = {s.code: s for s in vocab}
    rows = [state.get(fid, {}) for fid in out["id"]]
    codes = [r.get("stage", first.code) for r in rows]
    out["stage"] = codes
    out["stage_zh"] = [by_code[c].zh for c in codes]
    out["stage_en"] = [by_code[c].en for c in codes]
    out["stage_order"] = [by_code[c].order for c in codes]
    out["stage_since"] = [r.get("since") for r in rows]
    out["last_date"] = [r.get("last_date") for r in rows]
    out["last_note"] = [r.get("last_note", "") for r in rows]
    for column, key in (
        ("percent", "percent"),
        ("floor_area_built_m2", "floor"),
        ("investment_made_wan", "invest"),
    ):
        out[column] = pd.Series(
            [r.get(key, np.nan) for r in rows], index=out.index, dtype="float64"
        )
    return LayerState(kind=kind_name, as_of=as_of, features=out, orphans=orphans.copy())


def _states(records: pd.DataFrame, order: dict[str, int]) -> dict[str, dict]:
    """Each feature's state from records sorted by (feature, date, seq), in one pass.

    ``since`` is the date the current stage was first reached in its final run; values
    (percent, floor area, investment) are the latest reported ones.
    """
    numbers = {
        col: pd.to_numeric(records[col], errors="coerce").to_numpy(dtype=float)
        for col in ("percent", "floor_area_m2", "investment_wan")
    }
    out: dict[str, dict] = {}
    for fid, date, stage, note, pct, floor, invest in zip(
        records["feature_id"],
        records["date"],
        records["stage"],
        records["note"],
        numbers["percent"],
        numbers["floor_area_m2"],
        numbers["investment_wan"],
        strict=True,
    ):
        st = out.setdefault(fid, {})
        if stage in order and st.get("stage") != stage:
            st["stage"], st["since"] = stage, date
        st["last_date"] = date
        if isinstance(note, str) and note:
            st["last_note"] = note
        for key, value in (("percent", pct), ("floor", floor), ("invest", invest)):
            if not np.isnan(value):
                st[key] = float(value)
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

    Returns the JSON-ready shape of ``parkgeo status --json``::

        {"as_of": "2024-09-30", "since": "2023-12-31",
         "layers": {"parcels": {"features": 97, "by_stage": {"started": {"count": 12,
                    "area_m2": ..., "area_mu": ...}}, "changes": {...}, "orphans": [...]}}}
    """
    records = store.read_kind("progress")
    since = dt.date(as_of.year - 1, 12, 31)
    layers = {}
    for kind_name in STAGED_KINDS:
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
    recs = records if records is not None else pd.DataFrame(columns=["kind"])
    recs = recs[recs["kind"] == kind_name] if len(recs) else recs
    cols = ["feature_id", "date", "stage", "seq"]
    own = recs.reindex(columns=cols) if len(recs) else pd.DataFrame(columns=cols)
    allrecs = pd.concat(
        [_implied_records(features, kind_name).reindex(columns=cols), own], ignore_index=True
    )
    allrecs = allrecs[
        allrecs["stage"].isin(codes) & allrecs["feature_id"].isin(set(features["id"]))
    ]
    allrecs = allrecs.sort_values(["feature_id", "date", "seq"], kind="stable")
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
