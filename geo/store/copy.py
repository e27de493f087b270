"""Copy a whole store into another: GeoPackage ↔ PostGIS, every layer, table and record.

Only the :class:`~geo.store.base.Store` interface is used, so any two stores can be copied
between. The progress records keep their numbers, ids and whole lifecycle (superseded,
retracted, when, by whom, why), so ``--as-recorded`` gives the same answers on the copy.
"""

from __future__ import annotations

from geo.errors import StoreError
from geo.store.base import RECORD_SCHEMA, RECORDS, Store

__all__ = ["copy_store"]


def copy_store(source: Store, target: Store) -> list[dict]:
    """Copy every layer and table of *source*, the record history with them, into *target*.

    One transaction on *target*: a failed copy leaves it as it was. *target* must be empty
    (records are never overwritten). Returns the catalog rows copied (name, kind, features).

    Raises
    ------
    StoreError
        When *source* holds nothing or *target* already holds something.
    """
    if not source.exists():
        raise StoreError(f"{source.url}: nothing to copy, the store is empty.")
    catalog = source.catalog()
    with target.transaction(command="parkgeo store copy") as tx:
        held = list(tx.catalog()["name"])
        if held:
            raise StoreError(
                f"{target.url}: the target store already holds {', '.join(held)}; nothing was "
                "copied. Copy into a new, empty store (a new file or an empty database)."
            )
        for row in catalog.to_dict("records"):
            name = row["name"]
            if name == RECORDS:
                _copy_records(source, tx)
                continue
            tx.write_layer(
                name,
                source.read(name),
                kind=row["kind"],
                source=row["source"],
                fingerprint=row.get("fingerprint") or "",
            )
    return [
        {"name": r["name"], "kind": r["kind"], "features": int(r["features"])}
        for r in catalog.to_dict("records")
    ]


def _copy_records(source: Store, tx) -> None:
    records = source.at(None).records(everything=True).sort_values("seq", kind="stable")
    fids = tx.append(RECORDS, records[list(RECORD_SCHEMA)], types=RECORD_SCHEMA)
    if fids != [int(s) for s in records["seq"]]:
        raise StoreError(
            f"{source.url}: its progress records are not numbered 1, 2, 3, … (a store edited "
            "outside parkgeo?); nothing was copied, since record numbers must stay the same."
        )
