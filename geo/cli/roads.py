"""The `roads` command: road progress by chainage (geo.analysis.roads)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table

from geo.cli.common import (
    console,
    fmt,
    open_project,
    print_json,
    state_options,
)


def _stretch_text(stretch: dict, lang: str) -> str:
    stage = stretch["stage_zh"] if lang == "zh" else stretch["stage_en"]
    return f"{stretch['from']}–{stretch['to']} {stage}"


def _roads_tables(result, lang: str = "zh") -> list[Table]:
    tables = []
    for road in result.roads:
        length = f"{road.chainage_length:,.1f} m"
        if abs(road.length_m - road.chainage_length) >= 0.05:
            length += f" (drawn 图上 {road.length_m:,.1f} m)"
        table = Table(
            title=f"{road.name} {road.id}  {road.start_label}–{road.end_label}  {length} "
            f"— as of {result.as_of.isoformat()}",
            caption=("标段 contract sections: " + ", ".join(road.contract_sections))
            if road.contract_sections
            else None,
        )
        table.add_column("item 分项")
        table.add_column("done m 完成", justify="right")
        table.add_column("%", justify="right")
        table.add_column("stretches by chainage 分段（桩号）")
        for item in road.items:
            own = [s for s in road.stretches if s["item"] == item.code]
            table.add_row(
                f"{item.label(lang)} ({item.code})",
                fmt(item.done_m, "m"),
                fmt(item.percent, "percent"),
                "\n".join(_stretch_text(s, lang) for s in own) or "—",
            )
        tables.append(table)
    return tables


def print_roads(result) -> None:
    if not result.roads:
        console.print("no roads layer in the store; nothing to show")
    for table in _roads_tables(result):
        console.print(table)
    if result.findings:
        console.print(f"findings 问题: {len(result.findings)}")
    for finding in result.findings:
        colour = "red" if finding["severity"] == "error" else "yellow"
        console.print(finding["severity"], style=colour, end=" ")
        console.print(
            f"{finding['rule']} {finding['road']}: {finding['message_zh']}\n"
            f"    {finding['message_en']}",
            soft_wrap=True,
        )


@click.command()
@state_options
@click.option("--road", default=None, help="Only this road (id or name), e.g. R02 or 二号路.")
def roads(project: Path, as_of, road: str | None, as_json: bool):
    """Road progress by chainage (桩号): done length and % per work item, and findings.

    Exits 1 when a finding is an error (conflicting records, gaps in an item reported
    complete, an item ahead of the one it needs), 2 for an unknown --road.

    \b
    Example:
      parkgeo roads --as-of 2024-06-30
      parkgeo roads --road 二号路 --json
    """
    from geo.analysis.roads import roads_json, roads_status

    manifest, store = open_project(project)
    date = as_of.date() if as_of else manifest.as_of
    result = roads_status(store, manifest, as_of=date, road=road)
    if as_json:
        print_json(roads_json(result))
    else:
        print_roads(result)
    sys.exit(1 if result.has_errors else 0)
