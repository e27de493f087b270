"""Where a layer's coordinates are and whether its geometries can be measured.

The importer's geometry half: the layer's CRS (declared, read or refused with a guess),
axis order, geometry types and validity, repairs that neither invent nor drop land, and
the working-CRS guard (:func:`geo.domain.crs.crs_fit_warnings`) is called from here.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer

from geo.domain.crs import guess_crs
from geo.domain.tables import Kind
from geo.domain.units import M2_PER_MU
from geo.errors import CRSError, GeometryError, RepairWarning
from geo.ingest.problems import Problems
from geo.io.manifest import LayerSpec

__all__ = ["check_geometry", "repair_geometry", "resolve_crs"]

# ---------------------------------------------------------------------------- CRS


def _implausible(crs: CRS, bounds) -> str | None:
    """Why *bounds* cannot be coordinates in *crs* (None when they can).

    Every corner must transform; the centre of the data must lie in the CRS's area of use
    (with a degree's margin). Corners are not held to the area of use: a nationwide layer
    in EPSG:4490 reaches islands south of the rectangle PROJ gives for China.
    """
    area = crs.area_of_use
    xs = [bounds[0], bounds[2], bounds[0], bounds[2], (bounds[0] + bounds[2]) / 2]
    ys = [bounds[1], bounds[1], bounds[3], bounds[3], (bounds[1] + bounds[3]) / 2]
    try:
        t = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        lon, lat = t.transform(xs, ys)
    except Exception:
        return "PROJ cannot transform them"
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        return "they fall outside the CRS's valid range"
    if area is not None:
        margin = 1.0
        clon, clat = lon[-1], lat[-1]
        inside = (
            area.west - margin <= clon <= area.east + margin
            and area.south - margin <= clat <= area.north + margin
        )
        if not inside:
            return (
                f"they would lie at {clon:.3f}°E {clat:.3f}°N, outside the CRS's "
                f"area of use ({area.name})"
            )
    return None


def _swap_xy(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    swapped = shapely.transform(gdf.geometry.array, lambda xy: xy[:, ::-1])
    return gdf.set_geometry(gpd.GeoSeries(swapped, index=gdf.index, crs=gdf.crs))


def resolve_crs(gdf: gpd.GeoDataFrame, spec: LayerSpec, where: str) -> gpd.GeoDataFrame:
    """*gdf* with the CRS its coordinates are in (declared in park.toml, else the file's).

    Raises
    ------
    CRSError
        No CRS, or coordinates that cannot be in the CRS; says which CRS they look like,
        including axes written northing first.
    """
    if spec.swap_xy:
        gdf = _swap_xy(gdf)
    key = f"[layers.{spec.name}] crs"
    bounds = gdf.total_bounds
    if not np.isfinite(bounds).all():  # no coordinates (every geometry null): nothing to fit
        return gdf.set_crs(spec.crs or gdf.crs or "EPSG:4326", allow_override=True)
    xs, ys = np.array([bounds[0], bounds[2]]), np.array([bounds[1], bounds[3]])
    guess, reason = guess_crs(xs, ys)
    suggestion = f'set {key} = "{guess}" in park.toml' if guess else f"set {key} in park.toml"
    if spec.crs:
        crs = CRS.from_user_input(spec.crs)
        why = _implausible(crs, bounds)
        if why:
            raise CRSError(
                f"{where}: park.toml declares {spec.crs} but the coordinates do not fit it: {why}. "
                f"{reason}. Fix {key}."
            )
        return gdf.set_crs(crs, allow_override=True)
    if gdf.crs is None:
        raise CRSError(
            f"{where}: the layer has no CRS (no or unreadable .prj). {reason}. "
            f"To fix, {suggestion}."
        )
    why = _implausible(gdf.crs, bounds)
    if why:
        name = gdf.crs.name
        raise CRSError(
            f"{where}: the file says its CRS is {name} but the coordinates do not fit it: {why}; "
            f"the .prj is probably wrong. {reason}. To fix, {suggestion}."
        )
    return gdf


# ---------------------------------------------------------------------------- geometry


def _polygonal(geom) -> shapely.Geometry:
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair_geometry(geom, geometry: str) -> shapely.Geometry:
    """A valid version of *geom* that encloses the land its rings draw, no more.

    Each polygon's shell is made valid on its own, its holes likewise, and only the part of
    the holes inside the shell is cut out: a hole drawn outside its shell is dropped, never
    turned into land (as ``make_valid`` does). Lines are made valid by GEOS.
    """
    if geometry != "polygon":
        return shapely.make_valid(geom, method="structure", keep_collapsed=False)
    pieces = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            pieces.append(_polygonal(shapely.make_valid(poly, method="structure")))
            continue
        shell = _polygonal(shapely.make_valid(shapely.Polygon(poly.exterior), method="structure"))
        holes = [
            _polygonal(shapely.make_valid(shapely.Polygon(ring), method="structure"))
            for ring in poly.interiors
        ]
        if holes:
            shell = shell.difference(shapely.union_all(holes).intersection(shell))
        pieces.append(_polygonal(shell))
    return _polygonal(shapely.union_all(pieces)) if pieces else shapely.Polygon()


def check_geometry(
    gdf: gpd.GeoDataFrame,
    k: Kind,
    where: str,
    *,
    repair: bool,
    tolerance_m2: float,
    report,
    layer: str,
    problems: Problems | None = None,
) -> gpd.GeoDataFrame:
    """*gdf* with valid geometries of its kind's type, repaired when *repair* allows.

    A repair changing a feature's area (or a line's length) by more than *tolerance_m2*
    is refused: the message gives each change in m² and 亩 and how to accept it. Every
    problem is filed in *problems* by kind (null geometry, wrong type, invalid, repair);
    without *problems* they are raised at the end.

    Raises
    ------
    GeometryError
        Empty or wrongly typed geometries, invalid ones without *repair*, repairs that
        collapse a feature or change its area beyond the tolerance (only when *problems*
        is None).
    """
    mine = problems is None
    problems = Problems() if mine else problems
    out = _check_geometry(gdf, k, where, repair, tolerance_m2, report, layer, problems)
    if mine:
        problems.raise_if_any()
    return out


def _check_geometry(gdf, k, where, repair, tolerance_m2, report, layer, problems):
    geoms = gdf.geometry.array
    ids = gdf["id"].tolist()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    problems.add(
        "null_geometry",
        [f"{where}: feature {ids[i]!r} (#{i + 1})" for i in np.flatnonzero(missing)],
        GeometryError,
    )
    types = gdf.geometry.geom_type
    wrong = ~types.isin(k.geometry_types).to_numpy() & ~missing
    problems.add(
        "geometry_type",
        [
            f"{where}: {ids[i]!r} is a {types.iloc[i]}; a {k.name} layer holds "
            f"{'/'.join(k.geometry_types)}"
            for i in np.flatnonzero(wrong)
        ],
        GeometryError,
    )
    valid = shapely.is_valid(geoms) | missing | wrong
    if valid.all():
        return gdf
    bad = np.flatnonzero(~valid)
    if not repair:
        problems.add(
            "invalid_geometry",
            [f"{where}: {ids[i]!r}: {shapely.is_valid_reason(geoms[i])}" for i in bad],
            GeometryError,
        )
        return gdf
    polygon = k.geometry == "polygon"
    measure, unit = ("area", "m²") if polygon else ("length", "m")
    fixed, changes, too_big = list(geoms), [], []
    for i in bad:
        before, why = geoms[i], shapely.is_valid_reason(geoms[i])
        after = repair_geometry(before, k.geometry)
        if after.is_empty:
            problems.add(
                "repair",
                [f"{where}: feature {ids[i]!r} collapses to nothing when repaired ({why})"],
                GeometryError,
            )
            continue
        fixed[i] = after
        b, a = (before.area, after.area) if polygon else (before.length, after.length)
        change = a - b
        mu = f", {change / M2_PER_MU:+,.4f} 亩" if polygon else ""
        text = (
            f"{layer}: repaired {ids[i]!r} ({why}): {measure} {b:,.2f} → {a:,.2f} {unit} "
            f"(changed {change:+,.2f} {unit}{mu})"
        )
        changes.append(
            {
                "layer": layer,
                "id": ids[i],
                "reason": why,
                f"{measure}_before": b,
                f"{measure}_after": a,
                "changed": change,
                **({"changed_mu": change / M2_PER_MU} if polygon else {}),
            }
        )
        if abs(change) > tolerance_m2:
            too_big.append(text)
        else:
            report.notes.append(text)
            warnings.warn(text, RepairWarning, stacklevel=2)
    if too_big:
        problems.add(
            "repair",
            [
                f"{where}: would change the {measure} by more than {tolerance_m2:g} {unit}: {t}"
                for t in too_big
            ],
            GeometryError,
        )
    report.repairs.extend(changes)
    return gdf.set_geometry(gpd.GeoSeries(fixed, index=gdf.index, crs=gdf.crs))
