"""Measured right the first time: unsnapped areas, repairs that keep land, the CRS guard.

Expected numbers are worked out independently of the code under test: exact shoelace sums
in rational arithmetic (fractions), pyproj's Transformer and Geod (Karney's geodesic areas),
and 亩 from its definition (1 亩 = 10000/15 m²).
"""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from pyproj import Geod, Transformer

from geo.cli import cli
from geo.errors import CRSError, GeometryError
from geo.ingest.geometry import repair_geometry
from geo.ingest.importer import import_project
from geo.io.manifest import load_manifest
from geo.store import open_store
from tests.conftest import X0, Y0, manifest_text, parcels_frame, sha, write_layer, zones_frame

GEOD = Geod(ellps="GRS80")
M2_PER_MU = Fraction(10000, 15)


def _shoelace(coords) -> Fraction:
    """Exact area of a closed ring of float coordinates, by the shoelace formula."""
    pts = [(Fraction(float(x)), Fraction(float(y))) for x, y in coords]
    twice = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(pts))
    return abs(twice) / 2


def _project(tmp_path, frame, *, park_crs="EPSG:4544", extra="", fmt="geojson"):
    layers = tmp_path / "layers"
    write_layer(zones_frame(), layers / "zones", fmt="geojson")
    path = write_layer(frame, layers / "parcels", fmt=fmt)
    text = manifest_text(path.relative_to(tmp_path).as_posix(), parcels_extra=extra)
    text = text.replace('crs = "EPSG:4544"', f'crs = "{park_crs}"', 1)
    (tmp_path / "park.toml").write_text(text, encoding="utf-8")
    return tmp_path


def _stored(project):
    stored = pyogrio.read_dataframe(project / "park.gpkg", layer="parcels")
    return stored.set_index("id")


# ---------------------------------------------------------------------------- exact areas

#: a surveyed parcel with coordinates to 0.1 mm, as a land survey lists them (EPSG:4544)
SURVEY = [
    (X0 + 0.0001, Y0 + 0.0004),
    (X0 + 93.1237, Y0 + 1.4449),
    (X0 + 95.0008, Y0 + 77.3351),
    (X0 + 41.2716, Y0 + 80.0003),
    (X0 + 0.0002, Y0 + 78.6669),
    (X0 + 0.0001, Y0 + 0.0004),
]


def test_areas_are_those_of_the_source_coordinates(tmp_path):
    frame = parcels_frame()
    frame.loc[0, "geometry"] = shapely.Polygon(SURVEY)
    project = _project(tmp_path, frame, fmt="gpkg")
    (project / "park.toml").write_text(
        (project / "park.toml")
        .read_text(encoding="utf-8")
        .replace('id = "地块编号"\n', 'id = "地块编号"\nlayer = "地块"\n'),
        encoding="utf-8",
    )
    manifest = load_manifest(project)
    import_project(manifest, open_store(manifest))
    expected = float(_shoelace(SURVEY))
    area = _stored(project).geometry.loc["P1"].area
    # snapping to 1 mm moved this by ~3e-6 relative; the source geometry's area is kept
    assert area == pytest.approx(expected, rel=1e-9)
    assert list(_stored(project).geometry.loc["P1"].exterior.coords) == SURVEY


def test_reprojected_areas_match_an_independent_transform(tmp_path):
    lonlat = parcels_frame().to_crs("EPSG:4490")
    project = _project(tmp_path, lonlat)
    manifest = load_manifest(project)
    import_project(manifest, open_store(manifest))
    to_gk = Transformer.from_crs("EPSG:4490", "EPSG:4544", always_xy=True)
    for i, fid in enumerate(["P1", "P2", "P3", "P4"]):
        ring = np.asarray(lonlat.geometry.iloc[i].exterior.coords)
        x, y = to_gk.transform(ring[:, 0], ring[:, 1])
        expected = float(_shoelace(zip(x.tolist(), y.tolist(), strict=True)))
        assert _stored(project).geometry.loc[fid].area == pytest.approx(expected, rel=1e-9)


# ---------------------------------------------------------------------------- repairs


def _hole(x, y):
    return [(x, y), (x + 14, y), (x + 14, y + 25), (x, y + 25), (x, y)]  # 350 m²


def test_a_hole_outside_its_shell_is_dropped_not_turned_into_land(tmp_path, runner):
    frame = parcels_frame()
    # P3 is 300 m × 200 m = 60,000 m²; its two stray holes lie inside P1, outside P3
    shell = shapely.box(X0, Y0 + 220, X0 + 300, Y0 + 420).exterior.coords
    frame.loc[2, "geometry"] = shapely.Polygon(
        shell, [_hole(X0 + 10, Y0 + 10), _hole(X0 + 40, Y0 + 60)]
    )
    project = _project(tmp_path, frame)
    result = runner.invoke(cli, ["import", "-p", str(project), "--repair"])
    assert result.exit_code == 2, result.output
    # shoelace counts the stray holes (60,000 − 700); the repaired shell is 60,000: +700 m²
    assert "'P3'" in result.output and "Hole lies outside shell" in result.output
    assert "+700.00 m²" in result.output and "+1.0500 亩" in result.output
    assert not (project / "park.gpkg").exists()

    args = ["import", "-p", str(project), "--repair", "--repair-tolerance", "701", "--json"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    (repair,) = json.loads(result.stdout)["repairs"]
    assert repair["changed"] == pytest.approx(700.0, abs=1e-9)
    stored = _stored(project)
    assert stored.geometry.loc["P3"].area == pytest.approx(60_000.0, abs=1e-9)
    # no land was invented where the holes were drawn: P3 does not reach into P1
    assert stored.geometry.loc["P3"].intersection(stored.geometry.loc["P1"]).area == 0.0


def test_a_repair_that_keeps_the_area_is_accepted_and_reported(tmp_path, runner):
    frame = parcels_frame()
    # a 100 m square whose shell touches itself at (50, 100), enclosing a triangle of
    # base 20 m and height 50 m: 10,000 − 500 = 9,500 m² before and after the repair
    ring = [(0, 0), (100, 0), (100, 100), (50, 100), (60, 50), (40, 50), (50, 100), (0, 100)]
    frame.loc[3, "geometry"] = shapely.Polygon([(X0 + 400 + x, Y0 + y) for x, y in ring])
    project = _project(tmp_path, frame)
    result = runner.invoke(cli, ["import", "-p", str(project)])
    assert result.exit_code == 2 and "'P4'" in result.output
    result = runner.invoke(cli, ["import", "-p", str(project), "--repair", "--json"])
    assert result.exit_code == 0, result.output
    (repair,) = json.loads(result.stdout)["repairs"]
    assert repair["area_before"] == pytest.approx(9_500.0, abs=1e-6)
    assert repair["area_after"] == pytest.approx(9_500.0, abs=1e-6)
    assert _stored(project).geometry.loc["P4"].is_valid


def test_repair_keeps_land_of_an_overlapping_multipolygon():
    # two 100 m squares overlapping by 50 m × 100 m: the land is 15,000 m², not 20,000
    multi = shapely.MultiPolygon([shapely.box(0, 0, 100, 100), shapely.box(50, 0, 150, 100)])
    assert not multi.is_valid
    assert repair_geometry(multi, "polygon").area == pytest.approx(15_000.0, abs=1e-9)


# ---------------------------------------------------------------------------- CRS guard


def _square_mu(lon0, lat0, mu, crs):
    """A square of *mu* 亩 drawn in *crs* around (lon0, lat0), returned in lon/lat."""
    side = float((Fraction(mu) * M2_PER_MU) ** 0.5)
    to_xy = Transformer.from_crs("EPSG:4490", crs, always_xy=True)
    x, y = to_xy.transform(lon0, lat0)
    square = shapely.box(x - side / 2, y - side / 2, x + side / 2, y + side / 2)
    return gpd.GeoSeries([square], crs=crs).to_crs("EPSG:4490").iloc[0]


def test_a_working_crs_far_from_the_data_is_named_with_the_zone_to_use(tmp_path, runner):
    # a parcel at 117.2°E drawn as 100 亩 in its own zone (EPSG:4548, CM 117°E)
    frame = parcels_frame().to_crs("EPSG:4490").iloc[[0]].copy()
    frame["geometry"] = [_square_mu(117.2, 31.8, 100, "EPSG:4548")]
    geodesic_mu = abs(GEOD.geometry_area_perimeter(frame.geometry.iloc[0])[0]) / 666.6666666667
    assert geodesic_mu == pytest.approx(100, rel=1e-4)  # the zone's scale is ~1 + 5e-6 there

    project = _project(tmp_path, frame)
    result = runner.invoke(cli, ["import", "-p", str(project), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    (beyond, off) = [w for w in out["warnings"] if w.startswith("parcels")]
    assert "EPSG:4548" in beyond and "beyond the edge" in beyond
    measured = _stored(project).geometry.loc["P1"].area / 666.6666666667
    assert measured == pytest.approx(103.35, abs=0.01)  # the 103.35 亩
    assert f"{measured / geodesic_mu - 1:+.2%}" in off and "EPSG:4548" in off

    project = _project(tmp_path, frame, park_crs="EPSG:4548")
    result = runner.invoke(cli, ["import", "-p", str(project), "--json"])
    warned = json.loads(result.stdout)["warnings"]
    assert result.exit_code == 0 and not [w for w in warned if w.startswith("parcels")]
    measured = _stored(project).geometry.loc["P1"].area / 666.6666666667
    assert measured == pytest.approx(100, rel=1e-5)


def test_nationwide_degrees_fit_epsg_4490(tmp_path):
    # points from Mohe (53.3°N) to Zengmu Ansha (3.97°N): wider than PROJ's box for China
    frame = parcels_frame().to_crs("EPSG:4490").iloc[[0, 1]].copy()
    frame["geometry"] = [
        shapely.box(122.30, 53.30, 122.31, 53.31),
        shapely.box(112.28, 3.97, 112.29, 3.98),
    ]
    project = _project(tmp_path, frame.set_crs(None, allow_override=True), fmt="shp")
    text = (project / "park.toml").read_text(encoding="utf-8")
    (project / "park.toml").write_text(
        text.replace('id = "地块编号"\n', 'id = "地块编号"\ncrs = "EPSG:4490"\n'), encoding="utf-8"
    )
    manifest = load_manifest(project)
    report = import_project(manifest, open_store(manifest))
    assert report.counts["parcels"] == 2


def test_swapped_survey_axes_are_recognised_and_fixed_by_swap_xy(tmp_path):
    frame = parcels_frame()
    # a zone-41 survey listed as (X = northing, Y = prefixed easting)
    frame = frame.set_geometry(
        shapely.transform(frame.geometry.array, lambda c: c[:, ::-1] + [0, 41_000_000])
    ).set_crs(None, allow_override=True)
    project = _project(tmp_path, frame, fmt="shp", park_crs="EPSG:4550")
    manifest = load_manifest(project)
    with pytest.raises(CRSError) as info:
        import_project(manifest, open_store(manifest))
    assert "axes look swapped" in str(info.value) and "swap_xy = true" in str(info.value)
    assert "EPSG:4529" in str(info.value)  # CGCS2000 GK zone 41 with prefix

    text = (project / "park.toml").read_text(encoding="utf-8")
    (project / "park.toml").write_text(
        text.replace('id = "地块编号"\n', 'id = "地块编号"\nswap_xy = true\ncrs = "EPSG:4529"\n'),
        encoding="utf-8",
    )
    manifest = load_manifest(project)
    import_project(manifest, open_store(manifest))
    assert _stored(project).geometry.loc["P1"].area == pytest.approx(20_000.0, rel=1e-9)


def test_refused_import_leaves_store(tmp_path, runner):
    project = _project(tmp_path, parcels_frame())
    assert runner.invoke(cli, ["import", "-p", str(project)]).exit_code == 0
    before = sha(project / "park.gpkg")
    frame = parcels_frame()
    frame.loc[1, "geometry"] = shapely.Polygon(
        [(X0, Y0), (X0 + 100, Y0 + 100), (X0 + 100, Y0), (X0, Y0 + 100)]
    )
    write_layer(frame, project / "layers" / "parcels", fmt="geojson")
    manifest = load_manifest(project)
    with pytest.raises(GeometryError):
        import_project(manifest, open_store(manifest), repair=True)
    assert sha(project / "park.gpkg") == before
