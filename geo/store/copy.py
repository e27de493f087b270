"""Copy a whole store to another one: GeoPackage ↔ PostGIS, every layer and table as stored."""

from __future__ import annotations

from geo.errors import StoreError
from geo.store.base import Store

__all__ = ["copy_store"]


def copy_store(source: Store, target: Store, *, replace: bool = False) -> list[dict]:
    """Copy every layer and table of *source* (the whole record history with them) to *target*.

    One transaction on *target*: a failed copy leaves it as it was. *target* must be empty
    unless *replace*. Returns the catalog rows copied (name, kind, features).
    """
    if not source.exists():
        raise StoreError(f"{source}: nothing to copy, the store is empty.")
    if target.exists() and target.names() and not replace:
        raise StoreError(
            f"{target}: the target store already holds {', '.join(target.names())}. "
            "Copy into an empty store, or pass --replace to overwrite it."
        )
    catalog = source.catalog()
    with target.transaction(replace=True) as tx:
        for row in catalog.to_dict("records"):
            tx.write_layer(
                row["name"], source.read(row["name"]), kind=row["kind"], source=row["source"]
            )
    return [
        {"name": r["name"], "kind": r["kind"], "features": int(r["features"])}
        for r in catalog.to_dict("records")
    ]
