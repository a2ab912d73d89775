"""Name keys for resolution: exact keys, keys with corporate designators stripped, fuzzy blocks and test."""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from casegraph.graph.model import normalize_name

# Designators stripped for matching only (display names keep them). Matching across sources
# must be conservative: a key never shrinks below one word of three letters.
DESIGNATORS = (
    "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "llc", "plc",
    "gmbh", "ag", "sa", "sas", "srl", "bv", "nv", "ab", "oy", "as", "spa", "pte", "pty", "kk",
    "group", "holding", "holdings", "technologies", "technology", "tech", "solutions", "systems",
    "services", "international", "intl", "labs", "software",
)  # fmt: skip
_DESIGNATOR_RE = re.compile(
    r"(?:[\s,]+(?:" + "|".join(DESIGNATORS) + r")\.?)+$",
)
_PUNCT = re.compile(r"[^\w\s]+")

# Entity types whose names may lose designators for matching.
CORPORATE_TYPES = frozenset({"Company", "Organization"})

# The fuzzy threshold (0-100, rapidfuzz ratio on match keys), the shortest key it applies to,
# how far apart in length two keys may be, and how many candidates one look-up compares at most.
FUZZY_THRESHOLD = 94
FUZZY_MIN_LEN = 8
FUZZY_LEN_SLACK = 2
FUZZY_CANDIDATES = 100
_DIGITS = re.compile(r"\d+")


@lru_cache(maxsize=1 << 14)
def match_key(name: str, type_: str) -> str:
    """A looser key for cross-source matching: punctuation dropped, designators stripped for firms."""
    key = normalize_name(name)
    if type_ in CORPORATE_TYPES:
        stripped = _DESIGNATOR_RE.sub("", key).strip()
        if len(stripped) >= 3:
            key = stripped
    return " ".join(_PUNCT.sub(" ", key).split())


def block(mkey: str, length: int | None = None) -> str:
    """The fuzzy-match block of a match key: its first three letters and its length."""
    return f"{mkey[:3]}|{len(mkey) if length is None else length}"


def blocks_near(mkey: str) -> list[str]:
    """The blocks a fuzzy match for mkey may lie in (lengths within FUZZY_LEN_SLACK)."""
    return [b for b, _ in _near(mkey[:3], len(mkey))]


def lengths_near(mkey: str) -> tuple[tuple[str, int], ...]:
    """The blocks near mkey in index order, each with the length of the keys it holds."""
    return _near(mkey[:3], len(mkey))


@lru_cache(maxsize=1 << 14)
def _near(head: str, n: int) -> tuple[tuple[str, int], ...]:
    return tuple(
        sorted((block(head, k), k) for k in range(n - FUZZY_LEN_SLACK, n + FUZZY_LEN_SLACK + 1))
    )


def lengths_may_match(a: int, b: int) -> bool:
    """Whether keys of lengths a and b can be fuzzily equal at all: the ratio is at most
    100 * (1 - |a - b| / (a + b)), since turning one into the other takes |a - b| edits."""
    return a + b > 0 and 100 * (1 - abs(a - b) / (a + b)) >= FUZZY_THRESHOLD - 1e-9


def fuzzy_equal(a: str, b: str) -> bool:
    """Whether two match keys are near enough to be one name (typos, transliteration).

    Numbers must agree exactly: "APT 28" and "APT 29", "Entity 12" and "Entity 13" stay apart.
    """
    if min(len(a), len(b)) < FUZZY_MIN_LEN or a[0] != b[0]:
        return False
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    fuzz, _ = _rapidfuzz()
    return bool(fuzz.ratio(a, b) >= FUZZY_THRESHOLD)


@cache
def _rapidfuzz() -> tuple[Any, Any]:
    """rapidfuzz's scorers and extractor, imported when first needed (not by every command) and
    then at the cost of a call, where an import statement in a hot function costs microseconds."""
    from rapidfuzz import fuzz, process

    return fuzz, process


@lru_cache(maxsize=1 << 14)
def _numbers(key: str) -> tuple[str, ...]:
    return tuple(_DIGITS.findall(key))


def fuzzy_matches(a: str, candidates: list[str]) -> list[int]:
    """The positions of the candidates that `fuzzy_equal` a: the same test, run at once (the
    ratio first, in one call, then the other conditions on the few that pass it)."""
    if len(a) < FUZZY_MIN_LEN or not candidates:
        return []
    fuzz, process = _rapidfuzz()
    found = process.extract(
        a, candidates, scorer=fuzz.ratio, score_cutoff=FUZZY_THRESHOLD, limit=None
    )
    numbers = _numbers(a)
    return sorted(
        i
        for b, _, i in found
        if len(b) >= FUZZY_MIN_LEN and b[0] == a[0] and _numbers(b) == numbers
    )
