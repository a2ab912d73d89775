"""How questions walk a Neo4j store: adjacency read a BFS level at a time with batched Cypher.

Each statement below is a named constant stating its question, $parameters and columns. The
only things placed into their text are relationship-type expressions built from the schema's
allow-list (backtick-quoted) and fixed fragments chosen by flags; values travel as $parameters.
Degrees come from Neo4j's stored per-type counts (`COUNT { (n)-[:T]-() }`), never a walk; each
statement starts from a hinted index seek on the ids it is given, so no cached plan can scan.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.client import Client
from casegraph.backends.neo4j.index import chunks
from casegraph.graph.access import Hop, NodeInfo, Step
from casegraph.graph.schema import load_schema

# Question: for each entity of $ids, the entities one relation of the allowed types away
# (ignoring direction), of the allowed types when $via is given (entities in $ends exempt).
# Placeholders: {types} (relationship type expression), {left}/{right} (direction).
# Parameters: $ids, $via (entity types, or null), $ends. Columns: id, nbrs.
STEP = """
UNWIND $ids AS id
MATCH (u:Entity {{id: id}}){left}[:{types}]{right}(v:Entity)
USING INDEX u:Entity(id)
WHERE v <> u AND ($via IS NULL OR v.id IN $ends OR v.type IN $via)
RETURN id, collect(DISTINCT v.id) AS nbrs
"""

# Question: the stored degree of each entity of $ids (relations of schema types).
# Parameters: $ids. Columns: id, degree.
COSTS = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}}) USING INDEX n:Entity(id)
RETURN id, {cy.degree("n")} AS degree
"""

# Question: name, type and degree of each entity of $ids. Columns: id, name, type, degree.
NODES = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}}) USING INDEX n:Entity(id)
RETURN n.id AS id, n.name AS name, n.type AS type, {cy.degree("n")} AS degree
"""

# Question: for each pair [u, v] of $pairs, the relations of the allowed types from u to v
# (either way round unless directed). Placeholders: {types}, {left}/{right}.
# Columns: u, v, rid, source, target, type, evidence.
HOPS = """
UNWIND $pairs AS p
MATCH (u:Entity {{id: p[0]}}){left}[r:{types}]{right}(v:Entity {{id: p[1]}})
USING INDEX u:Entity(id)
RETURN p[0] AS u, p[1] AS v, r.rid AS rid, startNode(r).id AS source, endNode(r).id AS target,
       type(r) AS type, size(r.quotes) AS evidence
"""

# Question: the relations of the allowed types between any two of the entities $ids.
# Placeholder: {types}. Columns: rid, source, target, type, evidence.
AMONG = """
MATCH (a:Entity)-[r:{types}]->(b:Entity)
USING INDEX a:Entity(id)
WHERE a.id IN $ids AND b.id IN $ids
RETURN r.rid AS rid, a.id AS source, b.id AS target, type(r) AS type, size(r.quotes) AS evidence
"""


def type_expression(allowed: frozenset[str] | None) -> str:
    """A relationship type expression (`HIRED`|`BASED_IN`...) of allowed schema types."""
    names = [n for n in load_schema().relation_types if allowed is None or n in allowed]
    return "|".join(cy.quoted(n) for n in names) or "`__none__`"


def _arrows(step: Step, forward: bool) -> tuple[str, str]:
    if not step.directed:
        return "-", "-"
    return ("-", "->") if forward else ("<-", "-")


class Neo4jAccess:
    """GraphAccess over a Neo4j store; what a question reads is kept for the question's length."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._steps: dict[tuple[Step, bool], dict[str, frozenset[str]]] = {}
        self._costs: dict[str, int] = {}
        self._nodes: dict[str, NodeInfo] = {}

    def _read(self, query: str, name: str, items: list[Any], **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for batch in chunks(items):
            rows += self.client.read(query, {name: batch, **params})
        return rows

    def step(self, nodes: Collection[str], step: Step, forward: bool) -> dict[str, set[str]]:
        seen = self._steps.setdefault((step, forward), {})
        missing = [u for u in nodes if u not in seen]
        if missing:
            left, right = _arrows(step, forward)
            query = STEP.format(types=type_expression(step.rel_types), left=left, right=right)
            via = sorted(step.via_types) if step.via_types is not None else None
            for row in self._read(query, "ids", missing, via=via, ends=sorted(step.ends)):
                seen[row["id"]] = frozenset(row["nbrs"])
            for u in missing:
                seen.setdefault(u, frozenset())
        return {u: set(seen[u]) for u in nodes}

    def costs(self, nodes: Collection[str]) -> dict[str, int]:
        missing = [u for u in nodes if u not in self._costs]
        if missing:
            for row in self._read(cy.with_rtypes(COSTS), "ids", missing):
                self._costs[row["id"]] = int(row["degree"])
        return {u: self._costs[u] for u in nodes if u in self._costs}

    def nodes(self, ids: Collection[str]) -> dict[str, NodeInfo]:
        missing = [i for i in ids if i not in self._nodes]
        if missing:
            for r in self._read(cy.with_rtypes(NODES), "ids", missing):
                self._nodes[r["id"]] = NodeInfo(r["id"], r["name"], r["type"], int(r["degree"]))
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def hops(
        self, pairs: Collection[tuple[str, str]], step: Step
    ) -> dict[tuple[str, str], list[Hop]]:
        left, right = _arrows(step, True)
        query = HOPS.format(types=type_expression(step.rel_types), left=left, right=right)
        out: dict[tuple[str, str], list[Hop]] = {p: [] for p in pairs}
        for r in self._read(query, "pairs", [list(p) for p in pairs]):
            out[(r["u"], r["v"])].append(
                Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"]))
            )
        return out

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        query = AMONG.format(types=type_expression(step.rel_types))
        rows = self.client.read(query, {"ids": list(ids)})
        return [
            Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"])) for r in rows
        ]
