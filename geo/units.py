"""Area and money units used by Chinese land administration, from their definitions.

1 亩 = 10000/15 m²; 1 公顷 = 10,000 m² = 15 亩; 1 km² = 100 公顷 = 1500 亩;
1万 m² = 10,000 m²; 1亿元 = 10,000万元 = 100,000,000 CNY.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AREA_UNITS", "M2_PER_HECTARE", "M2_PER_KM2", "M2_PER_MU", "Area", "mu_to_m2"]

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
