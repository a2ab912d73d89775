"""How questions walk a store: adjacency read in batches, whichever backend keeps the graph.

A `GraphAccess` answers, for a set of entities at once, which entities lie one walkable relation
away, what their degrees, names and types are, and which relations join given pairs. The link
questions (`casegraph.queries`) run one search engine on it, so the embedded store and Neo4j
give the same answers by construction; each backend only says how it reads adjacency.
`NxAccess` is the reference implementation over a networkx MultiDiGraph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any, Protocol

from casegraph.graph.schema import WEAK, load_schema

# Review statuses (set by an investigator's decisions, casegraph.graph.decisions).
CONFIRMED = "confirmed"
REJECTED = "rejected"
DROPPED = "dropped"


@dataclass(frozen=True)
class Step:
    """What one step of a walk may cross: relation types (None: all), direction, and the types
    an entity reached must have (None: any; `ends` are exempt)."""

    rel_types: frozenset[str] | None = None
    directed: bool = False
    via_types: frozenset[str] | None = None
    ends: frozenset[str] = frozenset()
    include_rejected: bool = False  # walk relations an investigator rejected (and dropped entities)

    @staticmethod
    def of(
        rel_types: Iterable[str] | None = None,
        *,
        no_weak: bool = False,
        directed: bool = False,
        via_types: Iterable[str] | None = None,
        ends: Iterable[str] = (),
        include_rejected: bool = False,
    ) -> Step:
        """The step for the question's filters: relation types narrowed by no_weak."""
        allowed: frozenset[str] | None = frozenset(rel_types) if rel_types else None
        if no_weak:
            names = allowed if allowed is not None else frozenset(load_schema().relation_types)
            allowed = frozenset(n for n in names if n != WEAK)
        return Step(allowed, directed, frozenset(via_types) if via_types else None,
                    frozenset(ends), include_rejected)  # fmt: skip

    def allows(self, rtype: str, status: str | None = None) -> bool:
        """Whether a walk may cross a relation of this type and review status."""
        if status == REJECTED and not self.include_rejected:
            return False
        return self.rel_types is None or rtype in self.rel_types


@dataclass(frozen=True, slots=True)
class Hop:
    """A relation as a walk sees it: its id, stored ends, type and how many evidence items it has."""

    rid: str
    source: str
    target: str
    type: str
    evidence: int
    status: str | None = None  # None (unreviewed), "confirmed" or "rejected"


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """An entity as a walk sees it: name, type and degree (relations to other entities)."""

    id: str
    name: str
    type: str
    degree: int


@dataclass(frozen=True)
class Nearest:
    """A neighbourhood as kept: the start and the nearest entities in order, each one's
    distance, and how many more entities lie within the depth."""

    nodes: list[NodeInfo]
    dist: dict[str, int]
    omitted: int


def nearest_order(n: NodeInfo, dist: int) -> tuple[object, ...]:
    """Which entities of a neighbourhood are kept first: the nearer, then the better connected,
    then by name and id."""
    return (dist, -n.degree, n.name, n.id)


def walk_nearest(access: GraphAccess, start: str, step: Step, depth: int, limit: int) -> Nearest:
    """`GraphAccess.nearest` by walking every level with `step` and reading every entity reached
    (the reference answer; a backend may count on its side instead)."""
    dist = {start: 0}
    frontier = [start]
    for level in range(1, depth + 1):
        found = access.step(frontier, step, True)
        nxt = sorted({v for u in frontier for v in found.get(u, ())} - dist.keys())
        dist.update((v, level) for v in nxt)
        frontier = nxt
        if not frontier:
            break
    infos = access.nodes(dist)
    if start not in infos:
        return Nearest([], {}, 0)
    others = sorted((n for i, n in infos.items() if i != start),
                    key=lambda n: nearest_order(n, dist[n.id]))  # fmt: skip
    kept = [infos[start], *others[:limit]]
    return Nearest(kept, {n.id: dist[n.id] for n in kept}, len(others) - len(kept) + 1)


class GraphAccess(Protocol):
    """Batched adjacency of one store revision; implementations may cache what they read."""

    def step(
        self, nodes: Collection[str], step: Step, forward: bool
    ) -> Mapping[str, AbstractSet[str]]:
        """For each node, the entities one walkable relation away (when directed: along the
        relation's direction if forward, against it if not)."""

    def costs(self, nodes: Collection[str]) -> dict[str, int]:
        """How much expanding each node may cost (its stored degree): chooses the cheaper side."""

    def cost(self, nodes: Collection[str]) -> int:
        """How much expanding all of nodes may cost: the sum of their `costs`."""

    def nodes(self, ids: Collection[str]) -> dict[str, NodeInfo]:
        """Name, type and degree of each entity id that exists."""

    def hops(
        self, pairs: Collection[tuple[str, str]], step: Step
    ) -> dict[tuple[str, str], list[Hop]]:
        """For each (u, v), the relations a walk from u to v may cross."""

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        """Every relation the step allows whose two ends are both among ids."""

    def nearest(self, start: str, step: Step, depth: int, limit: int) -> Nearest:
        """The start and the `limit` entities nearest it within `depth` steps (forward, when
        directed), ordered by `nearest_order`, and how many more lie within the depth."""


class NxAccess:
    """GraphAccess over a networkx MultiDiGraph: nodes are entity ids with `name`, `type` and an
    optional `status` ("dropped"), edges are keyed by relation id with `type`, `evidence` (a
    count) and an optional `status` ("confirmed", "rejected"); `graph.graph["reviewed"]` says
    whether any edge is rejected or node dropped. Never mutated."""

    def __init__(self, graph: Any) -> None:
        self.graph = graph
        self._succ = graph._succ
        self._pred = graph._pred
        self._node = graph._node
        self._degrees: dict[str, int] = {}
        self._reviewed = bool(graph.graph.get("reviewed"))

    def _edge_ok(self, data: dict[str, Any], step: Step) -> bool:
        return step.allows(data["type"], data.get("status"))

    def _dropped(self, v: str, step: Step) -> bool:
        return not step.include_rejected and self._node[v].get("status") == DROPPED

    def step(self, nodes: Collection[str], step: Step, forward: bool) -> dict[str, set[str]]:
        tables = (
            (self._succ if forward else self._pred,) if step.directed else (self._succ, self._pred)
        )
        review = self._reviewed and not step.include_rejected
        plain = step.rel_types is None and not review
        out: dict[str, set[str]] = {}
        for u in nodes:
            if u not in self._node or (review and self._dropped(u, step)):
                out[u] = set()
                continue
            found: set[str]
            if plain:  # no relation filter: the adjacency keys themselves, at C speed
                found = (
                    set(tables[0][u])
                    if len(tables) == 1
                    else tables[0][u].keys() | tables[1][u].keys()
                )
            else:
                found = set()
                for table in tables:
                    for v, keydict in table[u].items():
                        for data in keydict.values():
                            if self._edge_ok(data, step):
                                found.add(v)
                                break
            found.discard(u)
            if found and review:
                found = {v for v in found if not self._dropped(v, step)}
            if found and step.via_types is not None:
                via, node, ends = step.via_types, self._node, step.ends
                found = {v for v in found if v in ends or node[v]["type"] in via}
            out[u] = found
        return out

    def costs(self, nodes: Collection[str]) -> dict[str, int]:
        return {u: len(self._succ[u]) + len(self._pred[u]) for u in nodes if u in self._node}

    def cost(self, nodes: Collection[str]) -> int:
        succ, pred, node = self._succ, self._pred, self._node
        return sum(len(succ[u]) + len(pred[u]) for u in nodes if u in node)

    def degree(self, u: str) -> int:
        found = self._degrees.get(u)
        if found is None:
            found = self._degrees[u] = sum(map(len, self._succ[u].values())) + sum(
                map(len, self._pred[u].values())
            )
        return found

    def nodes(self, ids: Collection[str]) -> dict[str, NodeInfo]:
        node = self._node
        return {
            i: NodeInfo(i, node[i]["name"], node[i]["type"], self.degree(i))
            for i in ids
            if i in node
        }

    def hops(
        self, pairs: Collection[tuple[str, str]], step: Step
    ) -> dict[tuple[str, str], list[Hop]]:
        out: dict[tuple[str, str], list[Hop]] = {}
        for u, v in pairs:
            found = [
                Hop(str(k), u, v, d["type"], d["evidence"], d.get("status"))
                for k, d in self._succ[u].get(v, {}).items()
                if self._edge_ok(d, step)
            ]
            if not step.directed:
                found += [
                    Hop(str(k), v, u, d["type"], d["evidence"], d.get("status"))
                    for k, d in self._pred[u].get(v, {}).items()
                    if self._edge_ok(d, step)
                ]
            out[(u, v)] = found
        return out

    def nearest(self, start: str, step: Step, depth: int, limit: int) -> Nearest:
        return walk_nearest(self, start, step, depth, limit)

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        keep = set(ids) & self._node.keys()
        return [
            Hop(str(k), u, v, d["type"], d["evidence"], d.get("status"))
            for u in keep
            for v, keydict in self._succ[u].items()
            if v in keep
            for k, d in keydict.items()
            if self._edge_ok(d, step)
        ]
