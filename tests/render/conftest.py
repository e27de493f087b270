"""Fixtures of the render tests."""

from __future__ import annotations

import pytest

from geo.render.browser import find_browser, launch


@pytest.fixture(scope="module")
def browser():
    """A real headless Chromium, one per test module."""
    path = find_browser()
    assert path is not None, "no Chromium on this machine: `make test` installs Debian's chromium"
    with launch(path) as b:
        yield b
