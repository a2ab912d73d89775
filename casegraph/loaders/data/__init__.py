"""Reference tables the loaders share, read once: ISO 3166 country codes and their names."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from casegraph.graph.model import normalize_name


def _read(name: str) -> dict[str, str]:
    text = resources.files("casegraph.loaders.data").joinpath(name).read_text("utf-8")
    table: dict[str, str] = json.loads(text)
    return table


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code (upper case, plus XK for Kosovo) -> common English short name."""
    return _read("countries.json")


@lru_cache(maxsize=1)
def _codes_by_name() -> dict[str, str]:
    table = {normalize_name(name): code for code, name in countries().items()}
    for alias, code in _read("country_aliases.json").items():
        table.setdefault(normalize_name(alias), code)
    return table


def country_name(code: str) -> str | None:
    """The English name of an ISO 3166 alpha-2 code (any case), or None if it is not one."""
    return countries().get(str(code).strip().upper()) if len(str(code).strip()) == 2 else None


def country_code(name: str) -> str | None:
    """The ISO code of a country named in English (its common or formal name), or None."""
    return _codes_by_name().get(normalize_name(name))
