"""What only the embedded store does: refusing foreign files (its adjacency: test_adjacency.py).

The behaviour both stores share is tested once, on both, in tests/contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import StoreError

ENTITIES = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO"]},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
]
HIRED = {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
         "quote": "Weinstein hired Black Cube."}  # fmt: skip


def counts(store: SqliteStore) -> tuple[int, int, int, int]:
    s = store.stats()
    return s["documents"], s["entities"], s["relations"], s["evidence"]


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(StoreError, match="not a casegraph store"):
        SqliteStore(path)


def test_missing_store_is_not_created_for_reads(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        SqliteStore(tmp_path / "nothing.db", create=False)
    assert not (tmp_path / "nothing.db").exists()
