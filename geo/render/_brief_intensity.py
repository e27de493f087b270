"""The briefing's 集约利用与亩均效益 section: the park's 开发区土地集约利用 indicators, the
parcels per 亩均效益 class and the 低效用地 list (geo/render/brief.py calls it)."""

from __future__ import annotations

import datetime as dt

from geo.domain.intensity import MUJUN_CLASSES, mujun_class_label
from geo.domain.quantities import format_quantity
from geo.domain.tables import data_table, label


def _t(key: str, lang: str, **kwargs) -> str:
    return label(f"brief_{key}", lang).format(**kwargs)


def intensity_part(doc, store, manifest, *, as_of: dt.date, lang: str) -> dict:
    """Write the section into *doc*; returns the class counts and the 低效用地 parcel ids."""
    from geo.analysis.intensity import project_intensity, project_park
    from geo.render.webmap.intensity import low_use_text

    table, year = project_intensity(store, manifest, as_of=as_of)
    park = project_park(store, manifest, as_of=as_of)
    doc.heading(_t("intensity", lang))
    scheme = label("mujun_scheme_park", lang)
    doc.paragraph(
        _t(
            "intensity_note",
            lang,
            date=as_of.isoformat(),
            year=year if year else _t("no_year", lang),
            scheme=scheme,
        ),
        keep=True,
    )
    rows = []
    for key, spec in data_table("intensity.toml")["park_report"].items():
        value = park.get(key)
        if value is None:
            text = "—"
        elif spec["unit"] == "ha":
            text = format_quantity(value / 1e4, "ha", lang)
        else:
            text = f"{value:,.2f}{spec['unit']}"
        rows.append([spec[lang], text])
    doc.table([_t("indicator", lang), _t("value", lang)], rows, numeric={1})
    industrial = table[table["industrial"]] if len(table) else table
    counts = {c: 0 for c in MUJUN_CLASSES}
    area = dict.fromkeys(MUJUN_CLASSES, 0.0)
    for row in industrial.to_dict("records") if len(industrial) else []:
        code = row.get("mujun_class")
        if isinstance(code, str):
            counts[code] += 1
            area[code] += row["area_mu"] or 0.0
    doc.table(
        [label("mujun_class", lang), _t("count", lang), _t("area_mu", lang)],
        [[mujun_class_label(c, lang), str(counts[c]), f"{area[c]:,.2f}"] for c in MUJUN_CLASSES],
        numeric={1, 2},
    )
    low = industrial[industrial["low_use"]] if len(industrial) else industrial
    if not len(low):
        doc.paragraph(_t("no_low_use", lang))
    else:
        doc.paragraph(_t("low_use_list", lang, n=len(low)), indent=False, keep=True)
        doc.table(
            [label("id", lang), label("low_use_rules", lang)],
            [
                [str(r["id"]), low_use_text(r["low_use_flags"], lang)]
                for r in low.to_dict("records")
            ],
        )
    return {"classes": counts, "low_use": [str(i) for i in low["id"]] if len(low) else []}
