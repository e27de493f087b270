"""Cell values as they come in Chinese spreadsheets: dates, numbers, and text cleaned of
control characters."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

from geo.domain.units import Unit

__all__ = [
    "as_number",
    "as_text",
    "clean_frame",
    "clean_text",
    "json_safe",
    "parse_date",
    "parse_number",
    "visible_controls",
]

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)

_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:\.0+)?$")
#: day 0 of Excel's 1900 date system (day 60, the 1900-02-29 Excel counts, is long past)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """Parse a date as written in Chinese spreadsheets; None for empty.

    Accepts 2023-01-05, 2023/1/5, 2023.1.5, 2023年1月5日, 20230105, date/datetime objects and
    five-digit Excel date serial numbers (45356 = 2024-03-05: a date cell whose format was
    lost shows as its number).

    Raises
    ------
    ValueError
        For text that is not a date, or an impossible date such as 2023-02-30.
    """
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    text = str(value).strip()
    if not text:
        return None
    serial = _EXCEL_SERIAL.match(text)
    if serial:
        return _EXCEL_EPOCH + dt.timedelta(days=int(serial.group(1)))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date (write 2023-01-05)")


def parse_number(value: object, *, unit: Unit | None = None) -> float | None:
    """Parse a number (thousands separators and full-width digits allowed); None for empty.

    A unit may follow the number (``55亩``, ``3.2 公顷``, ``1,200m²``, ``80%``; the spellings
    of ``geo/data/units.toml``). With *unit* (the unit the field holds) the number is
    converted to it (``3.2公顷`` → 48.0 for a field in 亩); without one, a written unit is
    refused. NaN and negative numbers come back as they are: the caller says what they mean.

    Raises
    ------
    ValueError
        For text that is not a number, an unknown unit, or a unit that is not *unit*'s
        quantity (an area written into a money field).
    """
    if value is None:
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    shown = str(value).strip()
    text = shown.translate(_FULLWIDTH).replace(",", "")
    if not text:
        return None
    m = _NUMBER.match(text)
    if m is None:
        raise ValueError(f"{shown!r} is not a number")
    number, written = float(m.group(1)), m.group(2)
    if not written:
        return number
    from geo.domain.units import accepted_units, convert, parse_unit

    expected = f"; the field is in {unit.zh}" if unit else ""
    found = parse_unit(written)
    if found is None:
        accepted = accepted_units(unit.quantity if unit else None)
        raise ValueError(f"{shown!r}: {written!r} is not a unit parkgeo knows ({accepted})")
    if unit is None or found.quantity != unit.quantity:
        raise ValueError(
            f"{shown!r} is in {found.zh}{expected or ', but the field takes a plain number'}: "
            "write the number alone" + (f" in {unit.zh}" if unit else "")
        )
    return convert(number, found, unit)


# a number, then (after optional spaces) what may be its unit
_NUMBER = re.compile(r"^([-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|[-+]?nan|[-+]?inf)\s*(.*)$", re.I)

_FULLWIDTH = str.maketrans("０１２３４５６７８９．－，＋", "0123456789.-,+")


def as_text(value: object) -> str:
    """A stored cell as stripped text; "" for None and NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def as_number(value: object) -> float | None:
    """A stored cell as a float; None for empty, NaN or non-numbers."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


# Terminal escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \\), other
# two-character escapes (ESC + one char), and their 8-bit C1 forms (CSI U+009B, OSC U+009D).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-_]?"
)
_DROP = {
    **dict.fromkeys(range(0x00, 0x20)),  # C0 controls (tab and newline are set below)
    0x7F: None,  # DEL
    **dict.fromkeys(range(0x80, 0xA0)),  # C1 controls
    # bidi embeddings, overrides and isolates: they make a name read backwards
    **dict.fromkeys(range(0x202A, 0x202F)),
    **dict.fromkeys(range(0x2066, 0x206A)),
}
_ONE_LINE = str.maketrans({**_DROP, 0x09: " ", 0x0A: " ", 0x0D: " "})
_LINES = str.maketrans({**_DROP, 0x09: "\t", 0x0A: "\n"})
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str, *, multiline: bool = False) -> str:
    """*text* without terminal escape sequences, C0/C1 control characters and bidi overrides.

    Attribute text is untrusted: ``\\x1b]0;title\\x07`` in a name would retitle the user's
    terminal, U+202E makes a name read backwards, and XML (Word, Excel) refuses most controls.
    Tabs and line breaks become spaces, or with *multiline* (a note) stay as tab and
    ``\\n`` (``\\r\\n`` and ``\\r`` become ``\\n``).

    Examples
    --------
    >>> clean_text("创业\\x1b[31m大道\\x1b[0m\\x07")
    '创业大道'
    >>> clean_text("a\\r\\nb", multiline=True)
    'a\\nb'
    """
    if not (_UNSAFE if multiline else _UNSAFE_LINE).search(text):
        return text  # the common case: nothing to do
    text = _ESCAPES.sub("", text)
    if multiline:
        return text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINES)
    return text.translate(_ONE_LINE)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """*text* with each control character and bidi override written as its escape
    (``\\x1b``, ``\\x07``, ``\\u202e``); tabs and newlines stay.

    For the terminal: a store written before :func:`clean_text` was applied at import may
    still hold them, and printed raw ``\\x1b]0;title\\x07`` retitles the user's terminal.
    Written out instead of dropped, so that the text's oddity stays visible.

    Examples
    --------
    >>> print(visible_controls("一号\\x1b]0;t\\x07路\\u202e"))
    一号\\x1b]0;t\\x07路\\u202e
    """
    return _UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text


_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_safe(json_text: str) -> str:
    """*json_text* (from ``json.dumps(..., ensure_ascii=False)``, which escapes C0 controls
    only) with DEL, C1 controls and bidi overrides written as ``\\uXXXX`` escapes too: the
    same JSON value, and nothing in it a terminal acts on."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)


def clean_frame(frame: pd.DataFrame, *, multiline: frozenset[str] | set[str] = frozenset()):
    """*frame* with every text cell passed through :func:`clean_text` (columns in
    *multiline* keep line breaks); the frame itself when no cell needs it."""
    out = None
    for col in frame.columns:
        values = frame[col]
        if values.dtype.kind != "O":
            continue
        keep = col in multiline
        texts = "".join(values.dropna().astype(str).tolist())  # numbers hold no controls
        if not (_UNSAFE if keep else _UNSAFE_LINE).search(texts):
            continue  # one search per column: most columns need nothing
        out = frame.copy() if out is None else out
        cleaned = [clean_text(v, multiline=keep) if isinstance(v, str) else v for v in values]
        out[col] = pd.Series(cleaned, index=frame.index, dtype=object)
    return frame if out is None else out


def nonnegative_number(value: object) -> float | None:
    """*value* as a float when it is a finite number ≥ 0 (not a bool); None otherwise
    (for settings read from park.toml)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None
