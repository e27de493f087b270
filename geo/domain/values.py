"""Parsing of cell values as they come in Chinese spreadsheets: dates and numbers."""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np
import pandas as pd

__all__ = ["as_number", "as_text", "parse_date", "parse_number"]

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: object) -> dt.date | None:
    """Parse a date as written in Chinese spreadsheets; None for empty.

    Accepts 2023-01-05, 2023/1/5, 2023.1.5, 2023年1月5日, 20230105 and date/datetime objects.

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
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                raise ValueError(f"{text!r} is not a real date") from None
    raise ValueError(f"{text!r} is not a date (write 2023-01-05)")


def parse_number(value: object) -> float | None:
    """Parse a number (thousands separators and full-width digits allowed); None for empty."""
    if value is None:
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = str(value).strip().translate(_FULLWIDTH).replace(",", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


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


def nonnegative_number(value: object) -> float | None:
    """*value* as a float when it is a finite number ≥ 0 (not a bool); None otherwise
    (for settings read from park.toml)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and value >= 0 else None
