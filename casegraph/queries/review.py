"""What is most worth an investigator's check first: a queue of doubtful facts, each with its
quote and the one command that settles it, ordered by how many answers it can change.

Order: the items of each kind are ranked by weight; the queue then takes the best item of every
kind, then the second of every kind, and so on (heaviest first within a round), so that one kind
of doubt around a hub (a product with a thousand indicators) does not hide every other kind."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Any

from casegraph.graph.keys import match_key
from casegraph.graph.model import normalize_name
from casegraph.graph.records import EntityRow
from casegraph.graph.store import Store

# A typed relation whose best evidence is less sure than this is worth a look.
DOUBTFUL = 0.8
# How many of the most connected entities the name checks (duplicates, junk) look at.
SCAN_ENTITIES = 5000
NEAR = 90  # rapidfuzz ratio of two names of one type that may be one thing
# How much an item of each kind weighs beside the relations it touches: a wrong identity (a name
# split across types, junk taken for an entity) corrupts every listing, search and path through
# it; a doubtful hop only the paths through it, in proportion to the doubt.
BASE = {"type-clash": 20, "shared-name": 10, "junk": 10, "type-disagreement": 5,
        "near-duplicate": 5}  # fmt: skip
# Junk for certain (a weekday, no letters at all) weighs this much more than a doubtful name.
CERTAIN_JUNK = 10
# Types that may share a name and be two things of one world (a firm and its product, a
# threat group and its malware, a country and a place of the same name): a name they share is a
# "shared-name" item; a name shared across these families (a person and a firm) is a
# "type-clash": one of the two is mistyped.
FAMILIES = (
    frozenset({"Company", "Organization", "Product", "Platform"}),
    frozenset({"Country", "Location"}),
)

_WEEKDAYS_MONTHS = re.compile(
    r"^(mon|tues?|wed(nes)?|thu(rs)?|fri|sat(ur)?|sun)(day)?$|^(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|"
    r"june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?)$"
)


@dataclass(frozen=True)
class ReviewItem:
    """One thing to check: what kind of doubt, about what, why, the quote, and how to settle it."""

    kind: str  # weak-relation, type-disagreement, type-clash, shared-name, near-duplicate, junk
    weight: int  # how many answers it can change (see BASE)
    subject: str
    reason: str
    command: str
    quote: str = ""
    also: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "weight": self.weight, "subject": self.subject,
                "reason": self.reason, "command": self.command, "quote": self.quote,
                "also": self.also}  # fmt: skip


def _q(text: str) -> str:
    return shlex.quote(text)


def review_queue(store: Store, *, limit: int = 20) -> list[ReviewItem]:
    """The review queue, the items that can change the most answers first."""
    items: list[ReviewItem] = []
    for rel, confidence, degree in store.doubtful_relations(DOUBTFUL, limit * 5):
        evidence = store.evidence([rel.id]).get(rel.id, [])
        quote = evidence[0].quote if evidence else ""
        items.append(ReviewItem(
            "weak-relation", round((1 - confidence) * degree), rel.id,
            f"{rel.source} -[{rel.type}]-> {rel.target}: best evidence {confidence:.2f}",
            f"casegraph confirm {rel.id}   # or: casegraph reject {rel.id}", quote,
        ))  # fmt: skip
    for row, types, degree, quote in store.type_disagreements(limit * 5):
        other = next(t for t in types if t != row.type)
        items.append(ReviewItem(
            "type-disagreement", degree + BASE["type-disagreement"], row.id,
            f"{row.name!r} is a {row.type}; documents also took it for {', '.join(sorted(types - {row.type}))}",
            f"casegraph retype {row.id} {other}", quote,
        ))  # fmt: skip
    for key, rows, degree in store.shared_names(limit * 5):
        a, b = rows[0], rows[1]
        kind = "shared-name" if _one_family({r.type for r in rows}) else "type-clash"
        items.append(ReviewItem(
            kind, degree + BASE[kind], a.id,
            f"{key!r} names a {a.type} ({a.id}) and a {b.type} ({b.id})",
            f"casegraph merge {a.id} {b.id} --across-types {a.type}   # if they are one thing",
            also=[r.id for r in rows[1:]],
        ))  # fmt: skip
    top = store.entities(limit=SCAN_ENTITIES)
    items += _near_duplicates(top, store.support(e.id for e in top))
    items += _junk(store)
    items.sort(key=lambda i: (-i.weight, i.kind, i.subject))
    seen: set[tuple[str, str]] = set()
    rank: dict[str, int] = {}
    rounds: list[tuple[int, ReviewItem]] = []
    for item in items:
        if (item.kind, item.subject) not in seen:
            seen.add((item.kind, item.subject))
            rank[item.kind] = rank.get(item.kind, -1) + 1
            rounds.append((rank[item.kind], item))
    rounds.sort(key=lambda r: (r[0], -r[1].weight, r[1].kind, r[1].subject))
    return [item for _, item in rounds[:limit]]


def _one_family(types: set[str]) -> bool:
    return any(types <= family for family in FAMILIES)


def _near_duplicates(
    rows: list[EntityRow], degrees: dict[str, tuple[int, int]]
) -> list[ReviewItem]:
    """Entities of one type whose names are nearly the same (a typo, a designator)."""
    from rapidfuzz import fuzz

    blocks: dict[tuple[str, str], list[tuple[str, EntityRow]]] = {}
    for row in rows:
        if row.type == "Indicator" or row.status:
            continue
        mkey = match_key(row.name, row.type)
        if len(mkey) >= 4:
            blocks.setdefault((row.type, mkey[:3]), []).append((mkey, row))
    out = []
    for members in blocks.values():
        for i, (ka, a) in enumerate(members):
            for kb, b in members[i + 1 : i + 30]:
                if ka == kb or fuzz.ratio(ka, kb) >= NEAR:
                    keep, gone = sorted((a, b), key=lambda r: (-degrees[r.id][0], r.id))
                    out.append(ReviewItem(
                        "near-duplicate",
                        degrees[a.id][0] + degrees[b.id][0] + BASE["near-duplicate"], gone.id,
                        f"{gone.name!r} and {keep.name!r} ({keep.type}) look like one name",
                        f"casegraph merge {keep.id} {gone.id}", also=[keep.id],
                    ))  # fmt: skip
    return out


CERTAIN = frozenset({"no letters", "a weekday or month"})


def looks_like_junk(row: EntityRow) -> str | None:
    """Why a name does not look like the name of a thing of its type, or None."""
    key = normalize_name(row.name)
    words = key.split()
    if row.type == "Indicator":
        return None  # an address or a hash has no letters to speak of
    if not any(c.isalpha() for c in key):
        return "no letters"
    if row.type in ("Company", "Person", "Organization") and _WEEKDAYS_MONTHS.match(key):
        return "a weekday or month"
    if row.type_source != "text":
        return None  # a source or a decision named it so: only the certain cases above
    if len(words) > 6:
        return "a sentence fragment"
    if row.type in ("Company", "Person") and row.name[:1].islower():
        return "not a proper name (lower case)"
    if row.type == "Person" and len(words) == 1 and row.type_source == "text":
        return "a lone word taken for a person"
    return None


def _junk(store: Store) -> list[ReviewItem]:
    """Every entity whose name looks like no entity (the name check is cheap: all are read)."""
    found = [(row, why) for row in store.iter_entities()
             if not row.status and (why := looks_like_junk(row))]  # fmt: skip
    degrees = store.support(row.id for row, _ in found)
    out = []
    for row, why in found:
        weight = degrees[row.id][0] + BASE["junk"] + (CERTAIN_JUNK if why in CERTAIN else 0)
        out.append(ReviewItem("junk", weight, row.id,
                              f"{row.name!r} ({row.type}) looks like no entity: {why}",
                              f"casegraph drop {_q(row.id)}"))  # fmt: skip
    return out
