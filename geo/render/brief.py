"""The Word briefing (工作简报): goals, chart, snapshots, roads, projects and land checks.

Written with python-docx on an A4 page in the conventions of Chinese official documents
where the fonts exist: headings in 黑体 (SimHei, else Noto Sans CJK SC), body in 仿宋
(FangSong, else Noto Serif CJK SC), set as the East Asian font (``w:eastAsia``) so Word
uses them for Chinese text. Tables fit the text width; images are sized to it. The
figures are those of ``parkgeo status --json`` (goals), ``parkgeo roads`` and
``parkgeo check``, on the same date.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geo.domain.tables import label, vocabulary
from geo.errors import GoalError, ParkGeoError
from geo.io.files import write_atomic

__all__ = [
    "Brief",
    "brief_fonts",
    "write_brief",
]

#: Page: A4 with the margins of official documents (GB/T 9704); text width 15.6 cm.
PAGE_CM = {"width": 21.0, "height": 29.7, "top": 3.7, "bottom": 3.5, "left": 2.8, "right": 2.6}

_HEADING_FONTS = ("SimHei", "Noto Sans CJK SC")
_BODY_FONTS = ("FangSong", "FangSong_GB2312", "STFangsong", "Noto Serif CJK SC")


def _t(key: str, lang: str, **kwargs) -> str:
    """A text of the briefing (``brief_*`` in labels.toml), formatted with *kwargs*."""
    return label(f"brief_{key}", lang).format(**kwargs)


def _word(prefix: str, value: str, lang: str) -> str:
    """A goal status or finding severity in *lang* (``status_*``, ``severity_*``)."""
    try:
        return label(f"{prefix}_{value.replace(' ', '_')}", lang)
    except ParkGeoError:
        return value


@dataclass(frozen=True)
class Brief:
    """A written briefing: its file and what it holds (for the CLI and tests)."""

    path: Path
    renderer: str
    goals: list[dict]
    roads: list[str]
    projects: dict[str, list[str]]
    findings: dict[str, int]
    images: list[str] = field(default_factory=list)
    note: str = ""


# ---------------------------------------------------------------------------- content


def brief_fonts() -> tuple[str, str]:
    """(heading font, body font): 黑体 and 仿宋 when installed, else Noto Sans/Serif CJK SC.

    When none of them is installed the Windows names SimHei and FangSong are written, which
    Word on the reader's machine usually has.
    """
    from matplotlib import font_manager

    names = {entry.name for entry in font_manager.fontManager.ttflist}
    heading = next((f for f in _HEADING_FONTS if f in names), _HEADING_FONTS[0])
    body = next((f for f in _BODY_FONTS if f in names), _BODY_FONTS[0])
    return heading, body


# ---------------------------------------------------------------------------- docx helpers


class _Doc:
    """A python-docx Document with the page, fonts and table style of the briefing."""

    def __init__(self, lang: str):
        from docx import Document
        from docx.shared import Cm, Pt

        self.lang = lang
        self.heading_font, self.body_font = brief_fonts()
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Cm(PAGE_CM["width"]), Cm(PAGE_CM["height"])
        section.top_margin, section.bottom_margin = Cm(PAGE_CM["top"]), Cm(PAGE_CM["bottom"])
        section.left_margin, section.right_margin = Cm(PAGE_CM["left"]), Cm(PAGE_CM["right"])
        self.text_width = Cm(PAGE_CM["width"] - PAGE_CM["left"] - PAGE_CM["right"])
        normal = self.doc.styles["Normal"]
        self._set_font(normal.font, normal.element, self.body_font, Pt(14))
        normal.paragraph_format.line_spacing = 1.25
        for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14)):
            style = self.doc.styles[name]
            self._set_font(style.font, style.element, self.heading_font, Pt(size))
            style.font.bold = True
            style.font.color.rgb = None
            style.font.italic = False

    @staticmethod
    def _set_font(font, element, name: str, size) -> None:
        from docx.oxml.ns import qn

        font.name = name
        font.size = size
        rpr = element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
            fonts.set(qn(attr), name)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)

    def run_font(self, run, name: str | None = None, size: float | None = None, bold=None):
        from docx.shared import Pt

        self._set_font(run.font, run._element, name or self.body_font, Pt(size or 14))
        if bold is not None:
            run.font.bold = bold

    def title(self, text: str, subtitle: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph(style="Title")
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run_font(p.add_run(text), self.heading_font, 22, bold=True)
        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run_font(p.add_run(subtitle), self.body_font, 14)

    def heading(self, text: str, level: int = 1) -> None:
        p = self.doc.add_heading(level=level)
        self.run_font(p.add_run(text), self.heading_font, 16 if level == 1 else 14, bold=True)

    def paragraph(self, text: str, *, size: float = 14, indent: bool = True) -> None:
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        if indent and self.lang == "zh":
            p.paragraph_format.first_line_indent = Pt(size * 2)
        self.run_font(p.add_run(text), self.body_font, size)

    def caption(self, text: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.run_font(p.add_run(text), self.heading_font, 12)

    def image(self, path: Path) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        p = self.doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.add_run().add_picture(str(path), width=self.text_width)

    def table(
        self,
        header: list[str],
        rows: list[list[str]],
        widths_cm: list[float],
        numeric: set[int] = frozenset(),
    ) -> None:
        """A grid table at the text width, header row shaded and repeated on each page."""
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml.ns import qn
        from docx.shared import Cm

        total = sum(widths_cm)
        usable = PAGE_CM["width"] - PAGE_CM["left"] - PAGE_CM["right"]
        widths = [Cm(w * usable / total) for w in widths_cm]
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for r, values in enumerate([header, *rows]):
            row = table.rows[r]
            if r == 0:
                trpr = row._tr.get_or_add_trPr()
                trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))
            for c, value in enumerate(values):
                cell = row.cells[c]
                cell.width = widths[c]
                p = cell.paragraphs[0]
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
                self.run_font(
                    p.add_run(str(value)),
                    self.heading_font if r == 0 else self.body_font,
                    10.5,
                    bold=r == 0 or None,
                )
        self.doc.add_paragraph()

    def save(self, path: Path) -> Path:
        return write_atomic(path, self.doc.save)


# ---------------------------------------------------------------------------- the briefing


def write_brief(
    store,
    manifest,
    path: Path | str,
    *,
    as_of: dt.date,
    lang: str = "zh",
    renderer: str = "auto",
    browser: str | Path | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Brief:
    """Write the Word briefing of the park on *as_of* to *path* (.docx).

    Sections: title and date; goals table (goal, period, unit, target, achieved, %,
    status: the figures of ``parkgeo status --json``) and the developed-area chart; the
    park snapshot; per road under construction its snapshot and progress by work item;
    projects by stage (started, completed, in production); the land checks (findings per
    rule, the errors listed, the allocated area).

    Parameters
    ----------
    store, manifest
        The project.
    path
        The .docx to write (written to a temporary file, then renamed).
    as_of
        Date of every figure.
    lang
        ``zh`` or ``en``.
    renderer, browser
        Snapshot renderer (see :class:`geo.render.snapshot.SnapshotSession`).
    on_step
        Called with the name of each part as its work starts (for a progress display).

    Raises
    ------
    ParkGeoError
        For a bad language or renderer, or no browser when ``renderer="browser"``.
    """
    from geo.analysis.checks import check_project
    from geo.analysis.goals import GoalWarning, goals_json, measure_goals
    from geo.analysis.projects import projects_by_stage, roads_under_construction
    from geo.analysis.roads import roads_status
    from geo.domain.quantities import goal_texts
    from geo.render.chart import goals_chart
    from geo.render.snapshot import SnapshotOptions, SnapshotSession

    if lang not in ("zh", "en"):
        raise ParkGeoError(f"unknown language {lang!r}; use zh or en")
    step = on_step or (lambda _what: None)
    doc = _Doc(lang)
    name = manifest.name if lang == "zh" else manifest.name_en
    doc.title(_t("title", lang, name=name), f"{label('as_of', lang)} {as_of.isoformat()}")
    images: list[str] = []

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalWarning)
        results = measure_goals(store, as_of=as_of, crs=manifest.crs)
    goals = goals_json(results)
    with (
        tempfile.TemporaryDirectory(prefix="parkgeo-brief-") as tmp_name,
        SnapshotSession(renderer=renderer, browser=browser) as session,
    ):
        tmp = Path(tmp_name)
        # 1. goals
        step("goals")
        doc.heading(_t("goals", lang))
        if goals:
            texts = [goal_texts(g, lang) for g in goals]
            doc.table(
                [
                    _t("goal", lang),
                    _t("period", lang),
                    _t("unit", lang),
                    label("target", lang),
                    label("achieved", lang),
                    _t("percent", lang),
                    _t("status", lang),
                ],
                [
                    [t.metric, t.period, t.unit, t.target, t.achieved, t.percent, t.status]
                    for t in texts
                ],
                [4.4, 1.6, 1.4, 1.6, 1.8, 1.8, 1.8],
                numeric={3, 4, 5},
            )
            notes = [f"{g['id']} {t.metric}：{t.note}" for g, t in zip(goals, texts, strict=True)]
            doc.paragraph(_t("notes", lang), size=10.5, indent=False)
            for note in notes:
                doc.paragraph(note, size=10.5, indent=False)
        try:
            chart = goals_chart(results, tmp / "goals.png", as_of=as_of, lang=lang)
        except GoalError:
            doc.paragraph(_t("no_chart", lang))
        else:
            doc.image(chart)
            doc.caption(_t("chart", lang))
            images.append("goals_chart")

        # 2. park snapshot
        step("park snapshot")
        doc.heading(_t("map", lang))
        park = session.render(
            store,
            manifest,
            tmp / "park.png",
            SnapshotOptions(as_of=as_of, lang=lang, size=(1600, 1000), scale=2),
        )
        doc.image(park.path)
        doc.caption(_t("map_caption", lang))
        images.append("park")

        # 3. roads under construction
        doc.heading(_t("roads", lang))
        result = roads_status(store, manifest, as_of=as_of)
        building = roads_under_construction(result)
        if not building:
            doc.paragraph(_t("no_roads", lang))
        stages = vocabulary("road")
        for road in building:
            doc.heading(
                f"{road.name}（{road.id}，{road.start_label}–{road.end_label}）"
                if lang == "zh"
                else f"{road.name} ({road.id}, {road.start_label}–{road.end_label})",
                level=2,
            )
            step(f"road {road.id} snapshot")
            shot = session.render(
                store,
                manifest,
                tmp / f"road_{road.id}.png",
                SnapshotOptions(
                    as_of=as_of, extent=f"road:{road.id}", lang=lang, size=(1600, 800), scale=2
                ),
            )
            doc.image(shot.path)
            images.append(f"road:{road.id}")
            rows = []
            for item in road.items:
                own = [s for s in road.sections if s["item"] == item.code]
                counts = [
                    f"{stage.label(lang)} {n}"
                    for stage in stages
                    if (n := sum(s["stage"] == stage.code for s in own))
                ]
                rows.append(
                    [
                        item.label(lang),
                        f"{item.done_m:,.1f}",
                        f"{item.percent:.1f}%",
                        "，".join(counts) if lang == "zh" else ", ".join(counts),
                    ]
                )
            doc.table(
                [
                    label("item", lang),
                    _t("done_m", lang),
                    _t("done_pct", lang),
                    _t("sections", lang),
                ],
                rows,
                [2.5, 3.0, 2.5, 6.0],
                numeric={1, 2},
            )

        # 4. projects by stage
        step("projects")
        doc.heading(_t("projects", lang))
        projects = projects_by_stage(
            store.read_kind("projects"),
            store.read_kind("parcels"),
            store.read_kind("progress"),
            as_of=as_of,
        )
        land = {s.code: s for s in vocabulary("land")}
        sep = "、" if lang == "zh" else ", "
        rows = [
            [land[code].label(lang), str(len(names)), sep.join(names)]
            for code, names in projects.items()
        ]
        rows.append([_t("total", lang), str(sum(len(v) for v in projects.values())), ""])
        doc.table(
            [label("stage", lang), _t("count", lang), _t("projects_col", lang)],
            rows,
            [2.6, 1.6, 11.4],
            numeric={1},
        )

        # 5. land checks
        step("land checks")
        doc.heading(_t("checks", lang))
        checks = check_project(store, manifest, as_of=as_of)
        counts = checks.counts()
        allocated = checks.summary["allocated"]
        doc.paragraph(
            _t(
                "summary",
                lang,
                date=as_of.isoformat(),
                n=allocated["count"],
                mu=f"{allocated['area_mu']:,.1f}",
                ha=f"{allocated['area_ha']:,.2f}",
                e=counts["error"],
                w=counts["warning"],
            )
        )
        per_rule: dict[str, list] = {}
        for f in checks.findings:
            per_rule.setdefault(f.rule, []).append(f)
        if per_rule:
            from geo.analysis.checks import rule_table

            table = rule_table()
            doc.table(
                [label("rule", lang), label("severity", lang), _t("count", lang)],
                [
                    [
                        table[r].title(lang),
                        _word("severity", fs[0].severity, lang),
                        str(len(fs)),
                    ]
                    for r, fs in per_rule.items()
                ],
                [9.0, 2.5, 2.0],
                numeric={2},
            )
            if checks.errors:
                doc.paragraph(_t("errors", lang), indent=False)
                doc.table(
                    ["#", label("rule", lang), label("id", lang), label("message", lang)],
                    [
                        [
                            str(i),
                            table[f.rule].title(lang),
                            "；".join(f.ids) if lang == "zh" else "; ".join(f.ids),
                            f.message_zh if lang == "zh" else f.message_en,
                        ]
                        for i, f in enumerate(checks.errors, 1)
                    ],
                    [0.8, 3.2, 3.0, 8.6],
                )
        else:
            doc.paragraph(_t("no_findings", lang))
        renderer_used, note = session.renderer, session.note
        out = doc.save(Path(path))
    return Brief(
        path=out,
        renderer=renderer_used,
        goals=goals,
        roads=[r.id for r in building],
        projects=projects,
        findings={**counts, **{r: len(fs) for r, fs in per_rule.items()}},
        images=images,
        note=note,
    )
