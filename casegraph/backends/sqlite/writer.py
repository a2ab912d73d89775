"""Writing plans into the embedded store: batched inserts inside the caller's transaction."""

from __future__ import annotations

import sqlite3

from casegraph.graph.ids import evidence_id, now
from casegraph.graph.keys import block
from casegraph.graph.plan import Plan


def write_plan(db: sqlite3.Connection, plan: Plan) -> int:
    """Write one plan (inside an open transaction); returns how many evidence items it added.

    Every insert ignores rows already present, so writing a plan twice adds nothing twice.
    """
    doc = plan.document
    if doc is not None and plan.first:
        db.execute(  # its text is indexed once the load is written (fulltext.index_documents)
            "INSERT OR IGNORE INTO documents(id, title, path, loader, published, loaded_at, text,"
            " properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.title, doc.path, doc.loader, doc.published,
             plan.loaded_at or now(), doc.text, plan.properties_json),
        )  # fmt: skip
    db.executemany(
        "INSERT INTO entities(id, type, name, properties, type_source) VALUES (?, ?, ?, ?, ?)",
        [(e.id, e.type, e.name, e.props, e.type_source) for e in plan.entities.values()],
    )
    db.executemany(
        "UPDATE entities SET properties = ? WHERE id = ?",
        [(props, entity_id) for entity_id, props in plan.dirty.items()],
    )
    db.executemany(
        "INSERT OR IGNORE INTO names(type, key, mkey, block, entity_id, name) VALUES (?,?,?,?,?,?)",
        [(n.type, n.key, n.mkey, block(n.mkey), n.entity, n.name) for n in plan.names],
    )
    db.executemany("INSERT OR IGNORE INTO xids(xid, entity_id) VALUES (?, ?)", plan.xids)
    if doc is not None:
        db.executemany(
            "INSERT INTO mentions(document_id, entity_id, typing) VALUES (?, ?, ?)"
            " ON CONFLICT DO UPDATE SET typing = coalesce(excluded.typing, typing)",
            [(doc.id, entity_id, typing) for entity_id, typing in plan.mentions.items()],
        )
    # New relations take the row ids SQLite would give them (max + 1, in plan order), so their
    # evidence names its relation directly; the evidence of a relation already stored finds it
    # by its ends and type (the table's unique index; a first load builds the rid index last).
    # A relation the plan calls new that is already stored fails the insert (and the load):
    # never ignored.
    created = [r for r in plan.relations.values() if r.new]
    first = db.execute("SELECT ifnull(max(id), 0) + 1 FROM relations").fetchone()[0]
    db.executemany(
        "INSERT INTO relations(id, rid, source_id, type, target_id, properties)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(first + i, r.rid, r.source, r.type, r.target, r.props) for i, r in enumerate(created)],
    )
    db.executemany(
        "INSERT OR IGNORE INTO relations(rid, source_id, type, target_id, properties)"
        " VALUES (?, ?, ?, ?, ?)",
        [(r.rid, r.source, r.type, r.target, r.props) for r in plan.relations.values()
         if not r.new],
    )  # fmt: skip
    date = doc.published if doc is not None else None
    ids = {r.rid: first + i for i, r in enumerate(created)}
    cursor = db.executemany(
        'INSERT OR IGNORE INTO evidence(eid, relation_id, document_id, quote, start, "end",'
        " extractor, confidence, locator, source_key, target_key, date)"
        " VALUES (?, coalesce(?, (SELECT id FROM relations"
        " WHERE source_id = ? AND type = ? AND target_id = ?)), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (evidence_id(r.rid, key), ids.get(r.rid), r.source, r.type, r.target,
             ev.document_id, ev.quote, ev.start, ev.end, ev.extractor, ev.confidence,
             ev.locator, *r.written.get(key, (None, None)), ev.date or date)
            for r in plan.relations.values()
            for key, ev in r.evidence.items()
        ],
    )  # fmt: skip
    return max(cursor.rowcount, 0)
