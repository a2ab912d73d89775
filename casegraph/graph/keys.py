"""Name keys for resolution: exact keys, keys with corporate designators stripped, fuzzy blocks and test."""

from __future__ import annotations

import re
from functools import lru_cache

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


@lru_cache(maxsize=65536)
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
    n = len(mkey)
    return [block(mkey, k) for k in range(n - FUZZY_LEN_SLACK, n + FUZZY_LEN_SLACK + 1)]


def fuzzy_equal(a: str, b: str) -> bool:
    """Whether two match keys are near enough to be one name (typos, transliteration).

    Numbers must agree exactly: "APT 28" and "APT 29", "Entity 12" and "Entity 13" stay apart.
    """
    if min(len(a), len(b)) < FUZZY_MIN_LEN or a[0] != b[0]:
        return False
    if _DIGITS.findall(a) != _DIGITS.findall(b):
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= FUZZY_THRESHOLD
