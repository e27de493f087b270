"""The `store` commands: roles on a shared PostGIS store, and copying a store."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from geo.cli.common import console, open_project, print_json, project_option
from geo.errors import StoreError


@click.group()
def store():
    """The project's store: PostgreSQL roles, copying GeoPackage ↔ PostGIS.

    \b
    Example:
      parkgeo store copy park.gpkg postgresql://li@db.example/park
      parkgeo store init-roles
    """


@store.command("init-roles")
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print the roles and grants as JSON.")
def init_roles_(project: Path, as_json: bool):
    """Create the PostgreSQL roles of the departments and grant them their tables.

    \b
    Example:
      parkgeo store init-roles -p park      # as the store's owner
    \b
    parkgeo_bureau    replaces parcels, zones, projects and goals
    parkgeo_engineer  adds and corrects progress records only
    parkgeo_viewer    reads only
    Run as the store's owner after the first import (and after an import adds a layer);
    then give each person a login in one role, e.g.
      CREATE ROLE li LOGIN IN ROLE parkgeo_engineer;
    The database itself refuses what a role may not do; on a PostGIS store recorded_by
    is the database user.
    """
    from geo.store import is_postgres_url
    from geo.store.pgroles import init_roles

    _, st = open_project(project)
    if not is_postgres_url(st.url):
        raise StoreError(
            f"{st.url}: roles need a PostGIS store; a GeoPackage file has no users. Set "
            'store = "postgresql://USER@HOST/DB" in park.toml (see `parkgeo store copy`).'
        )
    rows = init_roles(st)
    if as_json:
        print_json(rows)
        return
    table = Table(title=f"roles on {st.url}")
    for col in ("role", "部门 department", "可写图层 writes", "进度记录 records"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r["role"],
            f"{r['label_zh']} {r['label_en']}",
            ", ".join(r["writes"]) or "—",
            "添加、更正 add, correct" if r["records"] else "—",
        )
    console.print(table)


@store.command("copy")
@click.argument("source")
@click.argument("target")
@click.option("--json", "as_json", is_flag=True, help="Print what was copied as JSON.")
def copy_(source: str, target: str, as_json: bool):
    """Copy every layer and table, the whole record history included, from SOURCE to TARGET.

    Each is a GeoPackage file or a postgresql:// URL.

    \b
    Example (move a park onto a server):
      parkgeo store copy park.gpkg postgresql://parkgeo@db.example/park
    then set store = "postgresql://parkgeo@db.example/park" in park.toml.
    TARGET must be empty: a new GeoPackage file or an empty database.
    """
    from geo.store import store_at
    from geo.store.copy import copy_store

    src, dst = store_at(source), store_at(target)
    rows = copy_store(src, dst)
    if as_json:
        print_json({"source": src.url, "target": dst.url, "layers": rows})
        return
    table = Table(title=f"{src.url} → {dst.url}")
    table.add_column("layer")
    table.add_column("kind")
    table.add_column("features", justify="right")
    for r in rows:
        table.add_row(r["name"], r["kind"], f"{r['features']:,}")
    console.print(table)
