"""Folding one Neo4j entity into another: relations re-pointed or merged, names and ids moved."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.graph.ids import relation_id
from casegraph.graph.schema import WEAK

_EVIDENCE_LISTS = ("ev_keys", "quotes", "document_ids", "starts", "ends", "extractors",
                   "confidences", "locators", "ev_skeys", "ev_tkeys", "ev_dates",
                   "ev_status")  # fmt: skip
# Lists a relation written before review statuses and dates may lack (read as '' items).
_LATER_LISTS = ("ev_skeys", "ev_tkeys", "ev_dates", "ev_status")


def padded(props: dict[str, Any]) -> dict[str, Any]:
    """A relation's properties with every evidence list present and as long as ev_keys."""
    n = len(props.get("ev_keys") or ())
    return {**props, **{name: list(props.get(name) or [""] * n) for name in _LATER_LISTS}}


def fold(tx: Any, keep: str, drop: str, props_json: str) -> None:
    """Move everything of entity `drop` onto `keep` inside one transaction (as the embedded store's
    _fold does): a relation that becomes a self-relation is deleted, one that duplicates a relation
    of `keep` gives it its evidence, any other is re-created between the new ends."""
    rels = [r.data() for r in tx.run(cy.with_rtypes(cy.RELATIONS_WITH_PROPS), id=drop)]
    moves: list[tuple[dict[str, Any], str, str, str]] = []
    lower: Counter[str] = Counter()
    deletes: dict[str, list[str]] = {}
    for rel in rels:
        s = keep if rel["source"] == drop else rel["source"]
        o = keep if rel["target"] == drop else rel["target"]
        deletes.setdefault(rel["type"], []).append(rel["rid"])
        if s == o:
            lower.update(set(rel["props"].get("document_ids", ())))
            continue
        if rel["type"] == WEAK and o < s:
            s, o = o, s
        moves.append((rel, s, o, relation_id(s, rel["type"], o)))
    twins = {
        r["rid"]: r["props"]
        for r in tx.run(cy.by_rid(cy.RELATION_PROPS_COLUMNS), rids=[m[3] for m in moves])
    }
    creates: dict[str, list[dict[str, Any]]] = {}
    replaces: dict[str, list[dict[str, Any]]] = {}
    for rel, s, o, new_rid in moves:
        props = padded(rel["props"])
        twin = twins.get(new_rid)
        if twin is None:
            creates.setdefault(rel["type"], []).append(
                {"s": s, "t": o, "props": {**props, "rid": new_rid}}
            )
            continue
        lower.update(set(props.get("document_ids", ())) & set(twin.get("document_ids", ())))
        twin = padded(twin)
        merged = {name: list(twin.get(name, ())) for name in _EVIDENCE_LISTS}
        have = set(merged["ev_keys"])
        for i, key in enumerate(props.get("ev_keys", ())):
            if key not in have:
                have.add(key)
                for name in _EVIDENCE_LISTS:
                    merged[name].append(props[name][i])
        replaces.setdefault(rel["type"], []).append({"rid": new_rid, "props": {**twin, **merged}})
    for rtype, rids in deletes.items():
        tx.run(cy.with_rtype(cy.DELETE_RELATIONS, rtype), rids=rids).consume()
    for rtype, rows in creates.items():
        tx.run(cy.with_rtype(cy.CREATE_RELATIONS, rtype), rows=rows).consume()
    for rtype, rows in replaces.items():
        tx.run(cy.with_rtype(cy.REPLACE_RELATION_PROPS, rtype), rows=rows).consume()
    tx.run(cy.FOLD_ENTITY, keep=keep, drop=drop, props=props_json).consume()
    if lower:
        rows = [{"doc": doc, "n": n} for doc, n in sorted(lower.items())]
        tx.run(cy.LOWER_DOCUMENT_COUNTS, rows=rows).consume()


def merged_properties(keep: dict[str, Any], drop: dict[str, Any]) -> str:
    """The kept entity's properties after a merge: the dropped one's, overridden by the kept's."""
    return json.dumps({**drop, **keep})
