"""Commands that create a project, import its sources and list its layers."""

from __future__ import annotations

import glob
import shutil
import sys
import warnings
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from geo import settings
from geo.cli.common import (
    column_table,
    console,
    err_console,
    fmt,
    open_project,
    print_json,
    project_option,
)
from geo.errors import ManifestError, RepairWarning


@click.command()
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Park name (default: the folder name).")
@click.option(
    "--from",
    "sources",
    multiple=True,
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="A source file to build park.toml from (repeat for each); copied into layers/.",
)
def init(directory: Path, name: str | None, sources: tuple[Path, ...]):
    """Create a park project in DIRECTORY with a commented park.toml.

    With --from, each file is inspected (layers, fields, encoding, CRS, geometry, extent),
    copied into DIRECTORY/layers, and park.toml is written from what was guessed: each
    layer's kind and field map from the field names Chinese land data uses, and the
    working CRS (the CGCS2000 3-degree Gauss-Krüger zone of the data's centre in China,
    the UTM zone elsewhere). What was not guessed is printed and left as comments.

    \b
    Example:
      parkgeo init my-park --name 某某县工业园区
      parkgeo init my-park --from 地块.shp --from 道路.geojson --from 项目.xlsx
    """
    from importlib import resources

    manifest = directory / settings.MANIFEST_NAME
    if manifest.exists():
        raise ManifestError(
            f"{manifest} already exists; not overwriting it. Choose another folder."
        )
    guess = None
    if sources:
        from geo.ingest.setup import guess_project

        guess = guess_project(list(sources))  # before anything is written: may refuse
    (directory / "layers").mkdir(parents=True, exist_ok=True)
    (directory / settings.MAPS_DIR).mkdir(exist_ok=True)
    park_name = name or directory.resolve().name
    if guess is None:
        template = resources.files("geo.templates").joinpath("park.toml").read_text("utf-8")
        manifest.write_text(template.replace("{name}", park_name), encoding="utf-8")
        console.print(
            f"created {manifest}; put source layers in {directory / 'layers'} and list them "
            "in park.toml, then run `parkgeo import`."
        )
        return
    from geo.ingest.setup import manifest_for, sources_frame

    copied = {path: _copy_source(path, directory / "layers") for path in sources}
    text = manifest_for(guess, name=park_name, sources=copied)
    manifest.write_text(text, encoding="utf-8")
    table = Table(title=f"{manifest}: 猜测 what was guessed")
    frame = sources_frame(guess)
    for col in frame.columns:
        table.add_column(col, overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    console.print(table)
    console.print(f"working CRS: {guess.crs} ({guess.crs_reason})", soft_wrap=True)
    console.print("check park.toml, then run `parkgeo import`.")


def _copy_source(path: Path, layers: Path) -> str:
    """Copy *path* (a Shapefile with its side files) into *layers*; its park.toml path."""
    layers.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".shp":
        parts = list(path.parent.glob(glob.escape(path.stem) + ".*"))
    else:
        parts = [path]
    for part in parts:
        target = layers / part.name
        if part.resolve() != target.resolve():
            shutil.copy2(part, target)
    return f"layers/{path.name}"


def run_import(
    manifest,
    store,
    *,
    repair: bool,
    repair_tolerance: float | None = None,
    skip_bad: bool = False,
    quiet: bool = False,
    by: str | None = None,
    dry_run: bool = False,
    on_plan=None,
):
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

        with warnings.catch_warnings():
            # repairs are in the report's notes, printed once below
            warnings.simplefilter("ignore", RepairWarning)
            return import_project(
                manifest,
                store,
                repair=repair,
                repair_tolerance_m2=repair_tolerance,
                skip_bad=skip_bad,
                on_step=on_step,
                by=by,
                dry_run=dry_run,
                on_plan=on_plan,
            )


def changes_table(report) -> Table:
    """Per progress file: records added, changed, retracted, unchanged."""
    table = Table(
        title="进度记录 progress records"
        + (" (dry run: nothing written)" if report.dry_run else "")
    )
    table.add_column("file 文件", overflow="fold", min_width=24)
    for col in ("新增 added", "更正 changed", "撤回 retracted", "未变 same"):
        table.add_column(col, justify="right")
    for plan in report.files:
        c = plan.counts()
        where = plan.file + (f" [{plan.sheet}]" if plan.sheet else "")
        table.add_row(where, *(str(c[k]) for k in ("added", "changed", "retracted", "unchanged")))
    for gone in report.vanished:
        table.add_row(f"{gone['file']} (gone; {gone['records']} kept)", "", "", "", "")
    return table


@click.command("import")
@project_option
@click.option("--repair", is_flag=True, help="Repair invalid geometries (each repair is reported).")
@click.option(
    "--repair-tolerance",
    type=click.FloatRange(min=0),
    default=None,
    metavar="M2",
    help="Accept repairs changing a feature's area by up to M2 m² "
    f"(default {settings.REPAIR_AREA_TOLERANCE_M2:g}).",
)
@click.option(
    "--skip-bad",
    is_flag=True,
    help="Import good progress rows; write bad ones to NAME.rejects.csv (exit 1).",
)
@click.option("--by", default=None, help="Who records (default: [park] operator, else OS user).")
@click.option("--dry-run", is_flag=True, help="Print what would change; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_(
    project: Path,
    repair: bool,
    repair_tolerance: float | None,
    skip_bad: bool,
    by,
    dry_run: bool,
    as_json: bool,
):
    """Read every source in park.toml, validate it and write the store.

    Layers and goals are replaced. Each progress file is the record of what it holds: new
    rows are added, changed rows supersede their records, removed rows retract theirs; no
    record is ever deleted (`parkgeo history` shows them all). Per file, the changes are
    printed before they are written. A refused import leaves the store as it was.

    \b
    Example:
      parkgeo import -p my-park --repair
      parkgeo import --repair --repair-tolerance 800   # accept repairs up to 800 m²
      parkgeo import --dry-run      # what would change, nothing written
      parkgeo import --by 张工       # who recorded the new rows
      parkgeo import --skip-bad     # bad progress rows go to layers/NAME.rejects.csv
    """
    manifest, store = open_project(project)

    def on_plan(report):
        if not as_json and report.files:
            console.print(changes_table(report))

    report = run_import(
        manifest,
        store,
        repair=repair,
        repair_tolerance=repair_tolerance,
        skip_bad=skip_bad,
        quiet=as_json,
        by=by,
        dry_run=dry_run,
        on_plan=on_plan,
    )
    code = 1 if report.rejected else 0
    if as_json:
        print_json(
            {
                "store": store.url,
                "dry_run": dry_run,
                "files": [{"file": p.file, "sheet": p.sheet, **p.counts()} for p in report.files],
                "vanished": report.vanished,
                "counts": report.counts,
                "notes": report.notes,
                "warnings": report.warnings,
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
    for warning in report.warnings:
        err_console.print(f"warning: {warning}", soft_wrap=True)
    for bad in report.rejected:
        err_console.print(f"rejected: {bad}", soft_wrap=True)
    for path in report.rejects_files:
        err_console.print(f"bad rows written to {path}")
    if dry_run:
        console.print("dry run: nothing was written")
        sys.exit(code)
    table = Table(title=f"imported into {store.url}")
    table.add_column("layer")
    table.add_column("features / rows", justify="right")
    for name, count in report.counts.items():
        table.add_row(name, str(count))
    console.print(table)
    sys.exit(code)


def layers_table(summaries, lang: str = "zh") -> Table:
    from geo.domain.tables import kinds

    table = column_table(
        "图层 layers",
        (
            ("layer", "left"),
            ("kind", "left"),
            ("features", "right"),
            ("CRS", "left"),
            ("extent (lon/lat)", "left"),
            ("area m²", "right"),
            ("公顷 ha", "right"),
            ("亩 mu", "right"),
            ("length m", "right"),
        ),
    )
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
            fmt(s.area.m2 if s.area else None, "m2"),
            fmt(s.area.ha if s.area else None, "ha"),
            fmt(s.area.mu if s.area else None, "mu"),
            fmt(s.length_m, "m"),
        )
    return table


def features_table(name: str, areas) -> Table:
    """One polygon layer's features: measured and declared area and their difference."""
    table = column_table(
        f"{name}: 图上面积与出让面积 measured vs declared",
        (
            ("id", "left"),
            ("m²", "right"),
            ("亩 mu", "right"),
            ("出让 declared 亩", "right"),
            ("差 diff 亩", "right"),
            ("差 diff %", "right"),
        ),
    )
    for row in areas.to_dict("records"):
        declared = row.get("declared_mu")
        declared = None if declared is None or declared != declared else declared
        share = row.get("difference_share")
        table.add_row(
            str(row["id"]),
            fmt(row["area_m2"], "m2"),
            fmt(row["area_mu"], "mu"),
            fmt(declared, "mu"),
            fmt(row["difference_mu"] if declared is not None else None, "mu"),
            "" if share is None or share != share else f"{share:+.2%}",
        )
    return table


@click.command()
@project_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--features", is_flag=True, help="Per polygon feature: measured area, declared area, diff."
)
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="With --features: write them to this CSV (UTF-8 with BOM) as well.",
)
def layers(project: Path, as_json: bool, features: bool, csv_path: Path | None):
    """List the stored layers: kind, features, CRS, extent, total area (m², 公顷, 亩).

    Warns when the working CRS mis-measures a layer (areas off their geodesic area by more
    than 0.1%, or data beyond the zone's edge), naming the zone to use.

    \b
    Example:
      parkgeo layers --json
      parkgeo layers --features --csv maps/面积核对.csv
    """
    import pandas as pd

    from geo.analysis.inventory import feature_areas, layer_summaries
    from geo.domain.tables import kinds
    from geo.io.cells import write_csv

    if csv_path is not None and not features:
        raise click.UsageError("--csv writes the --features list; add --features.")
    manifest, store = open_project(project)
    summaries = layer_summaries(store, crs=manifest.crs)
    per_layer = {}
    if features:
        for s in summaries:
            k = kinds().get(s.kind)
            if k is not None and k.geometry == "polygon" and s.features:
                per_layer[s.name] = feature_areas(store.read(s.name), crs=manifest.crs)
    if csv_path is not None:
        rows = [a.assign(layer=name) for name, a in per_layer.items()]
        frame = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
        if len(frame):
            frame = frame[["layer", *[c for c in frame.columns if c != "layer"]]]
        write_csv(csv_path, frame)
    if as_json:
        data = {"crs": manifest.crs, "layers": [s.as_dict() for s in summaries]}
        if features:
            data["features"] = {
                name: a.astype(object).where(a.notna(), None).to_dict("records")
                for name, a in per_layer.items()
            }
        print_json(data)
        return
    console.print(layers_table(summaries))
    for name, areas in per_layer.items():
        console.print(features_table(name, areas))
    for s in summaries:
        for warning in s.warnings:
            err_console.print(f"warning: {warning}", soft_wrap=True)
    if csv_path is not None:
        console.print(f"wrote {csv_path}")
