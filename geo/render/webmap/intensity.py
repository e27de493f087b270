"""The web map's 亩均效益 layer: industrial parcels coloured by their A–D class, 低效用地
outlined (classes and styles: map.toml ``[layers.mujun]``; class names: intensity.toml)."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd

from geo.domain.intensity import MUJUN_CLASSES, low_use_rules, mujun_class_label, source
from geo.domain.values import as_text
from geo.render.webmap.encoding import compact_layer

__all__ = ["exemption_label", "low_use_text", "mujun_layer"]


def low_use_text(flags, lang: str) -> str:
    """The 低效用地 flags of a parcel as one line: rule, value < threshold (source)."""
    rules = {r.key: r for r in low_use_rules()}
    sep = "；" if lang == "zh" else "; "
    return sep.join(
        f"{rules[f.rule].label(lang)}: {f.value:,.2f} < {f.threshold:,.2f}"
        f" ({source(f.source).label(lang)})"
        for f in flags or ()
    )


def mujun_layer(store, manifest, *, as_of: dt.date, lang: str, shift: bool) -> dict | None:
    """The layer of the industrial parcels with a 亩均 class or a 低效用地 flag on *as_of*;
    None when there is none."""
    from geo.analysis.intensity import project_intensity

    table, year = project_intensity(store, manifest, as_of=as_of)
    if not len(table):
        return None
    table = table[table["industrial"]]
    shown = table["mujun_class"].notna() | table["low_use"] | table["low_use_flags"].map(bool)
    table = table[shown]
    if not len(table):
        return None
    parcels = store.read_kind("parcels")
    geoms = dict(zip(parcels["id"].map(as_text), parcels.geometry, strict=True))
    layer = gpd.GeoDataFrame(
        {
            "id": table["id"].to_numpy(),
            "cls": table["mujun_class"].to_numpy(),
            "cls_label": [
                mujun_class_label(c, lang) if isinstance(c, str) else None
                for c in table["mujun_class"]
            ],
            "score": table["mujun_score"].round(1).to_numpy(),
            "tax_wan_per_mu": table["tax_wan_per_mu"].round(2).to_numpy(),
            "output_wan_per_mu": table["output_wan_per_mu"].round(1).to_numpy(),
            "low": ["1" if v else "0" for v in table["low_use"]],
            "low_text": [low_use_text(f, lang) or None for f in table["low_use_flags"]],
            "exempt": [
                exemption_label(e, lang) if isinstance(e, str) else None
                for e in table["low_use_exempt"]
            ],
        },
        geometry=gpd.GeoSeries([geoms.get(i) for i in table["id"]], crs=parcels.crs),
    )
    layer = layer[layer.geometry.notna()]
    cols = {c: layer[c] for c in layer.columns if c != layer.geometry.name}
    return {
        "key": "mujun",
        "geometry": "polygon",
        "year": year,
        "class_labels": {c: mujun_class_label(c, lang) for c in MUJUN_CLASSES},
        "count": len(layer),
        "data": compact_layer(layer, cols, geometry="polygon", shift=shift),
    }


def exemption_label(key: str, lang: str) -> str:
    """The name of 低效用地 exemption *key* in *lang*."""
    from geo.domain.intensity import low_use_exemptions

    spec = next((e for e in low_use_exemptions() if e.key == key), None)
    return key if spec is None else spec.label(lang)
