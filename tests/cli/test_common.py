"""The consoles every command prints through: text from the store cannot drive the
terminal (ESC, BEL and bidi overrides are written out as escapes, never sent raw)."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3

from rich.table import Table
from rich.text import Text

from geo.cli import cli
from geo.cli.common import SafeConsole

ESC, BEL, RLO = "\x1b", "\x07", "\u202e"
#: an OSC sequence that retitles the terminal, a colour, a bell and a right-to-left override
HOSTILE = f"P1{ESC}]0;pwned{BEL}{ESC}[31m{RLO}"
SHOWN = "P1\\x1b]0;pwned\\x07\\x1b[31m\\u202e"


def _raw(out: str) -> list[str]:
    """What in *out* a terminal would act on, other than rich's own colours (ESC [ ... m)."""
    import re

    rest = re.sub(r"\x1b\[[0-9;]*m", "", out)
    return [c for c in rest if c in (ESC, BEL, RLO, "\x9b", "\x9d")]


def test_table_cells_messages_and_texts_are_escaped_on_a_colour_terminal():
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, width=100, markup=False, highlight=False)
    table = Table(title=f"标题{ESC}]0;x{BEL}")
    table.add_column(f"编号{RLO}")
    table.add_row(HOSTILE)
    table.add_row(Text(f"名{ESC}称", style="red"))  # a Text built by the caller
    console.print(table)
    console.print(f"warning: {HOSTILE}", style="bold red")
    text = out.getvalue()
    assert _raw(text) == []
    assert SHOWN in text and "标题\\x1b]0;x\\x07" in text and "名\\x1b称" in text
    assert "\x1b[" in text  # rich's own colours still reach the terminal


def test_the_table_keeps_its_width_with_escaped_cells():
    out = io.StringIO()
    SafeConsole(file=out, width=100).print(_one_cell_table(HOSTILE))
    lines = out.getvalue().splitlines()
    assert {len(line) for line in lines} == {len(SHOWN) + 4}  # "│ " + cell + " │"


def _one_cell_table(cell: str) -> Table:
    table = Table(show_header=False)
    table.add_column()
    table.add_row(cell)
    return table


def _write_directly(store_path, sql: str, *params) -> None:
    """Change the store as an older parkgeo (or another program) could: past import."""
    with contextlib.closing(sqlite3.connect(store_path)) as con, con:
        # GeoPackage's R-tree triggers name these functions; an update that keeps fid and
        # geometry never runs them, but SQLite wants them defined
        for name in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            con.create_function(name, 1, _not_called)
        con.execute(sql, params)
        assert con.total_changes == 1


def _not_called(_geometry):
    raise AssertionError("the update changed a geometry")


def test_hostile_text_already_in_the_store_reaches_no_terminal(park, runner):
    assert runner.invoke(cli, ["import", "-p", str(park)]).exit_code == 0
    sql = "UPDATE parcels SET id = ?, declared_area_mu = 50 WHERE id = 'P1'"
    _write_directly(park / "park.gpkg", sql, HOSTILE)
    _write_directly(park / "park.gpkg", "UPDATE zones SET name = ? WHERE id = 'Z2'", f"青{RLO}东")

    table = runner.invoke(cli, ["layers", "--features", "-p", str(park)])
    assert table.exit_code == 0, table.output
    assert "P1\\x1b]0;pwned\\" in table.output  # (the 80-column table cuts the rest)
    assert _raw(table.output) == []

    found = runner.invoke(cli, ["check", "-p", str(park)])
    assert found.exit_code == 0, found.output  # 50 亩 declared, 30 亩 drawn: a warning
    assert "P1\\x1b]0;pwned\\x07" in found.output and _raw(found.output) == []

    as_json = runner.invoke(cli, ["layers", "--features", "--json", "-p", str(park)])
    assert _raw(as_json.output) == []
    ids = [f["id"] for f in json.loads(as_json.output)["features"]["parcels"]]
    assert HOSTILE in ids  # the same value, only written as JSON escapes
