"""Graph search on the embedded store's networkx view, without copying it or walking whole components.

All searches read `G._succ` / `G._pred` of a MultiDiGraph directly (networkx's own adjacency
dicts) and never mutate the graph. Filters are applied while walking, so a filtered search costs
no more than an unfiltered one.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from casegraph.graph.schema import WEAK

# Safety valves: the most paths enumerated for one question, and the largest k for --k.
MAX_PATHS = 1000
MAX_K = 100

Adjacency = dict[Any, dict[Any, dict[Any, dict[str, Any]]]]


@dataclass(frozen=True)
class Filters:
    """What a walk may cross: relation types, weak links, intermediate node types, excluded nodes."""

    rel_types: frozenset[str] | None = None
    no_weak: bool = False
    via_types: frozenset[str] | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    directed: bool = False

    def edge_ok(self, data: dict[str, Any]) -> bool:
        rtype = data["type"]
        if self.no_weak and rtype == WEAK:
            return False
        return self.rel_types is None or rtype in self.rel_types

    @property
    def filters_edges(self) -> bool:
        return self.no_weak or self.rel_types is not None


class Walker:
    """Neighbours of a node under the filters, forwards (out) or backwards (in) along relations."""

    def __init__(self, graph: Any, filters: Filters, endpoints: Iterable[str] = ()) -> None:
        self.graph = graph
        self.filters = filters
        self.succ: Adjacency = graph._succ
        self.pred: Adjacency = graph._pred
        self.nodes = graph._node
        self.endpoints = frozenset(endpoints)
        self.blocked_nodes: set[str] = set()
        self.blocked_pairs: set[tuple[str, str]] = set()

    def node_ok(self, v: str) -> bool:
        if v in self.blocked_nodes:
            return False
        if v in self.endpoints:
            return True
        if v in self.filters.exclude:
            return False
        via = self.filters.via_types
        return via is None or self.nodes[v]["type"] in via

    def _edges_ok(self, keydict: dict[Any, dict[str, Any]]) -> bool:
        if not self.filters.filters_edges:
            return True
        return any(self.filters.edge_ok(d) for d in keydict.values())

    def _step(self, u: str, tables: tuple[Adjacency, ...]) -> Iterator[str]:
        seen: set[str] = set()
        for table in tables:
            for v, keydict in table[u].items():
                if v in seen or v == u:
                    continue
                if self.blocked_pairs and (
                    (u, v) in self.blocked_pairs or (v, u) in self.blocked_pairs
                ):
                    continue
                if self._edges_ok(keydict) and self.node_ok(v):
                    seen.add(v)
                    yield v

    def forward(self, u: str) -> Iterator[str]:
        """Nodes reachable in one hop from u (following direction when directed)."""
        tables = (self.succ,) if self.filters.directed else (self.succ, self.pred)
        return self._step(u, tables)

    def backward(self, u: str) -> Iterator[str]:
        """Nodes from which u is reachable in one hop."""
        tables = (self.pred,) if self.filters.directed else (self.succ, self.pred)
        return self._step(u, tables)

    def cost(self, u: str) -> int:
        """How much expanding u may cost: its stored degree."""
        return len(self.succ[u]) + len(self.pred[u])

    def edges_between(self, u: str, v: str) -> list[tuple[str, str, Any, dict[str, Any]]]:
        """Relations that may carry a walk from u to v: (stored source, stored target, id, data)."""
        found = [
            (u, v, k, d) for k, d in self.succ[u].get(v, {}).items() if self.filters.edge_ok(d)
        ]
        if not self.filters.directed:
            found += [
                (v, u, k, d) for k, d in self.pred[u].get(v, {}).items() if self.filters.edge_ok(d)
            ]
        return found


def _expand(
    frontier: list[str],
    dist: dict[str, int],
    preds: dict[str, list[str]],
    step: Any,
) -> list[str]:
    """One full BFS level: the next frontier; preds records every shortest-path parent."""
    nxt: list[str] = []
    level = dist[frontier[0]] + 1
    for u in frontier:
        for v in step(u):
            d = dist.get(v)
            if d is None:
                dist[v] = level
                preds[v] = [u]
                nxt.append(v)
            elif d == level:
                preds[v].append(u)
    return nxt


@dataclass
class Meeting:
    """The result of a bidirectional search: length, meeting nodes and both parent maps."""

    length: int
    middle: list[str]
    preds_s: dict[str, list[str]]
    preds_t: dict[str, list[str]]


def bidirectional(walker: Walker, s: str, t: str, max_hops: int) -> Meeting | None:
    """Shortest distance from s to t within max_hops, with what is needed to list every such path."""
    if s == t:
        return Meeting(0, [s], {s: []}, {t: []})
    dist_s, dist_t = {s: 0}, {t: 0}
    preds_s: dict[str, list[str]] = {s: []}
    preds_t: dict[str, list[str]] = {t: []}
    front_s, front_t = [s], [t]
    depth_s = depth_t = 0
    while front_s and front_t and depth_s + depth_t < max_hops:
        cost_s = sum(walker.cost(u) for u in front_s)
        cost_t = sum(walker.cost(u) for u in front_t)
        if cost_s <= cost_t:
            front_s = _expand(front_s, dist_s, preds_s, walker.forward)
            depth_s += 1
            new, other = front_s, dist_t
        else:
            front_t = _expand(front_t, dist_t, preds_t, walker.backward)
            depth_t += 1
            new, other = front_t, dist_s
        meet = [v for v in new if v in other]
        if meet:
            best = min(dist_s[v] + dist_t[v] for v in meet)
            middle = [v for v in meet if dist_s[v] + dist_t[v] == best]
            return Meeting(best, middle, preds_s, preds_t)
    return None


def _chains(node: str, preds: dict[str, list[str]], limit: int) -> list[list[str]]:
    """Every chain from the search root to node through preds (root first), at most limit."""
    out: list[list[str]] = []
    stack: list[tuple[str, list[str]]] = [(node, [node])]
    while stack and len(out) < limit:
        u, chain = stack.pop()
        parents = preds.get(u, [])
        if not parents:
            out.append(chain[::-1])
            continue
        for p in parents:
            stack.append((p, [*chain, p]))
    return out


def all_shortest(walker: Walker, s: str, t: str, max_hops: int,
                 limit: int = MAX_PATHS) -> list[list[str]]:  # fmt: skip
    """Every shortest s-t path (as node lists) within max_hops, at most `limit` of them."""
    meeting = bidirectional(walker, s, t, max_hops)
    if meeting is None:
        return []
    if meeting.length == 0:
        return [[s]]
    paths: list[list[str]] = []
    for m in meeting.middle:
        heads = _chains(m, meeting.preds_s, limit)
        tails = _chains(m, meeting.preds_t, limit)
        for head in heads:
            for tail in tails:
                paths.append(head + tail[::-1][1:])
                if len(paths) >= limit:
                    return paths
    return paths


def k_shortest(walker: Walker, s: str, t: str, max_hops: int, k: int) -> list[list[str]]:
    """The k shortest simple paths in order of length (Yen's algorithm over node paths)."""
    first = all_shortest(walker, s, t, max_hops, limit=1)
    if not first:
        return []
    found: list[list[str]] = [first[0]]
    seen = {tuple(first[0])}
    heap: list[tuple[int, int, list[str]]] = []
    tie = count()
    while len(found) < k:
        last = found[-1]
        for i in range(len(last) - 1):
            spur, root = last[i], last[: i + 1]
            walker.blocked_pairs = {
                (p[i], p[i + 1]) for p in found if len(p) > i + 1 and p[: i + 1] == root
            }
            walker.blocked_nodes = set(root[:-1])
            try:
                tail = all_shortest(walker, spur, t, max_hops - i, limit=1)
            finally:
                walker.blocked_pairs, walker.blocked_nodes = set(), set()
            if tail:
                candidate = root[:-1] + tail[0]
                key = tuple(candidate)
                if key not in seen and len(candidate) - 1 <= max_hops:
                    seen.add(key)
                    heapq.heappush(heap, (len(candidate), next(tie), candidate))
        if not heap:
            break
        found.append(heapq.heappop(heap)[2])
    return found


def bfs_levels(walker: Walker, start: str, depth: int) -> tuple[dict[str, int], dict[str, str]]:
    """Distances from start up to depth, and one BFS parent per reached node."""
    dist = {start: 0}
    parent: dict[str, str] = {}
    frontier = [start]
    for level in range(1, depth + 1):
        nxt = []
        for u in frontier:
            for v in walker.forward(u):
                if v not in dist:
                    dist[v] = level
                    parent[v] = u
                    nxt.append(v)
        frontier = nxt
        if not frontier:
            break
    return dist, parent
