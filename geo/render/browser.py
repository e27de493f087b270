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

__all__ = ["BROWSER_ARGS", "browser_args", "find_browser", "launch"]

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

#: Chromium refuses to start its sandbox as root; only then is it turned off.
ROOT_ARGS = ("--no-sandbox",)

#: How to get the browser renderer, for messages.
BROWSER_HINT = (
    "install Chromium (e.g. `apt-get install chromium`) or give --browser PATH "
    f"or set {BROWSER_ENV}"
)


def browser_args() -> list[str]:
    """Flags for the headless browser: :data:`BROWSER_ARGS`, plus no sandbox as root."""
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [*BROWSER_ARGS, *(ROOT_ARGS if is_root else ())]


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
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ParkGeoError(
            "the browser renderer needs the Python package playwright, a dependency of "
            "parkgeo: reinstall parkgeo (`pip install -e .`) or use --renderer static"
        ) from exc

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(executable), headless=True, args=browser_args()
        )
        try:
            yield browser
        finally:
            browser.close()
