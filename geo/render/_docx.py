"""The Word document of the briefing: page, fonts, fitted tables, captions, page numbers.

python-docx with the conventions of Chinese official documents (GB/T 9704-2012): A4 with
its margins, fonts by role from ``geo/data/fonts.toml`` (the GB/T 9704 names asked for,
Windows fallbacks written as alternate names into the font table), page numbers ``— 1 —``
in 4号宋体 on the outer side. Tables get column widths fitted to their text and to the
text width, a header row repeated on every page, rows that never split across pages;
figures are kept on the page of their caption.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache
from pathlib import Path

from geo.domain.tables import data_table
from geo.io.files import write_atomic

__all__ = ["PAGE_CM", "BriefDocument", "fit_widths", "font_roles", "text_width_cm"]

#: Page: A4 with the margins of official documents (GB/T 9704); text width 15.6 cm.
PAGE_CM = {"width": 21.0, "height": 29.7, "top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}
TEXT_WIDTH_CM = PAGE_CM["width"] - PAGE_CM["left"] - PAGE_CM["right"]
#: Left plus right cell margin of a table cell (Word's default 0.19 cm each), its borders
#: and some air.
CELL_PAD_CM = 0.5
_CM_PER_PT = 2.54 / 72


@cache
def font_roles() -> dict[str, dict]:
    """The fonts of the briefing by role (title, heading, body, table ...): ``fonts.toml``."""
    return data_table("fonts.toml")


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


#: Width in em of Latin characters in the widest fallback fonts (DejaVu Serif on Linux):
#: narrow punctuation and letters, wide ones; every other character 0.64 em.
_NARROW = frozenset(".,:;'!|ijlrtf()[] ")
_BROAD = frozenset("%mwMWOQGDHNU@&")


def _em(ch: str) -> float:
    if _wide(ch):
        return 1.0
    if ch in _NARROW:
        return 0.36
    if ch in _BROAD:
        return 0.96
    return 0.64


def text_width_cm(text: str, size_pt: float) -> float:
    """Width of *text* set at *size_pt*: a Chinese character is one em; Latin ones as wide
    as in the widest fallback font (DejaVu Serif), so a column fitted here fits anywhere."""
    return sum(_em(ch) for ch in text) * size_pt * _CM_PER_PT


@cache
def _pieces() -> re.Pattern:
    """What a line may not break inside: a bracketed phrase （按期）, a number with its unit
    (18.62万m², 1.523 km², 76.2%), a Latin word, a single Chinese character."""
    from geo.domain.quantities import unit_symbol
    from geo.domain.units import _spellings

    symbols = {unit_symbol(code, lang) for code in _spellings()["display"] for lang in ("zh", "en")}
    # a unit of several words (thousand m²) may wrap like words; one of one word may not
    symbols = {u for u in symbols if u and " " not in u}
    units = "|".join(re.escape(u) for u in sorted(symbols, key=len, reverse=True))
    return re.compile(
        rf"（[^）]*）|\([^)]*\)|[-+]?\d[\d.,]*\s?(?:{units})?|"
        r"[^\s\u3000-\u9fff\uff00-\uffef]+|[\u3000-\u9fff\uff00-\uffef]"
    )


def _unbreakable(text: str) -> list[str]:
    return _pieces().findall(text)


def fit_widths(
    header: list[str], rows: list[list[str]], *, size_pt: float, total_cm: float
) -> list[float]:
    """Column widths (cm) summing to *total_cm*, fitted to the text of each column.

    Each column gets at least the width of its longest unbreakable piece (no word is ever
    broken, no quantity parted from its unit), and the rest of the
    width goes first to the columns that need little more to show their longest cell on
    one line, then to the others in proportion to what they need. When every column fits
    on one line the spare width is shared in proportion to the columns' widths.
    """
    columns = list(zip(*([header, *rows]), strict=True))

    least = [
        max((text_width_cm(p, size_pt) for t in col for p in _unbreakable(t)), default=0.0)
        + CELL_PAD_CM
        for col in columns
    ]
    natural = [
        max(max(text_width_cm(t, size_pt) for t in col) + CELL_PAD_CM, low)
        for col, low in zip(columns, least, strict=True)
    ]
    if sum(natural) <= total_cm:
        return [w * total_cm / sum(natural) for w in natural]
    if sum(least) >= total_cm:
        return [w * total_cm / sum(least) for w in least]
    # the spare width goes first to the columns that need least to fit on one line (a
    # status, a short name), then what is left is shared by the long ones
    widths = list(least)
    spare = total_cm - sum(least)
    want = {i: n - low for i, (n, low) in enumerate(zip(natural, least, strict=True))}
    for i in sorted(want, key=want.get):
        if want[i] <= spare / max(len(want), 1):
            widths[i] += want.pop(i)
            spare -= widths[i] - least[i]
    rest = sum(want.values())
    for i, w in want.items():
        widths[i] += spare * w / rest
    return widths


@cache
def _number_space() -> re.Pattern:
    """A space between a number and the unit symbol after it (geo/data/units.toml)."""
    from geo.domain.quantities import unit_symbol
    from geo.domain.units import _spellings

    symbols = {unit_symbol(code, lang) for code in _spellings()["display"] for lang in ("zh", "en")}
    firsts = {u.split(" ")[0] for u in symbols if u and u[0].isascii()}
    alternatives = "|".join(re.escape(u) for u in sorted(firsts, key=len, reverse=True))
    return re.compile(rf"(?<=\d) (?=(?:{alternatives})(?![A-Za-z]))")


def _no_break(text: str) -> str:
    """*text* with a no-break space between a number and its unit (1.523 km²)."""
    return _number_space().sub("\u00a0", text)


#: A table of at most this many rows is kept on one page.
SHORT_TABLE_ROWS = 12


def _keep_row(r: int, rows: int) -> bool:
    """Whether row *r* (0: the header) of a table with *rows* body rows is kept with the
    next: every row of a short table; in a long one the header with two rows and the last
    three rows together, so it may break anywhere else."""
    if r >= rows:
        return False
    return rows <= SHORT_TABLE_ROWS or r < 2 or r >= rows - 2


class BriefDocument:
    """A python-docx Document with the page, fonts, tables and footer of the briefing."""

    def __init__(self, lang: str):
        from docx import Document
        from docx.shared import Cm

        self.lang = lang
        self.roles = font_roles()
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(PAGE_CM["width"]), Cm(PAGE_CM["height"])
        section.top_margin, section.bottom_margin = Cm(PAGE_CM["top"]), Cm(PAGE_CM["bottom"])
        section.left_margin, section.right_margin = Cm(PAGE_CM["left"]), Cm(PAGE_CM["right"])
        self.text_width = Cm(TEXT_WIDTH_CM)
        normal = self.doc.styles["Normal"]
        self._set_font(normal.font, normal.element, "body")
        normal.paragraph_format.line_spacing = 1.25
        normal.paragraph_format.widow_control = True
        for name, role in (("Title", "title"), ("Heading 1", "heading"), ("Heading 2", "heading")):
            style = self.doc.styles[name]
            self._set_font(style.font, style.element, role)
            style.font.bold = False
            style.font.color.rgb = None
            style.font.italic = False
            style.paragraph_format.keep_with_next = True
        self._font_table()
        self._page_numbers()

    # ------------------------------------------------------------------ fonts

    def font(self, role: str) -> str:
        """The font name the document asks for in *role* (the GB/T 9704 name)."""
        return self.roles[role]["names"][0]

    def _set_font(self, font, element, role: str, size: float | None = None) -> None:
        from docx.oxml.ns import qn
        from docx.shared import Pt

        latin = self.roles["latin"]["names"][0]
        font.name = latin
        font.size = Pt(size or self.roles[role]["size"])
        rpr = element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs"):
            fonts.set(qn(attr), latin)
        fonts.set(qn("w:eastAsia"), self.font(role))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)

    def _font_table(self) -> None:
        """Name each font's fallbacks in the document's font table (``w:altName``): Word and
        WPS substitute the alternate when the font is missing."""
        from lxml import etree

        part = next(
            p for p in self.doc.part.package.iter_parts() if p.partname.endswith("fontTable.xml")
        )
        root = etree.fromstring(part.blob)
        w = root.nsmap["w"]
        seen: set[str] = set()
        for role in self.roles.values():
            names = role["names"]
            for name, fallback in itertools.pairwise(names):
                if name in seen:
                    continue
                seen.add(name)
                font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
                etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": fallback})
                cjk = any(_wide(ch) for ch in name) or "CJK" in name or name in ("SimHei",)
                etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86" if cjk else "00"})
                etree.SubElement(font, f"{{{w}}}family", {f"{{{w}}}val": "auto"})
                etree.SubElement(font, f"{{{w}}}pitch", {f"{{{w}}}val": "variable"})
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def run(self, paragraph, text: str, role: str = "body", *, size: float | None = None):
        run = paragraph.add_run(_no_break(text))
        self._set_font(run.font, run._element, role, size)
        run.font.bold = bool(self.roles[role].get("bold")) or None
        return run

    # ------------------------------------------------------------------ footer

    def _page_numbers(self) -> None:
        """``— 1 —`` in 4号宋体: odd pages on the right, even pages on the left (GB/T 9704)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            self.run(p, "— ", "page_number")
            self._field(p, "PAGE")
            self.run(p, " —", "page_number")

    def _field(self, paragraph, code: str) -> None:
        from docx.oxml.ns import qn

        for kind, text in (("begin", None), ("instr", f" {code} "), ("separate", None),
                           ("text", "1"), ("end", None)):  # fmt: skip
            run = self.run(paragraph, "", "page_number")
            if kind == "instr":
                el = run._element.makeelement(qn("w:instrText"), {})
                el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                el.text = text
            elif kind == "text":
                run.text = text
                continue
            else:
                el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
            run._element.append(el)

    # ------------------------------------------------------------------ blocks

    def title(self, text: str, lines: list[str]) -> None:
        """The title in 2号小标宋, centred, then the lines of the title block (编制单位, date)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(style="Title")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run(p, text, "title")
        for line in lines:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.run(p, line, "body")

    def heading(self, text: str, level: int = 1) -> None:
        p = self.doc.add_heading(level=level)
        self.run(p, text, "heading", size=None if level == 1 else self.roles["body"]["size"])

    def paragraph(self, text: str, *, role: str = "body", indent: bool = True, keep=False):
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        size = self.roles[role]["size"]
        if indent and self.lang == "zh":
            p.paragraph_format.first_line_indent = Pt(size * 2)
        p.paragraph_format.keep_with_next = keep
        if size < self.roles["body"]["size"]:  # notes: set close, as a table's footnotes
            p.paragraph_format.line_spacing = 1.0
            p.paragraph_format.space_after = Pt(0)
        self.run(p, text, role)
        return p

    def figure(self, path: Path, caption: str) -> None:
        """A picture at the text width and its caption below it, on the same page."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.keep_with_next = True  # the caption comes with the picture
        p.add_run().add_picture(str(path), width=self.text_width)
        if caption:
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.run(p, caption, "caption")

    def table(self, header: list[str], rows: list[list[str]], numeric=frozenset()) -> list:
        """A grid table at the text width with fitted columns (:func:`fit_widths`), the
        header row shaded and repeated on each page, rows never split, a short table kept
        whole and a long one never leaving its header or its last row alone on a page
        (:func:`_keep_row`). Returns the widths (cm)."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm

        rows = [[str(v) for v in r] for r in rows]
        size = self.roles["table"]["size"]
        widths = fit_widths(header, rows, size_pt=size, total_cm=TEXT_WIDTH_CM)
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        tblpr = table._tbl.tblPr
        tblw = tblpr.find(qn("w:tblW"))
        tblw.set(qn("w:type"), "dxa")
        tblw.set(qn("w:w"), str(round(TEXT_WIDTH_CM / 2.54 * 1440)))
        for c, width in enumerate(widths):
            table.columns[c].width = Cm(width)
        for r, values in enumerate([header, *rows]):
            row = table.rows[r]
            trpr = row._tr.get_or_add_trPr()
            trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
            if r == 0:
                trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
            for c, value in enumerate(values):
                cell = row.cells[c]
                cell.width = Cm(widths[c])
                p = cell.paragraphs[0]
                p.paragraph_format.first_line_indent = 0
                p.paragraph_format.line_spacing = 1.0
                p.paragraph_format.keep_with_next = _keep_row(r, len(rows))
                if r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    tcpr = cell._tc.get_or_add_tcPr()
                    tcpr.append(
                        tcpr.makeelement(
                            qn("w:shd"),
                            {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): "D9D9D9"},
                        )
                    )
                elif c in numeric:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                self.run(p, value, "table_header" if r == 0 else "table")
        self.doc.add_paragraph()
        return widths

    def save(self, path: Path) -> Path:
        return write_atomic(path, self.doc.save)
