"""What a drawing of the graph shows: the whole graph, or one entity's surroundings, capped."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from casegraph.dates import Window
from casegraph.errors import UsageError
from casegraph.graph.schema import WEAK
from casegraph.graph.store import Store
from casegraph.queries.engine import Filters, Walker, bfs_levels
from casegraph.queries.neighbors import keep_best
from casegraph.queries.options import entity_types, relation_types
from casegraph.queries.results import CommonResult, Edge, Node, PathResult, Subgraph

# Relations whose evidence is read from the store at once.
EVIDENCE_BATCH = 1000
# Leaves of one type around one entity count once toward `limit` (a view draws them as one
# cluster node), up to this many leaves in all, so that a page stays bounded.
LEAF_CEILING = 20_000
# Characters of document text a view carries for its passage panel (cited_texts' budget).
TEXT_BUDGET = 2_000_000


@dataclasses.dataclass(frozen=True)
class DrawFilters:
    """What a drawing keeps: entity types, relation types, weak links (empty: everything)."""

    types: tuple[str, ...] = ()
    rel_types: tuple[str, ...] = ()
    no_weak: bool = False

    def validated(self) -> DrawFilters:
        return DrawFilters(entity_types(self.types), relation_types(self.rel_types), self.no_weak)

    def keeps_relation(self, type_: str) -> bool:
        if self.no_weak and type_ == WEAK:
            return False
        return not self.rel_types or type_ in self.rel_types


def drawing(store: Store, *, entity: str | None = None, depth: int = 1,
            limit: int | None = None, window: Window | None = None,
            filters: DrawFilters | None = None) -> Subgraph:  # fmt: skip
    """The whole graph, or an entity's neighbourhood within `depth` hops (any relation, either
    direction), with evidence and aliases.

    With `limit`, only that many nodes are kept besides the center (nearest, then most
    connected; the leaves of one type around one entity count once) and only their links'
    evidence is read; the rest are counted in `omitted`. `filters` keeps only some entity
    types (the center always stays), relation types, or no weak links.
    """
    if depth < 0:
        raise UsageError(f"depth must be 0 or more, not {depth}")
    keep = (filters or DrawFilters()).validated()
    if entity is None:
        return whole(store, limit, keep)
    center = store.resolve(entity)
    access = store.graph()
    walk = Filters(
        rel_types=frozenset(keep.rel_types) or None, no_weak=keep.no_weak, window=window or Window()
    )
    walker = Walker(access, walk, endpoints=(center.id,))
    dist, parent = bfs_levels(walker, center.id, depth)
    infos = access.nodes(dist)
    if keep.types:
        dist = {i: d for i, d in dist.items() if i == center.id or infos[i].type in keep.types}
    if limit is None:
        return keep_best(store, access, walker, dist, [center.id], len(dist))
    ordered = sorted(dist, key=lambda i: (i != center.id, dist[i], -infos[i].degree,
                                          infos[i].name, i))  # fmt: skip
    chosen: dict[str, int] = {}
    units: set[object] = set()
    leaves = 0
    for node_id in ordered:
        info = infos[node_id]
        leaf = info.degree <= 1 and node_id in parent and leaves < LEAF_CEILING
        unit: object = (parent[node_id], info.type) if leaf else node_id
        if unit not in units:
            if len(units) > limit:  # the center is one of the units and is not counted
                continue
            units.add(unit)
        leaves += leaf
        chosen[node_id] = dist[node_id]
    sub = keep_best(store, access, walker, chosen, [center.id], len(chosen))
    return dataclasses.replace(sub, omitted=len(dist) - len(chosen))


def whole(store: Store, limit: int | None, filters: DrawFilters | None = None) -> Subgraph:
    """Every entity (or the `limit` most connected) and the relations among those kept."""
    keep = filters or DrawFilters()
    entities = {e.id: e for e in store.iter_entities() if not keep.types or e.type in keep.types}
    relations = [
        r for r in store.iter_relations()
        if r[1] in entities and r[3] in entities and keep.keeps_relation(r[2])
    ]  # fmt: skip
    degree: dict[str, int] = {}
    for _rid, s, _t, o, _p in relations:
        degree[s] = degree.get(s, 0) + 1
        degree[o] = degree.get(o, 0) + 1
    keep_ids = sorted(entities, key=lambda i: (-degree.get(i, 0), entities[i].name, i))
    keep_ids = keep_ids[:limit] if limit is not None else keep_ids
    kept = set(keep_ids)
    rels = [r for r in relations if r[1] in kept and r[3] in kept]
    edges: list[Edge] = []
    for start in range(0, len(rels), EVIDENCE_BATCH):
        chunk = rels[start : start + EVIDENCE_BATCH]
        evidence = store.evidence(r[0] for r in chunk)
        edges += [Edge(rid, s, o, t, tuple(evidence.get(rid, ()))) for rid, s, t, o, _ in chunk]
    nodes = tuple(
        Node(i, entities[i].name, entities[i].type, degree.get(i, 0), entities[i].aliases)
        for i in keep_ids
    )
    return Subgraph(nodes, tuple(edges), omitted=len(entities) - len(keep_ids))


def cited_texts(store: Store, *results: Subgraph | PathResult | CommonResult | None,
                budget: int | None = None) -> dict[str, str]:  # fmt: skip
    """The texts of the documents cited by the evidence of these results (for a view's passage
    panel), most cited first; a text that would pass `budget` characters in all is left out
    (the view says so)."""
    cited: dict[str, int] = {}
    for edge in _edges(results):
        for ev in edge.evidence:
            cited[ev.document_id] = cited.get(ev.document_id, 0) + 1
    texts: dict[str, str] = {}
    room = budget
    for doc in sorted(cited, key=lambda d: (-cited[d], d)):
        text = store.document_text(doc)
        if text is None:
            continue
        if room is not None and len(text) > room:
            continue
        texts[doc] = text
        if room is not None:
            room -= len(text)
    return texts


def _edges(results: Iterable[Subgraph | PathResult | CommonResult | None]) -> Iterable[Edge]:
    for result in results:
        if isinstance(result, Subgraph):
            yield from result.edges
        elif isinstance(result, PathResult):
            for path in result.paths:
                yield from path.edges
        elif isinstance(result, CommonResult):
            for shared in result.shared:
                for link in shared.links:
                    yield from link.edges
