"""What do A and B (and C...) have in common: entities linked to all of them, with the links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casegraph.errors import UsageError
from casegraph.graph.store import Store, nx_graph
from casegraph.queries.engine import Walker, all_shortest, bfs_levels
from casegraph.queries.paths import (
    PathOptions,
    RawPath,
    _bounded,
    hydrate,
    rank,
    raw_path,
    relation_types,
)
from casegraph.queries.results import CommonResult, Node, Shared

MAX_DEPTH = 3


@dataclass(frozen=True)
class CommonOptions:
    """Depth (1-3), relation types, weak links, how many shared entities to list."""

    depth: int = 1
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False
    limit: int = 50

    def validated(self) -> CommonOptions:
        _bounded("--depth", self.depth, 1, MAX_DEPTH)
        _bounded("--limit", self.limit, 1, 10_000)
        return CommonOptions(self.depth, relation_types(self.rel_types), self.no_weak, self.limit)

    def path_options(self) -> PathOptions:
        """The options of the link from an asked entity to a shared one."""
        return PathOptions(max_hops=self.depth, mode="all", rel_types=self.rel_types,
                           no_weak=self.no_weak)  # fmt: skip


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
    if store.backend == "neo4j":
        from casegraph.queries.cypher.common import cypher_reach_all

        reached = cypher_reach_all(store, ids, opts)
    else:
        reached = nx_reach_all(nx_graph(store), ids, opts)
    shared_ids = set(reached[0]).intersection(*reached[1:]) - set(ids)
    shared = sorted(
        (reached[0][n] | {"total": sum(r[n]["distance"] for r in reached)} for n in shared_ids),
        key=lambda n: (n["total"], n["degree"], n["name"], n["id"]),
    )[: opts.limit]
    links = [[best_link(store, a, n["id"], opts) for a in ids] for n in shared]
    flat = [p for group in links for p in group]
    hydrated = iter(hydrate(store, flat))
    items = tuple(
        Shared(Node(n["id"], n["name"], n["type"], n["degree"]),
               tuple(next(hydrated) for _ in group))
        for n, group in zip(shared, links, strict=True)
    )  # fmt: skip
    return CommonResult(tuple(anchors), items, opts.depth)


def nx_reach_all(
    graph: Any, ids: list[str], opts: CommonOptions
) -> list[dict[str, dict[str, Any]]]:
    """For each asked entity: every entity within depth, with name, type, degree and distance."""
    walker = Walker(graph, opts.path_options().filters(()), endpoints=ids)
    out = []
    for anchor in ids:
        dist, _ = bfs_levels(walker, anchor, opts.depth)
        out.append({
            n: {"id": n, "name": graph._node[n]["name"], "type": graph._node[n]["type"],
                "degree": walker.degree(n), "distance": d}
            for n, d in dist.items()
        })  # fmt: skip
    return out


def best_link(store: Store, anchor: str, node: str, opts: CommonOptions) -> RawPath:
    """The best-ranked shortest path from an asked entity to a shared one."""
    popts = opts.path_options()
    if store.backend == "neo4j":
        from casegraph.queries.cypher.paths import cypher_paths

        paths = cypher_paths(store, anchor, node, popts, [])
    else:
        graph = nx_graph(store)
        walker = Walker(graph, popts.filters(()), endpoints=(anchor, node))
        degrees: dict[str, int] = {}
        paths = [raw_path(graph, walker, p, degrees)
                 for p in all_shortest(walker, anchor, node, opts.depth)]  # fmt: skip
    return rank(paths)[0]
