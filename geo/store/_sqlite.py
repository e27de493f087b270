"""GeoPackage tables over Python's sqlite3, so that one SQLite transaction holds a whole write.

GDAL (through pyogrio) opens its own connection per layer, so it cannot put several layers
and the progress history into one transaction. This module writes the GeoPackage tables
itself, as the GeoPackage 1.4 standard lays them out: ``gpkg_spatial_ref_sys``,
``gpkg_contents``, ``gpkg_geometry_columns``, ``gpkg_extensions``, feature tables with
GeoPackage geometry blobs and their R*Tree spatial index with the standard triggers (whose
``ST_*`` functions are registered on every connection, as GDAL and QGIS register theirs).
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.store.base import column_type

__all__ = ["connect", "drop_table", "ensure_gpkg", "read_table", "table_names", "write_table"]

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10400  # GeoPackage 1.4
_ENVELOPE_BYTES = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}

_CORE = """
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
"""

_UNDEFINED_SRS = [
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate"),
]

# the R*Tree triggers of the GeoPackage standard (extension gpkg_rtree_index)
_RTREE_TRIGGERS = """
CREATE TRIGGER "rtree_{t}_{c}_insert" AFTER INSERT ON "{t}"
WHEN (new."{c}" NOT NULL AND NOT ST_IsEmpty(NEW."{c}"))
BEGIN INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW.fid, ST_MinX(NEW."{c}"),
  ST_MaxX(NEW."{c}"), ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END;
CREATE TRIGGER "rtree_{t}_{c}_update1" AFTER UPDATE OF "{c}" ON "{t}"
WHEN OLD.fid = NEW.fid AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}"))
BEGIN INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW.fid, ST_MinX(NEW."{c}"),
  ST_MaxX(NEW."{c}"), ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END;
CREATE TRIGGER "rtree_{t}_{c}_update2" AFTER UPDATE OF "{c}" ON "{t}"
WHEN OLD.fid = NEW.fid AND (NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}"))
BEGIN DELETE FROM "rtree_{t}_{c}" WHERE id = OLD.fid; END;
CREATE TRIGGER "rtree_{t}_{c}_update3" AFTER UPDATE ON "{t}"
WHEN OLD.fid != NEW.fid AND (NEW."{c}" NOTNULL AND NOT ST_IsEmpty(NEW."{c}"))
BEGIN DELETE FROM "rtree_{t}_{c}" WHERE id = OLD.fid;
  INSERT OR REPLACE INTO "rtree_{t}_{c}" VALUES (NEW.fid, ST_MinX(NEW."{c}"),
  ST_MaxX(NEW."{c}"), ST_MinY(NEW."{c}"), ST_MaxY(NEW."{c}")); END;
CREATE TRIGGER "rtree_{t}_{c}_update4" AFTER UPDATE ON "{t}"
WHEN OLD.fid != NEW.fid AND (NEW."{c}" ISNULL OR ST_IsEmpty(NEW."{c}"))
BEGIN DELETE FROM "rtree_{t}_{c}" WHERE id IN (OLD.fid, NEW.fid); END;
CREATE TRIGGER "rtree_{t}_{c}_delete" AFTER DELETE ON "{t}" WHEN old."{c}" NOT NULL
BEGIN DELETE FROM "rtree_{t}_{c}" WHERE id = OLD.fid; END;
"""
_TRIGGER_SUFFIXES = ("insert", "update1", "update2", "update3", "update4", "delete")


# ---------------------------------------------------------------------------- blobs


def _wkb_offset(blob: bytes) -> int:
    return 8 + _ENVELOPE_BYTES[(blob[3] >> 1) & 0x07]


def _envelope(blob: bytes | None, index: int) -> float | None:
    if blob is None:
        return None
    flags = blob[3]
    if flags & 0x10:  # empty
        return None
    if (flags >> 1) & 0x07:
        order = "<" if flags & 0x01 else ">"
        return struct.unpack_from(f"{order}d", blob, 8 + 8 * index)[0]
    bounds = shapely.from_wkb(blob[_wkb_offset(blob) :]).bounds  # minx, miny, maxx, maxy
    return bounds[(0, 2, 1, 3)[index]]


def _is_empty(blob: bytes | None) -> int | None:
    if blob is None:
        return None
    return int(bool(blob[3] & 0x10) or shapely.from_wkb(blob[_wkb_offset(blob) :]).is_empty)


def encode(geoms: np.ndarray, srs_id: int) -> list[bytes | None]:
    """GeoPackage geometry blobs (little-endian, xy envelope) of shapely *geoms*."""
    wkb = shapely.to_wkb(geoms, output_dimension=2, byte_order=1)
    bounds = shapely.bounds(geoms)  # minx, miny, maxx, maxy
    empty = shapely.is_empty(geoms)
    out: list[bytes | None] = []
    for w, b, e in zip(wkb, bounds, empty, strict=True):
        if w is None:
            out.append(None)
        elif e:
            out.append(b"GP\x00\x11" + struct.pack("<i", srs_id) + w)
        else:
            out.append(b"GP\x00\x03" + struct.pack("<i4d", srs_id, b[0], b[2], b[1], b[3]) + w)
    return out


def decode(blobs: Iterable[bytes | None]) -> np.ndarray:
    """Shapely geometries of GeoPackage geometry blobs (None stays None)."""
    wkb = [None if b is None else bytes(b[_wkb_offset(b) :]) for b in blobs]
    return shapely.from_wkb(np.array(wkb, dtype=object))


# ---------------------------------------------------------------------------- connection


def connect(path, *, timeout: float, readonly: bool = False) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are begun explicitly) with the
    GeoPackage ``ST_*`` functions the R*Tree triggers call. *readonly* opens the file as
    immutable (no lock or WAL files made beside it: for a store in a read-only folder)."""
    target = f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1" if readonly else str(path)
    con = sqlite3.connect(target, timeout=timeout, isolation_level=None, uri=readonly)
    for i, name in enumerate(("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY")):
        con.create_function(name, 1, lambda b, i=i: _envelope(b, i), deterministic=True)
    con.create_function("ST_IsEmpty", 1, _is_empty, deterministic=True)
    return con


def ensure_gpkg(con: sqlite3.Connection) -> None:
    """Create the GeoPackage core tables when the file has none (inside a transaction)."""
    con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    con.execute(f"PRAGMA user_version = {USER_VERSION}")
    for statement in _CORE.split(";"):
        if statement.strip():
            con.execute(statement)
    con.executemany(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _UNDEFINED_SRS
    )
    _srs_id(con, CRS.from_epsg(4326))


def table_names(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents ORDER BY rowid")]


def _srs_id(con: sqlite3.Connection, crs: CRS | None) -> int:
    if crs is None:
        return -1
    auth = crs.to_authority()
    if auth and auth[0] == "EPSG":
        srs_id, org, code = int(auth[1]), "EPSG", int(auth[1])
    else:
        wkt = crs.to_wkt()
        row = con.execute(
            "SELECT srs_id FROM gpkg_spatial_ref_sys WHERE definition = ?", (wkt,)
        ).fetchone()
        if row:
            return int(row[0])
        srs_id = max(
            100000, con.execute("SELECT max(srs_id) FROM gpkg_spatial_ref_sys").fetchone()[0] + 1
        )
        org, code = "NONE", srs_id
    con.execute(
        "INSERT OR IGNORE INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        (crs.name, srs_id, org, code, crs.to_wkt("WKT1_GDAL"), ""),
    )
    return srs_id


def _crs_of(con: sqlite3.Connection, srs_id: int) -> CRS | None:
    row = con.execute(
        "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys "
        "WHERE srs_id = ?",
        (srs_id,),
    ).fetchone()
    if row is None or (row[0] == "NONE" and row[2] == "undefined"):
        return None
    if row[0].upper() == "EPSG":
        return CRS.from_epsg(int(row[1]))
    return CRS.from_wkt(row[2])


# ---------------------------------------------------------------------------- write


def _cell(value):
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, list | tuple):
        return ";".join(map(str, value))
    return value


def drop_table(con: sqlite3.Connection, name: str) -> None:
    """Drop table *name* with its GeoPackage metadata and spatial index."""
    row = con.execute(
        "SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
    ).fetchone()
    if row:
        for suffix in _TRIGGER_SUFFIXES:
            con.execute(f'DROP TRIGGER IF EXISTS "rtree_{name}_{row[0]}_{suffix}"')
        con.execute(f'DROP TABLE IF EXISTS "rtree_{name}_{row[0]}"')
    for meta in ("gpkg_extensions", "gpkg_geometry_columns", "gpkg_contents"):
        con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (name,))
    con.execute(f'DROP TABLE IF EXISTS "{name}"')


def write_table(
    con: sqlite3.Connection, name: str, frame: pd.DataFrame, *, types: dict | None = None
) -> None:
    """Create (or recreate) table *name* holding *frame*; a GeoDataFrame becomes a feature
    table with a spatial index. *types* overrides column types (e.g. ``{"date": "DATE"}``)."""
    drop_table(con, name)
    spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    geom_col = frame.geometry.name if spatial else None
    columns = [c for c in frame.columns if c != geom_col and c != "fid"]
    types = {c: (types or {}).get(c) or column_type(frame[c]) for c in columns}
    defs = ["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if spatial:
        defs.append(f'"{geom_col}" {_geometry_type(frame)}')
    defs += [f'"{c}" {types[c]}' for c in columns]
    con.execute(f'CREATE TABLE "{name}" ({", ".join(defs)})')
    if spatial:
        srs_id = _srs_id(con, frame.crs)
        bounds = frame.total_bounds if len(frame) else [None] * 4
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, min_x, min_y, max_x, "
            "max_y, srs_id) VALUES (?, 'features', ?, ?, ?, ?, ?, ?)",
            (name, name, *map(_cell, bounds), srs_id),
        )
        con.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, 0, 0)",
            (name, geom_col, _geometry_type(frame), srs_id),
        )
    else:
        con.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier) "
            "VALUES (?, 'attributes', ?)",
            (name, name),
        )
    append_rows(con, name, frame, columns=columns, spatial_column=geom_col)
    if spatial:
        _create_rtree(con, name, geom_col)


def append_rows(
    con: sqlite3.Connection,
    name: str,
    frame: pd.DataFrame,
    *,
    columns: list[str],
    spatial_column: str | None = None,
) -> list[int]:
    """Insert the rows of *frame* into *name*; the fids given to them, in order."""
    data = [frame[c].astype(object).tolist() for c in columns]
    if spatial_column:
        srs = con.execute(
            "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
        ).fetchone()
        data.insert(0, encode(np.asarray(frame.geometry.array), srs[0] if srs else -1))
        columns = [spatial_column, *columns]
    rows = [tuple(_cell(v) for v in row) for row in zip(*data, strict=True)] if data else []
    start = con.execute(f'SELECT coalesce(max(fid), 0) FROM "{name}"').fetchone()[0]
    names = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" * len(columns))
    con.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', rows)
    con.execute(
        "UPDATE gpkg_contents SET last_change = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
        "WHERE table_name = ?",
        (name,),
    )
    return list(range(start + 1, start + 1 + len(rows)))


def _geometry_type(frame: gpd.GeoDataFrame) -> str:
    types = set(frame.geometry.dropna().geom_type)
    return types.pop().upper() if len(types) == 1 else "GEOMETRY"


def _create_rtree(con: sqlite3.Connection, name: str, column: str) -> None:
    con.execute(
        f'CREATE VIRTUAL TABLE "rtree_{name}_{column}" USING rtree(id, minx, maxx, miny, maxy)'
    )
    con.execute(
        f'INSERT INTO "rtree_{name}_{column}" SELECT fid, ST_MinX("{column}"), '
        f'ST_MaxX("{column}"), ST_MinY("{column}"), ST_MaxY("{column}") FROM "{name}" '
        f'WHERE "{column}" NOT NULL AND NOT ST_IsEmpty("{column}")'
    )
    for statement in _RTREE_TRIGGERS.format(t=name, c=column).split("END;"):
        if statement.strip():
            con.execute(statement + "END;")
    con.execute(
        "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', "
        "'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        (name, column),
    )


# ---------------------------------------------------------------------------- read


def _where_sql(where: dict | None) -> tuple[str, list]:
    """``{"kind": "parcels", "feature_id": ["A", "B"]}`` → SQL and parameters."""
    clauses, params = [], []
    for column, value in (where or {}).items():
        if isinstance(value, list | tuple | set):
            values = list(value)
            clauses.append(f'"{column}" IN ({", ".join("?" * len(values))})' if values else "0")
            params.extend(values)
        elif value is None:
            clauses.append(f'"{column}" IS NULL')
        else:
            clauses.append(f'"{column}" = ?')
            params.append(value)
    return " AND ".join(clauses), params


def read_table(
    con: sqlite3.Connection,
    name: str,
    *,
    columns: list[str] | None = None,
    where: dict | None = None,
    bbox: tuple[float, float, float, float] | None = None,
) -> pd.DataFrame:
    """Read *name*: a GeoDataFrame for a feature table, else a DataFrame (without ``fid``
    unless asked for in *columns*). DATE columns come back as ISO text."""
    info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
    types = {r[1]: (r[2] or "").upper() for r in info}
    geom = con.execute(
        "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?", (name,)
    ).fetchone()
    wanted = [c for c in (columns or [c for c in types if c != "fid"]) if c in types]
    if geom:
        wanted = [c for c in wanted if c != geom[0]]
    select = [*wanted, *([geom[0]] if geom else [])]
    sql = f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in select) or "fid"} FROM "{name}"'
    clause, params = _where_sql(where)
    clauses = [clause] if clause else []
    if bbox is not None and geom:
        clauses.append(
            f'fid IN (SELECT id FROM "rtree_{name}_{geom[0]}" WHERE maxx >= ? AND minx <= ? '
            "AND maxy >= ? AND miny <= ?)"
        )
        params += [bbox[0], bbox[2], bbox[1], bbox[3]]
    if clauses:
        sql += " WHERE " + " AND ".join(clauses)
    sql += " ORDER BY fid"
    rows = con.execute(sql, params).fetchall()
    data = {c: [r[i] for r in rows] for i, c in enumerate(select)}
    frame = pd.DataFrame({c: _column(data[c], types[c]) for c in wanted})
    if not geom:
        return frame
    geoms = decode(data[geom[0]])
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geoms, crs=_crs_of(con, geom[1])))


def _column(values: list, sql_type: str) -> pd.Series:
    if sql_type in ("REAL", "DOUBLE", "FLOAT"):
        return pd.Series(values, dtype="float64")
    if sql_type in ("INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT"):
        if any(v is None for v in values):
            return pd.Series(values, dtype="float64")
        return pd.Series(values, dtype="int64")
    if sql_type == "BOOLEAN":
        return pd.Series([None if v is None else bool(v) for v in values], dtype=object)
    return pd.Series(values, dtype=object)
