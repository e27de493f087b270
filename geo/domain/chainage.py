"""Chainage (桩号) text: read and write stations such as ``K1+234.5``, ranges and chain breaks.

A station ``K1+234.5`` is 1 km plus 234.5 m, i.e. 1234.5 m of chainage. The metre part after
``+`` always has three integer digits (``K0+050``), so ``K0+50`` is refused rather than guessed
(US practice writes 100-foot stations as ``0+50``). This module only handles text; placing
stations on a road's centerline is :mod:`geo.domain.linref`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from geo.errors import ChainageError

__all__ = [
    "ChainBreak",
    "ChainageRange",
    "format_chainage",
    "parse_chain_breaks",
    "parse_chainage",
    "parse_chainage_range",
    "station_label",
]

ACCEPTED_FORMS = (
    "K1+234.5 or k1+234.5 (km + metres, the metre part 000 to 999.999), 1+234.5, "
    "plain metres 1234.5, 1234.5m, 1234.5 m or 1234.5米; full-width ＋ and Ｋ are accepted"
)
RANGE_FORMS = (
    "two stations joined by ~, -, –, — or 至, e.g. K0+000~K0+500, K0+000至K0+500, 0-500米 or 0~500"
)

_STATION = re.compile(r"^[Kk]?\s*(?P<km>\d+)\s*\+\s*(?P<metres>\d+)(?P<frac>\.\d*)?$")
_METRES = re.compile(r"^(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?:m|M|米)?$")
# NFKC already turns full-width ～ and － into ASCII; the dashes and 至/到 are kept as they are.
_RANGE_SEPARATOR = re.compile(r"\s*(?:~|〜|-|‐|‑|‒|–|—|―|至|到)\s*")
_BREAK_NOTE = re.compile(
    r"^[(（]?\s*(?P<kind>长链|短链)\s*(?P<length>\d+(?:\.\d*)?)\s*(?:m|M|米)?\s*[)）]?$"
)
_BREAK_ITEM_SEPARATOR = re.compile(r"[;；,，、\n]+")


def _normalize(text: str) -> str:
    """Full-width characters to ASCII (＋ → +, Ｋ → K, ０ → 0), outer spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_chainage(text: str | float) -> float:
    """Read a chainage (桩号) as metres.

    Parameters
    ----------
    text
        A station such as ``K1+234.5``, ``k0+500.00``, ``0+500`` or ``K0＋500``, plain metres
        such as ``500``, ``500m``, ``500 m`` or ``500米``, or a non-negative number.

    Returns
    -------
    float
        The chainage in metres, e.g. 1234.5 for ``K1+234.5``.

    Raises
    ------
    ChainageError
        When the text is none of the accepted forms, is negative, or its metre part after
        ``+`` is not three digits below 1000 (``K0+1200`` must be written ``K1+200``).

    Examples
    --------
    >>> parse_chainage("K1+234.5")
    1234.5
    >>> parse_chainage("500米")
    500.0
    """
    if isinstance(text, bool):
        raise ChainageError(f"cannot read chainage {text!r}: a bool is not a chainage")
    if isinstance(text, int | float):
        value = float(text)
        if not math.isfinite(value) or value < 0:
            raise ChainageError(
                f"cannot read chainage {text!r}: a chainage is a finite number of metres >= 0"
            )
        return value
    if not isinstance(text, str):
        raise ChainageError(
            f"cannot read chainage {text!r} ({type(text).__name__}); give text in one of the "
            f"accepted forms: {ACCEPTED_FORMS}"
        )
    normalized = _normalize(text)
    station = _STATION.match(normalized)
    if station:
        metres = station["metres"]
        if len(metres) != 3:
            if len(metres) > 3 and int(metres) >= 1000:
                km = int(station["km"]) + int(metres) // 1000
                why = (
                    f"the metre part after '+' ({metres}) must be below 1000 because 1000 m "
                    f"is the next kilometre; write it as K{km}+{int(metres) % 1000:03d}"
                )
            else:
                why = (
                    f"the metre part after '+' ({metres}) must have exactly three digits, "
                    f"e.g. K{int(station['km'])}+{int(metres):03d}; 1- or 2-digit parts are "
                    "ambiguous (US stations are 100 ft)"
                )
            raise ChainageError(
                f"cannot read chainage {text!r}: {why}. Accepted forms: {ACCEPTED_FORMS}"
            )
        # Joining the digits and converting once gives the double nearest to the decimal value,
        # so that parse_chainage(format_chainage(x, decimals=d)) == round(x, d) exactly.
        return float(station["km"] + metres + (station["frac"] or ""))
    plain = _METRES.match(normalized)
    if plain:
        return float(plain["number"])
    reason = "it is negative" if normalized.startswith("-") else "it is not a chainage"
    raise ChainageError(
        f"cannot read chainage {text!r}: {reason}. Accepted forms: {ACCEPTED_FORMS}"
    )


def format_chainage(metres: float, *, decimals: int = 0, prefix: str = "K") -> str:
    """Write metres of chainage as a station such as ``K1+234``.

    Parameters
    ----------
    metres
        Chainage in metres, >= 0.
    decimals
        Digits after the decimal point of the metre part (``K1+234.50`` with 2).
    prefix
        Text before the kilometre number; ``""`` gives ``1+234``.

    Returns
    -------
    str
        The station, its metre part zero padded to three digits (``K0+050``). Rounding carries
        into the kilometres: 999.9996 with ``decimals=3`` is ``K1+000.000``.

    Raises
    ------
    ChainageError
        When *metres* is negative or not finite.
    ValueError
        When *decimals* is not a non-negative integer.
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"decimals must be an integer >= 0, got {decimals!r}")
    value = float(metres)
    if not math.isfinite(value) or value < 0:
        raise ChainageError(
            f"cannot write chainage {metres!r}: a chainage is a finite number of metres >= 0"
        )
    # Format first and split the digits afterwards, so a rounding carry (999.9996 → 1000.000)
    # moves into the kilometres instead of giving K0+1000.000.
    digits = f"{value + 0.0:.{decimals}f}"  # + 0.0 turns -0.0 into 0.0
    whole, _, fraction = digits.partition(".")
    km = whole[:-3] or "0"
    metre_part = whole[-3:].rjust(3, "0")
    text = f"{prefix}{km}+{metre_part}"
    return f"{text}.{fraction}" if decimals else text


def station_label(metres: float, *, prefix: str = "K") -> str:
    """A station for messages and labels: ``K1+234`` for whole metres, else ``K1+234.567``.

    Parameters
    ----------
    metres
        Chainage in metres, >= 0.
    prefix
        Text before the kilometre number.

    Returns
    -------
    str
        The station with no decimals when *metres* is a whole number to the millimetre, with
        trailing zeros removed otherwise (``K0+012.5``).
    """
    text = format_chainage(metres, decimals=3, prefix=prefix)
    return text.rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ChainageRange:
    """A section of road between two chainages, in metres, with ``start < end``.

    ``reversed`` is True when the text gave the larger station first (``K0+500~K0+000``),
    so callers can report it.
    """

    start: float
    end: float
    reversed: bool = False

    @property
    def length(self) -> float:
        """Chainage length of the section in metres (``end - start``)."""
        return self.end - self.start

    def __str__(self) -> str:
        return f"{station_label(self.start)}~{station_label(self.end)}"


def parse_chainage_range(text: str) -> ChainageRange:
    """Read a section of road such as ``K0+000~K0+500`` or ``0-500米``.

    Parameters
    ----------
    text
        Two chainages (see :func:`parse_chainage`) joined by ``~``, ``-``, ``–``, ``—`` or
        ``至``; a unit written once at the end applies to both (``0-500米``); a trailing ``段``
        (section) is ignored.

    Returns
    -------
    ChainageRange
        With ``start < end``; ``reversed`` tells whether the text gave them the other way.

    Raises
    ------
    ChainageError
        When the text does not hold exactly two chainages, or both ends are equal.
    """
    if not isinstance(text, str):
        raise ChainageError(f"cannot read chainage range {text!r}: expected text, {RANGE_FORMS}")
    normalized = _normalize(text).removesuffix("段").strip()
    parts = _RANGE_SEPARATOR.split(normalized)
    if len(parts) != 2 or not all(parts):
        raise ChainageError(f"cannot read chainage range {text!r}: expected {RANGE_FORMS}")
    try:
        first, second = (parse_chainage(part) for part in parts)
    except ChainageError as error:
        raise ChainageError(
            f"cannot read chainage range {text!r}: {error}. A range is {RANGE_FORMS}"
        ) from None
    if first == second:
        raise ChainageError(
            f"chainage range {text!r} has equal ends ({station_label(first)}); "
            "a section needs two different stations, e.g. K0+000~K0+500"
        )
    return ChainageRange(min(first, second), max(first, second), reversed=first > second)


@dataclass(frozen=True)
class ChainBreak:
    """A chain break (断链): station *back* is followed by station *ahead* at the same place.

    ``K1+100=K1+080`` has ``back=1100`` (the station on the line before the break) and
    ``ahead=1080`` (the station after it). When back > ahead the stations between are used
    twice (长链, "long"); when ahead > back they are skipped (短链, "short").
    """

    back: float
    ahead: float

    def __post_init__(self) -> None:
        for name in ("back", "ahead"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ChainageError(
                    f"chain break {name} station {value!r} must be a finite chainage >= 0"
                )
        if self.back == self.ahead:
            raise ChainageError(
                f"chain break {station_label(self.back)}={station_label(self.ahead)} has equal "
                "stations, so it is no break; remove it"
            )

    @property
    def kind(self) -> str:
        """``"long"`` (长链, back > ahead, stations repeat) or ``"short"`` (短链, skipped)."""
        return "long" if self.back > self.ahead else "short"

    @property
    def length(self) -> float:
        """``back - ahead`` in metres: positive for a long chain, negative for a short one."""
        return self.back - self.ahead

    def __str__(self) -> str:
        label = "长链" if self.kind == "long" else "短链"
        stations = f"{station_label(self.back)}={station_label(self.ahead)}"
        return f"{stations} ({label} {abs(self.length):g} m)"


def parse_chain_breaks(text: str | None) -> tuple[ChainBreak, ...]:
    """Read chain breaks (断链) such as ``K1+100=K1+080; K2+000=K2+010``.

    Parameters
    ----------
    text
        Breaks ``back=ahead`` separated by ``;``, ``,``, ``、`` or new lines. A note such as
        ``长链 20 m`` or ``(短链10米)`` after a break is checked against it. Empty text or None
        gives no breaks.

    Returns
    -------
    tuple of ChainBreak
        In the order written.

    Raises
    ------
    ChainageError
        When an item is not ``station=station``, a station cannot be read, or a note
        disagrees with its break.
    """
    if text is None:
        return ()
    if not isinstance(text, str):
        raise ChainageError(
            f"cannot read chain breaks {text!r}: expected text like K1+100=K1+080; K2+000=K2+010"
        )
    breaks: list[ChainBreak] = []
    for raw_item in _BREAK_ITEM_SEPARATOR.split(_normalize(text)):
        item = raw_item.strip()
        if not item:
            continue
        note = _BREAK_NOTE.match(item)
        if note:
            if not breaks:
                raise ChainageError(
                    f"chain breaks {text!r}: the note {item!r} comes before any break; write "
                    "it after its break, e.g. K1+100=K1+080, 长链 20 m"
                )
            _check_note(breaks[-1], note, text)
            continue
        back_text, equals, ahead_text = item.partition("=")
        if not equals:
            raise ChainageError(
                f"cannot read chain break {item!r} in {text!r}: write each break as "
                "back=ahead, e.g. K1+100=K1+080, separated by ';'"
            )
        ahead_text, note = _split_trailing_note(ahead_text)
        try:
            chain_break = ChainBreak(parse_chainage(back_text), parse_chainage(ahead_text))
        except ChainageError as error:
            raise ChainageError(f"cannot read chain break {item!r} in {text!r}: {error}") from None
        if note:
            _check_note(chain_break, note, text)
        breaks.append(chain_break)
    return tuple(breaks)


def _split_trailing_note(text: str) -> tuple[str, re.Match[str] | None]:
    """Split ``K1+080 长链 20m`` into the station and the note's match."""
    for marker in ("(", "（", "长链", "短链"):
        position = text.find(marker)
        if position > 0:
            note = _BREAK_NOTE.match(text[position:].strip())
            if note:
                return text[:position], note
    return text, None


def _check_note(chain_break: ChainBreak, note: re.Match[str], text: str) -> None:
    kind = "long" if note["kind"] == "长链" else "short"
    length = float(note["length"])
    if kind != chain_break.kind or not math.isclose(length, abs(chain_break.length), abs_tol=1e-6):
        raise ChainageError(
            f"chain breaks {text!r}: the note '{note.group(0)}' disagrees with the break "
            f"{chain_break}; correct the stations or the note"
        )
