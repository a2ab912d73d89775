"""Graph search over a GraphAccess: bidirectional shortest paths, Yen's k shortest, BFS levels.

The engine reads adjacency only through `casegraph.graph.access.GraphAccess`, one batch per BFS
level, so it runs unchanged on the embedded store and on Neo4j and never holds more of the graph
than the levels it has reached. It always expands the cheaper side (by stored degree), records
the levels it reaches, and finds shortest-path parents afterwards, one batch per level.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import count

from casegraph.dates import Window
from casegraph.graph.access import GraphAccess, Step

# Safety valves: the most paths enumerated for one question, and the largest k for --k.
MAX_PATHS = 1000
MAX_K = 100
# How many neighbour entries a walker remembers (Yen's spur searches walk the same hubs again).
MEMO_ENTRIES = 2_000_000


@dataclass(frozen=True)
class Filters:
    """What a walk may cross: relation types, weak links, intermediate node types, excluded nodes."""

    rel_types: frozenset[str] | None = None
    no_weak: bool = False
    via_types: frozenset[str] | None = None
    exclude: frozenset[str] = field(default_factory=frozenset)
    directed: bool = False
    include_rejected: bool = False
    window: Window = field(default_factory=Window)

    def step(self, endpoints: Iterable[str]) -> Step:
        return Step.of(self.rel_types, no_weak=self.no_weak, directed=self.directed,
                       via_types=self.via_types, ends=endpoints,
                       include_rejected=self.include_rejected, window=self.window)  # fmt: skip


def _missing(nodes: Collection[str], memo: Mapping[str, object]) -> list[str]:
    """The nodes memo does not hold yet; for a set (a search's level, around hubs thousands of
    nodes), found with one containment check in C when the memo holds them all."""
    if isinstance(nodes, AbstractSet) and memo.keys() >= nodes:
        return []
    return [u for u in nodes if u not in memo]


class Walker:
    """Walkable neighbours of sets of nodes, forwards (out) or backwards (in) along relations."""

    def __init__(
        self, access: GraphAccess, filters: Filters, endpoints: Iterable[str] = ()
    ) -> None:
        self.access = access
        self.filters = filters
        self.endpoints = frozenset(endpoints)
        self.step = filters.step(self.endpoints)
        self.barred = frozenset(filters.exclude - self.endpoints)
        self.blocked_nodes: set[str] = set()
        self.blocked_pairs: set[tuple[str, str]] = set()
        # What the access answered per direction and node: the step never changes, so a node's
        # neighbours are read once per question (blocked nodes and pairs are taken out later).
        self._memo: tuple[dict[str, AbstractSet[str]], dict[str, AbstractSet[str]]] = ({}, {})
        self._memo_room = MEMO_ENTRIES
        self._costs: dict[str, int] = {}  # each node's cost, as the access answered it

    def _clean(self, found: Mapping[str, AbstractSet[str]]) -> dict[str, AbstractSet[str]]:
        """The found neighbours less the node itself, barred and blocked nodes and blocked
        pairs; the sets given are never changed (a backend may hand out what it keeps)."""
        barred = self.closed()
        out: dict[str, AbstractSet[str]] = {}
        for u, vs in found.items():
            if u in vs or (barred and not barred.isdisjoint(vs)):
                vs = vs - barred - {u}
            out[u] = vs
        for a, b in self.blocked_pairs:
            if a in out and b in out[a]:
                out[a] = out[a] - {b}
            if b in out and a in out[b]:
                out[b] = out[b] - {a}
        return out

    def closed(self) -> AbstractSet[str]:
        """The nodes no walk may enter: barred by the filters and blocked for now."""
        return self.barred | self.blocked_nodes if self.blocked_nodes else self.barred

    def _found(self, nodes: Collection[str], forward: bool) -> dict[str, AbstractSet[str]]:
        """What the access answers for nodes (from the memo where it can), nothing taken out."""
        memo = self._memo[forward or not self.step.directed]  # undirected: one answer
        missing = _missing(nodes, memo)
        if not missing:
            return {u: memo[u] for u in nodes}
        found = self.access.step(missing, self.step, forward)
        for u, vs in found.items():
            if self._memo_room > len(vs):
                memo[u] = vs
                self._memo_room -= len(vs) + 1
        return {u: memo[u] if u in memo else found[u] for u in nodes if u in memo or u in found}

    def neighbours(self, nodes: Collection[str], forward: bool) -> dict[str, AbstractSet[str]]:
        """For each node, the nodes one walkable hop away (following direction when directed and
        forward, against it when directed and not forward)."""
        return self._clean(self._found(nodes, forward))

    def reach(self, nodes: Collection[str], forward: bool) -> dict[str, AbstractSet[str]]:
        """Like `neighbours` but with nothing copied, which around hubs is most of the cost: the
        sets may still hold the node itself, the `closed` nodes and the far ends of `cut`
        pairs, which the caller must not enter or cross."""
        return self._found(nodes, forward)

    def cut(self) -> frozenset[tuple[str, str]]:
        """The steps no walk may take for now: the blocked pairs, each way."""
        return frozenset(self.blocked_pairs) | {(b, a) for a, b in self.blocked_pairs}

    def cost(self, nodes: Collection[str]) -> int:
        """The access's cost of expanding nodes, each node's read once per question."""
        memo = self._costs
        missing = _missing(nodes, memo)
        if missing:
            found = self.access.costs(missing)
            memo.update(dict.fromkeys(missing, 0))
            memo.update(found)
        return sum(map(memo.__getitem__, nodes))


class _Tree:
    """One side of a bidirectional search: distances by level, parents found afterwards."""

    def __init__(self, root: str, forward: bool) -> None:
        self.seen = {root}  # every node of every level (a set: around hubs, levels are large)
        self.levels: list[set[str]] = [{root}]
        self.forward = forward  # the direction this tree grows in
        self.parents: dict[str, list[str]] = {root: []}
        self.links: list[
            dict[str, AbstractSet[str]]
        ] = []  # links[i]: the walk's steps from levels[i]
        self.cost: int | None = None  # of expanding the last level
        self.cut: frozenset[tuple[str, str]] = frozenset()  # steps the walk may not take

    def frontier_cost(self, walker: Walker) -> int:
        if self.cost is None:
            self.cost = walker.cost(self.levels[-1])
        return self.cost

    def grow(self, walker: Walker) -> set[str]:
        """Reach the next level; returns it."""
        found = walker.reach(self.levels[-1], self.forward)
        self.links.append(found)
        reached = set().union(*found.values()) - self.seen if found else set()
        closed = walker.closed()
        if closed:
            reached -= closed
        self.cut = cut = walker.cut() if walker.blocked_pairs else frozenset()
        for a, b in cut:  # b reached only by a cut step is not reached
            if (
                b in reached
                and a in found
                and b in found[a]
                and not any(b in vs and (u, b) not in cut for u, vs in found.items())
            ):
                reached.discard(b)
        self.seen |= reached
        self.levels.append(reached)
        self.cost = None
        return reached

    def find_parents(self, nodes: Iterable[str]) -> None:
        """Shortest-path parents of nodes and of all their ancestors, one level at a time.

        A parent of v is a node of the level before v's whose step reached v: read from the
        steps kept while growing (the walk is the same in both directions, its filters being
        symmetric), so finding parents reads nothing more from the store."""
        todo = {v for v in nodes if v not in self.parents}
        for level in range(len(self.levels) - 1, 0, -1):  # deepest first: parents are above
            batch = todo & self.levels[level]
            if not batch:
                continue
            todo -= batch
            found: dict[str, list[str]] = {v: [] for v in batch}
            for p, out in self.links[level - 1].items():
                for v in out & batch:
                    if (p, v) not in self.cut:
                        found[v].append(p)
            for v, parents in found.items():
                parents.sort()  # sorted: repeatable answers
                self.parents[v] = parents
                todo.update(p for p in parents if p not in self.parents)

    def chains(self, node: str, limit: int) -> list[list[str]]:
        """Every shortest chain from the root to node (root first), at most limit; parents must
        have been found."""
        out: list[list[str]] = []
        stack: list[tuple[str, list[str]]] = [(node, [node])]
        while stack and len(out) < limit:
            u, chain = stack.pop()
            parents = self.parents[u]
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
    middle: set[str]  # the nodes where shortest paths meet (around hubs, thousands)
    tree_s: _Tree
    tree_t: _Tree


def bidirectional(walker: Walker, s: str, t: str, max_hops: int) -> Meeting | None:
    """Shortest distance from s to t within max_hops, with what is needed to list every such path."""
    tree_s, tree_t = _Tree(s, forward=True), _Tree(t, forward=False)
    if s == t:
        return Meeting(0, {s}, tree_s, tree_t)
    front_s, front_t = tree_s.levels[-1], tree_t.levels[-1]
    while front_s and front_t and len(tree_s.levels) + len(tree_t.levels) - 2 < max_hops:
        if tree_s.frontier_cost(walker) <= tree_t.frontier_cost(walker):
            front_s = tree_s.grow(walker)
            grown, front, other = tree_s, front_s, tree_t
        else:
            front_t = tree_t.grow(walker)
            grown, front, other = tree_t, front_t, tree_s
        if front.isdisjoint(other.seen):
            continue
        # Every node of the new level is as far from its root; the nearest meeting nodes are
        # those in the other tree's lowest level that holds any (set intersections, no walk
        # over a hub-sized level in Python).
        for depth, level in enumerate(other.levels):
            meet = front & level
            if meet:
                return Meeting(len(grown.levels) - 1 + depth, meet, tree_s, tree_t)
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
    # Meeting nodes in sorted order: the first alone (often enough, and found without sorting
    # thousands), then all the others at once.
    first = min(meeting.middle)
    for group in ([first], None):
        middle = group if group is not None else sorted(meeting.middle - {first})
        meeting.tree_s.find_parents(middle)
        meeting.tree_t.find_parents(middle)
        for m in middle:
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

    Two things keep the cost near that of the answer around hubs. The shortest paths come
    first, all of them from one bidirectional search: when there are at least k, they are the
    answer and no spur search runs. Otherwise Yen's spur searches start from all of them, and
    each spur search is bounded by the longest path that can still be kept (the k-th shortest
    length among the paths found and the candidates so far), so a spur with no short way round
    stops at that depth instead of walking every hub up to max_hops.
    """
    limit = cap if whole_groups else min(k, cap)
    found = all_shortest(walker, s, t, max_hops, limit=limit)
    if not found or len(found) >= min(k, cap):
        return found if whole_groups else found[:k]
    seen = {tuple(p) for p in found}
    heap: list[tuple[int, int, list[str], int]] = []  # length, tie, path, where it deviates
    tie = count()

    def bound() -> int:
        """The most hops a path may have and still be kept."""
        lengths = [len(p) for p in found] + [c[0] for c in heap]
        if len(lengths) < k:
            return max_hops
        return min(max_hops, heapq.nsmallest(k, lengths)[-1] - 1)

    def spurs(path: list[str], start: int = 0) -> None:
        for i in range(start, len(path) - 1):
            hops = bound() - i
            if hops < 1:
                return  # later spurs only leave less room
            spur, root = path[i], path[: i + 1]
            walker.blocked_pairs = {
                (p[i], p[i + 1]) for p in found if len(p) > i + 1 and p[: i + 1] == root
            }
            walker.blocked_nodes = set(root[:-1])
            try:
                tail = all_shortest(walker, spur, t, hops, limit=1)
            finally:
                walker.blocked_pairs, walker.blocked_nodes = set(), set()
            if tail:
                candidate = root[:-1] + tail[0]
                key = tuple(candidate)
                if key not in seen:
                    seen.add(key)
                    heapq.heappush(heap, (len(candidate), next(tie), candidate, i))

    def wanting() -> bool:
        return len(found) < cap and (len(found) < k or whole_groups)

    for path in list(found):
        spurs(path)
    while wanting():
        if not heap or (len(found) >= k and heap[0][0] > len(found[k - 1])):
            break
        _, _, path, deviation = heapq.heappop(heap)
        found.append(path)
        if wanting():
            spurs(path, deviation)  # Lawler: the spurs before it were searched for its parent
    return found


def bfs_levels(walker: Walker, start: str, depth: int) -> tuple[dict[str, int], dict[str, str]]:
    """Distances from start up to depth, and one BFS parent per reached node (the first, in
    sorted order, of the previous level)."""
    dist = {start: 0}
    parent: dict[str, str] = {}
    frontier = [start]
    for level in range(1, depth + 1):
        found = walker.neighbours(frontier, True)
        nxt = []
        for u in frontier:
            for v in sorted(found.get(u, ())):
                if v not in dist:
                    dist[v] = level
                    parent[v] = u
                    nxt.append(v)
        frontier = nxt
        if not frontier:
            break
    return dist, parent
