"""Exceptions and warnings raised by parkgeo.

Every error message says what was wrong, where (file, layer, row, feature id, field) and
how to fix it. The CLI turns :class:`ParkGeoError` into a message and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ChainageError",
    "GeometryError",
    "GoalError",
    "GoalWarning",
    "JoinError",
    "LayerReadError",
    "ManifestError",
    "ParkGeoError",
    "ParkGeoWarning",
    "ProgressError",
    "RecordError",
    "RepairWarning",
    "StoreBusyError",
    "StoreError",
]


class ParkGeoError(Exception):
    """Base class of every parkgeo error: input that cannot be used as it is."""


class ManifestError(ParkGeoError):
    """park.toml is missing, unreadable, or names something that does not exist."""


class LayerReadError(ParkGeoError):
    """A source layer or table cannot be read, or its content is unusable."""


class CRSError(ParkGeoError):
    """A layer's coordinate reference system is missing, wrong or unusable."""


class GeometryError(ParkGeoError):
    """Geometries are invalid, empty or of the wrong type for the layer's kind."""


class JoinError(ParkGeoError):
    """Records refer to features or projects that do not exist."""


class ProgressError(ParkGeoError):
    """Progress records that cannot be imported (bad rows are listed)."""

    def __init__(self, message: str, problems: list | None = None):
        super().__init__(message)
        self.problems = list(problems or [])


class ChainageError(ParkGeoError):
    """A chainage (桩号) that cannot be parsed or lies outside its road."""


class GoalError(ParkGeoError):
    """A goal definition that cannot be measured."""


class StoreError(ParkGeoError):
    """The project's store is missing or cannot be read or written."""


class StoreBusyError(StoreError):
    """Another command is writing the store and did not finish within the wait allowed."""


class StorePermissionError(StoreError):
    """The store's database refused a change the user's role may not make."""


class RecordError(ParkGeoError):
    """A progress record that does not exist or cannot be changed as asked."""


class OfficeError(ParkGeoError):
    """LibreOffice is missing or could not convert a document (the briefing to PDF)."""


class ParkGeoWarning(UserWarning):
    """Input that is odd but usable."""


class GoalWarning(ParkGeoWarning):
    """A goal was measured, but a figure needs checking (e.g. planar vs geodesic area)."""


class RepairWarning(ParkGeoWarning):
    """A geometry was repaired on import; the message gives the area changed."""


class ImportProblemsError(ParkGeoError):
    """An import found problems of several kinds (each listed, grouped by kind)."""


class OutputWriteError(ParkGeoError):
    """An output file cannot be written: a read-only folder or a full disk."""
