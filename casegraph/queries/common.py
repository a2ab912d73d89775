"""What do A and B (and C...) have in common: entities linked to all of them, with the links."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from casegraph.errors import UsageError
from casegraph.graph.store import Store, nx_graph
from casegraph.queries.engine import Filters, Walker, bfs_levels
from casegraph.queries.paths import RawPath, _bounded, hydrate, raw_path, relation_types
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

    def filters(self) -> Filters:
        return Filters(
            rel_types=frozenset(self.rel_types) if self.rel_types else None, no_weak=self.no_weak
        )


def common(
    store: Store, names: Sequence[str], options: CommonOptions | None = None
) -> CommonResult:
    """Entities within depth hops of every named entity, the closest and most specific first."""
    opts = (options or CommonOptions()).validated()
    if len(names) < 2:
        raise UsageError("common needs at least two entities")
    anchors = [store.resolve(n) for n in names]
    ids = [a.id for a in anchors]
    if len(set(ids)) < len(ids):
        raise UsageError("the same entity is named twice")
    if store.backend == "neo4j":
        from casegraph.queries.cypher.common import cypher_common

        found = cypher_common(store, ids, opts)
    else:
        found = nx_common(nx_graph(store), ids, opts)
    found.sort(key=lambda item: (sum(len(p.edges) for p in item[1]), item[0]["degree"],
                                 item[0]["name"], item[0]["id"]))  # fmt: skip
    found = found[: opts.limit]
    flat = [p for _, links in found for p in links]
    hydrated = iter(hydrate(store, flat))
    shared = tuple(
        Shared(Node(n["id"], n["name"], n["type"], n["degree"]),
               tuple(next(hydrated) for _ in links))
        for n, links in found
    )  # fmt: skip
    return CommonResult(tuple(anchors), shared, opts.depth)


def nx_common(
    graph: Any, ids: list[str], opts: CommonOptions
) -> list[tuple[dict[str, Any], list[RawPath]]]:
    walker = Walker(graph, opts.filters(), endpoints=ids)
    searches = [bfs_levels(walker, a, opts.depth) for a in ids]
    shared = set(searches[0][0])
    for dist, _ in searches[1:]:
        shared &= set(dist)
    shared -= set(ids)
    degrees: dict[str, int] = {}
    out = []
    for node in shared:
        links = []
        for anchor, (_, parent) in zip(ids, searches, strict=True):
            chain = [node]
            while chain[-1] != anchor:
                chain.append(parent[chain[-1]])
            links.append(raw_path(graph, walker, chain[::-1], degrees))
        out.append((links[0].nodes[-1], links))
    return out
