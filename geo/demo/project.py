"""A synthetic demo park, written as a complete park project (``park.toml`` and ``layers/``).

The demo is built from the seed report (a county industrial park's report to a
"high-quality development" conference): its seven zones, its named projects, its resettlement
housing and standard factories, the roads of 五里梁基础设施二期 and its goals table. All
geometry is invented. The park sits around 105.09°E 31.09°N in EPSG:4544 (CGCS2000 3-degree
Gauss-Krüger, CM 105°E).

The output is byte-identical on every run: one fixed random seed, no timestamps, stable
ordering, coordinates rounded to 0.01 m, and GeoJSON and CSV text written here rather than by
GDAL. Source files carry Chinese field names, as real park data does; ``park.toml`` maps them to
the canonical field names of ``geo/data/kinds.toml``.

Planted flaws, which a land-bureau check should find (and nothing else):

1. **Overlap**: one pair of adjacent parcels overlaps by a strip 3 m wide and 180 m long
   (540 m²): the first parcel's shared edge was digitised into its neighbour. Its declared
   area (出让面积) is the contract area, so it also differs from the drawn area by under 1 %.
2. **Idle land**: one parcel allocated in 2021 with an agreed start date in 2021 has never
   been started, more than two years past the agreed start at the as-of date.

In the current output these are CCB-13 (pushed into CCB-14) and WLT-02; ``park.toml`` names
them in a comment. Besides these, three parcels' declared areas differ from their drawn areas
by 0.3–0.8 % (within tolerance), as contract areas often do.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

from pyproj import Transformer
from shapely.geometry import LineString, Polygon
from shapely.geometry.polygon import orient

from geo.domain.crs import gk_crs_for_longitude
from geo.domain.tables import kind, vocabulary
from geo.domain.units import M2_PER_MU
from geo.settings import MANIFEST_NAME, STORE_NAME

__all__ = ["write_demo_project"]

SEED = 20230901
AS_OF = dt.date(2024, 9, 30)
#: Centre of the park (longitude, latitude, CGCS2000).
CENTRE_LONLAT = (105.09, 31.09)
#: The park's GK zone without prefix: EPSG:4544 (CM 105°E).
PARK_CRS = gk_crs_for_longitude(CENTRE_LONLAT[0])
CRS_URN = "urn:ogc:def:crs:EPSG::" + PARK_CRS.split(":")[1]
#: The park's platform company, which builds the housing, the standard factories and utilities.
PLATFORM = "X县园区建设投资有限公司"

# --------------------------------------------------------------------------------------------
# Source field names (Chinese, as real data arrives) → canonical field names (kinds.toml).

FIELDS = {
    "zones": {
        "片区编号": "id",
        "片区名称": "name",
        "英文名称": "name_en",
        "可供地面积(亩)": "available_area_mu",
    },
    "parcels": {
        "地块编号": "id",
        "所属片区": "zone",
        "用地性质": "land_use",
        "出让面积(亩)": "declared_area_mu",
        "供地日期": "allocated_on",
        "约定开工日期": "agreed_start_on",
        "实际开工日期": "started_on",
        "竣工日期": "completed_on",
        "土地价款(万元)": "land_price_wan",
    },
    "factories": {
        "厂房编号": "id",
        "厂房名称": "name",
        "所属片区": "zone",
        "所在地块": "parcel",
        "建筑面积(平方米)": "floor_area_m2",
        "层数": "storeys",
    },
    "housing": {
        "编号": "id",
        "项目名称": "name",
        "所属片区": "zone",
        "所在地块": "parcel",
        "建筑面积(平方米)": "floor_area_m2",
        "套数": "units",
    },
    "roads": {
        "道路编号": "id",
        "道路名称": "name",
        "起点桩号": "start_chainage",
        "设计长度(米)": "design_length_m",
        "断链": "chain_breaks",
        "路宽(米)": "width_m",
    },
    "projects": {
        "项目编号": "id",
        "项目名称": "name",
        "企业名称": "enterprise",
        "所属产业": "industry",
        "签约日期": "signed_on",
        "总投资(亿元)": "investment_yi",
        "用地地块": "parcels",
    },
}

PROGRESS_FIELDS = {
    "图层": "kind",
    "编号": "feature_id",
    "日期": "date",
    "阶段": "stage",
    "完成比例(%)": "percent",
    "已建面积(平方米)": "floor_area_m2",
    "已完成投资(万元)": "investment_wan",
    "备注": "note",
}

ROAD_PROGRESS_FIELDS = {
    "道路编号": "feature_id",
    "分项": "item",
    "起点桩号": "chainage_from",
    "终点桩号": "chainage_to",
    "阶段": "stage",
    "完成比例(%)": "percent",
    "日期": "date",
    "标段": "contract_section",
    "备注": "note",
}

GOAL_FIELDS = {
    "编号": "id",
    "指标": "metric_zh",
    "指标英文": "metric_en",
    "起始日期": "period_start",
    "截止日期": "period_end",
    "目标值": "target",
    "单位": "unit",
    "统计图层": "layer",
    "达成阶段": "stage",
    "统计方式": "measure",
    "说明": "note",
}

# --------------------------------------------------------------------------------------------
# Zones: (id, name, English name, parcel-id prefix, x range, y range), in metres from the
# park centre. Zones sit in a 4 × 2 grid of cells separated by 60 m road corridors; the
# south-east cell is the river flood plain and holds no zone.

ZONES = (
    ("Z01", "五里梁片区", "Wuliliang Zone", "WLL", (-1580, -830), (30, 1150)),
    ("Z02", "青东X", "Qingdong X Zone", "QDX", (-770, -30), (30, 1150)),
    ("Z03", "X州产城新区北X片区", "X Zhou New Town North X Zone", "CCB", (30, 880), (30, 1150)),
    ("Z04", "现代农业产业园", "Modern Agriculture Industrial Park", "NYY", (940, 1600), (30, 1150)),
    ("Z05", "X州织造产业园", "X Zhou Weaving Industrial Park", "ZZY", (30, 880), (-1150, -30)),
    ("Z06", "芦开区后河X", "Lukai Houhe X Zone", "LKH", (-770, -30), (-1150, -30)),
    ("Z07", "五里梁潼X片区", "Wuliliang Tong X Zone", "WLT", (-1580, -830), (-1150, -30)),
)

#: Green belt between a zone's boundary and its outer blocks (m).
ZONE_MARGIN = 10.0
#: Blocks split into a 2 × 2 grid of small parcels (zone id, block index).
SMALL_BLOCKS = {("Z01", 5), ("Z07", 5)}

# --------------------------------------------------------------------------------------------
# Projects. Enterprise projects: (name, enterprise, industry, signed, investment 亿元, zone,
# land wanted in 亩 (met by a run of neighbouring parcels), allocated, started, completed, in
# production, land use). Dates are ISO text; None = not (yet). Calibrated so that, by parcel
# start date, about 1 km² is developed in 2023 and about 1.5 km² in 2024 to the as-of date;
# 11 projects are signed in 2023 and 10 in 2024; 19 enterprise projects start in 2023 (as the
# seed reports).

# fmt: off
_E = tuple[str, str, str, str | None, float, str, int, str, str | None, str | None, str | None, str]

ENTERPRISE_PROJECTS: tuple[_E, ...] = (
    # started 2021–2022; built and producing (安吉纳 … 康源: built and in trial production 2023)
    ("领旗食品一期项目", "四川领旗食品有限公司", "健康食品",
     "2020-09-18", 3.2, "Z04", 150, "2021-01-20", "2021-04-15", "2023-11-20", "2023-12-15", "0601"),
    ("浩忠电力设备制造项目", "四川浩忠电力科技有限公司", "装备制造",
     "2020-11-06", 2.5, "Z07", 80, "2021-03-10", "2021-06-08", "2022-09-26", "2022-11-01", "0601"),
    ("志远印务包装印刷项目", "X县志远印务有限公司", "包装印刷",
     "2020-12-22", 1.2, "Z01", 50, "2021-04-16", "2021-08-02", "2022-10-15", "2022-12-01", "0601"),
    ("安吉纳功能饮品生产项目", "四川安吉纳食品有限公司", "健康食品",
     "2021-03-12", 2.8, "Z04", 70, "2021-11-10", "2022-03-15", "2023-07-18", "2023-12-20", "0601"),
    ("锦鑫泰鞋服智能制造项目", "四川锦鑫泰鞋业有限公司", "纺织鞋服",
     "2021-05-20", 3.5, "Z05", 140, "2021-09-15", "2022-01-10", "2023-06-30", "2023-12-26", "0601"),
    ("优利克锂电池材料项目", "四川优利克新能源科技有限公司", "新能源电池",
     "2021-06-08", 4.6, "Z06", 160, "2021-10-20", "2022-02-25", "2023-08-18", "2023-11-28", "0601"),
    ("盛弘纺织面料项目", "X县盛弘纺织有限公司", "纺织鞋服",
     "2021-02-26", 1.6, "Z05", 60, "2021-06-18", "2021-10-12", "2023-05-20", "2023-09-15", "0601"),
    ("康源中药饮片加工项目", "四川康源中药材有限公司", "中药材加工",
     "2021-08-16", 1.5, "Z04", 50, "2021-12-08", "2022-04-20", "2023-07-25", "2023-10-18", "0601"),
    ("蜀禾农产品冷链仓储项目", "四川蜀禾冷链物流有限公司", "现代物流",
     "2021-04-09", 1.1, "Z07", 60, "2021-08-05", "2021-12-06", "2022-12-20", "2023-02-15", "0604"),
    ("恒川环保装备制造项目", "四川恒川环保装备有限公司", "环保设备",
     "2021-09-28", 2.2, "Z01", 70, "2022-01-12", "2022-05-16", "2023-10-30", "2024-03-12", "0601"),
    ("鑫润调味品生产项目", "四川鑫润食品有限公司", "健康食品",
     "2021-11-05", 1.8, "Z02", 60, "2022-03-22", "2022-07-18", "2024-04-26", "2024-07-10", "0601"),
    # the idle parcel (planted flaw 2): allocated 2021, never started
    ("宏瑞新型建材项目", "四川宏瑞建材有限公司", "新材料",
     "2020-12-08", 1.6, "Z07", 70, "2021-05-20", None, None, None, "0601"),
    # the 19 projects started in 2023 (臻秦, 鑫鸣灏, 亿鸿展盛, 杭起华盛, …)
    ("臻秦食品精深加工项目", "四川臻秦食品有限公司", "健康食品",
     "2022-03-18", 3.0, "Z04", 60, "2022-09-14", "2023-02-20", "2024-08-30", None, "0601"),
    ("鑫鸣灏纺织鞋服产业园项目", "四川鑫鸣灏鞋服有限公司", "纺织鞋服",
     "2022-05-10", 4.2, "Z05", 70, "2022-11-08", "2023-03-15", None, None, "0601"),
    ("亿鸿展盛新能源电池配件项目", "四川亿鸿展盛新能源科技有限公司", "新能源电池",
     "2022-06-22", 5.5, "Z06", 70, "2022-12-15", "2023-04-10", None, None, "0601"),
    ("杭起华盛智能装备项目", "四川杭起华盛机械有限公司", "装备制造",
     "2022-04-28", 3.6, "Z02", 60, "2022-10-20", "2023-03-28", None, None, "0601"),
    ("川味坊火锅底料生产项目", "四川川味坊食品有限公司", "健康食品",
     "2022-02-15", 1.5, "Z04", 45, "2022-08-10", "2023-01-12", "2024-06-20", "2024-09-10", "0601"),
    ("锦程鞋材生产项目", "X县锦程鞋材有限公司", "纺织鞋服",
     "2022-07-05", 1.2, "Z05", 50, "2023-01-06", "2023-05-18", None, None, "0601"),
    ("华鼎动力电池结构件项目", "四川华鼎精密科技有限公司", "新能源电池",
     "2022-08-19", 3.8, "Z06", 70, "2023-02-08", "2023-06-26", None, None, "0601"),
    ("绿能再生资源综合利用项目", "四川绿能再生资源有限公司", "环保设备",
     "2022-01-20", 1.6, "Z07", 50, "2022-07-15", "2023-01-09", "2024-05-30", None, "0601"),
    ("天禾粮油精深加工项目", "四川天禾粮油有限公司", "健康食品",
     "2022-09-09", 2.4, "Z03", 60, "2023-03-02", "2023-07-20", None, None, "0601"),
    ("本草堂中药提取项目", "四川本草堂药业有限公司", "中药材加工",
     "2022-10-12", 2.6, "Z03", 60, "2023-03-16", "2023-08-08", None, None, "0601"),
    ("达创电子元器件项目", "四川达创电子科技有限公司", "电子信息",
     "2022-11-18", 2.0, "Z02", 45, "2023-04-06", "2023-08-28", None, None, "0601"),
    ("雅韵服饰生产项目", "X县雅韵服饰有限公司", "纺织鞋服",
     "2022-12-06", 1.3, "Z05", 45, "2023-05-10", "2023-09-05", None, None, "0601"),
    ("科力新材料项目", "四川科力新材料有限公司", "新材料",
     "2021-12-20", 2.2, "Z01", 50, "2022-06-28", "2023-01-16", "2024-03-28", "2024-06-18", "0601"),
    ("蓉欧智能家居项目", "四川蓉欧家居有限公司", "家居制造",
     "2022-03-30", 1.9, "Z01", 55, "2022-09-20", "2023-02-06", "2024-07-15", None, "0601"),
    ("金穗饲料生产项目", "四川金穗饲料有限公司", "农副产品加工",
     "2022-06-15", 1.4, "Z03", 45, "2022-12-20", "2023-04-18", None, None, "0601"),
    ("众诚新能源储能设备项目", "四川众诚储能科技有限公司", "新能源电池",
     "2023-01-12", 3.2, "Z06", 60, "2023-03-28", "2023-07-06", None, None, "0601"),
    ("川药堂中药材加工项目", "四川川药堂中药材有限公司", "中药材加工",
     "2023-02-16", 4.5, "Z04", 55, "2023-05-08", "2023-09-12", None, None, "0601"),
    ("蜀香源预调肉制品加工项目", "四川蜀香源食品有限公司", "预调肉制品加工",
     "2023-03-08", 5.0, "Z04", 60, "2023-06-15", "2023-10-20", None, None, "0601"),
    ("清源环保设备研发制造项目", "四川清源环保科技有限公司", "环保设备",
     "2023-04-20", 5.5, "Z07", 65, "2023-07-12", "2023-11-15", None, None, "0601"),
    # started 2024
    ("中国（绿溪）优食谷国际食品产业城", "绿溪优食谷食品产业发展有限公司", "健康食品",
     "2023-05-26", 18.0, "Z03", 450, "2023-10-18", "2024-03-06", None, None, "0601"),
    ("油基岩屑资源化综合利用项目", "四川蓝盾资源再生科技有限公司", "环保设备",
     "2023-06-14", 6.0, "Z07", 200, "2023-11-09", "2024-04-16", None, None, "0601"),
    ("惠鲜果蔬深加工项目", "四川惠鲜农业开发有限公司", "健康食品",
     "2023-07-21", 2.8, "Z04", 60, "2023-12-12", "2024-04-25", None, None, "0601"),
    ("智源锂电隔膜项目", "四川智源新材料科技有限公司", "新能源电池",
     "2023-08-30", 6.5, "Z06", 200, "2024-01-10", "2024-05-20", None, None, "0601"),
    ("织锦家纺生产项目", "四川织锦家纺有限公司", "纺织鞋服",
     "2023-09-15", 2.3, "Z05", 100, "2024-01-25", "2024-06-12", None, None, "0601"),
    ("武侯智谷智能制造产业园", "成都武侯资本投资管理有限公司", "装备制造",
     "2024-01-18", 8.0, "Z03", 300, "2024-03-12", "2024-06-18", None, None, "0601"),
    ("三台—红原飞地产业园", "三台红原飞地园区建设有限公司", "农副产品加工",
     "2024-02-06", 6.0, "Z02", 200, "2024-03-28", "2024-07-08", None, None, "0601"),
    ("农副产品精深加工物流园", "四川佳乐农业物流有限公司", "现代物流",
     "2024-01-09", 3.5, "Z07", 150, "2024-03-05", "2024-06-26", None, None, "0604"),
    ("中林精密机械及刀具产业园", "中林精密机械有限公司", "装备制造",
     "2024-02-28", 7.0, "Z01", 250, "2024-04-15", "2024-08-06", None, None, "0601"),
    ("锂电池钢壳制造项目", "四川铠锂精密科技有限公司", "新能源电池",
     "2024-03-15", 4.0, "Z06", 80, "2024-04-26", "2024-08-20", None, None, "0601"),
    # allocated, to start next (agreed start in the future or less than a year past)
    ("珍有缘二期项目", "四川珍有缘食品有限公司", "健康食品",
     "2022-11-25", 2.5, "Z04", 60, "2023-11-20", None, None, None, "0601"),
    ("穆丹食品生产项目", "四川穆丹食品有限公司", "健康食品",
     "2023-10-26", 2.0, "Z04", 50, "2024-05-16", None, None, None, "0601"),
    ("伟晟环保新材料项目", "四川伟晟环保科技有限公司", "环保设备",
     "2023-11-30", 3.0, "Z07", 60, "2024-06-20", None, None, None, "0601"),
    ("MEMS传感器研发制造项目", "四川芯感微电子有限公司", "电子信息",
     "2024-04-12", 6.0, "Z02", 70, "2024-07-18", None, None, None, "0601"),
    ("物联网传感器芯片及5G陶瓷基片项目", "四川瓷芯科技有限公司", "电子信息",
     "2024-05-22", 8.0, "Z02", 120, "2024-08-08", None, None, None, "0601"),
    ("新型包装材料生产项目", "四川绿源包装材料有限公司", "新材料",
     "2024-06-18", 2.2, "Z01", 50, "2024-08-22", None, None, None, "0601"),
    ("新型耐磨材料生产线项目", "四川坚石耐磨材料有限公司", "新材料",
     "2024-07-10", 2.6, "Z06", 50, "2024-09-12", None, None, None, "0601"),
    ("飞尚集团西南智能制造基地", "飞尚集团有限公司", "装备制造",
     "2024-03-26", 10.0, "Z05", 150, "2024-06-28", None, None, None, "0601"),
)

#: The idle project's agreed start date (planted flaw 2), before 2022-06.
IDLE_PROJECT = "宏瑞新型建材项目"
IDLE_AGREED_START = "2021-11-20"


@dataclass(frozen=True)
class _Group:
    """Buildings of one platform project: (count, start, planned completion) batches."""

    kind: str
    name: str
    zone: str
    parcels: int
    investment_yi: float
    allocated: str
    footprint: tuple[float, float]
    storeys: tuple[int, int]
    batches: tuple[tuple[int, str, str], ...]


PLATFORM_GROUPS = (
    # resettlement housing, 30万 m² in all; 16–17万 m² completed in 2023
    _Group("housing", "五里梁棚户区改造安置房", "Z01", 1, 3.6, "2022-05-18", (18, 60), (10, 12),
           ((5, "2022-09-05", "2024-06-25"),)),
    _Group("housing", "五里梁潼X片区安置房", "Z07", 1, 4.8, "2021-06-10", (18, 60), (14, 16),
           ((5, "2021-10-08", "2023-08-25"),)),
    _Group("housing", "芦开区后河X安置房", "Z06", 1, 3.1, "2021-12-15", (18, 60), (11, 13),
           ((4, "2022-03-20", "2023-12-18"),)),
    _Group("housing", "X州织造产业园租赁房", "Z05", 1, 2.0, "2022-01-20", (18, 60), (10, 12),
           ((3, "2022-05-12", "2023-12-22"),)),
    _Group("housing", "X州产城新区北X片区安置房", "Z03", 1, 5.0, "2022-10-25", (18, 60), (12, 14),
           ((6, "2023-01-16", "2024-12-30"),)),
    # standard factories, 80万 m² in all; about 19万 m² completed in 2023
    _Group("factories", "五里梁片区标准厂房", "Z01", 1, 2.3, "2021-09-08", (48, 100), (4, 4),
           ((4, "2022-03-10", "2023-06-28"),)),
    _Group("factories", "X州织造产业园标准厂房", "Z05", 1, 3.4, "2021-11-18", (48, 100), (4, 4),
           ((6, "2022-06-15", "2023-10-26"),)),
    _Group("factories", "青东X标准厂房三期", "Z02", 2, 8.6, "2022-08-16", (48, 100), (5, 5),
           ((6, "2023-02-15", "2024-06-28"), (6, "2024-03-11", "2025-08-29"))),
    _Group("factories", "现代农业产业园标准厂房", "Z04", 2, 5.8, "2023-01-10", (48, 100), (4, 5),
           ((5, "2023-05-22", "2024-09-12"), (5, "2023-08-16", "2025-06-30"))),
    _Group("factories", "芦开区后河X标准厂房", "Z06", 1, 2.4, "2024-01-18", (48, 100), (4, 5),
           ((3, "2024-04-22", "2025-10-31"), (3, "2024-12-10", "2026-03-31"))),
)

#: Utility parcels (公用设施用地): (name, operator, zone, allocated, started, completed).
UTILITIES = (
    ("园区110千伏变电站", "国网四川省电力公司X县供电分公司", "Z01", "2021-07-12", "2021-10-20",
     "2022-08-30", 0.9),
    ("园区污水处理厂", PLATFORM, "Z07", "2021-05-06", "2021-09-01", "2022-11-15", 1.3),
)

# --------------------------------------------------------------------------------------------
# Roads: (id, name, start chainage m, chain breaks, width m, design length m or None = drawn,
# vertices in park-centre metres).


def _riverside() -> list[tuple[float, float]]:
    # 滨河路 follows the river bank south of the park in a gentle wave.
    xs = [-1650 + 50 * i for i in range(67)]
    return [(x, -1205 + 12 * math.sin(2 * math.pi * (x + 1650) / 1100)) for x in xs]


ROADS = (
    ("R01", "南北干道一号路", 0.0, "K1+100=K1+080", 40.0, None,
     [(0.0, -1205.0), (0.0, -600.0), (0.0, 0.0), (0.0, 600.0), (0.0, 1195.0)]),
    ("R02", "二号路", 0.0, "", 24.0, 1200.0, [(0.0, 0.0), (600.0, 0.0), (1204.6, 0.0)]),
    ("R03", "三号路", 0.0, "", 24.0, None, [(0.0, 0.0), (-800.0, 0.0), (-1620.0, 0.0)]),
    ("R04", "四号路", 0.0, "", 24.0, None, [(-800.0, -1195.0), (-800.0, 0.0), (-800.0, 1190.0)]),
    ("R05", "五号路", 0.0, "", 20.0, None, [(910.0, 0.0), (910.0, 1190.0)]),
    ("R06", "滨河路", 3200.0, "", 30.0, None, _riverside()),
)

#: Road progress: (road, item, from m, to m, stage, percent, date, contract section, note).
#: Chainage in metres of chainage (not of geometry); written in varied spellings.
ROAD_PROGRESS = (
    ("R01", "路基", 0, 1200, "施工中", 40, "2021-09-30", "一标段", "五里梁基础设施一期"),
    ("R01", "路基", 0, 1200, "已完成", 100, "2022-03-25", "一标段", ""),
    ("R01", "管网", 0, 1200, "施工中", 50, "2022-05-30", "一标段", "雨污分流管网"),
    ("R01", "管网", 0, 1200, "已完成", 100, "2022-08-20", "一标段", ""),
    ("R01", "路面", 0, 1200, "施工中", 30, "2022-10-15", "一标段", ""),
    ("R01", "路面", 0, 1200, "已完成", 100, "2023-04-28", "一标段", ""),
    ("R01", "绿化", 0, 1200, "已完成", 100, "2023-09-15", "一标段", "公共绿化"),
    ("R01", "照明", 0, 1200, "已完成", 100, "2023-10-30", "一标段", "园区亮化"),
    ("R01", "路基", 1200, 2380, "施工中", 35, "2023-03-31", "二标段", "五里梁基础设施二期"),
    ("R01", "路基", 1200, 2380, "已完成", 100, "2023-09-28", "二标段", ""),
    ("R01", "管网", 1200, 2380, "施工中", 60, "2023-10-31", "二标段", ""),
    ("R01", "管网", 1200, 2380, "已完成", 100, "2023-12-26", "二标段", ""),
    ("R01", "路面", 1200, 1800, "已完成", 100, "2024-06-20", "二标段", ""),
    ("R01", "路面", 1800, 2380, "施工中", 45, "2024-09-25", "二标段", ""),
    ("R01", "照明", 1200, 2380, "施工中", 30, "2024-09-25", "二标段", ""),
    ("R01", "绿化", 1200, 2380, "未开工", 0, "2024-09-25", "二标段", ""),
    ("R02", "路基", 0, 500, "施工中", 60, "2023-08-31", "二号路0-500米段", "五里梁基础设施二期"),
    ("R02", "路基", 0, 500, "已完成", 100, "2023-11-20", "二号路0-500米段", ""),
    ("R02", "管网", 0, 500, "施工中", 50, "2023-12-28", "二号路0-500米段", ""),
    ("R02", "管网", 0, 500, "已完成", 100, "2024-03-28", "二号路0-500米段", ""),
    ("R02", "路面", 0, 300, "已完成", 100, "2024-08-16", "二号路0-500米段", ""),
    ("R02", "路面", 300, 500, "施工中", 40, "2024-09-20", "二号路0-500米段", ""),
    ("R02", "照明", 0, 500, "未开工", 0, "2024-09-20", "二号路0-500米段", ""),
    ("R02", "路基", 500, 1200, "施工中", 25, "2024-09-20", "二号路二期", ""),
    ("R03", "路基", 0, 1620, "已完成", 100, "2021-06-30", "三号路", ""),
    ("R03", "管网", 0, 1620, "已完成", 100, "2021-08-31", "三号路", ""),
    ("R03", "路面", 0, 1620, "已完成", 100, "2021-11-30", "三号路", ""),
    ("R03", "绿化", 0, 1620, "已完成", 100, "2022-04-15", "三号路", ""),
    ("R03", "照明", 0, 1620, "已完成", 100, "2022-05-20", "三号路", ""),
    ("R04", "路基", 0, 2385, "已完成", 100, "2022-04-30", "四号路", ""),
    ("R04", "管网", 0, 2385, "已完成", 100, "2022-06-30", "四号路", ""),
    ("R04", "路面", 0, 2385, "已完成", 100, "2022-09-30", "四号路", ""),
    ("R04", "路面", 0, 1195, "已完成", 100, "2024-05-15", "颜值提升", "道路黑化（沥青罩面）"),
    ("R04", "照明", 0, 2385, "已完成", 100, "2024-06-28", "颜值提升", "园区亮化"),
    ("R04", "绿化", 0, 2385, "施工中", 60, "2024-09-18", "颜值提升", "公共绿化"),
    ("R05", "路基", 0, 600, "施工中", 35, "2024-09-10", "五号路", ""),
    ("R06", "路基", 3200, 6500, "已完成", 100, "2021-05-31", "滨河路", "既有道路"),
    ("R06", "路面", 3200, 6500, "已完成", 100, "2021-08-31", "滨河路", "既有道路"),
    ("R06", "路面", 3200, 6500, "已完成", 100, "2023-11-30", "颜值提升", "道路黑化（沥青罩面）"),
    ("R06", "绿化", 3200, 6500, "已完成", 100, "2023-12-20", "颜值提升", "公共绿化"),
    ("R06", "照明", 3200, 6500, "已完成", 100, "2024-04-25", "颜值提升", "园区亮化"),
)

# --------------------------------------------------------------------------------------------
# Goals: the seed's table. (metric, English, unit, layer, stage, measure, {year: (target, note)}).

_SEED_NOTE = "原文：{text}"
GOALS = (
    ("新开发建设园区面积", "Newly developed park area", "km2", "parcels", "started", "area",
     {2023: (1, "新开发建设园区面积1平方公里"), 2024: (2, "新开发建设园区面积2平方公里"),
      2028: (2, "新开发建设园区面积2平方公里")}),
    ("新建标准厂房面积", "New standard factory floor area", "万m2", "factories", "completed",
     "sum:floor_area_m2",
     {2023: (20, "新建各类标准厂房20万平方米"), 2024: (30, "新建各类标准厂房30万平方米"),
      2028: (50, "新建各类标准厂房50万平方米")}),
    ("新建安置房面积", "New resettlement housing floor area", "万m2", "housing", "completed",
     "sum:floor_area_m2",
     {2023: (18, "安置房18万余平方米（“余”不计，取18）"),
      2024: (10, "安置房10万余平方米（“余”不计，取10）"),
      2028: (12, "安置房12万余平方米（“余”不计，取12）")}),
    ("招引项目", "Projects attracted", "个", "projects", "signed", "count",
     {2023: (10, "招引项目10个以上"), 2024: (15, "招引项目15个以上"),
      2028: (15, "招引项目15个以上")}),
    ("签约投资", "Signed investment", "亿元", "projects", "signed", "sum:investment_yi",
     {2023: (50, "签约投资不低于50亿元"), 2024: (70, "签约投资不低于70亿元"),
      2028: (70, "签约投资不低于70亿元")}),
    ("工业总产值", "Industrial output value", "亿元", "", "", "",
     {2023: (200, "园区工业总产值达到200亿元；演示数据无产值，不统计"),
      2024: (280, "园区工业总产值达到280亿元；演示数据无产值，不统计"),
      2028: (800, "园区工业总产值达到800亿元；演示数据无产值，不统计")}),
    ("新增10亿级企业", "New enterprises with output ≥ 1 billion CNY", "个", "", "", "",
     {2023: (1, "新增10亿级企业1个；演示数据无产值，不统计"),
      2024: (8, "新增10亿级企业8个；演示数据无产值，不统计"),
      2028: (5, "新增10亿级企业5户；演示数据无产值，不统计")}),
    ("主导特色产业产值占比", "Share of leading and featured industries in output", "%", "", "", "",
     {2023: (65, "主导、特色产业产值占比达65%；演示数据无产值，不统计"),
      2024: (73, "主导、特色产业产值占比达73%；演示数据无产值，不统计"),
      2028: (80, "主导、特色产业产值占比达80%；演示数据无产值，不统计")}),
)
_NOTE_2028 = (
    "原文未说明2028年目标为当年值还是累计值；本演示按2028年单年计（与2023、2024年单年目标并列）"
    " / The source does not say whether 2028 is that year alone or cumulative; the demo reads it"
    " as the year 2028 alone"
)
# fmt: on


# --------------------------------------------------------------------------------------------
# Model


@dataclass
class _Parcel:
    id: str
    zone: str
    block: int
    rect: tuple[float, float, float, float]  # park-centre metres
    ring: list[tuple[float, float]] = field(default_factory=list)  # absolute, closed later
    land_use: str = "0601"
    project: str | None = None
    allocated: dt.date | None = None
    agreed: dt.date | None = None
    started: dt.date | None = None
    completed: dt.date | None = None
    producing: dt.date | None = None
    planned_done: dt.date | None = None
    reserved: dt.date | None = None
    declared_mu: float | None = None
    price_wan: float | None = None
    floor_ratio: float = 1.0


@dataclass
class _Project:
    id: str
    name: str
    enterprise: str
    industry: str
    signed: dt.date | None
    investment_yi: float
    parcels: list[str]


@dataclass
class _Building:
    kind: str
    id: str
    name: str
    zone: str
    parcel: str
    ring: list[tuple[float, float]]
    floor_area: float
    storeys: int
    units: int
    start: dt.date
    done: dt.date


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, 28))


class _Frame:
    """Park-centre metres → EPSG:4544 metres, rounded to 0.01 m."""

    def __init__(self) -> None:
        to_gk = Transformer.from_crs("EPSG:4490", PARK_CRS, always_xy=True)
        x, y = to_gk.transform(*CENTRE_LONLAT)
        self.x0, self.y0 = float(round(x)), float(round(y))

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return round(self.x0 + x, 2), round(self.y0 + y, 2)


def _rect_ring(frame: _Frame, x0: float, y0: float, x1: float, y1: float):
    return [frame(x0, y0), frame(x1, y0), frame(x1, y1), frame(x0, y1)]


def _area_m2(ring: list[tuple[float, float]]) -> float:
    return Polygon(ring).area


def _mu(ring: list[tuple[float, float]]) -> float:
    return _area_m2(ring) / M2_PER_MU


# --------------------------------------------------------------------------------------------
# Generation


def _zone_ring(frame: _Frame, rng: random.Random, xs, ys) -> list[tuple[float, float]]:
    # A rectangle with a few vertices pushed outwards by up to 8 m (corridors are 60 m wide),
    # so the zone still contains its blocks and never reaches a neighbour or a road.
    (x0, x1), (y0, y1) = xs, ys
    pts = []
    for (ax, ay), (bx, by), (nx, ny) in (
        ((x0, y0), (x1, y0), (0, -1)),
        ((x1, y0), (x1, y1), (1, 0)),
        ((x1, y1), (x0, y1), (0, 1)),
        ((x0, y1), (x0, y0), (-1, 0)),
    ):
        pts.append((ax, ay))
        for t in (1 / 3, 2 / 3):
            push = rng.choice((0.0, 0.0, round(rng.uniform(2, 8), 2)))
            pts.append((ax + (bx - ax) * t + nx * push, ay + (by - ay) * t + ny * push))
    return [frame(x, y) for x, y in pts]


def _cuts(rng: random.Random, lo: float, hi: float, n: int) -> list[tuple[float, float]]:
    """Split [lo, hi] into *n* bands separated by streets 20–40 m wide."""
    streets = [rng.choice((20.0, 24.0, 30.0, 36.0, 40.0)) for _ in range(n - 1)]
    weights = [rng.uniform(0.9, 1.1) for _ in range(n)]
    usable = hi - lo - sum(streets)
    out, pos = [], lo
    for i, w in enumerate(weights):
        size = usable * w / sum(weights)
        end = hi if i == n - 1 else round(pos + size, 2)
        out.append((round(pos, 2), end))
        if i < n - 1:
            pos = end + streets[i]
    return out


def _split(rng: random.Random, rect, k: int) -> list[tuple[float, float, float, float]]:
    """Split a block into *k* strips across its longer side (weights vary ±25 %)."""
    x0, y0, x1, y1 = rect
    weights = [rng.uniform(0.75, 1.25) for _ in range(k)]
    total = sum(weights)
    along_x = (x1 - x0) >= (y1 - y0)
    lo, hi = (x0, x1) if along_x else (y0, y1)
    edges, acc = [lo], lo
    for w in weights[:-1]:
        acc += (hi - lo) * w / total
        edges.append(round(acc, 2))
    edges.append(hi)
    if along_x:
        return [(edges[i], y0, edges[i + 1], y1) for i in range(k)]
    # north to south, so ids run from the top of the block
    return [(x0, edges[k - i - 1], x1, edges[k - i]) for i in range(k)]


def _make_parcels(frame: _Frame, rng: random.Random) -> list[_Parcel]:
    parcels = []
    for zid, _name, _en, prefix, xs, ys in ZONES:
        x0, x1 = xs[0] + ZONE_MARGIN, xs[1] - ZONE_MARGIN
        y0, y1 = ys[0] + ZONE_MARGIN, ys[1] - ZONE_MARGIN
        cols = _cuts(rng, x0, x1, max(1, round((x1 - x0) / 360)))
        rows = _cuts(rng, y0, y1, max(1, round((y1 - y0) / 370)))
        number = 0
        block = 0
        for ry0, ry1 in reversed(rows):
            for cx0, cx1 in cols:
                rect = (cx0, ry0, cx1, ry1)
                if (zid, block) in SMALL_BLOCKS:
                    xm = round((cx0 + cx1) / 2, 2)
                    ym = round((ry0 + ry1) / 2, 2)
                    pieces = [
                        (cx0, ym, xm, ry1),
                        (xm, ym, cx1, ry1),
                        (cx0, ry0, xm, ym),
                        (xm, ry0, cx1, ym),
                    ]
                else:
                    pieces = _split(rng, rect, rng.choice((1, 2, 2, 3, 3, 3, 4)))
                for piece in pieces:
                    number += 1
                    parcels.append(
                        _Parcel(
                            id=f"{prefix}-{number:02d}",
                            zone=zid,
                            block=block,
                            rect=piece,
                            ring=_rect_ring(frame, *piece),
                            floor_ratio=round(rng.uniform(0.8, 1.3), 2),
                        )
                    )
                block += 1
    return parcels


def _take(parcels: list[_Parcel], zone: str, n: int, how: str, fits=None) -> list[_Parcel]:
    """Pick *n* free parcels of *zone*: the ``smallest``, or the smallest that ``fit``."""
    free = [p for p in parcels if p.zone == zone and p.project is None]
    if how == "fit":
        free = [p for p in free if fits(p)]
    free.sort(key=lambda p: (_area_m2(p.ring), p.id))
    if len(free) < n:
        raise RuntimeError(f"zone {zone} has {len(free)} suitable free parcels, {n} needed")
    return sorted(free[:n], key=lambda p: p.id)


def _take_area(parcels: list[_Parcel], zone: str, target_mu: float) -> list[_Parcel]:
    """Pick the run of up to five free parcels, consecutive in the zone, nearest *target_mu*.

    Consecutive parcels touch within a block, or face each other across a street.
    """
    row = [p for p in parcels if p.zone == zone]
    best = None
    for i in range(len(row)):
        for j in range(i + 1, min(i + 6, len(row) + 1)):
            run = row[i:j]
            if any(p.project for p in run):
                break
            score = abs(sum(_mu(p.ring) for p in run) - target_mu)
            if best is None or score < best[0] - 1e-9:
                best = (score, run)
    if best is None:
        raise RuntimeError(f"zone {zone} has no free parcels left")
    return best[1]


def _allocate(
    rng: random.Random,
    project: _Project,
    taken: list[_Parcel],
    *,
    land_use: str,
    allocated: dt.date,
    started: dt.date | None,
    done: dt.date | None,
    producing: dt.date | None = None,
    agreed: dt.date | None = None,
    planned_done: dt.date | None = None,
) -> None:
    """Give *taken* parcels to *project* with their land-contract and construction dates."""
    for p in taken:
        p.project = project.id
        p.land_use = land_use
        p.allocated = allocated
        p.agreed = agreed or _add_months(allocated, rng.randint(3, 6))
        if started and started < allocated:
            raise RuntimeError(f"{p.id}: started before allocation")
        if started and (started - p.agreed).days > 300:
            # a late start that was still within the contract: keep the demo free of idle land
            p.agreed = started - dt.timedelta(days=rng.randint(10, 60))
        p.started = started
        p.completed = done
        p.producing = producing
        p.planned_done = (
            done or planned_done or (started + dt.timedelta(days=540) if started else None)
        )
        project.parcels.append(p.id)


def _fit_scale(rect, n: int, footprint: tuple[float, float]) -> float:
    return _grid(rect, n, footprint)[0]


def _grid(rect, n: int, footprint: tuple[float, float]):
    x0, y0, x1, y1 = rect
    width, height = x1 - x0 - 24, y1 - y0 - 24
    best = None
    for bw, bh in (footprint, footprint[::-1]):
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            cell_w = (width - 15 * (cols - 1)) / cols
            cell_h = (height - 15 * (rows - 1)) / rows
            scale = min(1.0, cell_w / bw, cell_h / bh)
            if best is None or scale > best[0] + 1e-9:
                best = (scale, bw, bh, cols, rows, cell_w, cell_h)
    return best


def _place_buildings(rect, n: int, footprint: tuple[float, float]):
    """Lay *n* buildings out in a grid inside *rect* with a 12 m setback and 15 m gaps."""
    x0, _, _, y1 = rect
    scale, bw, bh, cols, _, cell_w, cell_h = _grid(rect, n, footprint)
    if scale < 0.6:
        raise RuntimeError(f"{n} buildings do not fit in {rect}")
    bw, bh = round(bw * scale, 1), round(bh * scale, 1)
    out = []
    for i in range(n):
        r, c = divmod(i, cols)
        cx = x0 + 12 + c * (cell_w + 15) + cell_w / 2
        cy = y1 - 12 - r * (cell_h + 15) - cell_h / 2
        out.append(
            (
                round(cx - bw / 2, 2),
                round(cy - bh / 2, 2),
                round(cx + bw / 2, 2),
                round(cy + bh / 2, 2),
            )
        )
    return out


@dataclass
class _Park:
    zones: list[dict]
    parcels: list[_Parcel]
    projects: list[_Project]
    buildings: list[_Building]
    roads: list[dict]
    overlap: tuple[str, str]
    idle: str


def _platform(frame, rng, parcels, project, group: _Group, buildings: list[_Building]) -> None:
    """Allocate a platform project's parcels and lay out its buildings, batch by batch."""
    per = math.ceil(sum(b[0] for b in group.batches) / group.parcels)
    taken = _take(
        parcels,
        group.zone,
        group.parcels,
        "fit",
        lambda p: _fit_scale(p.rect, per, group.footprint) >= 0.97,
    )
    plans: list[list[tuple[dt.date, dt.date]]] = [[] for _ in taken]
    index = 0
    for count, start, done in group.batches:
        for _ in range(count):
            plans[index // per].append((_date(start), _date(done)))
            index += 1
    prefix = "CF" if group.kind == "factories" else "AZ"
    number = 0
    for p, plan in zip(taken, plans, strict=True):
        mine = []
        for (start, done), r in zip(
            plan, _place_buildings(p.rect, len(plan), group.footprint), strict=True
        ):
            number += 1
            storeys = rng.randint(*group.storeys)
            footprint = (r[2] - r[0]) * (r[3] - r[1])
            floor = round(footprint * storeys * rng.uniform(0.94, 1.0), 2)
            serial = sum(b.kind == group.kind for b in buildings) + 1
            mine.append(
                _Building(
                    kind=group.kind,
                    id=f"{prefix}-{serial:03d}",
                    name=f"{group.name}{number}号楼",
                    zone=group.zone,
                    parcel=p.id,
                    ring=_rect_ring(frame, *r),
                    floor_area=floor,
                    storeys=storeys,
                    units=int(floor * 0.8 // 95) if group.kind == "housing" else 0,
                    # a batch's buildings start a week apart
                    start=start + dt.timedelta(days=7 * ((number - 1) % 6)),
                    done=done,
                )
            )
            buildings.append(mine[-1])
        started = min(b.start for b in mine)
        done_all = max(b.done for b in mine)
        _allocate(
            rng,
            project,
            [p],
            land_use="0701" if group.kind == "housing" else "0601",
            allocated=_date(group.allocated),
            started=started if started <= AS_OF else None,
            done=done_all if done_all <= AS_OF else None,
            planned_done=done_all,
        )


def _build() -> _Park:
    rng = random.Random(SEED)
    frame = _Frame()
    zone_rings = {z[0]: _zone_ring(frame, rng, z[4], z[5]) for z in ZONES}
    parcels = _make_parcels(frame, rng)
    projects: list[_Project] = []
    buildings: list[_Building] = []

    def new_project(name, enterprise, industry, signed, investment):
        project = _Project(
            f"XM{len(projects) + 1:03d}", name, enterprise, industry, _date(signed), investment, []
        )
        projects.append(project)
        return project

    # platform projects first: each takes the smallest parcels that hold its buildings
    for group in PLATFORM_GROUPS:
        industry = "园区配套" if group.kind == "housing" else "标准厂房"
        project = new_project(group.name, PLATFORM, industry, None, group.investment_yi)
        _platform(frame, rng, parcels, project, group, buildings)
    for name, operator, zone, allocated, started, done, investment in UTILITIES:
        project = new_project(name, operator, "公用设施", None, investment)
        _allocate(
            rng,
            project,
            _take(parcels, zone, 1, "smallest"),
            land_use="0809",
            allocated=_date(allocated),
            started=_date(started),
            done=_date(done),
        )

    # enterprise projects: the largest land wishes are met first, so they find room
    idle = ""
    wishes = []
    for spec in ENTERPRISE_PROJECTS:
        name, enterprise, industry, signed, investment = spec[:5]
        wishes.append((new_project(name, enterprise, industry, signed, investment), spec))
    for project, spec in sorted(wishes, key=lambda w: -w[1][6]):
        (name, _e, _i, _s, _v, zone, target_mu, allocated, started, done, producing, land_use) = (
            spec
        )
        taken = _take_area(parcels, zone, target_mu)
        agreed = _date(IDLE_AGREED_START) if name == IDLE_PROJECT else None
        _allocate(
            rng,
            project,
            taken,
            land_use=land_use,
            allocated=_date(allocated),
            started=_date(started),
            done=_date(done),
            producing=_date(producing),
            agreed=agreed,
        )
        if name == IDLE_PROJECT:
            idle = taken[0].id

    overlap = _plant_overlap(frame, parcels, projects)
    _declare(rng, parcels, overlap[0])
    _reserve(rng, parcels)

    zones = []
    for zid, name, name_en, _prefix, _xs, _ys in ZONES:
        available = sum(_mu(p.ring) for p in parcels if p.zone == zid and p.allocated is None)
        zones.append(
            {
                "id": zid,
                "name": name,
                "name_en": name_en,
                "ring": zone_rings[zid],
                "available_mu": round(available, 2),
            }
        )

    roads = []
    for rid, name, start, breaks, width, design, pts in ROADS:
        line = [frame(x, y) for x, y in pts]
        drawn = LineString(line).length
        roads.append(
            {
                "id": rid,
                "name": name,
                "start": start,
                "breaks": breaks,
                "width": width,
                "design": design if design else round(drawn, 0),
                "line": line,
            }
        )
    return _Park(zones, parcels, projects, buildings, roads, overlap, idle)


def _plant_overlap(frame, parcels, projects) -> tuple[str, str]:
    """Push one parcel's shared edge 3 m into its neighbour over 180 m (planted flaw 1)."""
    owner = {pid: pr for pr in projects for pid in pr.parcels}
    enterprise = {
        pid for pid, pr in owner.items() if pr.enterprise != PLATFORM and pr.signed is not None
    }
    for a, b in itertools.pairwise(parcels):
        if a.block != b.block or a.zone != b.zone or a.id not in enterprise:
            continue
        if b.id not in enterprise or owner[a.id] is owner[b.id] or not a.started:
            continue
        ax0, ay0, ax1, ay1 = a.rect
        if ax1 == b.rect[0]:  # b is east of a: shared edge x = ax1
            length = ay1 - ay0
            if length < 300 or _mu(a.ring) < 90:
                continue
            s0, s1 = ay1 - 60, ay1 - 240
            pts = [
                (ax0, ay0),
                (ax1, ay0),
                (ax1, s1),
                (ax1 + 3, s1),
                (ax1 + 3, s0),
                (ax1, s0),
                (ax1, ay1),
                (ax0, ay1),
            ]
        elif ay0 == b.rect[3]:  # b is south of a: shared edge y = ay0
            length = ax1 - ax0
            if length < 300 or _mu(a.ring) < 90:
                continue
            s0, s1 = ax0 + 60, ax0 + 240
            pts = [
                (ax0, ay0),
                (s0, ay0),
                (s0, ay0 - 3),
                (s1, ay0 - 3),
                (s1, ay0),
                (ax1, ay0),
                (ax1, ay1),
                (ax0, ay1),
            ]
        else:
            continue
        a.declared_mu = round(_mu(a.ring), 2)  # the contract keeps the intended area
        a.ring = [frame(x, y) for x, y in pts]
        return a.id, b.id
    raise RuntimeError("no parcel pair fits the planted overlap")


def _declare(rng, parcels, overlapping: str) -> None:
    allocated = [p for p in parcels if p.allocated]
    off = {p.id for p in rng.sample([p for p in allocated if p.id != overlapping], 3)}
    for p in allocated:
        drawn = _mu(p.ring)
        if p.id in off:
            drawn *= 1 + rng.choice((-1, 1)) * rng.uniform(0.003, 0.008)
        if p.declared_mu is None:
            p.declared_mu = round(drawn, 2)
        p.price_wan = round(p.declared_mu * rng.uniform(15, 25), 2)


def _reserve(rng, parcels) -> None:
    """Land reserve (收储) dates: before allocation, or for some unallocated parcels."""
    first = dt.date(2021, 1, 5)
    for p in parcels:
        if p.allocated:
            day = p.allocated - dt.timedelta(days=rng.randint(60, 150))
            p.reserved = day if day >= first else None
        elif rng.random() < 0.5:
            p.reserved = first + dt.timedelta(days=rng.randint(60, (AS_OF - first).days - 30))


# --------------------------------------------------------------------------------------------
# Progress records


def _stage_labels(vocab: str) -> dict[str, str]:
    return {s.code: s.zh for s in vocabulary(vocab)}


def _quarter_ends(after: dt.date, before: dt.date) -> list[dt.date]:
    out = []
    for year in range(after.year, before.year + 1):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            q = dt.date(year, month, day)
            if after < q < before and q <= AS_OF:
                out.append(q)
    return out


def _progress_rows(park: _Park) -> list[list[str]]:
    land = _stage_labels("land")
    building = _stage_labels("building")
    investment = {pr.id: pr.investment_yi for pr in park.projects}
    project_area: dict[str, float] = {}
    for p in park.parcels:
        if p.project:
            project_area[p.project] = project_area.get(p.project, 0.0) + _area_m2(p.ring)
    rows = []

    def add(kind_name, fid, day, stage, pct=None, floor=None, wan=None, note=""):
        if day > AS_OF:
            return
        rows.append((day, fid, kind_name, stage, pct, floor, wan, note))

    for p in park.parcels:
        label = kind("parcels").label_zh
        if p.reserved:
            add(label, p.id, p.reserved, land["reserved"], note="土地收储")
        if not p.allocated:
            continue
        add(label, p.id, p.allocated, land["allocated"], note="签订出让合同")
        if not p.started:
            continue
        area = _area_m2(p.ring)
        planned_floor = area * p.floor_ratio
        share = area / project_area[p.project]
        total_wan = investment[p.project] * 10_000 * share
        span = (p.planned_done - p.started).days

        def pct_on(day, span=span, p=p):
            return min(95.0, round(5 + 90 * (day - p.started).days / span, 0))

        add(label, p.id, p.started, land["started"], 0, 0, 0, "开工")
        end = p.completed or AS_OF + dt.timedelta(days=1)
        for q in _quarter_ends(p.started, end):
            pct = pct_on(q)
            add(
                label,
                p.id,
                q,
                land["started"],
                pct,
                planned_floor * pct / 100,
                total_wan * pct / 100,
                "季度进度",
            )
        if p.completed:
            add(
                label,
                p.id,
                p.completed,
                land["completed"],
                100,
                planned_floor,
                total_wan,
                "竣工验收",
            )
        if p.producing:
            add(label, p.id, p.producing, land["producing"], 100, planned_floor, total_wan, "投产")

    for b in park.buildings:
        label = kind(b.kind).label_zh
        span = (b.done - b.start).days
        cost_wan = b.floor_area * (0.25 if b.kind == "housing" else 0.18)
        steps = (
            (b.start, "foundation", 5, "基础施工"),
            (b.start + dt.timedelta(days=round(span * 0.3)), "structure", 30, "主体施工"),
            (b.start + dt.timedelta(days=round(span * 0.7)), "topped_out", 75, "主体封顶"),
            (b.done, "completed", 100, "竣工验收"),
            (b.done + dt.timedelta(days=45), "delivered", 100, "交付使用"),
        )
        for day, code, pct, note in steps:
            add(
                label,
                b.id,
                day,
                building[code],
                pct,
                b.floor_area * pct / 100,
                cost_wan * pct / 100,
                note,
            )

    rows.sort(key=lambda r: (r[0], r[1]))
    out = []
    for day, fid, kind_name, stage, pct, floor, wan, note in rows:
        out.append(
            [
                kind_name,
                fid,
                day.isoformat(),
                stage,
                _num(pct, 0),
                _num(floor, 2),
                _num(wan, 2),
                note,
            ]
        )
    return out


def _num(value, decimals: int) -> str:
    if value is None:
        return ""
    return f"{value:.{decimals}f}"


def _chainage(m: float, style: int) -> str:
    """Chainage text in one of the spellings found in real records."""
    km, rest = divmod(m, 1000)
    if style == 0:
        return f"K{int(km)}+{rest:03.0f}"
    if style == 1:
        return f"K{int(km)}+{rest:06.2f}"
    if style == 2:
        return f"{int(km)}+{rest:03.0f}"
    return f"{m:.0f}"


def _road_progress_rows() -> list[list[str]]:
    out = []
    for i, (rid, item, a, b, stage, pct, day, section, note) in enumerate(ROAD_PROGRESS):
        style = i % 4
        out.append(
            [
                rid,
                item,
                _chainage(a, style),
                _chainage(b, (style + 1) % 4),
                stage,
                str(pct),
                day,
                section,
                note,
            ]
        )
    return out


# --------------------------------------------------------------------------------------------
# Writers: fixed text layout, "\n" line ends, UTF-8 without BOM


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return _write(path, buf.getvalue())


def _polygon(ring) -> dict:
    poly = orient(Polygon(ring), 1.0)  # RFC 7946: exterior counter-clockwise
    return {"type": "Polygon", "coordinates": [[list(c) for c in poly.exterior.coords]]}


def _geojson(path: Path, name: str, features: list[tuple[dict, dict]]) -> Path:
    lines = [
        "{",
        '"type": "FeatureCollection",',
        f'"name": {json.dumps(name)},',
        '"crs": ' + json.dumps({"type": "name", "properties": {"name": CRS_URN}}) + ",",
        '"features": [',
    ]
    for i, (props, geometry) in enumerate(features):
        feature = {"type": "Feature", "properties": props, "geometry": geometry}
        comma = "," if i < len(features) - 1 else ""
        lines.append(json.dumps(feature, ensure_ascii=False) + comma)
    lines += ["]", "}", ""]
    return _write(path, "\n".join(lines))


def _props(kind_name: str, values: list) -> dict:
    return dict(zip(FIELDS[kind_name], values, strict=True))


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _write_layers(park: _Park, layers: Path) -> list[Path]:
    written = []
    written.append(
        _geojson(
            layers / "zones.geojson",
            "zones",
            [
                (
                    _props("zones", [z["id"], z["name"], z["name_en"], z["available_mu"]]),
                    _polygon(z["ring"]),
                )
                for z in park.zones
            ],
        )
    )
    written.append(
        _geojson(
            layers / "parcels.geojson",
            "parcels",
            [
                (
                    _props(
                        "parcels",
                        [
                            p.id,
                            p.zone,
                            p.land_use,
                            p.declared_mu,
                            _iso(p.allocated),
                            _iso(p.agreed),
                            _iso(p.started),
                            _iso(p.completed),
                            p.price_wan,
                        ],
                    ),
                    _polygon(p.ring),
                )
                for p in park.parcels
            ],
        )
    )
    written.append(
        _geojson(
            layers / "factories.geojson",
            "factories",
            [
                (
                    _props("factories", [b.id, b.name, b.zone, b.parcel, b.floor_area, b.storeys]),
                    _polygon(b.ring),
                )
                for b in park.buildings
                if b.kind == "factories"
            ],
        )
    )
    written.append(
        _geojson(
            layers / "housing.geojson",
            "housing",
            [
                (
                    _props("housing", [b.id, b.name, b.zone, b.parcel, b.floor_area, b.units]),
                    _polygon(b.ring),
                )
                for b in park.buildings
                if b.kind == "housing"
            ],
        )
    )
    written.append(
        _geojson(
            layers / "roads.geojson",
            "roads",
            [
                (
                    _props(
                        "roads",
                        [
                            r["id"],
                            r["name"],
                            _chainage(r["start"], 0),
                            r["design"],
                            r["breaks"],
                            r["width"],
                        ],
                    ),
                    {"type": "LineString", "coordinates": [list(c) for c in r["line"]]},
                )
                for r in park.roads
            ],
        )
    )
    written.append(
        _csv(
            layers / "projects.csv",
            list(FIELDS["projects"]),
            [
                [
                    pr.id,
                    pr.name,
                    pr.enterprise,
                    pr.industry,
                    _iso(pr.signed) or "",
                    f"{pr.investment_yi:.2f}",
                    ";".join(pr.parcels),
                ]
                for pr in park.projects
            ],
        )
    )
    written.append(_csv(layers / "progress.csv", list(PROGRESS_FIELDS), _progress_rows(park)))
    written.append(
        _csv(layers / "road_progress.csv", list(ROAD_PROGRESS_FIELDS), _road_progress_rows())
    )
    goal_rows = []
    for number, (metric, metric_en, unit, layer, stage, measure, targets) in enumerate(GOALS, 1):
        for year, (target, text) in targets.items():
            note = _SEED_NOTE.format(text=text)
            if year == 2028:
                note += "；" + _NOTE_2028
            goal_rows.append(
                [
                    f"G{year}-{number:02d}",
                    metric,
                    metric_en,
                    f"{year}-01-01",
                    f"{year}-12-31",
                    str(target),
                    unit,
                    layer,
                    stage,
                    measure,
                    note,
                ]
            )
    goal_rows.sort(key=lambda r: r[0])
    written.append(_csv(layers / "goals.csv", list(GOAL_FIELDS), goal_rows))
    return written


# --------------------------------------------------------------------------------------------
# park.toml

_LAYER_IDS = {
    "zones": "片区编号",
    "parcels": "地块编号",
    "factories": "厂房编号",
    "housing": "编号",
    "roads": "道路编号",
    "projects": "项目编号",
}
_LAYER_SOURCES = {
    "zones": "layers/zones.geojson",
    "parcels": "layers/parcels.geojson",
    "factories": "layers/factories.geojson",
    "housing": "layers/housing.geojson",
    "roads": "layers/roads.geojson",
    "projects": "layers/projects.csv",
}
_LAYER_COMMENTS = {
    "zones": "片区 / zones (polygons)",
    "parcels": "地块 / land parcels (polygons); 用地性质 = GB/T 21010-2017 code",
    "factories": "标准厂房 / standard factory buildings (polygons)",
    "housing": "安置房 / resettlement housing buildings (polygons)",
    "roads": "道路 / road centre lines (lines); 桩号 e.g. K1+234.5",
    "projects": "项目 / projects: a table without geometry; 用地地块 = parcel ids joined by ';'",
}


def _kv(text: str, comment: str = "") -> str:
    """A TOML line with its comment aligned (CJK characters count as two columns)."""
    if not comment:
        return text
    width = sum(2 if ord(c) > 0x2E7F else 1 for c in text)
    return text + " " * max(1, 38 - width) + "# " + comment


def _toml_fields(table: str, mapping: dict[str, str], kind_name: str) -> list[str]:
    known = {f.name for f in kind(kind_name).fields}
    lines = [_kv(f"[{table}.fields]", "源字段 → 规范字段 / source field → canonical field")]
    for source, canonical in mapping.items():
        if canonical not in known:
            raise RuntimeError(f"{canonical!r} is not a field of kind {kind_name!r}")
        lines.append(f'"{source}" = "{canonical}"')
    return lines


def _manifest(park: _Park) -> str:
    allocated_mu: dict[int, float] = {}
    for p in park.parcels:
        if p.allocated:
            year = p.allocated.year
            allocated_mu[year] = allocated_mu.get(year, 0.0) + p.declared_mu
    a, b = park.overlap
    crs = f'crs = "{PARK_CRS}"'
    encoding = _kv('encoding = "utf-8"', '可选：文本编码，旧 Shapefile 常为 "gbk" / optional')
    lines = [
        "# 园区项目清单 / park project manifest (parkgeo)",
        "# 由 scripts/make_demo_park.py 生成的演示数据，请勿手工修改；真实园区可照此格式编写。",
        "# Demo data written by scripts/make_demo_park.py (do not edit by hand); write a real",
        "# park's manifest in the same format. Paths are relative to this file.",
        "#",
        "# 演示数据中故意设置的问题 / flaws planted in the demo data for the land checks:",
        f"#   1. 地块重叠：{a} 与 {b} 相邻，重叠一条宽约3米、长180米的狭长地带",
        f"#      overlapping parcels: {a} and {b} overlap by a strip 3 m wide, 180 m long",
        f"#   2. 闲置土地：{park.idle} 于2021年供地，超过约定开工日期两年以上仍未开工",
        f"#      idle land: {park.idle}, allocated in 2021, not started 2+ years past its"
        " agreed start",
        "",
        "[park]",
        _kv('name = "X县工业园区"', "园区名称 / park name"),
        'name_en = "X County Industrial Park"',
        _kv(f"as_of = {AS_OF.isoformat()}", "默认统计截止日期（TOML 日期）/ default as-of date"),
        _kv(crs, "量算坐标系 / working CRS for all measurements"),
        _kv(f'store = "{STORE_NAME}"', "内嵌数据库 / GeoPackage store"),
        _kv('data_source = "演示数据（parkgeo 生成，非真实测绘成果）"', "数据来源 / data source"),
        _kv('map_review_number = "审图号：（待填写）"', "审图号 / map review number"),
        _kv('organization = "X县工业园区管理委员会"', "编制单位 / who issues the briefing"),
        _kv("issued_on = 2024-10-08", "简报编制日期 / date of the briefing"),
        "",
        "[roads]",
        "# 设计长度与图上长度相差小于此比例时，桩号按比例映射到道路中线",
        "# design vs drawn length: below this fraction, chainage is scaled onto the line",
        "scale_tolerance = 0.02",
        "",
        _kv("[quotas]", "年度用地指标（亩），按供地年份 / land quota (mu) per year"),
    ]
    for year in sorted(allocated_mu):
        lines.append(f"{year} = {math.ceil(allocated_mu[year] * 1.1 / 50) * 50}")
    for name in ("zones", "parcels", "factories", "housing", "roads", "projects"):
        lines += [
            "",
            f"# {_LAYER_COMMENTS[name]}",
            f"[layers.{name}]",
            _kv(f'kind = "{name}"', "图层类型 / layer kind (geo/data/kinds.toml)"),
            _kv(f'source = "{_LAYER_SOURCES[name]}"', "源文件 / source file"),
            _kv(f'id = "{_LAYER_IDS[name]}"', "编号字段 / id field (source name)"),
        ]
        if kind(name).spatial:
            lines.append(_kv(crs, "可选：源数据坐标系 / optional: the source CRS"))
        lines.append(encoding)
        lines += _toml_fields(f"layers.{name}", FIELDS[name], name)
    lines += [
        "",
        "# 进度记录（地块、标准厂房、安置房）/ progress records of parcels and buildings.",
        "# 图层 = 地块 / 标准厂房 / 安置房；阶段 = geo/data/stages.toml 中的中文名或代码",
        "# (stage = a Chinese label or code from geo/data/stages.toml)",
        "[progress.buildings]",
        'source = "layers/progress.csv"',
        encoding,
        *_toml_fields("progress.buildings", PROGRESS_FIELDS, "progress"),
        "",
        "# 道路进度，按桩号分段 / road progress by chainage section;",
        "# 桩号可写作 K0+500、K0+500.00、0+500 或 500 (chainage spellings)",
        "[progress.roads]",
        'source = "layers/road_progress.csv"',
        _kv('kind = "roads"', "进度所属图层 / layer the records refer to"),
        encoding,
        *_toml_fields("progress.roads", ROAD_PROGRESS_FIELDS, "progress"),
        "",
        "# 目标（会议材料中的目标表），每个指标每个时段一行 / goals from the seed report,",
        "# one row per metric and period",
        "[goals]",
        'source = "layers/goals.csv"',
        encoding,
        *_toml_fields("goals", GOAL_FIELDS, "goals"),
        "",
    ]
    return "\n".join(lines)


def write_demo_project(path: Path) -> list[Path]:
    """Write the demo park project into folder *path*.

    Writes ``park.toml`` and, under ``layers/``, ``zones.geojson``, ``parcels.geojson``,
    ``factories.geojson``, ``housing.geojson``, ``roads.geojson`` (FeatureCollections in
    EPSG:4544 with a ``crs`` member naming it), ``projects.csv``, ``progress.csv``,
    ``road_progress.csv`` and ``goals.csv``. The output is byte-identical on every run.
    Existing files of those names are overwritten; other files are left alone.

    Parameters
    ----------
    path
        Project folder; created if missing.

    Returns
    -------
    list of Path
        The files written, ``park.toml`` first.

    Notes
    -----
    The data carries two planted flaws for the land checks: one pair of adjacent parcels
    overlapping by a 3 m × 180 m strip, and one parcel allocated in 2021 that was never
    started (idle for more than two years past its agreed start). ``park.toml`` names them.
    """
    path = Path(path)
    layers = path / "layers"
    layers.mkdir(parents=True, exist_ok=True)
    park = _build()
    manifest = _write(path / MANIFEST_NAME, _manifest(park))
    return [manifest, *_write_layers(park, layers)]
