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

# Review statuses in a walk (casegraph.graph.access): a relation's evidence left after rejected
# items, its status (rejected when every item is), and whether a walk may cross it ($all: the
# question includes what was rejected and dropped).
LIVE_EVIDENCE = "size([x IN coalesce(r.ev_status, [q IN r.quotes | '']) WHERE x = ''])"
STATUS = f"CASE WHEN size(r.quotes) > 0 AND {LIVE_EVIDENCE} = 0 THEN 'rejected' ELSE r.status END"
WALKABLE = (
    f"($all OR (coalesce(r.status, '') <> 'rejected' AND (size(r.quotes) = 0 OR {LIVE_EVIDENCE} > 0)"
    " AND coalesce(u.status, '') <> 'dropped' AND coalesce(v.status, '') <> 'dropped'))"
)

# Question: for each entity of $ids, the entities one walkable relation of the allowed types
# away (ignoring direction), of the allowed types when $via is given (entities in $ends exempt).
# Placeholders: {types} (relationship type expression), {left}/{right} (direction).
# Parameters: $ids, $via (entity types, or null), $ends, $all. Columns: id, nbrs.
STEP = """
UNWIND $ids AS id
MATCH (u:Entity {{id: id}}){left}[r:{types}]{right}(v:Entity)
USING INDEX u:Entity(id)
WHERE v <> u AND ($via IS NULL OR v.id IN $ends OR v.type IN $via) AND {walkable}
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

# Question: for each pair [u, v] of $pairs, the walkable relations of the allowed types from u
# to v (either way round unless directed). Placeholders: {types}, {left}/{right}. $all.
# Columns: u, v, rid, source, target, type, evidence (items not rejected), status.
HOPS = """
UNWIND $pairs AS p
MATCH (u:Entity {{id: p[0]}}){left}[r:{types}]{right}(v:Entity {{id: p[1]}})
USING INDEX u:Entity(id)
WHERE {walkable}
RETURN p[0] AS u, p[1] AS v, r.rid AS rid, startNode(r).id AS source, endNode(r).id AS target,
       type(r) AS type, {evidence} AS evidence, {status} AS status
"""

# Question: the walkable relations of the allowed types between any two of the entities $ids.
# Placeholder: {types}. $all. Columns: rid, source, target, type, evidence, status.
AMONG = """
MATCH (u:Entity)-[r:{types}]->(v:Entity)
USING INDEX u:Entity(id)
WHERE u.id IN $ids AND v.id IN $ids AND {walkable}
RETURN r.rid AS rid, u.id AS source, v.id AS target, type(r) AS type, {evidence} AS evidence,
       {status} AS status
"""


def walk_query(template: str, **fill: str) -> str:
    """A walk statement with its review expressions and the given placeholders filled in."""
    return template.format(walkable=WALKABLE, evidence=LIVE_EVIDENCE, status=STATUS, **fill)


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
            query = walk_query(STEP, types=type_expression(step.rel_types), left=left, right=right)
            via = sorted(step.via_types) if step.via_types is not None else None
            for row in self._read(query, "ids", missing, via=via, ends=sorted(step.ends),
                                  all=step.include_rejected):  # fmt: skip
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
        query = walk_query(HOPS, types=type_expression(step.rel_types), left=left, right=right)
        out: dict[tuple[str, str], list[Hop]] = {p: [] for p in pairs}
        for r in self._read(query, "pairs", [list(p) for p in pairs], all=step.include_rejected):
            out[(r["u"], r["v"])].append(
                Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"]), r["status"])
            )
        return out

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        query = walk_query(AMONG, types=type_expression(step.rel_types))
        rows = self.client.read(query, {"ids": list(ids), "all": step.include_rejected})
        return [
            Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"]), r["status"])
            for r in rows
        ]
