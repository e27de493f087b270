"""Roles on the shared PostGIS store: the database itself refuses what a role may not do.

Each test connects as a real login of each role (members of the roles init-roles creates).
"""

from __future__ import annotations

import json

import psycopg
import pytest
from click.testing import CliRunner

from geo.cli import cli
from tests.conftest import parcels_frame, read_back, store_state, use_store, write_layer
from tests.ingest.test_records import GOOD, write_progress

USERS = {
    "li_bureau": "parkgeo_bureau",
    "wang_eng": "parkgeo_engineer",
    "zhao_view": "parkgeo_viewer",
}


def _as(park, url: str, user: str) -> None:
    """Point park.toml at the same database as login *user*."""
    use_store(park, url.replace("postgres@", f"{user}@", 1))


def _import(park):
    return CliRunner().invoke(cli, ["import", "-p", str(park)])


@pytest.fixture
def shared(park, pg_cluster):
    url = pg_cluster.database()
    use_store(park, url)
    write_progress(park, GOOD)
    assert _import(park).exit_code == 0
    result = CliRunner().invoke(cli, ["store", "init-roles", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    for user, role in USERS.items():
        if not pg_cluster.sql(f"SELECT 1 FROM pg_roles WHERE rolname = '{user}'"):
            pg_cluster.sql(f"CREATE ROLE {user} LOGIN IN ROLE {role}")
    return park, url, json.loads(result.stdout)


def _change_parcels(park):
    frame = parcels_frame()
    frame.loc[0, "用地面积"] = 31.0
    write_layer(frame, park / "layers" / "parcels", fmt="geojson")


def test_init_roles_grants_by_kind(shared, pg_cluster):
    _, url, roles = shared
    by = {r["role"]: (r["writes"], r["records"]) for r in roles}
    assert by == {
        "parkgeo_bureau": (["zones", "parcels"], False),
        "parkgeo_engineer": ([], True),
        "parkgeo_viewer": ([], False),
    }
    # the grants as PostgreSQL's own catalog states them
    db = url.split("/")[3].split("?")[0]
    grants = pg_cluster.sql(
        "SELECT grantee, table_name, privilege_type FROM information_schema.table_privileges "
        "WHERE grantee LIKE 'parkgeo_%' AND privilege_type <> 'SELECT' ORDER BY 1, 2, 3",
        db=db,
    )
    assert grants == [
        ("parkgeo_bureau", "parcels", "DELETE"),
        ("parkgeo_bureau", "parcels", "INSERT"),
        ("parkgeo_bureau", "parcels", "UPDATE"),
        ("parkgeo_bureau", "parkgeo_sources", "INSERT"),
        ("parkgeo_bureau", "parkgeo_writer", "UPDATE"),
        ("parkgeo_bureau", "zones", "DELETE"),
        ("parkgeo_bureau", "zones", "INSERT"),
        ("parkgeo_bureau", "zones", "UPDATE"),
        ("parkgeo_engineer", "parkgeo_sources", "INSERT"),  # the file versions it read
        ("parkgeo_engineer", "parkgeo_writer", "UPDATE"),
        ("parkgeo_engineer", "progress", "INSERT"),
    ]
    rerun = CliRunner().invoke(cli, ["store", "init-roles", "-p", str(shared[0]), "--json"])
    assert rerun.exit_code == 0 and json.loads(rerun.stdout) == roles  # safe to run again


def test_viewer_import_is_refused_by_the_database(shared):
    park, url, _ = shared
    before = store_state(url)
    _as(park, url, "zhao_view")
    _change_parcels(park)
    result = _import(park)
    assert result.exit_code == 2, result.output
    assert "refused" in result.output and "'zhao_view' (member of parkgeo_viewer)" in result.output
    assert "permission denied" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert store_state(url) == before
    # reading is allowed
    assert CliRunner().invoke(cli, ["status", "-p", str(park), "--json"]).exit_code == 0
    assert CliRunner().invoke(cli, ["history", "-p", str(park), "P1"]).exit_code == 0
    # an import that would change nothing, and a retraction, are refused all the same
    write_layer(parcels_frame(), park / "layers" / "parcels", fmt="geojson")
    for args in (["import"], ["retract", "R000001", "--why", "误录"]):
        result = CliRunner().invoke(cli, [args[0], "-p", str(park), *args[1:]])
        assert result.exit_code == 2 and "permission denied" in result.output, result.output
    assert store_state(url) == before


def test_engineer_adds_records_but_may_not_touch_parcels(shared):
    park, url, _ = shared
    _as(park, url, "wang_eng")
    write_progress(park, [*GOOD, ["地块", "P3", "2024-05-01", "已供地", "", "新增"]])
    result = _import(park)
    assert result.exit_code == 0, result.output
    assert len(read_back(url, "progress")) == 5
    _change_parcels(park)
    result = _import(park)
    assert result.exit_code == 2 and "wang_eng" in result.output, result.output
    assert read_back(url, "parcels")["declared_area_mu"].tolist()[0] == 30.0
    # a correction (retract) sets the lifecycle columns: allowed, and signed by the database
    rid = read_back(url, "progress")["record_id"].iloc[0]
    done = CliRunner().invoke(cli, ["retract", "-p", str(park), rid, "--why", "误录"])
    assert done.exit_code == 0, done.output
    assert read_back(url, "progress")["retracted_by"].iloc[0] == "wang_eng"
    assert read_back(url, "progress")["recorded_by"].tolist()[-1] == "wang_eng"
    # ... but a record's content is never changed, not even by hand in SQL
    eng = url.replace("postgres@", "wang_eng@", 1)
    with psycopg.connect(eng) as con, pytest.raises(psycopg.errors.InsufficientPrivilege):
        con.execute("UPDATE progress SET stage = 'completed'")


def test_bureau_changes_parcels_but_not_records(shared):
    park, url, _ = shared
    _as(park, url, "li_bureau")
    _change_parcels(park)
    result = _import(park)
    assert result.exit_code == 0, result.output
    assert read_back(url, "parcels")["declared_area_mu"].tolist()[0] == 31.0
    write_progress(park, [*GOOD, ["地块", "P3", "2024-05-01", "已供地", "", "新增"]])
    result = _import(park)
    assert result.exit_code == 2 and "li_bureau" in result.output, result.output
    assert len(read_back(url, "progress")) == 4


def test_init_roles_needs_postgis(park):
    result = CliRunner().invoke(cli, ["store", "init-roles", "-p", str(park)])
    assert result.exit_code == 2 and "PostGIS" in result.output
