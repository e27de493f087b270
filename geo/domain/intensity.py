"""The control-indicator table (``geo/data/intensity.toml``) and where each threshold comes from.

A parcel's threshold of an indicator is, strongest first: its 标准地 contract field, the
park's value (park.toml ``[intensity]``), the national table. :func:`thresholds_for` resolves
them and names the source of each, so that a finding can say where its threshold came from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from geo.domain.tables import Labelled, cached_table, data_table
from geo.domain.values import as_number, as_text, nonnegative_number
from geo.errors import ManifestError

__all__ = [
    "INDICATORS",
    "MUJUN_CLASSES",
    "Indicator",
    "LowUseExemption",
    "LowUseRule",
    "Source",
    "Threshold",
    "building_use",
    "far_minimum",
    "indicator",
    "industry_key",
    "intensity_settings",
    "low_use_exemptions",
    "low_use_rules",
    "source",
    "tall_storey_m",
    "thresholds_for",
]

#: the indicators, in report order
INDICATORS = ("far", "coverage", "admin_share", "green_ratio", "investment", "tax")
#: parcel field of a contract value → the indicator it sets
CONTRACT_FIELDS = {
    "contract_far_min": "far",
    "contract_investment_wan_per_mu": "investment",
    "contract_tax_wan_per_mu": "tax",
}


@dataclass(frozen=True)
class Source:
    """Where thresholds come from (a standard, the park, a contract)."""

    key: str
    zh: str
    en: str
    verified: bool
    via: str

    def label(self, lang: str = "zh") -> str:
        text = self.zh if lang == "zh" else self.en
        if not self.verified:
            text += "（未核实原文）" if lang == "zh" else " (not verified against the text)"
        return text


@dataclass(frozen=True)
class Indicator:
    """One control indicator: its names, unit, whether its threshold is a floor or a cap."""

    key: str
    zh: str
    en: str
    unit: str
    unit_en: str
    bound: str  # "min" or "max"
    default: float | None
    source: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en

    def passes(self, value: float, threshold: float) -> bool:
        return value >= threshold if self.bound == "min" else value <= threshold


@dataclass(frozen=True)
class Threshold:
    """The threshold of one indicator for one parcel, and where it came from."""

    indicator: str
    value: float
    source: str  # a key of [sources]

    def as_dict(self) -> dict:
        return {"value": self.value, "source": self.source}


@cached_table
def _table() -> dict:
    return data_table("intensity.toml")


@cached_table
def _sources() -> dict[str, Source]:
    return {
        key: Source(key, s["zh"], s["en"], bool(s.get("verified", False)), s.get("via", ""))
        for key, s in _table()["sources"].items()
    }


def source(key: str) -> Source:
    """The source *key* of ``[sources]`` (``gb2008``, ``park``, ``contract``)."""
    return _sources()[key]


@cached_table
def _indicators() -> dict[str, Indicator]:
    out = {}
    for key in INDICATORS:
        spec = _table()["indicators"][key]
        default = spec.get(spec["bound"])
        out[key] = Indicator(
            key=key,
            zh=spec["zh"],
            en=spec["en"],
            unit=spec.get("unit", ""),
            unit_en=spec.get("unit_en", spec.get("unit", "")),
            bound=spec["bound"],
            default=None if default is None else float(default),
            source=spec.get("source", ""),
        )
    return out


def indicator(key: str) -> Indicator:
    """The indicator *key* (one of :data:`INDICATORS`)."""
    return _indicators()[key]


@cached_table
def _far_by_code() -> dict[str, tuple[float, str]]:
    out = {}
    for entry in _table()["far"]:
        for code in entry["codes"]:
            out[code] = (float(entry["min"]), entry["source"])
    return out


def tall_storey_m() -> float:
    """A storey higher than this (m) counts twice in the floor area for 容积率."""
    return float(_table()["rules"]["tall_storey_m"])


_CODE = re.compile(r"\s*[A-Za-z]?\s*([0-9]{2})")


def industry_key(value: object) -> str | None:
    """The two-digit 大类 of an industry code (``C13``, ``13``, ``C1310`` → ``13``)."""
    match = _CODE.match(as_text(value))
    return match.group(1) if match else None


def far_minimum(code: object) -> Threshold | None:
    """The national 容积率 minimum for industry *code*; None for an industry not listed."""
    key = industry_key(code)
    found = _far_by_code().get(key) if key else None
    return None if found is None else Threshold("far", found[0], found[1])


def intensity_settings(
    values: Mapping[str, object] | None, *, where: str = "park.toml"
) -> dict[str, float]:
    """park.toml ``[intensity]`` checked: indicator key → the park's threshold.

    Raises
    ------
    ManifestError
        For a key that is not one of ``[park_keys]`` or a value that is not a number ≥ 0.
    """
    keys = _table()["park_keys"]
    return {keys[k]: v for k, v in _numbers(values, keys, "intensity", where).items()}


def _numbers(values, keys, section: str, where: str) -> dict[str, float]:
    """park.toml table *section*: every key one of *keys*, every value a number ≥ 0."""
    out = {}
    for key, value in (values or {}).items():
        if key not in keys:
            raise ManifestError(
                f"{where}: [{section}] {key} is not known. Valid keys: {', '.join(keys)}."
            )
        number = nonnegative_number(value)
        if number is None:
            raise ManifestError(f"{where}: [{section}] {key} = {value!r} is not a number ≥ 0.")
        out[key] = number
    return out


def thresholds_for(
    parcel: Mapping[str, object], park: Mapping[str, float] | None = None
) -> dict[str, Threshold]:
    """Every indicator's threshold for *parcel* (a row with ``industry_code`` and contract
    fields), contract first, then *park* (:func:`intensity_settings`), then the table.

    An indicator without any threshold is left out.
    """
    park = park or {}
    out: dict[str, Threshold] = {}
    for key in INDICATORS:
        spec = indicator(key)
        national = far_minimum(parcel.get("industry_code")) if key == "far" else None
        if national is None and spec.default is not None:
            national = Threshold(key, spec.default, spec.source)
        if key in park:
            national = Threshold(key, park[key], "park")
        if national is not None:
            out[key] = national
    for name, key in CONTRACT_FIELDS.items():
        value = as_number(parcel.get(name))
        if value is not None:
            out[key] = Threshold(key, value, "contract")
    return out


@cached_table
def _uses() -> dict[str, str]:
    out = {}
    for key, spec in _table()["uses"].items():
        for alias in (key, spec["zh"], spec["en"], *spec.get("aliases", ())):
            out[alias.casefold()] = key
    return out


def building_use(value: object) -> str | None:
    """The use key (``production``, ``office``, ``storage``) a building's ``use`` names."""
    return _uses().get(as_text(value).strip().casefold())


#: park.toml [mujun] keys (their defaults are intensity.toml [mujun])
MUJUN_KEYS = (
    "tax_weight",
    "output_weight",
    "tax_benchmark_wan_per_mu",
    "output_benchmark_wan_per_mu",
    "class_a",
    "class_b",
    "class_c",
)


def mujun_settings(values: Mapping[str, object] | None, *, where: str = "park.toml") -> dict:
    """The 亩均效益 scheme: intensity.toml ``[mujun]`` with park.toml ``[mujun]`` applied.

    Raises
    ------
    ManifestError
        For an unknown key or a value that is not a number ≥ 0.
    """
    out = {k: float(_table()["mujun"][k]) for k in MUJUN_KEYS}
    return out | _numbers(values, MUJUN_KEYS, "mujun", where)


#: the 亩均效益 classes, best first (intensity.toml [mujun_classes])
MUJUN_CLASSES = ("A", "B", "C", "D")


def mujun_class_label(code: str, lang: str = "zh") -> str:
    """``A 优先发展`` (or ``A priority``): a 亩均 class with its name."""
    spec = _table()["mujun_classes"][code]
    return f"{code} {spec['zh' if lang == 'zh' else 'en']}"


@dataclass(frozen=True)
class LowUseRule(Labelled):
    """One 低效用地 rule: *value* (a column of the intensity table) under *threshold*, or
    under *share* × the column *of*."""

    key: str
    zh: str
    en: str
    value: str
    threshold: float | None
    of: str | None
    share: float | None
    source: str


@dataclass(frozen=True)
class LowUseExemption:
    """Not flagged within *years* of the first date found in *fields*."""

    key: str
    zh: str
    en: str
    fields: tuple[str, ...]
    years: float
    source: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


@cached_table
def low_use_rules() -> tuple[LowUseRule, ...]:
    """The 低效用地 rules of intensity.toml ``[low_use_rules]``, in table order."""
    out = []
    for key, spec in _table().get("low_use_rules", {}).items():
        threshold, share = spec.get("threshold"), spec.get("share")
        out.append(
            LowUseRule(
                key=key,
                zh=spec["zh"],
                en=spec["en"],
                value=spec["value"],
                threshold=None if threshold is None else float(threshold),
                of=spec.get("of"),
                share=None if share is None else float(share),
                source=spec["source"],
            )
        )
    return tuple(out)


@cached_table
def low_use_exemptions() -> tuple[LowUseExemption, ...]:
    """The 低效用地 exemptions of intensity.toml ``[low_use_exemptions]``."""
    return tuple(
        LowUseExemption(key, s["zh"], s["en"], tuple(s["fields"]), float(s["years"]), s["source"])
        for key, s in _table().get("low_use_exemptions", {}).items()
    )
