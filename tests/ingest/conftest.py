"""The import tests run once per store: the park fixture points park.toml at each."""

from __future__ import annotations

import pytest

from tests.conftest import use_store


@pytest.fixture
def park(park, store_url):
    use_store(park, store_url)
    return park
