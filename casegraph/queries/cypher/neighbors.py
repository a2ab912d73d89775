"""Neighbourhoods on Neo4j: one shortest path to every entity within the depth, then the links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casegraph.queries.cypher import degree, hops, rel_types

if TYPE_CHECKING:
    from casegraph.queries.neighbors import NeighborOptions, RawNeighborhood

# Question: which entities lie within {max} hops of $center, and how far.
# Parameters: $center (entity id), $types (entity types allowed beyond the center, or null).
# Placeholders from the allow-list only: {types_expr} (relationship types), {max} (hop bound),
#   {degree} (the degree expression).
# Returns: id, name, type, distance, degree of every reached entity (the center excluded).
REACH = """
MATCH p = ANY SHORTEST (c:Entity {{id: $center}})
      ((:Entity)-[:{types_expr}]-(x:Entity) WHERE $types IS NULL OR x.type IN $types){{1,{max}}}
      (m:Entity)
WHERE m <> c
RETURN m.id AS id, m.name AS name, m.type AS type, length(p) AS distance,
       {degree} AS degree
"""

# Question: the relations (of the allowed types) between any two of the entities $ids.
# Parameters: $ids. Placeholder: {types_expr}. Returns: id (rid), source, target, type.
LINKS_AMONG = """
MATCH (a:Entity)-[r:{types_expr}]->(b:Entity)
WHERE a.id IN $ids AND b.id IN $ids
RETURN r.rid AS id, a.id AS source, b.id AS target, type(r) AS type
"""

# Question: name, type and degree of one entity. Parameters: $id. Placeholder: {degree}.
# Returns: id, name, type, degree.
NODE = """
MATCH (n:Entity {{id: $id}})
RETURN n.id AS id, n.name AS name, n.type AS type, {degree} AS degree
"""


def reach(
    store: Any, center: str, depth: int, rels: str, types: list[str] | None
) -> list[dict[str, Any]]:
    """Every entity within depth hops of center (the center first, at distance 0)."""
    query = REACH.format(types_expr=rels, max=hops(depth, 1, 4), degree=degree("m"))
    rows = store.run_read(query, {"center": center, "types": types})
    (me,) = store.run_read(NODE.format(degree=degree("n")), {"id": center})
    return [{**me, "distance": 0}, *rows]


def cypher_neighbors(store: Any, center: str, opts: NeighborOptions) -> RawNeighborhood:
    from casegraph.queries.neighbors import RawNeighborhood

    rels = rel_types(frozenset(opts.rel_types) or None, opts.no_weak)
    nodes = reach(store, center, opts.depth, rels, list(opts.types) or None)
    edges = store.run_read(LINKS_AMONG.format(types_expr=rels), {"ids": [n["id"] for n in nodes]})
    return RawNeighborhood(nodes, edges)
