"""The progress workbook a clerk fills each week (``parkgeo template``).

One sheet per staged kind (地块, 标准厂房, 安置房, 道路) with its features' ids, names and
current stage filled in, and the columns of a progress record to fill: a date column of real
date cells, stage (and, for roads, work item) dropdowns from ``geo/data/stages.toml``, a
chainage-range column whose header note gives the accepted forms, and a record-id column.
Headers are the progress fields' labels (``geo/data/kinds.toml``), which import maps to
fields by themselves; the workbook imports as it is and, unchanged, adds nothing (a row that
records nothing is not a record).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.analysis.progress import layer_state
from geo.domain.chainage import ACCEPTED_FORMS, RANGE_FORMS
from geo.domain.tables import kind, kinds, label, vocabulary
from geo.io.cells import safe_cell
from geo.io.files import write_atomic

__all__ = ["TemplateSheet", "template_sheets", "write_template"]

#: Rows below the features that still get the dropdowns and date format (rows a clerk adds).
SPARE_ROWS = 200
DATE_FORMAT = "yyyy-mm-dd"

_FEATURE_FIELDS = ("date", "stage", "percent", "floor_area_m2", "investment_wan")
_SECTION_FIELDS = ("date", "item", "chainage_range", "stage", "percent", "contract_section")


@dataclass(frozen=True)
class TemplateSheet:
    """One sheet of the template: its kind, title and prefilled rows (header → value)."""

    kind: str
    title: str
    frame: pd.DataFrame
    #: header → canonical progress field (columns not imported are absent)
    fields: dict[str, str]


def template_sheets(store, *, as_of: dt.date, lang: str = "zh") -> list[TemplateSheet]:
    """The sheets of the template from the store: a sheet per staged kind it holds."""
    progress = kind("progress")
    records = store.records()
    out = []
    for k in kinds().values():
        if not k.stages:
            continue
        features = store.read_kind(k.name)
        if features is None or not len(features):
            continue
        columns = ["kind", "feature_id", *(_SECTION_FIELDS if k.sections else _FEATURE_FIELDS)]
        columns += ["note", "record_id"]
        header = {name: progress.field(name).label(lang) for name in columns}
        frame = pd.DataFrame({header[c]: [None] * len(features) for c in columns})
        frame[header["kind"]] = k.label(lang)
        frame[header["feature_id"]] = features["id"].astype(str).to_numpy()
        info = {}
        if "name" in features.columns:
            info[label("template_name", lang)] = features["name"].fillna("").astype(str)
        if not k.sections:  # roads are staged per section and work item, not as a whole
            state = layer_state(features, records, kind_name=k.name, as_of=as_of).features
            info[label("template_current", lang)] = state[f"stage_{lang}"].astype(str)
        for i, (title, values) in enumerate(info.items(), 2):
            frame.insert(i, title, values.to_numpy())
        out.append(TemplateSheet(k.name, k.label(lang), frame, {v: c for c, v in header.items()}))
    return out


def _dropdown(sheet, column: str, labels: list[str], rows: int, note: str):
    from openpyxl.comments import Comment
    from openpyxl.worksheet.datavalidation import DataValidation

    check = DataValidation(type="list", formula1='"' + ",".join(labels) + '"', allow_blank=True)
    check.add(f"{column}2:{column}{rows}")
    sheet.add_data_validation(check)
    sheet[f"{column}1"].comment = Comment(note, "parkgeo", width=320, height=120)


def write_template(path: Path | str, store, *, as_of: dt.date, lang: str = "zh") -> Path:
    """Write the template workbook to *path* (through a temporary file).

    Returns
    -------
    Path
        *path*.
    """
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in template_sheets(store, as_of=as_of, lang=lang):
        sheet = book.create_sheet(spec.title[:31])
        sheet.append([safe_cell(h) for h in spec.frame.columns])
        for row in spec.frame.itertuples(index=False):
            sheet.append([None if v is None else safe_cell(v) for v in row])
        last = len(spec.frame) + 1 + SPARE_ROWS
        k = kinds()[spec.kind]
        for j, header in enumerate(spec.frame.columns, 1):
            column = get_column_letter(j)
            sheet.cell(row=1, column=j).font = Font(bold=True)
            sheet.column_dimensions[column].width = max(10, 2 * len(str(header)) + 2)
            field_name = spec.fields.get(header)
            if field_name == "stage":
                labels = [s.label(lang) for s in vocabulary(k.stages)]
                note = label("template_stage_note", lang).format(labels=", ".join(labels))
                _dropdown(sheet, column, labels, last, note)
            elif field_name == "item":
                labels = [s.label(lang) for s in vocabulary(k.sections)]
                note = label("template_stage_note", lang).format(labels=", ".join(labels))
                _dropdown(sheet, column, labels, last, note)
            elif field_name == "date":
                for r in range(2, last + 1):
                    sheet.cell(row=r, column=j).number_format = DATE_FORMAT
                note = label("template_date_note", lang)
                sheet.cell(row=1, column=j).comment = Comment(note, "parkgeo")
            elif field_name == "chainage_range":
                sheet.column_dimensions[column].width = 24
                note = label("template_chainage_note", lang).format(
                    ranges=RANGE_FORMS, stations=ACCEPTED_FORMS
                )
                sheet.cell(row=1, column=j).comment = Comment(note, "parkgeo", 360, 160)
            elif field_name == "record_id":
                note = label("template_record_id_note", lang)
                sheet.cell(row=1, column=j).comment = Comment(note, "parkgeo")
            elif header == label("template_current", lang):
                note = label("template_current_as_of", lang).format(date=as_of.isoformat())
                sheet.cell(row=1, column=j).comment = Comment(note, "parkgeo")
        sheet.freeze_panes = "C2"
    buf = io.BytesIO()
    book.save(buf)
    return write_atomic(Path(path), buf.getvalue())
