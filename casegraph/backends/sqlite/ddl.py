"""The embedded store's SQLite schema, versioned with PRAGMA user_version, and its migrations.

A new store is made with DDL (version 1) and then every migration in order, so a store created
today and one migrated from version 1 have exactly the same tables and indexes.
"""

from __future__ import annotations

import sqlite3

from casegraph.backends.sqlite.fulltext import INDEX_NEW, TOKENIZER
from casegraph.graph.ids import evidence_id, relation_id

# "CGPH" as an integer: marks a SQLite file as a casegraph store.
APPLICATION_ID = 0x43475048

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


def evidence_key_sql(doc: str, locator: str | None, start: int | None, end: int | None,
                     extractor: str) -> str:  # fmt: skip
    """casegraph.graph.ids.evidence_key of an evidence row's columns."""
    loc = locator or ""
    return (f"{len(doc)}:{doc}|{len(loc)}:{loc}|{-1 if start is None else start}|"
            f"{-1 if end is None else end}|{extractor}")  # fmt: skip


def register_functions(db: sqlite3.Connection) -> None:
    """SQL functions the migrations use: cg_rid(source, type, target), cg_eid(rid, doc, locator,
    start, end, extractor), cg_search_tokens(text), cg_token_count(text), cg_index_form(text)."""
    from casegraph.backends.sqlite.fulltext import index_form
    from casegraph.fulltext import search_tokens, tokens

    db.create_function("cg_rid", 3, relation_id, deterministic=True)
    db.create_function("cg_index_form", 1, index_form, deterministic=True)
    db.create_function("cg_search_tokens", 1, search_tokens, deterministic=True)
    db.create_function("cg_token_count", 1, lambda t: len(tokens(t or "")), deterministic=True)
    db.create_function(
        "cg_eid",
        6,
        lambda rid, *cols: evidence_id(rid, evidence_key_sql(*cols)),
        deterministic=True,
    )


# Version 2: relations and evidence get the ids both backends give them (casegraph.graph.ids).
V2 = """
ALTER TABLE relations ADD COLUMN rid TEXT;
UPDATE relations SET rid = cg_rid(source_id, type, target_id);
CREATE UNIQUE INDEX relations_rid ON relations(rid);
ALTER TABLE evidence ADD COLUMN eid TEXT;
UPDATE evidence SET eid = (SELECT cg_eid(r.rid, evidence.document_id, evidence.locator,
    evidence.start, evidence."end", evidence.extractor) FROM relations r
    WHERE r.id = evidence.relation_id);
CREATE UNIQUE INDEX evidence_eid ON evidence(eid);
"""

# Version 3: an investigator's decisions are data. Relations and evidence items carry a review
# status (NULL: unreviewed; 'confirmed', 'rejected'), entities a status ('dropped') and what typed
# them ('text': a text loader's guess; 'source': a structured source; 'decision': by hand; an
# entity of an older store is 'text' when only text or HTML documents mention it); a mention
# keeps how the document typed the entity (JSON: type, cue, confidence, quote, offsets). Evidence keeps the keys of the names its ends were written as (what `split`
# moves) and its date (for time questions). Decisions get a stable uid, who made them, why,
# what they are about, and whether they were undone.
V3 = """
ALTER TABLE relations ADD COLUMN status TEXT;
ALTER TABLE evidence ADD COLUMN status TEXT;
ALTER TABLE evidence ADD COLUMN source_key TEXT;
ALTER TABLE evidence ADD COLUMN target_key TEXT;
ALTER TABLE evidence ADD COLUMN date TEXT;
ALTER TABLE entities ADD COLUMN status TEXT;
ALTER TABLE entities ADD COLUMN type_source TEXT;
ALTER TABLE mentions ADD COLUMN typing TEXT;
ALTER TABLE decisions ADD COLUMN uid TEXT;
ALTER TABLE decisions ADD COLUMN by TEXT;
ALTER TABLE decisions ADD COLUMN why TEXT;
ALTER TABLE decisions ADD COLUMN target TEXT;
ALTER TABLE decisions ADD COLUMN undone_at TEXT;
ALTER TABLE decisions ADD COLUMN undone_by TEXT;
UPDATE entities SET type_source = CASE WHEN EXISTS (
    SELECT 1 FROM mentions m JOIN documents d ON d.id = m.document_id
    WHERE m.entity_id = entities.id AND d.loader NOT IN ('text', 'html')
) OR NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id)
THEN 'source' ELSE 'text' END;
UPDATE decisions SET uid = 'd:' || lower(hex(randomblob(8))) WHERE uid IS NULL;
CREATE UNIQUE INDEX decisions_uid ON decisions(uid);
CREATE INDEX relations_status ON relations(status) WHERE status IS NOT NULL;
CREATE INDEX entities_status ON entities(status) WHERE status IS NOT NULL;
"""

# Version 4: sources and time. Evidence is found by date (date windows), and documents by their
# words: document_search holds each document's casegraph.fulltext.search_tokens (rowid: the
# document's rowid), document_words how many tokens it has; both written in the load's
# transaction.
V4 = """
CREATE INDEX evidence_date ON evidence(date) WHERE date IS NOT NULL;
CREATE VIRTUAL TABLE document_search USING fts5(
    tokens, tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE document_words (
    doc_rowid INTEGER PRIMARY KEY,  -- documents.rowid, and document_search.rowid
    length INTEGER NOT NULL
);
INSERT INTO document_search(rowid, tokens)
    SELECT rowid, cg_search_tokens(text) FROM documents WHERE text IS NOT NULL AND text <> '';
INSERT INTO document_words(doc_rowid, length)
    SELECT rowid, cg_token_count(text) FROM documents WHERE text IS NOT NULL AND text <> ''
"""

# Version 5: the text index is tokenized by FTS5 itself. document_search becomes a contentless
# FTS5 table (no copy of the text) of each document's backends.sqlite.fulltext.index_form (its
# text, or casegraph's tokens of it when unicode61 would read it otherwise); lengths and totals
# are FTS5's own (docsize, averages), so document_words goes. Written in the load's transaction.
V5 = f"""
DROP TABLE document_search;
DROP TABLE document_words;
CREATE VIRTUAL TABLE document_search USING fts5(
    body, content = '', tokenize = '{TOKENIZER}'
);
{INDEX_NEW}
"""

# Version 6: evidence ids get 16 hex digits after the relation id instead of 6 (the first 6
# are the old id's, so an old id is the start of its item's new one: casegraph.graph.ids).
# Decisions about one evidence item name it by its new id. (Two items of one relation that
# shared an old id were never both stored: the second was refused by evidence_eid.)
V6 = """
UPDATE evidence SET eid = (SELECT cg_eid(r.rid, evidence.document_id, evidence.locator,
    evidence.start, evidence."end", evidence.extractor) FROM relations r
    WHERE r.id = evidence.relation_id);
UPDATE decisions SET target = coalesce((SELECT e.eid FROM evidence e
    WHERE e.eid > decisions.target AND e.eid < decisions.target || 'g'
    ORDER BY e.eid LIMIT 1), target)
WHERE target LIKE 'ev:%' AND length(target) = 26;
"""

# MIGRATIONS[i] takes a store from version i + 1 to version i + 2.
MIGRATIONS = (V2, V3, V4, V5, V6)
SCHEMA_VERSION = 1 + len(MIGRATIONS)


def statements(script: str) -> list[str]:
    """The statements of a script (split at semicolons that end a line)."""
    return [s for s in script.split(";\n") if s.strip()]
