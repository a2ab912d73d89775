"""What only the Neo4j store does: per-document loads, paging, full-text search, raw reads.

The behaviour both stores share is tested once, on both, in tests/contract."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.errors import LoaderError, ValidationError
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

ENTITIES = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO"]},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
]
HIRED = {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
         "quote": "Weinstein hired Black Cube."}  # fmt: skip


def counts(store: Neo4jStore) -> tuple[int, int, int, int]:
    s = store.stats()
    return s["documents"], s["entities"], s["relations"], s["evidence"]


def test_a_failed_load_leaves_no_pending_document(neo: Neo4jStore, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Company", "name": "Cytrox"}\n{"type": "Company", "name": \n',
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(LoaderError, match=r"bad\.jsonl:2: invalid JSON"):
        load_paths(neo, [bad])
    assert counts(neo) == (0, 0, 0, 0)
    assert neo.run_read("MATCH (n:PendingDocument) RETURN count(n) AS n") == [{"n": 0}]


def test_a_bad_fact_late_in_a_big_document_writes_nothing(neo: Neo4jStore, tmp_path: Path) -> None:
    rows = [{"type": "Company", "name": f"Firm {i}"} for i in range(120)]
    rows.append({"source": "Firm 1", "type": "HIRED", "target": "Nobody Known", "quote": "q"})
    src = write_jsonl(tmp_path / "big.jsonl", rows)
    small = Neo4jStore(neo.client, batch_size=25)  # many batches before the bad line
    with pytest.raises(ValidationError, match=r"line 121: unknown target .Nobody Known."):
        load_paths(small, [src])
    assert counts(neo) == (0, 0, 0, 0)


def test_run_read_passes_parameters_and_database(neo: Neo4jStore, tmp_path: Path) -> None:
    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])])
    rows = neo.run_read(
        "MATCH (e:Entity {id: $id})-[r]-(o:Entity) RETURN o.name AS name, r.quotes AS quotes",
        {"id": "company:black-cube"}, timeout=5,
    )  # fmt: skip
    assert rows == [{"name": "Harvey Weinstein", "quotes": [HIRED["quote"]]}]


def test_iteration_pages_through_large_stores(neo: Neo4jStore, tmp_path: Path) -> None:
    import casegraph.backends.neo4j.store as module

    rows = [{"type": "Company", "name": f"Firm {i:03d}"} for i in range(30)]
    rows += [{"source": f"Firm {i:03d}", "type": "PART_OF", "target": f"Firm {i + 1:03d}",
              "quote": f"q{i}"} for i in range(29)]  # fmt: skip
    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", rows)])
    old = module.PAGE
    module.PAGE = 7
    try:
        ids = [e.id for e in neo.iter_entities()]
        rels = list(neo.iter_relations())
        evidence = neo.evidence(r[0] for r in rels)
    finally:
        module.PAGE = old
    assert ids == sorted(ids) and len(set(ids)) == 30
    assert len({r[0] for r in rels}) == 29 and len(evidence) == 29


def test_search_on_a_large_store_uses_the_full_text_index(
    neo: Neo4jStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import casegraph.backends.neo4j.store as module

    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])])
    monkeypatch.setattr(module, "FULL_SCAN_NAMES", 0)  # as if the store had too many names
    assert neo.search("Wienstein")[0][0].name == "Harvey Weinstein"
    assert neo.search("cube")[0][0].name == "Black Cube"  # substring hits need no index
    assert neo.search('x\'}) OR "a" AND ~ * ? \\ / [') == []  # Lucene syntax is escaped


def test_documents_before_a_bad_one_stay_loaded(neo: Neo4jStore, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "a-good.jsonl", [*ENTITIES, HIRED])
    bad = tmp_path / "b-bad.jsonl"
    bad.write_text('{"type": "Company", "name": "Cytrox"}\n{"type": \n', encoding="utf-8")
    with pytest.raises(LoaderError, match=r"b-bad\.jsonl:2"):
        load_paths(neo, [good, bad])
    assert counts(neo) == (1, 3, 1, 1)  # unlike the embedded store: per document, not per load
    assert neo.run_read("MATCH (n:PendingDocument) RETURN count(n) AS n") == [{"n": 0}]
    again = load_paths(neo, [good])
    assert again.documents_unchanged == 1


def test_a_load_asks_only_for_what_the_store_holds(neo: Neo4jStore, tmp_path: Path) -> None:
    """A load into a new database skips the look-ups of what it holds none of; once names,
    ids and relations of a type are stored they are asked for again, and a later load resolves
    against them (same entities, the relation merged, its evidence added)."""
    from casegraph.backends.neo4j.cypher import relation_types
    from casegraph.backends.neo4j.index import Neo4jIndex

    assert Neo4jIndex(neo.client, for_load=True).none == {"Name", "Xid", "Entity",
                                                          *relation_types()}  # fmt: skip
    rows = [
        {"type": "Company", "name": "Acme Holdings", "id": "acme"},
        {"type": "Person", "name": "Jane Roe"},
        {"source": "Jane Roe", "type": "WORKS_FOR", "target_id": "acme", "quote": "Jane works."},
    ]
    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", rows)])
    none = Neo4jIndex(neo.client, for_load=True).none
    assert not none & {"Name", "Xid", "Entity", "WORKS_FOR"} and "HIRED" in none
    again = [
        {"type": "Company", "name": "ACME Holdings Ltd"},
        {"source": "jane roe", "type": "WORKS_FOR", "target_id": "acme", "quote": "Again."},
    ]
    summary = load_paths(neo, [write_jsonl(tmp_path / "b.jsonl", again)])
    stats = neo.stats()
    assert (stats["entities"], stats["relations"], stats["evidence"]) == (2, 1, 2)
    assert summary.entities_new == 0 and summary.relations_merged == 1
