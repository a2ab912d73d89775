"""Who is around an entity: its neighbourhood within a few hops, with filters and a size limit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from casegraph.graph.store import Store, nx_graph
from casegraph.queries.engine import Filters, Walker, bfs_levels
from casegraph.queries.paths import _bounded, entity_types, relation_types
from casegraph.queries.results import Edge, Node, Subgraph

MAX_DEPTH = 4


@dataclass(frozen=True)
class NeighborOptions:
    """Depth (1-4), node types, relation types, weak links and how many nodes to keep."""

    depth: int = 1
    types: tuple[str, ...] = ()
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    limit: int = 100

    def validated(self) -> NeighborOptions:
        _bounded("--depth", self.depth, 1, MAX_DEPTH)
        _bounded("--limit", self.limit, 1, 100_000)
        return NeighborOptions(self.depth, entity_types(self.types),
                               relation_types(self.rel_types), self.no_weak, self.limit)  # fmt: skip

    def filters(self) -> Filters:
        return Filters(
            rel_types=frozenset(self.rel_types) if self.rel_types else None,
            no_weak=self.no_weak,
            via_types=frozenset(self.types) if self.types else None,
        )


@dataclass
class RawNeighborhood:
    """Backend-neutral answer: nodes with distance and degree, and the relations among them."""

    nodes: list[dict[str, Any]]  # id, name, type, degree, distance
    edges: list[dict[str, Any]]  # id, source, target, type


def neighbors(store: Store, entity: str, options: NeighborOptions | None = None) -> Subgraph:
    """The entity, the entities within depth hops of it (nearest, then best-connected, first)."""
    opts = (options or NeighborOptions()).validated()
    center = store.resolve(entity)
    if store.backend == "neo4j":
        from casegraph.queries.cypher.neighbors import cypher_neighbors

        raw = cypher_neighbors(store, center.id, opts)
    else:
        raw = nx_neighbors(nx_graph(store), center.id, opts)
    return keep_best(store, raw, [center.id], opts.limit)


def nx_neighbors(graph: Any, center: str, opts: NeighborOptions) -> RawNeighborhood:
    walker = Walker(graph, opts.filters(), endpoints=(center,))
    dist, _ = bfs_levels(walker, center, opts.depth)
    degrees = {n: walker.degree(n) for n in dist}
    nodes = [
        {"id": n, "name": graph._node[n]["name"], "type": graph._node[n]["type"],
         "degree": degrees[n], "distance": d}
        for n, d in dist.items()
    ]  # fmt: skip
    return RawNeighborhood(nodes, edges_among(graph, walker.filters, dist))


def edges_among(graph: Any, filters: Filters, nodes: Iterable[str]) -> list[dict[str, Any]]:
    """Every relation (passing the filters) whose two ends are both among nodes."""
    keep = set(nodes)
    edges = []
    for u in keep:
        for v, keydict in graph._succ[u].items():
            if v in keep:
                for rid, data in keydict.items():
                    if filters.edge_ok(data):
                        edges.append({"id": rid, "source": u, "target": v, "type": data["type"]})
    return edges


def keep_best(store: Store, raw: RawNeighborhood, centers: list[str], limit: int) -> Subgraph:
    """Keep the centers and the `limit` nearest, best-connected others; attach evidence."""
    ordered = sorted(
        raw.nodes,
        key=lambda n: (n["id"] not in centers, n["distance"], -n["degree"], n["name"], n["id"]),
    )
    kept = ordered[: len(centers) + limit]
    kept_ids = {n["id"] for n in kept}
    edges = [e for e in raw.edges if e["source"] in kept_ids and e["target"] in kept_ids]
    edges.sort(key=lambda e: (e["type"], e["source"], e["target"], str(e["id"])))
    evidence = store.evidence(e["id"] for e in edges)
    return Subgraph(
        nodes=tuple(Node(n["id"], n["name"], n["type"], n["degree"]) for n in kept),
        edges=tuple(
            Edge(e["id"], e["source"], e["target"], e["type"], tuple(evidence.get(e["id"], ())))
            for e in edges
        ),
        centers=tuple(centers),
        omitted=len(ordered) - len(kept),
        distances={n["id"]: n["distance"] for n in kept},
    )
