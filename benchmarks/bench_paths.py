"""Path-question latency on a 1M-relation power-law graph, side by side with networkx's own search.

Run: .venv/bin/python -m benchmarks.bench_paths [--relations N] [--pairs P] [--baseline-pairs B]
Prints a Markdown table (p50/p95 in milliseconds) and the speed-up over nx.all_shortest_paths.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from benchmarks.graphgen import networkx_view
from casegraph.graph.access import NxAccess
from casegraph.queries.engine import Filters, Walker, all_shortest
from casegraph.queries.options import PathOptions
from casegraph.queries.paths import raw_paths


def nx_paths(graph: Any, s: str, t: str, opts: PathOptions, exclude: tuple[str, ...]) -> Any:
    """The embedded answer on a networkx graph, before evidence is attached."""
    return raw_paths(NxAccess(graph), s, t, opts.validated(), exclude)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return (time.perf_counter() - start) * 1000, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--relations", type=int, default=1_000_000)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--baseline-pairs", type=int, default=20)
    args = parser.parse_args()

    t0 = time.perf_counter()
    graph = networkx_view(args.relations, args.nodes)
    build = time.perf_counter() - t0
    rng = random.Random(11)
    nodes = list(graph)
    pairs = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(args.pairs)]
    undirected = graph.to_undirected(as_view=True)  # a view: no copy

    rows: dict[str, list[float]] = {"shortest path (best ranked)": [], "all shortest paths": [],
                                    "shortest path, --no-weak": []}  # fmt: skip
    for s, t in pairs:
        ms, _ = timed(lambda s=s, t=t: nx_paths(graph, s, t, PathOptions(), ()))
        rows["shortest path (best ranked)"].append(ms)
        ms, _ = timed(
            lambda s=s, t=t: all_shortest(Walker(NxAccess(graph), Filters(), (s, t)), s, t, 6)
        )
        rows["all shortest paths"].append(ms)
        ms, _ = timed(lambda s=s, t=t: nx_paths(graph, s, t, PathOptions(no_weak=True), ()))
        rows["shortest path, --no-weak"].append(ms)

    ours, theirs = [], []
    for s, t in pairs[: args.baseline_pairs]:
        ms_ours, got = timed(
            lambda s=s, t=t: all_shortest(Walker(graph, Filters(), (s, t)), s, t, 50)
        )
        ms_nx, expected = timed(lambda s=s, t=t: list(nx.all_shortest_paths(undirected, s, t)))
        if len(expected) <= 1000:  # both list every path; the engine caps at 1000
            assert {tuple(p) for p in got} == {tuple(p) for p in expected}, (s, t)
        ours.append(ms_ours)
        theirs.append(ms_nx)

    print(f"graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} relations, "
          f"max degree {max(d for _, d in graph.degree()):,}; generated in {build:.1f} s\n")  # fmt: skip
    print("| question | pairs | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    for name, values in rows.items():
        print(
            f"| {name} | {len(values)} | {percentile(values, 50):.2f} | {percentile(values, 95):.2f} |"
        )
    print(
        f"| all shortest paths (casegraph), same pairs as baseline | {len(ours)} | "
        f"{percentile(ours, 50):.2f} | {percentile(ours, 95):.2f} |"
    )
    print(
        f"| nx.all_shortest_paths (baseline) | {len(theirs)} | "
        f"{percentile(theirs, 50):.2f} | {percentile(theirs, 95):.2f} |"
    )
    ratio = statistics.median(b / a for a, b in zip(ours, theirs, strict=True))
    print(f"\nspeed-up over networkx all_shortest_paths (median of per-pair ratios): {ratio:,.0f}x")


if __name__ == "__main__":
    main()
