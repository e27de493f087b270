"""What every command shares: consoles, the common options, opening a project, output."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import click
from rich.console import Console
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

__all__ = [
    "SafeConsole",
    "as_of_option",
    "as_recorded_option",
    "console",
    "dated_options",
    "err_console",
    "fmt",
    "lang_option",
    "open_project",
    "print_json",
    "project_option",
    "renderer_options",
    "state_options",
]


class SafeConsole(Console):
    """A rich console that writes control characters and bidi overrides in text as visible
    escapes (:func:`geo.domain.values.visible_controls`): every message and table cell the
    CLI prints passes here, and a store written before import cleaned text (or by another
    program) may still hold ESC, BEL or U+202E. rich itself drops only a few controls and
    passes ESC through."""

    def render_str(self, text: str, **kwargs) -> Text:
        # every str printed, and every str cell, heading and title of a table, comes here
        # before it is measured, so tables keep their widths
        from geo.domain.values import visible_controls

        return super().render_str(visible_controls(text), **kwargs)

    def render(self, renderable, options=None):
        # a Text built by the caller does not pass render_str: escape what is left in its
        # segments (rich's own control segments, cursor moves and titles, stay as they are)
        from geo.domain.values import visible_controls

        for segment in super().render(renderable, options):
            if segment.control or visible_controls(segment.text) is segment.text:
                yield segment
            else:
                yield Segment(visible_controls(segment.text), segment.style)


# markup off: messages and table cells carry data text, in which "[...]" is not markup
console = SafeConsole(highlight=False, markup=False)
err_console = SafeConsole(stderr=True, highlight=False, markup=False)


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


def open_project(project: Path):
    """The manifest of the project folder *project* and its store (as recorded at the
    command's ``--as-recorded`` moment, when it has one)."""
    from geo.io.manifest import load_manifest
    from geo.store import open_store

    manifest = load_manifest(project)
    store = open_store(manifest)
    ctx = click.get_current_context(silent=True)
    moment = ctx.meta.get("parkgeo.as_recorded") if ctx is not None else None
    return manifest, store.at(moment) if moment else store


def as_recorded_option(func):
    """``--as-recorded DATETIME``: what the store knew at that moment (every read of the
    command's store sees the progress records as they stood then)."""

    @click.option(
        "--as-recorded",
        "as_recorded",
        default=None,
        metavar="DATETIME",
        help="Use the records as the store held them at this moment (local time, "
        "e.g. 2024-06-01T14:03 or 2024-06-01; ISO with Z or +08:00 also taken).",
    )
    @functools.wraps(func)
    def wrapper(*args, as_recorded=None, **kwargs):
        if as_recorded:
            from geo.ingest.history import parse_moment

            try:
                moment = parse_moment(as_recorded)
            except ValueError:
                raise click.BadParameter(
                    f"{as_recorded!r} is not a date or date and time (e.g. 2024-06-01T14:03)",
                    param_hint="--as-recorded",
                ) from None
            click.get_current_context().meta["parkgeo.as_recorded"] = moment
        return func(*args, **kwargs)

    return wrapper


def print_json(data) -> None:
    """Print *data* as indented JSON, Chinese text as it is, controls escaped
    (:func:`geo.domain.values.json_safe`)."""
    from geo.domain.values import json_safe

    click.echo(json_safe(json.dumps(data, ensure_ascii=False, indent=2, default=str)))


def fmt(value: float | None, unit: str) -> str:
    """*value* in *unit* written as every output writes it (:mod:`geo.domain.quantities`:
    the unit's decimals, thousands separators); "" for None."""
    from geo.domain.quantities import format_number

    return format_number(value, unit)


def lang_option(func):
    return click.option(
        "--lang",
        type=click.Choice(["zh", "en"]),
        default="zh",
        show_default=True,
        help="Language of labels: Chinese (default) or English.",
    )(func)


def renderer_options(func):
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


def column_table(title: str, columns: tuple[tuple[str, str], ...]) -> Table:
    """A rich table titled *title* with ``(heading, justify)`` *columns*."""
    table = Table(title=title)
    for heading, justify in columns:
        table.add_column(heading, justify=justify)
    return table


def basemap_options(*, basemap_help: str, tiles_help: str):
    """``--basemap`` and ``--tiles``, as `map` and `snapshot` take them (their help differs)."""

    def decorate(func):
        func = click.option(
            "--tiles", type=click.Path(path_type=Path), default=None, help=tiles_help
        )(func)
        return click.option(
            "--basemap",
            type=click.Choice(["none", "osm", "tianditu", "amap", "local"]),
            default="none",
            show_default=True,
            help=basemap_help,
        )(func)

    return decorate


def dated_options(func):
    """``-p/--project``, ``--as-of`` and ``--as-recorded``: the options of a command that
    shows the park on a date (map, snapshot, brief; with ``--json``: :func:`state_options`)."""
    return project_option(as_of_option(as_recorded_option(func)))


def state_options(func):
    """:func:`dated_options` and ``--json``: the options of a command that reports the park
    on a date (status, roads, check)."""
    func = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")(
        func
    )
    return dated_options(func)


def as_of_option(func):
    return click.option(
        "--as-of",
        "as_of",
        type=click.DateTime(formats=["%Y-%m-%d"]),
        default=None,
        help="Date of the state (default: park.toml's as_of).",
    )(func)
