"""Folding one embedded-store entity into another (a merge made by hand), inside a transaction."""

from __future__ import annotations

import json
import sqlite3

from casegraph.graph.ids import relation_id
from casegraph.graph.schema import WEAK

# Evidence ids follow their relation's id (casegraph.graph.ids.evidence_id).
_EVIDENCE_IDS = (
    'UPDATE evidence SET eid = cg_eid(?, document_id, locator, start, "end", extractor)'
    " WHERE relation_id = ?"
)


def fold(db: sqlite3.Connection, keep: str, drop: str) -> None:
    """Move everything of entity `drop` onto `keep`, merging relations that become duplicates."""
    db.execute("UPDATE OR IGNORE names SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("DELETE FROM names WHERE entity_id = ?", (drop,))
    db.execute("UPDATE xids SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("INSERT OR IGNORE INTO xids(xid, entity_id) VALUES (?, ?)", (drop, keep))
    db.execute("UPDATE OR IGNORE mentions SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("DELETE FROM mentions WHERE entity_id = ?", (drop,))
    rows = db.execute(
        "SELECT id, source_id, type, target_id FROM relations WHERE source_id = ? OR target_id = ?",
        (drop, drop),
    ).fetchall()
    for rel, s, t, o in rows:
        s, o = (keep if s == drop else s), (keep if o == drop else o)
        if s == o:
            db.execute("DELETE FROM evidence WHERE relation_id = ?", (rel,))
            db.execute("DELETE FROM relations WHERE id = ?", (rel,))
            continue
        if t == WEAK and o < s:
            s, o = o, s
        rid = relation_id(s, t, o)
        twin = db.execute("SELECT id FROM relations WHERE rid = ?", (rid,)).fetchone()
        if twin and twin[0] != rel:
            db.execute(
                "UPDATE OR IGNORE evidence SET relation_id = ?, eid = cg_eid(?, document_id,"
                ' locator, start, "end", extractor) WHERE relation_id = ?',
                (twin[0], rid, rel),
            )
            db.execute("DELETE FROM evidence WHERE relation_id = ?", (rel,))
            db.execute("DELETE FROM relations WHERE id = ?", (rel,))
        else:
            db.execute(
                "UPDATE relations SET source_id = ?, target_id = ?, rid = ? WHERE id = ?",
                (s, o, rid, rel),
            )
            db.execute(_EVIDENCE_IDS, (rid, rel))
    props_keep, props_drop = (
        json.loads(db.execute("SELECT properties FROM entities WHERE id = ?", (i,)).fetchone()[0])
        for i in (keep, drop)
    )
    merged = {**props_drop, **props_keep}
    db.execute("UPDATE entities SET properties = ? WHERE id = ?", (json.dumps(merged), keep))
    db.execute("DELETE FROM entities WHERE id = ?", (drop,))
