"""Common connections on Neo4j: what each asked entity reaches within the depth."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from casegraph.queries.cypher import rel_types
from casegraph.queries.cypher.neighbors import reach

if TYPE_CHECKING:
    from casegraph.queries.common import CommonOptions


def cypher_reach_all(
    store: Any, ids: list[str], opts: CommonOptions
) -> list[dict[str, dict[str, Any]]]:
    """For each asked entity: every entity within depth, with name, type, degree and distance."""
    rels = rel_types(frozenset(opts.rel_types) or None, opts.no_weak)
    return [{n["id"]: n for n in reach(store, anchor, opts.depth, rels, None)} for anchor in ids]
