"""The `history`, `retract` and `template` commands: every record of a feature, taking one
back, and the workbook clerks fill."""

from __future__ import annotations

import getpass
from pathlib import Path

import click
import pandas as pd
from rich.table import Table

from geo.cli.common import (
    as_of_option,
    console,
    lang_option,
    open_project,
    print_json,
    project_option,
)


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _status(rec: dict) -> str:
    if _text(rec.get("retracted_at")):
        return "retracted"
    if _text(rec.get("superseded_at")):
        return "superseded"
    return "active"


def feature_history(store, feature_id: str) -> dict:
    """Every record of *feature_id*, active or not, and the stage timeline they give."""
    from geo.analysis.progress import stage_history
    from geo.domain.tables import staged_kinds
    from geo.store.base import active_at

    records = store.records(where={"feature_id": feature_id}, everything=True)
    if records is None or not len(records):
        return {"feature_id": feature_id, "records": [], "timeline": []}
    rows = []
    for rec in records.sort_values(["date", "seq"]).to_dict("records"):
        rows.append(
            {
                "record_id": rec["record_id"],
                "status": _status(rec),
                **{k: _text(rec.get(k)) for k in ("kind", "date", "stage", "note", "item")},
                "percent": None if pd.isna(rec.get("percent")) else float(rec["percent"]),
                "from": f"{rec['source_file']}"
                + (f" [{rec['source_sheet']}]" if _text(rec.get("source_sheet")) else "")
                + f" row {int(rec['source_row'])}",
                "recorded_at": _text(rec.get("recorded_at")),
                "recorded_by": _text(rec.get("recorded_by")),
                "superseded_by": _text(rec.get("superseded_by")),
                "superseded_at": _text(rec.get("superseded_at")),
                "retracted_at": _text(rec.get("retracted_at")),
                "retracted_by": _text(rec.get("retracted_by")),
                "retracted_why": _text(rec.get("retracted_why")),
            }
        )
    kind_name = rows[-1]["kind"]
    timeline = []
    mine = store.read_kind(kind_name, where={"id": feature_id})
    if mine is not None and kind_name in staged_kinds():  # roads: by section instead
        active = active_at(records, store.as_recorded)
        timeline = stage_history(mine, active, kind_name=kind_name).get(feature_id, [])
    return {
        "feature_id": feature_id,
        "kind": kind_name,
        "records": rows,
        "timeline": [{"date": d, "stage": s} for d, s in timeline],
    }


@click.command()
@project_option
@click.argument("feature_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def history(project: Path, feature_id: str, as_json: bool):
    """Every progress record of FEATURE_ID, active or not, and its stage timeline.

    Each record shows its id, status (active, superseded, retracted), where it came from
    (file, sheet, row), when it entered the store and who recorded it.

    \b
    Example:
      parkgeo history WLT-02
      parkgeo history WLT-02 --json
    """
    _, store = open_project(project)
    data = feature_history(store, feature_id)
    if as_json:
        print_json(data)
        return
    if not data["records"]:
        console.print(f"no progress record of {feature_id}")
        return
    table = Table(title=f"{feature_id}: 记录 records")
    for col in ("record", "status", "date", "stage"):
        table.add_column(col, no_wrap=True)
    for col in ("note", "from", "recorded", "then"):
        table.add_column(col, overflow="fold")
    for r in data["records"]:
        then = (
            f"→ {r['superseded_by']} {r['superseded_at']}"
            if r["superseded_by"]
            else (
                f"{r['retracted_at']} {r['retracted_by']}: {r['retracted_why']}"
                if r["retracted_at"]
                else ""
            )
        )
        pct = "" if r["percent"] is None else f" {r['percent']:g}%"
        table.add_row(
            r["record_id"],
            r["status"],
            r["date"],
            r["stage"] + pct,
            r["note"],
            r["from"],
            f"{r['recorded_at'][:16].replace('T', ' ')} {r['recorded_by']}",
            then,
        )
    console.print(table)
    if data["timeline"]:
        console.print(
            "stage timeline 阶段: "
            + " → ".join(f"{t['date']} {t['stage']}" for t in data["timeline"])
        )


@click.command()
@project_option
@click.argument("record_id")
@click.option("--why", required=True, help="Why the record is taken back (kept with it).")
@click.option("--by", default=None, help="Who retracts (default: [park] operator, else OS user).")
def retract(project: Path, record_id: str, why: str, by: str | None):
    """Retract progress record RECORD_ID: it stays in the store, marked retracted.

    For a record whose file is gone or that cannot be fixed in its file. The record is not
    deleted; `parkgeo history` shows it with when, by whom and why.

    \b
    Example:
      parkgeo retract R000812 --why "误录: WLT-02 未开工"
    """
    from geo.ingest.history import retract_record

    manifest, store = open_project(project)
    who = by or manifest.operator or getpass.getuser()
    rec = retract_record(store, record_id, why=why, by=who)
    console.print(
        f"retracted {record_id} ({rec['kind']} {rec['feature_id']} {rec['date']} "
        f"{_text(rec['stage'])}) by {who}: {why}"
    )


@click.command()
@project_option
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Workbook to write (default: 进度填报.xlsx in the project folder).",
)
@as_of_option
@lang_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a summary.")
def template(project: Path, out: Path | None, as_of, lang: str, as_json: bool):
    """Write the progress workbook a clerk fills each week.

    A sheet per staged kind (地块, 标准厂房, 安置房, 道路) with the features' ids, names and
    current stage filled in; stage and work-item dropdowns, date cells, a chainage-range
    column (its header note gives the accepted forms) and a record-id column. Name it as a
    [progress.NAME] source: it imports as it is, and unchanged it adds nothing.

    \b
    Example:
      parkgeo template --out layers/进度填报.xlsx
      parkgeo template --lang en --out layers/progress-template.xlsx
    """
    from geo.render.template import template_sheets, write_template

    manifest, store = open_project(project)
    day = as_of.date() if as_of else manifest.as_of
    target = out or manifest.root / "进度填报.xlsx"
    write_template(target, store, as_of=day, lang=lang)
    sheets = [
        {"sheet": s.title, "kind": s.kind, "features": len(s.frame)}
        for s in template_sheets(store, as_of=day, lang=lang)
    ]
    if as_json:
        print_json({"path": str(target), "as_of": day.isoformat(), "sheets": sheets})
        return
    for s in sheets:
        console.print(f"{s['sheet']} ({s['kind']}): {s['features']} features")
    console.print(f"wrote {target}")
