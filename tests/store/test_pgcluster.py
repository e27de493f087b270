"""The tests' throwaway PostgreSQL cluster is stopped and removed after the session, also
when its tests fail."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import pgcluster

pytestmark = pytest.mark.slow


def test_cluster_is_stopped_and_removed_when_tests_fail(tmp_path):
    if pgcluster.missing():
        pytest.skip(pgcluster.missing())
    seen = tmp_path / "cluster-dir.txt"
    (tmp_path / "test_fails.py").write_text(
        textwrap.dedent(f"""\
            def test_fails(pg_cluster):
                open({str(seen)!r}, "w").write(str(pg_cluster.dir))
                assert pg_cluster.sql("SELECT 1") == [(1,)]
                raise AssertionError("a failing test")
            """),
        encoding="utf-8",
    )
    root = Path(__file__).resolve().parents[2]
    run = subprocess.run(  # the project's fixtures loaded as a plugin
        [sys.executable, "-m", "pytest", "-q", "-p", "tests.conftest", "-p", "no:cacheprovider",
         "--rootdir", str(tmp_path), str(tmp_path / "test_fails.py")],
        capture_output=True, text=True, cwd=root, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1 and "a failing test" in run.stdout, run.stdout + run.stderr
    cluster_dir = Path(seen.read_text())
    assert not cluster_dir.exists()  # removed, its data with it
    running = subprocess.run(["pgrep", "-f", str(cluster_dir)], capture_output=True, text=True)
    assert running.stdout == ""  # no server process of it left
