"""The store under real processes: concurrent imports, kill -9 mid-import, a full disk.

Every test runs the real `parkgeo import` in its own process on real CSV files, on a
GeoPackage and on PostGIS (a throwaway server, tests/pgcluster.py); the full disk only on a
GeoPackage (a PostGIS store's disk is the server's).
"""

from __future__ import annotations

import contextlib
import os
import random
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import is_pg, manifest_text, parcels_frame, write_layer, zones_frame

pytestmark = pytest.mark.slow

PARKGEO = str(Path(sys.executable).parent / "parkgeo")
SPEC = """
[progress.{name}]
source = "{source}"
[progress.{name}.fields]
"图层" = "kind"
"编号" = "feature_id"
"日期" = "date"
"阶段" = "stage"
"备注" = "note"
"""


def _project(root: Path, *, store: str, progress: dict[str, list[list[str]]]) -> Path:
    layers = root / "layers"
    write_layer(zones_frame(), layers / "zones", fmt="geojson")
    write_layer(parcels_frame(), layers / "parcels", fmt="geojson")
    text = manifest_text("layers/parcels.geojson").replace(
        'crs = "EPSG:4544"', f'crs = "EPSG:4544"\nstore = "{store}"'
    )
    for name, rows in progress.items():
        pd.DataFrame(rows, columns=["图层", "编号", "日期", "阶段", "备注"]).to_csv(
            layers / f"{name}.csv", index=False
        )
        text += SPEC.format(name=name, source=f"layers/{name}.csv")
    (root / "park.toml").write_text(text, encoding="utf-8")
    return root


def _rows(n: int, *, tag: str, note_len: int = 0) -> list[list[str]]:
    """*n* progress rows, all different (the note carries the tag and the row number)."""
    return [
        [
            "地块",
            f"P{1 + i % 4}",
            f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
            "已供地",
            f"{tag}-{i}" + "x" * note_len,
        ]
        for i in range(n)
    ]


def _import(project: Path, *extra: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PARKGEO, "import", "-p", str(project), *extra],
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


_RECORDS = "SELECT fingerprint, note, superseded_at IS NULL AND retracted_at IS NULL FROM progress"


def _state(store) -> list[tuple]:
    """What the store holds: every record's content and whether it is active."""
    if is_pg(store):
        import psycopg

        with psycopg.connect(str(store)) as con:
            return sorted(con.execute(_RECORDS).fetchall())
    con = sqlite3.connect(store)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return sorted((f, n, bool(a)) for f, n, a in con.execute(_RECORDS).fetchall())
    finally:
        con.close()


@pytest.fixture(params=["gpkg", "postgis"])
def new_store(request, tmp_path):
    """A function giving a new store's URL (a GeoPackage in *folder*, or a new database)."""
    if request.param == "gpkg":
        return lambda folder=tmp_path, like=None: str(folder / "park.gpkg")
    cluster = request.getfixturevalue("pg_cluster")
    return lambda folder=None, like=None: cluster.database(like=like)


def _active_notes(store) -> list[str]:
    return sorted(n for _, n, active in _state(store) if active)


def _start(project: Path, command: str = "import", *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [PARKGEO, command, "-p", str(project), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize(("writers", "rows"), [(4, 25), (8, 500)])
def test_imports_started_together_all_rows_stored(tmp_path, new_store, writers, rows):
    """Several desks import their own files into one store at once: every row is stored,
    once (each waits for the one before; 8 x 500 is the shared store's case)."""
    store = new_store(tmp_path)
    if not is_pg(store):
        store = f"gpkg:{store}?timeout=240"
    else:
        store += "&timeout=240"  # 8 imports queue behind each other on a busy 2-core machine
    projects = [
        _project(
            tmp_path / f"desk{k}", store=store, progress={f"desk{k}": _rows(rows, tag=f"d{k}")}
        )
        for k in range(writers)
    ]
    procs = [_start(p) for p in projects]
    outs = [p.communicate(timeout=600) for p in procs]
    failed = [(k, p.returncode, outs[k][1]) for k, p in enumerate(procs) if p.returncode]
    assert not failed, failed
    target = store.split("gpkg:")[-1].split("?timeout")[0].split("&timeout")[0]
    assert _active_notes(target) == sorted(f"d{k}-{i}" for k in range(writers) for i in range(rows))


def _point_at(project: Path, store: str) -> None:
    toml = project / "park.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    lines = [f'store = "{store}"' if line.startswith("store =") else line for line in lines]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_kill_9_leaves_the_state_before_or_after(tmp_path, new_store):
    before_rows = _rows(300, tag="a")
    after_rows = before_rows[:100] + _rows(400, tag="b")  # 200 retracted, 400 added
    pg = is_pg(new_store())
    base_store = new_store() if pg else "park.gpkg"
    base = _project(tmp_path / "base", store=base_store, progress={"weekly": before_rows})
    assert _import(base).returncode == 0
    where = (lambda work: _url_of(work)) if pg else (lambda work: work / "park.gpkg")
    before = _state(where(base))
    done = tmp_path / "done"
    shutil.copytree(base, done)
    if pg:
        _point_at(done, new_store(like=base_store))
    pd.DataFrame(after_rows, columns=["图层", "编号", "日期", "阶段", "备注"]).to_csv(
        done / "layers" / "weekly.csv", index=False
    )
    start = time.monotonic()
    assert _import(done).returncode == 0
    duration = time.monotonic() - start
    after = _state(where(done))
    assert before != after
    rng = random.Random(12)
    outcomes = []
    for run in range(20):
        work = tmp_path / f"run{run}"
        shutil.copytree(base, work)
        if pg:
            _point_at(work, new_store(like=base_store))
        shutil.copy(done / "layers" / "weekly.csv", work / "layers" / "weekly.csv")
        proc = subprocess.Popen(
            [PARKGEO, "import", "-p", str(work)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 1.05) * duration)
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        state = _state(where(work))  # opens, recovers the journal, integrity ok
        assert state in (before, after), f"run {run}: a state between before and after"
        outcomes.append("after" if state == after else "before")
        if pg:
            continue  # the server rolls the dead client's transaction back
        leftovers = {p.name for p in work.iterdir()} - {"layers", "park.toml", "park.gpkg", "maps"}
        # the writer's note (who writes since when) is all a kill can leave; the next write
        # removes it
        assert leftovers <= {"park.gpkg.writer"}, leftovers
    # the next import runs at once: the killed writer's lock went with its connection
    redo = subprocess.run(
        [PARKGEO, "import", "-p", str(work)], capture_output=True, text=True, timeout=300
    )
    assert redo.returncode == 0, redo.stderr
    assert _state(where(work)) == after
    assert not (work / "park.gpkg.writer").exists()
    print("kill -9 outcomes:", outcomes)


def _url_of(project: Path) -> str:
    from geo.io.manifest import load_manifest

    return str(load_manifest(project).store)


@contextlib.contextmanager
def _small_filesystem(tmp_path: Path, size_kb: int):
    """A tmpfs of *size_kb* (needs root), else None (the caller falls back to RLIMIT_FSIZE)."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_full_disk_mid_import_exits_2_and_keeps_the_store(tmp_path):
    with _small_filesystem(tmp_path, 1024) as mount:
        store = (mount or tmp_path) / "park.gpkg"
        project = _project(
            tmp_path / "p", store=str(store), progress={"weekly": _rows(20, tag="a")}
        )
        assert _import(project).returncode == 0
        before = _state(store)
        big = _rows(20, tag="a") + _rows(6000, tag="b", note_len=200)  # ~1.3 MB of notes
        pd.DataFrame(big, columns=["图层", "编号", "日期", "阶段", "备注"]).to_csv(
            project / "layers" / "weekly.csv", index=False
        )
        if mount is not None:
            limit = None
        else:  # no mount allowed: files may not grow past 1 MB in the import's process
            size = 1024 * 1024

            def limit():
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

        done = _import(project, preexec_fn=limit)
        print("filesystem:", "tmpfs 1 MB" if mount else "RLIMIT_FSIZE 1 MB")
        assert done.returncode == 2, done.stdout + done.stderr
        assert "Traceback" not in done.stderr
        assert "nothing was written" in done.stderr
        if mount is not None:
            assert "the disk is full" in done.stderr
        assert _state(store) == before
        assert sorted(p.name for p in store.parent.iterdir()) == ["park.gpkg"]


def test_check_running_during_an_import_loses_nothing(tmp_path, new_store):
    store = new_store(tmp_path / "p")
    store = "park.gpkg" if not is_pg(store) else store
    project = _project(tmp_path / "p", store=store, progress={"weekly": _rows(50, tag="a")})
    assert _import(project).returncode == 0
    pd.DataFrame(
        _rows(50, tag="a") + _rows(500, tag="b"), columns=["图层", "编号", "日期", "阶段", "备注"]
    ).to_csv(project / "layers" / "weekly.csv", index=False)
    importing = _start(project)
    checks = [
        subprocess.run(
            [PARKGEO, "check", "-p", str(project), "--json"],
            capture_output=True,
            text=True,
            timeout=300,
        )
        for _ in range(2)
    ]
    out = importing.communicate(timeout=300)
    assert importing.returncode == 0, out
    assert all(c.returncode in (0, 1) for c in checks), [c.stderr for c in checks]
    notes = _active_notes(_url_of(project))
    assert notes == sorted([f"a-{i}" for i in range(50)] + [f"b-{i}" for i in range(500)])
