"""The ``parkgeo`` command: a thin layer that parses options, calls the engine and prints.

Exit codes: 0 ok, 1 findings that need attention, 2 bad usage or unusable input.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from geo import settings
from geo.errors import ManifestError, ParkGeoError

__all__ = ["cli", "main"]

# markup off: messages and table cells carry data text, in which "[...]" is not markup
console = Console(highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)


class ParkGroup(click.Group):
    """Turns parkgeo errors into a message and exit code 2 instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ParkGeoError as exc:
            err_console.print("错误 error:", style="bold red", end=" ")
            err_console.print(str(exc), soft_wrap=True)
            ctx.exit(2)


def project_option(func):
    @click.option(
        "-p",
        "--project",
        type=click.Path(path_type=Path),
        default=Path("."),
        show_default=True,
        help="Park project folder (holding park.toml).",
    )
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def _open(project: Path):
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    manifest = load_manifest(project)
    return manifest, open_store(manifest)


def _print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _fmt(value: float | None, digits: int = 2) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@click.group(cls=ParkGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parkgeo")
def cli():
    """parkgeo: land and construction tracker for industrial parks.

    \b
    Example:
      parkgeo demo            # build the demo park and every output
      parkgeo -h              # this help; each command has its own --help
    """


@cli.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Park name (default: the folder name).")
def init(directory: Path, name: str | None):
    """Create an empty park project in DIRECTORY with a commented park.toml.

    \b
    Example:
      parkgeo init my-park --name 某某县工业园区
    """
    from importlib import resources

    manifest = directory / settings.MANIFEST_NAME
    if manifest.exists():
        raise ManifestError(
            f"{manifest} already exists; not overwriting it. Choose another folder."
        )
    (directory / "layers").mkdir(parents=True, exist_ok=True)
    (directory / settings.MAPS_DIR).mkdir(exist_ok=True)
    template = resources.files("geo.templates").joinpath("park.toml").read_text(encoding="utf-8")
    text = template.replace("{name}", name or directory.resolve().name)
    text = text.replace("{as_of}", dt.date.today().isoformat())
    manifest.write_text(text, encoding="utf-8")
    console.print(
        f"created {manifest}; put source layers in {directory / 'layers'} and list them "
        "in park.toml, then run `parkgeo import`."
    )


def _run_import(manifest, store, *, repair: bool, skip_bad: bool = False, quiet: bool = False):
    from geo.ingest.importer import import_project

    steps = len(manifest.layers) + bool(manifest.progress) + bool(manifest.goals)
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        console=err_console,
        transient=True,
        disable=quiet or not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("importing", total=steps)

        def on_step(name):
            bar.update(task, description=f"importing {name}", advance=1)

        return import_project(manifest, store, repair=repair, skip_bad=skip_bad, on_step=on_step)


@cli.command("import")
@project_option
@click.option("--repair", is_flag=True, help="Repair invalid geometries (each repair is reported).")
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import good progress rows; write bad ones to NAME.rejects.csv (exit 1).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_(project: Path, repair: bool, skip_bad: bool, as_json: bool):
    """Read every source in park.toml, validate it and write the store.

    Layers and goals are replaced; progress records are appended to the stored history
    (importing the same file twice adds nothing). A refused import leaves the store exactly
    as it was.

    \b
    Example:
      parkgeo import -p my-park --repair
      parkgeo import --skip-bad     # bad progress rows go to layers/NAME.rejects.csv
    """
    manifest, store = _open(project)
    report = _run_import(manifest, store, repair=repair, skip_bad=skip_bad, quiet=as_json)
    code = 1 if report.rejected else 0
    if as_json:
        _print_json(
            {
                "store": str(store.path),
                "counts": report.counts,
                "notes": report.notes,
                "repairs": report.repairs,
                "progress_added": report.added,
                "progress_already_stored": report.duplicates,
                "rejected": [
                    {"file": b.file, "row": b.row, "reason": b.reason} for b in report.rejected
                ],
                "rejects_files": [str(p) for p in report.rejects_files],
            }
        )
        sys.exit(code)
    for note in report.notes:
        console.print(f"note: {note}", soft_wrap=True)
    if manifest.progress:
        console.print(f"progress: {report.added} new record(s), {report.duplicates} already stored")
    for bad in report.rejected:
        err_console.print(f"rejected: {bad}", soft_wrap=True)
    for path in report.rejects_files:
        err_console.print(f"bad rows written to {path}")
    table = Table(title=f"imported into {store.path}")
    table.add_column("layer")
    table.add_column("features / rows", justify="right")
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    sys.exit(code)


def _lang_option(func):
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of labels: Chinese (default) or English.",
    )(func)


def _renderer_options(func):
    func = click.option(
        "--renderer",
        type=click.Choice(["auto", "browser", "static"]),
        default="auto",
        show_default=True,
        help="Snapshot renderer: auto is the browser when one is found, else matplotlib.",
    )(func)
    return click.option(
        "--browser", default=None, help="Chromium/Chrome/Edge executable for snapshots."
    )(func)


def _as_of_option(func):
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Date of the state (default: park.toml's as_of).",
    )(func)


def _status_tables(data: dict, lang: str = "zh") -> list[Table]:
    from geo.domain.tables import kind, stages_for_kind

    tables = []
    for kind_name, layer in data["layers"].items():
        k = kind(kind_name)
        buildings = k.stages == "building"
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
                cells += [_fmt(row["floor_area_m2"], 0), f"{delta['floor_area_m2']:+,.0f}"]
            else:
                cells += [
                    _fmt(row["area_m2"], 0),
                    _fmt(row["area_mu"], 1),
                    f"{delta['area_mu']:+,.1f}",
                ]
            table.add_row(*cells)
        tables.append(table)
    return tables


@cli.command()
@project_option
@_as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
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
    manifest, store = _open(project)
    date = as_of.date() if as_of else manifest.as_of
    data = _status(manifest, store, date)
    if chart:
        err_console.print(f"goals chart: {_status_chart(manifest, store, date, chart)}")
    if as_json:
        _print_json(data)
        return
    _print_status(data)


def _status(manifest, store, date):
    from geo.analysis.progress import status as compute_status

    data = compute_status(store, as_of=date, crs=manifest.crs)
    for extra in STATUS_EXTRAS:
        extra(manifest, store, date, data)
    return data


def _print_status(data: dict) -> None:
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


def _layers_table(summaries, lang: str = "zh") -> Table:
    from geo.domain.tables import kinds

    table = Table(title="图层 layers")
    for col, just in (
        ("layer", "left"),
        ("kind", "left"),
        ("features", "right"),
        ("CRS", "left"),
        ("extent (lon/lat)", "left"),
        ("area m²", "right"),
        ("公顷 ha", "right"),
        ("亩 mu", "right"),
        ("length m", "right"),
    ):
        table.add_column(col, justify=just)
    for s in summaries:
        k = kinds().get(s.kind)
        ext = (
            "" if not s.extent_lonlat else "{:.4f},{:.4f} – {:.4f},{:.4f}".format(*s.extent_lonlat)
        )
        table.add_row(
            s.name,
            f"{s.kind} {k.label(lang) if k else ''}",
            str(s.features),
            s.crs,
            ext,
            _fmt(s.area.m2 if s.area else None, 1),
            _fmt(s.area.ha if s.area else None, 2),
            _fmt(s.area.mu if s.area else None, 2),
            _fmt(s.length_m, 1),
        )
    return table


@cli.command()
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def layers(project: Path, as_json: bool):
    """List the stored layers: kind, features, CRS, extent, total area (m², 公顷, 亩).

    \b
    Example:
      parkgeo layers --json
    """
    from geo.analysis.inventory import layer_summaries

    manifest, store = _open(project)
    summaries = layer_summaries(store, crs=manifest.crs)
    if as_json:
        _print_json({"crs": manifest.crs, "layers": [s.as_dict() for s in summaries]})
    else:
        console.print(_layers_table(summaries))


#: Steps `parkgeo demo` runs after importing, in order; each takes (manifest, store).
DEMO_STEPS = []


def demo_step(func):
    """Register an output of `parkgeo demo` (commands add theirs next to themselves)."""
    DEMO_STEPS.append(func)
    return func


@demo_step
def _demo_layers(manifest, store):
    from geo.analysis.inventory import layer_summaries

    console.print(_layers_table(layer_summaries(store, crs=manifest.crs)))


@demo_step
def _demo_status(manifest, store):
    _print_status(_status(manifest, store, manifest.as_of))


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("demo-park"),
    show_default=True,
    help="Folder to write the demo project into.",
)
def demo(out: Path):
    """Write the demo park project to OUT, import it and produce every output.

    \b
    Example:
      parkgeo demo --out /tmp/demo-park
    """
    from geo.demo import write_demo_project
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    written = write_demo_project(out)
    console.print(f"demo project written to {out.resolve()} ({len(written)} files)")
    manifest = load_manifest(out)
    store = open_store(manifest)
    _run_import(manifest, store, repair=False)
    manifest.maps_dir.mkdir(exist_ok=True)
    for step in DEMO_STEPS:
        step(manifest, store)
    console.print(f"\nstore: {store.path}\noutputs: {manifest.maps_dir}")


# ---- commands of the analysis and render modules; keep each block self-contained ----


# ---- roads: progress by chainage (geo.analysis.roads) ----


def _roads_tables(result, lang: str = "zh") -> list[Table]:
    from geo.domain.tables import vocabulary

    stages = vocabulary("road")
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
        table.add_column("sections by stage 分段")
        for item in road.items:
            own = [s for s in road.sections if s["item"] == item.code]
            counts = [
                f"{stage.label(lang)} {n}"
                for stage in stages
                if (n := sum(s["stage"] == stage.code for s in own))
            ]
            table.add_row(
                f"{item.label(lang)} ({item.code})",
                _fmt(item.done_m, 1),
                _fmt(item.percent, 1),
                " · ".join(counts) or "—",
            )
        tables.append(table)
    return tables


def _print_roads(result) -> None:
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


@cli.command()
@project_option
@_as_of_option
@click.option("--road", default=None, help="Only this road (id or name), e.g. R02 or 二号路.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
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

    manifest, store = _open(project)
    date = as_of.date() if as_of else manifest.as_of
    result = roads_status(store, manifest, as_of=date, road=road)
    if as_json:
        _print_json(roads_json(result))
    else:
        _print_roads(result)
    sys.exit(1 if result.has_errors else 0)


@demo_step
def _demo_roads(manifest, store):
    from geo.analysis.roads import roads_status

    _print_roads(roads_status(store, manifest, as_of=manifest.as_of))


@cli.command("map")
@project_option
@_as_of_option
@click.option(
    "--basemap",
    type=click.Choice(["none", "osm", "tianditu", "amap", "local"]),
    default="none",
    show_default=True,
    help="Background: none works offline; amap shifts overlays to GCJ-02; local needs --tiles.",
)
@click.option(
    "--tiles",
    type=click.Path(path_type=Path),
    default=None,
    help="XYZ tile folder or .mbtiles file for --basemap local (embedded in the page).",
)
@click.option(
    "--tianditu-key",
    default=None,
    envvar="TIANDITU_KEY",
    help="Tianditu key for --basemap tianditu (or TIANDITU_KEY).",
)
@_lang_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="HTML file to write (default: maps/park.html).",
)
def map_(project: Path, as_of, basemap, tiles, tianditu_key, lang, out):
    """Write the interactive map: one self-contained HTML file that works offline.

    \b
    Example:
      parkgeo map                       # maps/park.html, no basemap, no network needed
      parkgeo map --basemap amap --lang en --out maps/park-amap.html
      parkgeo map --basemap local --tiles tiles.mbtiles
    """
    manifest, store = _open(project)
    path = _write_map(
        manifest,
        store,
        as_of=as_of.date() if as_of else manifest.as_of,
        basemap=basemap,
        tiles=tiles,
        tianditu_key=tianditu_key,
        lang=lang,
        out=out,
    )
    console.print(f"map written to {path}")


def _write_map(
    manifest, store, *, as_of, basemap="none", tiles=None, tianditu_key=None, lang="zh", out=None
) -> Path:
    from geo.render.webmap import MapOptions, build_map

    options = MapOptions(
        as_of=as_of, basemap=basemap, lang=lang, tianditu_key=tianditu_key, tiles=tiles
    )
    text = build_map(store, manifest, options)
    return _atomic_write(out or manifest.maps_dir / "park.html", text)


def _atomic_write(path: Path, data: str | bytes) -> Path:
    """Write a file through a temporary file and a rename: a failed write keeps the old one."""
    import os
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@demo_step
def _demo_map(manifest, store):
    path = _write_map(manifest, store, as_of=manifest.as_of)
    console.print(f"map: {path}")


# ---- goals against actuals (geo.analysis.goals, geo.render.chart) ----

#: Functions (manifest, store, date, data) that add keys to the data of `parkgeo status`.
STATUS_EXTRAS = []


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


def _status_goals(manifest, store, date, data: dict) -> None:
    from geo.analysis.goals import goals_json

    data["goals"] = goals_json(_measure_goals(manifest, store, date))


STATUS_EXTRAS.append(_status_goals)


def _goals_table(goals: list[dict], as_of: str) -> Table:
    from geo.analysis.goals import format_goal_number, goal_period_label
    from geo.domain.tables import label

    table = Table(title=f"目标完成情况 goals vs actual — as of {as_of}")
    for col, just in (
        ("goal 指标", "left"),
        ("period", "left"),
        ("unit", "left"),
        ("target", "right"),
        ("achieved", "right"),
        ("%", "right"),
        ("remaining", "right"),
        ("状态 status (→ projection)", "left"),
    ):
        table.add_column(col, justify=just)
    for goal in goals:
        status = f"{label('status_' + goal['status'].replace(' ', '_'), 'zh')}\n{goal['status']}"
        if goal["projection"] is not None:
            status = f"{status} (→ {format_goal_number(goal['projection'])})"
        percent = goal["percent"]
        table.add_row(
            f"{goal['id']} {goal['metric']}",
            goal_period_label(goal),
            goal["unit"],
            format_goal_number(goal["target"]),
            format_goal_number(goal["achieved"]),
            "" if percent is None else f"{percent:.1f}",
            format_goal_number(goal["remaining"]),
            status,
        )
    return table


def _print_goals(data: dict) -> None:
    console.print(_goals_table(data["goals"], data["as_of"]))


def _status_chart(manifest, store, date, path: Path) -> Path:
    """Write the developed-area goals chart (PNG) for *date* to *path*."""
    from geo.render.chart import goals_chart

    results = _measure_goals(manifest, store, date, report=False)
    return goals_chart(results, path, as_of=date)


@demo_step
def _demo_goals_chart(manifest, store):
    path = _status_chart(manifest, store, manifest.as_of, manifest.maps_dir / "goals_chart.png")
    console.print(f"goals chart: {path}")


# ---- land-bureau checks and the allocation summary (geo.analysis.checks) ----


def _check_run(manifest, store, date):
    from geo.analysis.checks import check_project

    return check_project(store, manifest, as_of=date)


def _check_write_file(path: Path, write) -> Path:
    """Call write(tmp) on a temporary file beside *path*, then rename it over *path*."""
    import os
    import tempfile

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


def _check_write_csv(result, path: Path) -> Path:
    from geo.analysis.checks import findings_table

    frame = findings_table(result)
    # UTF-8 with BOM so that Excel shows the Chinese text
    return _check_write_file(path, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))


def _check_write_xlsx(result, path: Path) -> Path:
    import pandas as pd

    from geo.analysis.checks import findings_table, summary_frames

    def write(tmp: Path) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xlsx:
            findings_table(result).to_excel(xlsx, sheet_name="findings 问题清单", index=False)
            for name, frame in summary_frames(result.summary).items():
                frame.to_excel(xlsx, sheet_name=name[:31], index=False)

    return _check_write_file(path, write)


def _check_cell(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return _fmt(value, digits)
    return str(value)


def _print_check(result) -> None:
    from rich import box

    from geo.analysis.checks import summary_frames

    if result.findings:
        table = Table(title=f"检查发现 findings — as of {result.as_of}")
        for col, just in (
            ("#", "right"),
            ("级别 severity", "left"),
            ("规则 rule", "left"),
            ("编号 ids", "left"),
            ("量测 value", "right"),
            ("阈值 threshold", "right"),
            ("单位 unit", "left"),
        ):
            table.add_column(col, justify=just)
        for i, f in enumerate(result.findings, 1):
            colour = "red" if f.severity == "error" else "yellow"
            table.add_row(
                str(i),
                Text(f.severity, style=colour),
                f.rule,
                "; ".join(f.ids),
                _check_cell(f.value),
                _check_cell(f.threshold),
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
        f"\n已供地 allocated: {total['count']} 宗 parcels, {_fmt(total['area_mu'])} 亩, "
        f"{_fmt(total['area_ha'])} 公顷 ha — as of {summary['as_of']}"
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


@cli.command()
@project_option
@_as_of_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
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
    help="Write the findings and the allocation summary to this Excel file.",
)
def check(project: Path, as_of, as_json: bool, csv_path: Path | None, xlsx_path: Path | None):
    """Land-bureau checks: overlaps, gaps, idle land, land use, areas, projects, quotas.

    Lists each finding (rule, severity, feature ids, measured value and threshold, message
    in Chinese and English), then the allocation summary (亩, 公顷 by zone, year, land use
    and industry). The findings are also written to the store as the layer `findings`.
    Thresholds: park.toml [checks]. Exits 1 when any finding is an error.

    \b
    Example:
      parkgeo check
      parkgeo check --as-of 2023-12-31 --xlsx maps/checks.xlsx
      parkgeo check --json > checks.json
    """
    if sum(bool(x) for x in (as_json, csv_path, xlsx_path)) > 1:
        raise click.UsageError("choose one of --json, --csv FILE and --xlsx FILE")
    manifest, store = _open(project)
    date = as_of.date() if as_of else manifest.as_of
    result = _check_run(manifest, store, date)
    counts = result.counts()
    if as_json:
        _print_json(result.as_dict())
    elif csv_path or xlsx_path:
        path = _check_write_csv(result, csv_path) if csv_path else None
        path = path or _check_write_xlsx(result, xlsx_path)
        console.print(
            f"{len(result.findings)} finding(s) written to {path}: {counts['error']} error(s), "
            f"{counts['warning']} warning(s)"
        )
    else:
        _print_check(result)
    sys.exit(1 if counts["error"] else 0)


@demo_step
def _demo_checks(manifest, store):
    result = _check_run(manifest, store, manifest.as_of)
    _print_check(result)
    path = _check_write_xlsx(result, manifest.maps_dir / "checks.xlsx")
    console.print(f"checks: {path}")


# ---- snapshots and the Word briefing (geo.render.snapshot, geo.render.brief) ----


def _snapshot_options(manifest, *, as_of, extent, layers, size, scale, lang, basemap, tiles):
    from geo.render.snapshot import SnapshotOptions, parse_layers, parse_size

    return SnapshotOptions(
        as_of=as_of.date() if as_of else manifest.as_of,
        extent=extent,
        layers=parse_layers(layers),
        size=parse_size(size),
        scale=scale,
        lang=lang,
        basemap=basemap,
        tiles=tiles,
    )


@cli.command()
@project_option
@_as_of_option
@click.option(
    "--extent",
    default="park",
    show_default=True,
    help="park, zone:NAME, road:NAME (id or name) or parcel:ID.",
)
@click.option(
    "--layers",
    default=None,
    help="Layers to show, comma-separated: zones,parcels,housing,factories,roads,ticks,findings.",
)
@click.option("--size", default="1600x1000", show_default=True, help="WIDTHxHEIGHT in CSS px.")
@click.option(
    "--scale", type=float, default=2.0, show_default=True, help="Image pixels per CSS px."
)
@_lang_option
@click.option(
    "--basemap",
    type=click.Choice(["none", "osm", "tianditu", "amap", "local"]),
    default="none",
    show_default=True,
    help="Background (browser renderer only); none needs no network.",
)
@click.option(
    "--tiles",
    type=click.Path(path_type=Path),
    default=None,
    help="XYZ folder or .mbtiles for --basemap local.",
)
@_renderer_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="PNG to write (default: maps/snapshot.png).",
)
def snapshot(
    project, as_of, extent, layers, size, scale, lang, basemap, tiles, browser, renderer, out
):
    """Write a PNG of the map for Word: title, date, legend, scale bar, north arrow, 审图号.

    The PNG is SIZE × SCALE pixels at 96 × SCALE dpi; the same data and options give the
    same picture. Without a browser it is drawn with matplotlib.

    \b
    Example:
      parkgeo snapshot                              # maps/snapshot.png, the whole park
      parkgeo snapshot --extent road:二号路 --out maps/road2.png
      parkgeo snapshot --extent zone:五里梁片区 --layers zones,parcels --lang en
    """
    from geo.render.snapshot import snapshot as draw

    manifest, store = _open(project)
    options = _snapshot_options(
        manifest,
        as_of=as_of,
        extent=extent,
        layers=layers,
        size=size,
        scale=scale,
        lang=lang,
        basemap=basemap,
        tiles=tiles,
    )
    shot = draw(
        store,
        manifest,
        out or manifest.maps_dir / "snapshot.png",
        options,
        renderer=renderer,
        browser=browser,
    )
    _print_snapshot(shot)


def _print_snapshot(shot) -> None:
    note = f" ({shot.note})" if shot.note else ""
    console.print(
        f"snapshot: {shot.path} — {shot.width}×{shot.height} px at {shot.dpi:g} dpi, "
        f"renderer {shot.renderer}{note}",
        soft_wrap=True,
    )


@cli.command()
@project_option
@_as_of_option
@_lang_option
@_renderer_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Word file to write (default: maps/briefing.docx).",
)
def brief(project, as_of, lang, browser, renderer, out):
    """Write the Word briefing: goals table and chart, park and road snapshots, road
    progress by work item, projects by stage and the land checks.

    \b
    Example:
      parkgeo brief                                  # maps/briefing.docx
      parkgeo brief --as-of 2023-12-31 --lang en --out maps/briefing-2023-en.docx
    """
    manifest, store = _open(project)
    result = _write_brief(
        manifest,
        store,
        out or manifest.maps_dir / "briefing.docx",
        as_of=as_of.date() if as_of else manifest.as_of,
        lang=lang,
        renderer=renderer,
        browser=browser,
    )
    _print_brief(result)


def _write_brief(manifest, store, path, **options):
    """The briefing, with a spinner naming the part being drawn (it takes seconds per map)."""
    from rich.progress import SpinnerColumn

    from geo.render.brief import write_brief

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("briefing", total=None)

        def on_step(what):
            bar.update(task, description=f"briefing: {what}")

        return write_brief(store, manifest, path, on_step=on_step, **options)


def _print_brief(result) -> None:
    note = f" ({result.note})" if result.note else ""
    console.print(
        f"briefing: {result.path} — {len(result.goals)} goal(s), roads under construction: "
        f"{', '.join(result.roads) or 'none'}, {len(result.images)} picture(s), "
        f"snapshots by renderer {result.renderer}{note}",
        soft_wrap=True,
    )


@demo_step
def _demo_snapshots(manifest, store):
    from geo.render.snapshot import SnapshotOptions, SnapshotSession

    with SnapshotSession() as session:
        _print_snapshot(
            session.render(
                store,
                manifest,
                manifest.maps_dir / "snapshot.png",
                SnapshotOptions(as_of=manifest.as_of),
            )
        )
        _print_snapshot(
            session.render(
                store,
                manifest,
                manifest.maps_dir / "snapshot_road_R02.png",
                SnapshotOptions(as_of=manifest.as_of, extent="road:二号路", size=(1600, 800)),
            )
        )


@demo_step
def _demo_brief(manifest, store):
    _print_brief(
        _write_brief(manifest, store, manifest.maps_dir / "briefing.docx", as_of=manifest.as_of)
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``parkgeo`` command."""
    try:
        cli.main(args=argv, prog_name="parkgeo", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
