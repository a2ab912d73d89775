"""The embedded store's SQLite schema, versioned with PRAGMA user_version."""

from __future__ import annotations

# "CGPH" as an integer: marks a SQLite file as a casegraph store.
APPLICATION_ID = 0x43475048
SCHEMA_VERSION = 1

DDL = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE documents (
    id TEXT PRIMARY KEY,            -- SHA-256 of the source's bytes
    title TEXT NOT NULL,
    path TEXT NOT NULL,
    loader TEXT NOT NULL,
    published TEXT,
    loaded_at TEXT NOT NULL,
    text TEXT,                      -- the text evidence offsets index into (text sources)
    properties TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    properties TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX entities_type ON entities(type);
-- Every name and alias an entity answers to, by exact key and by looser match key.
CREATE TABLE names (
    type TEXT NOT NULL,
    key TEXT NOT NULL,
    mkey TEXT NOT NULL,
    block TEXT NOT NULL,            -- fuzzy-match block: first letters and length of mkey
    entity_id TEXT NOT NULL REFERENCES entities(id),
    name TEXT NOT NULL,
    PRIMARY KEY (type, key)
) WITHOUT ROWID;
CREATE INDEX names_key ON names(key);
CREATE INDEX names_mkey ON names(type, mkey);
CREATE INDEX names_block ON names(type, block);
CREATE INDEX names_entity ON names(entity_id);
-- External ids (JSONL ids, STIX ids, FtM ids) that resolve to an entity.
CREATE TABLE xids (
    xid TEXT PRIMARY KEY,
    entity_id TEXT NOT NULL REFERENCES entities(id)
) WITHOUT ROWID;
CREATE INDEX xids_entity ON xids(entity_id);
CREATE TABLE relations (
    id INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL REFERENCES entities(id),
    type TEXT NOT NULL,
    target_id TEXT NOT NULL REFERENCES entities(id),
    properties TEXT NOT NULL DEFAULT '{}',
    UNIQUE (source_id, type, target_id)
);
CREATE INDEX relations_target ON relations(target_id);
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    relation_id INTEGER NOT NULL REFERENCES relations(id),
    document_id TEXT NOT NULL REFERENCES documents(id),
    quote TEXT NOT NULL,
    start INTEGER,
    "end" INTEGER,
    extractor TEXT NOT NULL,
    confidence REAL NOT NULL,
    locator TEXT
);
CREATE UNIQUE INDEX evidence_once ON evidence(
    relation_id, document_id, ifnull(locator, ''), ifnull(start, -1), ifnull("end", -1), extractor
);
CREATE INDEX evidence_document ON evidence(document_id);
CREATE TABLE mentions (
    document_id TEXT NOT NULL REFERENCES documents(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    PRIMARY KEY (document_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX mentions_entity ON mentions(entity_id);
-- Decisions made by hand (merge, alias), kept so they survive re-loads and can be audited.
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    payload TEXT NOT NULL
);
"""
