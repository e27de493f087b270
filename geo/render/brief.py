"""The Word briefing (工作简报): goals, chart, snapshots, roads, projects and land checks.

Written with python-docx on an A4 page in the conventions of Chinese official documents
(GB/T 9704; page, fonts, fitted tables, captions and page numbers: :mod:`geo.render._docx`).
Every figure is written as :mod:`geo.domain.quantities` writes it in every other output;
the figures are those of ``parkgeo status --json`` (goals), ``parkgeo roads`` and
``parkgeo check``, on the same date.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geo.domain.quantities import format_number, format_percent, format_quantity, goal_texts
from geo.domain.tables import label, vocabulary
from geo.errors import GoalError, ParkGeoError
from geo.render._brief_intensity import intensity_part
from geo.render._docx import PAGE_CM, TEXT_WIDTH_CM, BriefDocument, font_roles

__all__ = ["PAGE_CM", "Brief", "brief_fonts", "opening_summary", "write_brief"]


#: The park map of the briefing: a little taller than wide-screen, and the layers whose
#: legend fits beside the map at 9 pt when placed at the text width.
PARK_ASPECT = 1.25
PARK_LAYERS = ("zones", "parcels", "roads", "findings")


def _t(key: str, lang: str, **kwargs) -> str:
    """A text of the briefing (``brief_*`` in labels.toml), formatted with *kwargs*."""
    return label(f"brief_{key}", lang).format(**kwargs)


def _word(prefix: str, value: str, lang: str) -> str:
    """A finding severity in *lang* (``severity_*``)."""
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
    pdf: Path | None = None


def brief_fonts() -> dict[str, list[str]]:
    """The fonts of the briefing by role: the GB/T 9704 name first, then its fallbacks
    (Windows, then Noto CJK), from ``geo/data/fonts.toml``."""
    return {role: list(spec["names"]) for role, spec in font_roles().items()}


def _long_date(day: dt.date, lang: str) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.strftime("%d %B %Y")


def opening_summary(goals: list[dict], *, as_of: dt.date, lang: str = "zh") -> str:
    """The briefing's opening sentence: each goal of the period holding *as_of* that has
    figures, what was achieved and the share of the target (「截至2024年9月30日，新开发建设
    园区面积1.523平方公里，完成年度目标的76.2%；……」). "" when no such goal has figures."""
    parts = []
    for goal in goals:
        start, end = goal["period_start"], goal["period_end"]
        if goal.get("achieved") is None or not start <= as_of.isoformat() <= end:
            continue
        t = goal_texts(goal, lang)
        achieved = format_quantity(goal["achieved"], goal["unit"], lang, prose=True)
        parts.append(_t("summary_goal", lang, metric=t.metric, achieved=achieved, pct=t.percent))
    if not parts:
        return ""
    sep = "；" if lang == "zh" else "; "
    return _t("opening", lang, date=_long_date(as_of, lang), goals=sep.join(parts))


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
    pdf: bool = False,
) -> Brief:
    """Write the Word briefing of the park on *as_of* to *path* (.docx).

    Sections: title block (title, 编制单位 and date from park.toml, as-of date) and an
    opening summary of the year's goals; goals table (goal, period, unit, target,
    achieved, %, status, written as :func:`geo.domain.quantities.goal_texts` writes them
    everywhere) with the goals' notes and the developed-area chart; the park snapshot;
    per road under construction its snapshot and progress by work item; projects by
    stage (how many projects and how many parcels); the land checks.

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
    pdf
        Also convert the .docx to PDF next to it with LibreOffice
        (:func:`geo.render.office.docx_to_pdf`).

    Raises
    ------
    ParkGeoError
        For a bad language or renderer, or no browser when ``renderer="browser"``;
        :class:`geo.errors.OfficeError` when *pdf* and LibreOffice fails.
    """
    from geo.analysis.goals import GoalWarning, goals_json, measure_goals
    from geo.render.snapshot import SnapshotSession

    if lang not in ("zh", "en"):
        raise ParkGeoError(f"unknown language {lang!r}; use zh or en")
    step = on_step or (lambda _what: None)
    doc = BriefDocument(lang)
    name = manifest.display_name(lang)
    block = [f"{label('as_of', lang)} {as_of.isoformat()}"]
    if manifest.organization:
        block.append(_t("issuer", lang, org=manifest.organization))
    block.append(_t("issued", lang, date=_long_date(manifest.issued_on or as_of, lang)))
    doc.title(_t("title", lang, name=name), block)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalWarning)
        results = measure_goals(store, as_of=as_of, crs=manifest.crs)
    goals = goals_json(results)
    summary = opening_summary(goals, as_of=as_of, lang=lang)
    if summary:
        doc.paragraph(summary)
    images: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="parkgeo-brief-") as tmp_name,
        SnapshotSession(renderer=renderer, browser=browser) as session,
    ):
        tmp = Path(tmp_name)
        step("goals")
        images += _goals_part(doc, results, goals, tmp, as_of=as_of, lang=lang)
        step("park snapshot")
        images += _park_part(doc, session, store, manifest, tmp, as_of=as_of, lang=lang)
        building, road_images = _roads_part(
            doc, session, store, manifest, tmp, as_of=as_of, lang=lang, step=step
        )
        images += road_images
        step("projects")
        projects = _projects_part(doc, store, as_of=as_of, lang=lang)
        step("land checks")
        findings = _checks_part(doc, store, manifest, as_of=as_of, lang=lang)
        step("land-use intensity")
        intensity_part(doc, store, manifest, as_of=as_of, lang=lang)
        renderer_used, note = session.renderer, session.note
        out = doc.save(Path(path))
    pdf_path = None
    if pdf:
        from geo.render.office import docx_to_pdf

        step("pdf")
        pdf_path = docx_to_pdf(out)
    return Brief(
        path=out,
        renderer=renderer_used,
        goals=goals,
        roads=[r.id for r in building],
        projects=projects,
        findings=findings,
        images=images,
        note=note,
        pdf=pdf_path,
    )


def _goals_part(doc, results, goals, tmp: Path, *, as_of, lang) -> list[str]:
    from geo.render.chart import goals_chart

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
                [
                    t.metric,
                    t.period,
                    t.unit,
                    t.target_number,
                    t.achieved_number,
                    t.percent,
                    t.status,
                ]
                for t in texts
            ],
            numeric={3, 4, 5},
        )
        notes = _grouped_notes(goals, texts, lang)
        if notes:
            doc.paragraph(_t("notes", lang), role="note", indent=False, keep=True)
            for i, note in enumerate(notes):
                doc.paragraph(note, role="note", indent=False, keep=i < len(notes) - 1)
    try:
        chart = goals_chart(results, tmp / "goals.png", as_of=as_of, lang=lang)
    except GoalError:
        doc.paragraph(_t("no_chart", lang))
        return []
    doc.figure(chart, _t("chart", lang))
    return ["goals_chart"]


def _grouped_notes(goals: list[dict], texts: list, lang: str) -> list[str]:
    """The goals' notes (说明 of the goals table), each distinct clause once with the goals
    it belongs to: a caveat shared by the eight 2028 goals is written once, not eight times."""
    by_clause: dict[str, list[str]] = {}
    for goal, t in zip(goals, texts, strict=True):
        for clause in t.note.replace(";", "；").split("；"):
            if clause.strip():
                by_clause.setdefault(clause.strip(), []).append(goal["id"])
    sep, comma = ("：", "、") if lang == "zh" else (": ", ", ")
    return [f"{comma.join(ids)}{sep}{clause}" for clause, ids in by_clause.items()]


def _park_part(doc, session, store, manifest, tmp: Path, *, as_of, lang) -> list[str]:
    from geo.render.snapshot import word_options

    doc.heading(_t("map", lang))
    # laid out for the text width: the legend prints at 9 pt; factories and housing stand
    # on their parcels, so the parcels' stages carry them and the legend fits beside
    options, _legend_pt = word_options(
        store,
        manifest,
        width_cm=TEXT_WIDTH_CM,
        as_of=as_of,
        lang=lang,
        aspect=PARK_ASPECT,
        layers=PARK_LAYERS,
    )
    park = session.render(store, manifest, tmp / "park.png", options)
    doc.figure(park.path, _t("map_caption", lang))
    return ["park"]


def _roads_part(doc, session, store, manifest, tmp: Path, *, as_of, lang, step):
    from geo.analysis.projects import roads_under_construction, section_stage_counts
    from geo.analysis.roads import roads_status
    from geo.render.snapshot import extent_aspect, resolve_extent, word_options

    doc.heading(_t("roads", lang))
    building = roads_under_construction(roads_status(store, manifest, as_of=as_of))
    if not building:
        doc.paragraph(_t("no_roads", lang))
    images = []
    for n, road in enumerate(building, 3):
        title = (
            f"{road.name}（{road.id}，{road.start_label}–{road.end_label}）"
            if lang == "zh"
            else f"{road.name} ({road.id}, {road.start_label}–{road.end_label})"
        )
        doc.heading(title, level=2)
        step(f"road {road.id} snapshot")
        extent = f"road:{road.id}"
        # a north-south road gets a square frame here, not the 16 × 20 cm portrait: with
        # its heading and caption it must fit on one page
        tall = extent_aspect(resolve_extent(store, manifest, extent)) < 1
        options, _legend_pt = word_options(
            store,
            manifest,
            width_cm=TEXT_WIDTH_CM,
            extent=extent,
            as_of=as_of,
            lang=lang,
            aspect=1.0 if tall else None,
        )
        shot = session.render(store, manifest, tmp / f"road_{road.id}.png", options)
        doc.figure(shot.path, _t("road_figure", lang, n=n, name=road.name))
        images.append(f"road:{road.id}")
        rows = []
        for item in road.items:
            counts = [f"{st.label(lang)} {k}" for st, k in section_stage_counts(road, item.code)]
            rows.append(
                [
                    item.label(lang),
                    format_number(item.done_m, "m", lang),
                    format_percent(item.percent),
                    ("，" if lang == "zh" else ", ").join(counts),
                ]
            )
        doc.table(
            [label("item", lang), _t("done_m", lang), _t("done_pct", lang), _t("sections", lang)],
            rows,
            numeric={1, 2},
        )
    return building, images


def _projects_part(doc, store, *, as_of, lang) -> dict[str, list[str]]:
    """Projects by the furthest land stage of their parcels, with the number of projects
    and, said apart, the number of parcels at each stage."""
    from geo.analysis.progress import layer_state
    from geo.analysis.projects import projects_by_stage

    doc.heading(_t("projects", lang))
    table, parcels = store.read_kind("projects"), store.read_kind("parcels")
    projects = projects_by_stage(table, parcels, store.read_kind("progress"), as_of=as_of)
    stage_of: dict[str, int] = {}
    if parcels is not None and len(parcels):
        state = layer_state(
            parcels, store.read_kind("progress"), kind_name="parcels", as_of=as_of
        ).features
        stage_of = state["stage"].value_counts().to_dict()
    land = {s.code: s for s in vocabulary("land")}
    sep = "、" if lang == "zh" else ", "
    listed = sum(len(v) for v in projects.values())
    doc.paragraph(
        _t(
            "projects_note",
            lang,
            total=0 if table is None else len(table),
            listed=listed,
        ),
        keep=True,
    )
    rows = [
        [land[code].label(lang), str(len(names)), str(stage_of.get(code, 0)), sep.join(names)]
        for code, names in projects.items()
    ]
    rows.append(
        [_t("total", lang), str(listed), str(sum(stage_of.get(c, 0) for c in projects)), ""]
    )
    doc.table(
        [
            label("stage", lang),
            _t("count", lang),
            _t("parcel_count", lang),
            _t("projects_col", lang),
        ],
        rows,
        numeric={1, 2},
    )
    return projects


def _checks_part(doc, store, manifest, *, as_of, lang) -> dict[str, int]:
    from geo.analysis.checks import check_project, rule_table

    doc.heading(_t("checks", lang))
    checks = check_project(store, manifest, as_of=as_of)
    counts = checks.counts()
    allocated = checks.summary["allocated"]
    doc.paragraph(
        _t(
            "summary",
            lang,
            date=_long_date(as_of, lang),
            n=allocated["count"],
            mu=format_quantity(allocated["area_mu"], "mu", lang),
            ha=format_quantity(allocated["area_ha"], "ha", lang),
            e=counts["error"],
            w=counts["warning"],
        ),
        keep=True,
    )
    per_rule: dict[str, list] = {}
    for f in checks.findings:
        per_rule.setdefault(f.rule, []).append(f)
    if not per_rule:
        doc.paragraph(_t("no_findings", lang))
        return dict(counts)
    rules = rule_table()
    doc.table(
        [label("rule", lang), label("severity", lang), _t("findings_count", lang)],
        [
            [rules[r].title(lang), _word("severity", fs[0].severity, lang), str(len(fs))]
            for r, fs in per_rule.items()
        ],
        numeric={2},
    )
    if checks.errors:
        doc.paragraph(_t("errors", lang), indent=False, keep=True)
        doc.table(
            ["#", label("rule", lang), label("id", lang), label("message", lang)],
            [
                [
                    str(i),
                    rules[f.rule].title(lang),
                    ("；" if lang == "zh" else "; ").join(f.ids),
                    f.message_zh if lang == "zh" else f.message_en,
                ]
                for i, f in enumerate(checks.errors, 1)
            ],
        )
    return {**counts, **{r: len(fs) for r, fs in per_rule.items()}}
