"""The store interface: what parkgeo needs of a store, whatever holds it.

:class:`Store` reads; :class:`StoreWriter` writes inside one :meth:`Store.transaction`.
The GeoPackage store (:mod:`geo.store.gpkg`) implements it; a PostGIS store will too. The
interface speaks of tables, columns, ``where`` mappings (column → value or list of values)
and bounding boxes, never of files, SQL text or a database driver.

Progress records are never deleted: a record is *active*, *superseded* (by a later record)
or *retracted*; :meth:`Store.records` gives the records the store held at any moment.
"""

from __future__ import annotations

import contextlib
import copy
import re
from abc import ABC, abstractmethod

import pandas as pd

__all__ = [
    "CATALOG",
    "RECORDS",
    "RECORD_SCHEMA",
    "SOURCES",
    "SOURCE_SCHEMA",
    "Store",
    "StoreWriter",
    "active_at",
    "column_type",
    "join_lists",
    "list_table",
    "read_with_lists",
    "split_lists",
]

#: Name of the table listing every stored layer: name, kind, source, features, crs, fingerprint.
CATALOG = "parkgeo_catalog"

#: Name of the table of progress records (the park's history).
RECORDS = "progress"

#: The columns that say whether a record is active at a moment (:func:`active_at`).
_LIFECYCLE = ("recorded_at", "superseded_at", "retracted_at")

#: Columns of the progress records looked up one value at a time (``history`` of a feature,
#: ``retract`` of a record), each with its own index.
RECORD_INDEXES = ("feature_id", "record_id")

#: Columns of the progress record table and their types (``seq`` is the store's row number).
RECORD_SCHEMA = {
    "record_id": "TEXT",
    "kind": "TEXT",
    "feature_id": "TEXT",
    "date": "DATE",
    "stage": "TEXT",
    "percent": "REAL",
    "floor_area_m2": "REAL",
    "investment_wan": "REAL",
    "item": "TEXT",
    "from_m": "REAL",
    "to_m": "REAL",
    "contract_section": "TEXT",
    "note": "TEXT",
    "source_file": "TEXT",
    "source_sheet": "TEXT",
    "source_row": "INTEGER",
    "source_record_id": "TEXT",
    "fingerprint": "TEXT",
    "seen_row": "INTEGER",
    "recorded_at": "DATETIME",
    "recorded_by": "TEXT",
    "superseded_by": "TEXT",
    "superseded_at": "DATETIME",
    "retracted_at": "DATETIME",
    "retracted_by": "TEXT",
    "retracted_why": "TEXT",
}


#: Name of the table listing every version of a progress file the store has imported.
SOURCES = "parkgeo_sources"

#: Columns of :data:`SOURCES`: the file (and sheet), the SHA-256 of its bytes, the digest
#: of what it was read against (field mapping, feature layers), its rows, how many were
#: refused, and when and by whom it was imported.
SOURCE_SCHEMA = {
    "source_file": "TEXT",
    "source_sheet": "TEXT",
    "digest": "TEXT",
    "context": "TEXT",
    "rows": "INTEGER",
    "bad": "INTEGER",
    "imported_at": "DATETIME",
    "imported_by": "TEXT",
}


def list_table(name: str, column: str) -> str:
    """The table holding the items of list column *column* of layer *name*, one per row."""
    return f"{name}__{column}"


def split_lists(name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Columns of *frame* that hold lists, as rows of their own tables.

    A project naming three parcels becomes three rows ``(row, id, position, parcels)`` of
    the table ``projects__parcels`` instead of one ``;``-joined text cell, so that a store
    (and QGIS, or SQL) can join, count and filter them.

    Parameters
    ----------
    name : str
        The layer or table *frame* is written as.
    frame : DataFrame
        Rows to write; a column is a list column when any of its values is a list or tuple.

    Returns
    -------
    frame : DataFrame
        *frame* without its list columns.
    tables : dict
        :func:`list_table` name → its rows: ``row`` (1-based row of *frame*), ``id`` (when
        *frame* has one), ``position`` (1-based place in the list) and the item.
    """
    columns = [
        c
        for c in frame.columns
        if frame[c].dtype == object and any(isinstance(v, list | tuple) for v in frame[c])
    ]
    tables = {}
    for column in columns:
        rows = []
        ids = frame["id"].tolist() if "id" in frame.columns else [None] * len(frame)
        for row, (owner, items) in enumerate(zip(ids, frame[column], strict=True), start=1):
            for position, item in enumerate(items if isinstance(items, list | tuple) else [], 1):
                rows.append({"row": row, "id": owner, "position": position, column: item})
        table = pd.DataFrame(rows, columns=["row", "id", "position", column])
        tables[list_table(name, column)] = table.drop(columns=[] if "id" in frame else ["id"])
    return frame.drop(columns=columns), tables


def join_lists(frame: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The inverse of :func:`split_lists`: each ``{name}__{column}`` table back as a list
    column of *frame* (rows in stored order; an empty list where a row has no items)."""
    out = frame.copy()
    for table_name, table in tables.items():
        column = table_name.rpartition("__")[2]
        items: dict[int, list] = {}
        for row, item in table.sort_values(["row", "position"])[["row", column]].itertuples(
            index=False, name=None
        ):
            items.setdefault(int(row), []).append(item)
        out[column] = [items.get(i, []) for i in range(1, len(out) + 1)]
    return out


def read_with_lists(
    read, name: str, list_tables: list[str], *, columns=None, where=None, bbox=None
) -> pd.DataFrame:
    """Read *name* through a store's *read* (``read(table, columns=, where=, bbox=)``) with
    its list columns (*list_tables*, see :func:`split_lists`) put back together; for a
    subset of rows the items are matched to rows by their stored row number (fid)."""
    frame = read(name, columns=columns, where=where, bbox=bbox)
    tables = {
        t: read(t) for t in list_tables if columns is None or t.rpartition("__")[2] in columns
    }
    if not tables or (where is None and bbox is None):
        return join_lists(frame, tables) if tables else frame
    rows = read(name, columns=["fid"], where=where, bbox=bbox)["fid"].tolist()
    renumber = {int(fid): i for i, fid in enumerate(rows, start=1)}
    subset = {}
    for table_name, table in tables.items():
        part = table[table["row"].isin(renumber)].copy()
        part["row"] = part["row"].map(renumber)
        subset[table_name] = part
    return join_lists(frame, subset)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def column_type(series: pd.Series) -> str:
    """The store type of a column (TEXT, DATE, DATETIME, REAL, INTEGER, BOOLEAN), as
    RECORD_SCHEMA names them; ISO date text is a DATE."""
    if pd.api.types.is_bool_dtype(series):
        return "BOOLEAN"
    if pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "REAL"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "DATETIME"
    values = series.dropna()
    if len(values) and all(isinstance(v, str) and _ISO_DATE.match(v) for v in values):
        return "DATE"
    return "TEXT"


def active_at(records: pd.DataFrame, moment: str | None) -> pd.DataFrame:
    """The records that were active at *moment* (an ISO UTC datetime; None: now).

    A record is active from its ``recorded_at`` until it is superseded or retracted.
    """
    if not len(records):
        return records
    if moment is None:
        keep = records["superseded_at"].isna() & records["retracted_at"].isna()
    else:

        def not_yet(column):
            values = records[column]
            return values.isna() | (values.astype(object).fillna("") > moment)

        keep = (
            (records["recorded_at"] <= moment) & not_yet("superseded_at") & not_yet("retracted_at")
        )
    return records[keep.to_numpy(dtype=bool)].reset_index(drop=True)


class StoreWriter(ABC):
    """Writes inside one transaction; reads see the transaction's own writes."""

    @abstractmethod
    def write_layer(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        kind: str,
        source: str = "",
        fingerprint: str = "",
        types: dict[str, str] | None = None,
    ) -> bool:
        """Replace layer or table *name* with *frame* of *kind* (*types* fixes column
        types); False when the stored layer already has this *fingerprint* (nothing written)."""

    @abstractmethod
    def append(self, name: str, frame: pd.DataFrame, *, types: dict[str, str]) -> list[int]:
        """Append the rows of *frame* to table *name* (created with *types* if absent);
        returns their row numbers (``seq``)."""

    @abstractmethod
    def update(self, name: str, *, where: dict, values: dict) -> int:
        """Set *values* on the rows of *name* matching *where*; the number of rows."""

    @abstractmethod
    def drop(self, name: str) -> None:
        """Remove layer or table *name* (never the progress records)."""

    @abstractmethod
    def read(
        self, name: str, *, columns: list[str] | None = None, where: dict | None = None
    ) -> pd.DataFrame | None:
        """Read *name* as it stands inside the transaction (None when absent)."""

    @abstractmethod
    def tally(self, name: str, by: list[str], *, where: dict | None = None) -> pd.DataFrame:
        """How many rows of *name* (matching *where*, as :meth:`read`) have each value of
        the columns *by*: those columns and ``rows``, counted by the database (an import
        of unchanged sheets needs only these counts of a million records)."""

    @abstractmethod
    def catalog(self) -> pd.DataFrame:
        """The catalog as it stands inside the transaction."""

    @abstractmethod
    def discard(self) -> None:
        """Roll the transaction back when it ends (a dry run)."""

    @abstractmethod
    def index_records(self) -> None:
        """Give the progress records their lookup indexes (:data:`RECORD_INDEXES`) when they
        lack them (a store of an earlier parkgeo, a table just made)."""

    def recorder(self, claimed: str) -> str:
        """Who the store records as writing: *claimed* (``--by``, the operator, the OS
        user), unless the store knows its user itself (PostGIS: the database user)."""
        return claimed


class Store(ABC):
    """What parkgeo needs of a store; the GeoPackage store implements it.

    ``as_recorded`` (an ISO UTC datetime, or None for now) makes every read of progress
    records give what the store held at that moment; see :meth:`at`.
    """

    as_recorded: str | None = None

    @property
    @abstractmethod
    def url(self) -> str:
        """Where the store is, as the manifest names it (for messages)."""

    @abstractmethod
    def exists(self) -> bool:
        """True once something has been imported."""

    @abstractmethod
    def catalog(self) -> pd.DataFrame:
        """One row per stored layer or table: name, kind, source, features, crs."""

    @abstractmethod
    def read(
        self,
        name: str,
        *,
        columns: list[str] | None = None,
        where: dict | None = None,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> pd.DataFrame:
        """Read a stored layer (a GeoDataFrame) or table (a DataFrame) by name.

        Parameters
        ----------
        columns
            Only these columns (and the geometry of a layer).
        where
            Only rows whose column equals the value (or one of a list of values).
        bbox
            Only features whose bounding box meets (xmin, ymin, xmax, ymax), in the
            layer's CRS.
        """

    @abstractmethod
    def transaction(self, *, command: str = "") -> contextlib.AbstractContextManager[StoreWriter]:
        """All-or-nothing writes; one writer at a time (*command* names it to others)."""

    def at(self, as_recorded: str | None) -> Store:
        """This store as it was at *as_recorded* (ISO UTC datetime; None: now)."""
        view = copy.copy(self)
        view.as_recorded = as_recorded
        return view

    def names(self) -> list[str]:
        return list(self.catalog()["name"]) if self.exists() else []

    def records(
        self,
        *,
        where: dict | None = None,
        everything: bool = False,
        columns: list[str] | None = None,
    ) -> pd.DataFrame | None:
        """Progress records, active ones at :attr:`as_recorded` (all with *everything*):
        ``seq`` and *columns* (default: every column of :data:`RECORD_SCHEMA`)."""
        if RECORDS not in self.names():
            return None
        wanted = list(RECORD_SCHEMA) if columns is None else [c for c in columns if c != "seq"]
        if not everything:
            wanted += [c for c in _LIFECYCLE if c not in wanted]
            if self.as_recorded is None:  # active now: the database leaves out the others
                where = {**(where or {}), "superseded_at": None, "retracted_at": None}
        frame = self.read(RECORDS, columns=["fid", *wanted], where=where)
        frame = frame.rename(columns={"fid": "seq"})
        return frame if everything else active_at(frame, self.as_recorded)

    def read_kind(self, kind: str, *, where: dict | None = None) -> pd.DataFrame | None:
        """The stored layer of *kind* (None when the project has none), or only its rows
        matching *where* (as :meth:`read`)."""
        if not self.exists():
            return None
        if kind == "progress":
            return self.records(where=where)
        cat = self.catalog()
        rows = cat[cat["kind"] == kind]
        if rows.empty:
            return None
        return self.read(rows.iloc[0]["name"], where=where)
