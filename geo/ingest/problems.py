"""Every problem of an import in one report, grouped by kind.

The importer reads every layer to the end instead of stopping at the first problem; each
check files what it finds under a kind of ``geo/data/import_problems.toml`` (duplicate
ids, bad dates, invalid geometry ...), and :meth:`Problems.raise_if_any` refuses the
import with one message listing them all, at most :data:`MAX_LISTED` per kind with the
count of the rest.
"""

from __future__ import annotations

from geo.domain.tables import cached_table, data_table
from geo.errors import ImportProblemsError, LayerReadError, ParkGeoError
from geo.ingest.records import MAX_LISTED

__all__ = ["Problems", "problem_kinds"]


@cached_table
def problem_kinds() -> dict[str, dict[str, str]]:
    """Kind → ``{"title", "hint"}`` of ``geo/data/import_problems.toml``, in report order."""
    return data_table("import_problems.toml")


class Problems:
    """What an import found wrong so far, by kind."""

    def __init__(self) -> None:
        self._items: dict[str, list[str]] = {}
        self._errors: dict[str, type[ParkGeoError]] = {}

    def add(self, kind: str, items: list[str], error: type[ParkGeoError] = LayerReadError) -> None:
        """File *items* (one problem each, saying where) under *kind*."""
        if kind not in problem_kinds():
            raise KeyError(f"unknown import problem kind {kind!r}")
        if items:
            self._items.setdefault(kind, []).extend(items)
            self._errors.setdefault(kind, error)

    def catch(self, kind: str, error: ParkGeoError) -> None:
        """File a refused step's message under *kind*, with the error's class."""
        self.add(kind, [str(error)], type(error))

    def __bool__(self) -> bool:
        return bool(self._items)

    @property
    def counts(self) -> dict[str, int]:
        """Kind → number of problems, in report order."""
        return {k: len(self._items[k]) for k in problem_kinds() if k in self._items}

    def message(self) -> str:
        """The report: per kind its title and count, its problems (capped) and the fix."""
        counts = self.counts
        total = sum(counts.values())
        lines = [
            f"{total} problem(s) of {len(counts)} kind(s); nothing was imported and the store "
            "is unchanged. Fix them all, then import again."
        ]
        for kind, n in counts.items():
            facts = problem_kinds()[kind]
            lines.append(f"{facts['title']} ({n}):")
            items = self._items[kind]
            lines.extend("  " + item.replace("\n", "\n    ") for item in items[:MAX_LISTED])
            if n > MAX_LISTED:
                lines.append(f"  ... and {n - MAX_LISTED} more")
            lines.append(f"  → {facts['hint']}")
        return "\n".join(lines)

    def raise_if_any(self) -> None:
        """Refuse with :meth:`message`: as the one error class when every kind shares it,
        else as :class:`~geo.errors.ImportProblemsError`."""
        if not self:
            return
        classes = set(self._errors.values())
        error = classes.pop() if len(classes) == 1 else ImportProblemsError
        raise error(self.message())
