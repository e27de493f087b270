"""The briefing's 集约利用与亩均效益 section on the flawed park with its economy
(tests/cli/test_intensity.py): P15 (15 亩) is the only classed parcel, A (score 100);
on 2024-09-30 it is exempt from 低效用地 (completed 2023-05-01), on 2026-05-01 it is
低效用地 (容积率 0.32 < 1.0)."""

from __future__ import annotations

import datetime as dt

from docx import Document

from geo.io.manifest import load_manifest
from geo.render.brief import write_brief
from geo.store import open_store
from tests.cli.test_intensity import park  # noqa: F401  (the fixture)


def _section(folder, as_of: dt.date):
    manifest = load_manifest(folder)
    store = open_store(manifest)
    out = write_brief(store, manifest, folder / "b.docx", as_of=as_of, renderer="static")
    doc = Document(str(out.path))
    text = "\n".join(p.text.replace("\xa0", " ") for p in doc.paragraphs)
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in doc.tables]
    return text, tables


def test_classes_and_indicators(park):  # noqa: F811
    text, tables = _section(park, dt.date(2024, 9, 30))
    assert "集约利用与亩均效益" in text and "按 2023 年度经济数据评价" in text
    classes = next(t for t in tables if t[0][0] == "亩均效益等级")
    assert classes[1:] == [
        ["A 优先发展", "1", "15.00"],
        ["B 支持发展", "0", "0.00"],
        ["C 提升发展", "0", "0.00"],
        ["D 限制发展", "0", "0.00"],
    ]
    indicators = next(t for t in tables if t[0][0] == "指标")
    names = [r[0] for r in indicators[1:]]
    assert names[:4] == ["土地开发率", "土地供应率", "土地建成率", "工业用地率"]
    assert "未发现低效用地。" in text


def test_low_use_listed_after_the_exemption(park):  # noqa: F811
    text, tables = _section(park, dt.date(2026, 5, 1))
    assert "低效用地（1 宗）：" in text
    listed = next(t for t in tables if t[0][1] == "低效用地认定规则")
    assert listed[1][0] == "P15"
    assert "容积率低于绝对下限: 0.32 < 1.00" in listed[1][1]
