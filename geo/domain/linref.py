"""Linear referencing: place chainages (桩号) on a road's centerline and cut sections from it.

Chainage runs in the direction the centerline was digitized (from its first vertex to its
last); give ``reverse=True`` to :meth:`Centerline.from_geometry` when the road was drawn from
its end to its start. All lengths are metres in a projected metric CRS: a centerline in
longitude/latitude is projected to its CGCS2000 Gauss-Krüger zone first.

Chain breaks (断链) make chainage differ from the distance along the line. With the break
``back=ahead`` the distance continues across it: a station ``ch`` after the break lies at
``(back - start) + (ch - ahead)`` metres from the road's start (summed over every break
passed). For a long chain (长链, back > ahead) stations in ``[ahead, back]`` exist twice; this
module always takes the one *after* the break. For a short chain (短链, ahead > back) stations
strictly between ``back`` and ``ahead`` do not exist and are refused.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError as ProjCRSError
from shapely.geometry import LineString, MultiLineString, Point
from shapely.geometry.base import BaseGeometry
from shapely.ops import substring

from geo.domain.chainage import (
    ChainBreak,
    format_chainage,
    parse_chain_breaks,
    parse_chainage,
    station_label,
)
from geo.domain.crs import geometry_to_metric
from geo.errors import ChainageError, CRSError, GeometryError

__all__ = ["Centerline", "merge_centerline", "road_centerlines"]

#: Slack, in metres, for a station that is past the road's end only by floating-point error.
_END_SLACK_M = 1e-6


def _road(road_id: str) -> str:
    return f"road {road_id!r}" if road_id else "the road"


def merge_centerline(
    geom: BaseGeometry, *, road_id: str = "", crs: str | CRS | None = None
) -> LineString:
    """Join a centerline's parts into one LineString.

    Parameters
    ----------
    geom
        A LineString (returned as it is) or a MultiLineString whose parts join end to end,
        in any order and digitizing direction.
    road_id
        Named in error messages.
    crs
        The geometry's CRS; only used to name units in messages (and to give a gap in
        degrees also in metres).

    Returns
    -------
    LineString
        For a MultiLineString, the merged line runs in the direction most of the parts' drawn
        length was digitized in.

    Raises
    ------
    GeometryError
        When the geometry is empty, not a line, or its parts do not form one line; the
        message gives the two nearest loose ends and the gap between them.
    """
    where = _road(road_id)
    if not isinstance(geom, BaseGeometry) or geom.is_empty:
        raise GeometryError(
            f"centerline of {where} is empty or not a geometry ({geom!r}); draw it as a LineString"
        )
    if isinstance(geom, LineString):
        return geom
    if not isinstance(geom, MultiLineString):
        raise GeometryError(
            f"centerline of {where} is a {geom.geom_type}; a centerline must be a LineString "
            "or a MultiLineString whose parts join end to end"
        )
    parts = [part for part in geom.geoms if not part.is_empty and part.length > 0]
    if not parts:
        raise GeometryError(
            f"centerline of {where} has zero length; it needs at least two distinct points"
        )
    merged = shapely.line_merge(MultiLineString(parts))
    if isinstance(merged, LineString) and not merged.is_empty:
        return _orient_like_parts(merged, parts)
    raise GeometryError(_gap_message(merged, where, crs))


def _orient_like_parts(merged: LineString, parts: list[LineString]) -> LineString:
    """Reverse *merged* when most of the parts' length was digitized the other way."""
    forward = backward = 0.0
    for part in parts:
        first, last = shapely.get_point(part, 0), shapely.get_point(part, -1)
        if merged.project(first) <= merged.project(last):
            forward += part.length
        else:
            backward += part.length
    return merged.reverse() if backward > forward else merged


def _gap_message(merged: BaseGeometry, where: str, crs: str | CRS | None) -> str:
    pieces = list(getattr(merged, "geoms", [merged]))
    ends = []  # (piece index, (x, y))
    for index, piece in enumerate(pieces):
        coords = np.asarray(piece.coords)
        ends.extend([(index, tuple(coords[0][:2])), (index, tuple(coords[-1][:2]))])
    best = None
    for i, (piece_a, a) in enumerate(ends):
        for piece_b, b in ends[i + 1 :]:
            if piece_a != piece_b:
                gap = math.dist(a, b)
                if best is None or gap < best[0]:
                    best = (gap, a, b)
    crs_obj = CRS.from_user_input(crs) if crs is not None else None
    geographic = crs_obj is not None and crs_obj.is_geographic
    units = "degrees" if geographic else ("m" if crs_obj is not None else "CRS units")
    digits = 7 if geographic else 3
    assert best is not None  # a MultiLineString that did not merge has at least two pieces
    gap, a, b = best
    gap_text = f"{gap:.{digits}f} {units}"
    if geographic:
        metres = crs_obj.get_geod().line_length([a[0], b[0]], [a[1], b[1]])
        gap_text += f" (≈ {metres:.2f} m)"
    ends_text = f"({a[0]:.{digits}f}, {a[1]:.{digits}f}) and ({b[0]:.{digits}f}, {b[1]:.{digits}f})"
    if gap == 0:
        problem = (
            f"its parts meet at {ends_text[: ends_text.index(' and ')]} but branch or cross "
            "there, so they do not form one line"
        )
        fix = "keep a single path through the junction (move side branches to their own road)"
    else:
        problem = (
            f"its parts do not join end to end: {len(pieces)} pieces remain after joining; the "
            f"nearest loose ends are {ends_text}, {gap_text} apart"
        )
        fix = (
            "snap these ends together (e.g. QGIS snapping, or shapely.snap) or delete stray "
            "parts, then import the road again"
        )
    return f"centerline of {where} is not one continuous line: {problem}. To fix it, {fix}."


def _shown(chainage: float | str, value: float) -> str:
    """The station as the caller wrote it, and as a station when that differs."""
    label = station_label(value)
    written = chainage.strip() if isinstance(chainage, str) else None
    return label if written in (None, label) else f"{written!r} ({label})"


@dataclass(frozen=True)
class _Segment:
    """Stations ``first``..``last`` without a break, starting *distance* m along the road."""

    first: float
    last: float
    distance: float


@dataclass(frozen=True)
class Centerline:
    """A road centerline in a projected metric CRS, addressed by chainage.

    Build it with :meth:`from_geometry`. Chainage runs in the line's digitized direction.

    Attributes
    ----------
    line
        The centerline, in metres.
    crs
        The metric CRS of *line*, e.g. ``"EPSG:4544"``.
    drawn_length
        Length of *line* in metres.
    start, end
        Chainage of the first and last point of *line*.
    chain_breaks
        Chain breaks (断链) in order along the line.
    road_id
        Named in error messages.
    design_length
        The road's design length in metres, if given.
    scale
        Drawn metres per design metre: ``drawn_length / design_length`` when the two agree
        within the tolerance, else 1.
    length_difference
        ``drawn_length - design_length`` in metres, or None without a design length.
    length_warning
        A message when drawn and design lengths differ by more than the tolerance, else None.
    """

    line: LineString
    crs: str
    drawn_length: float
    start: float
    end: float
    chain_breaks: tuple[ChainBreak, ...] = ()
    road_id: str = ""
    design_length: float | None = None
    scale: float = 1.0
    length_difference: float | None = None
    length_warning: str | None = None

    @classmethod
    def from_geometry(
        cls,
        geom: BaseGeometry,
        *,
        crs: str | CRS,
        start_chainage: float | str = 0.0,
        chain_breaks: tuple[ChainBreak, ...] | str | None = (),
        design_length: float | None = None,
        scale_tolerance: float = 0.02,
        road_id: str = "",
        reverse: bool = False,
    ) -> Centerline:
        """Build a centerline from a LineString or a MultiLineString of joining parts.

        Parameters
        ----------
        geom
            The road's centerline in *crs*.
        crs
            CRS of *geom*. A geographic CRS (e.g. EPSG:4490) is projected to the CGCS2000
            3-degree Gauss-Krüger zone of the line's centre longitude; a projected metric CRS
            is used as it is.
        start_chainage
            Chainage of the road's start, e.g. ``"K2+000"``.
        chain_breaks
            Chain breaks along the road, as :class:`ChainBreak` or text such as
            ``"K1+100=K1+080"`` (see :func:`geo.domain.chainage.parse_chain_breaks`).
        design_length
            The road's design length in metres (its real length, breaks included). When the
            drawn length is within *scale_tolerance* of it, chainage is scaled onto the drawn
            line so the end station lands on the line's end; otherwise nothing is scaled and
            ``length_warning`` says by how much they differ.
        scale_tolerance
            Largest ``|design - drawn| / design`` that is scaled away (0.02 = 2 %).
        road_id
            Named in error messages.
        reverse
            True when the road was digitized from its end to its start: chainage then runs
            from the line's last vertex to its first.

        Returns
        -------
        Centerline

        Raises
        ------
        GeometryError
            When the geometry is not one continuous line of positive length.
        CRSError
            When *crs* is missing, not metric, or outside China's Gauss-Krüger zones.
        ChainageError
            When the start chainage or the chain breaks cannot be used on this road.
        """
        where = _road(road_id)
        line, metric_crs = _to_metric(geom, crs=crs, where=where, road_id=road_id)
        if reverse:
            line = line.reverse()
        drawn = float(line.length)
        if not drawn > 0:
            raise GeometryError(
                f"centerline of {where} has zero length; it needs at least two distinct points"
            )
        start = parse_chainage(start_chainage)
        if isinstance(chain_breaks, str) or chain_breaks is None:
            breaks = parse_chain_breaks(chain_breaks)
        else:
            breaks = tuple(chain_breaks)
        if not all(isinstance(item, ChainBreak) for item in breaks):
            raise ChainageError(
                f"chain breaks of {where} must be ChainBreak values or text like "
                f"'K1+100=K1+080', got {chain_breaks!r}"
            )
        # The real length of the road between its first and last station.
        scale = 1.0
        difference = warning = None
        real_length = drawn
        if design_length is not None:
            design = float(design_length)
            if not (math.isfinite(design) and design > 0):
                raise ChainageError(
                    f"design length of {where} must be a positive number of metres, got "
                    f"{design_length!r}"
                )
            difference = drawn - design
            if abs(difference) / design <= scale_tolerance:
                scale = drawn / design
                real_length = design
            else:
                warning = (
                    f"the drawn centerline of {where} is {drawn:.2f} m long but its design "
                    f"length is {design:.2f} m ({difference:+.2f} m, "
                    f"{difference / design:+.1%}), more than the {scale_tolerance:.1%} "
                    "tolerance; chainage is measured along the drawn line without scaling, so "
                    "stations may be off by up to "
                    f"{abs(difference):.1f} m. Check the CRS and the drawing, or the design length"
                )
        end = start + real_length - sum(item.length for item in breaks)
        return cls(
            line=line,
            crs=metric_crs,
            drawn_length=drawn,
            start=start,
            end=end,
            chain_breaks=breaks,
            road_id=road_id,
            design_length=None if design_length is None else float(design_length),
            scale=scale,
            length_difference=difference,
            length_warning=warning,
        )

    def __post_init__(self) -> None:
        # Validates the breaks against start and end (raises ChainageError).
        self._segments()

    def _segments(self) -> tuple[_Segment, ...]:
        """Runs of stations without a break, with the design distance at which each begins."""
        segments = []
        first, distance = self.start, 0.0
        for item in self.chain_breaks:
            if not item.back > first or not item.ahead > first:
                raise ChainageError(
                    f"chain break {item} of {_road(self.road_id)} is not after station "
                    f"{station_label(first)}; breaks must lie inside the road "
                    f"({station_label(self.start)} onwards), in order along it"
                )
            segments.append(_Segment(first, item.back, distance))
            distance += item.back - first
            first = item.ahead
        if not self.end > first:
            raise ChainageError(
                f"{_road(self.road_id)} ends at {station_label(self.end)}, not after station "
                f"{station_label(first)}: a chain break or the start chainage lies beyond the "
                "road's end; check the breaks, the start chainage and the design length"
            )
        segments.append(_Segment(first, self.end, distance))
        return tuple(segments)

    @property
    def chainage_length(self) -> float:
        """Real road length in metres implied by the chainage.

        ``end - start`` plus long chains, minus short chains: the design length when one was
        given and used, else the drawn length.
        """
        return self.end - self.start + sum(item.length for item in self.chain_breaks)

    def _range_text(self) -> str:
        return f"{station_label(self.start)} to {station_label(self.end)}"

    def distance_at(self, chainage: float | str) -> float:
        """Distance in metres along the drawn line to a station.

        Parameters
        ----------
        chainage
            Metres or text such as ``"K1+234.5"``. A station repeated by a long chain is taken
            after the break.

        Returns
        -------
        float
            From 0 at the road's start to ``drawn_length`` at its end.

        Raises
        ------
        ChainageError
            When the station lies outside the road, or in the stations skipped by a short
            chain.
        """
        value = parse_chainage(chainage)
        segments = self._segments()
        if self.end < value <= self.end + _END_SLACK_M:
            value = self.end
        if not self.start <= value <= self.end:
            raise ChainageError(
                f"chainage {_shown(chainage, value)} is outside "
                f"{_road(self.road_id)}, whose stations run from {self._range_text()}; give a "
                "station in that range"
            )
        for segment in reversed(segments):  # the last run holding it: after a long chain
            if segment.first <= value <= segment.last:
                design = segment.distance + (value - segment.first)
                return min(max(design * self.scale, 0.0), self.drawn_length)
        skipped = next(
            item
            for item in self.chain_breaks
            if item.kind == "short" and item.back < value < item.ahead
        )
        raise ChainageError(
            f"chainage {station_label(value)} does not exist on {_road(self.road_id)}: the "
            f"short chain {skipped} skips the stations between them; use "
            f"{station_label(skipped.back)} or {station_label(skipped.ahead)} (same place)"
        )

    def chainage_at(self, distance: float) -> float:
        """Station at a distance in metres along the drawn line.

        Parameters
        ----------
        distance
            From 0 to ``drawn_length``.

        Returns
        -------
        float
            The chainage in metres; at a chain break, the station after the break.

        Raises
        ------
        ChainageError
            When *distance* is outside the drawn line.

        Notes
        -----
        Before a long chain this returns the first of the repeated stations, which
        :meth:`distance_at` reads as the one after the break; the two are inverse everywhere
        else.
        """
        distance = float(distance)
        if self.drawn_length < distance <= self.drawn_length + _END_SLACK_M:
            distance = self.drawn_length
        if not 0 <= distance <= self.drawn_length:
            raise ChainageError(
                f"distance {distance!r} m is outside {_road(self.road_id)}, whose drawn "
                f"centerline is {self.drawn_length:.3f} m long; give a distance in that range"
            )
        design = distance / self.scale
        segments = self._segments()
        segment = next(s for s in reversed(segments) if s.distance <= design)
        return min(segment.first + (design - segment.distance), segment.last)

    def point_at(self, chainage: float | str) -> Point:
        """The point of the centerline at a station (see :meth:`distance_at`)."""
        return self.line.interpolate(self.distance_at(chainage))

    def cut(self, ch_from: float | str, ch_to: float | str) -> LineString:
        """The part of the centerline between two stations.

        Parameters
        ----------
        ch_from, ch_to
            Stations (metres or text); their order does not matter.

        Returns
        -------
        LineString
            In the line's direction, from the smaller to the larger distance.

        Raises
        ------
        ChainageError
            When a station is outside the road, or both are at the same place.
        """
        first, second = sorted((self.distance_at(ch_from), self.distance_at(ch_to)))
        if first == second:
            raise ChainageError(
                f"cannot cut {_road(self.road_id)} from {ch_from!r} to {ch_to!r}: both "
                "stations are at the same place; give two different stations"
            )
        return substring(self.line, first, second)

    def locate(self, point: Point, *, crs: str | CRS | None = None) -> float:
        """Chainage of the point of the centerline nearest to *point*.

        Parameters
        ----------
        point
            A point in the centerline's metric CRS, or in *crs* when given.
        crs
            CRS of *point* when it differs from :attr:`crs`.

        Returns
        -------
        float
            The chainage in metres.
        """
        if crs is not None and CRS.from_user_input(crs) != CRS.from_user_input(self.crs):
            transformer = Transformer.from_crs(crs, self.crs, always_xy=True)
            point = Point(transformer.transform(point.x, point.y))
        return self.chainage_at(self.line.project(point))

    def ticks(self, every: float = 100.0, *, decimals: int = 0) -> list[tuple[float, Point, str]]:
        """Stations to mark on a map: every multiple of *every*, plus the start and the end.

        Parameters
        ----------
        every
            Spacing of the ticks in metres of chainage.
        decimals
            Decimals of the metre part in the labels.

        Returns
        -------
        list of (chainage, Point, label)
            In order along the line; labels such as ``K0+100``. Stations repeated by a long
            chain are marked on both sides of the break.
        """
        every = float(every)
        if not (math.isfinite(every) and every > 0):
            raise ValueError(f"tick spacing must be a positive number of metres, got {every!r}")
        # Each run of stations is half open, [first, last): a station at a break is marked
        # after it, as distance_at() places it. Start and end are always marked.
        found: dict[float, float] = {0.0: self.start, self.drawn_length: self.end}
        for segment in self._segments():
            multiple = math.ceil(round(segment.first / every, 9))
            while multiple * every < segment.last:
                chainage = multiple * every
                if chainage > self.start:
                    design = segment.distance + (chainage - segment.first)
                    found.setdefault(design * self.scale, chainage)
                multiple += 1
        return [
            (
                chainage,
                self.line.interpolate(distance),
                format_chainage(chainage, decimals=decimals),
            )
            for distance, chainage in sorted(found.items())
        ]


def _to_metric(
    geom: BaseGeometry, *, crs: str | CRS | None, where: str, road_id: str
) -> tuple[LineString, str]:
    """Merge *geom* in its own CRS, then project it to metres when it is geographic."""
    if crs is None:
        raise CRSError(
            f"centerline of {where} has no CRS; pass crs=, e.g. 'EPSG:4490' for CGCS2000 "
            "degrees or 'EPSG:4544' for Gauss-Krüger CM 105E"
        )
    try:
        source = CRS.from_user_input(crs)
    except ProjCRSError as error:
        raise CRSError(f"CRS {crs!r} of {where} cannot be read: {error}") from None
    line = merge_centerline(geom, road_id=road_id, crs=source)
    return geometry_to_metric(line, source, what=f"centerline of {where}")


def road_centerlines(roads, *, scale_tolerance: float = 0.02) -> dict[str, Centerline]:
    """Road id → :class:`Centerline` for every road of a normalized roads layer.

    Parameters
    ----------
    roads : geopandas.GeoDataFrame or None
        Roads with ``id``, ``geometry`` and optionally ``start_chainage``, ``chain_breaks``
        and ``design_length_m``, in a projected metric CRS.
    scale_tolerance : float
        Relative design-vs-drawn length difference within which chainage is scaled.

    Raises
    ------
    GeometryError
        For a centerline whose parts do not join (the gap is named).
    """
    out: dict[str, Centerline] = {}
    if roads is None:
        return out
    for rec in roads.to_dict("records"):
        start = rec.get("start_chainage")
        design = rec.get("design_length_m")
        out[rec["id"]] = Centerline.from_geometry(
            rec["geometry"],
            crs=roads.crs,
            start_chainage=parse_chainage(start) if start else 0.0,
            chain_breaks=rec.get("chain_breaks") or (),
            design_length=None if design is None or design != design else float(design),
            scale_tolerance=scale_tolerance,
            road_id=rec["id"],
        )
    return out
