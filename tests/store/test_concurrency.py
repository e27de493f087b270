"""Several writers at once on the PostGIS store, in real processes: nothing is lost.

Writers run one after the other behind the store's write lock (each reads the table inside
its own transaction, after taking the lock); a writer that cannot get the lock in time stops
with a clear message; a reader's open transaction never blocks a writer (MVCC).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from geo.errors import StoreError
from geo.store import store_at

ROOT = Path(__file__).resolve().parents[2]
WRITERS, RECORDS, BATCH = 8, 500, 25


def _records(worker: int, start: int, n: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "feature_id": [f"W{worker}" for _ in range(n)],
            "row": list(range(start, start + n)),
            "note": [f"writer {worker} row {i}" for i in range(start, start + n)],
        }
    )


def writer(url: str, worker: int) -> None:
    """Add RECORDS rows in RECORDS/BATCH transactions, each a read-modify-write of the table."""
    store = store_at(url)
    for start in range(0, RECORDS, BATCH):
        with store.transaction() as tx:
            old = tx.read("progress")
            new = _records(worker, start, BATCH)
            tx.write_layer("progress", pd.concat([old, new], ignore_index=True), kind="progress")


def _seed(url: str) -> None:
    with store_at(url).transaction(replace=True) as tx:
        tx.write_layer("progress", _records(-1, 0, 0), kind="progress")


def test_eight_processes_writing_at_once_lose_nothing(pg_cluster):
    url = pg_cluster.database()
    _seed(url)
    code = "import sys; from tests.store.test_concurrency import writer; writer(sys.argv[1], {})"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code.format(w), url],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    for p in procs:
        _, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
    stored = store_at(url).read("progress")
    assert len(stored) == WRITERS * RECORDS
    for w in range(WRITERS):
        rows = sorted(stored.loc[stored["feature_id"] == f"W{w}", "row"])
        assert rows == list(range(RECORDS)), f"writer {w} lost rows"
    assert store_at(url).catalog()["features"].tolist() == [WRITERS * RECORDS]


def test_a_long_read_does_not_block_a_writer(pg_cluster):
    url = pg_cluster.database()
    _seed(url)
    writer(url, 0)
    with psycopg.connect(url) as reader:
        reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert reader.execute("SELECT count(*) FROM progress").fetchone() == (RECORDS,)
        # the reader's transaction stays open (a long check or map) while another process
        # writes; the writer must finish without waiting for it
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-c", f"from tests.store.test_concurrency import writer; "
             f"writer({url!r}, 1)"],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 60
        # the reader still sees its snapshot; a new read sees the writer's rows
        assert reader.execute("SELECT count(*) FROM progress").fetchone() == (RECORDS,)
        reader.execute("COMMIT")
    assert len(store_at(url).read("progress")) == 2 * RECORDS


def test_a_writer_that_cannot_get_the_lock_stops_clearly(pg_cluster, monkeypatch):
    url = pg_cluster.database()
    _seed(url)
    monkeypatch.setenv("PARKGEO_WRITE_WAIT_S", "0.5")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with store_at(url).transaction() as tx:
            tx.write_layer("progress", _records(9, 0, 3), kind="progress")
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(30)
        busy = "being written by another parkgeo session by post"
        with pytest.raises(StoreError, match=busy), store_at(url).transaction() as tx:
            tx.write_layer("progress", _records(8, 0, 1), kind="progress")
    finally:
        release.set()
        thread.join()
    stored = store_at(url).read("progress")
    assert stored["feature_id"].tolist() == ["W9"] * 3
