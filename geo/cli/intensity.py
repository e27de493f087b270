"""The `intensity` command: control indicators and 亩均效益 class of every industrial parcel."""

from __future__ import annotations

import click
from rich.control import strip_control_codes
from rich.table import Table
from rich.text import Text

from geo.cli.common import as_of_option, console, open_project, print_json, project_option

#: (column, header, decimals) of the indicators table and of the 亩均效益 table
_INDICATORS = (
    ("far", "容积率\nFAR", 2),
    ("coverage_pct", "建筑系数%\ncoverage", 1),
    ("admin_share_pct", "行政办公%\noffice", 1),
    ("green_ratio_pct", "绿地率%\ngreen", 1),
    ("investment_wan_per_mu", "投资强度\n万元/亩", 1),
)
_MUJUN = (
    ("area_mu", "面积(亩)\nmu", 2),
    ("tax_wan_per_mu", "亩均税收\n万元/亩", 2),
    ("output_wan_per_mu", "亩均产值\n万元/亩", 1),
    ("mujun_score", "得分\nscore", 1),
)
_CHECKED = {
    "far": "far",
    "coverage_pct": "coverage",
    "admin_share_pct": "admin_share",
    "green_ratio_pct": "green_ratio",
    "investment_wan_per_mu": "investment",
    "tax_wan_per_mu": "tax",
}


def _plain(value) -> str:
    return strip_control_codes("" if value is None else str(value))


def _cell(row: dict, column: str, decimals: int) -> Text:
    value = row.get(column)
    if value is None or value != value:
        return Text("—", style="dim")
    text = f"{value:,.{decimals}f}"
    key = _CHECKED.get(column)
    ok = row.get(f"{key}_ok") if key else None
    if ok is False:
        limit = row[f"{key}_threshold"]
        return Text(f"{text} ✗{limit:g}", style="red" if row["status"] == "checked" else "yellow")
    return Text(text)


def intensity_json(table, *, as_of, year) -> dict:
    """The JSON shape of ``parkgeo intensity --json``."""
    rows = []
    for row in table.to_dict("records"):
        row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        row["low_use_flags"] = [f.as_dict() for f in row.get("low_use_flags") or ()]
        rows.append(row)
    return {"as_of": as_of.isoformat(), "economy_year": year, "parcels": rows}


@click.command()
@project_option
@as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--all", "show_all", is_flag=True, help="List every parcel, not only industrial ones."
)
@click.option(
    "--park",
    "park_level",
    is_flag=True,
    help="The park's 开发区土地集约利用 indicators instead of the parcels.",
)
def intensity(project, as_of, as_json: bool, show_all: bool, park_level: bool):
    """Land-use intensity per parcel: control indicators and 亩均效益 class.

    For every industrial parcel (one with an industry code or a contract value): 容积率,
    建筑系数, 行政办公 share, 绿地率, 投资强度, 亩均税收 and 亩均产值 against their thresholds
    (the parcel's 标准地 contract, park.toml [intensity], the 2008 national table), and
    the A–D class of the latest whole year of the economy table (scheme: park.toml
    [mujun]). A value missing its threshold is marked ✗ with the threshold: red for a
    completed parcel (a finding of `parkgeo check`), yellow while it is under
    construction (provisional). "—" is no data.

    \b
    With --park: the park's 土地开发率, 土地供应率, 土地建成率, 工业用地率, 综合容积率,
    工业用地综合容积率, 工业用地地均税收 and 供而未用 land.

    \b
    Example:
      parkgeo intensity
      parkgeo intensity --as-of 2024-12-31 --json > intensity.json
      parkgeo intensity --park --as-of 2023-12-31
    """
    from geo.analysis.intensity import project_intensity
    from geo.domain.intensity import mujun_class_label

    manifest, store = open_project(project)
    date = as_of.date() if as_of else manifest.as_of
    if park_level:
        _print_park(store, manifest, date, as_json)
        return
    table, year = project_intensity(store, manifest, as_of=date)
    if len(table) and not show_all:
        table = table[table["industrial"]]
    if as_json:
        print_json(intensity_json(table, as_of=date, year=year))
        return
    title = f"控制指标 control indicators — as of {date}"
    out = Table(title=title)
    for header in ("地块\nparcel", "行业\nindustry", "状态\nstatus"):
        out.add_column(header)
    for _, header, _ in _INDICATORS:
        out.add_column(header, justify="right")
    status = {"checked": "已竣工", "provisional": "在建(暂估)", "": ""}
    rows = table.to_dict("records")
    for row in rows:
        out.add_row(
            _plain(row["id"]),
            _plain(row["industry_code"] or "—"),
            status[row["status"]],
            *(_cell(row, col, dec) for col, _, dec in _INDICATORS),
        )
    console.print(out)
    title = f"亩均效益 {year} 年度 by mu" if year else "亩均效益: 无整年经济数据 no whole year"
    out = Table(title=title)
    out.add_column("地块\nparcel")
    for _, header, _ in _MUJUN:
        out.add_column(header, justify="right")
    out.add_column("等级\nclass")
    for row in rows:
        code = row.get("mujun_class")
        out.add_row(
            _plain(row["id"]),
            *(_cell(row, col, dec) for col, _, dec in _MUJUN),
            mujun_class_label(code) if isinstance(code, str) else "—",
        )
    console.print(out)
    if not rows:
        console.print("无工业地块 no industrial parcels (give parcels an industry_code)")
    for line in _failures(rows) + _low_use(rows):
        console.print(line, soft_wrap=True)


def _failures(rows: list[dict]) -> list[str]:
    """One line per indicator missing its threshold: value, threshold and its source."""
    from geo.analysis.intensity import VALUE_COLUMNS
    from geo.domain.intensity import INDICATORS, indicator, source

    lines = []
    for row in rows:
        for key in INDICATORS:
            if row.get(f"{key}_ok") is not False:
                continue
            spec = indicator(key)
            sign = "<" if spec.bound == "min" else ">"
            origin = source(row[f"{key}_source"])
            lines.append(
                f"✗ {_plain(row['id'])} {spec.zh} {spec.en}: {row[VALUE_COLUMNS[key]]:,.2f} {sign} "
                f"{row[f'{key}_threshold']:g}{spec.unit} — {origin.label('zh')}"
            )
    return lines


def _low_use(rows: list[dict]) -> list[str]:
    """One line per 低效用地 flag of a completed parcel: rule, value, threshold, source; an
    exempt parcel's flags are listed with its exemption."""
    from geo.domain.intensity import low_use_exemptions, low_use_rules, source

    rules = {r.key: r for r in low_use_rules()}
    exemptions = {e.key: e for e in low_use_exemptions()}
    lines = []
    for row in rows:
        exempt = exemptions.get(row.get("low_use_exempt") or "")
        for flag in row.get("low_use_flags") or ():
            spec = rules[flag.rule]
            tail = f" — 豁免 exempt: {exempt.zh} {exempt.en}" if exempt else ""
            lines.append(
                f"低效用地 {_plain(row['id'])} {spec.zh} {spec.en}: {flag.value:,.2f} < "
                f"{flag.threshold:,.2f} — {source(flag.source).label('zh')}{tail}"
            )
    return lines


#: (key, label, unit) of the park's indicators, in report order
_PARK_ROWS = (
    ("developable_m2", "可开发面积 developable land", "ha"),
    ("developed_m2", "已开发面积 developed (reserved on)", "ha"),
    ("supplied_m2", "已供应面积 supplied", "ha"),
    ("built_m2", "已建成面积 built", "ha"),
    ("supplied_unused_m2", "供而未用 supplied, not started", "ha"),
    ("development_rate_pct", "土地开发率 development rate", "%"),
    ("supply_rate_pct", "土地供应率 supply rate", "%"),
    ("built_rate_pct", "土地建成率 built rate", "%"),
    ("industrial_land_pct", "工业用地率 industrial land share", "%"),
    ("far", "综合容积率 overall FAR", ""),
    ("industrial_far", "工业用地综合容积率 industrial FAR", ""),
    ("industrial_tax_wan_per_ha", "工业用地地均税收 tax per ha (万元/公顷)", ""),
)


def _print_park(store, manifest, date, as_json: bool) -> None:
    from geo.analysis.intensity import project_park

    data = project_park(store, manifest, as_of=date)
    if as_json:
        print_json(data)
        return
    out = Table(title=f"开发区土地集约利用 park land-use intensity — as of {date}")
    out.add_column("指标 indicator")
    out.add_column("数值 value", justify="right")
    for key, label, unit in _PARK_ROWS:
        value = data.get(key)
        if value is None:
            text = "—"
        elif unit == "ha":
            text = f"{value / 1e4:,.2f} 公顷 ({value / 1e4 * 15:,.1f} 亩)"
        else:
            text = f"{value:,.2f}{unit}"
        out.add_row(label, text)
    console.print(out)
    if data.get("far_unknown_parcels"):
        console.print(
            f"{data['far_unknown_parcels']} 宗已建成地块无建筑面积，未计入容积率 "
            "built parcel(s) without a floor area are left out of the FAR"
        )
