"""A synthetic demo park, written as a complete park project (``park.toml`` and ``layers/``).

The demo is built from the seed report (a county industrial park's report to a
"high-quality development" conference): its seven zones, its named projects, its resettlement
housing and standard factories, the roads of 五里梁基础设施二期 and its goals table. All
geometry is invented. The park sits around 105.09°E 31.09°N in EPSG:4544 (CGCS2000 3-degree
Gauss-Krüger, CM 105°E).

The seed facts live in ``seed.toml`` (read by :mod:`geo.demo.seed`); :mod:`geo.demo.layout`
lays the park out; this module writes it: progress records, GeoJSON and CSV text, park.toml.

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
import json
import math
from pathlib import Path

from shapely.geometry import Polygon
from shapely.geometry.polygon import orient

from geo.demo.economy import economy_rows, parcel_fields
from geo.demo.layout import Park, area_m2, build_park
from geo.demo.seed import (
    AS_OF,
    CRS_URN,
    ECONOMY_FIELDS,
    FIELDS,
    GOAL_FIELDS,
    GOAL_NOTE,
    GOAL_NOTE_2028,
    GOALS,
    PARK_CRS,
    PROGRESS_FIELDS,
    ROAD_PROGRESS,
    ROAD_PROGRESS_FIELDS,
)
from geo.domain.tables import kind, vocabulary
from geo.settings import MANIFEST_NAME, STORE_NAME

__all__ = ["write_demo_project"]

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


def _progress_rows(park: Park) -> list[list[str]]:
    land = _stage_labels("land")
    building = _stage_labels("building")
    investment = {pr.id: pr.investment_yi for pr in park.projects}
    project_area: dict[str, float] = {}
    for p in park.parcels:
        if p.project:
            project_area[p.project] = project_area.get(p.project, 0.0) + area_m2(p.ring)
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
        area = area_m2(p.ring)
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
                day.isoformat(),
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


def _write_layers(park: Park, layers: Path) -> list[Path]:
    written = []
    indicators = parcel_fields(park)
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
                            _iso(p.producing),
                            p.price_wan,
                            *indicators.get(p.id, [None] * 4),
                        ],
                    ),
                    _polygon(p.ring),
                )
                for p in park.parcels
            ],
        )
    )
    for kind_name, last in (("factories", "storeys"), ("housing", "units")):
        written.append(
            _geojson(
                layers / f"{kind_name}.geojson",
                kind_name,
                [
                    (
                        _props(
                            kind_name,
                            [b.id, b.name, b.zone, b.parcel, b.floor_area, getattr(b, last)],
                        ),
                        _polygon(b.ring),
                    )
                    for b in park.buildings
                    if b.kind == kind_name
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
    written.append(_csv(layers / "economy.csv", list(ECONOMY_FIELDS), economy_rows(park)))
    written.append(_csv(layers / "progress.csv", list(PROGRESS_FIELDS), _progress_rows(park)))
    written.append(
        _csv(layers / "road_progress.csv", list(ROAD_PROGRESS_FIELDS), _road_progress_rows())
    )
    goal_rows = []
    for number, (metric, metric_en, unit, layer, stage, measure, targets) in enumerate(GOALS, 1):
        for year, (target, text) in targets.items():
            note = GOAL_NOTE.format(text=text)
            if year == 2028:
                note += "；" + GOAL_NOTE_2028
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
    "economy": "记录编号",
}
_LAYER_SOURCES = {
    "zones": "layers/zones.geojson",
    "parcels": "layers/parcels.geojson",
    "factories": "layers/factories.geojson",
    "housing": "layers/housing.geojson",
    "roads": "layers/roads.geojson",
    "projects": "layers/projects.csv",
    "economy": "layers/economy.csv",
}
_LAYER_COMMENTS = {
    "zones": "片区 / zones (polygons)",
    "parcels": "地块 / land parcels (polygons); 用地性质 = GB/T 21010-2017 code",
    "factories": "标准厂房 / standard factory buildings (polygons)",
    "housing": "安置房 / resettlement housing buildings (polygons)",
    "roads": "道路 / road centre lines (lines); 桩号 e.g. K1+234.5",
    "projects": "项目 / projects: a table without geometry; 用地地块 = parcel ids joined by ';'",
    "economy": "经济指标 / enterprises' figures: 1–8月 of 2024 (月数 = 8) and whole earlier years",
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


def _manifest(park: Park) -> str:
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
    for name in ("zones", "parcels", "factories", "housing", "roads", "projects", "economy"):
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
        fields = ECONOMY_FIELDS if name == "economy" else FIELDS[name]
        lines += _toml_fields(f"layers.{name}", fields, name)
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
    park = build_park()
    manifest = _write(path / MANIFEST_NAME, _manifest(park))
    return [manifest, *_write_layers(park, layers)]
