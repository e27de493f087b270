"""Who may do what on a shared PostGIS store, enforced by PostgreSQL itself.

``geo/data/roles.toml`` names one group role per department; :func:`init_roles` creates
them and grants each what its entry says. People log in as their own users, members of a
group role; the database refuses a write their role does not allow, and parkgeo turns the
refusal into a message (:class:`~geo.errors.StorePermissionError`, exit code 2).
"""

from __future__ import annotations

from psycopg import sql

from geo.domain.tables import data_table
from geo.store.base import CATALOG, RECORDS, SOURCES
from geo.store.postgis import WRITER, PostgisStore, list_tables_of

__all__ = ["LIFECYCLE_COLUMNS", "init_roles", "roles"]

#: The columns of a progress record that a correction sets (its content is never changed).
LIFECYCLE_COLUMNS = (
    "superseded_by",
    "superseded_at",
    "retracted_at",
    "retracted_by",
    "retracted_why",
    "seen_row",
)


def roles() -> dict[str, dict]:
    """The departments of roles.toml, by key (bureau, engineer, viewer)."""
    return data_table("roles.toml")


def init_roles(store: PostgisStore) -> list[dict]:
    """Create the group roles of roles.toml and grant them their tables; safe to run again.

    Run it as the store's owner (who imported first, with the CREATEROLE right), and again
    after an import adds a layer. Returns one row per role: department, role, labels,
    writes (table names) and records (whether it adds and corrects progress records).
    """
    out = []
    with store.connect() as con, con.transaction():
        store.require(con)
        tables = con.execute(f"SELECT name, kind FROM {CATALOG} ORDER BY position").fetchall()
        db = con.execute("SELECT current_database()").fetchone()[0]
        for key, spec in roles().items():
            role = sql.Identifier(spec["role"])
            if not con.execute(
                "SELECT 1 FROM pg_roles WHERE rolname = %s", [spec["role"]]
            ).fetchone():
                con.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(role))
            for grant in (
                "GRANT CONNECT ON DATABASE {db} TO {role}",
                "GRANT USAGE ON SCHEMA public TO {role}",
                "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}",
                "GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO {role}",
            ):
                con.execute(sql.SQL(grant).format(db=sql.Identifier(db), role=role))
            writes = [name for name, kind in tables if kind in spec["writes"]]
            # a layer's list columns live in tables of their own (NAME__COLUMN)
            for table in [*writes, *(t for name in writes for t in list_tables_of(con, name))]:
                con.execute(
                    sql.SQL("GRANT INSERT, UPDATE, DELETE ON {} TO {}").format(
                        sql.Identifier(table), role
                    )
                )
                _grant_sequence(con, table, role)
            records = bool(spec["records"]) and any(name == RECORDS for name, _ in tables)
            if records:
                con.execute(
                    sql.SQL("GRANT INSERT, UPDATE ({}) ON {} TO {}").format(
                        sql.SQL(", ").join(map(sql.Identifier, LIFECYCLE_COLUMNS)),
                        sql.Identifier(RECORDS),
                        role,
                    )
                )
                _grant_sequence(con, RECORDS, role)
            if writes or records:
                # a writer signs the writer table and keeps the catalog's counts
                con.execute(sql.SQL(f"GRANT UPDATE ON {WRITER} TO {{}}").format(role))
                if any(name == SOURCES for name, _ in tables):  # the file versions it read
                    con.execute(
                        sql.SQL("GRANT INSERT ON {} TO {}").format(sql.Identifier(SOURCES), role)
                    )
                    _grant_sequence(con, SOURCES, role)
                columns = "features" if not writes else "kind, source, features, crs, fingerprint"
                con.execute(sql.SQL(f"GRANT UPDATE ({columns}) ON {CATALOG} TO {{}}").format(role))
            out.append(
                {
                    "department": key,
                    "role": spec["role"],
                    "label_zh": spec["label_zh"],
                    "label_en": spec["label_en"],
                    "writes": writes,
                    "records": records,
                }
            )
    return out


def _grant_sequence(con, table: str, role) -> None:
    """parkgeo moves a table's fid sequence past the rows it numbers (setval: UPDATE)."""
    seq = con.execute("SELECT pg_get_serial_sequence(%s, 'fid')", [table]).fetchone()[0]
    if seq:
        con.execute(sql.SQL("GRANT USAGE, UPDATE ON SEQUENCE {} TO {}").format(sql.SQL(seq), role))
