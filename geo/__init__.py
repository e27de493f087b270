"""parkgeo: a geospatial land and construction tracker for industrial parks.

Data flows one way through the package: sources (:mod:`geo.io.sources`, :mod:`geo.demo`) →
import (:mod:`geo.ingest.importer`) → store (:mod:`geo.store`) → analysis → render → CLI
(:mod:`geo.cli`).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("parkgeo")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
