"""Area and money units used by Chinese land administration, from their definitions.

1 亩 = 10000/15 m²; 1 公顷 = 10,000 m² = 15 亩; 1 km² = 100 公顷 = 1500 亩;
1万 m² = 10,000 m²; 1亿元 = 10,000万元 = 100,000,000 CNY.

Goal targets and fields name their units in many spellings (km², 平方公里, 万m2 ...); the
spellings are data in ``geo/data/units.toml`` and :func:`parse_unit` reads them.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.domain.tables import Labelled, cached_table, data_table

__all__ = [
    "AREA_UNITS",
    "M2_PER_HECTARE",
    "M2_PER_KM2",
    "M2_PER_MU",
    "OTHER_UNITS",
    "Area",
    "Unit",
    "accepted_units",
    "convert",
    "field_unit",
    "mu_to_m2",
    "parse_unit",
    "unit_by_code",
]

M2_PER_MU = 10000 / 15
M2_PER_HECTARE = 10_000.0
M2_PER_KM2 = 1_000_000.0
WAN_PER_YI = 10_000.0

#: Unit symbol → (m² per unit, Chinese label, English label).
AREA_UNITS = {
    "m2": (1.0, "平方米", "m²"),
    "mu": (M2_PER_MU, "亩", "mu"),
    "ha": (M2_PER_HECTARE, "公顷", "ha"),
    "km2": (M2_PER_KM2, "平方公里", "km²"),
    "wan_m2": (10_000.0, "万平方米", "10k m²"),
}

#: Other units: symbol → (quantity, size in the quantity's base unit (CNY, 1), zh, en).
OTHER_UNITS = {
    "cny": ("money", 1.0, "元", "CNY"),
    "wan_cny": ("money", 10_000.0, "万元", "10k CNY"),
    "yi_cny": ("money", 10_000.0 * WAN_PER_YI, "亿元", "100M CNY"),
    "count": ("count", 1.0, "个", "items"),
    "percent": ("share", 1.0, "%", "%"),
    "m": ("length", 1.0, "米", "m"),
}


def mu_to_m2(mu: float) -> float:
    """Convert 亩 to m²."""
    return mu * M2_PER_MU


def to_unit(m2: float, unit: str) -> float:
    """Convert an area in m² to *unit* (a key of :data:`AREA_UNITS`)."""
    return m2 / AREA_UNITS[unit][0]


@dataclass(frozen=True)
class Area:
    """An area measured in a projected metric CRS, with its usual conversions."""

    m2: float

    @property
    def mu(self) -> float:
        return self.m2 / M2_PER_MU

    @property
    def ha(self) -> float:
        return self.m2 / M2_PER_HECTARE

    @property
    def km2(self) -> float:
        return self.m2 / M2_PER_KM2

    def as_dict(self) -> dict[str, float]:
        return {"m2": self.m2, "mu": self.mu, "ha": self.ha, "km2": self.km2}


@dataclass(frozen=True)
class Unit(Labelled):
    """A unit: its quantity (area, money, count, share) and size in the quantity's base unit.

    The base units are m², CNY and 1.
    """

    code: str
    quantity: str
    size: float
    zh: str
    en: str


def unit_by_code(code: str) -> Unit:
    """The unit with canonical *code* (a key of :data:`AREA_UNITS` or :data:`OTHER_UNITS`)."""
    if code in AREA_UNITS:
        size, zh, en = AREA_UNITS[code]
        return Unit(code, "area", size, zh, en)
    quantity, size, zh, en = OTHER_UNITS[code]
    return Unit(code, quantity, size, zh, en)


@cached_table
def _spellings() -> dict:
    return data_table("units.toml")


def _key(text: object) -> str:
    return "".join(str(text).split()).casefold()


def parse_unit(text: object) -> Unit | None:
    """The unit spelled *text* (``km2``, ``km²``, ``平方公里``, ``万m2``, ``亩`` ...), or None.

    Spellings come from ``geo/data/units.toml``; case and spaces are ignored. Callers build
    the message for None, listing :func:`accepted_units`.
    """
    key = _key(text)
    for code, spellings in _spellings()["aliases"].items():
        if key in {_key(s) for s in spellings}:
            return unit_by_code(code)
    return None


def accepted_units(quantity: str | None = None) -> str:
    """The accepted unit spellings (of one *quantity*, or all), for error messages."""
    return "; ".join(
        f"{code}: {', '.join(spellings)}"
        for code, spellings in _spellings()["aliases"].items()
        if quantity is None or unit_by_code(code).quantity == quantity
    )


def field_unit(field_name: str) -> Unit | None:
    """The unit of a canonical field from the ending of its name (``floor_area_m2`` → m²)."""
    for suffix, code in _spellings()["field_suffixes"].items():
        if field_name.endswith(suffix):
            return unit_by_code(code)
    return None


def convert(value: float, from_unit: Unit, to_unit: Unit) -> float:
    """Convert *value* between two units of one quantity (ValueError across quantities)."""
    if from_unit.quantity != to_unit.quantity:
        raise ValueError(
            f"cannot convert {from_unit.code} ({from_unit.quantity}) "
            f"to {to_unit.code} ({to_unit.quantity})"
        )
    return value * from_unit.size / to_unit.size
