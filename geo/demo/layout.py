"""The demo park's layout: parcels, projects and buildings placed from the seed facts.

:mod:`geo.demo.seed` holds the facts (zones, projects, platform groups, utilities, roads);
this module cuts the zones into blocks and parcels with one fixed random seed, gives
parcels to projects, lays out the platform projects' buildings, plants the two flaws and
returns a :class:`Park` that :mod:`geo.demo.project` writes out. Coordinates are EPSG:4544
metres rounded to 0.01 m.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
from dataclasses import dataclass, field

from pyproj import Transformer
from shapely.geometry import LineString, Polygon

from geo.demo.seed import (
    AS_OF,
    CENTRE_LONLAT,
    ENTERPRISE_PROJECTS,
    IDLE_AGREED_START,
    IDLE_PROJECT,
    PARK_CRS,
    PLATFORM,
    PLATFORM_GROUPS,
    ROADS,
    SEED,
    SMALL_BLOCKS,
    UTILITIES,
    ZONE_MARGIN,
    ZONES,
    PlatformGroup,
)
from geo.domain.units import M2_PER_MU

__all__ = ["Park", "area_m2", "build_park"]

# Model


@dataclass
class _Parcel:
    id: str
    zone: str
    block: int
    rect: tuple[float, float, float, float]  # park-centre metres
    ring: list[tuple[float, float]] = field(default_factory=list)  # absolute, closed later
    land_use: str = "0601"
    project: str | None = None
    allocated: dt.date | None = None
    agreed: dt.date | None = None
    started: dt.date | None = None
    completed: dt.date | None = None
    producing: dt.date | None = None
    planned_done: dt.date | None = None
    reserved: dt.date | None = None
    declared_mu: float | None = None
    price_wan: float | None = None
    floor_ratio: float = 1.0


@dataclass
class _Project:
    id: str
    name: str
    enterprise: str
    industry: str
    signed: dt.date | None
    investment_yi: float
    parcels: list[str]


@dataclass
class _Building:
    kind: str
    id: str
    name: str
    zone: str
    parcel: str
    ring: list[tuple[float, float]]
    floor_area: float
    storeys: int
    units: int
    start: dt.date
    done: dt.date


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


class _Frame:
    """Park-centre metres → EPSG:4544 metres, rounded to 0.01 m."""

    def __init__(self) -> None:
        to_gk = Transformer.from_crs("EPSG:4490", PARK_CRS, always_xy=True)
        x, y = to_gk.transform(*CENTRE_LONLAT)
        self.x0, self.y0 = float(round(x)), float(round(y))

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return round(self.x0 + x, 2), round(self.y0 + y, 2)


def _rect_ring(frame: _Frame, x0: float, y0: float, x1: float, y1: float):
    return [frame(x0, y0), frame(x1, y0), frame(x1, y1), frame(x0, y1)]


def area_m2(ring: list[tuple[float, float]]) -> float:
    """Planar area of a ring in m² (the park's coordinates are GK metres)."""
    return Polygon(ring).area


def _mu(ring: list[tuple[float, float]]) -> float:
    return area_m2(ring) / M2_PER_MU


# --------------------------------------------------------------------------------------------
# Generation


def _zone_ring(frame: _Frame, rng: random.Random, xs, ys) -> list[tuple[float, float]]:
    # A rectangle with a few vertices pushed outwards by up to 8 m (corridors are 60 m wide),
    # so the zone still contains its blocks and never reaches a neighbour or a road.
    (x0, x1), (y0, y1) = xs, ys
    pts = []
    for (ax, ay), (bx, by), (nx, ny) in (
        ((x0, y0), (x1, y0), (0, -1)),
        ((x1, y0), (x1, y1), (1, 0)),
        ((x1, y1), (x0, y1), (0, 1)),
        ((x0, y1), (x0, y0), (-1, 0)),
    ):
        pts.append((ax, ay))
        for t in (1 / 3, 2 / 3):
            push = rng.choice((0.0, 0.0, round(rng.uniform(2, 8), 2)))
            pts.append((ax + (bx - ax) * t + nx * push, ay + (by - ay) * t + ny * push))
    return [frame(x, y) for x, y in pts]


def _cuts(rng: random.Random, lo: float, hi: float, n: int) -> list[tuple[float, float]]:
    """Split [lo, hi] into *n* bands separated by streets 20–40 m wide."""
    streets = [rng.choice((20.0, 24.0, 30.0, 36.0, 40.0)) for _ in range(n - 1)]
    weights = [rng.uniform(0.9, 1.1) for _ in range(n)]
    usable = hi - lo - sum(streets)
    out, pos = [], lo
    for i, w in enumerate(weights):
        size = usable * w / sum(weights)
        end = hi if i == n - 1 else round(pos + size, 2)
        out.append((round(pos, 2), end))
        if i < n - 1:
            pos = end + streets[i]
    return out


def _split(rng: random.Random, rect, k: int) -> list[tuple[float, float, float, float]]:
    """Split a block into *k* strips across its longer side (weights vary ±25 %)."""
    x0, y0, x1, y1 = rect
    weights = [rng.uniform(0.75, 1.25) for _ in range(k)]
    total = sum(weights)
    along_x = (x1 - x0) >= (y1 - y0)
    lo, hi = (x0, x1) if along_x else (y0, y1)
    edges, acc = [lo], lo
    for w in weights[:-1]:
        acc += (hi - lo) * w / total
        edges.append(round(acc, 2))
    edges.append(hi)
    if along_x:
        return [(edges[i], y0, edges[i + 1], y1) for i in range(k)]
    # north to south, so ids run from the top of the block
    return [(x0, edges[k - i - 1], x1, edges[k - i]) for i in range(k)]


def _make_parcels(frame: _Frame, rng: random.Random) -> list[_Parcel]:
    parcels = []
    for zid, _name, _en, prefix, xs, ys in ZONES:
        x0, x1 = xs[0] + ZONE_MARGIN, xs[1] - ZONE_MARGIN
        y0, y1 = ys[0] + ZONE_MARGIN, ys[1] - ZONE_MARGIN
        cols = _cuts(rng, x0, x1, max(1, round((x1 - x0) / 360)))
        rows = _cuts(rng, y0, y1, max(1, round((y1 - y0) / 370)))
        number = 0
        block = 0
        for ry0, ry1 in reversed(rows):
            for cx0, cx1 in cols:
                rect = (cx0, ry0, cx1, ry1)
                if (zid, block) in SMALL_BLOCKS:
                    xm = round((cx0 + cx1) / 2, 2)
                    ym = round((ry0 + ry1) / 2, 2)
                    pieces = [
                        (cx0, ym, xm, ry1),
                        (xm, ym, cx1, ry1),
                        (cx0, ry0, xm, ym),
                        (xm, ry0, cx1, ym),
                    ]
                else:
                    pieces = _split(rng, rect, rng.choice((1, 2, 2, 3, 3, 3, 4)))
                for piece in pieces:
                    number += 1
                    parcels.append(
                        _Parcel(
                            id=f"{prefix}-{number:02d}",
                            zone=zid,
                            block=block,
                            rect=piece,
                            ring=_rect_ring(frame, *piece),
                            floor_ratio=round(rng.uniform(0.8, 1.3), 2),
                        )
                    )
                block += 1
    return parcels


def _take(parcels: list[_Parcel], zone: str, n: int, how: str, fits=None) -> list[_Parcel]:
    """Pick *n* free parcels of *zone*: the ``smallest``, or the smallest that ``fit``."""
    free = [p for p in parcels if p.zone == zone and p.project is None]
    if how == "fit":
        free = [p for p in free if fits(p)]
    free.sort(key=lambda p: (area_m2(p.ring), p.id))
    if len(free) < n:
        raise RuntimeError(f"zone {zone} has {len(free)} suitable free parcels, {n} needed")
    return sorted(free[:n], key=lambda p: p.id)


def _take_area(parcels: list[_Parcel], zone: str, target_mu: float) -> list[_Parcel]:
    """Pick the run of up to five free parcels, consecutive in the zone, nearest *target_mu*.

    Consecutive parcels touch within a block, or face each other across a street.
    """
    row = [p for p in parcels if p.zone == zone]
    best = None
    for i in range(len(row)):
        for j in range(i + 1, min(i + 6, len(row) + 1)):
            run = row[i:j]
            if any(p.project for p in run):
                break
            score = abs(sum(_mu(p.ring) for p in run) - target_mu)
            if best is None or score < best[0] - 1e-9:
                best = (score, run)
    if best is None:
        raise RuntimeError(f"zone {zone} has no free parcels left")
    return best[1]


def _allocate(
    rng: random.Random,
    project: _Project,
    taken: list[_Parcel],
    *,
    land_use: str,
    allocated: dt.date,
    started: dt.date | None,
    done: dt.date | None,
    producing: dt.date | None = None,
    agreed: dt.date | None = None,
    planned_done: dt.date | None = None,
) -> None:
    """Give *taken* parcels to *project* with their land-contract and construction dates."""
    for p in taken:
        p.project = project.id
        p.land_use = land_use
        p.allocated = allocated
        p.agreed = agreed or _add_months(allocated, rng.randint(3, 6))
        if started and started < allocated:
            raise RuntimeError(f"{p.id}: started before allocation")
        if started and (started - p.agreed).days > 300:
            # a late start that was still within the contract: keep the demo free of idle land
            p.agreed = started - dt.timedelta(days=rng.randint(10, 60))
        p.started = started
        p.completed = done
        p.producing = producing
        p.planned_done = (
            done or planned_done or (started + dt.timedelta(days=540) if started else None)
        )
        project.parcels.append(p.id)


def _fit_scale(rect, n: int, footprint: tuple[float, float]) -> float:
    return _grid(rect, n, footprint)[0]


def _grid(rect, n: int, footprint: tuple[float, float]):
    x0, y0, x1, y1 = rect
    width, height = x1 - x0 - 24, y1 - y0 - 24
    best = None
    for bw, bh in (footprint, footprint[::-1]):
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            cell_w = (width - 15 * (cols - 1)) / cols
            cell_h = (height - 15 * (rows - 1)) / rows
            scale = min(1.0, cell_w / bw, cell_h / bh)
            if best is None or scale > best[0] + 1e-9:
                best = (scale, bw, bh, cols, rows, cell_w, cell_h)
    return best


def _place_buildings(rect, n: int, footprint: tuple[float, float]):
    """Lay *n* buildings out in a grid inside *rect* with a 12 m setback and 15 m gaps."""
    x0, _, _, y1 = rect
    scale, bw, bh, cols, _, cell_w, cell_h = _grid(rect, n, footprint)
    if scale < 0.6:
        raise RuntimeError(f"{n} buildings do not fit in {rect}")
    bw, bh = round(bw * scale, 1), round(bh * scale, 1)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        cx = x0 + 12 + c * (cell_w + 15) + cell_w / 2
        cy = y1 - 12 - r * (cell_h + 15) - cell_h / 2
        out.append(
            (
                round(cx - bw / 2, 2),
                round(cy - bh / 2, 2),
                round(cx + bw / 2, 2),
                round(cy + bh / 2, 2),
            )
        )
    return out


@dataclass
class Park:
    """The laid-out demo park: what :mod:`geo.demo.project` writes to files."""

    zones: list[dict]
    parcels: list[_Parcel]
    projects: list[_Project]
    buildings: list[_Building]
    roads: list[dict]
    overlap: tuple[str, str]
    idle: str


def _platform(
    frame, rng, parcels, project, group: PlatformGroup, buildings: list[_Building]
) -> None:
    """Allocate a platform project's parcels and lay out its buildings, batch by batch."""
    per = math.ceil(sum(b[0] for b in group.batches) / group.parcels)
    taken = _take(
        parcels,
        group.zone,
        group.parcels,
        "fit",
        lambda p: _fit_scale(p.rect, per, group.footprint) >= 0.97,
    )
    plans: list[list[tuple[dt.date, dt.date]]] = [[] for _ in taken]
    index = 0
    for count, start, done in group.batches:
        for _ in range(count):
            plans[index // per].append((start, done))
            index += 1
    prefix = "CF" if group.kind == "factories" else "AZ"
    number = 0
    for p, plan in zip(taken, plans, strict=True):
        mine = []
        for (start, done), r in zip(
            plan, _place_buildings(p.rect, len(plan), group.footprint), strict=True
        ):
            number += 1
            storeys = rng.randint(*group.storeys)
            footprint = (r[2] - r[0]) * (r[3] - r[1])
            floor = round(footprint * storeys * rng.uniform(0.94, 1.0), 2)
            serial = sum(b.kind == group.kind for b in buildings) + 1
            mine.append(
                _Building(
                    kind=group.kind,
                    id=f"{prefix}-{serial:03d}",
                    name=f"{group.name}{number}号楼",
                    zone=group.zone,
                    parcel=p.id,
                    ring=_rect_ring(frame, *r),
                    floor_area=floor,
                    storeys=storeys,
                    units=int(floor * 0.8 // 95) if group.kind == "housing" else 0,
                    # a batch's buildings start a week apart
                    start=start + dt.timedelta(days=7 * ((number - 1) % 6)),
                    done=done,
                )
            )
            buildings.append(mine[-1])
        started = min(b.start for b in mine)
        done_all = max(b.done for b in mine)
        _allocate(
            rng,
            project,
            [p],
            land_use="0701" if group.kind == "housing" else "0601",
            allocated=group.allocated,
            started=started if started <= AS_OF else None,
            done=done_all if done_all <= AS_OF else None,
            planned_done=done_all,
        )


def build_park() -> Park:
    """Lay the demo park out from the seed facts; the same park on every call.

    Returns
    -------
    Park
        Zones, parcels, projects, buildings and roads, and the two planted flaws
        (the overlapping parcel pair and the idle parcel).
    """
    rng = random.Random(SEED)
    frame = _Frame()
    zone_rings = {z[0]: _zone_ring(frame, rng, z[4], z[5]) for z in ZONES}
    parcels = _make_parcels(frame, rng)
    projects: list[_Project] = []
    buildings: list[_Building] = []

    def new_project(name, enterprise, industry, signed, investment):
        project = _Project(
            f"XM{len(projects) + 1:03d}", name, enterprise, industry, signed, investment, []
        )
        projects.append(project)
        return project

    # platform projects first: each takes the smallest parcels that hold its buildings
    for group in PLATFORM_GROUPS:
        industry = "园区配套" if group.kind == "housing" else "标准厂房"
        project = new_project(group.name, PLATFORM, industry, None, group.investment_yi)
        _platform(frame, rng, parcels, project, group, buildings)
    for name, operator, zone, allocated, started, done, investment in UTILITIES:
        project = new_project(name, operator, "公用设施", None, investment)
        _allocate(
            rng,
            project,
            _take(parcels, zone, 1, "smallest"),
            land_use="0809",
            allocated=allocated,
            started=started,
            done=done,
        )

    # enterprise projects: the largest land wishes are met first, so they find room
    idle = ""
    wishes = []
    for spec in ENTERPRISE_PROJECTS:
        project = new_project(
            spec.name, spec.enterprise, spec.industry, spec.signed, spec.investment_yi
        )
        wishes.append((project, spec))
    for project, spec in sorted(wishes, key=lambda w: -w[1].land_mu):
        taken = _take_area(parcels, spec.zone, spec.land_mu)
        _allocate(
            rng,
            project,
            taken,
            land_use=spec.land_use,
            allocated=spec.allocated,
            started=spec.started,
            done=spec.completed,
            producing=spec.producing,
            agreed=IDLE_AGREED_START if spec.name == IDLE_PROJECT else None,
        )
        if spec.name == IDLE_PROJECT:
            idle = taken[0].id

    overlap = _plant_overlap(frame, parcels, projects)
    _declare(rng, parcels, overlap[0])
    _reserve(rng, parcels)

    zones = []
    for zid, name, name_en, _prefix, _xs, _ys in ZONES:
        available = sum(_mu(p.ring) for p in parcels if p.zone == zid and p.allocated is None)
        zones.append(
            {
                "id": zid,
                "name": name,
                "name_en": name_en,
                "ring": zone_rings[zid],
                "available_mu": round(available, 2),
            }
        )

    roads = []
    for rid, name, start, breaks, width, design, pts in ROADS:
        line = [frame(x, y) for x, y in pts]
        drawn = LineString(line).length
        roads.append(
            {
                "id": rid,
                "name": name,
                "start": start,
                "breaks": breaks,
                "width": width,
                "design": design if design else round(drawn, 0),
                "line": line,
            }
        )
    return Park(zones, parcels, projects, buildings, roads, overlap, idle)


def _plant_overlap(frame, parcels, projects) -> tuple[str, str]:
    """Push one parcel's shared edge 3 m into its neighbour over 180 m (planted flaw 1)."""
    owner = {pid: pr for pr in projects for pid in pr.parcels}
    enterprise = {
        pid for pid, pr in owner.items() if pr.enterprise != PLATFORM and pr.signed is not None
    }
    for a, b in itertools.pairwise(parcels):
        if a.block != b.block or a.zone != b.zone or a.id not in enterprise:
            continue
        if b.id not in enterprise or owner[a.id] is owner[b.id] or not a.started:
            continue
        ax0, ay0, ax1, ay1 = a.rect
        if ax1 == b.rect[0]:  # b is east of a: shared edge x = ax1
            length = ay1 - ay0
            if length < 300 or _mu(a.ring) < 90:
                continue
            s0, s1 = ay1 - 60, ay1 - 240
            pts = [
                (ax0, ay0),
                (ax1, ay0),
                (ax1, s1),
                (ax1 + 3, s1),
                (ax1 + 3, s0),
                (ax1, s0),
                (ax1, ay1),
                (ax0, ay1),
            ]
        elif ay0 == b.rect[3]:  # b is south of a: shared edge y = ay0
            length = ax1 - ax0
            if length < 300 or _mu(a.ring) < 90:
                continue
            s0, s1 = ax0 + 60, ax0 + 240
            pts = [
                (ax0, ay0),
                (s0, ay0),
                (s0, ay0 - 3),
                (s1, ay0 - 3),
                (s1, ay0),
                (ax1, ay0),
                (ax1, ay1),
                (ax0, ay1),
            ]
        else:
            continue
        a.declared_mu = round(_mu(a.ring), 2)  # the contract keeps the intended area
        a.ring = [frame(x, y) for x, y in pts]
        return a.id, b.id
    raise RuntimeError("no parcel pair fits the planted overlap")


def _declare(rng, parcels, overlapping: str) -> None:
    allocated = [p for p in parcels if p.allocated]
    off = {p.id for p in rng.sample([p for p in allocated if p.id != overlapping], 3)}
    for p in allocated:
        drawn = _mu(p.ring)
        if p.id in off:
            drawn *= 1 + rng.choice((-1, 1)) * rng.uniform(0.003, 0.008)
        if p.declared_mu is None:
            p.declared_mu = round(drawn, 2)
        p.price_wan = round(p.declared_mu * rng.uniform(15, 25), 2)


def _reserve(rng, parcels) -> None:
    """Land reserve (收储) dates: before allocation, or for some unallocated parcels."""
    first = dt.date(2021, 1, 5)
    for p in parcels:
        if p.allocated:
            day = p.allocated - dt.timedelta(days=rng.randint(60, 150))
            p.reserved = day if day >= first else None
        elif rng.random() < 0.5:
            p.reserved = first + dt.timedelta(days=rng.randint(60, (AS_OF - first).days - 30))
