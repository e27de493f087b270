"""Read source layers and tables as they are: anything GDAL reads, CSV and XLSX.

Nothing is validated or renamed here (that is :mod:`geo.ingest.importer`'s job); this module
only gets the bytes off disk with the right text encoding and CRS as declared by the file.
"""

from __future__ import annotations

import struct
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError

from geo import settings
from geo.errors import LayerReadError
from geo.io.sheets import read_sheets

__all__ = [
    "RawSource",
    "detect_dbf_encoding",
    "layer_names",
    "read_source",
    "read_table",
    "read_tables",
]

TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}  # read by geo.io.sheets

# dBase language driver ids (LDID, byte 29) that GDAL maps to Chinese code pages.
_CHINESE_LDIDS = {0x4D: "cp936", 0x7A: "cp936", 0x4E: "cp949", 0x4F: "cp950", 0x78: "cp950"}


@dataclass
class RawSource:
    """A source as read: its frame, the encoding used and notes worth telling the user."""

    frame: pd.DataFrame
    path: Path
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)
    #: tables: the sheet read ("" for CSV) and as records name it (see geo.io.sheets)
    sheet: str = ""
    stored_as: str = ""
    #: tables: the row number in the sheet of each row of *frame* (header = its row above)
    rows: list[int] | None = None


def _dbf_text_bytes(dbf: Path) -> tuple[int, bytes]:
    """LDID and the concatenated bytes of every character field of a .dbf file."""
    data = dbf.read_bytes()
    if len(data) < 32:
        return 0, b""
    nrec, header_len, rec_len = struct.unpack("<IHH", data[4:12])
    ldid = data[29]
    fields = []
    pos, offset = 32, 1
    while pos + 32 <= header_len and data[pos] != 0x0D:
        ftype, flen = chr(data[pos + 11]), data[pos + 16]
        if ftype == "C":
            fields.append((offset, flen))
        offset += flen
        pos += 32
    chunks = []
    for i in range(nrec):
        start = header_len + i * rec_len
        rec = data[start : start + rec_len]
        chunks.extend(rec[o : o + n] for o, n in fields)
    return ldid, b"\n".join(chunks)


def _score(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are common characters of *encoding*'s script.

    Common = level-1 hanzi: GB2312 lead bytes 0xB0–0xD7; Big5 lead bytes 0xA4–0xC6.
    Text decoded with the wrong code page is full of rare characters and scores low.
    """
    chars = [c for c in text if ord(c) > 127 and not c.isspace()]
    if not chars:
        return 0.0
    lo, hi, codec = (0xB0, 0xD7, "gb2312") if encoding == "gb18030" else (0xA4, 0xC6, "big5")
    common = 0
    for c in chars:
        try:
            b = c.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(b) == 2 and lo <= b[0] <= hi:
            common += 1
    return common / len(chars)


def detect_dbf_encoding(dbf: Path) -> tuple[str | None, str]:
    """Guess the text encoding of a .dbf that has no .cpg.

    Returns ``(encoding or None, reason)``; None means GDAL's own choice is right (pure
    ASCII text, or an LDID GDAL understands).
    """
    ldid, raw = _dbf_text_bytes(dbf)
    if not any(b > 127 for b in raw):
        return None, "text is ASCII"
    try:
        raw.decode("utf-8")
        return "utf-8", "text decodes as UTF-8"
    except UnicodeDecodeError:
        pass
    if ldid in _CHINESE_LDIDS:
        return _CHINESE_LDIDS[
            ldid
        ], f"the .dbf language driver id 0x{ldid:02X} says {_CHINESE_LDIDS[ldid]}"
    best, best_score = None, -1.0
    for enc in settings.DBF_FALLBACK_ENCODINGS[1:]:
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        score = _score(text, enc)
        if score > best_score:
            best, best_score = enc, score
    if best is None:
        return None, "text matches no known encoding"
    return best, f"no .cpg; the text reads as {best} ({best_score:.0%} common characters)"


def _shapefile_encoding(path: Path, declared: str | None, notes: list[str]) -> str | None:
    if declared:
        return declared
    if path.suffix.lower() not in (".shp", ".dbf"):
        return None
    if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return None
    dbf = path.with_suffix(".dbf")
    if not dbf.exists():
        return None
    encoding, reason = detect_dbf_encoding(dbf)
    if encoding:
        notes.append(
            f"{path.name}: text encoding {encoding} ({reason}); "
            f'set encoding = "..." in park.toml to override'
        )
    return encoding


def layer_names(path: Path) -> list[str]:
    """Names of the layers GDAL finds in *path* (one for a Shapefile or GeoJSON).

    Raises
    ------
    LayerReadError
        GDAL cannot open the file.
    """
    try:
        return [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except (DataSourceError, DataLayerError) as exc:
        raise LayerReadError(f"{path}: GDAL cannot open it ({exc}). Is it a GIS file?") from None


def read_source(
    path: Path, *, layer: str | None = None, encoding: str | None = None, sheet: str | None = None
) -> RawSource:
    """Read a spatial layer (GDAL) or a table (CSV/XLSX) with its source field names.

    Raises
    ------
    LayerReadError
        The file is missing or GDAL cannot open it or the named layer.
    """
    path = Path(path)
    if not path.exists():
        raise LayerReadError(f"{path}: file not found. Check `source` in park.toml.")
    if path.suffix.lower() in TABLE_SUFFIXES:
        return read_table(path, encoding=encoding, sheet=sheet)
    notes: list[str] = []
    enc = _shapefile_encoding(path, encoding, notes)
    names = layer_names(path)
    if layer is None and len(names) > 1:
        raise LayerReadError(
            f"{path} holds {len(names)} layers ({', '.join(names)}); name one with "
            'layer = "..." in park.toml.'
        )
    if layer is not None and layer not in names:
        raise LayerReadError(
            f"{path}: no layer {layer!r}; it holds {', '.join(names)}. Fix `layer` in park.toml."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(path, layer=layer, encoding=enc)
    except (DataSourceError, DataLayerError, UnicodeDecodeError, ValueError) as exc:
        raise LayerReadError(f"{path}: cannot read layer {layer or names[0]!r}: {exc}") from None
    return RawSource(frame=frame, path=path, encoding=enc, notes=notes)


def read_table(path: Path, **options) -> RawSource:
    """Read a CSV, XLSX or XLS table with every cell as text (types are set on import).

    *options* are those of :func:`read_tables`; the header row is found below any title rows
    (:func:`geo.io.sheets.find_header`); a workbook read without ``sheet`` gives its first
    sheet (a note names the others).
    """
    return read_tables(path, **options)[0]


def read_tables(path: Path, **options) -> list[RawSource]:
    """Every table of a CSV or workbook, each with its sheet and the sheet row number of each
    of its rows; *options* (``encoding``, ``sheet``, ``header_row``, ``expected``, ``key``,
    ``every_sheet``) are those of :func:`geo.io.sheets.read_sheets`."""
    path = Path(path)
    if not path.exists():
        raise LayerReadError(f"{path}: file not found. Check `source` in park.toml.")
    return [
        RawSource(
            frame=t.frame,
            path=path,
            encoding=t.encoding,
            notes=t.notes,
            sheet=t.sheet,
            stored_as=t.stored_as,
            rows=t.rows,
        )
        for t in read_sheets(path, **options)
    ]
