"""park.toml: every value checked, every refusal says which key and what to write instead."""

from __future__ import annotations

import pytest

from geo.errors import ManifestError
from geo.io.manifest import load_manifest


def _manifest(tmp_path, park: str, rest: str = ""):
    (tmp_path / "park.toml").write_text(f'[park]\nname = "园区"\n{park}\n{rest}', encoding="utf-8")
    return tmp_path


def _refused(project, *needles):
    with pytest.raises(ManifestError) as info:
        load_manifest(project)
    for needle in needles:
        assert needle in str(info.value), str(info.value)
    return str(info.value)


def test_a_crs_in_feet_is_answered_with_its_metre_twin(tmp_path):
    # NAD83 / New York Long Island (ftUS): its metre edition is EPSG:32118 (PROJ database)
    _refused(_manifest(tmp_path, 'crs = "EPSG:2263"'), "[park]", "EPSG:32118", "EPSG:32618")


def test_a_geographic_crs_is_refused_with_a_zone(tmp_path):
    msg = _refused(_manifest(tmp_path, 'crs = "EPSG:4490"'), "[park]", "not a projected CRS")
    assert "EPSG:4544" in msg
