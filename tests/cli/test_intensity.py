"""`parkgeo intensity` on the flawed park of tests/analysis/test_checks.py, plus its economy.

P15 (15 亩, completed 2023-05-01, C13) carries F05 and project XM14 (3000 万元); its
figures for 2023: 秦川粮油 (XM14) tax 150, output 3000 万元 and the tenant 秦川包装 (parcel
P15) tax 75, output 1500 → 亩均税收 225 / 15 = 15, 亩均产值 4500 / 15 = 300 → score
60 × 15/15 + 40 × 300/300 = 100 → class A. The 2024 1–8月 row is not classed.
"""

from __future__ import annotations

import json

import pytest

from geo.cli import cli
from tests.analysis.test_checks import FLAWED_PARCELS, flawed_park

ECONOMY_CSV = """id,企业名称,year,months,project,parcel,tax_wan,output_wan
E1,秦川粮油,2023,12,XM14,,150,3000
E2,秦川包装,2023,,,P15,75,1500
E3,秦川粮油,2024,8,XM14,,60,2100
"""


@pytest.fixture
def park(tmp_path, runner):
    folder = flawed_park(tmp_path / "park")
    (folder / "layers" / "economy.csv").write_text(ECONOMY_CSV, encoding="utf-8")
    with open(folder / "park.toml", "a", encoding="utf-8") as f:
        f.write('\n[layers.economy]\nkind = "economy"\nsource = "layers/economy.csv"\n')
        f.write('[layers.economy.fields]\n"企业名称" = "enterprise"\n')
    result = runner.invoke(cli, ["import", "-p", str(folder)])
    assert result.exit_code == 0, result.output
    return folder


def test_json_by_hand(park, runner):
    result = runner.invoke(cli, ["intensity", "-p", str(park), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2024-09-30" and data["economy_year"] == 2023
    assert [p["id"] for p in data["parcels"]] == ["P15"]  # the only industrial parcel
    p15 = data["parcels"][0]
    assert p15["status"] == "checked" and p15["industry_code"] == "13"
    assert p15["far"] == pytest.approx(0.32) and p15["far_ok"] is False
    assert p15["far_source"] == "gb2008"
    assert p15["investment_wan_per_mu"] == pytest.approx(200.0)
    assert p15["tax_wan_per_mu"] == pytest.approx(15.0)
    assert p15["output_wan_per_mu"] == pytest.approx(300.0)
    assert p15["mujun_score"] == pytest.approx(100.0) and p15["mujun_class"] == "A"


def test_table_and_as_of(park, runner):
    result = runner.invoke(cli, ["intensity", "-p", str(park)])
    assert result.exit_code == 0, result.output
    assert "P15" in result.output and "A 优先发展" in result.output
    assert "0.32 ✗1" in result.output and "亩均效益 2023 年度" in result.output
    assert "✗ P15 容积率 Floor area ratio: 0.32 < 1" in result.output
    assert (
        "✗ P15 投资强度 Investment intensity: 200.00 < 300 万元/亩 — 标准地出让合同"
        in result.output
    )
    # before 2023 ended there is no whole year, and P15 was still under construction
    early = runner.invoke(cli, ["intensity", "-p", str(park), "--json", "--as-of", "2023-03-01"])
    p15 = json.loads(early.stdout)["parcels"][0]
    assert p15["status"] == "provisional" and p15["mujun_class"] is None
    assert json.loads(early.stdout)["economy_year"] is None
    every = runner.invoke(cli, ["intensity", "-p", str(park), "--json", "--all"])
    assert len(json.loads(every.stdout)["parcels"]) == len(FLAWED_PARCELS)


def test_park_level(park, runner):
    """Zones 1500 m × 500 m = 75 公顷; ten parcels of 1 公顷 allocated by 2024-09-30 (see
    test_checks' allocation summary), so 已供应 10 公顷; seven of them completed (P01, P02,
    P07, P09, P10, P11, P15; all 0601) → 已建成 = 工业 7 公顷, P15's 225 万元 over them."""
    result = runner.invoke(cli, ["intensity", "-p", str(park), "--park", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["developable_m2"] == pytest.approx(750000.0)
    assert data["supplied_m2"] == pytest.approx(100000.0, abs=1e-3)
    assert data["industrial_tax_wan_per_ha"] == pytest.approx(
        225.0 / data["industrial_built_m2"] * 1e4
    )
    table = runner.invoke(cli, ["intensity", "-p", str(park), "--park"])
    assert "土地开发率" in table.output and "75.00 公顷" in table.output


def test_low_use_listed_with_its_exemption(park, runner):
    """P15: 容积率 0.32 < 1.0 and < 0.6 (60 % of 1.0); completed 2023-05-01, so exempt on
    2024-09-30 (under 3 years) and flagged on 2026-05-01. Tax 15 万元/亩 in 2023 has no
    2022 industry average to compare with: no tax flag."""
    result = runner.invoke(cli, ["intensity", "-p", str(park)])
    assert "低效用地 P15 容积率低于绝对下限 FAR below the absolute floor: 0.32 < 1.00" in (
        result.output
    )
    assert "豁免 exempt: 投产未满3年" in result.output
    data = json.loads(runner.invoke(cli, ["intensity", "-p", str(park), "--json"]).stdout)
    p15 = data["parcels"][0]
    assert p15["low_use"] is False and p15["low_use_exempt"] == "new_production"
    later = runner.invoke(cli, ["intensity", "-p", str(park), "--json", "--as-of", "2026-05-01"])
    p15 = json.loads(later.stdout)["parcels"][0]
    assert p15["low_use"] is True and p15["low_use_exempt"] is None
    assert p15["low_use_flags"] == [
        {
            "rule": "far_absolute",
            "value": pytest.approx(0.32),
            "threshold": 1.0,
            "source": "practice",
        },
        {"rule": "far_share", "value": pytest.approx(0.32), "threshold": 0.6, "source": "practice"},
    ]
