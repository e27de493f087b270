"""Charts for Word briefings: developed park area per goal period against its goal.

Drawn with matplotlib's Agg canvas (no display, no pyplot state) in a CJK font found among
the installed fonts; colours are the stage colours of ``geo/data/stages.toml`` and the
interface text comes from ``geo/data/labels.toml``.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text

from geo.analysis.goals import GoalResult, developed_area_goals, goals_json
from geo.domain.quantities import format_number, goal_texts, unit_scale, unit_symbol
from geo.domain.tables import label, stages_for_kind
from geo.domain.units import convert, parse_unit
from geo.errors import GoalError, ParkGeoError

__all__ = ["CJK_FONTS", "cjk_font", "goals_chart", "goals_figure", "pixel_size"]

#: Font families tried in order for Chinese text (fonts-noto-cjk provides the first).
CJK_FONTS = (
    "Noto Sans CJK SC",
    "Noto Sans CJK",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
)


def cjk_font() -> font_manager.FontProperties:
    """A font that has Chinese glyphs, from :data:`CJK_FONTS` or any ``Noto Sans CJK``.

    Raises
    ------
    ParkGeoError
        When no such font is installed: a chart would show empty boxes (tofu) instead of
        Chinese text.
    """
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    for family in CJK_FONTS:
        if family in names:
            return font_manager.FontProperties(family=family)
    noto = sorted(n for n in names if n.startswith("Noto Sans CJK"))
    if noto:
        return font_manager.FontProperties(family=noto[0])
    raise ParkGeoError(
        "no font with Chinese glyphs found for the chart (tried "
        f"{', '.join(CJK_FONTS)}); install one, e.g. `apt-get install fonts-noto-cjk`, "
        "then delete matplotlib's font cache (~/.cache/matplotlib) and run again; "
        "or draw the chart in English (lang='en')"
    )


def pixel_size(width_cm: float, height_cm: float, dpi: int) -> tuple[int, int]:
    """Width and height in pixels of a chart *width_cm* × *height_cm* at *dpi*."""
    return round(width_cm / 2.54 * dpi), round(height_cm / 2.54 * dpi)


def _year(day: dt.date) -> float:
    """*day* as a fractional year (2024-07-01 → about 2024.5): the chart's time axis."""
    first = dt.date(day.year, 1, 1)
    days = (dt.date(day.year + 1, 1, 1) - first).days
    return day.year + (day - first).days / days


def _span(result: GoalResult) -> tuple[float, float]:
    """Start and end of a goal's period on the time axis (end: the day after it ends)."""
    return _year(result.period_start), _year(result.period_end + dt.timedelta(days=1))


def goals_figure(
    results: list[GoalResult],
    *,
    as_of: dt.date,
    lang: str = "zh",
    width_cm: float = 16.0,
    height_cm: float = 9.0,
    dpi: int = 200,
) -> Figure:
    """Developed area achieved in each goal period against the goal, on a time axis.

    Bars: target and achieved for every developed-area goal
    (:func:`geo.analysis.goals.developed_area_goals`) placed at their periods on a real
    time axis (years without a goal stay empty); the period holding *as_of* has its
    achieved bar hatched and marked with the date it runs to, and its straight-line
    projection to the period's end drawn as a dashed outline. Line: developed area to
    date at the end of each period that has begun. Figures and percentages are written
    as everywhere else (:func:`geo.domain.quantities.goal_texts`).

    Parameters
    ----------
    results
        Goals as measured by :func:`geo.analysis.goals.measure_goals` (others are ignored).
    as_of
        The date of the figures, shown in the title.
    lang
        ``zh`` or ``en`` for the text.
    width_cm, height_cm, dpi
        Size of the picture: 16 cm × 9 cm at 200 dpi fits a Word page's column.

    Raises
    ------
    GoalError
        When no goal measures developed area.
    ParkGeoError
        When *lang* is ``zh`` and no CJK font is installed.
    """
    goals = sorted(developed_area_goals(results), key=lambda r: r.period_start)
    if not goals:
        raise GoalError(
            "no goal measures developed area (a goals row with layer parcels and measure "
            "area, e.g. 新开发建设园区面积); nothing to chart"
        )
    try:
        font = cjk_font()
    except ParkGeoError:
        if lang == "zh":
            raise
        font = font_manager.FontProperties(family="DejaVu Sans")
    unit = parse_unit(goals[0].unit)
    vocab = stages_for_kind(goals[0].layer)
    reached = next((s for s in vocab if s.code == goals[0].stage), vocab[-1])
    colors = {"target": vocab[0].color, "achieved": reached.color, "line": vocab[-1].color}
    scale = unit_scale(unit.code, lang)

    def in_unit(value: float, result: GoalResult) -> float:
        return convert(value, parse_unit(result.unit), unit) * scale

    width_px, height_px = pixel_size(width_cm, height_cm, dpi)
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    json_rows = {row["id"]: row for row in goals_json(goals)}
    texts = {g.id: goal_texts(json_rows[g.id], lang) for g in goals}
    spans = {g.id: _span(g) for g in goals}
    bar = min(0.36, min(b - a for a, b in spans.values()) * 0.36)
    centre = {g.id: sum(spans[g.id]) / 2 for g in goals}
    ax.bar(
        [centre[g.id] - bar / 2 for g in goals],
        [in_unit(g.target, g) for g in goals],
        bar,
        color=colors["target"],
        label=label("target", lang),
    )

    # figures without their unit: the axis names it, and bars a year apart have room for
    # a number, not a number and a unit
    def figure(value: float | None, g: GoalResult) -> str:
        return format_number(value, g.unit, lang)

    for g in goals:
        ax.annotate(
            figure(g.target, g),
            (centre[g.id] - bar / 2, in_unit(g.target, g)),
            ha="center",
            va="bottom",
            fontsize=6.5,
        )
    done = [g for g in goals if g.status != "future" and g.achieved is not None]
    current = [g for g in done if g.period_start <= as_of < g.period_end]
    bars = ax.bar(
        [centre[g.id] + bar / 2 for g in done],
        [in_unit(g.achieved, g) for g in done],
        bar,
        color=colors["achieved"],
        edgecolor="white",
        linewidth=0,
        label=label("achieved", lang),
    )
    for patch, g in zip(bars, done, strict=True):
        if g in current:  # the period is not over: its figure is partial
            patch.set_hatch("////")
    for g in current:
        if g.projection is not None and g.projection > g.achieved:
            ax.bar(
                centre[g.id] + bar / 2,
                in_unit(g.projection - g.achieved, g),
                bar,
                bottom=in_unit(g.achieved, g),
                fill=False,
                edgecolor=colors["achieved"],
                linestyle="--",
                linewidth=0.9,
                label=label("chart_projection", lang),
            )
            ax.annotate(
                f"{label('chart_projection', lang)} {figure(g.projection, g)}",
                (centre[g.id] + bar, in_unit(g.projection, g)),
                xytext=(2, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=6.5,
            )
    for g in done:
        ax.annotate(
            f"{figure(g.achieved, g)}\n{texts[g.id].percent}",
            (centre[g.id] + bar / 2, in_unit(g.achieved, g)),
            ha="center",
            va="bottom",
            fontsize=6.5,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
        )
    cumulative = [
        (min(spans[g.id][1], _year(as_of)), in_unit(g.cumulative, g))
        for g in done
        if g.cumulative is not None
    ]
    if cumulative:
        to_date = label("to_date", lang)
        developed = label("developed", lang)
        ax.plot(
            [x for x, _ in cumulative],
            [v for _, v in cumulative],
            color=colors["line"],
            marker="o",
            markersize=3.5,
            linewidth=1.5,
            label=f"{to_date}{developed}" if lang == "zh" else f"{developed} ({to_date.lower()})",
        )
    first = min(a for a, _ in spans.values())
    last = max(b for _, b in spans.values())
    years = range(math.floor(first), math.ceil(last))
    partial = {g.period_start.year for g in current}
    note = label("chart_partial", lang).format(date=f"{as_of:%m-%d}")
    ax.set_xticks(
        [y + 0.5 for y in years], [f"{y}\n{note}" if y in partial else str(y) for y in years]
    )
    ax.set_xlim(math.floor(first), math.ceil(last))
    ax.set_ylabel(unit_symbol(unit.code, lang), fontsize=8)
    ax.tick_params(labelsize=7.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.22)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    sep = "" if lang == "zh" else ": "
    ax.set_title(
        f"{goals[0].label(lang)}{sep}{label('goals', lang)}"
        + (
            f"（{label('as_of', lang)} {as_of}）"
            if lang == "zh"
            else f" ({label('as_of', lang)} {as_of})"
        ),
        fontsize=10,
    )
    for text in fig.findobj(Text):
        size = text.get_fontsize()
        text.set_fontproperties(font)
        text.set_fontsize(size)
    return fig


def goals_chart(
    results: list[GoalResult],
    path: Path | str,
    *,
    as_of: dt.date,
    lang: str = "zh",
    width_cm: float = 16.0,
    height_cm: float = 9.0,
    dpi: int = 200,
) -> Path:
    """Write :func:`goals_figure` as a PNG to *path* (its folder is created); returns it."""
    fig = goals_figure(
        results, as_of=as_of, lang=lang, width_cm=width_cm, height_cm=height_cm, dpi=dpi
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, format="png")
    return path
