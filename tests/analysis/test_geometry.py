"""Layer-wide geometry (geo.analysis.geometry): the grouped union and closing give the
same point sets as one GEOS call over everything, with expectations worked out by hand."""

import numpy as np
import pytest
import shapely

from geo.analysis.geometry import closing_gaps, union, union_parts


def test_union_parts_keeps_disjoint_and_merges_touching():
    # A and B share the edge x = 10 (one 20 × 10 polygon); C stands alone 5 m away
    a, b, c = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10), shapely.box(25, 0, 30, 10)
    parts = union_parts([a, None, b, shapely.Polygon(), c])
    assert sorted(p.area for p in parts) == [50.0, 200.0]
    assert union([a, b, c]).area == pytest.approx(250.0, abs=1e-9)
    # overlapping squares: 100 + 100 - 25 = 175 m²
    assert union([a, shapely.box(5, 5, 15, 15)]).area == pytest.approx(175.0, abs=1e-9)


def test_gap_between_two_parcels():
    # 100 m squares 1 m apart: the closing at 2 m fills the 1 m × 100 m strip between them
    pieces = closing_gaps([shapely.box(0, 0, 100, 100), shapely.box(101, 0, 201, 100)], 2.0)
    assert len(pieces) == 1
    assert pieces[0].area == pytest.approx(100.0, abs=1e-6)
    assert pieces[0].bounds == pytest.approx((100, 0, 101, 100), abs=1e-6)


def test_no_gap_wider_than_the_width():
    assert closing_gaps([shapely.box(0, 0, 100, 100), shapely.box(103, 0, 203, 100)], 2.0) == []


def test_notch_in_one_parcel_is_found():
    # a 100 m square with a notch 1 m wide, 50 m deep cut into its top edge
    notched = shapely.box(0, 0, 100, 100).difference(shapely.box(40, 50, 41, 100))
    pieces = closing_gaps([notched], 2.0)
    assert sum(p.area for p in pieces) == pytest.approx(50.0, abs=1e-6)


def test_parcels_that_share_edges_leave_nothing():
    # two triangles making a square, four squares making a block: each parcel's own
    # corners must not grow into spurious pieces (the union is grown, not the parcels)
    square = [
        shapely.Polygon([(0, 0), (50, 0), (50, 50)]),
        shapely.Polygon([(0, 0), (50, 50), (0, 50)]),
    ]
    block = [shapely.box(x, y, x + 50, y + 50) for x in (100, 150) for y in (0, 50)]
    assert closing_gaps([*square, *block], 2.0) == []


def test_gaps_in_a_grid_are_found_one_each():
    # a 10 × 10 grid of 80 m parcels at a 90 m pitch (10 m roads: no gap), except that
    # every parcel of column 3 is 9 m wider, leaving 1 m × 80 m to column 4: ten gaps
    geoms = []
    for i in range(10):
        for j in range(10):
            x, y = i * 90.0, j * 90.0
            geoms.append(shapely.box(x, y, x + (89.0 if i == 3 else 80.0), y + 80.0))
    pieces = closing_gaps(np.array(geoms, dtype=object), 2.0)
    assert len(pieces) == 10
    assert [p.area for p in pieces] == pytest.approx([80.0] * 10, abs=1e-6)
    assert [p.bounds[0] for p in pieces] == pytest.approx([359.0] * 10)


def test_union_winds_every_shell_one_way():
    # a clockwise and an anticlockwise square apart: summed signed areas must not cancel
    cw = shapely.Polygon([(0, 0), (0, 10), (10, 10), (10, 0)])
    ccw = shapely.Polygon([(20, 0), (30, 0), (30, 10), (20, 10)])
    parts = shapely.get_parts(union([cw, ccw]))
    assert [shapely.is_ccw(p.exterior) for p in parts] == [False, False]
