"""What a drawing of the graph shows: the whole graph, or one entity's surroundings, capped."""

from __future__ import annotations

from casegraph.dates import Window
from casegraph.errors import UsageError
from casegraph.graph.store import Store
from casegraph.queries.engine import Filters, Walker, bfs_levels
from casegraph.queries.neighbors import keep_best
from casegraph.queries.results import Edge, Node, Subgraph

# Relations whose evidence is read from the store at once.
EVIDENCE_BATCH = 1000


def drawing(store: Store, *, entity: str | None = None, depth: int = 1,
            limit: int | None = None, window: Window | None = None) -> Subgraph:  # fmt: skip
    """The whole graph, or an entity's neighbourhood within `depth` hops (any relation, either
    direction), with evidence and aliases.

    With `limit`, only that many nodes are kept besides the center (nearest, then most
    connected) and only their links' evidence is read; the rest are counted in `omitted`.
    """
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    if entity is None:
        return whole(store, limit)
    center = store.resolve(entity)
    access = store.graph()
    walker = Walker(access, Filters(window=window or Window()), endpoints=(center.id,))
    dist, _ = bfs_levels(walker, center.id, depth)
    cap = len(dist) if limit is None else max(limit - 1, 0)
    return keep_best(store, access, walker, dist, [center.id], cap)


def whole(store: Store, limit: int | None) -> Subgraph:
    """Every entity (or the `limit` most connected) and the relations among those kept."""
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
    edges: list[Edge] = []
    for start in range(0, len(rels), EVIDENCE_BATCH):
        chunk = rels[start : start + EVIDENCE_BATCH]
        evidence = store.evidence(r[0] for r in chunk)
        edges += [Edge(rid, s, o, t, tuple(evidence.get(rid, ()))) for rid, s, t, o, _ in chunk]
    nodes = tuple(
        Node(i, entities[i].name, entities[i].type, degree.get(i, 0), entities[i].aliases)
        for i in keep
    )
    return Subgraph(nodes, tuple(edges), omitted=len(entities) - len(keep))
