"""Commands that draw: the interactive map, PNG snapshots and the Word briefing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from rich.progress import Progress, TextColumn

from geo.cli.common import (
    basemap_options,
    console,
    dated_options,
    err_console,
    lang_option,
    open_project,
    renderer_options,
)
from geo.io.files import write_atomic


@click.command("map")
@dated_options
@basemap_options(
    basemap_help="Background: none works offline; amap shifts overlays to GCJ-02; local needs "
    "--tiles.",
    tiles_help="XYZ tile folder or .mbtiles file for --basemap local (embedded in the page).",
)
@click.option(
    "--tianditu-key",
    default=None,
    envvar="TIANDITU_KEY",
    help="Tianditu key for --basemap tianditu (or TIANDITU_KEY).",
)
@lang_option
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
    manifest, store = open_project(project)
    path = write_map(
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


def write_map(
    manifest, store, *, as_of, basemap="none", tiles=None, tianditu_key=None, lang="zh", out=None
) -> Path:
    from geo.render.webmap import MapOptions, build_map

    options = MapOptions(
        as_of=as_of, basemap=basemap, lang=lang, tianditu_key=tianditu_key, tiles=tiles
    )
    text = build_map(store, manifest, options)
    return write_atomic(out or manifest.maps_dir / "park.html", text)


def _snapshot_options(
    manifest,
    store,
    *,
    as_of,
    extent,
    layers,
    size,
    scale,
    width_cm,
    lang,
    basemap,
    tiles,
):
    """The snapshot's options and, laid out for a width in Word, its legend size (pt)."""
    from geo.render.snapshot import SnapshotOptions, parse_layers, parse_size, word_options

    common = {
        "as_of": as_of.date() if as_of else manifest.as_of,
        "extent": extent,
        "layers": parse_layers(layers),
        "lang": lang,
        "basemap": basemap,
        "tiles": tiles,
    }
    if size:  # CSS pixels asked for: the picture as before, not laid out for a width
        return SnapshotOptions(size=parse_size(size), scale=scale or 2.0, **common), None
    options, legend_pt = word_options(store, manifest, width_cm=width_cm, **common)
    if scale:
        options = replace(options, scale=scale)
    return options, legend_pt


@click.command()
@dated_options
@click.option(
    "--extent",
    default="park",
    show_default=True,
    help="park, zone:NAME, road:NAME (id or name) or parcel:ID.",
)
@click.option(
    "--layers",
    default=None,
    help="Layers to show, comma-separated: the drawn kinds of kinds.toml and ticks "
    "(e.g. zones,parcels,roads,ticks,findings).",
)
@click.option(
    "--width-cm",
    type=float,
    default=16.0,
    show_default=True,
    help="Width the picture is placed at in Word: its text is laid out for it (legend "
    "9 pt, footer 8 pt), 288 dpi; a road running north-south gets a portrait frame.",
)
@click.option(
    "--size",
    default=None,
    help="WIDTHxHEIGHT in CSS px instead of --width-cm (e.g. 1600x1000, at --scale 2).",
)
@click.option(
    "--scale",
    type=float,
    default=None,
    help="Image pixels per CSS px (default: 3 (288 dpi) for --width-cm, 2 for --size).",
)
@lang_option
@basemap_options(
    basemap_help="Background (browser renderer only); none needs no network.",
    tiles_help="XYZ folder or .mbtiles for --basemap local.",
)
@renderer_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="PNG to write (default: maps/snapshot.png).",
)
def snapshot(
    project,
    as_of,
    extent,
    layers,
    width_cm,
    size,
    scale,
    lang,
    basemap,
    tiles,
    browser,
    renderer,
    out,
):
    """Write a PNG of the map for Word: title, date, legend, scale bar, north arrow, 审图号.

    Laid out for --width-cm (default 16 cm, the width of a Word page's text): placed at
    that width its legend reads 9 pt and its footer 8 pt, at 288 dpi. With --size the PNG
    is SIZE × SCALE pixels at 96 × SCALE dpi. The same data and options give the same
    picture. Without a browser it is drawn with matplotlib.

    \b
    Example:
      parkgeo snapshot                              # maps/snapshot.png, the whole park
      parkgeo snapshot --extent road:二号路 --out maps/road2.png
      parkgeo snapshot --extent zone:五里梁片区 --layers zones,parcels --lang en
      parkgeo snapshot --width-cm 7.5 --out maps/half-column.png
    """
    from geo.render.snapshot import snapshot as draw

    manifest, store = open_project(project)
    options, _legend_pt = _snapshot_options(
        manifest,
        store,
        as_of=as_of,
        extent=extent,
        layers=layers,
        size=size,
        scale=scale,
        width_cm=width_cm,
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
    print_snapshot(shot)


def print_snapshot(shot) -> None:
    note = f" ({shot.note})" if shot.note else ""
    console.print(
        f"snapshot: {shot.path} — {shot.width}×{shot.height} px at {shot.dpi:g} dpi, "
        f"renderer {shot.renderer}{note}",
        soft_wrap=True,
    )


@click.command()
@dated_options
@lang_option
@renderer_options
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Word file to write (default: maps/briefing.docx).",
)
@click.option(
    "--pdf",
    is_flag=True,
    help="Also write the briefing as PDF next to the .docx (converted by LibreOffice).",
)
def brief(project, as_of, lang, browser, renderer, out, pdf):
    """Write the Word briefing: goals table and chart, park and road snapshots, road
    progress by work item, projects by stage and the land checks.

    \b
    Example:
      parkgeo brief                                  # maps/briefing.docx
      parkgeo brief --as-of 2023-12-31 --lang en --out maps/briefing-2023-en.docx
      parkgeo brief --pdf                            # and maps/briefing.pdf
    """
    manifest, store = open_project(project)
    result = write_brief_with_progress(
        manifest,
        store,
        out or manifest.maps_dir / "briefing.docx",
        as_of=as_of.date() if as_of else manifest.as_of,
        lang=lang,
        renderer=renderer,
        browser=browser,
        pdf=pdf,
    )
    print_brief(result)


def write_brief_with_progress(manifest, store, path, **options):
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


def print_brief(result) -> None:
    note = f" ({result.note})" if result.note else ""
    console.print(
        f"briefing: {result.path} — {len(result.goals)} goal(s), roads under construction: "
        f"{', '.join(result.roads) or 'none'}, {len(result.images)} picture(s), "
        f"snapshots by renderer {result.renderer}{note}"
        + (f"; PDF: {result.pdf}" if result.pdf else ""),
        soft_wrap=True,
    )
