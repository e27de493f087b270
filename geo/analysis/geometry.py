"""Geometry operations over whole layers that grow with the data, not with its square.

GEOS's union of many disjoint polygons, and its buffer of a MultiPolygon of many parts,
node every part against every other: at 10⁵ parcels a single call takes minutes. The
functions here split the work into groups that touch (an STRtree join, then connected
components) and hand GEOS only each group: the result is the same set of points.
"""

from __future__ import annotations

import numpy as np
import shapely

__all__ = ["closing_gaps", "touching_groups", "union", "union_parts"]

_POLY_IDS = (3, 6)  # shapely type ids of Polygon, MultiPolygon


def touching_groups(geoms: np.ndarray) -> list[np.ndarray]:
    """Indices of *geoms* grouped by connected components of "intersects" (touching
    counts), each group sorted, groups in order of their first index."""
    n = len(geoms)
    if n == 0:
        return []
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = left < right
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]  # path halving
            i = parent[i]
        return i

    for i, j in zip(left[keep].tolist(), right[keep].tolist(), strict=True):
        a, b = root(i), root(j)
        if a != b:
            parent[max(a, b)] = min(a, b)
    labels = np.array([root(i) for i in range(n)])
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return np.split(order, cuts)


def _united(geoms: np.ndarray, groups: list[np.ndarray]) -> np.ndarray:
    """One geometry per group: the group's only member, else the union of its members."""
    return np.array(
        [geoms[g[0]] if len(g) == 1 else shapely.union_all(geoms[g]) for g in groups],
        dtype=object,
    )


def _polygons(geoms: np.ndarray) -> np.ndarray:
    parts = shapely.get_parts(geoms)
    return parts[shapely.get_type_id(parts) == 3]


def union_parts(geoms) -> np.ndarray:
    """The polygons of the union of *geoms* (valid polygonal geometries), as an array.

    Geometries that touch nothing are taken as they are; each group that touches is
    united on its own. Missing and empty geometries are skipped.
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    # shells clockwise as GEOS's overlay writes them: parts taken as they are may wind the
    # other way, and a sum of signed areas (pyproj's geodesic area) must not cancel
    return shapely.orient_polygons(
        _polygons(_united(geoms, touching_groups(geoms))), exterior_cw=True
    )


def union(geoms):
    """The union of *geoms* as one geometry, as :func:`shapely.union_all` gives it (for
    valid polygonal input; anything else goes to GEOS whole)."""
    geoms = np.asarray(geoms, dtype=object)
    present = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
    polygonal = np.isin(shapely.get_type_id(present), _POLY_IDS)
    if not len(present) or not polygonal.all() or not shapely.is_valid(present).all():
        return shapely.union_all(geoms)
    parts = union_parts(present)
    return parts[0] if len(parts) == 1 else shapely.multipolygons(parts)


def closing_gaps(geoms, width: float, *, mitre_limit: float = 10.0) -> list:
    """The polygons a morphological closing of the union of *geoms* adds to it: grow by
    half *width*, shrink back (mitred corners). These are the gaps, holes and slivers
    narrower than *width*.

    Each polygon of the union is grown on its own and the grown ones that touch are
    united (growing a union is uniting the grown parts); each united grown polygon is
    shrunk on its own (shrinking keeps separate polygons apart) and only the union's
    polygons inside it are taken away from it.
    """
    half = width / 2
    parts = union_parts(geoms)
    if not len(parts):
        return []
    grown_each = shapely.buffer(parts, half, join_style="mitre", mitre_limit=mitre_limit)
    groups = touching_groups(grown_each)
    # a convex polygon that grows into no other closes onto itself: nothing to add
    hull = shapely.area(shapely.convex_hull(parts))
    convex = hull - shapely.area(parts) <= 1e-9 * hull
    groups = [g for g in groups if len(g) > 1 or not convex[g[0]]]
    if not groups:
        return []
    grown = _united(grown_each, groups)
    closed = shapely.buffer(grown, -half, join_style="mitre", mitre_limit=mitre_limit)
    land = np.array(
        [parts[g[0]] if len(g) == 1 else shapely.multipolygons(parts[g]) for g in groups],
        dtype=object,
    )
    added = shapely.difference(closed, land)
    return list(shapely.get_parts(added[~shapely.is_empty(added)]))
