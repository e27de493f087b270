"""The PostGIS store: one live dataset on a PostgreSQL server, shared by several people.

``park.toml`` names it by URL, ``store = "postgresql://parkgeo@localhost:5432/park"``; the
password comes from ``PGPASSWORD``, ``~/.pgpass`` or a service file, never from park.toml.

It implements the same :class:`~geo.store.base.Store` interface as the GeoPackage store,
with the same tables and columns (see :mod:`geo.store._pg` for how they are laid out).

Transactions: a write is one database transaction. Writers first take a transaction-level
advisory lock, so parkgeo writers run one after the other (a second one waits up to a
timeout, then stops with a message naming the writer), and they read the history under
that lock, so record numbers never race. Every writer also signs the one-row table
``parkgeo_writer`` (command, user, since): a role without write rights is refused there by
the database, before anything else happens. A layer whose columns are unchanged is
rewritten with DELETE and COPY (no DDL), so readers, each in a short snapshot of its own
(MVCC), neither wait for a writer nor make one wait.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pandas as pd
import psycopg
from psycopg import sql

from geo import settings
from geo.errors import StoreBusyError, StoreError, StorePermissionError
from geo.store import _pg
from geo.store.base import (
    CATALOG,
    RECORD_INDEXES,
    RECORDS,
    Store,
    StoreWriter,
    read_with_lists,
    split_lists,
)

__all__ = ["WRITER", "PostgisStore", "list_tables_of"]

#: Advisory lock key held by a writing transaction (the same for every parkgeo).
WRITE_LOCK = 0x70617267  # "parg"
#: The one-row table a writer signs (command, user, since) before it writes.
WRITER = "parkgeo_writer"
_CATALOG_COLUMNS = ["name", "kind", "source", "features", "crs", "fingerprint"]
_SETUP = f"""
CREATE TABLE IF NOT EXISTS {CATALOG} (
  name text PRIMARY KEY, kind text NOT NULL, source text NOT NULL DEFAULT '',
  features bigint NOT NULL DEFAULT 0, crs text NOT NULL DEFAULT '',
  fingerprint text NOT NULL DEFAULT '', position integer NOT NULL);
CREATE TABLE IF NOT EXISTS {WRITER} (
  one boolean PRIMARY KEY DEFAULT true CHECK (one), command text, by_user text,
  since timestamptz);
INSERT INTO {WRITER} (one) VALUES (true) ON CONFLICT DO NOTHING
"""


class _PgWriter(StoreWriter):
    def __init__(self, con):
        self.con = con
        self.discarded = False

    def recorder(self, claimed: str) -> str:
        return self.con.execute("SELECT current_user").fetchone()[0]

    def catalog(self):
        return _catalog(self.con)

    def _entry(self, name: str):
        return self.con.execute(
            f"SELECT kind, fingerprint, crs FROM {CATALOG} WHERE name = %s", [name]
        ).fetchone()

    def write_layer(self, name, frame, *, kind, source="", fingerprint="", types=None):
        old = self._entry(name)
        if fingerprint and old and old[1] == fingerprint and old[0] == kind:
            return False
        frame, lists = split_lists(name, frame)
        spatial = _pg.is_spatial(frame)
        self._replace(name, frame, types)
        for table_name in list_tables_of(self.con, name):
            if table_name not in lists:
                self.con.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table_name)))
        for table_name, rows in lists.items():
            self._replace(table_name, rows, None)
        crs = frame.crs.to_string() if spatial and frame.crs else ""
        self._enter(name, kind, str(source), len(frame), crs, fingerprint)
        if name == RECORDS:
            self.index_records()
        return True

    def tally(self, name, by, *, where=None):
        cols = sql.SQL(", ").join(sql.Identifier(c) for c in by)
        condition, params = _pg.where_sql(where)
        rows = self.con.execute(
            sql.SQL("SELECT {}, count(*) FROM {} WHERE {} GROUP BY {} ORDER BY min(fid)").format(
                cols, sql.Identifier(name), condition, cols
            ),
            params,
        ).fetchall()
        return pd.DataFrame(rows, columns=[*by, "rows"])

    def index_records(self):
        if self._entry(RECORDS) is None:
            return
        have = {
            r[0]
            for r in self.con.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s",
                [RECORDS],
            )
        }
        for column in RECORD_INDEXES:
            index = f"{RECORDS}_{column}"
            if index in have:
                continue
            try:
                with self.con.transaction():  # a savepoint: only the table's owner may index
                    self.con.execute(
                        sql.SQL("CREATE INDEX {} ON {} ({})").format(
                            sql.Identifier(index), sql.Identifier(RECORDS), sql.Identifier(column)
                        )
                    )
            except psycopg.errors.InsufficientPrivilege:
                pass  # an engineer's write: the bureau's next import adds it

    def _replace(self, name, frame, types):
        """Put *frame* in table *name* in place of its rows (a new table if columns differ)."""
        attrs = _pg.attributes(frame)
        wanted = {"fid": "bigint", **_pg.pg_types(frame, attrs, types)}
        if _pg.is_spatial(frame):
            shape, srid = _pg.geometry_type(frame), _pg.srid_of(frame.crs)
            wanted[_pg.GEOM] = f"geometry({shape},{srid})"
        have = _pg.columns_of(self.con, name)
        table = sql.Identifier(name)
        if have and _same_columns(have, wanted):
            # same columns: rows only, no DDL, so readers holding the table never block us
            self.con.execute(sql.SQL("DELETE FROM {}").format(table))
        else:
            self.con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            _pg.create_table(self.con, name, frame, {c: wanted[c] for c in attrs})
        _pg.insert_rows(self.con, name, frame, start=0)

    def _enter(self, name, kind, source, features, crs, fingerprint=""):
        # UPDATE, then INSERT: a department may update its layers' entries, not add any
        values = [kind, source, int(features), crs, fingerprint, name]
        done = self.con.execute(
            f"UPDATE {CATALOG} SET kind = %s, source = %s, features = %s, crs = %s, "
            "fingerprint = %s WHERE name = %s",
            values,
        )
        if done.rowcount == 0:
            self.con.execute(
                f"INSERT INTO {CATALOG} (kind, source, features, crs, fingerprint, name, "
                f"position) VALUES (%s, %s, %s, %s, %s, %s, (SELECT coalesce(max(position), 0) "
                f"+ 1 FROM {CATALOG}))",
                values,
            )

    def append(self, name, frame, *, types):
        if self._entry(name) is None:
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in types})
            _pg.create_table(self.con, name, empty, _pg.pg_types(empty, list(types), types))
            self._enter(name, name, "", 0, "")
        if name == RECORDS:
            self.index_records()
        table = sql.Identifier(name)
        start = self.con.execute(
            sql.SQL("SELECT coalesce(max(fid), 0) FROM {}").format(table)
        ).fetchone()[0]
        fids = _pg.insert_rows(self.con, name, frame, start=start)
        if fids:
            self.con.execute(
                sql.SQL(
                    "UPDATE {} SET features = (SELECT count(*) FROM {}) WHERE name = %s"
                ).format(sql.Identifier(CATALOG), table),
                [name],
            )
        return fids

    def update(self, name, *, where, values):
        condition, params = _pg.where_sql(where)
        have = _pg.columns_of(self.con, name)
        sets = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in values)
        cells = [_pg.cell(v, have.get(c, "text")) for c, v in values.items()]
        cur = self.con.execute(
            sql.SQL("UPDATE {} SET {} WHERE {}").format(sql.Identifier(name), sets, condition),
            [*cells, *params],
        )
        return cur.rowcount

    def drop(self, name):
        if name == RECORDS:
            raise StoreError("progress records are never dropped")
        for table_name in [name, *list_tables_of(self.con, name)]:
            self.con.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table_name)))
        self.con.execute(f"DELETE FROM {CATALOG} WHERE name = %s", [name])

    def read(self, name, *, columns=None, where=None):
        entry = self._entry(name)
        if entry is None:
            return None
        return _read(self.con, name, crs=entry[2], columns=columns, where=where)

    def discard(self):
        self.discarded = True


def _same_columns(have: dict[str, str], wanted: dict[str, str]) -> bool:
    norm = {k: v.replace(" ", "").lower() for k, v in have.items()}
    return norm == {k: v.replace(" ", "").lower() for k, v in wanted.items()}


class PostgisStore(Store):
    """A store in a PostgreSQL database with PostGIS, named by a ``postgresql://`` URL.

    Parameters
    ----------
    url
        ``postgresql://USER@HOST:PORT/DB`` (libpq's URL; no password in it), optionally
        with parkgeo's own ``timeout=SECONDS`` among its parameters.
    timeout
        Seconds a writer waits for another writer, or for a table another session has
        locked, before :class:`StoreBusyError` (the URL's ``timeout`` wins).
    """

    def __init__(self, url: str, *, timeout: float = settings.STORE_BUSY_TIMEOUT_S):
        parts = urlsplit(str(url))
        if parts.password is not None or "password=" in parts.query.lower():
            raise StoreError(
                "the store URL holds a password; it is shared with everyone who opens the "
                "park. Put the password in ~/.pgpass (chmod 600), a service file or PGPASSWORD."
            )
        query = parse_qsl(parts.query, keep_blank_values=True)
        mine = dict(q for q in query if q[0] == "timeout")
        try:
            self.timeout = float(mine.get("timeout", timeout))
        except ValueError:
            raise StoreError(
                f"{url}: timeout={mine['timeout']!r} is not a number of seconds."
            ) from None
        self._url = str(url)
        # what libpq is given: the URL without parkgeo's own parameters
        self._dsn = urlunsplit(
            parts._replace(query=urlencode([q for q in query if q[0] != "timeout"]))
        )

    def __repr__(self) -> str:
        return f"PostgisStore({self._url!r})"

    @property
    def url(self) -> str:
        return self._url

    @contextlib.contextmanager
    def connect(self, *, autocommit: bool = False, command: str = "parkgeo"):
        """A psycopg connection to the store's database (StoreError when it cannot)."""
        try:
            con = psycopg.connect(
                self._dsn,
                autocommit=autocommit,
                application_name=command[:63],
                connect_timeout=10,
                options="-c timezone=UTC",
            )
        except psycopg.OperationalError as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
            raise StoreError(
                f"{self._url}: cannot connect to the store ({reason}). Check that the server "
                "runs, the URL in park.toml, and the password in ~/.pgpass or PGPASSWORD."
            ) from None
        try:
            yield con
        except psycopg.errors.InsufficientPrivilege as exc:
            raise StorePermissionError(self._refused(con, exc)) from None
        except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as exc:
            raise StoreBusyError(
                f"{self._url}: another session changed the same rows at the same time "
                f"({_first_line(exc)}); nothing was written. Run the command again."
            ) from None
        except psycopg.errors.LockNotAvailable as exc:
            raise StoreBusyError(
                f"{self._url}: a table is locked by another session ({_first_line(exc)}); "
                f"waited {self.timeout:g} s and nothing was written. Try again later."
            ) from None
        except psycopg.errors.DiskFull:
            raise StoreError(
                f"{self._url}: the database server's disk is full; nothing was written and the "
                "store is as it was. Ask its administrator to free space."
            ) from None
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"{self._url}: the connection to the store failed ({_first_line(exc)}); "
                "nothing was written."
            ) from None
        finally:
            con.close()

    def _refused(self, con, exc) -> str:
        user, groups = "?", ""
        with contextlib.suppress(Exception):
            con.rollback()
            user, groups = con.execute(
                "SELECT current_user, coalesce(string_agg(g.rolname, ', ' ORDER BY g.rolname), "
                "'') FROM pg_roles u LEFT JOIN pg_auth_members m ON m.member = u.oid "
                "LEFT JOIN pg_roles g ON g.oid = m.roleid WHERE u.rolname = current_user"
            ).fetchone()
        member = f" (member of {groups})" if groups else ""
        what = _first_line(exc)
        if WRITER in what:  # refused at sign-in: the role may not write anything
            what = f"it may only read this store ({what})"
        return (
            f"{self._url}: the database refused this to user {user!r}{member}: {what}. "
            "Nothing was written. Ask the store's owner for a role that may make this change "
            "(`parkgeo store init-roles` lists who may do what)."
        )

    def exists(self) -> bool:
        with self.connect(autocommit=True) as con:
            return _has_catalog(con)

    def catalog(self) -> pd.DataFrame:
        with self.connect(autocommit=True) as con:
            self.require(con)
            return _catalog(con)

    def require(self, con) -> None:
        if not _has_catalog(con):
            raise StoreError(
                f"{self._url}: the store is empty (no {CATALOG} table). Run `parkgeo import` "
                "in the project folder first."
            )

    def read(self, name, *, columns=None, where=None, bbox=None) -> pd.DataFrame:
        with self.connect() as con, con.transaction():
            # one snapshot for the catalog row and the table; reads never block a writer
            con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            self.require(con)
            row = con.execute(f"SELECT crs FROM {CATALOG} WHERE name = %s", [name]).fetchone()
            if row is None:
                raise StoreError(
                    f"{self._url}: no layer {name!r} in the store. Run `parkgeo import`."
                )
            return _read(con, name, crs=row[0], columns=columns, where=where, bbox=bbox)

    @contextlib.contextmanager
    def transaction(self, *, command: str = "") -> Iterator[StoreWriter]:
        command = command or "parkgeo"
        with self.connect(command=command) as con, con.transaction():
            self._wait_for_writers(con)
            # a table locked by another program (QGIS editing, a DBA) waits as long, no longer
            con.execute(
                "SELECT set_config('lock_timeout', %s, true)", [f"{self.timeout * 1000:.0f}"]
            )
            if not _has_catalog(con) or not _has(con, WRITER):
                con.execute(_SETUP)
            # signing in is a write: a role that may not write is refused here, at once
            con.execute(
                f"UPDATE {WRITER} SET command = %s, by_user = current_user, since = now()",
                [command],
            )
            writer = _PgWriter(con)
            yield writer
            if writer.discarded:
                raise psycopg.Rollback()

    def _wait_for_writers(self, con) -> None:
        """Take the store's write lock, waiting up to :attr:`timeout` for another writer."""
        deadline = time.monotonic() + self.timeout
        while not con.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITE_LOCK]).fetchone()[0]:
            if time.monotonic() > deadline:
                raise StoreBusyError(self._busy_message(con))
            time.sleep(0.05)

    def _busy_message(self, con) -> str:
        holder = con.execute(
            "SELECT a.application_name, a.usename, a.xact_start, a.pid FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND "
            "l.objid = %s AND l.granted",
            [WRITE_LOCK],
        ).fetchone()
        if holder:
            who = (
                f"another {holder[0] or 'parkgeo'} (user {holder[1]}, server process "
                f"{holder[3]}) since {holder[2].astimezone():%H:%M:%S}"
            )
        else:
            who = "another parkgeo session"
        return (
            f"{self._url}: the store is being written by {who}; waited {self.timeout:g} s. "
            "Nothing was written; try again when it has finished."
        )


def _first_line(exc) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _has(con, table: str) -> bool:
    return con.execute("SELECT to_regclass(%s) IS NOT NULL", [table]).fetchone()[0]


def _has_catalog(con) -> bool:
    return _has(con, CATALOG)


def _catalog(con) -> pd.DataFrame:
    rows = con.execute(
        f"SELECT {', '.join(_CATALOG_COLUMNS)} FROM {CATALOG} ORDER BY position"
    ).fetchall()
    frame = pd.DataFrame(rows, columns=_CATALOG_COLUMNS, dtype=object)
    frame["features"] = frame["features"].astype("int64")
    return frame


def list_tables_of(con, name: str) -> list[str]:
    """The tables holding list columns of *name* (see :func:`geo.store.base.split_lists`)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = "
        "current_schema() AND starts_with(table_name, %s) ORDER BY table_name",
        [f"{name}__"],
    ).fetchall()
    return [r[0] for r in rows]


def _read(con, name: str, *, crs, columns=None, where=None, bbox=None) -> pd.DataFrame:
    """Read *name* with its list columns put back together."""

    def read(table, *, columns=None, where=None, bbox=None):
        own = crs if table == name else ""  # list tables have no geometry
        return _pg.select(con, table, crs=own, columns=columns, where=where, bbox=bbox)

    return read_with_lists(
        read, name, list_tables_of(con, name), columns=columns, where=where, bbox=bbox
    )
