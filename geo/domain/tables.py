"""Domain tables (layer kinds, stage vocabularies, work items, styles) read from ``geo/data``.

The tables are data; this module only reads them into small frozen dataclasses and looks
labels up. It imports nothing from the package but :mod:`geo.errors`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from geo.errors import ParkGeoError

__all__ = [
    "Field",
    "Kind",
    "Stage",
    "data_table",
    "kind",
    "kinds",
    "label",
    "labels",
    "lookup_kind",
    "lookup_stage",
    "stages_for_kind",
    "vocabulary",
    "work_items",
]

GEOMETRY_TYPES = {
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
    "none": (),
}


@dataclass(frozen=True)
class Field:
    """A canonical field of a layer kind."""

    name: str
    type: str
    required: bool
    label_zh: str
    label_en: str

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Kind:
    """A kind of layer or table (zones, parcels, factories, ..., projects)."""

    name: str
    label_zh: str
    label_en: str
    geometry: str
    stages: str
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()

    @property
    def spatial(self) -> bool:
        return self.geometry != "none"

    @property
    def geometry_types(self) -> tuple[str, ...]:
        return GEOMETRY_TYPES[self.geometry]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Stage:
    """One entry of an ordered vocabulary (a stage, or a road work item)."""

    vocabulary: str
    order: int
    code: str
    zh: str
    en: str
    color: str
    after: str = ""
    date_field: str = ""

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def data_table(name: str) -> dict:
    """A TOML table of ``geo/data`` (e.g. ``checks.toml``), parsed; modules that hold
    their own vocabularies (checks, land use, road rules) read them through this."""
    text = resources.files("geo.data").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


_load = data_table


@cache
def kinds() -> dict[str, Kind]:
    """All layer kinds, by name, in the order of ``kinds.toml``."""
    out = {}
    for name, spec in _load("kinds.toml").items():
        fields = tuple(
            Field(
                name=f["name"],
                type=f["type"],
                required=bool(f.get("required", False)),
                label_zh=f["label_zh"],
                label_en=f["label_en"],
            )
            for f in spec["fields"]
        )
        out[name] = Kind(
            name=name,
            label_zh=spec["label_zh"],
            label_en=spec["label_en"],
            geometry=spec["geometry"],
            stages=spec.get("stages", ""),
            fields=fields,
            aliases=tuple(spec.get("aliases", ())),
        )
    return out


def kind(name: str) -> Kind:
    """The kind called *name*; raises with the known kinds listed."""
    try:
        return kinds()[name]
    except KeyError:
        known = ", ".join(kinds())
        raise ParkGeoError(f"unknown layer kind {name!r}; known kinds: {known}") from None


@cache
def _vocabularies() -> dict[str, tuple[Stage, ...]]:
    out = {}
    for vocab, entries in _load("stages.toml").items():
        out[vocab] = tuple(
            Stage(
                vocabulary=vocab,
                order=i,
                code=e["code"],
                zh=e["zh"],
                en=e["en"],
                color=e["color"],
                after=e.get("after", ""),
                date_field=e.get("date_field", ""),
            )
            for i, e in enumerate(entries)
        )
    return out


def vocabulary(name: str) -> tuple[Stage, ...]:
    """The ordered stages of vocabulary *name* (``land``, ``building``, ``road``, ``item``)."""
    try:
        return _vocabularies()[name]
    except KeyError:
        known = ", ".join(_vocabularies())
        raise ParkGeoError(f"unknown vocabulary {name!r}; known: {known}") from None


def vocabularies() -> dict[str, tuple[Stage, ...]]:
    """Every vocabulary, by name."""
    return dict(_vocabularies())


def stages_for_kind(kind_name: str) -> tuple[Stage, ...]:
    """The stage vocabulary of a layer kind (empty for kinds without stages)."""
    vocab = kind(kind_name).stages
    return vocabulary(vocab) if vocab else ()


def work_items() -> tuple[Stage, ...]:
    """Road work items (路基, 管网, 路面, 绿化, 照明) in build order."""
    return vocabulary("item")


def lookup_kind(text: object) -> Kind | None:
    """Find a kind by name, Chinese or English label or alias (case and spaces ignored)."""
    key = str(text or "").strip().casefold()
    for k in kinds().values():
        if key in (k.name, k.label_zh.casefold(), k.label_en.casefold(), *k.aliases):
            return k
    return None


def lookup_stage(vocab: str, text: object) -> Stage | None:
    """Find a stage by code, Chinese or English label (case and spaces ignored).

    Returns None when *text* matches nothing; callers build the message, listing
    :func:`accepted_labels`.
    """
    key = str(text).strip().casefold()
    for stage in vocabulary(vocab):
        if key in (stage.code.casefold(), stage.zh.casefold(), stage.en.casefold()):
            return stage
    return None


def accepted_labels(vocab: str) -> str:
    """The accepted spellings of a vocabulary, for error messages."""
    return ", ".join(f"{s.zh} ({s.code})" for s in vocabulary(vocab))


@cache
def _labels() -> dict[str, dict[str, str]]:
    return _load("labels.toml")


def label(key: str, lang: str = "zh") -> str:
    """Interface text *key* of ``labels.toml`` in *lang* (``zh`` or ``en``)."""
    try:
        entry = _labels()[key]
    except KeyError:
        raise ParkGeoError(f"no interface text {key!r} in labels.toml") from None
    return entry.get(lang) or entry["zh"]


def labels(lang: str = "zh") -> dict[str, str]:
    """Every interface text in *lang*."""
    return {key: entry.get(lang) or entry["zh"] for key, entry in _labels().items()}
