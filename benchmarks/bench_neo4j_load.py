"""Neo4j load throughput: the batched loader against one statement per relation, on a hub-heavy graph.

Generates N distinct relations between entities picked with a power law (a few hubs carry most
relations, as in real cases: one spyware vendor, many victims), split into documents. The naive
loader (one auto-commit MERGE statement per relation, endpoints by id, no resolution) runs on a
sample and its rate is extrapolated; the batched loader is `Neo4jStore.load` (client-side
resolution, UNWIND batches in managed transactions) on all N. Then path questions between random
pairs of entities are asked of the loaded graph through `find_paths` (the Cypher modules, cited
hops included). Prints Markdown tables.

    scripts/neo4j start   # prints the URI
    CASEGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:PORT .venv/bin/python benchmarks/bench_neo4j_load.py \
        --relations 100000

The database at the URI is EMPTIED (use the test server, never a real case).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_paths import percentile
from casegraph.backends.neo4j import Neo4jStore
from casegraph.config import Config
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    make_evidence,
    make_relation,
)

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
        if rtype == "MENTIONED_WITH" and (tt, t) < (st, s):
            st, s, tt, t = tt, t, st, s
        key = (st, s, rtype, tt, t)
        if key not in seen:
            seen.add(key)
            out.append(Rel(rtype, (st, s), (tt, t)))
    return out


def sources(rels: list[Rel], per_doc: int, tag: str) -> Iterator[Source]:
    """The relations as documents of `per_doc` relations, each relation with one quote."""
    for d, start in enumerate(range(0, len(rels), per_doc)):
        chunk = rels[start : start + per_doc]
        doc_id = sha256(f"{tag}:{d}:{len(chunk)}".encode()).hexdigest()
        doc = Document(doc_id, f"bench-{d:05d}.jsonl", f"/bench/{tag}/{d}", "jsonl")

        def facts(chunk: list[Rel] = chunk, doc_id: str = doc_id) -> Iterator[Fact]:
            for i, r in enumerate(chunk, start=1):
                ev = make_evidence(doc_id, f"{r.source[1]} {r.rtype.lower()} {r.target[1]}.",
                                   extractor="bench", locator=f"line {i}")  # fmt: skip
                yield make_relation(
                    EntityRef(name=r.source[1], type=r.source[0]), r.rtype,
                    EntityRef(name=r.target[1], type=r.target[0]), evidence=ev,
                )  # fmt: skip

        yield Source(doc, facts())


NAIVE = """
MERGE (s:Entity {id: $s}) ON CREATE SET s.name = $sname, s.type = $stype
MERGE (t:Entity {id: $t}) ON CREATE SET t.name = $tname, t.type = $ttype
MERGE (s)-[r:%s {rid: $rid}]->(t)
ON CREATE SET r.quotes = [], r.document_ids = [], r.locators = []
SET r.quotes = r.quotes + $quote, r.document_ids = r.document_ids + $doc,
    r.locators = r.locators + $loc
"""


def naive_load(store: Neo4jStore, rels: list[Rel]) -> None:
    """One auto-commit statement per relation, as a first attempt would do it."""
    from casegraph.backends.neo4j.cypher import relation_types

    allowed = set(relation_types())
    client = store.client
    with client.guard(), client.driver.session(database=client.database) as session:
        for i, r in enumerate(rels):
            assert r.rtype in allowed  # the type comes from the schema's allow-list
            s_id = f"{r.source[0].lower()}:{r.source[1].lower().replace(' ', '-')}"
            t_id = f"{r.target[0].lower()}:{r.target[1].lower().replace(' ', '-')}"
            session.run(NAIVE % f"`{r.rtype}`", s=s_id, sname=r.source[1], stype=r.source[0],
                        t=t_id, tname=r.target[1], ttype=r.target[0], rid=f"naive-{i}",
                        quote="q", doc="naive", loc=f"line {i}").consume()  # fmt: skip


def wipe(store: Neo4jStore) -> None:
    """Empty the database: relationships first, then nodes, in small transactions (a hub's
    relationships in one would overflow the server's transaction memory)."""
    client = store.client
    with client.guard(), client.driver.session(database=client.database) as session:
        for statement in (
            "MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS",
            "MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS",
        ):  # autocommit: CALL IN TRANSACTIONS needs it
            session.run(statement).consume()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=20_000)
    parser.add_argument("--per-doc", type=int, default=10_000, help="relations per document")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=100, help="path questions asked (0: none)")
    parser.add_argument("--uri", default=os.environ.get("CASEGRAPH_TEST_NEO4J_URI"))
    args = parser.parse_args()
    if not args.uri:
        parser.error("give --uri or CASEGRAPH_TEST_NEO4J_URI (scripts/neo4j start); it is emptied")
    config = Config(neo4j_uri=args.uri, neo4j_password=os.environ.get("NEO4J_PASSWORD",
                                                                        "casegraph-dev"))  # fmt: skip
    t0 = time.perf_counter()
    rels = generate(args.relations, args.seed)
    gen_s = time.perf_counter() - t0
    print(f"generated {len(rels):,} relations in {gen_s:.1f} s", file=sys.stderr)

    with Neo4jStore.connect(config) as first:
        wipe(first)  # Meta goes too; the next connect sets the store up again
    store = Neo4jStore.connect(config, batch_size=args.batch_size)
    sample = rels[: min(args.naive_sample, len(rels))]
    t0 = time.perf_counter()
    naive_load(store, sample)
    naive_s = time.perf_counter() - t0
    naive_rate = len(sample) / naive_s
    print(f"naive: {len(sample):,} relations in {naive_s:.1f} s", file=sys.stderr)
    wipe(store)
    store.close()
    store = Neo4jStore.connect(config, batch_size=args.batch_size)

    t0 = time.perf_counter()
    summary = store.load(sources(rels, args.per_doc, f"{args.seed}-{len(rels)}"))
    batched_s = time.perf_counter() - t0
    stats = store.stats()
    assert stats["relations"] == len(rels), stats
    top = store.entities(limit=1)[0]
    hub_degree = len(store.relations_of(top.id))
    batched_rate = len(rels) / batched_s

    print(f"\nNeo4j load, {len(rels):,} relations ({stats['entities']:,} entities, biggest hub "
          f"{hub_degree:,} relations; {summary.documents_new} documents of {args.per_doc:,}; "
          f"batch size {args.batch_size:,})\n")  # fmt: skip
    print("| loader | relations loaded | seconds | relations/s |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| batched (`Neo4jStore.load`: resolution + UNWIND batches) | {len(rels):,} | "
          f"{batched_s:,.1f} | {batched_rate:,.0f} |")  # fmt: skip
    print(f"| naive (one auto-commit MERGE per relation, sample) | {len(sample):,} | "
          f"{naive_s:,.1f} | {naive_rate:,.0f} |")  # fmt: skip
    print(f"\nbatched / naive: **{batched_rate / naive_rate:.1f}x** "
          f"(naive extrapolated to {len(rels):,}: {len(rels) / naive_rate:,.0f} s)")  # fmt: skip
    sys.stdout.flush()
    latencies = path_latencies(store, rels, args.pairs, args.seed)
    store.close()
    if not args.pairs:
        return
    print(f"\nPath questions on Neo4j ({args.pairs} random pairs of entities, hops cited)\n")
    print("| question | pairs | found | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (values, found) in latencies.items():
        print(f"| {name} | {len(values)} | {found} | {percentile(values, 50):.1f} | "
              f"{percentile(values, 95):.1f} |")  # fmt: skip


def path_latencies(
    store: Neo4jStore, rels: list[Rel], pairs: int, seed: int
) -> dict[str, tuple[list[float], int]]:
    """Milliseconds per `find_paths` call (resolution, Cypher search, ranking, evidence)."""
    from casegraph.queries.options import PathOptions
    from casegraph.queries.paths import find_paths

    rng = random.Random(seed)
    ends = sorted({r.source for r in rels} | {r.target for r in rels})
    asked = [(rng.choice(ends), rng.choice(ends)) for _ in range(pairs)]
    out: dict[str, tuple[list[float], int]] = {}
    for name, options in (
        ("shortest path (best ranked)", PathOptions()),
        ("all shortest paths", PathOptions(mode="all")),
    ):
        times, found = [], 0
        for (st, s), (tt, t) in asked:
            if (st, s) == (tt, t):
                continue
            started = time.perf_counter()
            result = find_paths(store, entity_id(st, s), entity_id(tt, t), options)
            times.append((time.perf_counter() - started) * 1000)
            found += bool(result.paths)
        out[name] = (times, found)
    return out


def entity_id(type_: str, name: str) -> str:
    from casegraph.graph.ids import base_id
    from casegraph.graph.model import normalize_name

    return base_id(type_, normalize_name(name))  # names are distinct: every id is a base id


if __name__ == "__main__":
    main()
