"""The PostGIS store: one live dataset on a PostgreSQL server, shared by several people.

``park.toml`` names it by URL, ``store = "postgresql://parkgeo@localhost:5432/park"``; the
password comes from ``PGPASSWORD``, ``~/.pgpass`` or a service file, never from park.toml.

Layers are tables with the same names and columns as in the GeoPackage store, a
``fid`` identity primary key and a ``geom`` column typed with its SRID and a GiST index, so
QGIS opens them as they are. An import is one database transaction: a failed one leaves the
old state. Writers take a transaction-level advisory lock, so two imports run one after the
other, never interleaved; a layer whose columns are unchanged is rewritten with DELETE and
INSERT (no DDL), so readers keep reading their snapshot (MVCC) and never block a writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.errors import StoreError
from geo.store.base import CATALOG, Store, StoreWriter

__all__ = ["PostgisStore", "is_postgres_url"]

#: Advisory lock key held by a writing transaction (any number; the same for all parkgeo).
WRITE_LOCK = 0x70617267  # "parg"
#: Seconds a writer waits for another one before it stops with a clear message.
WRITE_WAIT_S = 60.0
GEOM = "geom"


def is_postgres_url(text: str) -> bool:
    """True when *text* names a PostgreSQL store rather than a GeoPackage file."""
    return str(text).startswith(("postgresql://", "postgres://"))


def check_url(url: str) -> str:
    """*url* when it holds no password; else StoreError saying where the password goes."""
    parts = urlsplit(url)
    if parts.password is not None or "password=" in parts.query:
        raise StoreError(
            f"the store URL {redact(url)} holds a password; park.toml is shared and must not. "
            "Remove it from the URL and put it in ~/.pgpass (host:port:db:user:password, "
            "chmod 600), a PostgreSQL service file, or PGPASSWORD."
        )
    return url


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _psycopg():
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "the store is a PostgreSQL URL but the driver is not installed. "
            'Install it with `pip install "parkgeo[postgis]"` (psycopg 3).'
        ) from None
    return psycopg


def _sql():
    from psycopg import sql

    return sql


def _ident(name: str):
    return _sql().Identifier(name)


def _pg_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "bigint"
    if pd.api.types.is_float_dtype(series):
        return "double precision"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "timestamptz" if getattr(series.dt, "tz", None) is not None else "timestamp"
    values = series.dropna()
    if len(values) and all(isinstance(v, (int, float, np.number)) for v in values):
        # numbers held in an object column (e.g. a float column concatenated with None)
        if all(isinstance(v, (bool, np.bool_)) for v in values):
            return "boolean"
        if all(isinstance(v, (int, np.integer)) for v in values):
            return "bigint"
        return "double precision"
    if len(values) and all(isinstance(v, dt.datetime) for v in values):
        return "timestamp"
    if len(values) and all(isinstance(v, dt.date) for v in values):
        return "date"
    return "text"


def _cell(value, pg_type: str):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if pg_type == "text":
        return str(value)
    if pg_type == "bigint":
        return int(value)
    if pg_type == "double precision":
        return float(value)
    if pg_type == "boolean":
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _column(values: list, pg_type: str) -> pd.Series | list:
    if pg_type == "text":
        return pd.Series(values, dtype="str")
    if pg_type == "double precision":
        return pd.Series(values, dtype="float64")
    if pg_type == "bigint":
        has_null = any(v is None for v in values)
        return pd.Series(values, dtype="float64" if has_null else "int64")
    if pg_type == "boolean":
        return pd.Series(values, dtype="object" if None in values else "bool")
    return pd.Series(values, dtype="object")


def _srid(crs) -> int:
    if crs is None:
        return 0
    return crs.to_epsg() or 0


def _columns(conn, name: str) -> dict[str, str]:
    rows = conn.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped "
        "ORDER BY a.attnum",
        [_sql().Identifier(name).as_string(conn)],
    ).fetchall()
    return dict(rows)


def _read(conn, name: str, crs: str) -> pd.DataFrame:
    cols = {c: t for c, t in _columns(conn, name).items() if c != "fid"}
    if not cols and not _columns(conn, name):
        raise StoreError(f"no table {name!r} in the store. Run `parkgeo import`.")
    attrs = [c for c in cols if c != GEOM]
    query = _select(name, attrs, GEOM in cols)
    rows = conn.execute(query).fetchall()
    data = {c: _column([r[i] for r in rows], _base_type(cols[c])) for i, c in enumerate(attrs)}
    frame = pd.DataFrame(data, columns=attrs)
    if GEOM not in cols:
        return frame
    wkb = [r[-1] for r in rows]
    geometry = shapely.from_wkb(
        np.array([bytes(w) if w is not None else None for w in wkb], dtype=object)
    )
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=crs or None)


def _base_type(pg: str) -> str:
    if pg.startswith("timestamp with"):
        return "timestamptz"
    if pg.startswith("timestamp"):
        return "timestamp"
    return pg


def _rows(frame, attrs: list[str], types: dict[str, str], geom_name) -> list[list]:
    """The rows of *frame* as stored: cells in their PostgreSQL types, geometry as WKB."""
    values = [frame[c].tolist() for c in attrs]
    cells = [[_cell(v, types[c]) for v in col] for col, c in zip(values, attrs, strict=True)]
    if geom_name is not None:
        geoms = np.asarray(frame.geometry.array, dtype=object)
        cells.append(list(shapely.to_wkb(geoms)))
    return [list(r) for r in zip(*cells, strict=True)] if cells else [[] for _ in range(len(frame))]


def _select(name: str, attrs: list[str], spatial: bool):
    sql = _sql()
    cols = [sql.Identifier(c) for c in attrs]
    if spatial:
        cols.append(sql.SQL("ST_AsBinary({})").format(sql.Identifier(GEOM)))
    return sql.SQL("SELECT {} FROM {} ORDER BY fid").format(
        sql.SQL(", ").join(cols) if cols else sql.SQL("NULL"), sql.Identifier(name)
    )


def _create(conn, name: str, attrs: list[str], types: dict[str, str], srid: int | None) -> None:
    sql = _sql()
    table = sql.Identifier(name)
    defs = [sql.SQL("fid bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY")]
    defs += [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(types[c])) for c in attrs]
    if srid is not None:
        defs.append(
            sql.SQL("{} geometry(Geometry, {})").format(sql.Identifier(GEOM), sql.Literal(srid))
        )
    conn.execute(sql.SQL("CREATE TABLE {} ({})").format(table, sql.SQL(", ").join(defs)))
    if srid is not None:
        conn.execute(
            sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
                sql.Identifier(f"{name}_geom_idx"), table, sql.Identifier(GEOM)
            )
        )


class _PgWriter(StoreWriter):
    def __init__(self, conn, *, replace: bool):
        self.conn = conn
        self.replace = replace
        self.written: list[str] = []

    def write_layer(self, name, frame, *, kind, source=""):
        sql = _sql()
        spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
        geom_name = frame.geometry.name if spatial else None
        attrs = [c for c in frame.columns if c != geom_name]
        types = {c: _pg_type(frame[c]) for c in attrs}
        srid = _srid(frame.crs) if spatial else None
        wanted = {"fid": "bigint", **types}
        if spatial:
            wanted[GEOM] = f"geometry(Geometry,{srid})"
        table = sql.Identifier(name)
        have = {c: _base_type(t) for c, t in _columns(self.conn, name).items()}
        rows = _rows(frame, attrs, types, geom_name)
        keep = 0
        if have == wanted:
            # same columns: rows only, no DDL, so readers holding the table never block us;
            # rows already stored in the same order stay (an append is an INSERT only, which
            # is all an engineer's role may do to the records)
            stored = self.conn.execute(_select(name, attrs, spatial)).fetchall()
            if [tuple(r) for r in rows[: len(stored)]] == [tuple(r) for r in stored]:
                keep = len(stored)
            else:
                self.conn.execute(sql.SQL("DELETE FROM {}").format(table))
        else:
            self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
            _create(self.conn, name, attrs, types, srid if spatial else None)
        columns = [sql.Identifier(c) for c in attrs] + ([sql.Identifier(GEOM)] if spatial else [])
        if columns and len(rows) > keep:
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(table, sql.SQL(", ").join(columns))
            new = rows[keep:]
            if spatial:
                wkb = np.array([r[-1] for r in new], dtype=object)
                hexes = shapely.to_wkb(
                    shapely.set_srid(shapely.from_wkb(wkb), srid), hex=True, include_srid=True
                )
                new = [[*r[:-1], h] for r, h in zip(new, hexes, strict=True)]
            with self.conn.cursor().copy(copy) as cp:
                for row in new:
                    cp.write_row(row)
        elif not columns:
            for _ in range(len(rows) - keep):
                self.conn.execute(sql.SQL("INSERT INTO {} DEFAULT VALUES").format(table))
        position = len(self.written) + 1
        entry = [kind, str(source), len(frame), _crs_text(frame) if spatial else ""]
        old = self.conn.execute(
            f"SELECT kind, source, features, crs, position FROM {CATALOG} WHERE name = %s", [name]
        ).fetchone()
        if not self.replace:
            position = old[4] if old else self.conn.execute(
                f"SELECT coalesce(max(position), 0) + 1 FROM {CATALOG}"
            ).fetchone()[0]  # fmt: skip
        if old is None or list(old) != [*entry, position]:
            self.conn.execute(
                f"INSERT INTO {CATALOG} (name, kind, source, features, crs, position) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET kind = "
                "excluded.kind, source = excluded.source, features = excluded.features, "
                "crs = excluded.crs, position = excluded.position",
                [name, *entry, position],
            )
        self.written.append(name)

    def read(self, name):
        row = self.conn.execute(f"SELECT crs FROM {CATALOG} WHERE name = %s", [name]).fetchone()
        if row is None:
            return None
        return _read(self.conn, name, row[0])

    def finish(self) -> None:
        """With *replace*, drop what this transaction did not write (an empty start)."""
        if not self.replace:
            return
        names = [r[0] for r in self.conn.execute(f"SELECT name FROM {CATALOG}").fetchall()]
        for name in names:
            if name not in self.written:
                self.conn.execute(_sql().SQL("DROP TABLE IF EXISTS {}").format(_ident(name)))
                self.conn.execute(f"DELETE FROM {CATALOG} WHERE name = %s", [name])


def _crs_text(frame: gpd.GeoDataFrame) -> str:
    return frame.crs.to_string() if frame.crs else ""


class PostgisStore(Store):
    """A store in a PostgreSQL database with PostGIS, named by a ``postgresql://`` URL."""

    def __init__(self, url: str):
        self.url = check_url(str(url))

    def __repr__(self) -> str:
        return f"PostgisStore({self.url!r})"

    def __str__(self) -> str:
        return self.url

    @contextlib.contextmanager
    def connect(self, *, autocommit: bool = False):
        """A psycopg connection to the store's database (StoreError when it cannot)."""
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, autocommit=autocommit, application_name="parkgeo")
        except psycopg.OperationalError as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"{self.url}: cannot connect to the store ({reason}). Check that the server "
                "runs, the URL in park.toml, and the password in ~/.pgpass or PGPASSWORD."
            ) from None
        try:
            yield conn
        except psycopg.errors.InsufficientPrivilege as exc:
            user = _user(conn)
            raise StoreError(
                f"{self.url}: the database refused this for user {user!r}: "
                f"{str(exc).strip().splitlines()[0]}. Ask the store's administrator for the "
                "role that may do it (`parkgeo store init-roles` lists them)."
            ) from None
        finally:
            conn.close()

    def exists(self) -> bool:
        with self.connect(autocommit=True) as conn:
            return _has_catalog(conn)

    def _require(self, conn) -> None:
        if not _has_catalog(conn):
            raise StoreError(
                f"{self.url}: the store is empty (no {CATALOG} table). Run `parkgeo import` "
                "in the project folder first."
            )

    def catalog(self) -> pd.DataFrame:
        with self.connect(autocommit=True) as conn:
            self._require(conn)
            return _catalog(conn)

    def read(self, name: str) -> pd.DataFrame:
        with self.connect() as conn, conn.transaction():
            # one snapshot for the catalog row and the table
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            self._require(conn)
            row = conn.execute(f"SELECT crs FROM {CATALOG} WHERE name = %s", [name]).fetchone()
            if row is None:
                raise StoreError(
                    f"{self.url}: no layer {name!r} in the store. Run `parkgeo import`."
                )
            return _read(conn, name, row[0])

    @contextlib.contextmanager
    def transaction(self, *, replace: bool = False) -> Iterator[StoreWriter]:
        with self.connect() as conn, conn.transaction():
            _wait_for_lock(conn, self.url)
            if not _has_catalog(conn):  # IF NOT EXISTS alone needs the right to create
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {CATALOG} (name text PRIMARY KEY, kind text "
                    "NOT NULL, source text NOT NULL, features bigint NOT NULL, crs text NOT NULL,"
                    " position integer NOT NULL)"
                )
            writer = _PgWriter(conn, replace=replace)
            yield writer
            writer.finish()


def _user(conn) -> str:
    with contextlib.suppress(Exception):
        conn.rollback()
        return conn.execute("SELECT current_user").fetchone()[0]
    return "?"


def _has_catalog(conn) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", [CATALOG]).fetchone()[0]


def _catalog(conn) -> pd.DataFrame:
    rows = conn.execute(
        f"SELECT name, kind, source, features, crs FROM {CATALOG} ORDER BY position"
    ).fetchall()
    cols = ["name", "kind", "source", "features", "crs"]
    frame = pd.DataFrame(rows, columns=cols)
    for c in ("name", "kind", "source", "crs"):
        frame[c] = frame[c].astype("str")
    frame["features"] = frame["features"].astype("int64")
    return frame


def _wait_for_lock(conn, url: str) -> None:
    """Take the store's write lock, waiting up to WRITE_WAIT_S for another writer."""
    deadline = time.monotonic() + float(os.environ.get("PARKGEO_WRITE_WAIT_S", WRITE_WAIT_S))
    while not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", [WRITE_LOCK]).fetchone()[0]:
        if time.monotonic() > deadline:
            holder = conn.execute(
                "SELECT a.usename, a.xact_start, a.client_addr FROM pg_locks l JOIN "
                "pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND "
                "l.objid = %s AND l.granted",
                [WRITE_LOCK],
            ).fetchone()
            who = f" by {holder[0]} since {holder[1]:%H:%M:%S}" if holder else ""
            raise StoreError(
                f"{url}: the store is being written by another parkgeo session{who}; "
                "nothing was written. Try again when it has finished."
            )
        time.sleep(0.05)
