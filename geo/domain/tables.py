"""Domain tables (layer kinds, stage vocabularies, work items, styles) read from ``geo/data``.

The tables are data; this module only reads them into small frozen dataclasses and looks
labels up. It imports nothing from the package but :mod:`geo.settings` and :mod:`geo.errors`.

``settings.DATA_DIR`` names a folder of tables to read instead of ``geo/data`` (a park's own
vocabulary, or a test's edited copy); call :func:`reload_tables` after changing it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from geo import settings
from geo.errors import ParkGeoError

__all__ = [
    "Field",
    "Kind",
    "Labelled",
    "Stage",
    "cached_table",
    "data_table",
    "drawn_kinds",
    "drawn_layers",
    "kind",
    "kind_stage",
    "kinds",
    "label",
    "labels",
    "lookup_kind",
    "lookup_stage",
    "reload_tables",
    "stage_with_role",
    "staged_kinds",
    "stages_for_kind",
    "stages_with_role",
    "vocabulary",
    "work_items",
]

GEOMETRY_TYPES = {
    "polygon": ("Polygon", "MultiPolygon"),
    "line": ("LineString", "MultiLineString"),
    "point": ("Point", "MultiPoint"),
    "none": (),
}


class Labelled:
    """Gives ``label(lang)``: the Chinese text, or the English one for ``lang="en"`` when there
    is one. A class names its two text attributes in ``_zh`` and ``_en``."""

    _zh = "zh"
    _en = "en"

    def label(self, lang: str = "zh") -> str:
        english = getattr(self, self._en)
        return english if lang == "en" and english else getattr(self, self._zh)


@dataclass(frozen=True)
class Field(Labelled):
    """A canonical field of a layer kind."""

    _zh, _en = "label_zh", "label_en"

    name: str
    type: str
    required: bool
    label_zh: str
    label_en: str


@dataclass(frozen=True)
class Kind(Labelled):
    """A kind of layer or table (zones, parcels, factories, ..., projects)."""

    _zh, _en = "label_zh", "label_en"

    name: str
    label_zh: str
    label_en: str
    geometry: str
    stages: str
    fields: tuple[Field, ...]
    aliases: tuple[str, ...] = ()
    #: vocabulary of the work items whose progress is recorded by chainage section (roads)
    sections: str = ""
    #: drawing order on maps (lower first); None = not drawn
    draw: int | None = None
    #: how maps draw the layer (edge, width, alpha, ...; stage colours are in stages.toml)
    style: dict = field(default_factory=dict, compare=False)

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


@dataclass(frozen=True)
class Stage(Labelled):
    """One entry of an ordered vocabulary (a stage, or a road work item)."""

    vocabulary: str
    order: int
    code: str
    zh: str
    en: str
    color: str
    after: str = ""
    date_field: str = ""
    #: what the stage stands for where code needs it (e.g. ``project``: projects are counted
    #: at it; ``map_default``: the work item a map shows when it shows one)
    roles: tuple[str, ...] = ()


def data_table(name: str) -> dict:
    """A TOML table of ``geo/data`` (e.g. ``checks.toml``), parsed; modules that hold
    their own vocabularies (checks, land use, road rules) read them through this.

    Reads ``settings.DATA_DIR`` instead of ``geo/data`` when it is set.
    """
    folder = Path(settings.DATA_DIR) if settings.DATA_DIR else resources.files("geo.data")
    return tomllib.loads(folder.joinpath(name).read_text(encoding="utf-8"))


_load = data_table
_CACHED: list = []


def cached_table(function):
    """Cache what *function* reads from the tables until :func:`reload_tables`."""
    cached = cache(function)
    _CACHED.append(cached)
    return cached


def reload_tables() -> None:
    """Forget every table read so far: the next look-up reads them again (from
    ``settings.DATA_DIR`` when set)."""
    for function in _CACHED:
        function.cache_clear()


@cached_table
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
            sections=spec.get("sections", ""),
            draw=spec.get("draw"),
            style=dict(spec.get("style", {})),
        )
    return out


def kind(name: str) -> Kind:
    """The kind called *name*; raises with the known kinds listed."""
    try:
        return kinds()[name]
    except KeyError:
        known = ", ".join(kinds())
        raise ParkGeoError(f"unknown layer kind {name!r}; known kinds: {known}") from None


def staged_kinds() -> tuple[str, ...]:
    """Kinds whose features carry a stage of their own, in table order (not those recorded
    by chainage section, such as roads)."""
    return tuple(k.name for k in kinds().values() if k.stages and not k.sections)


def drawn_kinds() -> tuple[Kind, ...]:
    """Kinds a map draws, in drawing order (``draw`` in kinds.toml)."""
    return tuple(sorted((k for k in kinds().values() if k.draw is not None), key=lambda k: k.draw))


@cached_table
def drawn_layers() -> tuple[tuple[str, Kind | None], ...]:
    """What maps draw, in drawing order, as (key, kind): the kinds with a ``draw`` order
    (kinds.toml) and the overlays that are no kind (``[snapshot] overlays`` of map.toml,
    chainage ticks), with None for their kind."""
    overlays = _load("map.toml").get("snapshot", {}).get("overlays", {})
    keyed = [(k.draw, k.name, k) for k in drawn_kinds()]
    keyed += [(draw, name, None) for name, draw in overlays.items()]
    return tuple((name, k) for _, name, k in sorted(keyed, key=lambda e: e[0]))


@cached_table
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
                roles=tuple(e.get("roles", ())),
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


def stages_with_role(vocab: str, role: str) -> tuple[Stage, ...]:
    """The stages of *vocab* that have *role* (``roles`` in stages.toml), in order."""
    return tuple(s for s in vocabulary(vocab) if role in s.roles)


def stage_with_role(vocab: str, role: str) -> Stage:
    """The one stage of *vocab* with *role*; raises when the table gives none."""
    found = stages_with_role(vocab, role)
    if not found:
        raise ParkGeoError(f"no stage of vocabulary {vocab!r} has the role {role!r} (stages.toml)")
    return found[0]


def kind_stage(kind_name: str, text: object) -> Stage | None:
    """The stage *text* names in the vocabulary of kind *kind_name* (None for a kind without
    stages, an unknown kind or a stage it does not know)."""
    k = kinds().get(kind_name)
    if k is None or not k.stages or not isinstance(text, str) or not text:
        return None
    return lookup_stage(k.stages, text)


def work_items() -> tuple[Stage, ...]:
    """Road work items (路基, 管网, 路面, 绿化, 照明) in build order."""
    return vocabulary(kind("roads").sections)


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


@cached_table
def _labels() -> dict[str, dict[str, str]]:
    return _load("labels.toml")


def label(key: str, lang: str = "zh", *, default: str | None = None) -> str:
    """Interface text *key* of ``labels.toml`` in *lang* (``zh`` or ``en``); *default* when
    the table has no such text (else :class:`ParkGeoError`)."""
    try:
        entry = _labels()[key]
    except KeyError:
        if default is not None:
            return default
        raise ParkGeoError(f"no interface text {key!r} in labels.toml") from None
    return entry.get(lang) or entry["zh"]


def labels(lang: str = "zh") -> dict[str, str]:
    """Every interface text in *lang*."""
    return {key: entry.get(lang) or entry["zh"] for key, entry in _labels().items()}
