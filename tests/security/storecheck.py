"""What a store holds, as counts and a content digest, to tell whether a failure changed it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

# One query per table, each row in a canonical order, none with a column that differs between
# two clean loads of the same files (load times, the store uuid, the decisions' timestamps).
_CONTENT = {
    "documents": "SELECT id, title, path, loader, published, text, properties FROM documents",
    "entities": "SELECT id, type, name, properties FROM entities",
    "names": "SELECT type, key, mkey, block, entity_id, name FROM names",
    "xids": "SELECT xid, entity_id FROM xids",
    "relations": "SELECT source_id, type, target_id, properties FROM relations",
    "evidence": (
        'SELECT r.source_id, r.type, r.target_id, e.document_id, e.quote, e.start, e."end",'
        " e.extractor, e.confidence, e.locator FROM evidence e JOIN relations r"
        " ON r.id = e.relation_id"
    ),
    "mentions": "SELECT document_id, entity_id FROM mentions",
    "decisions": "SELECT action, payload FROM decisions",
}


def _connect(path: Path) -> sqlite3.Connection:
    """Read-only; on a read-only file system (where WAL's -shm cannot be made) as immutable."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        db.close()
        db = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    return db


def digest(path: Path) -> str:
    """SHA-256 over every entity, name, relation, evidence item and document, sorted."""
    h = hashlib.sha256()
    with _connect(path) as db:
        for table, sql in _CONTENT.items():
            rows = sorted(json.dumps(list(r), ensure_ascii=False) for r in db.execute(sql))
            h.update(f"{table}:{len(rows)}\n".encode())
            for row in rows:
                h.update(row.encode("utf-8", "surrogatepass") + b"\n")
    db.close()
    return h.hexdigest()


def counts(path: Path) -> dict[str, int]:
    """Rows per table and the store revision."""
    with _connect(path) as db:
        out = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _CONTENT}
        row = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
        out["revision"] = int(row[0]) if row else 0
    db.close()
    return out


def integrity(path: Path) -> str:
    """SQLite's own verdict on the file ('ok' when undamaged) and foreign-key check."""
    with _connect(path) as db:
        verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
    db.close()
    return str(verdict) if not broken else f"foreign keys broken: {broken[:3]}"


def snapshot(path: Path) -> dict[str, Any]:
    """Counts, revision and digest of a store file (an empty dict when there is none yet)."""
    if not Path(path).exists():
        return {}
    return {"counts": counts(path), "digest": digest(path)}
