"""Spreadsheet-safe text: cells that Excel, WPS or LibreOffice would read as a formula.

Attribute text is untrusted. A project whose industry is ``=HYPERLINK("http://x","c")``
must not become a live formula in ``checks.xlsx`` or in a CSV opened with Excel. As OWASP
recommends for CSV injection, a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe (``'``), which spreadsheets show as text.
Full-width ``＝ ＋ － ＠`` are treated the same, since some spreadsheet input methods turn
them into their ASCII forms. Numbers stay numbers (a negative number is not text).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from geo.domain.values import clean_text
from geo.io.files import write_atomic

__all__ = ["FORMULA_STARTS", "csv_text", "safe_cell", "safe_frame", "write_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")


def safe_cell(value):
    """*value* with a leading ``'`` when it is text a spreadsheet would take as a formula, and
    without control characters (:func:`geo.domain.values.clean_text`; line breaks stay).

    Examples
    --------
    >>> safe_cell('=HYPERLINK("http://x","click")')
    '\\'=HYPERLINK("http://x","click")'
    >>> safe_cell(-3.5), safe_cell("三号路")
    (-3.5, '三号路')
    """
    if not isinstance(value, str):
        return value
    # controls are dropped too: Excel's XML refuses them (openpyxl IllegalCharacterError)
    cleaned = "\r".join(clean_text(part, multiline=True) for part in value.split("\r"))
    if value.startswith(FORMULA_STARTS) or cleaned.startswith(FORMULA_STARTS):
        return "'" + cleaned
    return cleaned


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of *frame* with every text cell (and column name) passed through
    :func:`safe_cell`."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell).astype(object)
    out.columns = [safe_cell(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """*frame* as CSV text (no index), text cells made safe, every field quoted as needed."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    return buf.getvalue()


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    """Write *frame* to *path* as CSV in UTF-8 with BOM (so Excel shows Chinese text), text
    cells made safe, through a temporary file so a failed write leaves the old file."""
    return write_atomic(path, "\ufeff" + csv_text(frame))
