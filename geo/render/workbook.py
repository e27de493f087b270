"""The checks workbook (``checks.xlsx``): a report a land bureau can send upward.

Sheets: the findings (问题清单), the allocation summary tables and the parcel ledger
(宗地台账: per parcel its zone, project, enterprise, land use, declared and measured 亩,
dates, stage and findings). Headers in Chinese (English with ``lang="en"``), number formats
by unit, columns fitted to their text, the header row frozen with filters, a totals row.
Every text cell a spreadsheet would read as a formula is neutralised
(:func:`geo.io.cells.safe_cell`); the workbook holds no formula at all.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pandas as pd

from geo.domain.quantities import excel_format, goal_texts, unit_scale
from geo.domain.tables import kind, label, vocabulary
from geo.io.cells import safe_cell
from geo.io.files import write_atomic

__all__ = [
    "NUMBER_FORMATS",
    "findings_sheet",
    "goals_sheet",
    "intensity_sheet",
    "ledger_sheet",
    "write_checks_workbook",
]

#: Excel number format by unit (the unit named in a header or a finding's ``unit``).
#: The quantities' formats are those of every other output (geo.domain.quantities).
NUMBER_FORMATS = {
    "亩": excel_format("mu"),
    "mu": excel_format("mu"),
    "公顷": excel_format("ha"),
    "ha": excel_format("ha"),
    "m2": excel_format("m2"),
    "m": excel_format("m"),
    "year": "0.00",
    "count": "#,##0",
    "percent": "0.0",
}
_MAX_WIDTH = 60
_HEADER_FILL = "D9E1F2"


def _text_width(value) -> float:
    """Columns a value takes in Excel: wide (CJK) characters count two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def findings_sheet(result, lang: str = "zh") -> pd.DataFrame:
    """The findings with readable headers in *lang*: number, severity, rule title, layer,
    ids, measured value, threshold, unit and message."""
    rows = [
        {
            label("xlsx_no", lang): i,
            label("severity", lang): label(f"severity_{f.severity}", lang),
            label("rule", lang): f.as_dict()[f"title_{lang}"],
            label("xlsx_layer", lang): kind(f.layer).label(lang) if f.layer else "",
            label("xlsx_ids", lang): "; ".join(f.ids),
            label("xlsx_value", lang): f.value,
            label("xlsx_threshold", lang): f.threshold,
            label("xlsx_unit", lang): f.unit,
            label("message", lang): f.message_zh if lang == "zh" else f.message_en,
        }
        for i, f in enumerate(result.findings, 1)
    ]
    columns = [
        label(k, lang)
        for k in (
            "xlsx_no",
            "severity",
            "rule",
            "xlsx_layer",
            "xlsx_ids",
            "xlsx_value",
            "xlsx_threshold",
            "xlsx_unit",
            "message",
        )
    ]
    return pd.DataFrame(rows, columns=columns)


def ledger_sheet(store, manifest, result, lang: str = "zh") -> pd.DataFrame:
    """宗地台账: one row per parcel, in id order, with its project(s), enterprise(s), land
    use, declared and measured 亩 (in the working CRS), dates, stage on the result's date
    and the titles of the findings that name it."""
    from geo.analysis.progress import layer_state
    from geo.analysis.projects import project_parcels
    from geo.domain.units import M2_PER_MU

    parcels = store.read_kind("parcels")
    if parcels is None or not len(parcels):
        return pd.DataFrame()
    state = layer_state(
        parcels, store.read_kind("progress"), kind_name="parcels", as_of=result.as_of
    ).features
    projects = store.read_kind("projects")
    named: dict[str, list[dict]] = {}
    for rec in [] if projects is None else projects.to_dict("records"):
        for pid in project_parcels(rec.get("parcels")):
            named.setdefault(pid, []).append(rec)
    found: dict[str, list[str]] = {}
    for f in result.findings:
        if f.layer == "parcels":
            for pid in f.ids:
                found.setdefault(pid, []).append(f.as_dict()[f"title_{lang}"])
    stages = {s.code: s.label(lang) for s in vocabulary("land")}
    fields = {f.name: f.label(lang) for f in kind("parcels").fields}
    measured = state.to_crs(manifest.crs).geometry.area / M2_PER_MU
    sep = "、" if lang == "zh" else "; "
    rows = []
    for rec, mu in zip(state.to_dict("records"), measured, strict=True):
        pid = str(rec["id"])
        recs = named.get(pid, [])
        rows.append(
            {
                fields["id"]: pid,
                fields["zone"]: rec.get("zone"),
                label("xlsx_project", lang): sep.join(str(r.get("name") or r["id"]) for r in recs),
                label("xlsx_enterprise", lang): sep.join(
                    dict.fromkeys(str(r.get("enterprise") or "") for r in recs)
                ),
                fields["land_use"]: rec.get("land_use"),
                fields["declared_area_mu"]: rec.get("declared_area_mu"),
                label("xlsx_measured_mu", lang): round(float(mu), 2),
                fields["allocated_on"]: rec.get("allocated_on"),
                fields["agreed_start_on"]: rec.get("agreed_start_on"),
                fields["started_on"]: rec.get("started_on"),
                fields["completed_on"]: rec.get("completed_on"),
                label("stage", lang): stages.get(rec["stage"], rec["stage"]),
                label("xlsx_findings_col", lang): sep.join(dict.fromkeys(found.get(pid, []))),
            }
        )
    return pd.DataFrame(rows).sort_values(fields["id"], kind="stable").reset_index(drop=True)


def intensity_sheet(store, manifest, as_of, lang: str = "zh") -> tuple[pd.DataFrame, dict]:
    """集约利用与亩均效益: one row per industrial parcel with its control indicators, 亩均
    figures, score, class and 低效用地 flags (:func:`geo.analysis.intensity.project_intensity`
    on *as_of*), and the number format of each column."""
    from geo.analysis.intensity import VALUE_COLUMNS, project_intensity
    from geo.domain.intensity import INDICATORS, indicator, mujun_class_label
    from geo.render.webmap.intensity import exemption_label, low_use_text

    table, _ = project_intensity(store, manifest, as_of=as_of)
    if not len(table):
        return pd.DataFrame(), {}
    table = table[table["industrial"]]
    fields = {f.name: f.label(lang) for f in kind("parcels").fields}
    status = {
        "checked": label("status_checked", lang),
        "provisional": label("status_provisional", lang),
    }
    columns = {
        fields["id"]: table["id"],
        fields["industry_code"]: table["industry_code"],
        label("intensity_status", lang): table["status"].map(status),
        label("xlsx_measured_mu", lang): table["area_mu"].round(2),
    }
    formats = {label("xlsx_measured_mu", lang): excel_format("mu")}
    for key in INDICATORS:
        spec = indicator(key)
        unit = (spec.unit if lang == "zh" else spec.unit_en).strip()
        header = spec.label(lang) + (f"({unit})" if unit else "")
        columns[header] = table[VALUE_COLUMNS[key]]
        formats[header] = "0.00"
    columns[label("output_per_mu", lang)] = table["output_wan_per_mu"]
    columns[label("mujun_score", lang)] = table["mujun_score"]
    formats |= {label("output_per_mu", lang): "0.0", label("mujun_score", lang): "0.0"}
    columns[label("mujun_class", lang)] = [
        mujun_class_label(c, lang) if isinstance(c, str) else None for c in table["mujun_class"]
    ]
    columns[label("low_use", lang)] = [label("yes", lang) if v else None for v in table["low_use"]]
    columns[label("low_use_rules", lang)] = [
        low_use_text(f, lang) or None for f in table["low_use_flags"]
    ]
    columns[label("low_use_exempt", lang)] = [
        exemption_label(e, lang) if isinstance(e, str) else None for e in table["low_use_exempt"]
    ]
    frame = pd.DataFrame({k: list(v) for k, v in columns.items()})
    frame = frame.astype(object).where(frame.notna(), None)
    return frame, formats


def goals_sheet(goals: list[dict], lang: str = "zh") -> tuple[pd.DataFrame, list[dict]]:
    """The goals (:func:`geo.analysis.goals.goals_json`) as a sheet, and each row's number
    formats: figures in the unit *lang* writes them in, with its decimals; the percentage
    as shown everywhere else (76.2%); status in words; the goal's note."""
    rows, formats = [], []
    cols = {k: label(k, lang) for k in ("target", "achieved", "xlsx_remaining", "brief_percent")}
    cols["percent"] = cols.pop("brief_percent")
    for g in goals:
        texts = goal_texts(g, lang)
        scale = unit_scale(g["unit"], lang)
        figure = {k: None if g.get(k) is None else g[k] * scale for k in ("target", "achieved")}
        remaining = None if g.get("remaining") is None else g["remaining"] * scale
        shown = texts.percent.rstrip("%")
        rows.append(
            {
                label("id", lang): g["id"],
                label("brief_goal", lang): texts.metric,
                label("brief_period", lang): texts.period,
                label("xlsx_unit", lang): texts.unit,
                cols["target"]: figure["target"],
                cols["achieved"]: figure["achieved"],
                cols["percent"]: float(shown) / 100 if shown else None,
                cols["xlsx_remaining"]: remaining,
                label("brief_status", lang): texts.status,
                label("message", lang): texts.note,
            }
        )
        code = excel_format(g["unit"], lang)
        formats.append(
            {cols["target"]: code, cols["achieved"]: code, cols["xlsx_remaining"]: code}
            | {cols["percent"]: "0.0%"}
        )
    return pd.DataFrame(rows), formats


def _in_lang(text: str, lang: str) -> str:
    """The *lang* half of a bilingual header or sheet name (``面积(亩) mu`` → ``面积(亩)`` or
    ``mu``); the whole text when it has no part in that language."""
    words = str(text).split(" ")
    cjk = [w for w in words if any(_text_width(ch) == 2 for ch in w)]
    part = cjk if lang == "zh" else [w for w in words if w not in cjk]
    return " ".join(part) or str(text)


def _number_format(header: str, unit: str | None = None) -> str | None:
    for key, code in NUMBER_FORMATS.items():
        if unit == key or (unit is None and f"({key})" in header.replace(" ", "")):
            return code
    return None


def _put_sheet(
    book, title: str, frame: pd.DataFrame, lang: str, *, total: bool, formats=None, rows=None
) -> None:
    """One sheet: bold filled header, frozen, filtered; fitted widths; number formats (by
    row in *rows*, by column in *formats*, else from the unit in the header); an optional
    totals row."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title[:31])
    headers = [str(c) for c in frame.columns]
    sheet.append([safe_cell(h) for h in headers])
    units = frame.get(label("xlsx_unit", lang))
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = []
        for value in row:
            if value is None or (isinstance(value, float) and value != value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()  # numpy scalar → Python
            cells.append(safe_cell(value))
        sheet.append(cells)
        for j, header in enumerate(headers, 1):
            cell = sheet.cell(row=i + 2, column=j)
            unit = None
            if units is not None and header in (
                label("xlsx_value", lang),
                label("xlsx_threshold", lang),
            ):
                unit = str(units.iloc[i])
            code = (rows[i] if rows else {}).get(header)
            code = code or _number_format(header, unit) or (formats or {}).get(header)
            if code and isinstance(cell.value, int | float):
                cell.number_format = code
    numeric = [
        j
        for j, col in enumerate(frame.columns, 1)
        if frame[col].dtype.kind in "fi" and str(col) != label("xlsx_no", lang)
    ]
    last = len(frame) + 1
    if total and len(frame) and numeric:
        row = [None] * len(headers)
        row[0] = label("xlsx_total", lang)
        for j in numeric:
            row[j - 1] = round(float(frame.iloc[:, j - 1].sum()), 2)
        sheet.append(row)
        for j in range(1, len(headers) + 1):
            cell = sheet.cell(row=last + 1, column=j)
            cell.font = Font(bold=True)
            code = _number_format(headers[j - 1]) or (formats or {}).get(headers[j - 1])
            if code and isinstance(cell.value, int | float):
                cell.number_format = code
    bold, fill = Font(bold=True), PatternFill("solid", fgColor=_HEADER_FILL)
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    sheet.freeze_panes = "A2"
    if headers:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(last, 1)}"
    for j, header in enumerate(headers, 1):
        values = [header, *frame.iloc[:, j - 1].tolist()]
        width = max(_text_width(v if not isinstance(v, float) else f"{v:,.2f}") for v in values)
        sheet.column_dimensions[get_column_letter(j)].width = min(width + 2, _MAX_WIDTH)
        if width > _MAX_WIDTH:
            for cell in sheet.iter_rows(min_row=2, min_col=j, max_col=j):
                cell[0].alignment = Alignment(wrap_text=True, vertical="top")


def write_checks_workbook(result, path: Path, *, store, manifest, lang: str = "zh") -> Path:
    """Write ``checks.xlsx``: findings, allocation summary tables, the goals (when the
    project has a goals table) and the parcel ledger.

    Parameters
    ----------
    result
        The :class:`geo.analysis.checks.CheckResult`.
    path
        The workbook to write (through a temporary file).
    store, manifest
        The project (for the parcel ledger).
    lang
        ``zh`` (default) or ``en`` headers and texts.
    """
    from openpyxl import Workbook

    from geo.analysis.checks import summary_frames

    book = Workbook()
    book.remove(book.active)
    _put_sheet(book, label("xlsx_findings", lang), findings_sheet(result, lang), lang, total=False)
    for name, frame in summary_frames(result.summary).items():
        formats = {_in_lang(c, lang): _number_format(c) for c in frame.columns}
        frame = frame.rename(columns=lambda c: _in_lang(c, lang))
        _put_sheet(book, _in_lang(name, lang), frame, lang, total=True, formats=formats)
    goals = _measured_goals(store, manifest, result.as_of)
    if goals:
        frame, rows = goals_sheet(goals, lang)
        _put_sheet(book, label("goals", lang), frame, lang, total=False, rows=rows)
    frame, formats = intensity_sheet(store, manifest, result.as_of, lang)
    if len(frame):
        _put_sheet(book, label("xlsx_intensity", lang), frame, lang, total=False, formats=formats)
    ledger = ledger_sheet(store, manifest, result, lang)  # the ledger stays the last sheet
    _put_sheet(book, label("xlsx_ledger", lang), ledger, lang, total=True)
    return write_atomic(path, lambda tmp: book.save(tmp))


def _measured_goals(store, manifest, as_of) -> list[dict]:
    import datetime as dt
    import warnings

    from geo.analysis.goals import GoalWarning, goals_json, measure_goals

    if store.read_kind("goals") is None:
        return []
    date = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", GoalWarning)
        return goals_json(measure_goals(store, as_of=date, crs=manifest.crs))
