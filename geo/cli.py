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

from geo import settings
from geo.errors import ManifestError, ParkGeoError

__all__ = ["cli", "main"]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class ParkGroup(click.Group):
    """Turns parkgeo errors into a message and exit code 2 instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ParkGeoError as exc:
            err_console.print(f"[bold red]错误 error:[/] {exc}", markup=True, soft_wrap=True)
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
    from geo.manifest import load_manifest
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
    from geo.importer import import_project

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


def _as_of_option(func):
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Date of the state (default: park.toml's as_of).",
    )(func)


def _status_tables(data: dict, lang: str = "zh") -> list[Table]:
    from geo.tables import kind, stages_for_kind

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
def status(project: Path, as_of, as_json: bool):
    """The park on a date: per layer count, area (m², 亩) or floor area per stage.

    Also the change since the end of the previous year.

    \b
    Example:
      parkgeo status --as-of 2023-12-31
      parkgeo status --json > status.json
    """
    manifest, store = _open(project)
    date = as_of.date() if as_of else manifest.as_of
    data = _status(manifest, store, date)
    if as_json:
        _print_json(data)
        return
    _print_status(data)


def _status(manifest, store, date):
    from geo.progress import status as compute_status

    return compute_status(store, as_of=date, crs=manifest.crs)


def _print_status(data: dict) -> None:
    for table in _status_tables(data):
        console.print(table)
    for kind_name, layer in data["layers"].items():
        for orphan in layer["orphans"]:
            err_console.print(
                f"warning: progress record for unknown {kind_name} {orphan['feature_id']!r} "
                f"({orphan['source_file']} row {orphan['source_row']})"
            )


def _layers_table(summaries, lang: str = "zh") -> Table:
    from geo.tables import kinds

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
    from geo.inventory import layer_summaries

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
    from geo.inventory import layer_summaries

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
    from geo.manifest import load_manifest
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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``parkgeo`` command."""
    try:
        cli.main(args=argv, prog_name="parkgeo", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
