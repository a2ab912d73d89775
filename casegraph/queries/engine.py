"""Graph search on the embedded store's networkx view, without copying it or walking whole components.

All searches read `G._succ` / `G._pred` of a MultiDiGraph directly (networkx's own adjacency
dicts) and never mutate the graph. Filters are applied while walking (relation types per
edge, node filters as set operations on each step's neighbours).
"""

from __future__ import annotations

import heapq
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from casegraph.graph.schema import WEAK

# Safety valves: the most paths enumerated for one question, and the largest k for --k.
MAX_PATHS = 1000
MAX_K = 100

Adjacency = dict[Any, dict[Any, dict[Any, dict[str, Any]]]]

# Degrees computed so far, per graph object; a graph view is immutable, so they never go stale.
_DEGREES: weakref.WeakKeyDictionary[Any, dict[Any, int]] = weakref.WeakKeyDictionary()


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


def _ok_types(filters: Filters) -> frozenset[str] | None:
    """The relation types a walk may cross, or None when every type may be crossed."""
    if not filters.filters_edges:
        return None
    from casegraph.graph.schema import load_schema

    names = filters.rel_types if filters.rel_types is not None else load_schema().relation_types
    return frozenset(n for n in names if not (filters.no_weak and n == WEAK))


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
        self.ok_types: frozenset[str] | None = _ok_types(filters)

    @property
    def filters_nodes(self) -> bool:
        """Whether some neighbours are barred by node: excluded, of another type, or blocked."""
        f = self.filters
        return bool(
            f.via_types is not None or f.exclude or self.blocked_nodes or self.blocked_pairs
        )

    def _step(self, u: str, tables: tuple[Adjacency, ...]) -> set[str]:
        """The walkable neighbours of u through the given adjacency tables."""
        out: set[str]
        if self.ok_types is None:  # no edge filter: the adjacency keys themselves, at C speed
            out = (
                set(tables[0][u]) if len(tables) == 1 else tables[0][u].keys() | tables[1][u].keys()
            )
        else:
            ok = self.ok_types
            out = set()
            for table in tables:
                for v, keydict in table[u].items():
                    for data in keydict.values():
                        if data["type"] in ok:
                            out.add(v)
                            break
        out.discard(u)
        if not out or not self.filters_nodes:
            return out
        return self._node_filter(u, out)

    def _node_filter(self, u: str, out: set[str]) -> set[str]:
        out -= self.blocked_nodes
        for a, b in self.blocked_pairs:
            if a == u:
                out.discard(b)
            elif b == u:
                out.discard(a)
        f = self.filters
        if f.exclude:
            out -= f.exclude - self.endpoints
        if f.via_types is not None:
            via, nodes, ends = f.via_types, self.nodes, self.endpoints
            out = {v for v in out if v in ends or nodes[v]["type"] in via}
        return out

    def forward(self, u: str) -> set[str]:
        """Nodes reachable in one hop from u (following direction when directed)."""
        tables = (self.succ,) if self.filters.directed else (self.succ, self.pred)
        return self._step(u, tables)

    def backward(self, u: str) -> set[str]:
        """Nodes from which u is reachable in one hop."""
        tables = (self.pred,) if self.filters.directed else (self.succ, self.pred)
        return self._step(u, tables)

    def degree(self, u: str) -> int:
        """How many relations touch u (parallel ones counted), memoised per graph."""
        memo = _DEGREES.get(self.graph)
        if memo is None:
            memo = _DEGREES[self.graph] = {}
        found = memo.get(u)
        if found is None:
            found = memo[u] = sum(map(len, self.succ[u].values())) + sum(
                map(len, self.pred[u].values())
            )
        return found

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


def _expand(frontier: Iterable[str], dist: dict[str, int], step: Any) -> set[str]:
    """One full BFS level: the nodes first reached from the frontier, given their distance."""
    level = -1
    reached: set[str] = set()
    for u in frontier:
        if level < 0:
            level = dist[u] + 1
        reached.update(step(u))
    reached.difference_update(dist)
    for v in reached:
        dist[v] = level
    return reached


class _Tree:
    """One side of a bidirectional search: distances, and shortest-path parents found on demand."""

    def __init__(self, root: str, back: Any) -> None:
        self.dist = {root: 0}
        self.levels: list[set[str]] = [{root}]
        self.back = back
        self.memo: dict[str, list[str]] = {}
        self.cost: int | None = None  # of expanding the last level

    def frontier_cost(self, walker: Walker) -> int:
        if self.cost is None:
            self.cost = sum(map(walker.cost, self.levels[-1]))
        return self.cost

    def grow(self, step: Any) -> set[str]:
        """Reach the next level; returns it."""
        reached = _expand(self.levels[-1], self.dist, step)
        self.levels.append(reached)
        self.cost = None
        return reached

    def parents(self, v: str) -> list[str]:
        """Neighbours one step nearer the root (sorted, so answers are repeatable)."""
        found = self.memo.get(v)
        if found is None:
            level = self.dist[v] - 1
            found = self.memo[v] = (
                sorted(self.levels[level].intersection(self.back(v))) if level >= 0 else []
            )
        return found

    def chains(self, node: str, limit: int) -> list[list[str]]:
        """Every shortest chain from the root to node (root first), at most limit."""
        out: list[list[str]] = []
        stack: list[tuple[str, list[str]]] = [(node, [node])]
        while stack and len(out) < limit:
            u, chain = stack.pop()
            parents = self.parents(u)
            if not parents:
                out.append(chain[::-1])
                continue
            for p in reversed(parents):
                stack.append((p, [*chain, p]))
        return out


@dataclass
class Meeting:
    """The result of a bidirectional search: length, meeting nodes and both search trees."""

    length: int
    middle: list[str]
    tree_s: _Tree
    tree_t: _Tree


def bidirectional(walker: Walker, s: str, t: str, max_hops: int) -> Meeting | None:
    """Shortest distance from s to t within max_hops, with what is needed to list every such path."""
    tree_s, tree_t = _Tree(s, walker.backward), _Tree(t, walker.forward)
    dist_s, dist_t = tree_s.dist, tree_t.dist
    if s == t:
        return Meeting(0, [s], tree_s, tree_t)
    front_s, front_t = tree_s.levels[-1], tree_t.levels[-1]
    while front_s and front_t and len(tree_s.levels) + len(tree_t.levels) - 2 < max_hops:
        if tree_s.frontier_cost(walker) <= tree_t.frontier_cost(walker):
            front_s = tree_s.grow(walker.forward)
            meet = front_s & dist_t.keys()
        else:
            front_t = tree_t.grow(walker.backward)
            meet = front_t & dist_s.keys()
        if meet:
            best = min(dist_s[v] + dist_t[v] for v in meet)
            middle = sorted(v for v in meet if dist_s[v] + dist_t[v] == best)
            return Meeting(best, middle, tree_s, tree_t)
    return None


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
        heads = meeting.tree_s.chains(m, limit)
        tails = meeting.tree_t.chains(m, limit)
        for head in heads:
            for tail in tails:
                paths.append(head + tail[::-1][1:])
                if len(paths) >= limit:
                    return paths
    return paths


def k_shortest(
    walker: Walker, s: str, t: str, max_hops: int, k: int, *, whole_groups: bool = False,
    cap: int = MAX_PATHS,
) -> list[list[str]]:  # fmt: skip
    """The k shortest simple paths in order of length (Yen's algorithm over node paths).

    With whole_groups, paths as long as the k-th keep coming (at most cap), so that which of
    several equally long paths are returned does not depend on the search order.
    """
    first = all_shortest(walker, s, t, max_hops, limit=1)
    if not first:
        return []
    found: list[list[str]] = [first[0]]
    seen = {tuple(first[0])}
    heap: list[tuple[int, int, list[str]]] = []
    tie = count()
    while len(found) < cap and (len(found) < k or whole_groups):
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
        if not heap or (len(found) >= k and heap[0][0] > len(found[k - 1])):
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
