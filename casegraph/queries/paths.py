"""How is A connected to B: shortest, all shortest, or k shortest paths, each hop with its evidence."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import UsageError, ValidationError
from casegraph.graph.records import EntityRow
from casegraph.graph.schema import WEAK, load_schema
from casegraph.graph.store import Store, nx_graph
from casegraph.queries.engine import MAX_K, Filters, Walker, all_shortest, k_shortest
from casegraph.queries.results import Edge, Node, Path, PathResult

MAX_HOPS = 10
# How many shortest paths are ranked to pick the single best one in "shortest" mode, and how
# many simple paths --k considers at most (the k shortest, and all as long as the k-th).
SHORTEST_CANDIDATES = 64
MAX_PATHS_K = 200
MODES = ("shortest", "all", "k")


@dataclass(frozen=True)
class PathOptions:
    """Bounds and filters of a path question (validated by `validated()`)."""

    max_hops: int = 6
    mode: str = "shortest"
    k: int = 3
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    via_types: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    directed: bool = False
    limit: int = 100

    def validated(self) -> PathOptions:
        """The same options with types canonicalised from the schema; bad values refused."""
        if self.mode not in MODES:
            raise UsageError(f"unknown path mode {self.mode!r}; valid: {', '.join(MODES)}")
        _bounded("--max-hops", self.max_hops, 1, MAX_HOPS)
        _bounded("--k", self.k, 1, MAX_K)
        _bounded("--limit", self.limit, 1, 10_000)
        return PathOptions(
            self.max_hops, self.mode, self.k, relation_types(self.rel_types), self.no_weak,
            entity_types(self.via_types), self.exclude, self.directed, self.limit,
        )  # fmt: skip

    def filters(self, exclude_ids: Iterable[str]) -> Filters:
        return Filters(
            rel_types=frozenset(self.rel_types) if self.rel_types else None,
            no_weak=self.no_weak,
            via_types=frozenset(self.via_types) if self.via_types else None,
            exclude=frozenset(exclude_ids),
            directed=self.directed,
        )


def _bounded(name: str, value: int, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise UsageError(f"{name} must be a whole number from {low} to {high}, not {value!r}")


def relation_types(names: Iterable[str]) -> tuple[str, ...]:
    """Relation type names checked against the schema's allow-list (case-insensitive)."""
    try:
        return tuple(dict.fromkeys(load_schema().relation_type(n).name for n in names))
    except ValidationError as e:
        raise UsageError(str(e)) from None


def entity_types(names: Iterable[str]) -> tuple[str, ...]:
    """Entity type names checked against the schema's allow-list (case-insensitive)."""
    try:
        return tuple(dict.fromkeys(load_schema().entity_type(n).name for n in names))
    except ValidationError as e:
        raise UsageError(str(e)) from None


@dataclass
class RawPath:
    """A path before evidence is attached: node dicts and edge dicts (id, source, target, type, evidence)."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    score: float = field(default=0.0)


def score(path: RawPath) -> float:
    """How informative a path is, in [0, 1]: rare intermediate nodes and well-supported hops score high.

    score = 0.6 * mean(1 / log2(2 + degree)) over intermediate nodes (1 when there are none)
          + 0.4 * mean(min(evidence, 5) / 5, halved for MENTIONED_WITH) over hops.
    """
    middle = path.nodes[1:-1]
    rarity = sum(1 / math.log2(2 + n["degree"]) for n in middle) / len(middle) if middle else 1.0
    support = (
        sum(min(e["evidence"], 5) / 5 * (0.5 if e["type"] == WEAK else 1.0) for e in path.edges)
        / len(path.edges)
        if path.edges
        else 1.0
    )
    return 0.6 * rarity + 0.4 * support


def rank(paths: list[RawPath]) -> list[RawPath]:
    """Shorter first; among equal lengths the higher score, then by names and ids (stable)."""
    for p in paths:
        p.score = score(p)
    return sorted(
        paths,
        key=lambda p: (len(p.edges), -round(p.score, 9), [n["name"] for n in p.nodes],
                       [n["id"] for n in p.nodes]),
    )  # fmt: skip


def resolve_ends(
    store: Store, a: str, b: str, exclude: Sequence[str]
) -> tuple[EntityRow, EntityRow, list[str]]:
    src, dst = store.resolve(a), store.resolve(b)
    excluded = [store.resolve(x).id for x in exclude]
    for end in (src, dst):
        if end.id in excluded:
            raise UsageError(f"cannot exclude {end.name!r}: it is an end of the path")
    return src, dst, excluded


def find_paths(store: Store, a: str, b: str, options: PathOptions | None = None) -> PathResult:
    """Paths between the entities a and b under the options, best first; empty when none exist."""
    opts = (options or PathOptions()).validated()
    src, dst, excluded = resolve_ends(store, a, b, opts.exclude)
    if store.backend == "neo4j":
        from casegraph.queries.cypher.paths import cypher_paths

        raw = cypher_paths(store, src.id, dst.id, opts, excluded)
    else:
        raw = nx_paths(nx_graph(store), src.id, dst.id, opts, excluded)
    ranked = rank(raw)
    if opts.mode == "shortest":
        ranked = ranked[:1]
    elif opts.mode == "all":
        ranked = ranked[: opts.limit]
    else:
        ranked = ranked[: opts.k]
    return PathResult(src, dst, tuple(hydrate(store, ranked)))


def nx_paths(
    graph: Any, s: str, t: str, opts: PathOptions, exclude: Iterable[str]
) -> list[RawPath]:
    """The embedded answer: node paths by bidirectional search, each hop's strongest relation."""
    walker = Walker(graph, opts.filters(exclude), endpoints=(s, t))
    if opts.mode == "k":
        node_paths = k_shortest(
            walker, s, t, opts.max_hops, opts.k, whole_groups=True, cap=MAX_PATHS_K
        )
    elif opts.mode == "all":
        node_paths = all_shortest(walker, s, t, opts.max_hops)
    else:
        node_paths = all_shortest(walker, s, t, opts.max_hops, limit=SHORTEST_CANDIDATES)
    degrees: dict[str, int] = {}
    return [raw_path(graph, walker, p, degrees) for p in node_paths]


def raw_path(graph: Any, walker: Walker, nodes: list[str], degrees: dict[str, int]) -> RawPath:
    """Attach node attributes and, for each hop, the relation that best supports it."""
    for n in nodes:
        if n not in degrees:
            degrees[n] = walker.degree(n)
    node_dicts = [
        {"id": n, "name": graph._node[n]["name"], "type": graph._node[n]["type"],
         "degree": degrees[n]}
        for n in nodes
    ]  # fmt: skip
    edges = []
    for u, v in itertools.pairwise(nodes):
        candidates = walker.edges_between(u, v)
        source, target, rid, data = min(
            candidates, key=lambda c: hop_preference(c[3]["type"], c[3]["evidence"], c[0], c[1])
        )
        edges.append({"id": rid, "source": source, "target": target, "type": data["type"],
                      "evidence": data["evidence"]})  # fmt: skip
    return RawPath(node_dicts, edges)


def hop_preference(rtype: str, evidence: int, source: str, target: str) -> tuple[Any, ...]:
    """Which of several relations between two entities a path hop shows (smallest first):
    a typed one before MENTIONED_WITH, the best cited, then by type and ends (backend-neutral)."""
    return (rtype == WEAK, -evidence, rtype, source, target)


def hydrate(store: Store, paths: list[RawPath]) -> list[Path]:
    """Result paths with every hop's evidence read from the store."""
    evidence = store.evidence({e["id"] for p in paths for e in p.edges})
    return [
        Path(
            tuple(Node(n["id"], n["name"], n["type"], n["degree"]) for n in p.nodes),
            tuple(
                Edge(e["id"], e["source"], e["target"], e["type"], tuple(evidence.get(e["id"], ())))
                for e in p.edges
            ),
            p.score,
        )
        for p in paths
    ]
