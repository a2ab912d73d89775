"""Paths on Neo4j: ALL SHORTEST / SHORTEST k GROUPS over quantified path patterns.

The filters sit inside the quantified pattern (relationship types as a label expression, node
predicates in an inline WHERE), so Neo4j plans its bidirectional shortest-path search with the
filters applied during the search, not as a post-filter over all paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casegraph.queries.cypher import arrow, degree, hops, rel_types

if TYPE_CHECKING:
    from casegraph.queries.paths import PathOptions, RawPath

# How many rows (relationship-level paths) one path query may return.
ROW_LIMIT = 5000

# Question: every shortest path from $source to $target within {max} hops, under the filters.
# Parameters: $source, $target (entity ids), $exclude (ids not to pass through), $via (entity
#   types allowed for intermediate entities, or null for any), $limit (rows).
# Placeholders filled from the allow-list only: {types} (relationship type expression),
#   {left}/{right} (direction), {max} (validated hop bound), {degree} (the degree expression).
# Returns: ids (node ids in walking order), rels (per hop: rid, source id, target id, type,
#   evidence count), degrees (per node).
ALL_SHORTEST = """
MATCH p = ALL SHORTEST (a:Entity {{id: $source}})
      ((:Entity){left}[r:{types}]{right}(x:Entity)
        WHERE x.id = $target OR (NOT x.id IN $exclude AND ($via IS NULL OR x.type IN $via))){{1,{max}}}
      (b:Entity {{id: $target}})
RETURN [n IN nodes(p) | n.id] AS ids,
       [n IN nodes(p) | n.name] AS names,
       [n IN nodes(p) | n.type] AS types,
       [n IN nodes(p) | {degree}] AS degrees,
       [rel IN relationships(p) | [rel.rid, startNode(rel).id, endNode(rel).id, type(rel),
                                   size(rel.quotes)]] AS rels
LIMIT $limit
"""

# Question: the paths in the $groups shortest length groups from $source to $target (for --k:
# the k shortest simple paths are taken from them, client side).
# Parameters and returns: as ALL_SHORTEST, plus $groups (a validated integer).
SHORTEST_GROUPS = ALL_SHORTEST.replace("ALL SHORTEST", "SHORTEST {groups} GROUPS")


def _query(template: str, opts: PathOptions, **extra: int) -> str:
    left, right = arrow(opts.directed)
    return template.format(
        types=rel_types(frozenset(opts.rel_types) or None, opts.no_weak),
        left=left, right=right, max=hops(opts.max_hops), degree=degree("n"), **extra,
    )  # fmt: skip


def _params(s: str, t: str, opts: PathOptions, exclude: list[str]) -> dict[str, Any]:
    return {
        "source": s, "target": t, "exclude": list(exclude),
        "via": list(opts.via_types) or None, "limit": ROW_LIMIT,
    }  # fmt: skip


def cypher_paths(
    store: Any, s: str, t: str, opts: PathOptions, exclude: list[str]
) -> list[RawPath]:
    """Paths answered by Neo4j, as node sequences with each hop's strongest relation."""
    from casegraph.queries.paths import MAX_PATHS_K

    params = _params(s, t, opts, exclude)
    if opts.mode != "k":
        return _collapse(store.run_read(_query(ALL_SHORTEST, opts), params))
    found: list[RawPath] = []
    groups = 1
    while groups <= opts.max_hops + 1:
        rows = store.run_read(_query(SHORTEST_GROUPS, opts, groups=hops(groups, 1, 50)), params)
        trails = _collapse(rows)
        found = [p for p in trails if len({n["id"] for n in p.nodes}) == len(p.nodes)]
        if len(found) >= min(opts.k, MAX_PATHS_K) or len({len(p.edges) for p in trails}) < groups:
            break  # enough simple paths, or no further length group exists
        groups += 1
    return complete_groups(found, opts.k)


def complete_groups(paths: list[RawPath], k: int) -> list[RawPath]:
    """The shortest length groups holding at least k paths (the last group whole)."""
    paths = sorted(paths, key=lambda p: len(p.edges))
    if len(paths) <= k:
        return paths
    cut = len(paths[k - 1].edges)
    return [p for p in paths if len(p.edges) <= cut]


def _collapse(rows: list[dict[str, Any]]) -> list[RawPath]:
    """One RawPath per node sequence; each hop keeps its strongest relation (typed, most cited)."""
    from casegraph.queries.paths import RawPath, hop_preference

    by_nodes: dict[tuple[str, ...], dict[str, Any]] = {}
    for row in rows:
        key = tuple(row["ids"])
        entry = by_nodes.setdefault(key, {"row": row, "hops": [None] * len(row["rels"])})
        for i, (rid, src, dst, rtype, n_ev) in enumerate(row["rels"]):
            edge = {"id": rid, "source": src, "target": dst, "type": rtype, "evidence": n_ev}
            best = entry["hops"][i]
            if best is None or hop_preference(rtype, n_ev, src, dst) < hop_preference(
                best["type"], best["evidence"], best["source"], best["target"]
            ):
                entry["hops"][i] = edge
    out = []
    for key, entry in by_nodes.items():
        row = entry["row"]
        nodes = [
            {"id": i, "name": n, "type": t, "degree": d}
            for i, n, t, d in zip(key, row["names"], row["types"], row["degrees"], strict=True)
        ]
        out.append(RawPath(nodes, entry["hops"]))
    return out
