"""Neo4j loads and questions on a hub-heavy graph, side by side with the naive loader and the embedded engine.

Generates N distinct relations between entities picked with a power law (a few hubs carry most
relations, as in real cases: one spyware vendor, many victims; benchmarks/neo4j_case.py). Loads:
the naive loader (one auto-commit MERGE per relation, no resolution) on a sample, extrapolated;
`Neo4jStore.load` of the facts as documents; and what a user runs, `casegraph load` of the same
case as a JSONL file (entities with ids, relations by id) and as a CSV (relations by name), each
into an emptied database. Then questions between random pairs of entities, on Neo4j as a user
asks them (`find_paths`, `neighbors`: resolution, Cypher, ranking, every hop's evidence) and on
the embedded engine over the same graph's networkx view (the store's view, built from the case),
with the answers checked equal. Prints Markdown tables, each with the machine's load averages.

    NEO4J_HEAP=4g NEO4J_PAGECACHE_MB=2048 scripts/neo4j start   # prints the URI
    CASEGRAPH_TEST_NEO4J_URI=bolt://127.0.0.1:PORT .venv/bin/python benchmarks/bench_neo4j_load.py

The database at the URI is EMPTIED (use the test server, never a real case). Generated files go
to a temporary directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_paths import percentile
from benchmarks.neo4j_case import (
    Rel,
    ends_of,
    entity_id,
    generate,
    graph_view,
    sources,
    write_csv,
    write_jsonl,
)
from casegraph.backends.neo4j import Neo4jStore
from casegraph.config import Config
from casegraph.graph.access import NxAccess
from casegraph.queries.neighbors import neighbors
from casegraph.queries.options import NeighborOptions, PathOptions
from casegraph.queries.paths import find_paths, raw_paths
from casegraph.queries.ranking import rank

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
            s_id, t_id = entity_id(r.source), entity_id(r.target)
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


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages (2 cores: above 2 means waiting)."""
    return " / ".join(Path("/proc/loadavg").read_text().split()[:3])


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def cli_load(args: argparse.Namespace, path: Path) -> float:
    """Seconds for `casegraph load PATH` into Neo4j, as a user runs it."""
    env = {**os.environ, "NEO4J_PASSWORD": args.password, "CASEGRAPH_NEO4J_URI": args.uri}
    cmd = [sys.executable, "-m", "casegraph", "load", str(path)]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"casegraph load {path.name} failed ({done.returncode}): {done.stderr}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=20_000, help="0: no naive load")
    parser.add_argument("--per-doc", type=int, default=10_000, help="relations per document")
    parser.add_argument("--batch-size", type=int, default=0, help="0: the store's default")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=100, help="questions of each kind (0: none)")
    parser.add_argument("--cli", default="jsonl,csv", help="files loaded with casegraph load")
    parser.add_argument("--questions", default=",".join(KINDS),
                        help=f"question kinds asked, of {','.join(KINDS)}")  # fmt: skip
    parser.add_argument("--reuse", action="store_true",
                        help="ask the questions of the graph already loaded (no load)")  # fmt: skip
    parser.add_argument("--cli-only", action="store_true",
                        help="only the casegraph load runs (no naive or Neo4jStore.load, no questions)")  # fmt: skip
    parser.add_argument("--uri", default=os.environ.get("CASEGRAPH_TEST_NEO4J_URI"))
    args = parser.parse_args()
    if not args.uri:
        parser.error("give --uri or CASEGRAPH_TEST_NEO4J_URI (scripts/neo4j start); it is emptied")
    args.password = os.environ.get("NEO4J_PASSWORD", "casegraph-dev")
    config = Config(neo4j_uri=args.uri, neo4j_password=args.password)
    batch = {"batch_size": args.batch_size} if args.batch_size else {}
    gen_s, rels = timed(lambda: generate(args.relations, args.seed))
    print(f"generated {len(rels):,} relations in {gen_s:.1f} s", file=sys.stderr)

    loads: list[tuple[str, int, float, str]] = []
    stats: dict[str, Any] = {}
    if not args.reuse and not args.cli_only:
        with Neo4jStore.connect(config) as store:
            wipe(store)
            if args.naive_sample:
                sample = rels[: args.naive_sample]
                seconds, _ = timed(lambda: naive_load(store, sample))
                loads.append(("naive (one auto-commit MERGE per relation, sample)", len(sample),
                              seconds, load_average()))  # fmt: skip
                wipe(store)
        with Neo4jStore.connect(config, **batch) as store:
            tag = f"{args.seed}-{len(rels)}"
            seconds, _ = timed(lambda: store.load(sources(rels, args.per_doc, tag)))
            loads.append((f"`Neo4jStore.load` ({args.per_doc:,} relations a document)",
                          len(rels), seconds, load_average()))  # fmt: skip
            stats = store.stats()
            assert stats["relations"] == len(rels), stats
        print_loads(rels, stats, loads)
    with Neo4jStore.connect(config) as store:
        if args.pairs and not args.cli_only:
            kinds = [k for k in args.questions.split(",") if k]
            if unknown := set(kinds) - set(KINDS):
                parser.error(f"unknown question kinds {sorted(unknown)}; known: {','.join(KINDS)}")
            ask(store, rels, args.pairs, args.seed, kinds)
    formats = [f for f in args.cli.split(",") if f]
    if formats and not args.reuse:
        with tempfile.TemporaryDirectory(prefix="casegraph-bench-") as tmp:
            for fmt in formats:
                writer = {"jsonl": write_jsonl, "csv": write_csv}[fmt]
                path = writer(rels, Path(tmp) / f"case.{fmt}")
                with Neo4jStore.connect(config) as store:
                    wipe(store)
                seconds = cli_load(args, path)
                with Neo4jStore.connect(config) as store:
                    stats = store.stats()
                assert stats["relations"] == len(rels), (fmt, stats)
                loads.append((f"`casegraph load case.{fmt}` ({path.stat().st_size / 1e6:,.0f} MB)",
                              len(rels), seconds, load_average()))  # fmt: skip
                path.unlink()
        print_loads(rels, stats, loads)


def print_loads(
    rels: list[Rel], stats: dict[str, Any], loads: list[tuple[str, int, float, str]]
) -> None:
    print(f"\nNeo4j loads of {len(rels):,} relations ({stats['entities']:,} entities)\n")
    print("| loader | relations | seconds | relations/s | load avg after (1/5/15 min) |")
    print("| --- | ---: | ---: | ---: | --- |")
    rates = {}
    for name, n, seconds, load in loads:
        rates[name] = n / seconds
        print(f"| {name} | {n:,} | {seconds:,.1f} | {n / seconds:,.0f} | {load} |")
    naive = [r for name, r in rates.items() if name.startswith("naive")]
    if naive:
        for name, rate in rates.items():
            if not name.startswith("naive"):
                print(f"\n{name} / naive: **{rate / naive[0]:.1f}x**", end="")
        print()
    sys.stdout.flush()


QUESTIONS = {
    "shortest path (best ranked)": PathOptions(),
    "all shortest paths": PathOptions(mode="all"),
    "--k 3": PathOptions(mode="k", k=3),
}
# --questions: short names of the path questions above, and "neighbors" (--depth 2).
KINDS = {"shortest": "shortest path (best ranked)", "all": "all shortest paths", "k3": "--k 3",
         "neighbors": ""}  # fmt: skip


def ask(
    store: Neo4jStore, rels: list[Rel], pairs: int, seed: int, kinds: list[str]
) -> dict[str, Any]:
    """Milliseconds per question on Neo4j (as a user asks it) and on the embedded engine (over
    the same graph's networkx view, before evidence is read), the answers compared."""
    graph = graph_view(rels)
    # The generated relations and the embedded engine's graph are millions of objects that a
    # user's process never holds: a full collection during a question would walk them all
    # (about 1 s each, charged to whichever engine was asking). Frozen, collections skip them.
    gc.collect()
    gc.freeze()
    rng = random.Random(seed)
    ends = ends_of(rels)
    asked = [(entity_id(rng.choice(ends)), entity_id(rng.choice(ends))) for _ in range(pairs)]
    asked = [(a, b) for a, b in asked if a != b]
    out: dict[str, Any] = {}
    print_header()
    for name, opts in QUESTIONS.items():
        if not any(KINDS[k] == name for k in kinds):
            continue
        neo, emb, found = [], [], 0
        started_load = load_average()
        for a, b in asked:
            t_neo, got = timed(partial(find_paths, store, a, b, opts))
            t_emb, want = timed(partial(embedded_paths, graph, a, b, opts))
            assert [[n.id for n in p.nodes] for p in got.paths] == want, (name, a, b)
            neo.append(t_neo * 1000)
            emb.append(t_emb * 1000)
            found += bool(want)
            # each pair on stderr: a run stopped before the row still tells something
            print(
                f"{name} pair {len(neo)}: Neo4j {neo[-1]:,.0f} ms, embedded {emb[-1]:,.0f} ms",
                file=sys.stderr,
                flush=True,
            )
        out[name] = (neo, emb, found, f"{started_load} → {load_average()}")
        print_row(name, out[name])
    if "neighbors" not in kinds:
        return out
    nopts = NeighborOptions(depth=2)
    kept: tuple[list[float], list[float]] = ([], [])
    neo, emb, found = [], [], 0
    started_load = load_average()
    for a, _ in asked:
        step = nopts.filters().step([a])
        t_neo, got = timed(partial(neighbors, store, a, nopts))
        t_kept, near = timed(partial(store.graph().nearest, a, step, 2, 100))
        t_emb, want = timed(partial(NxAccess(graph).nearest, a, step, 2, 100))
        assert [n.id for n in got.nodes] == [n.id for n in want.nodes] == [n.id for n in near.nodes]
        assert got.omitted == want.omitted == near.omitted, a
        neo.append(t_neo * 1000)
        emb.append(t_emb * 1000)
        kept[0].append(t_kept * 1000)
        kept[1].append(t_emb * 1000)
        found += got.omitted
        print(f"neighbors centre {len(neo)}: Neo4j {neo[-1]:,.0f} ms (nearest {kept[0][-1]:,.0f} ms), "
              f"embedded {emb[-1]:,.0f} ms", file=sys.stderr, flush=True)  # fmt: skip
    load = f"{started_load} → {load_average()}"
    out["neighbors --depth 2 (limit 100)"] = (neo, emb, found, load)
    out["neighbors --depth 2: the kept entities only (`nearest`)"] = (*kept, found, load)
    for name in list(out)[-2:]:
        print_row(name, out[name])
    return out


def embedded_paths(graph: Any, a: str, b: str, opts: PathOptions) -> list[list[str]]:
    """The embedded engine's answer (node ids of the paths kept), as find_paths keeps them."""
    valid = opts.validated()
    ranked = rank(raw_paths(NxAccess(graph), a, b, valid, ()))
    keep = 1 if valid.mode == "shortest" else valid.limit if valid.mode == "all" else valid.k
    return [[n.id for n in p.nodes] for p in ranked[:keep]]


def print_header() -> None:
    print(
        "\nQuestions on Neo4j (as asked: with evidence) and on the embedded engine (same graph)\n"
    )
    print(
        "| question | asked | answered / omitted | Neo4j p50 ms | Neo4j p95 ms | Neo4j max ms "
        "| embedded p50 ms | embedded p95 ms | load avg (start → end) |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    sys.stdout.flush()


def print_row(name: str, found: tuple[list[float], list[float], int, str]) -> None:
    """One question's row, printed as soon as it is measured."""
    neo, emb, n, load = found
    print(
        f"| {name} | {len(neo)} | {n:,} | {percentile(neo, 50):,.1f} | "
        f"{percentile(neo, 95):,.1f} | {max(neo):,.1f} | {percentile(emb, 50):,.1f} | "
        f"{percentile(emb, 95):,.1f} | {load} |"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
