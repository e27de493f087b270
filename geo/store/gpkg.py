"""The GeoPackage store, the embedded default.

Every write happens in place inside one SQLite transaction (``BEGIN IMMEDIATE``): the
history is read and appended to under the same write lock, a second writer waits up to a
timeout and then stops with a message naming the writer, and readers see the last
committed state. A failed or killed write leaves the store as it was (SQLite's journal).
New stores use the WAL journal (see README, "The store"); a store in another mode keeps it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import getpass
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import StoreBusyError, StoreError
from geo.store import _sqlite
from geo.store.base import (
    CATALOG,
    RECORD_INDEXES,
    RECORDS,
    Store,
    StoreWriter,
    read_with_lists,
    split_lists,
)

__all__ = ["GpkgStore"]

_CATALOG_TYPES = {
    "name": "TEXT",
    "kind": "TEXT",
    "source": "TEXT",
    "features": "INTEGER",
    "crs": "TEXT",
    "fingerprint": "TEXT",
}


class _GpkgWriter(StoreWriter):
    def __init__(self, con: sqlite3.Connection):
        self.con = con
        self.discarded = False
        self.entries: dict[str, dict] = {}
        if CATALOG in _sqlite.table_names(con):
            cat = _sqlite.read_table(con, CATALOG)
            self.entries = {r["name"]: dict(r) for r in cat.to_dict("records")}

    def catalog(self):
        return pd.DataFrame(list(self.entries.values()), columns=list(_CATALOG_TYPES))

    def write_layer(self, name, frame, *, kind, source="", fingerprint="", types=None):
        old = self.entries.get(name)
        if fingerprint and old and old.get("fingerprint") == fingerprint and old["kind"] == kind:
            return False
        frame, lists = split_lists(name, frame)
        _drop_lists(self.con, name)
        _sqlite.write_table(self.con, name, frame, types=types)
        for table_name, rows in lists.items():
            _sqlite.write_table(self.con, table_name, rows)
        spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
        self._enter(name, kind, source, len(frame), frame.crs if spatial else None, fingerprint)
        if name == RECORDS:
            self.index_records()
        return True

    def tally(self, name, by, *, where=None):
        cols = ", ".join(f'"{c}"' for c in by)
        clause, params = _sqlite._where_sql(where)
        rows = self.con.execute(
            f'SELECT {cols}, count(*) FROM "{name}" WHERE {clause or "1"} '
            f"GROUP BY {cols} ORDER BY min(fid)",
            params,
        ).fetchall()
        return pd.DataFrame(rows, columns=[*by, "rows"])

    def index_records(self):
        if RECORDS not in self.entries:
            return
        for column in RECORD_INDEXES:
            self.con.execute(
                f'CREATE INDEX IF NOT EXISTS "{RECORDS}_{column}" ON "{RECORDS}" ("{column}")'
            )

    def _enter(self, name, kind, source, features, crs, fingerprint=""):
        self.entries[name] = {
            "name": name,
            "kind": kind,
            "source": str(source),
            "features": int(features),
            "crs": crs.to_string() if crs else "",
            "fingerprint": fingerprint,
        }
        _sqlite.write_table(self.con, CATALOG, self.catalog(), types=_CATALOG_TYPES)

    def append(self, name, frame, *, types):
        if name not in self.entries:
            empty = pd.DataFrame({c: pd.Series(dtype=object) for c in types})
            _sqlite.write_table(self.con, name, empty, types=types)
            self._enter(name, name, "", 0, None)
        if name == RECORDS:
            self.index_records()
        fids = _sqlite.append_rows(self.con, name, frame, columns=list(frame.columns))
        count = self.con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        if count != self.entries[name]["features"]:
            self.entries[name]["features"] = count
            _sqlite.write_table(self.con, CATALOG, self.catalog(), types=_CATALOG_TYPES)
        return fids

    def update(self, name, *, where, values):
        clause, params = _sqlite._where_sql(where)
        sets = ", ".join(f'"{c}" = ?' for c in values)
        cur = self.con.execute(
            f'UPDATE "{name}" SET {sets} WHERE {clause or "1"}', [*values.values(), *params]
        )
        return cur.rowcount

    def drop(self, name):
        if name == RECORDS:
            raise StoreError("progress records are never dropped")
        _sqlite.drop_table(self.con, name)
        _drop_lists(self.con, name)
        if self.entries.pop(name, None) is not None:
            _sqlite.write_table(self.con, CATALOG, self.catalog(), types=_CATALOG_TYPES)

    def read(self, name, *, columns=None, where=None):
        if name not in self.entries:
            return None
        return _read(self.con, name, columns=columns, where=where)

    def discard(self):
        self.discarded = True


def parse_url(url: str, root: Path) -> tuple[Path, dict[str, str]]:
    """``park.gpkg`` or ``gpkg:park.gpkg?journal=delete&timeout=5`` → path and options."""
    text = url[len("gpkg:") :] if url.startswith("gpkg:") else url
    text, _, query = text.partition("?")
    options = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
    unknown = set(options) - {"journal", "timeout"}
    if unknown:
        raise StoreError(
            f"store {url!r}: unknown option(s) {', '.join(sorted(unknown))}; "
            "a GeoPackage store takes journal=wal|delete and timeout=SECONDS."
        )
    path = Path(text)
    return (path if path.is_absolute() else root / path).resolve(), options


class GpkgStore(Store):
    """A store in one GeoPackage file.

    Parameters
    ----------
    path
        The GeoPackage file.
    journal
        SQLite journal mode given to a new store ("wal" or "delete").
    timeout
        Seconds a writer waits for another writer before :class:`StoreBusyError`.
    """

    def __init__(
        self,
        path: Path | str,
        *,
        journal: str = settings.STORE_JOURNAL_MODE,
        timeout: float = settings.STORE_BUSY_TIMEOUT_S,
    ):
        self.path = Path(path)
        if journal.lower() not in ("wal", "delete"):
            raise StoreError(f"{self.path}: journal={journal!r}; use wal or delete.")
        self.journal = journal.lower()
        self.timeout = float(timeout)

    @classmethod
    def from_url(cls, url: str, *, root: Path) -> GpkgStore:
        path, options = parse_url(url, root)
        return cls(
            path,
            journal=options.get("journal", settings.STORE_JOURNAL_MODE),
            timeout=float(options.get("timeout", settings.STORE_BUSY_TIMEOUT_S)),
        )

    def __repr__(self) -> str:
        return f"GpkgStore({str(self.path)!r})"

    @property
    def url(self) -> str:
        return str(self.path)

    @property
    def _note(self) -> Path:
        return self.path.with_name(self.path.name + ".writer")

    def exists(self) -> bool:
        return self.path.exists()

    def _require(self) -> None:
        if not self.exists():
            raise StoreError(
                f"{self.path}: the store does not exist yet. Run `parkgeo import` in the project "
                "folder first."
            )

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        self._require()
        try:
            con = _sqlite.connect(self.path, timeout=self.timeout)
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # a read-only folder or file: SQLite cannot make its lock files beside the store,
            # so read it as an immutable file (nobody can be writing it there either)
            con = self._read_only()
        except sqlite3.Error as exc:
            raise StoreError(_corrupt(self.path, exc)) from None
        try:
            yield con
        except sqlite3.DatabaseError as exc:
            raise StoreError(_corrupt(self.path, exc)) from None
        finally:
            con.close()

    def _read_only(self) -> sqlite3.Connection:
        try:
            con = _sqlite.connect(self.path, timeout=self.timeout, readonly=True)
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot open the store ({exc}); is the project folder readable?"
            ) from None
        return con

    def catalog(self) -> pd.DataFrame:
        with self._reading() as con:
            names = _table_names(con)
            if not names and _is_empty_gpkg(con):  # a new store whose first write failed
                return pd.DataFrame(columns=list(_CATALOG_TYPES))
            if CATALOG not in names:
                raise StoreError(_corrupt(self.path, "it has no catalog"))
            return _sqlite.read_table(con, CATALOG)

    def read(self, name, *, columns=None, where=None, bbox=None) -> pd.DataFrame:
        with self._reading() as con:
            if name not in _table_names(con):
                raise StoreError(
                    f"{self.path}: no layer {name!r} in the store. Run `parkgeo import`."
                )
            return _read(con, name, columns=columns, where=where, bbox=bbox)

    @contextlib.contextmanager
    def transaction(self, *, command: str = "") -> Iterator[StoreWriter]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self._create()
            con = _sqlite.connect(self.path, timeout=self.timeout)
        except (OSError, sqlite3.OperationalError) as exc:
            if "full" in str(exc) or getattr(exc, "errno", None) == errno.ENOSPC:
                raise StoreError(_disk_full(self.path)) from None
            raise StoreError(_cannot_write(self.path, exc)) from None
        wrote_note = False
        try:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" in str(exc) or "busy" in str(exc):
                    raise StoreBusyError(self._busy_message()) from None
                raise
            wrote_note = self._write_note(command)
            _sqlite.ensure_gpkg(con)
            writer = _GpkgWriter(con)
            yield writer
            if writer.discarded:
                con.execute("ROLLBACK")
            else:
                con.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            _rollback(con)
            if "full" in str(exc):
                raise StoreError(_disk_full(self.path)) from None
            if "readonly" in str(exc) or "unable to open" in str(exc):
                raise StoreError(_cannot_write(self.path, exc)) from None
            raise StoreError(
                f"{self.path}: the write failed ({exc}); nothing was written."
            ) from None
        except sqlite3.DatabaseError as exc:
            _rollback(con)
            raise StoreError(_corrupt(self.path, exc)) from None
        except BaseException:
            _rollback(con)
            raise
        finally:
            if wrote_note:
                with contextlib.suppress(OSError):
                    self._note.unlink()
            with contextlib.suppress(sqlite3.Error):
                con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.close()

    def _create(self) -> None:
        """Make a new, empty store, whole or not at all.

        The GeoPackage is made under a temporary name with its journal mode set and its
        core tables written, then hard-linked to the store's path, which fails when another
        writer got there first (and then that one's store is used). So no writer, reader or
        GIS ever opens a half-made file: with the file made in place, a second writer could
        begin on the empty file before the first had switched it to WAL, and the first then
        failed with "database is locked".
        """
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.new")
        try:
            con = _sqlite.connect(tmp, timeout=self.timeout)
            try:
                con.execute(f"PRAGMA journal_mode = {self.journal}")
                con.execute("BEGIN IMMEDIATE")
                _sqlite.ensure_gpkg(con)
                con.execute("COMMIT")
            finally:
                con.close()
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another writer made the store meanwhile
            except OSError:
                # a file system without hard links (FAT, some network shares): move it
                # into place unless the store has appeared meanwhile
                if not self.path.exists():
                    os.replace(tmp, self.path)
        finally:
            for leftover in (
                tmp,
                tmp.with_name(tmp.name + "-wal"),
                tmp.with_name(tmp.name + "-shm"),
            ):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def _write_note(self, command: str) -> bool:
        """Say who writes, for a writer that has to wait (best effort: a full disk or a
        read-only folder must not stop the write itself)."""
        note = {
            "command": command or "parkgeo",
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "user": _user(),
        }
        try:
            self._note.write_text(json.dumps(note), encoding="utf-8")
        except OSError:
            with contextlib.suppress(OSError):
                self._note.unlink()
            return False
        return True

    def _busy_message(self) -> str:
        try:
            note = json.loads(self._note.read_text(encoding="utf-8"))
            who = (
                f"another {note['command']} (user {note['user']}, process {note['pid']}) "
                f"since {note['since'][11:19]}"
            )
        except (OSError, ValueError, KeyError):
            who = "another program (parkgeo, QGIS or GDAL)"
        return (
            f"{self.path}: the store is being written by {who}; waited {self.timeout:g} s. "
            "Nothing was written; try again when it has finished."
        )


def _list_tables(con: sqlite3.Connection, name: str) -> list[str]:
    """The tables holding list columns of *name* (see :func:`geo.store.base.split_lists`)."""
    return [t for t in _sqlite.table_names(con) if t.startswith(f"{name}__")]


def _drop_lists(con: sqlite3.Connection, name: str) -> None:
    for table_name in _list_tables(con, name):
        _sqlite.drop_table(con, table_name)


def _read(con: sqlite3.Connection, name: str, *, columns=None, where=None, bbox=None):
    """Read *name* with its list columns put back together."""

    def read(table, *, columns=None, where=None, bbox=None):
        return _sqlite.read_table(con, table, columns=columns, where=where, bbox=bbox)

    return read_with_lists(
        read, name, _list_tables(con, name), columns=columns, where=where, bbox=bbox
    )


def _is_empty_gpkg(con: sqlite3.Connection) -> bool:
    """Whether *con* is a GeoPackage as :meth:`GpkgStore._create` makes it, with no layer."""
    try:
        app = con.execute("PRAGMA application_id").fetchone()[0]
        return app == _sqlite.APPLICATION_ID and not _sqlite.table_names(con)
    except sqlite3.Error:
        return False


def _table_names(con: sqlite3.Connection) -> list[str]:
    try:
        return _sqlite.table_names(con)
    except sqlite3.OperationalError:
        return []


def _cannot_write(path: Path, exc: Exception) -> str:
    return (
        f"{path}: cannot write the store ({exc}): the project folder or the store file is "
        "read-only. Nothing was written and the store is as it was. Make the folder and "
        f"{path.name} writable, or copy the project folder somewhere writable and run the "
        "command there."
    )


def _disk_full(path: Path) -> str:
    return (
        f"{path}: the disk is full; nothing was written and the store is as it was. Free "
        "some space and run the command again."
    )


def _corrupt(path: Path, why: object) -> str:
    return (
        f"{path}: not a readable parkgeo store ({why}): the file is damaged or is not a "
        "parkgeo GeoPackage, and nothing will write over it. Restore it from a backup copy; "
        f"or, to start afresh from the sources (the progress history it held is then lost), "
        f"move {path.name} aside and run `parkgeo import`."
    )


def _rollback(con: sqlite3.Connection) -> None:
    if con.in_transaction:
        with contextlib.suppress(sqlite3.Error):
            con.execute("ROLLBACK")


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
