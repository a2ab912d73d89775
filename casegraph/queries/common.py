"""What do A and B (and C...) have in common: entities linked to all of them, with the links."""

from __future__ import annotations

from collections.abc import Sequence

from casegraph.errors import UsageError
from casegraph.graph.access import GraphAccess
from casegraph.graph.store import Store
from casegraph.queries.engine import Walker, all_shortest, bfs_levels
from casegraph.queries.options import CommonOptions
from casegraph.queries.paths import hydrate, with_hops
from casegraph.queries.ranking import RawPath, rank
from casegraph.queries.results import CommonResult, Node, Shared


def common(
    store: Store, names: Sequence[str], options: CommonOptions | None = None
) -> CommonResult:
    """Entities within depth hops of every named entity, the closest and most specific first.

    Order: the sum of distances, then the degree (a shared hub is less telling than a shared
    small firm), then name. Each link is the best-ranked shortest path from the asked entity.
    """
    opts = (options or CommonOptions()).validated()
    if len(names) < 2:
        raise UsageError("common needs at least two entities")
    anchors = [store.resolve(n) for n in names]
    ids = [a.id for a in anchors]
    if len(set(ids)) < len(ids):
        raise UsageError("the same entity is named twice")
    access = store.graph()
    walker = Walker(access, opts.path_options().filters(()), endpoints=ids)
    reached = [bfs_levels(walker, anchor, opts.depth)[0] for anchor in ids]
    shared_ids = set(reached[0]).intersection(*reached[1:]) - set(ids)
    infos = access.nodes(shared_ids)
    totals = {n: sum(r[n] for r in reached) for n in shared_ids}
    shared = sorted(infos.values(), key=lambda n: (totals[n.id], n.degree, n.name, n.id))[
        : opts.limit
    ]
    links = [[best_link(access, a, n.id, opts) for a in ids] for n in shared]
    hydrated = iter(hydrate(store, [p for group in links for p in group], opts.include_rejected))
    items = tuple(
        Shared(Node(n.id, n.name, n.type, n.degree), tuple(next(hydrated) for _ in group))
        for n, group in zip(shared, links, strict=True)
    )
    return CommonResult(tuple(anchors), items, opts.depth)


def best_link(access: GraphAccess, anchor: str, node: str, opts: CommonOptions) -> RawPath:
    """The best-ranked shortest path from an asked entity to a shared one."""
    walker = Walker(access, opts.path_options().filters(()), endpoints=(anchor, node))
    return rank(with_hops(walker, all_shortest(walker, anchor, node, opts.depth)))[0]
