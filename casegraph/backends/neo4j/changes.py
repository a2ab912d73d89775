"""Applying an investigator's decision (a Change) to a Neo4j store, in one transaction.

The Cypher is here as named constants (labels and relationship types only from the schema's
allow-list, through casegraph.backends.neo4j.cypher's helpers; values as $parameters). Evidence
lives in parallel lists on each relationship, so moving or marking items is done on the lists.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.fold import fold, padded
from casegraph.graph.change import Change, EvidenceMove
from casegraph.graph.ids import evidence_id, evidence_rid
from casegraph.graph.keys import block
from casegraph.graph.records import DecisionRow
from casegraph.graph.schema import load_schema

EVIDENCE_LISTS = ("ev_keys", "quotes", "document_ids", "starts", "ends", "extractors",
                  "confidences", "locators", "ev_skeys", "ev_tkeys", "ev_dates",
                  "ev_status")  # fmt: skip

# Keep a decision (once: a retried transaction or a second sync adds nothing).
# $row: {uid, at, by, action, target, why, payload, undone_at, undone_by}. No columns.
RECORD = """
MERGE (d:Decision {uid: $row.uid})
ON CREATE SET d += $row
ON MATCH SET d.undone_at = coalesce(d.undone_at, $row.undone_at),
             d.undone_by = coalesce(d.undone_by, $row.undone_by)
WITH d WHERE d.n IS NULL
MATCH (m:Meta {key: 'store'})
SET m.decisions = coalesce(m.decisions, 0) + 1
SET d.n = m.decisions
"""

# Mark a decision undone. $uid, $at, $by.
MARK_UNDONE = "MATCH (d:Decision {uid: $uid}) SET d.undone_at = $at, d.undone_by = $by"

# Every decision, oldest first (d.n: the order this store recorded them in). Columns: the
# decision's properties.
DECISIONS = """
MATCH (d:Decision)
RETURN d.uid AS uid, d.at AS at, d.by AS by, d.action AS action, d.target AS target,
       d.why AS why, d.payload AS payload, d.undone_at AS undone_at, d.undone_by AS undone_by
ORDER BY d.at, d.n
"""

# Set an entity's status or what typed it. $id, $status, $type_source (null: left alone only when
# the key is absent, so both are passed: the caller sends the current value when it keeps it).
SET_ENTITY = """
MATCH (e:Entity {id: $id})
SET e.status = $status, e.type_source = $type_source
"""

# Give an entity another type: its label (from the allow-list) and e.type. $id. Placeholders:
# __OLD__ and __LABEL__ (the two labels).
RELABEL = f"""
MATCH (e:Entity:__OLD__ {{id: $id}})
REMOVE e:__OLD__
SET e:{cy.LABEL}, e.type = $type
"""

# Delete names of the resolution index. $rows: [[type, key]].
DELETE_NAMES = """
UNWIND $rows AS row
MATCH (n:Name {type: row[0], key: row[1]})
DELETE n
"""

# Point names at entities, replacing what they named. $rows: [[type, key, mkey, block, name, entity]].
PUT_NAMES = """
UNWIND $rows AS row
MERGE (n:Name {type: row[0], key: row[1]})
SET n.mkey = row[2], n.block = row[3], n.name = row[4], n.entity = row[5]
"""

# Rebuild the name lists an entity node keeps (keys, mkeys, aliases) from its Name nodes. $ids.
SYNC_NAME_LISTS = """
UNWIND $ids AS i
MATCH (e:Entity {id: i})
OPTIONAL MATCH (n:Name {entity: i})
WITH e, collect(n) AS names
SET e.keys = [n IN names | n.key], e.mkeys = [n IN names | n.mkey],
    e.aliases = [n IN names WHERE n.key <> e.key | n.name]
"""

# Set the review status of relations of one type. $rows: [{rid, status}].
SET_RELATION_STATUS = f"""
UNWIND $rows AS row
MATCH ()-[r:{cy.RTYPE} {{rid: row.rid}}]->()
SET r.status = row.status
"""

# Delete external ids. $xids.
DELETE_XIDS = "UNWIND $xids AS x MATCH (n:Xid {xid: x}) DELETE n"

# Change the relation counts of documents. $rows: [{doc, n}].
SHIFT_DOCUMENT_COUNTS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.doc})
SET d.relations = d.relations + row.n
"""


def apply_change(tx: Any, change: Change) -> None:
    """Write every part of a Change inside one transaction, in its order."""
    if change.record is not None:
        record(tx, change.record)
    if change.undone and change.record is not None:
        tx.run(MARK_UNDONE, uid=change.undone, at=change.record.at, by=change.record.by).consume()
    _entities(tx, change)
    if change.new_entities:
        by_label: dict[str, list[list[Any]]] = {}
        for e in change.new_entities:
            by_label.setdefault(e.type, []).append(
                [e.id, e.type, e.name, e.key, e.props, e.seq, e.type_source]
            )
        for type_, rows in by_label.items():
            tx.run(cy.with_label(cy.CREATE_ENTITIES, type_), rows=rows).consume()
        tx.run(cy.SET_SEQ, seq=max(e.seq for e in change.new_entities) + 1).consume()
    touched = {n.entity for n in change.names_put}
    if change.names_delete:
        found = tx.run(
            "UNWIND $rows AS row MATCH (n:Name {type: row[0], key: row[1]}) RETURN n.entity AS e",
            rows=[list(p) for p in change.names_delete],
        )
        touched |= {r["e"] for r in found}
        tx.run(DELETE_NAMES, rows=[list(p) for p in change.names_delete]).consume()
    if change.names_put:
        tx.run(PUT_NAMES, rows=[[n.type, n.key, n.mkey, block(n.mkey), n.name, n.entity]
                                for n in change.names_put]).consume()  # fmt: skip
    if touched:
        tx.run(SYNC_NAME_LISTS, ids=sorted(touched)).consume()
    shifts: Counter[str] = Counter()
    for move in change.moves:
        _move(tx, move, shifts)
    if change.relation_status:
        _relation_status(tx, change.relation_status)
    if change.evidence_status:
        _evidence_status(tx, change.evidence_status)
    if change.mentions:
        tx.run(cy.ADD_MENTIONS, rows=[list(m) for m in change.mentions]).consume()
    if change.xids_delete:
        tx.run(DELETE_XIDS, xids=change.xids_delete).consume()
    if shifts:
        tx.run(SHIFT_DOCUMENT_COUNTS,
               rows=[{"doc": d, "n": n} for d, n in sorted(shifts.items()) if n]).consume()  # fmt: skip
    if change.fold:
        keep, gone = change.fold
        fold(tx, keep, gone, json.dumps(change.fold_props, ensure_ascii=False))
    tx.run(cy.BUMP_REVISION).consume()


def record(tx: Any, row: DecisionRow) -> None:
    """Keep a decision in the log."""
    props = {"uid": row.uid, "at": row.at, "by": row.by, "action": row.action,
             "target": row.target, "why": row.why,
             "payload": json.dumps(row.payload, ensure_ascii=False),
             "undone_at": row.undone_at, "undone_by": row.undone_by}  # fmt: skip
    tx.run(RECORD, row={k: v for k, v in props.items() if v is not None}).consume()


def decisions(rows: list[dict[str, Any]]) -> list[DecisionRow]:
    return [
        DecisionRow(r["uid"], r["at"], r["by"] or "", r["action"], r["target"] or "", r["why"],
                    json.loads(r["payload"] or "{}"), r["undone_at"], r["undone_by"])
        for r in rows
    ]  # fmt: skip


def _entities(tx: Any, change: Change) -> None:
    for entity_id, fields in change.entity_updates.items():
        current = tx.run(
            "MATCH (e:Entity {id: $id}) RETURN e.type AS type, e.status AS status,"
            " coalesce(e.type_source, 'source') AS type_source",
            id=entity_id,
        ).single()
        if current is None:
            continue
        if "type" in fields and fields["type"] != current["type"]:
            old_label = cy.quoted(load_schema().entity_type(current["type"]).name)
            query = cy.with_label(RELABEL, fields["type"]).replace("__OLD__", old_label)
            tx.run(query, id=entity_id, type=fields["type"]).consume()
        tx.run(SET_ENTITY, id=entity_id, status=fields.get("status", current["status"]),
               type_source=fields.get("type_source", current["type_source"])).consume()  # fmt: skip


def _props(tx: Any, rids: list[str]) -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    """rid -> (type, source id, target id, properties) of relations that exist."""
    query = cy.by_rid("r.rid AS rid, type(r) AS type, startNode(r).id AS s, endNode(r).id AS t,"
                      " properties(r) AS props")  # fmt: skip
    return {r["rid"]: (r["type"], r["s"], r["t"], padded(r["props"]))
            for r in tx.run(query, rids=rids)}  # fmt: skip


def _write_props(tx: Any, rtype: str, rid: str, props: dict[str, Any]) -> None:
    tx.run(
        cy.with_rtype(cy.REPLACE_RELATION_PROPS, rtype), rows=[{"rid": rid, "props": props}]
    ).consume()


def _move(tx: Any, move: EvidenceMove, shifts: Counter[str]) -> None:
    """Evidence items leave their relation for another (made when missing); an emptied relation
    is deleted; documents' relation counts follow."""
    found = _props(tx, [move.from_rid, move.rid])
    if move.from_rid not in found:
        return
    rtype, _, _, old = found[move.from_rid]
    keys = old["ev_keys"]
    go = {i for i, key in enumerate(keys) if evidence_id(move.from_rid, key) in set(move.eids)}
    if not go:
        return
    before_docs = set(old["document_ids"])
    moved = {name: [old[name][i] for i in sorted(go)] for name in EVIDENCE_LISTS}
    kept = {name: [v for i, v in enumerate(old[name]) if i not in go] for name in EVIDENCE_LISTS}
    if move.rid in found:
        _, _, _, twin = found[move.rid]
        twin_docs = set(twin["document_ids"])
        have = set(twin["ev_keys"])
        merged = {name: list(twin[name]) for name in EVIDENCE_LISTS}
        for i, key in enumerate(moved["ev_keys"]):
            if key not in have:
                for name in EVIDENCE_LISTS:
                    merged[name].append(moved[name][i])
        _write_props(tx, rtype, move.rid, {**twin, **merged})
        shifts.update({d: 1 for d in set(merged["document_ids"]) - twin_docs})
    else:
        props = {"rid": move.rid, "properties_json": move.properties, **moved}
        if move.status:
            props["status"] = move.status
        tx.run(cy.with_rtype(cy.CREATE_RELATIONS, rtype),
               rows=[{"s": move.source, "t": move.target, "props": props}]).consume()  # fmt: skip
        shifts.update({d: 1 for d in set(moved["document_ids"])})
    if kept["ev_keys"]:
        _write_props(tx, rtype, move.from_rid, {**old, **kept})
        shifts.update({d: -1 for d in before_docs - set(kept["document_ids"])})
    else:
        tx.run(cy.with_rtype(cy.DELETE_RELATIONS, rtype), rids=[move.from_rid]).consume()
        shifts.update({d: -1 for d in before_docs})


def _relation_status(tx: Any, statuses: dict[str, str | None]) -> None:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rid, (rtype, _, _, _) in _props(tx, list(statuses)).items():
        by_type.setdefault(rtype, []).append({"rid": rid, "status": statuses[rid]})
    for rtype, rows in by_type.items():
        tx.run(cy.with_rtype(SET_RELATION_STATUS, rtype), rows=rows).consume()


def _evidence_status(tx: Any, statuses: dict[str, str | None]) -> None:
    """Evidence items by id are found in their relations' lists and marked there."""
    rids = sorted({rid for eid in statuses if (rid := evidence_rid(eid))})
    for rid, (rtype, _, _, props) in _props(tx, rids).items():
        marks = list(props["ev_status"])
        for i, key in enumerate(props["ev_keys"]):
            eid = evidence_id(rid, key)
            if eid in statuses:
                marks[i] = statuses[eid] or ""
        _write_props(tx, rtype, rid, {**props, "ev_status": marks})


# ------------------------------------------------------------------------- the review queue
# Typed, unreviewed relations whose best evidence (not rejected) is below $max, between entities
# not dropped, the busiest first. Placeholder __TYPED__ (the typed relation types).
# $max, $limit. Columns: rid, source, type, target, status, properties_json, best, weight.
DOUBTFUL = f"""
MATCH (s:Entity)-[r:__TYPED__]->(t:Entity)
WHERE r.status IS NULL AND s.status IS NULL AND t.status IS NULL
WITH s, t, r, reduce(best = 0.0, i IN range(0, size(r.confidences) - 1) |
     CASE WHEN coalesce(r.ev_status[i], '') = '' AND r.confidences[i] > best
          THEN r.confidences[i] ELSE best END) AS best
WHERE best > 0 AND best < $max
RETURN r.rid AS rid, s.id AS source, type(r) AS type, t.id AS target, r.status AS status,
       r.properties_json AS properties_json, best,
       {cy.degree("s")} + {cy.degree("t")} AS weight
ORDER BY weight DESC, rid LIMIT $limit
"""

# How documents typed entities, where they did. Columns: id, type, typing.
TYPINGS = """
MATCH (:Document)-[m:MENTIONS]->(e:Entity)
WHERE m.typing IS NOT NULL AND e.status IS NULL AND coalesce(e.type_source, '') <> 'decision'
RETURN e.id AS id, e.type AS type, m.typing AS typing
"""

# Names that name entities of several types. $limit. Columns: key, ids.
SHARED_NAMES = """
MATCH (n:Name)
WITH n.key AS key, collect(DISTINCT n.entity) AS ids
WHERE size(ids) > 1
MATCH (e:Entity) WHERE e.id IN ids AND e.status IS NULL
WITH key, collect(DISTINCT e.id) AS ids, collect(DISTINCT e.type) AS types
WHERE size(ids) > 1 AND size(types) > 1
RETURN key, ids LIMIT $limit
"""


def typed_types() -> str:
    """The relationship types an investigator may confirm or reject as typed (all but weak)."""
    from casegraph.graph.schema import WEAK

    return "|".join(cy.quoted(t) for t in cy.relation_types() if t != WEAK)
