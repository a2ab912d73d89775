"""sync: embedded -> Neo4j -> embedded gives the same graph, ids and evidence, and is idempotent."""

from __future__ import annotations

from pathlib import Path

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.graph import decisions
from casegraph.graph.sync import read_snapshot, sync
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl
from tests.integration.test_neo4j_parity import DEMO, TRICKY_A, TRICKY_B, picture


def make_case(store: SqliteStore, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", TRICKY_A)
    b = write_jsonl(tmp_path / "b.jsonl", TRICKY_B)
    load_paths(store, [a, DEMO])
    decisions.merge(store, "Foo Bar", "Foo_Bar")
    decisions.merge(store, "Alpha Corp", "Zeta Corp")
    decisions.alias(store, "Meta", "Facebook Platforms")
    load_paths(store, [b])


def test_round_trip_is_identical_and_idempotent(
    neo: Neo4jStore, embedded: SqliteStore, tmp_path: Path
) -> None:
    make_case(embedded, tmp_path)
    original = picture(embedded)

    there = sync(embedded, neo)
    assert (there.documents_new, there.entities_new) == (3, original["stats"]["entities"])
    assert there.relations_new == original["stats"]["relations"]
    assert there.evidence_added == original["stats"]["evidence"]
    assert picture(neo) == original
    assert neo.resolve("company:zeta-corp").id == "company:alpha-corp"  # merged-away id kept
    assert neo.resolve("cw-1").id == "company:cobwebs-technologies"  # external id kept

    revision = neo.revision
    again = sync(embedded, neo)
    assert (again.documents_new, again.documents_unchanged) == (0, 3)
    assert (again.entities_new, again.relations_new, again.evidence_added) == (0, 0, 0)
    assert neo.revision == revision and picture(neo) == original

    with SqliteStore(tmp_path / "back.db") as back:
        sync(neo, back)
        assert picture(back) == original
        assert back.resolve("company:zeta-corp").id == "company:alpha-corp"
        assert back.resolve("cw-1").id == "company:cobwebs-technologies"
        revision = back.revision
        twice = sync(neo, back)
        assert (twice.documents_new, twice.documents_unchanged, twice.entities_new) == (0, 3, 0)
        assert back.revision == revision and picture(back) == original


def test_neo4j_to_neo4j_via_snapshot_keeps_texts(neo: Neo4jStore, tmp_path: Path) -> None:
    from casegraph.graph.model import Document, Source, make_entity

    doc = Document("d" * 64, "note.txt", "/tmp/note.txt", "text", "2021-12-16", "Cytrox text.")
    neo.load([Source(doc, [make_entity("Company", "Cytrox")])])
    snapshot = read_snapshot(neo)
    assert snapshot.documents[0].text == "Cytrox text."
    assert snapshot.documents[0].published == "2021-12-16"
    counts = neo.write_snapshot(snapshot)
    assert counts.as_dict() == {"documents_new": 0, "documents_unchanged": 1, "entities_new": 0,
                                "relations_new": 0, "evidence_added": 0}  # fmt: skip
