"""The `demo` command: write the demo park, import it and produce every output."""

from __future__ import annotations

from pathlib import Path

import click

from geo.cli.checks import print_check, run_checks, write_check_xlsx
from geo.cli.common import console
from geo.cli.maps import print_brief, print_snapshot, write_brief_with_progress, write_map
from geo.cli.project import layers_table, run_import
from geo.cli.roads import print_roads
from geo.cli.status import print_status, status_data, write_status_chart


def _layers(manifest, store):
    from geo.analysis.inventory import layer_summaries

    console.print(layers_table(layer_summaries(store, crs=manifest.crs)))


def _status(manifest, store):
    print_status(status_data(manifest, store, manifest.as_of))


def _roads(manifest, store):
    from geo.analysis.roads import roads_status

    print_roads(roads_status(store, manifest, as_of=manifest.as_of))


def _map(manifest, store):
    console.print(f"map: {write_map(manifest, store, as_of=manifest.as_of)}")


def _goals_chart(manifest, store):
    path = manifest.maps_dir / "goals_chart.png"
    console.print(f"goals chart: {write_status_chart(manifest, store, manifest.as_of, path)}")


def _checks(manifest, store):
    result = run_checks(manifest, store, manifest.as_of)
    print_check(result)
    path = write_check_xlsx(
        result, manifest.maps_dir / "checks.xlsx", store=store, manifest=manifest
    )
    console.print(f"checks: {path}")


def _snapshots(manifest, store):
    from geo.render.snapshot import SnapshotOptions, SnapshotSession

    shots = (
        ("snapshot.png", SnapshotOptions(as_of=manifest.as_of)),
        (
            "snapshot_road_R02.png",
            SnapshotOptions(as_of=manifest.as_of, extent="road:二号路", size=(1600, 800)),
        ),
    )
    with SnapshotSession() as session:
        for name, options in shots:
            print_snapshot(session.render(store, manifest, manifest.maps_dir / name, options))


def _brief(manifest, store):
    path = manifest.maps_dir / "briefing.docx"
    print_brief(write_brief_with_progress(manifest, store, path, as_of=manifest.as_of))


def _template(manifest, store):
    from geo.render.template import write_template

    path = write_template(manifest.maps_dir / "进度填报.xlsx", store, as_of=manifest.as_of)
    console.print(f"progress template: {path}")


#: What `parkgeo demo` shows after importing, in order; each step takes (manifest, store).
DEMO_STEPS = (
    _layers,
    _status,
    _roads,
    _map,
    _goals_chart,
    _checks,
    _template,
    _snapshots,
    _brief,
)


@click.command()
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
    run_import(manifest, store, repair=False)
    manifest.maps_dir.mkdir(exist_ok=True)
    for step in DEMO_STEPS:
        step(manifest, store)
    console.print(f"\nstore: {store.url}\noutputs: {manifest.maps_dir}")
