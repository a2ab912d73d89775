"""Applying an investigator's decision (a Change) to the embedded store, inside a transaction."""

from __future__ import annotations

import json
import sqlite3

from casegraph.backends.sqlite.fold import fold
from casegraph.graph.change import Change, EvidenceMove
from casegraph.graph.ids import now
from casegraph.graph.keys import block
from casegraph.graph.records import DecisionRow

# Evidence ids follow their relation's id (casegraph.graph.ids.evidence_id).
_EVIDENCE_IDS = 'cg_eid(?, document_id, locator, start, "end", extractor)'


def apply_change(db: sqlite3.Connection, change: Change) -> None:
    """Write every part of a Change, in its order (the caller holds the transaction)."""
    if change.record is not None:
        record(db, change.record)
    if change.undone and change.record is not None:
        db.execute(
            "UPDATE decisions SET undone_at = ?, undone_by = ? WHERE uid = ?",
            (change.record.at, change.record.by, change.undone),
        )
    for entity_id, fields in change.entity_updates.items():
        for column in ("type", "status", "type_source"):  # fixed names, never user text
            if column in fields:
                db.execute(f"UPDATE entities SET {column} = ? WHERE id = ?",  # noqa: S608
                           (fields[column], entity_id))  # fmt: skip
    db.executemany(
        "INSERT INTO entities(id, type, name, properties, type_source) VALUES (?, ?, ?, ?, ?)",
        [(e.id, e.type, e.name, e.props, e.type_source) for e in change.new_entities],
    )
    db.executemany("DELETE FROM names WHERE type = ? AND key = ?", change.names_delete)
    db.executemany(
        "INSERT OR REPLACE INTO names(type, key, mkey, block, entity_id, name) VALUES (?,?,?,?,?,?)",
        [(n.type, n.key, n.mkey, block(n.mkey), n.entity, n.name) for n in change.names_put],
    )
    for move in change.moves:
        _move(db, move)
    db.executemany(
        "UPDATE relations SET status = ? WHERE rid = ?",
        [(status, rid) for rid, status in change.relation_status.items()],
    )
    db.executemany(
        "UPDATE evidence SET status = ? WHERE eid = ?",
        [(status, eid) for eid, status in change.evidence_status.items()],
    )
    db.executemany("INSERT OR IGNORE INTO mentions(document_id, entity_id) VALUES (?, ?)",
                   change.mentions)  # fmt: skip
    db.executemany("DELETE FROM xids WHERE xid = ?", [(x,) for x in change.xids_delete])
    if change.fold:
        keep, gone = change.fold
        fold(db, keep, gone)
        db.execute("UPDATE entities SET properties = ? WHERE id = ?",
                   (json.dumps(change.fold_props, ensure_ascii=False), keep))  # fmt: skip


def _move(db: sqlite3.Connection, move: EvidenceMove) -> None:
    """Evidence items leave their relation for another (made when missing); an emptied relation
    is deleted."""
    db.execute(
        "INSERT OR IGNORE INTO relations(rid, source_id, type, target_id, properties, status)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (move.rid, move.source, move.type, move.target, move.properties, move.status),
    )
    (new_id,) = db.execute("SELECT id FROM relations WHERE rid = ?", (move.rid,)).fetchone()
    db.executemany(
        f"UPDATE OR IGNORE evidence SET relation_id = ?, eid = {_EVIDENCE_IDS} WHERE eid = ?",  # noqa: S608
        [(new_id, move.rid, eid) for eid in move.eids],
    )
    db.executemany("DELETE FROM evidence WHERE eid = ?", [(eid,) for eid in move.eids])
    db.execute(
        "DELETE FROM relations WHERE rid = ? AND NOT EXISTS"
        " (SELECT 1 FROM evidence e WHERE e.relation_id = relations.id)",
        (move.from_rid,),
    )


def record(db: sqlite3.Connection, row: DecisionRow) -> None:
    """Keep a decision in the log."""
    db.execute(
        "INSERT INTO decisions(uid, at, by, action, target, why, payload, undone_at, undone_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(uid) DO UPDATE SET"
        " undone_at = coalesce(undone_at, excluded.undone_at),"
        " undone_by = coalesce(undone_by, excluded.undone_by)",
        (row.uid, row.at or now(), row.by, row.action, row.target, row.why,
         json.dumps(row.payload, ensure_ascii=False), row.undone_at, row.undone_by),
    )  # fmt: skip


def decisions(db: sqlite3.Connection) -> list[DecisionRow]:
    """Every decision, in the order made."""
    return [
        DecisionRow(uid, at, by or "", action, target or "", why, json.loads(payload or "{}"),
                    undone_at, undone_by)
        for uid, at, by, action, target, why, payload, undone_at, undone_by in db.execute(
            "SELECT uid, at, by, action, target, why, payload, undone_at, undone_by"
            " FROM decisions ORDER BY at, id"
        )
    ]  # fmt: skip
