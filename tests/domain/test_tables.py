"""Every entry of every domain table is complete and consistent (one parametrized walk)."""

from __future__ import annotations

import re

import pytest

from geo.domain.tables import (
    _labels,
    accepted_labels,
    kinds,
    label,
    lookup_stage,
    stages_for_kind,
    vocabularies,
    vocabulary,
    work_items,
)

KINDS = list(kinds().values())
STAGES = [s for stages in vocabularies().values() for s in stages]


@pytest.mark.parametrize("k", KINDS, ids=lambda k: k.name)
def test_every_kind_is_complete(k):
    assert k.label_zh and k.label_en
    assert k.geometry in ("polygon", "line", "point", "none")
    assert "id" in k.required or k.name == "progress"
    names = [f.name for f in k.fields]
    assert len(names) == len(set(names))
    for f in k.fields:
        assert f.type in ("str", "float", "int", "date", "ids")
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name)
        assert f.label_zh and f.label_en
    if k.stages:
        assert vocabulary(k.stages)


@pytest.mark.parametrize("stage", STAGES, ids=lambda s: f"{s.vocabulary}-{s.code}")
def test_every_stage_has_code_labels_and_colour(stage):
    assert re.fullmatch(r"[a-z][a-z_]*", stage.code)
    assert re.search(r"[\u4e00-\u9fff]", stage.zh)
    assert stage.en
    assert re.fullmatch(r"#[0-9a-f]{6}", stage.color)
    assert lookup_stage(stage.vocabulary, stage.code) == stage
    assert lookup_stage(stage.vocabulary, stage.zh) == stage
    assert lookup_stage(stage.vocabulary, f" {stage.en.upper()} ") == stage
    if stage.after:
        assert lookup_stage(stage.vocabulary, stage.after) is not None


@pytest.mark.parametrize("name", list(vocabularies()))
def test_vocabularies_are_unique_per_vocabulary(name):
    stages = vocabulary(name)
    for attr in ("code", "zh", "en", "color"):
        values = [getattr(s, attr) for s in stages]
        assert len(values) == len(set(values)), attr
    assert [s.order for s in stages] == list(range(len(stages)))


def test_the_issue_texts_stage_orders():
    assert [s.zh for s in stages_for_kind("parcels")] == [
        "规划",
        "已收储",
        "已供地",
        "已开工",
        "已竣工",
        "已投产",
    ]
    assert [s.zh for s in stages_for_kind("factories")] == [
        "未开工",
        "基础",
        "主体",
        "封顶",
        "竣工",
        "交付",
    ]
    assert stages_for_kind("housing") == stages_for_kind("factories")
    assert [s.zh for s in work_items()] == ["路基", "管网", "路面", "绿化", "照明"]


def test_unknown_label_is_none_and_accepted_labels_list_them():
    assert lookup_stage("land", "已拆迁") is None
    assert "已供地 (allocated)" in accepted_labels("land")


@pytest.mark.parametrize("key", list(_labels()))
def test_every_interface_text_has_chinese_and_english(key):
    assert re.search(r"[\u4e00-\u9fff]", label(key, "zh"))
    assert label(key, "en") and not re.search(r"[\u4e00-\u9fff]", label(key, "en"))
