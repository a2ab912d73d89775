"""The Neo4j benchmark's generated case: power-law relations, as facts, as files, as a graph view."""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

from casegraph.graph.ids import base_id, relation_id
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    make_evidence,
    make_relation,
    normalize_name,
)
from casegraph.graph.schema import WEAK

# (relation type, source types, target types): all allowed by the schema.
KINDS = [
    ("WORKS_FOR", ("Person",), ("Company", "Organization")),
    ("DEVELOPED", ("Company",), ("Product",)),
    ("USED", ("Organization", "Company", "Person"), ("Product", "Platform")),
    ("TARGETED", ("Company", "Product"), ("Person", "Organization")),
    ("OPERATED_ON", ("Company", "Organization"), ("Platform",)),
    ("PART_OF", ("Company",), ("Company", "Organization")),
    ("MENTIONED_WITH", ("Person", "Company", "Organization"), ("Person", "Company", "Country")),
]
TYPE_SHARE = {"Person": 0.35, "Company": 0.25, "Organization": 0.15, "Product": 0.12,
              "Platform": 0.03, "Country": 0.10}  # fmt: skip
SYLLABLES = [a + b for a in "bcdfghjklmnprstvwz" for b in "aeiou"] + ["ar", "el", "on", "is", "ux"]


@dataclass(frozen=True)
class Rel:
    rtype: str
    source: tuple[str, str]  # (type, name)
    target: tuple[str, str]


def names(rng: random.Random, count: int) -> list[str]:
    """Distinct pronounceable two-word names (varied first letters, as real names are)."""
    out: set[str] = set()
    while len(out) < count:
        first = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title()
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).title()
        out.add(f"{first} {last}")
    return sorted(out)


class PowerLaw:
    """Indexes 0..n-1 drawn with weight 1/(rank+1)^alpha: rank 0 is the biggest hub."""

    def __init__(self, n: int, alpha: float, rng: random.Random) -> None:
        self.cum = list(itertools.accumulate(1.0 / (i + 1) ** alpha for i in range(n)))
        self.rng = rng

    def draw(self) -> int:
        return bisect.bisect(self.cum, self.rng.random() * self.cum[-1])


def generate(relations: int, seed: int) -> list[Rel]:
    """`relations` distinct relations over a power-law entity pool (about relations/5 entities)."""
    rng = random.Random(seed)
    pool_size = max(50, relations // 5)
    pool = names(rng, pool_size)
    rng.shuffle(pool)
    by_type: dict[str, list[str]] = {}
    start = 0
    for etype, share in TYPE_SHARE.items():
        n = max(5, int(pool_size * share))
        by_type[etype] = pool[start : start + n]
        start += n
    laws = {t: PowerLaw(len(v), 1.1, rng) for t, v in by_type.items()}
    seen: set[tuple[str, str, str, str, str]] = set()
    out: list[Rel] = []
    while len(out) < relations:
        rtype, sources, targets = rng.choice(KINDS)
        st, tt = rng.choice(sources), rng.choice(targets)
        s, t = by_type[st][laws[st].draw()], by_type[tt][laws[tt].draw()]
        if (st, s) == (tt, t):
            continue
        if rtype == WEAK and (tt, t) < (st, s):
            st, s, tt, t = tt, t, st, s
        key = (st, s, rtype, tt, t)
        if key not in seen:
            seen.add(key)
            out.append(Rel(rtype, (st, s), (tt, t)))
    return out


def entity_id(end: tuple[str, str]) -> str:
    """The store id of a generated entity (names are distinct: every id is a base id)."""
    return base_id(end[0], normalize_name(end[1]))


def quote(r: Rel) -> str:
    return f"{r.source[1]} {r.rtype.lower()} {r.target[1]}."


def sources(rels: list[Rel], per_doc: int, tag: str) -> Iterator[Source]:
    """The relations as documents of `per_doc` relations, each relation with one quote."""
    for d, start in enumerate(range(0, len(rels), per_doc)):
        chunk = rels[start : start + per_doc]
        doc_id = sha256(f"{tag}:{d}:{len(chunk)}".encode()).hexdigest()
        doc = Document(doc_id, f"bench-{d:05d}.jsonl", f"/bench/{tag}/{d}", "jsonl")

        def facts(chunk: list[Rel] = chunk, doc_id: str = doc_id) -> Iterator[Fact]:
            for i, r in enumerate(chunk, start=1):
                ev = make_evidence(doc_id, quote(r), extractor="bench", locator=f"line {i}")
                yield make_relation(
                    EntityRef(name=r.source[1], type=r.source[0]), r.rtype,
                    EntityRef(name=r.target[1], type=r.target[0]), evidence=ev,
                )  # fmt: skip

        yield Source(doc, facts())


def ends_of(rels: list[Rel]) -> list[tuple[str, str]]:
    """Every entity of the case, (type, name), sorted."""
    return sorted({r.source for r in rels} | {r.target for r in rels})


def write_jsonl(rels: list[Rel], path: Path) -> Path:
    """The case as a user's JSONL: one line per entity with an id, then relations by id."""
    ends = ends_of(rels)
    xid = {e: f"x{i}" for i, e in enumerate(ends)}
    with path.open("w", encoding="utf-8") as f:
        for e in ends:
            f.write(json.dumps({"id": xid[e], "type": e[0], "name": e[1]}) + "\n")
        for r in rels:
            f.write(json.dumps({"source_id": xid[r.source], "type": r.rtype,
                                "target_id": xid[r.target], "quote": quote(r)}) + "\n")  # fmt: skip
    return path


def write_csv(rels: list[Rel], path: Path) -> Path:
    """The case as a relations table: ends by name and type, one row per relation."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["source", "source_type", "type", "target", "target_type", "quote"])
        for r in rels:
            out.writerow([r.source[1], r.source[0], r.rtype, r.target[1], r.target[0], quote(r)])
    return path


def graph_view(rels: list[Rel]) -> Any:
    """The loaded case as the embedded store's networkx view (SqliteStore.graph() builds the
    same: entity ids, names, types; relation ids; one evidence item per relation)."""
    import networkx as nx

    graph = nx.MultiDiGraph()
    graph.add_nodes_from((entity_id(e), {"name": e[1], "type": e[0]}) for e in ends_of(rels))
    for r in rels:
        s, t = entity_id(r.source), entity_id(r.target)
        graph.add_edge(s, t, relation_id(s, r.rtype, t), type=r.rtype, evidence=1)
    return graph
