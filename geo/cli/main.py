"""The ``parkgeo`` command: a thin layer that parses options, calls the engine and prints.

Each command family lives in its own module (project, status, roads, checks, maps, demo,
store);
this module holds the group that turns parkgeo errors into exit code 2 and registers them.

Exit codes: 0 ok, 1 findings that need attention, 2 bad usage or unusable input.
"""

from __future__ import annotations

import sys

import click

from geo.cli.checks import check
from geo.cli.common import err_console
from geo.cli.demo import demo
from geo.cli.intensity import intensity
from geo.cli.maps import brief, map_, snapshot
from geo.cli.project import import_, init, layers
from geo.cli.records import history, retract, template
from geo.cli.roads import roads
from geo.cli.status import status
from geo.cli.store import store
from geo.errors import ParkGeoError

__all__ = ["cli", "main"]


class ParkGroup(click.Group):
    """Turns parkgeo errors into a message and exit code 2 instead of a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ParkGeoError as exc:
            err_console.print("错误 error:", style="bold red", end=" ")
            err_console.print(str(exc), soft_wrap=True)
            ctx.exit(2)


@click.group(cls=ParkGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="parkgeo")
def cli():
    """parkgeo: land and construction tracker for industrial parks.

    \b
    Example:
      parkgeo demo            # build the demo park and every output
      parkgeo -h              # this help; each command has its own --help
    """


for _command in (
    init,
    import_,
    layers,
    history,
    retract,
    template,
    status,
    roads,
    map_,
    check,
    intensity,
    snapshot,
    brief,
    demo,
    store,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``parkgeo`` command."""
    try:
        cli.main(args=argv, prog_name="parkgeo", standalone_mode=True)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
