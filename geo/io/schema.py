"""The keys ``park.toml`` may hold and the types of their values (``manifest_schema.toml``).

:func:`check_manifest_keys` runs before anything else reads the manifest: a misspelt key
(``encodng``, ``repiar``) would otherwise be ignored silently, and a value of the wrong type
(``repair = "false"``, which Python reads as true; ``as_of = 20240930``) would be used.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
from pathlib import Path

from geo.domain.tables import cached_table, data_table
from geo.errors import ManifestError

__all__ = ["check_manifest_keys", "manifest_schema"]


@cached_table
def manifest_schema() -> dict:
    """``geo/data/manifest_schema.toml``, parsed."""
    return data_table("manifest_schema.toml")


def _nearest(key: str, known) -> str:
    near = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"did you mean {near[0]!r}? " if near else ""


def _what(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text (in quotes)"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _type_problem(kind: str, value) -> str | None:
    """Why *value* is not of schema type *kind* (None when it is)."""
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == "number":
        ok = number
    elif kind == "date":
        ok = isinstance(value, dt.date | str)
    elif kind == "sheet":
        ok = isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))
    elif kind == "table":
        ok = isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    elif kind == "encoding":
        if not isinstance(value, str):
            return f"is {_what(value)}, not the name of a text encoding"
        try:
            codecs.lookup(value)
        except LookupError:
            return "is not a text encoding Python knows (e.g. utf-8, gbk, gb18030, big5)"
        return None
    else:
        raise KeyError(f"unknown schema type {kind!r}")
    if ok:
        return None
    expected = {
        "str": "text",
        "bool": "true or false (no quotes)",
        "int": "a whole number",
        "number": "a number (no quotes, no unit or %)",
        "date": "a date",
        "sheet": "a sheet name or number",
        "table": 'a table of "source field" = "canonical field" (text values)',
    }[kind]
    return f"is {_what(value)}, not {expected}"


def _check_section(path: Path, key: str, section: dict, keys: dict) -> None:
    if not isinstance(section, dict):
        raise ManifestError(f"{path}: [{key}] is {_what(section)}, not a table. Write [{key}].")
    for name, value in section.items():
        if name not in keys:
            raise ManifestError(
                f"{path}: [{key}] has an unknown key {name!r}; {_nearest(name, keys)}"
                f"The keys of [{key}] are: {', '.join(keys)}."
            )
        facts = keys[name]
        why = _type_problem(facts["type"], value)
        if why:
            raise ManifestError(
                f"{path}: [{key}] {name} = {value!r} {why}. Write e.g. {name} = {facts['example']}."
            )


def check_manifest_keys(raw: dict, path: Path) -> None:
    """Refuse any key of *raw* (a parsed park.toml at *path*) the schema does not know, and
    any value of the wrong type, naming the section and key, the nearest known key and an
    example of a right value.

    Raises
    ------
    ManifestError
        On the first unknown key or mistyped value.
    """
    schema = manifest_schema()
    sections, named, free = schema["sections"], schema["named"], schema["free"]
    top = [*sections, *named, *free]
    for key, value in raw.items():
        if key not in top:
            raise ManifestError(
                f"{path}: unknown section [{key}]; {_nearest(key, top)}"
                f"park.toml has the sections: {', '.join(f'[{t}]' for t in top)}."
            )
        if key in free:
            continue
        if key in named:
            if not isinstance(value, dict):
                raise ManifestError(f"{path}: {key} is {_what(value)}; write [{key}.NAME] tables.")
            for name, section in value.items():
                _check_section(path, f"{key}.{name}", section, sections[named[key]])
        else:
            _check_section(path, key, value, sections[key])
