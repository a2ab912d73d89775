"""Who is around an entity: its neighbourhood within a few hops, with filters and a size limit."""

from __future__ import annotations

from casegraph.graph.access import GraphAccess, Nearest, NodeInfo, nearest_order
from casegraph.graph.store import Store
from casegraph.queries.engine import Walker
from casegraph.queries.options import NeighborOptions
from casegraph.queries.results import Edge, Node, Subgraph


def neighbors(store: Store, entity: str, options: NeighborOptions | None = None) -> Subgraph:
    """The entity, the entities within depth hops of it (nearest, then best-connected, first)."""
    opts = (options or NeighborOptions()).validated()
    center = store.resolve(entity)
    access = store.graph()
    walker = Walker(access, opts.filters(), endpoints=(center.id,))
    near = access.nearest(center.id, walker.step, opts.depth, opts.limit)
    return subgraph(store, access, walker, near, [center.id])


def keep_best(
    store: Store,
    access: GraphAccess,
    walker: Walker,
    dist: dict[str, int],
    centers: list[str],
    limit: int,
) -> Subgraph:
    """Keep the centers and the `limit` nearest, best-connected others, with the relations among
    them (those the walk may cross) and their evidence."""
    infos = access.nodes(dist)
    ordered = sorted(infos.values(), key=lambda n: _order(n, dist, centers))
    kept = ordered[: len(centers) + limit]
    near = Nearest(kept, {n.id: dist[n.id] for n in kept}, len(ordered) - len(kept))
    return subgraph(store, access, walker, near, centers)


def subgraph(
    store: Store, access: GraphAccess, walker: Walker, near: Nearest, centers: list[str]
) -> Subgraph:
    """The kept entities with the relations among them (those the walk may cross), their
    evidence and aliases."""
    kept = near.nodes
    hops = access.among([n.id for n in kept], walker.step)
    hops.sort(key=lambda e: (e.type, e.source, e.target, e.rid))
    evidence = store.evidence((e.rid for e in hops), include_rejected=walker.step.include_rejected)
    rows = store.entities_by_id(n.id for n in kept)
    return Subgraph(
        nodes=tuple(
            Node(n.id, n.name, n.type, n.degree, rows[n.id].aliases if n.id in rows else ())
            for n in kept
        ),
        edges=tuple(
            Edge(e.rid, e.source, e.target, e.type, tuple(evidence.get(e.rid, ())), e.status)
            for e in hops
        ),
        centers=tuple(centers),
        omitted=near.omitted,
        distances=dict(near.dist),
    )


def _order(n: NodeInfo, dist: dict[str, int], centers: list[str]) -> tuple[object, ...]:
    return (n.id not in centers, *nearest_order(n, dist[n.id]))
