"""Loads into a store that holds no relations yet: two relation indexes built once, at the end.

Relation ids are hashes, and relations arrive in no order of their targets, so on a large load
the `relations_rid` and `relations_target` indexes take each row at a random place: past the page
cache, every insert reads and writes pages of them. Built after the rows instead (SQLite sorts
the keys and writes each index once), they cost a few seconds. Neither is read while a load runs
(the writer finds a stored relation by its ends and type, SqliteIndex answers "which of these
relations exist" without reading when none did at the start), and dropping them gives up no
check: `UNIQUE (source_id, type, target_id)` still refuses the same relation twice, and the rid
is a function of those three columns. Everything happens inside the load's one transaction: a
failed or killed load rolls the drops back with the rows, so the store keeps its indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

# Indexes of the relations table rebuilt at the end of a load into a store with no relations.
DEFERRED = ("relations_rid", "relations_target")

# The page cache while they are built (KiB). SQLite's sorter keeps as many keys in memory as the
# cache holds before it spills them to a temporary file: with the load's 64 MiB, building them
# after the 1M-relation case raised the load's peak RSS by about 30 MB; with 4 MiB it did not.
BUILD_CACHE_KIB = 4096


def holds_no_relations(db: sqlite3.Connection) -> bool:
    """Whether the store has no relation (read inside the load's transaction)."""
    return db.execute("SELECT NOT EXISTS (SELECT 1 FROM relations)").fetchone()[0] == 1


@contextmanager
def indexes_built_after(db: sqlite3.Connection) -> Iterator[bool]:
    """When the store holds no relation, drop the DEFERRED indexes now and create them again,
    from the very statements that made them, when the block ends without an error (on an
    error, the caller's rollback restores them); yields whether it did. Runs inside an open
    transaction."""
    if not holds_no_relations(db):
        yield False
        return
    rows = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND name IN (SELECT value FROM json_each(?))",
        (json.dumps(DEFERRED),),
    ).fetchall()
    for name, _ in rows:
        db.execute(f'DROP INDEX "{name}"')  # a name of DEFERRED, never user text
    yield True
    before = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute(f"PRAGMA cache_size = -{BUILD_CACHE_KIB}")
    try:
        for _, sql in rows:
            db.execute(sql)  # the statement SQLite stored when the index was made
    finally:
        db.execute(f"PRAGMA cache_size = {before}")
