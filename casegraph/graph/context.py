"""Merges guarded by what the sources say a thing is, beyond its name.

A product that a vendor's catalogue entry lists by name only (a MISP surveillance vendor's
`products`: "Intellexa: products include Triton") says one thing about itself: that vendor makes
it. A described record of the same name from another source (the ICS malware TRITON/TRISIS of
ATT&CK and the MISP tool galaxy) that never names that vendor is, as far as the case can tell,
another thing with the same name. Merging the two on the name alone would give the vendor a
false, cited link to everyone the other record is linked to (Intellexa to TEMP.Veles), so the
resolver keeps them apart and counts it in the load summary; an investigator who knows better
joins them by hand.

The rule is deliberately narrow: it applies to products only, to a record known from a vendor's
list alone (no description of its own), and only when the other record has a description that
could have named the vendor and does not. A product that articles describe, or that a
description ties to its vendor ("Pegasus ... linked to the NSO Group"), merges as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from casegraph.graph.model import normalize_name

# The property a loader sets on a product it knows only from vendors' lists: their names.
LISTED_BY = "listed_by"
KEPT_APART = "products kept apart: a vendor's listed product and a same-named record not naming it"
_WORDS = re.compile(r"[^\w]+")


def _vendors(props: Mapping[str, Any]) -> list[str]:
    """The vendors of a product known from their lists only (no description of its own)."""
    if props.get("description"):
        return []
    listed = props.get(LISTED_BY)
    if isinstance(listed, str):
        return [listed]
    if isinstance(listed, list):
        return [v for v in listed if isinstance(v, str) and v.strip()]
    return []


def _flat(text: str) -> str:
    """Words of a text, folded and single-spaced, between spaces (for whole-word containment)."""
    return f" {_WORDS.sub(' ', normalize_name(text)).strip()} "


def _names_any(text: str, vendors: Iterable[str]) -> bool:
    flat = _flat(text)
    return any(key.strip() and key in flat for key in (_flat(v) for v in vendors))


def apart(
    existing: Mapping[str, Any], incoming: Mapping[str, Any], incoming_names: Iterable[str] = ()
) -> bool:
    """Whether two product records of one name are kept apart: one is known only from vendors'
    lists and the other is described without naming any of those vendors."""
    for listed, other, other_names in (
        (existing, incoming, tuple(incoming_names)),
        (incoming, existing, ()),
    ):
        vendors = _vendors(listed)
        description = other.get("description")
        if vendors and isinstance(description, str) and description.strip():
            said = " ".join((description, *other_names))
            if not _names_any(said, vendors):
                return True
    return False
