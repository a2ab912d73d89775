"""What only the embedded store does: refusing foreign files, and its cached graph view.

The behaviour both stores share is tested once, on both, in tests/contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import StoreError
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

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


def test_graph_view_is_cached_per_revision(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    b = write_jsonl(tmp_path / "b.jsonl", [{"type": "Company", "name": "Cytrox"}])
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a])
        g1 = store.view.graph()
        assert store.view.graph() is g1
        with SqliteStore(tmp_path / "s.db") as other:  # a second handle shares the cache
            assert other.view.graph() is g1
        load_paths(store, [b])
        g2 = store.view.graph()
        assert g2 is not g1 and g2.number_of_nodes() == 4 and g1.number_of_nodes() == 3


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t(x)").connection.commit()
    with pytest.raises(StoreError, match="not a casegraph store"):
        SqliteStore(path)


def test_missing_store_is_not_created_for_reads(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        SqliteStore(tmp_path / "nothing.db", create=False)
    assert not (tmp_path / "nothing.db").exists()


def test_graph_view_is_cached_on_disk_and_only_trusted_when_signed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import networkx as nx

    from casegraph.backends.sqlite import graphview

    monkeypatch.setattr(graphview, "DISK_CACHE_MIN_RELATIONS", 1)
    src = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [src])
        built = store.view.graph()
        assert store.cache_path.exists()

        def no_rebuild(self: object) -> None:
            raise AssertionError("rebuilt from rows")

        graphview.GRAPH_CACHE.clear()  # as in a new process
        monkeypatch.setattr(graphview.GraphView, "_build", no_rebuild)
        assert nx.utils.graphs_equal(store.view.graph(), built)

        blob = bytearray(store.cache_path.read_bytes())  # tampered: ignored, never unpickled
        blob[-1] ^= 1
        store.cache_path.write_bytes(bytes(blob))
        graphview.GRAPH_CACHE.clear()
        with pytest.raises(AssertionError, match="rebuilt from rows"):
            store.view.graph()
        monkeypatch.undo()
        monkeypatch.setattr(graphview, "DISK_CACHE_MIN_RELATIONS", 1)
        store.view.graph()  # rewrites a good cache
        good = store.cache_path.read_bytes()

    with SqliteStore(tmp_path / "other.db") as other:  # another store's cache is not trusted
        load_paths(other, [src])
        other.cache_path.write_bytes(good)
        graphview.GRAPH_CACHE.clear()
        monkeypatch.setattr(graphview.GraphView, "_build", no_rebuild)
        with pytest.raises(AssertionError, match="rebuilt from rows"):
            other.view.graph()
