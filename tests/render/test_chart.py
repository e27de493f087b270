"""The goals chart for Word briefings: size, content, colours and Chinese text that renders."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings

import numpy as np
import pytest
from matplotlib import font_manager
from matplotlib.image import imread

from geo.analysis.goals import GoalResult
from geo.domain.tables import stages_for_kind
from geo.errors import GoalError, ParkGeoError
from geo.render import chart
from geo.render.chart import cjk_font, goals_chart, goals_figure, pixel_size

AS_OF = dt.date(2024, 9, 30)


def area_goal(y: int, target: float, achieved: float | None, status: str, **kw) -> GoalResult:
    return GoalResult(
        id=f"G{y}",
        metric_zh="新开发建设园区面积",
        metric_en="Newly developed park area",
        period_start=dt.date(y, 1, 1),
        period_end=dt.date(y, 12, 31),
        target=target,
        unit="km2",
        layer="parcels",
        stage="started",
        measure="area",
        note="",
        as_of=AS_OF,
        status=status,
        achieved=achieved,
        achieved_m2=None if achieved is None else achieved * 1e6,
        **kw,
    )


RESULTS = [
    area_goal(2023, 1.0, 0.95, "not met", cumulative=1.9, achieved_to_date=3.4),
    area_goal(2024, 2.0, 1.5, "on track", cumulative=3.4, achieved_to_date=3.4),
    area_goal(2028, 2.0, 0.0, "future", achieved_to_date=3.4),
    GoalResult(
        id="OUT",
        metric_zh="工业总产值",
        metric_en="Industrial output",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2024, 12, 31),
        target=280.0,
        unit="亿元",
        layer="",
        stage="",
        measure="",
        note="",
        as_of=AS_OF,
        status="no data",
    ),
]


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)


def pixels_of(image: np.ndarray, hex_color: str, tol: float = 3.0) -> int:
    rgb255 = image[..., :3].astype(float) * (255.0 if image.dtype != np.uint8 else 1.0)
    return int((np.abs(rgb255 - rgb(hex_color)).max(axis=-1) <= tol).sum())


def test_pixel_size_of_16_by_9_cm_at_200_dpi():
    # 16 cm / 2.54 × 200 = 1259.8 → 1260 px; 9 cm → 708.7 → 709 px
    assert pixel_size(16, 9, 200) == (1260, 709)


def test_png_has_the_size_is_not_blank_and_uses_the_stage_colours(tmp_path):
    path = goals_chart(RESULTS, tmp_path / "maps" / "goals.png", as_of=AS_OF)
    image = imread(path)
    assert image.shape[:2] == (709, 1260)
    not_white = (image[..., :3] < 0.95).any(axis=-1).mean()
    assert 0.05 < not_white < 0.8
    land = {s.code: s.color for s in stages_for_kind("parcels")}
    # bars: target in the first stage's colour, achieved in the goal stage's; line: last stage
    assert pixels_of(image, land["planned"]) > 5000
    assert pixels_of(image, land["started"]) > 5000
    assert pixels_of(image, land["producing"]) > 300


def test_only_developed_area_goals_are_drawn_and_future_ones_have_no_achieved_bar():
    fig = goals_figure(RESULTS, as_of=AS_OF)
    ax = fig.axes[0]
    heights = sorted(round(p.get_height(), 6) for p in ax.patches)
    assert heights == [0.95, 1.0, 1.5, 2.0, 2.0]  # 3 targets, 2 achieved (2028 is future)
    (line,) = ax.get_lines()
    assert list(line.get_ydata()) == [1.9, 3.4]
    texts = [t.get_text() for t in ax.texts]
    # 0.95 / 1 = 95.0 %, 1.5 / 2 = 75.0 %; km² with 3 decimals, the axis names the unit
    assert "0.950\n95.0%" in texts and "1.500\n75.0%" in texts
    assert {"1.000", "2.000"} <= set(texts)


def test_a_real_time_axis_leaves_the_years_without_goals_empty():
    ax = goals_figure(RESULTS, as_of=AS_OF).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["2023", "2024\n（截至09-30）", "2025", "2026", "2027", "2028"]
    targets = sorted(
        (p for p in ax.patches if round(p.get_height(), 6) in (1.0, 2.0)), key=lambda p: p.get_x()
    )
    x = [p.get_x() + p.get_width() / 2 for p in targets]
    # bars a year apart from 2023 to 2024, four years from 2024 to 2028
    assert x[1] - x[0] == pytest.approx(1.0, abs=0.01)
    assert x[2] - x[1] == pytest.approx(4.0, abs=0.01)


def test_the_current_year_is_hatched_and_its_projection_drawn():
    results = list(RESULTS)
    results[1] = dataclasses.replace(results[1], projection=2.01)
    ax = goals_figure(results, as_of=AS_OF).axes[0]
    hatched = [round(p.get_height(), 6) for p in ax.patches if p.get_hatch()]
    assert hatched == [1.5]  # 2024 runs to 09-30; 2023 is over and not hatched
    outline = [p for p in ax.patches if not p.get_fill()]
    assert len(outline) == 1
    # from the achieved 1.5 up to the projected 2.01
    assert (outline[0].get_y(), round(outline[0].get_height(), 6)) == (1.5, 0.51)
    assert "预计 2.010" in [t.get_text() for t in ax.texts]
    assert "预计" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_english_labels():
    fig = goals_figure(RESULTS, as_of=AS_OF, lang="en")
    ax = fig.axes[0]
    assert ax.get_title() == "Newly developed park area: Goals vs actual (As of 2024-09-30)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "Developed area (to date)",
        "Target",
        "Achieved",
    ]
    assert ax.get_ylabel() == "km²"


def _title_region(fig) -> np.ndarray:
    fig.canvas.draw()
    image = np.asarray(fig.canvas.buffer_rgba())[..., :3]
    box = fig.axes[0].title.get_window_extent()
    height = image.shape[0]
    rows = slice(int(height - box.y1) - 2, int(height - box.y0) + 2)
    cols = slice(int(box.x0) - 2, int(box.x1) + 2)
    return image[rows, cols].copy()


def test_the_chinese_title_renders_in_a_cjk_font_not_as_tofu():
    fig = goals_figure(RESULTS, as_of=AS_OF)
    title = fig.axes[0].title
    assert title.get_text() == "新开发建设园区面积目标完成情况（统计截至 2024-09-30）"
    cjk = _title_region(fig)
    assert (cjk < 128).any()  # ink
    # the same text in a font without Chinese glyphs draws boxes: the pictures differ
    title.set_fontproperties(font_manager.FontProperties(family="DejaVu Sans", size=10))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        tofu = _title_region(fig)
    shape = tuple(min(a, b) for a, b in zip(cjk.shape, tofu.shape, strict=True))
    a = cjk[: shape[0], : shape[1]].astype(int)
    b = tofu[: shape[0], : shape[1]].astype(int)
    assert (np.abs(a - b) > 64).mean() > 0.05


def test_no_cjk_font_is_a_clear_error_not_tofu(monkeypatch):
    latin = [e for e in font_manager.fontManager.ttflist if "CJK" not in e.name]
    monkeypatch.setattr(chart.font_manager.fontManager, "ttflist", latin)
    with pytest.raises(ParkGeoError, match=r"no font with Chinese glyphs.*fonts-noto-cjk"):
        cjk_font()
    with pytest.raises(ParkGeoError, match="no font with Chinese glyphs"):
        goals_figure(RESULTS, as_of=AS_OF)
    fig = goals_figure(RESULTS, as_of=AS_OF, lang="en")  # English needs no CJK font
    assert fig.axes[0].title.get_fontname() == "DejaVu Sans"


def test_cjk_font_is_noto_sans_cjk_sc():
    assert cjk_font().get_family() == ["Noto Sans CJK SC"]


def test_no_developed_area_goal_is_an_error():
    with pytest.raises(GoalError, match="no goal measures developed area"):
        goals_figure(RESULTS[3:], as_of=AS_OF)
