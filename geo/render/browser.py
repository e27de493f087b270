"""Headless Chromium (Chromium, Chrome or Edge found on the machine) driven by Playwright.

Playwright's own browser download is never used: the machine's browser is launched by its
path, with background networking off so nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from geo.errors import ParkGeoError

__all__ = ["BROWSER_ARGS", "find_browser", "launch"]

#: Environment variable naming the browser executable.
BROWSER_ENV = "PARKGEO_BROWSER"

_CANDIDATES = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "microsoft-edge",
    "microsoft-edge-stable",
    "chrome",
)

#: Flags that keep a headless browser from reaching out to the network on its own.
BROWSER_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--font-render-hinting=none",
)


def find_browser(explicit: str | os.PathLike | None = None) -> Path | None:
    """The browser to use: *explicit*, else ``$PARKGEO_BROWSER``, else the first on PATH."""
    for candidate in (explicit, os.environ.get(BROWSER_ENV)):
        if candidate:
            path = Path(candidate)
            if path.exists():
                return path
            found = shutil.which(str(candidate))
            if found:
                return Path(found)
            raise ParkGeoError(
                f"browser {candidate!s} not found; give the path of a Chromium, "
                f"Chrome or Edge executable (--browser or {BROWSER_ENV})."
            )
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


@contextlib.contextmanager
def launch(executable: Path) -> Iterator:
    """A launched headless browser (Playwright ``Browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(executable), headless=True, args=list(BROWSER_ARGS)
        )
        try:
            yield browser
        finally:
            browser.close()
