"""Loads into a store that holds no relations yet: three indexes built once, at the end.

Relation and evidence ids are hashes, and relations arrive in no order of their targets, so on a
large load the `relations_rid`, `relations_target` and `evidence_eid` indexes take each row at a
random place: past the page cache, every insert reads and writes pages of them. Built after the
rows instead (SQLite sorts the keys and writes each index once), they cost a few seconds. None
is read while a load runs (the writer finds a stored relation by its ends and type, SqliteIndex
answers "which of these relations exist" without reading when none did at the start), and
dropping them gives up no check: `UNIQUE (source_id, type, target_id)` still refuses the same
relation twice and `evidence_once` the same evidence item twice, and each id is a function of
those columns. Only two different rows whose 64-bit hashes collide would differ: the unique
index then cannot be built, and the load is refused (where the index, present, would have
refused or dropped the second row). Everything happens inside the load's one transaction: a
failed or killed load rolls the drops back with the rows, so the store keeps its indexes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from casegraph.errors import ValidationError

# Indexes rebuilt at the end of a load into a store with no relations.
DEFERRED = ("relations_rid", "relations_target", "evidence_eid")

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
        for name, sql in rows:
            try:
                db.execute(sql)  # the statement SQLite stored when the index was made
            except sqlite3.IntegrityError:
                raise ValidationError(_shared_id(db, name)) from None
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


# What each unique DEFERRED index keeps one of: (table, column, what a row is).
_UNIQUE = {"relations_rid": ("relations", "rid", "relations"),
           "evidence_eid": ("evidence", "eid", "evidence items")}  # fmt: skip


def _shared_id(db: sqlite3.Connection, index: str) -> str:
    """The refusal when a unique index cannot be built: two rows of this load share an id (two
    hashes of 64 bits that collide; the index, present, would have refused the second row)."""
    table, column, what = _UNIQUE[index]
    (value,) = db.execute(
        f"SELECT {column} FROM {table} GROUP BY {column} HAVING count(*) > 1 LIMIT 1"  # noqa: S608
    ).fetchone()  # names from _UNIQUE, never user text
    return f"two {what} of this load have the same id {value}; nothing was loaded"
