"""The graph part an HTML view draws, read from a store: all of it or one entity's neighbourhood."""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from typing import Any

from casegraph.errors import UsageError
from casegraph.graph.store import Store
from casegraph.queries.results import Edge, Subgraph
from casegraph.views.html_data import EntityNode


def subgraph_from_store(store: Store, *, entity: str | None = None, depth: int = 1,
                        limit: int | None = None) -> Subgraph:  # fmt: skip
    """The whole graph, or an entity's neighbourhood within `depth` hops, with evidence.

    With `limit`, only that many nodes are kept (nearest, then most connected) and only their
    links' evidence is read; the rest are counted in `omitted`.
    """
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    if entity is None:
        return _whole(store, limit)
    center = store.resolve(entity)
    graph = getattr(store, "graph", None)
    if callable(graph):
        return _neighbourhood_nx(store, graph(), center.id, depth, limit)
    return _neighbourhood_generic(store, center.id, depth, limit)


def _whole(store: Store, limit: int | None) -> Subgraph:
    entities = {e.id: e for e in store.iter_entities()}
    relations = list(store.iter_relations())
    degree: dict[str, int] = {}
    for _rid, s, _t, o, _p in relations:
        degree[s] = degree.get(s, 0) + 1
        degree[o] = degree.get(o, 0) + 1
    keep = sorted(entities, key=lambda i: (-degree.get(i, 0), entities[i].name, i))
    keep = keep[:limit] if limit is not None else keep
    kept = set(keep)
    rels = [r for r in relations if r[1] in kept and r[3] in kept]
    nodes = tuple(
        EntityNode(i, entities[i].name, entities[i].type, degree.get(i, 0), entities[i].aliases)
        for i in keep
    )
    return Subgraph(nodes, _edges(store, rels), omitted=len(entities) - len(keep))


def _edges(store: Store, rels: list[tuple[Any, str, str, str, Any]]) -> tuple[Edge, ...]:
    out: list[Edge] = []
    for start in range(0, len(rels), 1000):
        chunk = rels[start : start + 1000]
        evidence = store.evidence(r[0] for r in chunk)
        out += [Edge(rid, s, o, t, tuple(evidence.get(rid, ()))) for rid, s, t, o, _ in chunk]
    return tuple(out)


def _cut(distances: dict[str, int], degree: dict[str, int], names: dict[str, str],
         limit: int | None) -> list[str]:  # fmt: skip
    order = sorted(distances, key=lambda i: (distances[i], -degree.get(i, 0), names.get(i, ""), i))
    return order[:limit] if limit is not None else order


def _neighbourhood_nx(store: Store, graph: Any, center: str, depth: int, limit: int | None
                      ) -> Subgraph:  # fmt: skip
    """BFS on the embedded store's networkx view, ignoring direction."""
    distances = {center: 0}
    queue = deque([center])
    while queue:
        node = queue.popleft()
        if distances[node] >= depth:
            continue
        for other in (*graph.successors(node), *graph.predecessors(node)):
            if other not in distances:
                distances[other] = distances[node] + 1
                queue.append(other)
    names = {i: graph.nodes[i]["name"] for i in distances}
    keep = _cut(distances, dict(graph.degree(distances)), names, limit)
    kept = set(keep)
    rels = [
        (key, s, data["type"], o, None)
        for s, o, key, data in graph.out_edges(kept, keys=True, data=True)
        if o in kept
    ]
    aliases = {e.id: e.aliases for e in (store.entity(i) for i in keep)}
    nodes = tuple(
        EntityNode(i, graph.nodes[i]["name"], graph.nodes[i]["type"], graph.degree(i), aliases[i])
        for i in keep
    )
    return Subgraph(nodes, _edges(store, sorted(rels)), centers=(center,),
                    omitted=len(distances) - len(keep),
                    distances={i: distances[i] for i in keep})  # fmt: skip


def _neighbourhood_generic(store: Store, center: str, depth: int, limit: int | None) -> Subgraph:
    """BFS through store.relations_of, for stores without a networkx view (Neo4j)."""
    distances = {center: 0}
    relations: dict[str, Any] = {}
    rows: dict[Any, tuple[str, str, str, tuple[Any, ...]]] = {}
    frontier = [center]
    for hop in range(1, depth + 1):
        nxt = []
        for node in frontier:
            relations[node] = store.relations_of(node)
            for r in relations[node]:
                s, o = (node, r.other.id) if r.direction == "out" else (r.other.id, node)
                rows[r.id] = (s, r.type, o, r.evidence)
                if r.other.id not in distances:
                    distances[r.other.id] = hop
                    nxt.append(r.other.id)
        frontier = nxt
    entities = {i: store.entity(i) for i in distances}
    degree = {i: len(relations[i]) if i in relations else len(store.relations_of(i))
              for i in distances}  # fmt: skip
    keep = _cut(distances, degree, {i: e.name for i, e in entities.items()}, limit)
    kept = set(keep)
    nodes = tuple(
        EntityNode(i, entities[i].name, entities[i].type, degree[i], entities[i].aliases)
        for i in keep
    )
    edges = tuple(
        Edge(rid, s, o, t, ev) for rid, (s, t, o, ev) in rows.items() if s in kept and o in kept
    )
    return Subgraph(nodes, edges, centers=(center,), omitted=len(distances) - len(keep),
                    distances={i: distances[i] for i in keep})  # fmt: skip


def with_aliases(subgraph: Subgraph, store: Store) -> Subgraph:
    """The same subgraph with each node's aliases read from the store, for views that show them."""
    nodes = tuple(
        n if isinstance(n, EntityNode)
        else EntityNode(n.id, n.name, n.type, n.degree, store.entity(n.id).aliases)
        for n in subgraph.nodes
    )  # fmt: skip
    return replace(subgraph, nodes=nodes)
