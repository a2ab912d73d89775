"""How questions walk a Neo4j store: adjacency read a BFS level at a time with batched Cypher.

Each statement below is a named constant stating its question, $parameters and columns. The
only things placed into their text are the walk's fragments (`walk()`: relationship types from
the schema's allow-list, backtick-quoted, and fixed fragments chosen by flags); values travel
as $parameters. Which relations a walk may cross is decided in one place, `walk()`, for every
statement. Degrees come from Neo4j's stored per-type counts (`COUNT { (n)-[:T]-() }`), never a
walk; each statement starts from a hinted index seek on the ids it is given, so no cached plan
can scan.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.client import Client
from casegraph.backends.neo4j.index import chunks
from casegraph.graph.access import Hop, Nearest, NodeInfo, Step, nearest_order
from casegraph.graph.schema import load_schema

# Review statuses in a walk (casegraph.graph.access), over a relation r between u and v: the
# evidence left after rejected items, the relation's status (rejected when every item is), and
# whether a walk may cross it ($all: the question includes what was rejected and dropped).
LIVE_EVIDENCE = "size([x IN coalesce(r.ev_status, [q IN r.quotes | '']) WHERE x = ''])"
STATUS = f"CASE WHEN size(r.quotes) > 0 AND {LIVE_EVIDENCE} = 0 THEN 'rejected' ELSE r.status END"
WALKABLE = (
    f"($all OR (coalesce(r.status, '') <> 'rejected' AND (size(r.quotes) = 0 OR {LIVE_EVIDENCE} > 0)"
    " AND coalesce(u.status, '') <> 'dropped' AND coalesce(v.status, '') <> 'dropped'))"
)

# Entities per adjacency statement: a level of a search is read in statements of this many.
STEP_CHUNK = 20_000

# Question: for each entity of $ids, the entities one walkable relation away, as one row of
# one list (the driver decodes one big value far faster than a record per entity).
# Placeholders: {match} (the walk from u over r to v, with its WHERE: see walk()).
# Parameters: those of the walk ($via, $ends, $all), $ids. Columns: rows ([[id, [nbr ids]]]).
STEP = """
UNWIND $ids AS id
MATCH (u:Entity {{id: id}}) USING INDEX u:Entity(id)
{match}
WITH id, collect(DISTINCT v.id) AS nbrs
RETURN collect([id, nbrs]) AS rows
"""

# Question: the stored degree of each entity of $ids (relations of schema types), as one row
# of two lists (a row per entity would cost the driver far more than the lists).
# Parameters: $ids. Columns: ids, degrees.
COSTS = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}}) USING INDEX n:Entity(id)
RETURN collect(id) AS ids, collect({cy.degree("n")}) AS degrees
"""

# Question: name, type and degree of each entity of $ids, as one row of one list.
# Columns: rows ([[id, name, type, degree]]).
NODES = f"""
UNWIND $ids AS id
MATCH (n:Entity {{id: id}}) USING INDEX n:Entity(id)
RETURN collect([n.id, n.name, n.type, {cy.degree("n")}]) AS rows
"""

# Question: for each pair [u, v] of $pairs, the relations a walk from u to v may cross.
# Placeholders: {types}, {left}/{right} (direction), {rel_ok}, {evidence}, {status} (see walk()).
# Parameters: those of the walk, $pairs. Columns: u, v, rid, source, target, type, evidence
# (items not rejected), status.
HOPS = """
UNWIND $pairs AS p
MATCH (u:Entity {{id: p[0]}}){left}[r:{types}]{right}(v:Entity {{id: p[1]}})
USING INDEX u:Entity(id)
WHERE {rel_ok}
RETURN p[0] AS u, p[1] AS v, r.rid AS rid, startNode(r).id AS source, endNode(r).id AS target,
       type(r) AS type, {evidence} AS evidence, {status} AS status
"""

# The evidence lists `AMONG` reads with each relation: (expression, name) of each column of
# cy.EVIDENCE_OF_COLUMNS, so the rows it gives the store are those the store reads itself.
_EVIDENCE = [tuple(c.strip().split(" AS ")) for c in cy.EVIDENCE_OF_COLUMNS.split(",")]
AMONG_COLUMNS = ("source", "target", "type", "evidence", "walk_status", *(n for _, n in _EVIDENCE))

# Question: the relations a walk may cross between any two of the entities $ids, with their
# evidence lists (the question reads them next: a second statement finding each relation again
# by its rid cost more than the relations themselves). One row of one list, an entry per
# relation: the driver decodes one big value far faster than thousands of records (10,000
# relations among a hub's neighbours: 0.8 s as records).
# Placeholders: {types}, {rel_ok}, {evidence}, {status}. Parameters: those of the walk, $ids.
# Columns: rows, each [value of each of AMONG_COLUMNS].
AMONG = (
    """
MATCH (u:Entity)-[r:{types}]->(v:Entity)
USING INDEX u:Entity(id)
WHERE u.id IN $ids AND v.id IN $ids AND {rel_ok}
RETURN collect([u.id, v.id, type(r), {evidence}, {status}, __EVIDENCE__]) AS rows
"""
).replace("__EVIDENCE__", ", ".join(e for e, _ in _EVIDENCE))

# Question: the entities one walkable step beyond the entities $frontier that are not among
# $seen: how many, their ids (when $ids), and, when $k > 0, the best connected of them: every
# one whose degree is at least the k-th largest (ties kept whole, so the exact order by name
# and id is decided by the caller). Placeholder: __MATCH__ (the walk, see walk()).
# Parameters: those of the walk, $frontier, $seen, $ids, $k. Columns: total, ids, best
# ([[id, name, type, degree]]).
# A level around hubs holds tens of thousands of entities, so their MENTIONS (the part of the
# degree that walks a small node's relationships) are counted only where they can decide:
# the entities are ordered by their stored total count (never below the degree); the exact
# degrees of the first k give a floor under the k-th largest degree; only entities whose total
# reaches that floor can be among the best, and only theirs are counted exactly.
_LEVEL = """
UNWIND $frontier AS id
MATCH (u:Entity {id: id}) USING INDEX u:Entity(id)
__MATCH__
WITH DISTINCT v
WHERE NOT v.id IN $seen
WITH collect(v) AS level
CALL (level) {
  UNWIND CASE WHEN $k > 0 THEN level ELSE [] END AS v
  WITH v, __EVERY__ AS total
  ORDER BY total DESC
  WITH collect([v, total]) AS by_total
  CALL (by_total) {
    UNWIND by_total[0..$k] AS x
    WITH x[0] AS v, x[1] AS total
    WITH total - __MENTIONS__ AS degree
    ORDER BY degree DESC
    RETURN coalesce(collect(degree)[$k - 1], 0) AS floor
  }
  UNWIND [x IN by_total WHERE x[1] >= floor] AS x
  WITH x[0] AS v, x[1] AS total
  WITH v, total - __MENTIONS__ AS degree
  ORDER BY degree DESC
  WITH collect([v, degree]) AS ranked
  WITH ranked, CASE WHEN size(ranked) >= $k THEN ranked[$k - 1][1] ELSE 0 END AS cut
  RETURN [x IN ranked WHERE x[1] >= cut | [x[0].id, x[0].name, x[0].type, x[1]]] AS best
}
RETURN size(level) AS total, CASE WHEN $ids THEN [v IN level | v.id] ELSE [] END AS ids, best
"""
_EVERY, _MENTIONS = cy.degree_parts("v")
LEVEL = _LEVEL.replace("__EVERY__", _EVERY).replace("__MENTIONS__", _MENTIONS)


@dataclass(frozen=True)
class Walk:
    """The Cypher of one step of a walk: `match` binds u -[r]- v and ends in a WHERE that the
    caller may extend with AND; `types`, `left`/`right` and `rel_ok` (over u, r, v) for
    statements that name both ends themselves; `evidence` and `status`, the relation's items a
    walk counts and its review status; `params` the values the fragments use."""

    match: str
    types: str
    left: str
    right: str
    rel_ok: str
    evidence: str
    status: str
    params: dict[str, Any]

    def fill(self, template: str) -> str:
        """A statement naming both ends itself, with this walk's fragments filled in."""
        return template.format(types=self.types, left=self.left, right=self.right,
                               rel_ok=self.rel_ok, evidence=self.evidence,
                               status=self.status)  # fmt: skip


def type_expression(allowed: frozenset[str] | None) -> str:
    """A relationship type expression (`HIRED`|`BASED_IN`...) of allowed schema types."""
    names = [n for n in load_schema().relation_types if allowed is None or n in allowed]
    return "|".join(cy.quoted(n) for n in names) or "`__none__`"


# A date window (casegraph.dates): with $win, a relation is walkable only when one of its evidence
# items (not rejected, unless $all) is dated from $since to $until (ISO text; undated: '').
IN_WINDOW = (
    "(NOT $win OR any(i IN range(0, size(r.quotes) - 1) WHERE"
    " ($all OR coalesce(coalesce(r.ev_status, [])[i], '') <> 'rejected')"
    " AND coalesce(coalesce(r.ev_dates, [])[i], '') >= $since"
    " AND coalesce(coalesce(r.ev_dates, [])[i], '') <= $until))"
)


def window_params(step: Step) -> dict[str, Any]:
    """$win, $since, $until of a step's date window ('0' and '9999-12-31~' at open ends, so an
    undated item, '', is never inside)."""
    w = step.window
    return {"win": not w.open, "since": w.since or "0", "until": (w.until or "9999-12-31") + "~"}


def walk(step: Step, forward: bool = True) -> Walk:
    """Which relations a walk may cross and which entities it may reach, for every statement:
    the relation's type (and direction, when directed), its review status and its ends' (unless
    the step includes what was rejected), and the reached entity's type (unless it is an end).
    A new rule on relations goes into `rel_ok` here (with its $parameters in `params`), one
    place for all statements."""
    left, right = ("-", "-") if not step.directed else ("-", "->") if forward else ("<-", "-")
    types = type_expression(step.rel_types)
    rel_ok = f"{WALKABLE} AND {IN_WINDOW}"
    match = (
        f"MATCH (u){left}[r:{types}]{right}(v:Entity)\n"
        f"WHERE v <> u AND {rel_ok} AND ($via IS NULL OR v.id IN $ends OR v.type IN $via)"
    )
    via = sorted(step.via_types) if step.via_types is not None else None
    params = {"via": via, "ends": sorted(step.ends), "all": step.include_rejected,
              **window_params(step)}  # fmt: skip
    return Walk(match, types, left, right, rel_ok, LIVE_EVIDENCE, STATUS, params)


class Neo4jAccess:
    """GraphAccess over a Neo4j store; what a question reads is kept for the question's length."""

    def __init__(
        self,
        client: Client,
        rid_types: dict[str, str] | None = None,
        read_ahead: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.client = client
        # The type of each relation a walk crossed, filled for the store's evidence reads.
        self.rid_types = rid_types if rid_types is not None else {}
        # The evidence lists `among` read, by rid, for the store's next evidence read.
        self.read_ahead = read_ahead if read_ahead is not None else {}
        self._steps: dict[tuple[Step, bool], dict[str, frozenset[str]]] = {}
        self._costs: dict[str, int] = {}
        self._nodes: dict[str, NodeInfo] = {}

    def _read(self, query: str, name: str, items: list[Any], **params: Any) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for batch in chunks(items, STEP_CHUNK):
            rows += self.client.read(query, {name: batch, **params})
        return rows

    def step(self, nodes: Collection[str], step: Step, forward: bool) -> dict[str, frozenset[str]]:
        forward = forward or not step.directed  # an undirected step is the same both ways
        seen = self._steps.setdefault((step, forward), {})
        missing = [u for u in nodes if u not in seen]
        if missing:
            w = walk(step, forward)
            query = STEP.format(match=w.match)
            for batch in chunks(missing, STEP_CHUNK):
                for row in self.client.read(query, {"ids": batch, **w.params}):
                    seen.update((u, frozenset(vs)) for u, vs in row["rows"])
            for u in missing:
                seen.setdefault(u, frozenset())
        return {u: seen[u] for u in nodes}

    def costs(self, nodes: Collection[str]) -> dict[str, int]:
        missing = [u for u in nodes if u not in self._costs]
        if missing:
            for row in self._read(COSTS, "ids", missing):
                self._costs.update(zip(row["ids"], row["degrees"], strict=True))
        return {u: self._costs[u] for u in nodes if u in self._costs}

    def cost(self, nodes: Collection[str]) -> int:
        return sum(self.costs(nodes).values())

    def nodes(self, ids: Collection[str]) -> dict[str, NodeInfo]:
        missing = [i for i in ids if i not in self._nodes]
        if missing:
            for row in self._read(NODES, "ids", missing):
                for i, name, type_, degree in row["rows"]:
                    self._nodes[i] = NodeInfo(i, name, type_, int(degree))
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def hops(
        self, pairs: Collection[tuple[str, str]], step: Step
    ) -> dict[tuple[str, str], list[Hop]]:
        w = walk(step)
        out: dict[tuple[str, str], list[Hop]] = {p: [] for p in pairs}
        for r in self._read(w.fill(HOPS), "pairs", [list(p) for p in pairs], **w.params):
            self.rid_types[r["rid"]] = r["type"]
            out[(r["u"], r["v"])].append(
                Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"]), r["status"])
            )
        return out

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        w = walk(step)
        found = self.client.read(w.fill(AMONG), {"ids": list(ids), **w.params})
        rows = [dict(zip(AMONG_COLUMNS, values, strict=True)) for values in found[0]["rows"]]
        self.rid_types.update((r["rid"], r["type"]) for r in rows)
        self.read_ahead.update((r["rid"], r) for r in rows)
        return [
            Hop(r["rid"], r["source"], r["target"], r["type"], int(r["evidence"]), r["walk_status"])
            for r in rows
        ]

    def nearest(self, start: str, step: Step, depth: int, limit: int) -> Nearest:
        """Counted on the server a level at a time: only the ids of levels still to be walked
        from, and of each level only its best connected entities, come back."""
        first = self.nodes([start]).get(start)
        if first is None:
            return Nearest([], {}, 0)
        w = walk(step)
        query = LEVEL.replace("__MATCH__", w.match)
        kept, dist, omitted = [first], {start: 0}, 0
        frontier, seen = [start], [start]
        for level in range(1, depth + 1):
            room = limit - (len(kept) - 1)
            last = level == depth
            row = self.client.read(query, {"frontier": frontier, "seen": seen, "ids": not last,
                                           "k": max(room, 0), **w.params})[0]  # fmt: skip
            best = [NodeInfo(i, name, type_, int(d)) for i, name, type_, d in row["best"]]
            best.sort(key=lambda n: nearest_order(n, level))
            for n in best[: max(room, 0)]:
                kept.append(n)
                dist[n.id] = level
                self._nodes.setdefault(n.id, n)
            omitted += int(row["total"]) - min(max(room, 0), len(best))
            if last or not row["ids"]:
                break
            frontier = row["ids"]
            seen += frontier
        return Nearest(kept, dist, omitted)
