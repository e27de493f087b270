"""Reading sources with the right text encoding: real GBK/Big5/UTF-8 files from the field."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from geo.errors import LayerReadError
from geo.io.sources import detect_dbf_encoding, read_source
from tests.conftest import realdata

# expected text as stated by the files' publishers (see ../shared/realdata/README.md)
CASES = [
    ("chinese_poly.shp", "黑龙江省"),
    ("gbk.dbf", "简体国语"),
    ("gb2312.dbf", "简体国语"),
    ("big5.dbf", "繁體國語"),
    ("cpg_big5.shp", "國語"),
    ("utf8.dbf", "国语國語"),
    ("ldid_chinese.shp", "简体"),
]


@pytest.mark.parametrize(("name", "expected"), CASES)
def test_real_files_decode_without_mojibake(name, expected):
    raw = read_source(realdata("encodings", name))
    assert raw.frame["NAME"].iloc[0] == expected


def test_detection_reasons():
    enc, reason = detect_dbf_encoding(realdata("encodings", "gbk.dbf"))
    assert enc == "gb18030" and "no .cpg" in reason
    enc, reason = detect_dbf_encoding(realdata("encodings", "ldid_chinese.dbf"))
    assert enc == "cp936" and "0x7A" in reason


def test_declared_encoding_is_used_without_detection():
    raw = read_source(realdata("encodings", "chinese_poly.shp"), encoding="gbk")
    assert raw.frame["NAME"].iloc[0] == "黑龙江省"
    assert raw.encoding == "gbk" and raw.notes == []


def test_gbk_csv_and_xlsx_tables(tmp_path):
    frame = pd.DataFrame({"编号": ["P1"], "阶段": ["已开工"]})
    frame.to_csv(tmp_path / "a.csv", index=False, encoding="gbk")
    raw = read_source(tmp_path / "a.csv")
    assert raw.frame.to_dict("records") == [{"编号": "P1", "阶段": "已开工"}]
    assert any("GB18030" in n for n in raw.notes)
    frame.to_excel(tmp_path / "a.xlsx", index=False)
    assert read_source(tmp_path / "a.xlsx").frame.to_dict("records") == [
        {"编号": "P1", "阶段": "已开工"}
    ]


def test_missing_file(tmp_path):
    with pytest.raises(LayerReadError, match="file not found"):
        read_source(tmp_path / "nope.shp")


def test_multilayer_geopackage_needs_a_layer_name(tmp_path):
    path = tmp_path / "two.gpkg"
    for name, ids in (("地块", ["P1", "P2"]), ("厂房", ["F1"])):
        frame = gpd.GeoDataFrame(
            {"编号": ids},
            geometry=[shapely.box(i, 0, i + 1, 1) for i in range(len(ids))],
            crs="EPSG:4544",
        )
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", append=path.exists())
    assert sorted(pyogrio.list_layers(path)[:, 0]) == ["厂房", "地块"]  # really two layers
    with pytest.raises(LayerReadError, match=r"holds 2 layers .*layer = "):
        read_source(path)
    with pytest.raises(LayerReadError, match=r"no layer '道路'; it holds"):
        read_source(path, layer="道路")
    assert list(read_source(path, layer="厂房").frame["编号"]) == ["F1"]
    assert list(read_source(path, layer="地块").frame["编号"]) == ["P1", "P2"]
