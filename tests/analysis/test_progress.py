"""The state on a date: boundaries, same-day records, implied dates, status by stage."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.analysis.progress import layer_state, status
from geo.cli import cli
from geo.domain.tables import stages_for_kind
from geo.store import open_store
from tests.conftest import use_store
from tests.ingest.test_records import GOOD, load_manifest, run_import, write_progress

D = dt.date


def _features(n=3, **cols):
    return gpd.GeoDataFrame(
        {"id": [f"F{i}" for i in range(n)], **cols},
        geometry=[shapely.box(i * 20, 0, i * 20 + 10, 10) for i in range(n)],
        crs="EPSG:4544",
    )


def _records(rows):
    frame = pd.DataFrame(rows, columns=["kind", "feature_id", "date", "stage", "percent", "note"])
    frame["seq"] = range(len(frame))
    for col in ("floor_area_m2", "investment_wan"):
        frame[col] = float("nan")
    return frame


def test_boundaries_record_on_the_date_counts_later_ones_do_not():
    recs = _records(
        [
            ("factories", "F0", "2023-12-31", "foundation", 5.0, ""),
            ("factories", "F0", "2024-01-01", "structure", 40.0, "主体施工"),
        ]
    )
    state = layer_state(_features(), recs, kind_name="factories", as_of=D(2023, 12, 31)).features
    f0 = state.set_index("id").loc["F0"]
    assert (f0["stage"], f0["stage_zh"], f0["stage_since"], f0["percent"]) == (
        "foundation",
        "基础",
        "2023-12-31",
        5.0,
    )
    before = layer_state(_features(), recs, kind_name="factories", as_of=D(2023, 12, 30)).features
    assert before.set_index("id").loc["F0", "stage"] == "not_started"
    after = layer_state(_features(), recs, kind_name="factories", as_of=D(2024, 1, 1)).features
    assert after.set_index("id").loc["F0", "last_note"] == "主体施工"


def test_features_without_records_stay_at_the_first_stage_and_orphans_are_reported():
    recs = _records([("factories", "GHOST", "2023-01-01", "foundation", None, "")])
    result = layer_state(_features(), recs, kind_name="factories", as_of=D(2024, 1, 1))
    assert list(result.features["stage"]) == ["not_started"] * 3
    assert result.features["stage_since"].isna().all()
    assert list(result.orphans["feature_id"]) == ["GHOST"]


def test_two_records_on_one_day_the_later_row_wins_and_since_is_first_reached():
    recs = _records(
        [
            ("factories", "F1", "2023-05-01", "foundation", None, ""),
            ("factories", "F1", "2023-06-01", "structure", 20.0, ""),
            ("factories", "F1", "2023-06-01", "topped_out", 100.0, "同日封顶"),
            ("factories", "F1", "2023-07-01", "topped_out", None, ""),
        ]
    )
    f1 = (
        layer_state(_features(), recs, kind_name="factories", as_of=D(2023, 12, 31))
        .features.set_index("id")
        .loc["F1"]
    )
    assert f1["stage"] == "topped_out"
    assert f1["stage_since"] == "2023-06-01"
    assert f1["percent"] == 100.0  # the latest record carrying a percent
    assert f1["last_date"] == "2023-07-01"


def test_parcel_dates_imply_stages():
    features = _features(2, allocated_on=["2022-03-01", None], started_on=["2023-04-01", None])
    state = layer_state(features, None, kind_name="parcels", as_of=D(2023, 1, 1)).features
    assert list(state["stage"]) == ["allocated", "planned"]
    state = layer_state(features, None, kind_name="parcels", as_of=D(2023, 4, 1)).features
    assert list(state["stage"]) == ["started", "planned"]


codes = [s.code for s in stages_for_kind("housing")]


@st.composite
def forward_histories(draw):
    n = draw(st.integers(1, 8))
    days = sorted(draw(st.lists(st.integers(0, 1500), min_size=n, max_size=n)))
    orders = sorted(draw(st.lists(st.integers(0, len(codes) - 1), min_size=n, max_size=n)))
    start = D(2021, 1, 1)
    return [
        ("housing", "F0", (start + dt.timedelta(days=d)).isoformat(), codes[o], None, "")
        for d, o in zip(days, orders, strict=True)
    ]


@settings(max_examples=60, deadline=None)
@given(forward_histories(), st.integers(0, 1600), st.integers(0, 1600))
def test_forward_history_never_goes_back_in_time(history, a, b):
    early, late = sorted((a, b))
    recs = _records(history)
    start = D(2021, 1, 1)
    s1 = layer_state(_features(1), recs, kind_name="housing", as_of=start + dt.timedelta(early))
    s2 = layer_state(_features(1), recs, kind_name="housing", as_of=start + dt.timedelta(late))
    assert s2.features["stage_order"].iloc[0] >= s1.features["stage_order"].iloc[0]


def test_status_counts_areas_and_changes(park, runner, store_url):
    use_store(park, store_url)
    write_progress(park, GOOD)
    run_import(park)
    manifest = load_manifest(park)
    data = status(open_store(manifest), as_of=D(2024, 9, 30), crs="EPSG:4544")
    parcels = data["layers"]["parcels"]
    assert data["as_of"] == "2024-09-30" and data["since"] == "2023-12-31"
    assert parcels["features"] == 4
    by = parcels["by_stage"]
    # P1 completed (100×200 m); P2 allocated by record, P4 allocated by its 供地日期; P3 planned
    assert by["completed"] == {
        "count": 1,
        "area_m2": pytest.approx(20_000.0),
        "area_mu": pytest.approx(30.0),
    }
    assert by["allocated"]["count"] == 2
    assert by["allocated"]["area_m2"] == pytest.approx(30_000.0 + 10_000.0)
    assert by["planned"]["count"] == 1 and by["planned"]["area_mu"] == pytest.approx(90.0)
    assert by["started"]["count"] == 0
    # since 2023-12-31: P1 moved from started to completed
    assert parcels["changes"]["completed"]["count"] == 1
    assert parcels["changes"]["started"]["count"] == -1
    result = runner.invoke(cli, ["status", "-p", str(park), "--as-of", "2023-12-31", "--json"])
    assert result.exit_code == 0, result.output
    assert '"started": {\n          "count": 1' in result.stdout
    table = runner.invoke(cli, ["status", "-p", str(park)])
    assert "已竣工 (completed)" in table.output and "30.0" in table.output


@settings(max_examples=40, deadline=None)
@given(forward_histories(), st.lists(st.integers(0, 1600), min_size=1, max_size=4))
def test_stages_on_agrees_with_layer_state_on_every_date(history, offsets):
    from geo.analysis.progress import stages_on

    recs = _records(history)
    start = D(2021, 1, 1)
    dates = [start + dt.timedelta(days=o) for o in offsets]
    many = stages_on(_features(2), recs, kind_name="housing", dates=dates)
    for j, date in enumerate(dates):
        one = layer_state(_features(2), recs, kind_name="housing", as_of=date).features
        assert list(many[:, j]) == list(one["stage_order"])
