"""Cell values: Excel serial dates and text cleaned of terminal escapes and controls."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from geo.domain.values import clean_frame, clean_text, parse_date

ESC, BEL = "\x1b", "\x07"


@pytest.mark.parametrize(
    ("serial", "expected"),
    # 45292 is 2024-01-01 in Excel; 45356 is 64 days on: 31 (Jan) + 29 (Feb 2024) + 4
    [
        ("45292", dt.date(2024, 1, 1)),
        ("45356", dt.date(2024, 3, 5)),
        ("45356.0", dt.date(2024, 3, 5)),
    ],
)
def test_excel_serial_dates(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    ("text", "one_line", "lines"),
    [
        (f"创业{ESC}[31m大道{ESC}[0m", "创业大道", "创业大道"),  # colour (CSI)
        (f"一号{ESC}]0;pwned{BEL}路", "一号路", "一号路"),  # OSC retitles the terminal
        (f"一号{ESC}]0;pwned{ESC}\\路", "一号路", "一号路"),  # OSC ended by ST
        (f"响铃{BEL}{ESC}", "响铃", "响铃"),
        ("\u202e路号一\u202c", "路号一", "路号一"),  # right-to-left override
        ("a\u2066b\u2069c", "abc", "abc"),  # isolates
        ("C1\x85\x9b31m!", "C1!", "C1!"),  # NEL and 8-bit CSI
        ("返工\r\n第二行\t备注", "返工  第二行 备注", "返工\n第二行\t备注"),
        ("no\x00nul\x7f", "nonul", "nonul"),
        ("桩号 K0+100", "桩号 K0+100", "桩号 K0+100"),
    ],
)
def test_clean_text(text, one_line, lines):
    assert clean_text(text) == one_line
    assert clean_text(text, multiline=True) == lines


def test_clean_frame_keeps_lines_only_where_asked_and_leaves_clean_frames_alone():
    frame = pd.DataFrame({"name": [f"A{ESC}[1mB", None], "note": ["x\ny", 3], "n": [1, 2]})
    out = clean_frame(frame, multiline={"note"})
    assert out["name"].iloc[0] == "AB" and pd.isna(out["name"].iloc[1])
    assert out[["note", "n"]].to_dict("list") == {"note": ["x\ny", 3], "n": [1, 2]}
    clean = pd.DataFrame({"name": ["ok"]})
    assert clean_frame(clean) is clean


def test_visible_controls_writes_each_control_out_and_keeps_lines():
    from geo.domain.values import visible_controls

    assert visible_controls(f"a{ESC}]0;t{BEL}b\u202ec\x9bd") == "a\\x1b]0;t\\x07b\\u202ec\\x9bd"
    assert visible_controls("一\n二\t三") == "一\n二\t三"
    text = "没有控制字符"
    assert visible_controls(text) is text


def test_json_safe_is_the_same_json_value_without_raw_controls():
    import json

    from geo.domain.values import json_safe

    value = {"name": f"a{ESC}b\x85c\u202ed\u2066e\x7f"}
    out = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(out) == value
    assert not any(c in out for c in (ESC, "\x85", "\u202e", "\u2066", "\x7f"))


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    # 1 公顷 = 15 亩 and 1 亩 = 10000/15 m² by definition; 1 km² = 1500 亩
    [
        ("-55亩", "mu", -55.0),  # parsed: the caller refuses a negative area by name
        ("55 亩", "mu", 55.0),
        ("３．２公顷", "mu", 48.0),  # full-width digits
        ("1,000 m²", "mu", 1.5),
        ("2 km2", "ha", 200.0),
        ("12.5", "mu", 12.5),
        ("80%", "percent", 80.0),
        ("50万元", "wan_cny", 50.0),
        ("1亿元", "wan_cny", 10_000.0),
    ],
)
def test_parse_number_reads_a_unit_and_converts_to_the_fields(text, unit, expected):
    from geo.domain.units import unit_by_code
    from geo.domain.values import parse_number

    assert parse_number(text, unit=unit_by_code(unit)) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("text", "unit", "message"),
    [
        ("30万元", "mu", "'30万元' is in 万元; the field is in 亩: write the number alone in 亩"),
        ("30亩", None, "'30亩' is in 亩, but the field takes a plain number"),
        ("30 acres", "mu", "'acres' is not a unit parkgeo knows (m2: m2, m²"),
        ("about 30", "mu", "'about 30' is not a number"),
    ],
)
def test_parse_number_refuses_other_units_and_text(text, unit, message):
    from geo.domain.units import unit_by_code
    from geo.domain.values import parse_number

    with pytest.raises(ValueError, match=re.escape(message)):
        parse_number(text, unit=unit_by_code(unit) if unit else None)


def test_parse_number_keeps_nan_for_the_caller():
    import math

    from geo.domain.units import unit_by_code
    from geo.domain.values import parse_number

    assert math.isnan(parse_number("NaN 亩", unit=unit_by_code("mu")))
