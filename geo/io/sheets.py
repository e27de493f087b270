"""Office spreadsheets as clerks make them: CSV, XLSX and XLS tables with a title above.

Nearly every Chinese office sheet has a merged title row ("Y县工业园区项目进度周报表"), maybe
a blank or a unit row, and then the row of field names; some end with a totals row (合计).
This module finds the header row (by the field names the caller expects, or ``header_row``),
reads every cell as text (dates as ISO dates), keeps each row's number in the sheet and
drops blank and totals rows. A workbook read with no sheet named gives every sheet that has
the header; the others are named in a note.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo.domain.tables import data_table
from geo.errors import LayerReadError

__all__ = ["SheetTable", "find_header", "read_sheets"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")


@dataclass
class SheetTable:
    """One table read from a file: its frame (text cells) and where each row was."""

    frame: pd.DataFrame
    #: the sheet's name ("" for CSV)
    sheet: str
    #: the row number in the sheet (1 = first row) of each row of *frame*
    rows: list[int]
    encoding: str | None = None
    #: the sheet as progress records name it: "" for the first sheet of a workbook read with
    #: no ``sheet`` given (as records made before other sheets were read say), else *sheet*
    stored_as: str = ""
    notes: list[str] = field(default_factory=list)


def _norm(text: object) -> str:
    return "".join(str(text).split()).casefold()


def _settings() -> dict:
    return data_table("sheets.toml")


def _filled(row: list[str]) -> list[str]:
    return [c for c in row if c.strip()]


def find_header(
    rows: list[list[str]], *, expected: set[str] | None = None, header_row: int | None = None
) -> int | None:
    """Index (0-based) of the header row among *rows*, or None when no row holds a name of
    *expected*.

    With *header_row* (1-based, as a spreadsheet counts) that row. With *expected* (field
    names the caller knows, e.g. the sources of a field map) the row of the first rows that
    holds most of them. Without, the first row with more than one filled cell (a merged title
    has one).
    """
    if header_row is not None:
        return header_row - 1
    scan = rows[: int(_settings()["header_scan_rows"])]
    if expected:
        wanted = {_norm(e) for e in expected}
        scores = [sum(_norm(c) in wanted for c in _filled(row)) for row in scan]
        best = max(scores, default=0)
        return scores.index(best) if best else None
    for i, row in enumerate(scan):
        if len(_filled(row)) > 1:
            return i
    return 0


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_sheets(path: Path) -> dict[str, list[list[str]]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise LayerReadError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc}); the file "
            "may be cut short or not a spreadsheet. Open it in Excel or WPS and save it again."
        ) from None
    try:
        return {
            ws.title: [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
            for ws in book.worksheets
        }
    finally:
        book.close()


def _xls_sheets(path: Path) -> dict[str, list[list[str]]]:
    import xlrd

    try:
        book = xlrd.open_workbook(path)
    except (xlrd.XLRDError, OSError, AssertionError, IndexError, ValueError) as exc:
        raise LayerReadError(
            f"{path}: not a readable .xls workbook ({exc}). Open it in Excel or WPS and save it "
            "again (as .xlsx)."
        ) from None
    out = {}
    for ws in book.sheets():
        rows = []
        for r in range(ws.nrows):
            row = []
            for cell in ws.row(r):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(_cell_text(xlrd.xldate_as_datetime(cell.value, book.datemode)))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    row.append("")
                else:
                    row.append(_cell_text(cell.value))
            rows.append(row)
        out[ws.name] = rows
    return out


def _csv_text(path: Path, encoding: str | None) -> tuple[str, str, list[str]]:
    data = path.read_bytes()
    notes: list[str] = []
    if encoding:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise LayerReadError(
                f"{path}: encoding = {encoding!r} in park.toml is not a known text encoding. "
                'Use e.g. "utf-8" or "gbk".'
            ) from None
        except UnicodeDecodeError:
            hint = ""
            try:
                data.decode("gb18030")
                hint = ' The bytes look like GB18030 (GBK): set encoding = "gbk".'
            except UnicodeDecodeError:
                pass
            raise LayerReadError(
                f"{path}: text is not {encoding} as park.toml declares.{hint}"
            ) from None
        used = encoding
    else:
        for used in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(used)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise LayerReadError(
                f"{path}: text is neither UTF-8 nor GB18030. Save it as UTF-8 or set "
                'encoding = "..." in park.toml.'
            )
        if used == "gb18030":
            notes.append(f"{path.name}: read as GB18030 (not UTF-8)")
    # a BOM written by Excel, whatever encoding is declared
    return text.removeprefix("\ufeff"), used, notes


def _csv_head(path: Path, text: str, header_row: int | None) -> list[list[str]]:
    """The first rows of a CSV, where its header is looked for."""
    scan = max(int(_settings()["header_scan_rows"]), header_row or 0) + 1
    try:
        return list(itertools.islice(csv.reader(io.StringIO(text, newline="")), scan))
    except csv.Error as exc:
        raise LayerReadError(f"{path}: not a readable CSV table: {exc}") from None


def _csv_body(path: Path, text: str, header: int) -> pd.DataFrame:
    """The rows below the header (pandas reads them: far faster than the csv module)."""
    try:
        body = pd.read_csv(
            io.StringIO(text),
            skiprows=header,
            header=0,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise LayerReadError(f"{path}: not a readable CSV table: {exc}") from None
    return body.fillna("")


def _no_header(where: str, rows: list[list[str]], expected: set[str], key: str | None) -> str:
    shown = []
    for i, row in enumerate(rows[:5], 1):
        cells = _filled(row)
        if cells:
            shown.append(f"row {i}: " + ", ".join(c.strip()[:20] for c in cells[:8]))
    names = ", ".join(sorted(expected)[:10])
    section = f"[{key}]" if key else "the table's section"
    return (
        f"{where}: no header row found: none of the first {_settings()['header_scan_rows']} "
        f"rows holds a field name of the field map ({names}). The sheet has:\n  "
        + ("\n  ".join(shown) or "no text")
        + f"\nSet header_row = N in {section} to the row of field names, or fix the field map."
    )


def _table(
    rows: list[list[str]],
    header: int,
    *,
    where: str,
    sheet: str,
    expected: set[str] | None,
    body: pd.DataFrame | None = None,
) -> SheetTable:
    """The table under *rows*[*header*]: its rows (*body* when read already), blank and
    totals rows dropped, each row's number in the sheet kept."""
    if body is None:
        width = max((len(r) for r in rows[header:]), default=0)
        data = [r + [""] * (width - len(r)) for r in rows[header + 1 :]]
        body = pd.DataFrame(data, columns=range(width), dtype=object)
    names, seen = [], {}
    spelled = {_norm(e): e for e in expected or ()}
    cells = rows[header]
    for i in range(body.shape[1]):
        cell = cells[i].strip() if i < len(cells) else ""
        name = spelled.get(_norm(cell), cell) if cell else f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    body.columns = names
    numbers = np.arange(header + 2, header + 2 + len(body))
    keep = np.zeros(len(body), dtype=bool)
    for c in body.columns:  # a row with every cell empty is blank
        keep |= body[c].ne("").to_numpy()
    # a totals row: its first filled cell (among the first three) says 合计; each distinct
    # value is looked at once (a per-cell string operation costs seconds on 100k rows)
    totals = {_norm(t) for t in _settings()["total_labels"]}
    longest = 3 * max(map(len, totals))  # room for spaces a clerk puts between 合 and 计
    hits = np.zeros(len(body), dtype=bool)
    decided = np.zeros(len(body), dtype=bool)
    labels = {}
    for c in body.columns[:3]:
        values = pd.Series(body[c].to_numpy(dtype=object))
        distinct = pd.unique(values.to_numpy())
        blank = [v for v in distinct if not isinstance(v, str) or not v or v.isspace()]
        said = [
            v for v in distinct if isinstance(v, str) and len(v) <= longest and _norm(v) in totals
        ]
        filled = ~values.isin(blank).to_numpy()
        total = values.isin(said).to_numpy() if said else np.zeros(len(body), dtype=bool)
        for pos in np.flatnonzero(~decided & filled & total):
            labels[pos] = str(values.iloc[pos]).strip()
        hits |= ~decided & filled & total
        decided |= filled
    notes = [
        f"{where}, row {numbers[pos]}: a totals row ({labels[pos]}), not imported"
        for pos in np.flatnonzero(hits)
    ]
    keep &= ~hits
    frame = body[keep].reset_index(drop=True)
    return SheetTable(frame=frame, sheet=sheet, rows=numbers[keep].tolist(), notes=notes)


def read_sheets(
    path: Path,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    expected: set[str] | None = None,
    key: str | None = None,
    every_sheet: bool = False,
) -> list[SheetTable]:
    """The tables of a CSV, XLSX or XLS file, every cell as text.

    Parameters
    ----------
    sheet
        The workbook's sheet to read. None: the first sheet, or with *every_sheet* every
        sheet that has the header (sheets without are named in a note).
    header_row
        The row of field names (1 = first row); None: found by :func:`find_header`.
    expected
        Field names the header row holds (e.g. the sources of the field map).
    key
        The manifest section the table comes from (named in messages).

    Raises
    ------
    LayerReadError
        Unreadable file, unknown sheet, or no header row found.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        text, used, notes = _csv_text(path, encoding)
        head = _csv_head(path, text, header_row)
        body = (lambda header: _csv_body(path, text, header)) if head else None
        return [
            _one(path, "", head, header_row, expected, key, encoding=used, notes=notes, body=body)
        ]
    book = _xls_sheets(path) if suffix == ".xls" else _xlsx_sheets(path)
    if sheet is not None:
        if sheet not in book:
            raise LayerReadError(
                f"{path}: no sheet {sheet!r}; the workbook holds {', '.join(book)}. "
                'Fix sheet = "..." in park.toml.'
            )
        table = _one(path, sheet, book[sheet], header_row, expected, key)
        table.stored_as = sheet
        return [table]
    names = list(book)
    if not every_sheet or not expected:
        out = _one(path, names[0], book[names[0]], header_row, expected, key)
        if len(names) > 1:
            out.notes.append(
                f"{path.name}: read sheet {names[0]}; the workbook also holds "
                f'{", ".join(names[1:])} (name one with sheet = "..." in park.toml)'
            )
        return [out]
    tables, skipped = [], []
    for name in names:
        found = find_header(book[name], expected=expected, header_row=header_row)
        if found is None or found >= len(book[name]):
            skipped.append(name)
            continue
        where = f"{path.name}, sheet {name}"
        table = _table(book[name], found, where=where, sheet=name, expected=expected)
        table.stored_as = "" if name == names[0] else name
        tables.append(table)
    if not tables:
        return [_one(path, names[0], book[names[0]], header_row, expected, key)]
    if skipped:
        tables[0].notes.append(
            f"{path.name}: sheet(s) {', '.join(skipped)} hold no header row of the field map; "
            f"not imported (sheets imported: {', '.join(t.sheet for t in tables)})"
        )
    return tables


def _one(
    path, sheet, rows, header_row, expected, key, *, encoding=None, notes=(), body=None
) -> SheetTable:
    where = path.name + (f", sheet {sheet}" if sheet else "")
    if header_row is not None and not 1 <= header_row <= max(len(rows), 1):
        raise LayerReadError(
            f"{where}: header_row = {header_row} but the sheet has {len(rows)} row(s)."
        )
    if not rows:
        return SheetTable(pd.DataFrame(), sheet, [], encoding, list(notes))
    found = find_header(rows, expected=expected, header_row=header_row)
    if found is None:
        raise LayerReadError(_no_header(where, rows, expected or set(), key))
    table = _table(
        rows,
        found,
        where=where,
        sheet=sheet,
        expected=expected,
        body=body(found) if body is not None else None,
    )
    table.encoding = encoding
    table.notes[:0] = list(notes)
    return table
