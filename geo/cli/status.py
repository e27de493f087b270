"""The `status` command: the park on a date, and its goals against what was achieved."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from geo.cli.common import (
    column_table,
    console,
    err_console,
    open_project,
    print_json,
    state_options,
)


def _status_tables(data: dict, lang: str = "zh") -> list[Table]:
    from geo.domain.quantities import format_number as number
    from geo.domain.tables import kind, stages_for_kind

    def signed(value: float, unit: str) -> str:
        text = number(abs(value), unit)
        return text if text.strip("0.,") == "" else ("+" if value > 0 else "-") + text

    tables = []
    for kind_name, layer in data["layers"].items():
        k = kind(kind_name)
        buildings = k.field("floor_area_m2") is not None  # measured by floor area
        table = Table(
            title=f"{k.label(lang)} {kind_name}: {layer['features']} — as of {data['as_of']} "
            f"(Δ = change since {data['since']})"
        )
        table.add_column("stage 阶段")
        table.add_column("count", justify="right")
        table.add_column("Δ", justify="right")
        if buildings:
            table.add_column("floor area m²", justify="right")
            table.add_column("Δ m²", justify="right")
        else:
            table.add_column("area m²", justify="right")
            table.add_column("亩", justify="right")
            table.add_column("Δ 亩", justify="right")
        for stage in stages_for_kind(kind_name):
            row, delta = layer["by_stage"][stage.code], layer["changes"][stage.code]
            cells = [
                f"{stage.label(lang)} ({stage.code})",
                str(row["count"]),
                f"{delta['count']:+d}",
            ]
            if buildings:
                cells += [number(row["floor_area_m2"], "m2"), signed(delta["floor_area_m2"], "m2")]
            else:
                cells += [
                    number(row["area_m2"], "m2"),
                    number(row["area_mu"], "mu"),
                    signed(delta["area_mu"], "mu"),
                ]
            table.add_row(*cells)
        tables.append(table)
    return tables


@click.command()
@state_options
@click.option(
    "--chart",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the developed-area goals chart to this PNG (for Word briefings).",
)
def status(project: Path, as_of, as_json: bool, chart: Path | None):
    """The park on a date: per layer count, area (m², 亩) or floor area per stage.

    Also the change since the end of the previous year, and each goal of the goals table
    against what was achieved (target, achieved, % of target, projection to the period end).

    \b
    Example:
      parkgeo status --as-of 2023-12-31
      parkgeo status --json > status.json
      parkgeo status --chart maps/goals.png
    """
    manifest, store = open_project(project)
    date = as_of.date() if as_of else manifest.as_of
    data = status_data(manifest, store, date)
    if chart:
        err_console.print(f"goals chart: {write_status_chart(manifest, store, date, chart)}")
    if as_json:
        print_json(data)
        return
    print_status(data)


def status_data(manifest, store, date):
    from geo.analysis.goals import goals_json
    from geo.analysis.progress import status as compute_status

    data = compute_status(store, as_of=date, crs=manifest.crs)
    data["goals"] = goals_json(_measure_goals(manifest, store, date))
    return data


def print_status(data: dict) -> None:
    for table in _status_tables(data):
        console.print(table)
    for kind_name, layer in data["layers"].items():
        for orphan in layer["orphans"]:
            err_console.print(
                f"warning: progress record for unknown {kind_name} {orphan['feature_id']!r} "
                f"({orphan['source_file']} row {orphan['source_row']})"
            )
    if data.get("goals"):
        _print_goals(data)


def _measure_goals(manifest, store, date, *, report: bool = True):
    """Goals measured on *date*; their warnings printed to stderr when *report*."""
    import warnings

    from geo.analysis.goals import GoalWarning, measure_goals

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalWarning)
        results = measure_goals(store, as_of=date, crs=manifest.crs)
    for result in results if report else ():
        for message in result.warnings:
            err_console.print(f"warning: {message}", soft_wrap=True)
    return results


def _goals_table(goals: list[dict], as_of: str) -> Table:
    from geo.domain.quantities import goal_texts

    table = column_table(
        f"目标完成情况 goals vs actual — as of {as_of}",
        (
            ("goal 指标", "left"),
            ("period 期间", "left"),
            ("target 目标", "right"),
            ("achieved 完成", "right"),
            ("% 完成率", "right"),
            ("remaining 剩余", "right"),
            ("状态 status (→ projection 预计)", "left"),
        ),
    )
    for goal in goals:
        zh, en = goal_texts(goal, "zh"), goal_texts(goal, "en")
        status = f"{zh.status}\n{en.status}"
        if zh.projection:
            status = f"{status} (→ {zh.projection})"
        table.add_row(
            f"{goal['id']} {zh.metric}",
            zh.period,
            zh.target,
            zh.achieved,
            zh.percent,
            zh.remaining,
            status,
        )
    return table


def _print_goals(data: dict) -> None:
    console.print(_goals_table(data["goals"], data["as_of"]))


def write_status_chart(manifest, store, date, path: Path) -> Path:
    """Write the developed-area goals chart (PNG) for *date* to *path*."""
    from geo.render.chart import goals_chart

    results = _measure_goals(manifest, store, date, report=False)
    return goals_chart(results, path, as_of=date)
