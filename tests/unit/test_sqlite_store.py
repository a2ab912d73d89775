"""The embedded store: idempotent, transactional loads; merges by name and alias; cached graph."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from casegraph.errors import AmbiguousEntity, EntityNotFound, LoaderError, StoreError
from casegraph.graph.sqlite_store import SqliteStore
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


def test_load_twice_changes_nothing(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    with SqliteStore(tmp_path / "s.db") as store:
        first = load_paths(store, [src])
        revision = store.revision
        second = load_paths(store, [src])
        assert (first.documents_new, first.entities_new, first.relations_new) == (1, 3, 1)
        assert (second.documents_new, second.documents_unchanged) == (0, 1)
        assert counts(store) == (1, 3, 1, 1)
        assert store.revision == revision


def test_same_fact_from_two_sources_is_one_relation_with_two_evidence(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "harvey  weinstein", "type": "HIRED", "target": "The Black Cube",
         "quote": "Black Cube was retained by Weinstein.", "source_type": "Person",
         "target_type": "Company"},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a])
        summary = load_paths(store, [b])
        assert summary.relations_new == 0 and summary.relations_merged == 1
        assert counts(store) == (2, 3, 1, 2)
        rel = store.relations_of(store.resolve("Black Cube").id)[0]
        assert {e.document for e in rel.evidence} == {"a.jsonl", "b.jsonl"}


def test_entities_merge_by_alias_and_possessive(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", ENTITIES)
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "NSO", "aliases": ["NSO Group Technologies"]},
        {"source": "NSO’s", "type": "DEVELOPED", "target": "Pegasus", "target_type": "Product",
         "quote": "NSO’s Pegasus"},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a, b])
        nso = store.resolve("nso group technologies")
        assert nso.name == "NSO Group"
        assert set(nso.aliases) == {"NSO", "NSO Group Technologies"}
        assert store.stats()["entity_types"] == {"Company": 2, "Person": 1, "Product": 1}


def test_designators_match_conservatively_across_sources(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cobwebs Technologies"}])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "Cobwebs Technologies Ltd."},
        {"type": "Person", "name": "Cobwebs"},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a, b])
        # one company, and the person of the same name is never merged into it
        assert store.stats()["entity_types"] == {"Company": 1, "Person": 1}


def test_failure_half_way_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [*ENTITIES, HIRED])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Company", "name": "Cytrox"}\n{"type": "Company", "name": \n',
                   encoding="utf-8")  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [good])
        before = (counts(store), store.revision)
        with pytest.raises(LoaderError, match=r"bad\.jsonl:2: invalid JSON"):
            load_paths(store, [bad])
        assert (counts(store), store.revision) == before
        with pytest.raises(EntityNotFound):
            store.resolve("Cytrox")


def test_resolve_by_id_type_and_ambiguity(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Platform", "name": "Facebook"},
        {"type": "Company", "name": "Facebook", "id": "fb-inc"},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [src])
        with pytest.raises(AmbiguousEntity, match="Platform:Facebook"):
            store.resolve("facebook")
        assert store.resolve("platform:facebook").type == "Platform"
        assert store.resolve("fb-inc").type == "Company"
        assert store.resolve("company:facebook").id == "company:facebook"


def test_manual_merge_and_alias_survive_reload(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Bluehawk CI"}, {"type": "Company", "name": "Blue Hawk"},
        {"type": "Organization", "name": "Fox News"},
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q"},
    ])  # fmt: skip
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q2"},
        {"source": "BH", "type": "IMPERSONATED", "target": "Fox News", "quote": "q3"},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a])
        kept = store.merge("Bluehawk CI", "Blue Hawk")
        assert kept.id == "company:bluehawk-ci" and "Blue Hawk" in kept.aliases
        store.alias("Bluehawk CI", "BH")
        load_paths(store, [b])
        assert store.stats()["entity_types"] == {"Company": 1, "Organization": 1}
        (rel,) = store.relations_of(kept.id)
        assert len(rel.evidence) == 3


def test_graph_view_is_cached_per_revision(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    b = write_jsonl(tmp_path / "b.jsonl", [{"type": "Company", "name": "Cytrox"}])
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a])
        g1 = store.graph()
        assert store.graph() is g1
        with SqliteStore(tmp_path / "s.db") as other:  # a second handle shares the cache
            assert other.graph() is g1
        load_paths(store, [b])
        g2 = store.graph()
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


def test_fuzzy_match_is_conservative(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "BellTroX InfoTech Services"},
        {"type": "Organization", "name": "Sandworm Team 74455"},
        {"type": "Company", "name": "Cytrox"},
    ])  # fmt: skip
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "Beltrox InfoTech Services"},  # a typo: merged
        {"type": "Organization", "name": "Sandworm Team 74456"},  # another number: kept apart
        {"type": "Company", "name": "Cytrix"},  # too short to guess: kept apart
        {"type": "Person", "name": "BellTroX InfoTech Service"},  # another type: kept apart
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a, b])
        assert store.stats()["entity_types"] == {"Company": 3, "Organization": 2, "Person": 1}
        assert "Beltrox InfoTech Services" in store.resolve("BellTroX InfoTech Services").aliases


def test_graph_view_is_cached_on_disk_and_only_trusted_when_signed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import networkx as nx

    from casegraph.graph import sqlite_store

    monkeypatch.setattr(sqlite_store, "DISK_CACHE_MIN_RELATIONS", 1)
    src = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [src])
        built = store.graph()
        assert store.cache_path.exists()

        def no_rebuild(self: SqliteStore) -> None:
            raise AssertionError("rebuilt from rows")

        sqlite_store._GRAPH_CACHE.clear()  # as in a new process
        monkeypatch.setattr(SqliteStore, "_build_graph", no_rebuild)
        assert nx.utils.graphs_equal(store.graph(), built)

        blob = bytearray(store.cache_path.read_bytes())  # tampered: ignored, never unpickled
        blob[-1] ^= 1
        store.cache_path.write_bytes(bytes(blob))
        sqlite_store._GRAPH_CACHE.clear()
        with pytest.raises(AssertionError, match="rebuilt from rows"):
            store.graph()
        monkeypatch.undo()
        monkeypatch.setattr(sqlite_store, "DISK_CACHE_MIN_RELATIONS", 1)
        store.graph()  # rewrites a good cache
        good = store.cache_path.read_bytes()

    with SqliteStore(tmp_path / "other.db") as other:  # another store's cache is not trusted
        load_paths(other, [src])
        other.cache_path.write_bytes(good)
        sqlite_store._GRAPH_CACHE.clear()
        monkeypatch.setattr(SqliteStore, "_build_graph", no_rebuild)
        with pytest.raises(AssertionError, match="rebuilt from rows"):
            other.graph()
