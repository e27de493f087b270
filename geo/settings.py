"""Defaults for parkgeo, in one place.

This module imports nothing from the package. Every function still takes explicit
arguments; these values are only what the manifest and the CLI fall back to.
"""

from __future__ import annotations

#: File name of the manifest inside a park project folder.
MANIFEST_NAME = "park.toml"

#: Default file name of the embedded GeoPackage store, relative to the project folder.
STORE_NAME = "park.gpkg"

#: Folder for outputs, relative to the project folder.
MAPS_DIR = "maps"

#: CRS used for measurements when the manifest names none (CGCS2000 3-degree GK, CM 105E).
DEFAULT_WORKING_CRS = "EPSG:4544"

#: Geographic CRS of web maps (CGCS2000 is treated as WGS-84 for display).
WEB_CRS = "EPSG:4326"

#: Largest change, in m², a geometry repair may make to a feature's area (a line's length,
#: in m) before it is refused; ``--repair-tolerance`` or ``repair_tolerance_m2`` raise it.
REPAIR_AREA_TOLERANCE_M2 = 1.0

#: Largest relative difference between a layer's area in the working CRS and its geodesic
#: area before import and ``layers`` warn that the working CRS does not fit the data.
WORKING_CRS_AREA_TOLERANCE = 0.001

#: Encodings tried, in order, for a Shapefile .dbf with no .cpg and no LDID.
DBF_FALLBACK_ENCODINGS = ("utf-8", "gb18030", "big5")

#: Language of labels in maps, tables and briefings unless asked otherwise.
DEFAULT_LANG = "zh"

#: Design vs drawn road length (fraction) below which chainage is scaled onto the line.
ROAD_SCALE_TOLERANCE = 0.02

#: Seconds a writer waits for another writer of the store before giving up.
STORE_BUSY_TIMEOUT_S = 30.0

#: SQLite journal mode of a new GeoPackage store (README "Store and journal mode" says why).
STORE_JOURNAL_MODE = "wal"

#: Years a goal's period may lie in; a date outside is refused at import as a likely typo.
GOAL_YEARS = (1990, 2100)

#: A folder of domain tables (kinds.toml, stages.toml, ...) read instead of geo/data; None =
#: the tables shipped in geo/data. Call geo.domain.tables.reload_tables() after changing it.
DATA_DIR: str | None = None
