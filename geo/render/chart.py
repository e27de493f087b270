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

from geo.analysis.goals import GoalResult, developed_area_goals
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


def _number(value: float) -> str:
    return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"


def _percent(value: float) -> str:
    # rounded down: 99.96 % of a goal is not shown as 100 %
    return f"{math.floor(value * 10) / 10:.1f}%"


def _period_label(result: GoalResult) -> str:
    start, end = result.period_start, result.period_end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        return str(start.year)
    return f"{start:%Y.%m}–{end:%Y.%m}"


def goals_figure(
    results: list[GoalResult],
    *,
    as_of: dt.date,
    lang: str = "zh",
    width_cm: float = 16.0,
    height_cm: float = 9.0,
    dpi: int = 200,
) -> Figure:
    """Developed area achieved in each goal period against the goal, and cumulative area.

    Bars: target and achieved for every developed-area goal
    (:func:`geo.analysis.goals.developed_area_goals`) in period order; line: developed area to
    date at the end of each period that has begun.

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

    def in_unit(value: float, result: GoalResult) -> float:
        return convert(value, parse_unit(result.unit), unit)

    width_px, height_px = pixel_size(width_cm, height_cm, dpi)
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    xs = list(range(len(goals)))
    bar = 0.36
    targets = [in_unit(g.target, g) for g in goals]
    ax.bar(
        [x - bar / 2 for x in xs],
        targets,
        bar,
        color=colors["target"],
        label=label("target", lang),
    )
    done = [(x, g) for x, g in zip(xs, goals, strict=True) if g.status != "future"]
    achieved = [in_unit(g.achieved, g) for _, g in done]
    ax.bar(
        [x + bar / 2 for x, _ in done],
        achieved,
        bar,
        color=colors["achieved"],
        label=label("achieved", lang),
    )
    for x, value in zip(xs, targets, strict=True):
        ax.annotate(_number(value), (x - bar / 2, value), ha="center", va="bottom", fontsize=6.5)
    for (x, g), value in zip(done, achieved, strict=True):
        ax.annotate(
            _number(value) + ("" if g.percent is None else f"\n{_percent(g.percent)}"),
            (x + bar / 2, value),
            ha="center",
            va="bottom",
            fontsize=6.5,
        )
    cumulative = [(x, in_unit(g.cumulative, g)) for x, g in done if g.cumulative is not None]
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
    ax.set_xticks(xs, [_period_label(g) for g in goals])
    ax.set_ylabel(unit.label(lang), fontsize=8)
    ax.tick_params(labelsize=7.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.margins(y=0.18)
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
