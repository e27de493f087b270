"""Who may do what on a shared PostGIS store, enforced by PostgreSQL itself.

``geo/data/roles.toml`` names one group role per department; :func:`init_roles` creates
them and grants each what its entry says. People log in as their own users, members of a
group role; the database refuses a write their role does not allow.
"""

from __future__ import annotations

from geo.domain.tables import data_table
from geo.store.base import CATALOG
from geo.store.postgis import PostgisStore, _has_catalog, _ident, _sql

__all__ = ["init_roles", "roles"]


def roles() -> dict[str, dict]:
    """The departments of roles.toml, by key (bureau, engineer, viewer)."""
    return data_table("roles.toml")


def init_roles(store: PostgisStore) -> list[dict]:
    """Create the group roles of roles.toml and grant them their tables; safe to run again.

    Run it as the store's owner (who imported first) with the CREATEROLE right, and again
    after an import adds a layer. Returns one row per role: role, department, writes,
    appends (table names).
    """
    sql = _sql()
    out = []
    with store.connect() as conn, conn.transaction():
        by_kind: dict[str, list[str]] = {}
        if _has_catalog(conn):
            for name, kind in conn.execute(f"SELECT name, kind FROM {CATALOG} ORDER BY position"):
                by_kind.setdefault(kind, []).append(name)
        db = conn.execute("SELECT current_database()").fetchone()[0]
        for key, spec in roles().items():
            role = _ident(spec["role"])
            if not conn.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [spec["role"]]
            ).fetchone():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
            for grant in (
                "GRANT CONNECT ON DATABASE {db} TO {role}",
                "GRANT USAGE ON SCHEMA public TO {role}",
                "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public "
                "FROM {role}",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
            ):
                conn.execute(sql.SQL(grant).format(db=_ident(db), role=role))
            writes = [t for k in spec["writes"] for t in by_kind.get(k, [])]
            appends = [t for k in spec["appends"] for t in by_kind.get(k, [])]
            for table in writes:
                conn.execute(
                    sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(_ident(table), role)
                )
            for table in appends:
                conn.execute(
                    sql.SQL("GRANT INSERT, UPDATE ON {} TO {}").format(_ident(table), role)
                )
            if writes or appends:
                # the catalog counts features; identity columns number the new rows
                conn.execute(
                    sql.SQL("GRANT INSERT, UPDATE ON {} TO {}").format(_ident(CATALOG), role)
                )
                conn.execute(
                    sql.SQL("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}").format(role)
                )
            out.append(
                {
                    "department": key,
                    "role": spec["role"],
                    "label_zh": spec["label_zh"],
                    "label_en": spec["label_en"],
                    "writes": writes,
                    "appends": appends,
                }
            )
    return out
