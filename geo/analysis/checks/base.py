"""The rule and land-use tables, findings, the rule registry and the message templates.

The rule table ``geo/data/checks.toml`` gives each rule its severity, titles, unit and
thresholds (overridable in park.toml ``[checks]``); land-use codes and the building kinds
allowed on them are ``geo/data/landuse.toml``; the bilingual text of every finding is a
template of ``geo/data/check_messages.toml`` filled by :func:`message`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache

import shapely

from geo.domain.tables import data_table, kind, kinds
from geo.domain.values import nonnegative_number
from geo.errors import ManifestError

SEVERITIES = ("error", "warning")
#: Kinds written by parkgeo itself, never checked.
OUTPUT_KINDS = ("findings",)
#: Gap pieces must lie within this distance (m) of two parcels to be "between parcels".
_TOUCH_M = 0.01

# ---------------------------------------------------------------------------- tables


@dataclass(frozen=True)
class Rule:
    """One entry of ``checks.toml``."""

    id: str
    order: int
    severity: str
    title_zh: str
    title_en: str
    unit: str
    thresholds: tuple[tuple[str, float], ...]
    params: tuple[tuple[str, float], ...] = ()
    dated: bool = True  # its findings depend on the as-of date

    @property
    def primary(self) -> str | None:
        """The threshold a finding reports beside its value (the first one)."""
        return self.thresholds[0][0] if self.thresholds else None

    def param(self, name: str) -> float:
        return dict(self.params)[name]

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


@dataclass(frozen=True)
class LandUse:
    """A land-use code of ``landuse.toml`` and the building kinds allowed on it."""

    code: str
    standard: str
    zh: str
    en: str
    buildings: tuple[str, ...]

    def label(self, lang: str = "zh") -> str:
        return f"{self.code} {self.zh if lang == 'zh' else self.en}"


@cache
def rule_table() -> dict[str, Rule]:
    """The rules of ``checks.toml`` by id, in report order."""
    out = {}
    fixed = ("severity", "title_zh", "title_en", "unit", "thresholds", "dated")
    for order, (rule_id, spec) in enumerate(data_table("checks.toml").items()):
        if spec.get("severity") not in SEVERITIES:
            raise ValueError(f"checks.toml [{rule_id}]: severity must be one of {SEVERITIES}")
        out[rule_id] = Rule(
            id=rule_id,
            order=order,
            severity=spec["severity"],
            title_zh=spec["title_zh"],
            title_en=spec["title_en"],
            unit=spec.get("unit", ""),
            thresholds=tuple((k, float(v)) for k, v in spec.get("thresholds", {}).items()),
            params=tuple((k, float(v)) for k, v in spec.items() if k not in fixed),
            dated=bool(spec.get("dated", True)),
        )
    return out


@cache
def land_use_table() -> dict[str, LandUse]:
    """Land-use codes of ``landuse.toml`` by code, in table order."""
    return {
        e["code"]: LandUse(
            code=e["code"],
            standard=e["standard"],
            zh=e["zh"],
            en=e["en"],
            buildings=tuple(e["buildings"]),
        )
        for e in data_table("landuse.toml")["code"]
    }


_CODE = re.compile(r"\s*([0-9]+(?:\.0+)?|[A-Za-z][0-9]?)(?![A-Za-z0-9])\s*(.*)", re.S)


def lookup_land_use(value: object) -> LandUse | None:
    """The land-use entry for a parcel's ``land_use`` text, or None when it is not known.

    Accepts a code (``0601``, ``601`` or ``601.0`` from a spreadsheet, ``M1``), a code
    followed by its name (``0601 工业用地``) or a Chinese name alone (``城镇住宅用地``; a name
    found in both standards resolves to GB/T 21010-2017).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    table = land_use_table()
    match = _CODE.fullmatch(text)
    if match:
        code = match.group(1).split(".")[0].upper()
        if code.isdigit() and len(code) % 2:
            code = code.zfill(len(code) + 1)
        return table.get(code)
    return next((e for e in table.values() if e.zh == text), None)


def check_thresholds(
    values: Mapping[str, object] | None = None, *, where: str = "park.toml"
) -> dict[str, float]:
    """Every threshold of the rule table, with the overrides in *values* applied.

    Parameters
    ----------
    values
        park.toml's ``[checks]`` table (``Manifest.checks``).
    where
        The file named in error messages.

    Raises
    ------
    ManifestError
        For a key that is no threshold (the valid keys are listed) or a value that is not
        a non-negative number.
    """
    defaults = {name: value for r in rule_table().values() for name, value in r.thresholds}
    out = dict(defaults)
    for key, value in (values or {}).items():
        if key not in defaults:
            valid = ", ".join(f"{k} (default {v:g})" for k, v in defaults.items())
            raise ManifestError(
                f"{where}: [checks] {key} is not a check threshold. Valid keys: {valid}."
            )
        number = nonnegative_number(value)
        if number is None:
            raise ManifestError(
                f"{where}: [checks] {key} = {value!r} is not a number ≥ 0. "
                f"Write e.g. {key} = {defaults[key]:g}."
            )
        out[key] = number
    return out


# ---------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One problem found: which rule, how bad, which features, what was measured."""

    rule: str
    severity: str
    layer: str
    ids: tuple[str, ...]
    value: float | None
    threshold: float | None
    unit: str
    message_zh: str
    message_en: str
    geometry: shapely.Geometry | None = field(default=None, compare=False, repr=False)

    def as_dict(self) -> dict:
        spec = rule_table()[self.rule]
        return {
            "rule": self.rule,
            "severity": self.severity,
            "title_zh": spec.title_zh,
            "title_en": spec.title_en,
            "layer": self.layer,
            "ids": list(self.ids),
            "value": self.value,
            "threshold": self.threshold,
            "unit": self.unit,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


@dataclass(frozen=True)
class CheckResult:
    """Findings (errors first, then by rule-table order) and the allocation summary."""

    as_of: dt.date
    crs: str
    thresholds: dict[str, float]
    findings: list[Finding]
    summary: dict

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    def counts(self) -> dict[str, int]:
        return {"error": len(self.errors), "warning": len(self.warnings)}

    def as_dict(self) -> dict:
        """The JSON shape of ``parkgeo check --json``."""
        return {
            "as_of": self.as_of.isoformat(),
            "crs": self.crs,
            "counts": self.counts(),
            "thresholds": dict(self.thresholds),
            "findings": [f.as_dict() for f in self.findings],
            "summary": self.summary,
        }


#: a rule: (the checks Context, its Rule) → findings
RuleFunction = Callable[..., Iterable[Finding]]
_REGISTRY: dict[str, RuleFunction] = {}


def rule(rule_id: str) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule function under *rule_id*, an id of ``checks.toml``."""

    def register(func: RuleFunction) -> RuleFunction:
        if rule_id not in rule_table():
            raise KeyError(f"rule {rule_id!r} is not in checks.toml")
        if rule_id in _REGISTRY:
            raise KeyError(f"rule {rule_id!r} is registered twice")
        _REGISTRY[rule_id] = func
        return func

    return register


def registered_rules() -> dict[str, RuleFunction]:
    """Rule id → function, in rule-table order."""
    return {r: _REGISTRY[r] for r in rule_table() if r in _REGISTRY}


# ---------------------------------------------------------------------------- messages


@dataclass(frozen=True)
class Both:
    """A field of a message whose value differs by language (a label, a phrase)."""

    zh: object
    en: object

    @classmethod
    def of(cls, texts: Mapping[str, str]) -> Both:
        """The pair :func:`message` returns, as a field of another message."""
        return cls(texts["zh"], texts["en"])


_JOIN = {"zh": "、", "en": ", "}


@cache
def message_table() -> dict:
    """The templates of ``check_messages.toml`` by key."""
    return data_table("check_messages.toml")


def message(key: str, **fields: object) -> dict[str, str]:
    """The Chinese and English text of template *key* filled with *fields*.

    A :class:`Both` field gives each language its own value; a list or tuple is joined
    with "、" (Chinese) or ", " (English). Returns ``{"zh": …, "en": …}``, the keyword
    arguments of :meth:`Context.finding`.
    """
    spec = message_table()[key]
    out = {}
    for lang in ("zh", "en"):
        values = {}
        for name, value in fields.items():
            if isinstance(value, Both):
                value = value.zh if lang == "zh" else value.en
            if isinstance(value, list | tuple):
                value = _JOIN[lang].join(str(v) for v in value)
            values[name] = value
        out[lang] = spec[lang].format(**values)
    return out


def noun(kind_name: str) -> Both:
    """What one feature of *kind_name* is called: its kind label, an English noun."""
    zh = kind(kind_name).label("zh") if kind_name in kinds() else kind_name
    return Both(zh, message_table()["nouns"].get(kind_name, kind_name))
