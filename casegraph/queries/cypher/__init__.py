"""The Neo4j side of the link questions: named Cypher texts, built only from the schema allow-list.

Values always travel as $parameters. The only things ever put into a query's text are relation
type names from the schema (backtick-quoted), validated integers (hop bounds), and fixed
fragments chosen by flags; never user text.
"""

from __future__ import annotations

from casegraph.graph import neo4j_cypher
from casegraph.graph.schema import WEAK, load_schema


def rel_types(allowed: tuple[str, ...] | frozenset[str] | None, no_weak: bool) -> str:
    """A relationship type expression (`HIRED`|`BASED_IN`...) of the allowed schema types."""
    schema = load_schema().relation_types
    names = [n for n in schema if (not allowed or n in allowed) and not (no_weak and n == WEAK)]
    for name in names:  # belt and braces: only schema names, which are plain identifiers
        if not name.replace("_", "").isalnum():
            raise ValueError(f"unexpected relation type name {name!r}")
    return "|".join(f"`{n}`" for n in names) or "`__none__`"


def hops(value: int, low: int = 1, high: int = 10) -> int:
    """A validated hop bound, safe to place in a quantifier."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"hop bound {value!r} out of range {low}..{high}")
    return value


def arrow(directed: bool) -> tuple[str, str]:
    """The two halves of a relationship pattern: `-` `->` when directed, `-` `-` otherwise."""
    return ("-", "->") if directed else ("-", "-")


def degree(var: str) -> str:
    """The degree expression of the stores' own queries (casegraph.graph.neo4j_cypher.degree),
    its relationship types filled in."""
    return neo4j_cypher.with_rtypes(neo4j_cypher.degree(var))
