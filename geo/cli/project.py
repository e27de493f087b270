"""Commands that create a project, import its sources and list its layers."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from geo import settings
from geo.cli.common import (
    console,
    err_console,
    fmt,
    open_project,
    print_json,
    project_option,
)
from geo.errors import ManifestError


@click.command()
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


def run_import(manifest, store, *, repair: bool, skip_bad: bool = False, quiet: bool = False):
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


@click.command("import")
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
    manifest, store = open_project(project)
    report = run_import(manifest, store, repair=repair, skip_bad=skip_bad, quiet=as_json)
    code = 1 if report.rejected else 0
    if as_json:
        print_json(
            {
                "store": str(store),
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
    table = Table(title=f"imported into {store}")
    table.add_column("layer")
    table.add_column("features / rows", justify="right")
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    sys.exit(code)


def layers_table(summaries, lang: str = "zh") -> Table:
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
            fmt(s.area.m2 if s.area else None, 1),
            fmt(s.area.ha if s.area else None, 2),
            fmt(s.area.mu if s.area else None, 2),
            fmt(s.length_m, 1),
        )
    return table


@click.command()
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def layers(project: Path, as_json: bool):
    """List the stored layers: kind, features, CRS, extent, total area (m², 公顷, 亩).

    \b
    Example:
      parkgeo layers --json
    """
    from geo.analysis.inventory import layer_summaries

    manifest, store = open_project(project)
    summaries = layer_summaries(store, crs=manifest.crs)
    if as_json:
        print_json({"crs": manifest.crs, "layers": [s.as_dict() for s in summaries]})
    else:
        console.print(layers_table(summaries))
