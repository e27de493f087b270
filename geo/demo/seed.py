"""The demo park's seed facts, read from ``geo/demo/seed.toml``.

The seed report's zones, projects, buildings, roads, road progress and goals, and the source
field names the demo's files carry, are data: they live in ``seed.toml`` and are read here into
small named tuples that :mod:`geo.demo.layout` and :mod:`geo.demo.project` consume. Dates are
``datetime.date`` (``None`` = not (yet)); lengths are metres in park-centre coordinates.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from importlib import resources
from typing import NamedTuple

from geo.domain.crs import gk_crs_for_longitude

__all__ = [
    "AS_OF",
    "CENTRE_LONLAT",
    "CRS_URN",
    "ECONOMY",
    "ECONOMY_FIELDS",
    "ENTERPRISE_PROJECTS",
    "FIELDS",
    "GOALS",
    "GOAL_FIELDS",
    "GOAL_NOTE",
    "GOAL_NOTE_2028",
    "IDLE_AGREED_START",
    "IDLE_PROJECT",
    "PARK_CRS",
    "PLATFORM",
    "PLATFORM_GROUPS",
    "PROGRESS_FIELDS",
    "ROADS",
    "ROAD_PROGRESS",
    "ROAD_PROGRESS_FIELDS",
    "SEED",
    "SMALL_BLOCKS",
    "UTILITIES",
    "ZONES",
    "ZONE_MARGIN",
    "Goal",
    "PlatformGroup",
]

Range = tuple[float, float]


class Zone(NamedTuple):
    id: str
    name: str
    name_en: str
    prefix: str  # parcel-id prefix
    x: Range
    y: Range


class EnterpriseProject(NamedTuple):
    name: str
    enterprise: str
    industry: str
    signed: dt.date | None
    investment_yi: float
    zone: str
    land_mu: int  # land wanted, met by a run of neighbouring parcels
    allocated: dt.date
    started: dt.date | None
    completed: dt.date | None
    producing: dt.date | None
    land_use: str


class PlatformGroup(NamedTuple):
    """Buildings of one platform project: (count, start, planned completion) batches."""

    kind: str
    name: str
    zone: str
    parcels: int
    investment_yi: float
    allocated: dt.date
    footprint: Range
    storeys: tuple[int, int]
    batches: tuple[tuple[int, dt.date, dt.date], ...]


class Utility(NamedTuple):
    name: str
    operator: str
    zone: str
    allocated: dt.date
    started: dt.date
    completed: dt.date
    investment_yi: float


class Road(NamedTuple):
    id: str
    name: str
    start: float  # start chainage (m)
    chain_breaks: str
    width_m: float
    design_length_m: float | None  # None: the drawn length
    vertices: list[tuple[float, float]]


class RoadProgress(NamedTuple):
    road: str
    item: str
    chainage_from: float
    chainage_to: float
    stage: str
    percent: int
    date: dt.date
    section: str
    note: str


class Goal(NamedTuple):
    metric: str
    metric_en: str
    unit: str
    layer: str
    stage: str
    measure: str
    targets: dict[int, tuple[float, str]]  # year → (target, the source's text)


def _riverside() -> list[tuple[float, float]]:
    # 滨河路 follows the river bank south of the park in a gentle wave.
    xs = [-1650 + 50 * i for i in range(67)]
    return [(x, -1205 + 12 * math.sin(2 * math.pi * (x + 1650) / 1100)) for x in xs]


_SHAPES = {"riverside": _riverside}


def _load() -> dict:
    text = resources.files("geo.demo").joinpath("seed.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _road(row: dict) -> Road:
    shape = row.get("shape")
    vertices = _SHAPES[shape]() if shape else [tuple(p) for p in row["vertices"]]
    return Road(
        row["id"],
        row["name"],
        row["start"],
        row["chain_breaks"],
        row["width_m"],
        row.get("design_length_m"),
        vertices,
    )


def _goal(row: dict) -> Goal:
    targets = {t["year"]: (t["target"], t["source"]) for t in row["targets"]}
    return Goal(*(row[f] for f in Goal._fields[:-1]), targets)


def _optional(row: dict, cls):
    return cls(*(row.get(f) for f in cls._fields))


_SEED = _load()
_PARK = _SEED["park"]

SEED: int = _PARK["seed"]
AS_OF: dt.date = _PARK["as_of"]
#: Centre of the park (longitude, latitude, CGCS2000).
CENTRE_LONLAT: Range = tuple(_PARK["centre_lonlat"])
#: The park's GK zone without prefix: EPSG:4544 (CM 105°E).
PARK_CRS = gk_crs_for_longitude(CENTRE_LONLAT[0])
CRS_URN = "urn:ogc:def:crs:EPSG::" + PARK_CRS.split(":")[1]
#: The park's platform company, which builds the housing, the standard factories and utilities.
PLATFORM: str = _PARK["platform"]
#: Green belt between a zone's boundary and its outer blocks (m).
ZONE_MARGIN: float = _PARK["zone_margin_m"]
#: Blocks split into a 2 × 2 grid of small parcels (zone id, block index).
SMALL_BLOCKS = {tuple(b) for b in _PARK["small_blocks"]}
#: The idle project (planted flaw 2) and its agreed start date.
IDLE_PROJECT: str = _PARK["idle_project"]
IDLE_AGREED_START: dt.date = _PARK["idle_agreed_start"]

#: Source field names (Chinese) → canonical field names, per layer kind.
_FIELDS = _SEED["fields"]
FIELDS: dict[str, dict[str, str]] = {
    k: v for k, v in _FIELDS.items() if k not in ("progress", "road_progress", "goals", "economy")
}
PROGRESS_FIELDS: dict[str, str] = _FIELDS["progress"]
ROAD_PROGRESS_FIELDS: dict[str, str] = _FIELDS["road_progress"]
GOAL_FIELDS: dict[str, str] = _FIELDS["goals"]
ECONOMY_FIELDS: dict[str, str] = _FIELDS["economy"]
#: the seed's economic figures and how the demo spreads them (seed.toml [economy])
ECONOMY: dict = _SEED["economy"]

ZONES = tuple(
    Zone(z["id"], z["name"], z["name_en"], z["prefix"], tuple(z["x"]), tuple(z["y"]))
    for z in _SEED["zones"]
)
ENTERPRISE_PROJECTS = tuple(
    _optional(row, EnterpriseProject) for row in _SEED["enterprise_projects"]
)
PLATFORM_GROUPS = tuple(
    PlatformGroup(
        **{
            **row,
            "footprint": tuple(row["footprint"]),
            "storeys": tuple(row["storeys"]),
            "batches": tuple(tuple(b) for b in row["batches"]),
        }
    )
    for row in _SEED["platform_groups"]
)
UTILITIES = tuple(Utility(**row) for row in _SEED["utilities"])
ROADS = tuple(_road(row) for row in _SEED["roads"])
ROAD_PROGRESS = tuple(
    RoadProgress(
        r["road"],
        r["item"],
        r["from"],
        r["to"],
        r["stage"],
        r["percent"],
        r["date"],
        r["section"],
        r["note"],
    )
    for r in _SEED["road_progress"]["records"]
)
GOAL_NOTE: str = _SEED["goal_notes"]["template"]
GOAL_NOTE_2028: str = _SEED["goal_notes"]["note_2028"]
GOALS = tuple(_goal(row) for row in _SEED["goals"])
