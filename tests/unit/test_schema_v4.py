"""Schema version 4: a version-3 store migrates in place, its documents searchable by their words."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

from casegraph.backends.sqlite import SqliteStore
from casegraph.backends.sqlite.ddl import (
    APPLICATION_ID,
    DDL,
    MIGRATIONS,
    SCHEMA_VERSION,
    register_functions,
    statements,
)
from casegraph.backends.sqlite.fulltext import SqliteText
from casegraph.queries.find import find


def old_schema_db(path: Path, version: int) -> sqlite3.Connection:
    """A new store of an older schema `version` (1 + the migrations before it), inside an open
    transaction, for the caller to fill; `finish_old_schema` stamps and closes it."""
    db = sqlite3.connect(path, isolation_level=None)
    register_functions(db)
    db.execute("BEGIN IMMEDIATE")
    for script in (DDL, *MIGRATIONS[: version - 1]):
        for statement in statements(script):
            db.execute(statement)
    db.executemany("INSERT INTO meta(key, value) VALUES (?, ?)",
                   [("uuid", uuid.uuid4().hex), ("revision", "1"), ("created_at", "2020-01-01"),
                    ("cache_key", "0" * 64)])  # fmt: skip
    return db


def finish_old_schema(db: sqlite3.Connection, version: int) -> None:
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute("COMMIT")
    db.close()


def version_3_store(path: Path) -> None:
    db = old_schema_db(path, 3)
    db.execute(
        "INSERT INTO documents(id, title, path, loader, published, loaded_at, text) VALUES"
        " ('d1', 'Old article', '/old.txt', 'text', '2020-02-02', '2020-02-02',"
        " 'Orion Labs sold Nightjar in 2019. Nightjar was found again.')"
    )
    finish_old_schema(db, 3)


def test_version_3_store_is_migrated_and_searchable(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    version_3_store(path)
    with SqliteStore(path) as store:
        result = find(store, '"sold nightjar"')
        assert [h.document_id for h in result.hits] == ["d1"]
        (hit,) = result.hits
        text = store.document_text("d1") or ""
        assert [text[a:b] for a, b in hit.hits] == ["sold Nightjar"]
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert SqliteText(db).totals() == (1, 10)
    db.close()
