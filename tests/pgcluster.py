"""A throwaway PostgreSQL + PostGIS cluster for the tests, in a temporary directory.

initdb refuses to run as root, so as root the cluster runs as the unprivileged ``nobody``
(``runuser -u nobody --``). It listens only on a unix socket inside its own directory
(no TCP port to collide with), trusts local connections, and is stopped and removed at the
end of the session, also when tests fail (``try/finally`` in the fixture plus ``atexit``).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
POSTGIS = Path("/usr/share/postgresql/15/extension/postgis.control")
TEMPLATE = "parkgeo_template"
SUPERUSER = "postgres"


def missing() -> str | None:
    """Why a cluster cannot be started here (None when it can)."""
    if not (BIN / "initdb").exists():
        return f"PostgreSQL 15 is not installed ({BIN}/initdb missing); run scripts/setup.sh"
    if not POSTGIS.exists():
        return f"PostGIS is not installed ({POSTGIS} missing); run scripts/setup.sh"
    return None


class Cluster:
    """One running cluster; :meth:`database` hands out a fresh PostGIS database per test."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="parkgeo-pg-"))
        self.data = self.dir / "data"
        self.user = "nobody" if os.geteuid() == 0 else None
        self._names = itertools.count(1)
        self._running = False
        if self.user:
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        self.dir.chmod(0o755)

    def _run(self, *args: str) -> None:
        cmd = [str(a) for a in args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, cwd=self.dir)

    def start(self) -> Cluster:
        self._run(
            BIN / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        )  # fmt: skip
        opts = f"-c listen_addresses='' -c unix_socket_directories='{self.dir}' -c fsync=off"
        atexit.register(self.stop)
        self._run(
            BIN / "pg_ctl", "-D", self.data, "-l", self.dir / "log", "-o", opts, "-w", "start"
        )
        self._running = True
        self.sql(f"CREATE DATABASE {TEMPLATE}")
        self.sql("CREATE EXTENSION postgis", db=TEMPLATE)
        return self

    def stop(self) -> None:
        if self._running:
            self._running = False
            with contextlib.suppress(subprocess.CalledProcessError):
                self._run(BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, db: str, user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{db}?host={self.dir}"

    def sql(self, statement: str, db: str = "postgres", user: str = SUPERUSER):
        import psycopg

        with psycopg.connect(self.url(db, user), autocommit=True) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else None

    def database(self, *, like: str | None = None) -> str:
        """A new database with PostGIS, empty or a copy of the database at URL *like*
        (which nobody may be connected to); its URL."""
        name = f"park_{next(self._names)}"
        template = like.split("/")[3].split("?")[0] if like else TEMPLATE
        self.sql(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)
