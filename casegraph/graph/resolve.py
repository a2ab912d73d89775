"""Entity resolution keys: exact keys, keys with corporate designators stripped, and a fuzzy test."""

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

# The fuzzy threshold (0-100, rapidfuzz ratio on match keys) and the shortest key it applies to.
FUZZY_THRESHOLD = 94
FUZZY_MIN_LEN = 8


@lru_cache(maxsize=65536)
def match_key(name: str, type_: str) -> str:
    """A looser key for cross-source matching: punctuation dropped, designators stripped for firms."""
    key = normalize_name(name)
    if type_ in CORPORATE_TYPES:
        stripped = _DESIGNATOR_RE.sub("", key).strip()
        if len(stripped) >= 3:
            key = stripped
    return " ".join(_PUNCT.sub(" ", key).split())


def fuzzy_equal(a: str, b: str) -> bool:
    """Whether two match keys are near enough to be one name (typos, transliteration)."""
    if min(len(a), len(b)) < FUZZY_MIN_LEN or a[0] != b[0]:
        return False
    from rapidfuzz import fuzz

    return fuzz.ratio(a, b) >= FUZZY_THRESHOLD
