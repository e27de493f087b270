"""Road findings: conflicting records, gaps in an item reported complete, an item ahead of
the one it needs, a record off its road, drawn and design lengths apart."""

from __future__ import annotations

from geo.analysis.roads.model import (
    _MIN_LENGTH_M,
    _WHOLE_ROAD_SLACK_M,
    RULES,
    _item,
    _label,
    _road_role,
    _road_stage,
    _station,
    _subtract,
    _where,
)


def _finding(rule_id, road, item, ch_from, ch_to, message_zh, message_en) -> dict:
    return {
        "rule": rule_id,
        "severity": RULES[rule_id].severity,
        "road": road["id"],
        "road_name": road["name"],
        "item": item.code if item is not None else None,
        "from_m": ch_from,
        "to_m": ch_to,
        "from": None if ch_from is None else _label(ch_from),
        "to": None if ch_to is None else _label(ch_to),
        "message_zh": message_zh,
        "message_en": message_en,
    }


def _road_title(road: dict) -> tuple[str, str]:
    return f"{road['name']}（{road['id']}）", f"road {road['id']} ({road['name']})"


def _finding_along(rule_id, road, item, a, b, line, chainage_of, words) -> dict:
    """A finding on the stretch *a*–*b* (distances along the drawn line); *words* gives
    its Chinese and English messages for the stretch's chainages (``K0+100–K0+200``)."""
    ch_a, ch_b = _station(a, chainage_of, line), _station(b, chainage_of, line)
    return _finding(rule_id, road, item, ch_a, ch_b, *words(f"{_label(ch_a)}–{_label(ch_b)}"))


def _conflicts(road, item, records, line, chainage_of) -> list[dict]:
    """Records of one item on one date overlapping with different stages."""
    zh, en = _road_title(road)
    out = []
    for i, first in enumerate(records):
        for second in records[i + 1 :]:
            if second["date"] != first["date"] or second["stage"] == first["stage"]:
                continue
            a, b = max(first["d0"], second["d0"]), min(first["d1"], second["d1"])
            if b - a <= _MIN_LENGTH_M:
                continue
            s1, s2 = _road_stage(first["stage"]), _road_stage(second["stage"])

            def words(span, first=first, second=second, s1=s1, s2=s2):
                return (
                    f"{zh}{item.zh} {span}：{first['date']} 有两条记录阶段不同（"
                    f"{_where(first)} 为{s1.zh}，{_where(second)} 为{s2.zh}），现以后者为准；"
                    "请更正或删除其中一条",
                    f"{en}: two {item.en.lower()} records on {first['date']} overlap at {span} "
                    f"with different stages ({s1.en} in {_where(first)}, {s2.en} in "
                    f"{_where(second)}); the later row wins for now. Correct or remove one",
                )

            out.append(
                _finding_along("conflicting_records", road, item, a, b, line, chainage_of, words)
            )
    return out


def _gaps(road, item, records, done_intervals, line, chainage_of) -> list[dict]:
    """Parts not done of an item whose latest whole-road record says it is done."""
    whole = [
        rec
        for rec in records
        if rec["from_m"] <= line.start + _WHOLE_ROAD_SLACK_M
        and rec["to_m"] >= line.end - _WHOLE_ROAD_SLACK_M
    ]
    if not whole or whole[-1]["stage"] not in _road_role("done"):
        return []
    claim = whole[-1]
    gaps = _subtract([(claim["d0"], claim["d1"])], done_intervals)
    zh, en = _road_title(road)

    def words(span):
        return (
            f"{zh}{item.zh}于 {claim['date']} 报全线完成（{_where(claim)}），但 {span} "
            f"至今未完成（后续记录）；请核对后续记录或重新报送",
            f"{en}: {item.en.lower()} was reported done over the whole road on "
            f"{claim['date']} ({_where(claim)}), but {span} is not done (later records say "
            "otherwise); check the later records or report the item again",
        )

    rule = "gap_in_complete_item"
    return [_finding_along(rule, road, item, a, b, line, chainage_of, words) for a, b in gaps]


def _ahead(road, item, painted, done, line, chainage_of) -> list[dict]:
    """Sections under way or done where the item this one comes after is not done."""
    if not item.after:
        return []
    before = _item(item.after)
    zh, en = _road_title(road)
    out = []
    for a, b, rec in painted:
        if rec["stage"] not in _road_role("begun"):
            continue
        stage = _road_stage(rec["stage"])

        def words(span, rec=rec, stage=stage):
            return (
                f"{zh}{item.zh} {span} {stage.zh}（{_where(rec)}），但该段{before.zh}"
                f"尚未完成；{item.zh}不能先于{before.zh}，请核对日期或补报{before.zh}进度",
                f"{en}: {item.en.lower()} is {stage.en.lower()} at {span} ({_where(rec)}) "
                f"where {before.en.lower()} is not done; {item.en.lower()} cannot be ahead "
                f"of {before.en.lower()}. Check the dates or report the "
                f"{before.en.lower()}",
            )

        rule = "pavement_ahead_of_subgrade"
        out += [
            _finding_along(rule, road, item, g0, g1, line, chainage_of, words)
            for g0, g1 in _subtract([(a, b)], done[item.after])
        ]
    return out
