"""Both stores behind one interface: transactions, reads by column/where/bbox, the records.

Tests taking ``store_url`` run once on a GeoPackage file and once on a fresh PostGIS
database of a throwaway server (tests/pgcluster.py); the rest are about one store's own
format (a valid GeoPackage; PostGIS layers as QGIS needs them).
"""

from __future__ import annotations

import multiprocessing
import sqlite3

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import StoreBusyError, StoreError
from geo.store import CATALOG, RECORD_SCHEMA, RECORDS, GpkgStore
from tests.conftest import is_pg, make_store, read_back, store_state


def _layer(n=1):
    return gpd.GeoDataFrame(
        {"id": [f"a{i}" for i in range(n)], "allocated_on": ["2024-01-02"] * n},
        geometry=[shapely.box(10 * i, 0, 10 * i + 1, 1) for i in range(n)],
        crs="EPSG:4544",
    )


def test_write_read_and_catalog(store_url):
    store = make_store(store_url)
    assert not store.exists()
    with pytest.raises(StoreError, match="parkgeo import"):
        store.catalog()
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels", source="layers/p.shp")
        tx.write_layer("goals", pd.DataFrame({"id": ["g1"], "target": [1.0]}), kind="goals")
    # read back by GDAL or psycopg, independently of the store's own reader
    cat = read_back(store_url, CATALOG)
    assert cat[["name", "kind", "source", "features", "crs"]].to_dict("records") == [
        {
            "name": "parcels",
            "kind": "parcels",
            "source": "layers/p.shp",
            "features": 1,
            "crs": "EPSG:4544",
        },
        {"name": "goals", "kind": "goals", "source": "", "features": 1, "crs": ""},
    ]
    parcels = store.read_kind("parcels")
    assert isinstance(parcels, gpd.GeoDataFrame) and parcels.crs.to_epsg() == 4544
    assert parcels.geometry.iloc[0].equals(shapely.box(0, 0, 1, 1))
    assert parcels["allocated_on"].tolist() == ["2024-01-02"]  # a date comes back as ISO text
    goals = store.read_kind("goals")
    assert not isinstance(goals, gpd.GeoDataFrame) and goals["target"].tolist() == [1.0]
    assert store.read_kind("roads") is None
    with pytest.raises(StoreError, match="no layer 'roads'"):
        store.read("roads")


def test_read_columns_where_bbox(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(4), kind="parcels")
    assert store.read("parcels", where={"id": ["a1", "a3"]})["id"].tolist() == ["a1", "a3"]
    assert store.read("parcels", where={"id": "a2"})["id"].tolist() == ["a2"]
    assert store.read("parcels", where={"id": []})["id"].tolist() == []
    assert store.read("parcels", bbox=(19.5, 0, 31, 1))["id"].tolist() == ["a2", "a3"]
    assert list(store.read("parcels", columns=["id"]).columns) == ["id", "geometry"]


def test_failed_transaction_leaves_the_store_as_it_was(store_url, tmp_path):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    before = store_state(store_url)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write_layer("zones", _layer(), kind="zones")
        tx.write_layer("parcels", _layer(3), kind="parcels")
        raise RuntimeError("disk full")
    assert store_state(store_url) == before
    assert store.names() == ["parcels"]
    assert store.read("parcels")["id"].tolist() == ["a0"]
    if not is_pg(store_url):
        assert sorted(p.name for p in tmp_path.iterdir()) == ["park.gpkg"]


def test_discarded_transaction_writes_nothing(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    before = store_state(store_url)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(2), kind="parcels")
        assert len(tx.read("parcels")) == 2  # the transaction sees its own writes
        tx.discard()
    assert store_state(store_url) == before


def _record(rid, **values):
    return {**{c: None for c in RECORD_SCHEMA}, "record_id": rid, **values}


def test_append_appends_and_drop_keeps_records(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        assert tx.append(RECORDS, pd.DataFrame([_record("R1")]), types=RECORD_SCHEMA) == [1]
    with store.transaction() as tx:
        assert tx.append(RECORDS, pd.DataFrame([_record("R2")]), types=RECORD_SCHEMA) == [2]
        with pytest.raises(StoreError, match="never dropped"):
            tx.drop(RECORDS)
    assert store.read(RECORDS)["record_id"].tolist() == ["R1", "R2"]
    assert store.catalog().set_index("name").loc[RECORDS, "features"] == 2


def _plan(url, sql_text, params):
    """How the database runs *sql_text*: SQLite's query plan or PostgreSQL's EXPLAIN."""
    if is_pg(url):
        import psycopg

        with psycopg.connect(url) as con:
            con.execute("SET enable_seqscan = off")  # a tiny table: ask whether an index exists
            return " ".join(r[0] for r in con.execute(f"EXPLAIN {sql_text}", params))
    con = sqlite3.connect(url)
    try:
        return " ".join(str(r[-1]) for r in con.execute(f"EXPLAIN QUERY PLAN {sql_text}", params))
    finally:
        con.close()


@pytest.mark.parametrize("column", ["feature_id", "record_id"])
def test_records_are_found_by_feature_and_record_id_through_an_index(store_url, column):
    """`history` of one feature and `retract` of one record look up a million records by
    an index, not by reading them all (a full scan of 1M records took 0.2 s)."""
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([_record("R1", feature_id="P1")]), types=RECORD_SCHEMA)
    marker = "%s" if is_pg(store_url) else "?"
    plan = _plan(store_url, f"SELECT * FROM progress WHERE {column} = {marker}", ["x"])
    assert ("Index" in plan) if is_pg(store_url) else ("USING INDEX" in plan), plan


def test_a_store_made_before_the_indexes_gets_them_at_its_next_write(tmp_path):
    store = GpkgStore(tmp_path / "park.gpkg")
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([_record("R1", feature_id="P1")]), types=RECORD_SCHEMA)
    con = sqlite3.connect(store.path)
    names = [
        r[0]
        for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'progress'"
        )
    ]
    for name in names:
        con.execute(f'DROP INDEX "{name}"')
    con.commit()
    con.close()
    with store.transaction() as tx:
        tx.index_records()  # what every import does first
    plan = _plan(str(store.path), "SELECT * FROM progress WHERE feature_id = ?", ["x"])
    assert "USING INDEX" in plan, plan


def test_tally_counts_rows_by_value_in_order_of_first_row(store_url):
    store = make_store(store_url)
    recs = [
        _record("R1", source_file="b.csv", source_sheet=""),
        _record("R2", source_file="a.csv", source_sheet="S1"),
        _record("R3", source_file="b.csv", source_sheet=""),
        _record("R4", source_file="a.csv", source_sheet="S1", retracted_at="2024-01-01T00:00Z"),
        _record("R5", source_file="a.csv", source_sheet="S2"),
    ]
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame(recs), types=RECORD_SCHEMA)
        got = tx.tally(RECORDS, ["source_file", "source_sheet"], where={"retracted_at": None})
    assert got.values.tolist() == [["b.csv", "", 2], ["a.csv", "S1", 1], ["a.csv", "S2", 1]]


def test_a_rolled_back_append_leaves_no_gap_in_record_numbers(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([_record("R1")]), types=RECORD_SCHEMA)
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([_record("R2")] * 3), types=RECORD_SCHEMA)
        raise RuntimeError("killed")
    with store.transaction() as tx:
        assert tx.append(RECORDS, pd.DataFrame([_record("R2")]), types=RECORD_SCHEMA) == [2]


def test_records_keep_dates_moments_and_lifecycle(store_url):
    store = make_store(store_url)
    first = _record("R1", date="2024-03-01", percent=10.0, recorded_at="2024-03-02T01:02:03.456Z")
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([first]), types=RECORD_SCHEMA)
    with store.transaction() as tx:
        changed = tx.update(
            RECORDS,
            where={"record_id": ["R1"]},
            values={"retracted_at": "2024-04-01T00:00:00.000Z", "retracted_why": "误录"},
        )
        assert changed == 1
    rec = store.records(everything=True).iloc[0]
    assert (rec["seq"], rec["date"], rec["percent"]) == (1, "2024-03-01", 10.0)
    assert rec["recorded_at"] == "2024-03-02T01:02:03.456Z"
    assert (rec["retracted_at"], rec["retracted_why"]) == ("2024-04-01T00:00:00.000Z", "误录")
    assert store.records().empty  # retracted: not active now ...
    assert len(store.at("2024-03-15T00:00:00.000Z").records()) == 1  # ... but it was then


def test_unchanged_layer_is_not_rewritten(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        assert tx.write_layer("parcels", _layer(), kind="parcels", fingerprint="x")
    with store.transaction() as tx:
        assert not tx.write_layer("parcels", _layer(2), kind="parcels", fingerprint="x")
        assert tx.write_layer("parcels", _layer(2), kind="parcels", fingerprint="y")
    assert len(store.read("parcels")) == 2


def test_second_writer_waits_then_says_who_writes(store_url):
    store = make_store(store_url, timeout=0.2)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    with store.transaction(command="parkgeo import"):
        other = make_store(store_url, timeout=0.2)
        busy = r"another parkgeo import .* since \d\d:\d\d"
        with pytest.raises(StoreBusyError, match=busy), other.transaction():
            pass
        # a reader sees the last committed state meanwhile
        assert store.names() == ["parcels"]


def _first_write(path, barrier, results):
    barrier.wait()
    try:
        with GpkgStore(path, timeout=60).transaction(command="parkgeo import"):
            pass
        results.put("")
    except StoreError as exc:
        results.put(str(exc))


def test_writers_making_a_new_store_at_once_all_get_it(tmp_path):
    """Eight desks' first imports start together on a store no one has made yet: each
    waits its turn (it used to be 'the write failed (database is locked)' for about one
    trial in thirteen, when a writer began before the first had set the journal mode)."""
    ctx = multiprocessing.get_context("fork")  # the race is in the first milliseconds
    for trial in range(12):
        path = tmp_path / f"s{trial}.gpkg"
        barrier, results = ctx.Barrier(8), ctx.Queue()
        procs = [ctx.Process(target=_first_write, args=(path, barrier, results)) for _ in "8" * 8]
        for p in procs:
            p.start()
        errors = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join()
        assert errors == [""] * 8, (trial, [e for e in errors if e][:1])
        con = sqlite3.connect(path)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        con.close()


def test_a_new_store_is_never_seen_half_made(tmp_path):
    """While the first writer is still writing, the file another program finds at the
    store's path is already a whole GeoPackage (not an empty file in the wrong journal
    mode), and a failed first write leaves an empty store, not a damaged one."""
    store = GpkgStore(tmp_path / "s.gpkg")
    with pytest.raises(RuntimeError), store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
        con = sqlite3.connect(store.path)
        assert con.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert con.execute("SELECT count(*) FROM gpkg_spatial_ref_sys").fetchone()[0] >= 3
        con.close()
        raise RuntimeError("the first import fails")
    assert store.names() == []
    assert list(tmp_path.iterdir()) == [store.path]  # no temporary file is left beside it


def test_empty_spatial_layer_can_be_written(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("findings", _layer().iloc[0:0], kind="findings")
    assert len(store.read("findings")) == 0
    assert store.catalog()["features"].tolist() == [0]


def test_file_is_a_valid_geopackage_that_gdal_reads(tmp_path):
    store = GpkgStore(tmp_path / "s.gpkg")
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(3), kind="parcels")
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert con.execute("PRAGMA application_id").fetchone() == (0x47504B47,)
    assert con.execute("SELECT count(*) FROM rtree_parcels_geometry").fetchone() == (3,)
    types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(parcels)")}
    assert types["allocated_on"] == "DATE"  # dates are stored as dates
    con.close()
    info = pyogrio.read_info(store.path, layer="parcels")
    assert info["geometry_type"] == "Polygon" and info["features"] == 3
    assert pyogrio.read_info(store.path, layer="parcels")["crs"] == "EPSG:4544"
    # GDAL uses the spatial index: a bbox around the second box finds only it
    found = pyogrio.read_dataframe(store.path, layer="parcels", bbox=(9, -1, 12, 2))
    assert found["id"].tolist() == ["a1"]
    assert str(found["allocated_on"].iloc[0])[:10] == "2024-01-02"


def test_unknown_store_option_is_refused(tmp_path):
    with pytest.raises(StoreError, match="journal=wal"):
        GpkgStore.from_url("gpkg:park.gpkg?jornal=wal", root=tmp_path)
    store = GpkgStore.from_url("gpkg:park.gpkg?journal=delete&timeout=3", root=tmp_path)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(), kind="parcels")
    con = sqlite3.connect(store.path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert store.timeout == 3


def _projects():
    return pd.DataFrame(
        {
            "id": ["P1", "P2", "P3"],
            "name": ["甲", "乙", "丙"],
            "parcels": [["WLT-01", "WLT-02"], [], ["CCB-1"]],
        }
    )


def _tables(url) -> list[str]:
    """The tables at *url*, read without parkgeo's store code."""
    state = store_state(url)
    if isinstance(state, dict):
        return sorted(state)
    return sorted(pyogrio.list_layers(url)[:, 0])


def test_list_column_is_stored_as_rows(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    # GDAL (or psycopg) sees a plain projects table and one row per parcel named, in order
    plain = read_back(store_url, "projects")
    assert "parcels" not in plain.columns
    rows = read_back(store_url, "projects__parcels")
    assert rows[["row", "id", "position", "parcels"]].values.tolist() == [
        [1, "P1", 1, "WLT-01"],
        [1, "P1", 2, "WLT-02"],
        [3, "P3", 1, "CCB-1"],
    ]
    assert store.read_kind("projects")["parcels"].tolist() == [["WLT-01", "WLT-02"], [], ["CCB-1"]]
    assert store.read("projects", where={"id": ["P3", "P2"]})["parcels"].tolist() == [
        [],
        ["CCB-1"],
    ]
    assert "parcels" not in store.read("projects", columns=["id"]).columns


def test_rewriting_or_dropping_a_layer_drops_its_list_rows(store_url):
    store = make_store(store_url)
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    assert "projects__parcels" in _tables(store_url)
    with store.transaction() as tx:
        tx.write_layer("projects", _projects().drop(columns="parcels"), kind="projects")
    assert "projects__parcels" not in _tables(store_url)
    with store.transaction() as tx:
        tx.write_layer("projects", _projects(), kind="projects")
    with store.transaction() as tx:
        tx.drop("projects")
    assert "projects__parcels" not in _tables(store_url)
    assert list(store.catalog()["name"]) == []


def _open_reader(url: str):
    """A reader in the middle of a long read: a transaction open on the parcels and records
    (a `check` or `map` reading, QGIS browsing); a function giving the parcel ids it sees."""
    if is_pg(url):
        import psycopg

        con = psycopg.connect(url)
        con.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    else:
        con = sqlite3.connect(url, isolation_level=None)
        con.execute("BEGIN")
    con.execute("SELECT count(*) FROM progress").fetchall()

    def seen():
        return sorted(r[0] for r in con.execute("SELECT id FROM parcels").fetchall())

    return con, seen


def test_an_open_reader_does_not_block_a_writer(store_url):
    store = make_store(store_url, timeout=2)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(2), kind="parcels")
        tx.append(RECORDS, pd.DataFrame([_record("R1")]), types=RECORD_SCHEMA)
    con, seen = _open_reader(store_url)
    try:
        assert seen() == ["a0", "a1"]
        with store.transaction(command="parkgeo import") as tx:  # no wait, no busy error
            tx.write_layer("parcels", _layer(3), kind="parcels")
            tx.append(RECORDS, pd.DataFrame([_record("R2")]), types=RECORD_SCHEMA)
        assert seen() == ["a0", "a1"]  # the reader keeps its snapshot
    finally:
        con.close()
    assert store.read("parcels")["id"].tolist() == ["a0", "a1", "a2"]
    assert store.read(RECORDS)["record_id"].tolist() == ["R1", "R2"]


def test_a_table_locked_by_another_program_is_waited_for_then_reported(pg_cluster):
    import psycopg

    url = pg_cluster.database()
    store = make_store(f"{url}&timeout=0.5")
    assert store.timeout == 0.5
    with store.transaction() as tx:
        tx.append(RECORDS, pd.DataFrame([_record("R1")]), types=RECORD_SCHEMA)
    before = store_state(url)
    with psycopg.connect(url) as other:  # e.g. QGIS editing the records table
        other.execute("LOCK TABLE progress IN EXCLUSIVE MODE")
        busy = "locked by another session .* waited 0.5 s and nothing was written"
        with pytest.raises(StoreBusyError, match=busy), store.transaction() as tx:
            tx.append(RECORDS, pd.DataFrame([_record("R2")]), types=RECORD_SCHEMA)
    assert store_state(url) == before


def test_a_postgres_url_with_a_password_is_refused(tmp_path):
    from geo.errors import ManifestError
    from geo.io.manifest import load_manifest
    from tests.conftest import manifest_text

    (tmp_path / "park.toml").write_text(
        manifest_text("layers/p.geojson").replace(
            "[park]\n", '[park]\nstore = "postgresql://li:secret@db.example/park"\n'
        ),
        encoding="utf-8",
    )
    with pytest.raises(ManifestError, match=r"password.*~/.pgpass") as caught:
        load_manifest(tmp_path)
    assert "secret" not in str(caught.value)


def test_a_deadlock_with_another_program_is_reported_and_nothing_written(pg_cluster):
    """QGIS (here: a second session) edits a record while an import rewrites the parcels;
    each then waits for the other. PostgreSQL breaks the deadlock; parkgeo says so."""
    import threading
    import time

    import psycopg

    url = pg_cluster.database()
    store = make_store(url, timeout=10)
    with store.transaction() as tx:
        tx.write_layer("parcels", _layer(2), kind="parcels")
        tx.append(RECORDS, pd.DataFrame([_record("R1")]), types=RECORD_SCHEMA)
    before = store_state(url)
    other = psycopg.connect(url)
    other.execute("UPDATE progress SET note = 'QGIS' WHERE fid = 1")  # holds the row
    waiting = threading.Event()
    outcome = []

    def qgis_then_parcels():
        waiting.wait(10)
        time.sleep(0.3)  # parkgeo is waiting for the record row by now
        try:
            other.execute("DELETE FROM parcels WHERE id = 'a0'")
            other.rollback()
            outcome.append("other went on")
        except psycopg.errors.DeadlockDetected:
            other.rollback()
            outcome.append("other was stopped")

    thread = threading.Thread(target=qgis_then_parcels)
    thread.start()
    try:
        busy = pytest.raises(StoreBusyError, match="same rows at the same time")
        with busy, store.transaction() as tx:
            tx.write_layer("parcels", _layer(3), kind="parcels")  # locks the parcel rows
            waiting.set()
            tx.update(RECORDS, where={"record_id": "R1"}, values={"seen_row": 2})
    finally:
        waiting.set()
        thread.join(20)
        other.close()
    assert outcome == ["other went on"]
    assert store_state(url) == before
