"""Tests for geo.domain.linref: chainage on road centerlines and PostGIS-compatible helpers."""

from __future__ import annotations

import csv
import itertools
import math
import re
from pathlib import Path

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiLineString, Point, Polygon

from geo.domain.chainage import ChainBreak, parse_chainage_range
from geo.domain.linref import Centerline, merge_centerline
from geo.errors import ChainageError, CRSError, GeometryError

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"
POSTGIS_VECTORS = REALDATA / "linear_ref" / "postgis_lrs_vectors.csv"

GK = "EPSG:4544"  # CGCS2000 3-degree Gauss-Krüger, CM 105E (the seed's region)


def straight(length: float) -> LineString:
    return LineString([(500_000.0, 3_400_000.0), (500_000.0 + length, 3_400_000.0)])


# A bent road: 300 m east, 400 m north, 500 m east again (1200 m in all).
BENT = LineString([(0, 0), (300, 0), (300, 400), (800, 400)])


# --- merge_centerline -------------------------------------------------------------------------


def test_linestring_passes_through():
    assert merge_centerline(BENT) is BENT


def test_parts_in_any_order_and_direction_are_merged():
    parts = MultiLineString(
        [
            [(300, 400), (800, 400)],  # third part, digitized forward
            [(300, 0), (0, 0)],  # first part, digitized backwards
            [(300, 0), (300, 400)],  # second part, forward
        ]
    )
    merged = merge_centerline(parts)
    assert isinstance(merged, LineString)
    assert merged.length == pytest.approx(1200.0, abs=1e-9)
    # Most of the length (900 of 1200 m) was digitized from (0, 0) towards (800, 400).
    assert merged.coords[0] == (0, 0) and merged.coords[-1] == (800, 400)


def test_gap_of_5_m_is_refused_with_its_location():
    parts = MultiLineString([[(0, 0), (100, 0)], [(105, 0), (200, 0)]])
    with pytest.raises(GeometryError) as info:
        merge_centerline(parts, road_id="二号路")
    message = str(info.value)
    assert "二号路" in message
    assert "(100.000, 0.000)" in message and "(105.000, 0.000)" in message
    assert "5.000" in message
    assert "snap" in message


def test_gap_in_degrees_is_also_given_in_metres():
    parts = MultiLineString(
        [[(105.0, 30.0), (105.001, 30.0)], [(105.00105, 30.0), (105.002, 30.0)]]
    )
    with pytest.raises(GeometryError, match=r"degrees \(≈ 4\.\d\d m\)"):
        Centerline.from_geometry(parts, crs="EPSG:4490")


def test_centerline_with_gap_is_refused():
    parts = MultiLineString([[(0, 0), (100, 0)], [(105, 0), (200, 0)]])
    with pytest.raises(GeometryError, match=r"5\.000 m apart"):
        Centerline.from_geometry(parts, crs=GK, road_id="r1")


def test_branching_parts_are_refused():
    parts = MultiLineString([[(0, 0), (100, 0)], [(100, 0), (200, 0)], [(100, 0), (100, 50)]])
    with pytest.raises(GeometryError, match="branch"):
        merge_centerline(parts)


@pytest.mark.parametrize(
    "geom", [Point(0, 0), Polygon([(0, 0), (1, 0), (1, 1)]), LineString(), None]
)
def test_non_lines_are_refused(geom):
    with pytest.raises(GeometryError, match="LineString"):
        merge_centerline(geom)


# --- Centerline: hand-computed cases ------------------------------------------------------------


def test_start_chainage_offset():
    road = Centerline.from_geometry(straight(1000), crs=GK, start_chainage="K2+000")
    assert (road.start, road.end, road.drawn_length) == (2000.0, 3000.0, 1000.0)
    assert road.crs == GK
    assert road.point_at("K2+500").equals_exact(road.line.interpolate(0.5, normalized=True), 1e-9)
    assert road.distance_at(2000) == 0.0
    assert road.distance_at("K3+000") == 1000.0
    assert road.chainage_at(250) == 2250.0


def test_chainage_outside_the_road_is_refused_with_its_range():
    road = Centerline.from_geometry(straight(1000), crs=GK, start_chainage=2000, road_id="一号路")
    for station in ("K1+999", "K3+000.5"):
        with pytest.raises(ChainageError) as info:
            road.distance_at(station)
        message = str(info.value)
        assert "一号路" in message and "K2+000" in message and "K3+000" in message
    with pytest.raises(ChainageError, match=r"1000\.000 m long"):
        road.chainage_at(1001)


def test_long_chain_break():
    # K1+100 = K1+080: 长链 20 m, stations K1+080..K1+100 occur twice.
    road = Centerline.from_geometry(straight(2000), crs=GK, chain_breaks="K1+100=K1+080")
    assert road.chain_breaks == (ChainBreak(1100, 1080),)
    assert road.end == 1980.0
    assert road.chainage_length == 2000.0
    assert road.distance_at("K1+050") == 1050.0
    # A repeated station is taken after the break.
    assert road.distance_at("K1+090") == 1110.0
    assert road.distance_at("K1+100") == 1120.0
    assert road.distance_at("K1+980") == 2000.0
    assert road.chainage_at(1100) == 1080.0
    assert road.chainage_at(1099) == 1099.0
    assert road.cut("K1+000", "K1+200").length == pytest.approx(220.0)


def test_short_chain_break_refuses_missing_stations():
    # K1+100 = K1+120: 短链 20 m, stations between do not exist.
    road = Centerline.from_geometry(
        straight(2000), crs=GK, chain_breaks=[ChainBreak(1100, 1120)], road_id="二号路"
    )
    assert road.end == 2020.0
    assert road.chainage_length == 2000.0
    assert road.distance_at("K1+100") == road.distance_at("K1+120") == 1100.0
    assert road.distance_at("K1+220") == 1200.0
    with pytest.raises(ChainageError, match=r"K1\+110 does not exist.*K1\+100=K1\+120"):
        road.distance_at("K1+110")
    assert road.cut("K1+000", "K1+200").length == pytest.approx(180.0)


def test_several_breaks_accumulate():
    road = Centerline.from_geometry(
        straight(3000), crs=GK, chain_breaks="K1+000=K0+990; K2+000=K2+030"
    )
    # 10 m long chain, then 30 m short chain.
    assert road.end == 3000 - 10 + 30
    assert road.distance_at("K1+500") == 1000 + 510
    assert road.distance_at("K2+500") == 1000 + 1010 + 470


@pytest.mark.parametrize(
    "breaks", ["K0+500=K0+450; K0+400=K0+420", "K5+000=K4+990", "K0+100=K0+050"]
)
def test_breaks_outside_the_road_or_out_of_order_are_refused(breaks):
    with pytest.raises(ChainageError, match=r"break|end"):
        Centerline.from_geometry(straight(1000), crs=GK, start_chainage=100, chain_breaks=breaks)


def test_direction_follows_digitizing_and_reverse_flips_it():
    # The road was digitized from its end (x = 1000) back to its start (x = 0).
    drawn_backwards = LineString([(1000, 0), (600, 0), (0, 0)])
    as_drawn = Centerline.from_geometry(drawn_backwards, crs=GK)
    assert as_drawn.point_at("K0+000").equals(Point(1000, 0))
    assert as_drawn.point_at("K0+100").equals(Point(900, 0))
    flipped = Centerline.from_geometry(drawn_backwards, crs=GK, reverse=True)
    assert flipped.point_at("K0+000").equals(Point(0, 0))
    assert flipped.point_at("K0+100").equals(Point(100, 0))
    assert flipped.locate(Point(250, 30)) == pytest.approx(250.0)
    assert as_drawn.locate(Point(250, 30)) == pytest.approx(750.0)


def test_road_in_degrees_is_measured_in_metres():
    lonlat = [(105.080, 30.500), (105.085, 30.503), (105.092, 30.504), (105.100, 30.510)]
    road = Centerline.from_geometry(LineString(lonlat), crs="EPSG:4490", road_id="一号路")
    assert road.crs == "EPSG:4544"
    lons, lats = zip(*lonlat, strict=True)
    geodesic = Geod(ellps="GRS80").line_length(lons, lats)
    assert road.drawn_length == pytest.approx(geodesic, rel=0.005)
    to_gk = Transformer.from_crs("EPSG:4490", "EPSG:4544", always_xy=True)
    projected = LineString([to_gk.transform(lon, lat) for lon, lat in lonlat])
    assert road.drawn_length == pytest.approx(projected.length, rel=1e-9)
    assert road.end == pytest.approx(projected.length, rel=1e-9)
    # A point given in degrees is located through the same projection.
    start = road.locate(Point(lonlat[0]), crs="EPSG:4490")
    assert start == pytest.approx(0.0, abs=1e-6)


def test_design_length_within_tolerance_is_scaled_onto_the_line():
    road = Centerline.from_geometry(straight(505), crs=GK, design_length=500, road_id="二号路")
    assert road.end == 500.0
    assert road.point_at("K0+500").equals_exact(Point(road.line.coords[-1]), 1e-9)
    assert road.distance_at("K0+250") == pytest.approx(252.5)
    assert road.chainage_at(505) == pytest.approx(500.0)
    assert road.length_difference == pytest.approx(5.0)
    assert road.length_warning is None
    assert road.scale == pytest.approx(1.01)


def test_design_length_with_start_and_break_sets_the_end():
    road = Centerline.from_geometry(
        straight(1010),
        crs=GK,
        start_chainage="K2+000",
        chain_breaks="K2+500=K2+480",
        design_length=1000,
    )
    assert road.end == 2000 + 1000 - 20
    assert road.chainage_length == 1000.0
    assert road.point_at(road.end).equals_exact(Point(road.line.coords[-1]), 1e-9)


def test_design_length_beyond_tolerance_is_reported_not_scaled():
    road = Centerline.from_geometry(straight(600), crs=GK, design_length=500, road_id="三号路")
    assert road.scale == 1.0
    assert road.end == 600.0
    assert road.length_difference == pytest.approx(100.0)
    assert "三号路" in road.length_warning and "500.00" in road.length_warning
    assert "600.00" in road.length_warning


def test_seed_road_2_section_0_to_500_m():
    # 五里梁基础设施二期: 二号路0-500米段.
    section = parse_chainage_range("0-500米")
    road = Centerline.from_geometry(BENT, crs=GK, road_id="二号路")
    piece = road.cut(section.start, section.end)
    assert piece.length == pytest.approx(500.0, rel=1e-9)
    assert piece.coords[0] == (0, 0) and piece.coords[-1] == (300, 200)
    # Drawn 1% longer than its 1200 m design: the section stays 500 m within the tolerance.
    stretched = shapely.affinity.scale(BENT, 1.01, 1.01, origin=(0, 0))
    road = Centerline.from_geometry(stretched, crs=GK, design_length=1200, road_id="二号路")
    assert road.cut(section.start, section.end).length == pytest.approx(500.0, rel=0.02)


def test_cut_in_either_order_gives_the_same_line():
    road = Centerline.from_geometry(BENT, crs=GK)
    forward = road.cut("K0+200", "K0+900")
    assert road.cut("K0+900", "K0+200").equals_exact(forward, 0)
    assert forward.coords[0] == (200, 0)
    with pytest.raises(ChainageError, match="same place"):
        road.cut(100, "K0+100")


def test_ticks():
    road = Centerline.from_geometry(straight(1000), crs=GK, start_chainage="K2+000")
    ticks = road.ticks(100)
    assert [label for _, _, label in ticks] == [f"K{2 + i // 10}+{i % 10}00" for i in range(11)]
    assert ticks[5][0] == 2500.0 and ticks[5][1].equals(road.point_at(2500))

    uneven = Centerline.from_geometry(BENT, crs=GK, start_chainage=50.5)
    labels = [label for _, _, label in uneven.ticks(500, decimals=1)]
    assert labels == ["K0+050.5", "K0+500.0", "K1+000.0", "K1+250.5"]


def test_ticks_around_a_long_chain_mark_repeated_stations_after_the_break():
    road = Centerline.from_geometry(straight(2000), crs=GK, chain_breaks="K1+100=K1+080")
    ticks = road.ticks(100)
    assert len(ticks) == 21
    distances = [road.line.project(point) for _, point, _ in ticks]
    assert distances == sorted(distances)
    assert ("K1+100", 1120.0) in [
        (label, d) for (_, _, label), d in zip(ticks, distances, strict=True)
    ]
    assert ticks[-1][2] == "K1+980"
    with pytest.raises(ValueError, match="positive"):
        road.ticks(0)


@pytest.mark.parametrize(
    ("crs", "error"),
    [(None, CRSError), ("EPSG:2263", CRSError), ("not a crs", CRSError)],
)
def test_unusable_crs_is_refused(crs, error):
    with pytest.raises(error):
        Centerline.from_geometry(straight(100), crs=crs)


def test_geographic_road_outside_china_is_refused():
    with pytest.raises(CRSError, match="longitude"):
        Centerline.from_geometry(LineString([(10, 50), (10.01, 50)]), crs="EPSG:4326")


# --- hypothesis: cut sections add up to the road ------------------------------------------------

CURVE = LineString(
    [(math.cos(t / 10) * 300 * (1 + t / 40), t * 80.0) for t in range(40)]
)  # ~3.3 km


@settings(deadline=None)
@given(
    stations=st.lists(st.floats(min_value=0, max_value=1, allow_nan=False), max_size=20),
    start=st.floats(min_value=0, max_value=50_000, allow_nan=False),
    design_ratio=st.floats(min_value=0.985, max_value=1.015),
)
def test_sections_between_random_chainages_sum_to_the_road(stations, start, design_ratio):
    road = Centerline.from_geometry(
        CURVE, crs=GK, start_chainage=start, design_length=CURVE.length * design_ratio
    )
    chainages = sorted({road.start + f * (road.end - road.start) for f in stations})
    chainages = [road.start, *chainages, road.end]
    total = 0.0
    for a, b in itertools.pairwise(chainages):
        if road.distance_at(a) != road.distance_at(b):
            total += road.cut(a, b).length
    assert total == pytest.approx(road.drawn_length, rel=1e-6)


@settings(deadline=None)
@given(stations=st.lists(st.floats(min_value=0, max_value=4000, allow_nan=False), max_size=20))
def test_sections_across_chain_breaks_sum_to_the_road(stations):
    road = Centerline.from_geometry(
        CURVE, crs=GK, chain_breaks="K1+000=K0+950; K2+000=K2+075", road_id="r"
    )
    valid = sorted({ch for ch in stations if road.start <= ch <= road.end and not 2000 < ch < 2075})
    chainages = [road.start, *valid, road.end]
    total = 0.0
    for a, b in itertools.pairwise(chainages):
        if road.distance_at(a) != road.distance_at(b):
            total += road.cut(a, b).length
    assert total == pytest.approx(road.drawn_length, rel=1e-6)


@given(fraction=st.floats(min_value=0, max_value=1))
def test_chainage_at_and_distance_at_are_inverse(fraction):
    road = Centerline.from_geometry(
        CURVE, crs=GK, start_chainage=1234.5, chain_breaks="K2+000=K2+050"
    )
    distance = fraction * road.drawn_length
    assert road.distance_at(road.chainage_at(distance)) == pytest.approx(distance, abs=1e-6)


# --- PostGIS linear referencing vectors, through Centerline ------------------------------------


# Rows reproduced: ST_LineSubstring, ST_LineLocatePoint and ST_LineInterpolatePoint on plain 2D
# geometry literals (also through ST_GeomFromText; the SRID does not change planar results),
# through the real entry points: a road with start K0+000 and no breaks, whose chainage is the
# distance along it, so a fraction f of PostGIS is the station f × length (Centerline.cut,
# point_at, locate). Where PostGIS answers a degenerate case (a zero-length line, a substring
# from a fraction to itself), Centerline refuses it, as a road section needs a length.
# Skipped: geography rows (geodesic arithmetic, not planar), Z/M/ZM or EWKT literals (these
# helpers are 2D), other functions (ST_MakeLine, ST_LineInterpolatePoints, ST_AddMeasure,
# ST_3D*, ST_InterpolatePoint, ST_ClosestPoint, ...) and rows with no expected output.
_FUNCTIONS = {"st_linesubstring", "st_linelocatepoint", "st_lineinterpolatepoint"}
_WRAPPERS = {"st_astext", "st_geomfromtext"}
_WKT = re.compile(r"'((?:LINESTRING|POINT)\s*\([^']*\))'", re.IGNORECASE)
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)")


def _postgis_case(row: dict[str, str]):
    expression, expected = row["sql_expression"], row["expected_output"]
    if "geography" in expression.lower() or not expected or expected.startswith("("):
        return None
    functions = {name.lower() for name in re.findall(r"\b(ST_\w+)\s*\(", expression, re.I)}
    targets = functions & _FUNCTIONS
    if len(targets) != 1 or functions - _FUNCTIONS - _WRAPPERS:
        return None
    geometries = [shapely.from_wkt(text) for text in _WKT.findall(expression)]
    if not geometries or any(shapely.has_z(g) or shapely.has_m(g) for g in geometries):
        return None
    wants = 2 if targets == {"st_linelocatepoint"} else 1
    if len(geometries) != wants or len(_WKT.findall(expression)) != expression.count("'") // 2:
        return None  # some literal is not plain 2D WKT (EWKT, M, EMPTY …)
    rest = expression[expression.rindex("'") + 1 :]
    return targets.pop(), geometries, rest, expected


def _postgis_params():
    if not POSTGIS_VECTORS.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{POSTGIS_VECTORS} is absent"))]
    with POSTGIS_VECTORS.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cases = []
    for number, row in enumerate(rows, start=2):
        case = _postgis_case(row)
        if case:
            cases.append(pytest.param(case, id=f"{row['label']}@line{number}"))
    return cases


POSTGIS_CASES = _postgis_params()


def test_postgis_selection_is_not_empty():
    if not POSTGIS_VECTORS.is_file():
        pytest.skip(f"{POSTGIS_VECTORS} is absent")
    assert len(POSTGIS_CASES) >= 10


@pytest.mark.parametrize("case", POSTGIS_CASES)
def test_postgis_lrs_vectors(case):
    function, geometries, rest, expected = case
    # ::numeric(p, s) prints s decimals; otherwise PostGIS prints full double precision.
    cast = re.search(r"::numeric\(\s*\d+\s*,\s*(\d+)\s*\)", rest)
    tolerance = 0.5 * 10 ** -int(cast.group(1)) + 1e-12 if cast else 1e-12
    line = geometries[0]
    if line.length == 0:
        with pytest.raises(GeometryError, match="zero length"):
            Centerline.from_geometry(line, crs=GK)
        return
    road = Centerline.from_geometry(line, crs=GK)
    length = road.drawn_length
    if function == "st_linelocatepoint":
        located = road.locate(geometries[1]) / length
        assert located == pytest.approx(float(expected), abs=tolerance)
        return
    stations = [float(value) * length for value in _NUMBER.findall(rest)]
    if function == "st_linesubstring":
        if stations[0] == stations[1]:
            with pytest.raises(ChainageError, match="same place"):
                road.cut(stations[0], stations[1])
            return
        result = road.cut(stations[0], stations[1])
    else:
        result = road.point_at(stations[0])
    want = shapely.from_wkt(expected)
    assert result.geom_type == want.geom_type
    got, wanted = shapely.get_coordinates(result), shapely.get_coordinates(want)
    assert got.shape == wanted.shape
    assert got.ravel().tolist() == pytest.approx(wanted.ravel().tolist(), abs=tolerance)
