"""Write the demo park project into the repository root (``park.toml`` and ``layers/``).

The repository root is itself the demo project. Run after changing :mod:`geo.demo` and commit
the result; ``tests/demo/test_demo.py`` fails when the committed files are out of date.

    .venv/bin/python scripts/make_demo_park.py
"""

from __future__ import annotations

from pathlib import Path

from geo.demo import write_demo_project

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for path in write_demo_project(ROOT):
        print(path.relative_to(ROOT).as_posix())


if __name__ == "__main__":
    main()
