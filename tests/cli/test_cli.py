"""The CLI through click's runner: exit codes, messages, JSON."""

from __future__ import annotations

import json

import pytest

from geo.cli import cli


def test_init_scaffolds_a_commented_manifest(tmp_path, runner):
    result = runner.invoke(cli, ["init", str(tmp_path / "p"), "--name", "某县工业园区"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "p" / "park.toml").read_text(encoding="utf-8")
    assert 'name = "某县工业园区"' in text and "# [layers.parcels]" in text
    assert (tmp_path / "p" / "layers").is_dir()
    again = runner.invoke(cli, ["init", str(tmp_path / "p")])
    assert again.exit_code == 2 and "already exists" in again.output


def test_commands_outside_a_project_exit_2_without_traceback(tmp_path, runner):
    for args in (["import"], ["layers"]):
        result = runner.invoke(cli, [*args, "-p", str(tmp_path)])
        assert result.exit_code == 2
        assert "no park.toml" in result.output and "parkgeo init" in result.output
        assert "Traceback" not in result.output


def test_layers_before_import_says_run_import(park, runner):
    result = runner.invoke(cli, ["layers", "-p", str(park)])
    assert result.exit_code == 2 and "parkgeo import" in result.output


def test_import_then_layers_json(park, runner):
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 0, result.output
    assert "parcels" in result.output
    result = runner.invoke(cli, ["layers", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    by_name = {layer["name"]: layer for layer in data["layers"]}
    parcels = by_name["parcels"]
    assert parcels["kind"] == "parcels" and parcels["features"] == 4
    # 20,000 + 30,000 + 60,000 + 10,000 m² drawn by hand in conftest
    assert parcels["area"]["m2"] == pytest.approx(120_000.0, abs=1e-3)
    assert parcels["area"]["mu"] == pytest.approx(180.0, abs=1e-6)
    assert parcels["area"]["ha"] == pytest.approx(12.0, abs=1e-6)
    lon0, lat0, lon1, lat1 = parcels["extent_lonlat"]
    assert 105.0 < lon0 < lon1 < 105.2 and 31.0 < lat0 < lat1 < 31.2
    table = runner.invoke(cli, ["layers", "-p", str(park)])
    assert "180.00" in table.output and "12.00" in table.output


def test_bad_manifest_is_exit_2(park, runner):
    (park / "park.toml").write_text("[park\nname=1", encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2 and "not valid TOML" in result.output
    (park / "park.toml").write_text('[park]\ncrs = "EPSG:4490"\n', encoding="utf-8")
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert result.exit_code == 2 and "not a projected CRS in metres" in result.output
    (park / "park.toml").write_text(
        '[layers.x]\nkind = "lakes"\nsource = "a.shp"\n', encoding="utf-8"
    )
    result = runner.invoke(cli, ["import", "-p", str(park)])
    assert (
        result.exit_code == 2
        and "'lakes' is unknown" in result.output
        and "parcels" in result.output
    )


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_with_an_example(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
