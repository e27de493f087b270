"""The `check` command: land-bureau checks and the allocation summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from geo.cli.common import (
    column_table,
    console,
    err_console,
    fmt,
    open_project,
    print_json,
    state_options,
)


def run_checks(manifest, store, date):
    """check_project with a progress bar on stderr naming the rule that runs (a city's
    10⁵ parcels take a minute)."""
    from rich.progress import BarColumn, Progress, TextColumn

    from geo.analysis.checks import check_project

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("check", total=None)

        def on_rule(rule_id, done, total):
            bar.update(task, description=f"check: {rule_id}", completed=done, total=total)

        return check_project(store, manifest, as_of=date, on_rule=on_rule)


def _check_write_csv(result, path: Path) -> Path:
    from geo.analysis.checks import findings_table
    from geo.io.cells import write_csv

    # UTF-8 with BOM so that Excel shows the Chinese text; formula-like text neutralised
    return write_csv(path, findings_table(result))


def write_check_xlsx(result, path: Path, *, store, manifest, lang: str = "zh") -> Path:
    from geo.render.workbook import write_checks_workbook

    return write_checks_workbook(result, path, store=store, manifest=manifest, lang=lang)


def _check_cell(value, unit: str) -> str:
    from geo.domain.quantities import unit_code

    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        try:
            return fmt(value, unit_code(unit))
        except KeyError:  # a unit of a check (years, %) that is not a quantity's unit
            return f"{value:,.2f}"
    return str(value)


def print_check(result) -> None:
    from rich import box

    from geo.analysis.checks import summary_frames

    if result.findings:
        table = column_table(
            f"检查发现 findings — as of {result.as_of}",
            (
                ("#", "right"),
                ("级别 severity", "left"),
                ("规则 rule", "left"),
                ("编号 ids", "left"),
                ("量测 value", "right"),
                ("阈值 threshold", "right"),
                ("单位 unit", "left"),
            ),
        )
        for i, f in enumerate(result.findings, 1):
            colour = "red" if f.severity == "error" else "yellow"
            table.add_row(
                str(i),
                Text(f.severity, style=colour),
                f.rule,
                "; ".join(f.ids),
                _check_cell(f.value, f.unit),
                _check_cell(f.threshold, f.unit),
                f.unit,
            )
        console.print(table)
        for i, f in enumerate(result.findings, 1):
            console.print(f"{i}. {f.message_zh}\n   {f.message_en}", soft_wrap=True)
    else:
        console.print(f"检查无发现 no findings — as of {result.as_of}")
    summary = result.summary
    total = summary["allocated"]
    console.print(
        f"\n已供地 allocated: {total['count']} 宗 parcels, {fmt(total['area_mu'], 'mu')} 亩, "
        f"{fmt(total['area_ha'], 'ha')} 公顷 ha — as of {summary['as_of']}"
    )
    for name, frame in summary_frames(summary).items():
        table = Table(title=f"供地汇总 allocation {name}", box=box.SIMPLE_HEAD, pad_edge=False)
        for col in frame.columns:
            numeric = frame[col].dtype.kind in "fi"
            table.add_column(str(col), justify="right" if numeric else "left")
        for row in frame.itertuples(index=False):
            table.add_row(*(_check_cell(v, 1) for v in row))
        console.print(table)
    counts = result.counts()
    console.print(f"{counts['error']} error(s) 错误, {counts['warning']} warning(s) 警告")


@click.command()
@state_options
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the findings to this CSV file (UTF-8 with BOM, for Excel).",
)
@click.option(
    "--xlsx",
    "xlsx_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Write the findings, the allocation summary and the parcel ledger (宗地台账) to this "
    "Excel file, as a report (headers in --lang).",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default="zh",
    show_default=True,
    help="Language of the --xlsx headers and texts.",
)
def check(
    project: Path,
    as_of,
    as_json: bool,
    csv_path: Path | None,
    xlsx_path: Path | None,
    lang: str,
):
    """Land-bureau checks: overlaps, gaps, idle land, land use, areas, projects, quotas.

    Lists each finding (rule, severity, feature ids, measured value and threshold, message
    in Chinese and English), then the allocation summary (亩, 公顷 by zone, year, land use
    and industry). Maps, snapshots and the briefing compute the same findings for their
    own date.
    Thresholds: park.toml [checks]. Exits 1 when any finding is an error.

    \b
    Example:
      parkgeo check
      parkgeo check --as-of 2023-12-31 --xlsx maps/checks.xlsx
      parkgeo check --json > checks.json
    """
    if sum(bool(x) for x in (as_json, csv_path, xlsx_path)) > 1:
        raise click.UsageError("choose one of --json, --csv FILE and --xlsx FILE")
    manifest, store = open_project(project)
    date = as_of.date() if as_of else manifest.as_of
    result = run_checks(manifest, store, date)
    counts = result.counts()
    if as_json:
        print_json(result.as_dict())
    elif csv_path or xlsx_path:
        path = _check_write_csv(result, csv_path) if csv_path else None
        path = path or write_check_xlsx(
            result, xlsx_path, store=store, manifest=manifest, lang=lang
        )
        console.print(
            f"{len(result.findings)} finding(s) written to {path}: {counts['error']} error(s), "
            f"{counts['warning']} warning(s)"
        )
    else:
        print_check(result)
    sys.exit(1 if counts["error"] else 0)
