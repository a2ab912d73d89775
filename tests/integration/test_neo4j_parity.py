"""Parity: the same sources give the same graph, ids, evidence and answers on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.graph import decisions
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

DEMO = Path(__file__).resolve().parents[2] / "casegraph" / "demo" / "notes.jsonl"

# Resolution corner cases: slug collisions, fuzzy and designator matches, xids, untyped ends
# filtered by the relation's allowed types, property enrichment, weak-link order, self-relations.
TRICKY_A = [
    {"type": "Company", "name": "Foo Bar"},
    {"type": "Company", "name": "Foo_Bar"},  # same slug, other match key: foo-bar-<hash>
    {"type": "Company", "name": "Café Lumière"},
    {"type": "Company", "name": "Cafe Lumiere"},  # same slug again
    {"type": "Person", "name": "Nathaniel Gleicher", "properties": {"role": "security policy"}},
    {"type": "Person", "name": "Nathanial Gleicher", "properties": {"role": "x", "org": "Meta"}},
    {"type": "Company", "name": "Cobwebs Technologies", "id": "cw-1"},
    {"type": "Company", "name": "Cobwebs Technologies Ltd.", "aliases": ["Cobwebs"]},
    {"type": "Platform", "name": "Friendster"},
    {"type": "Company", "name": "Friendster", "aliases": ["Friendster, Inc."]},
    {"type": "Company", "name": "Zeta Corp"},
    {"type": "Company", "name": "Alpha Corp"},
    {"source": "Zeta Corp", "type": "MENTIONED_WITH", "target": "Alpha Corp", "quote": "Zeta, Alpha"},
    {"source": "Alpha Corp", "type": "MENTIONED_WITH", "target": "Zeta Corp", "quote": "Alpha, Zeta"},
    {"source_id": "cw-1", "type": "OPERATED_ON", "target": "Friendster", "quote": "Cobwebs ran pages",
     "start": 10, "end": 27, "confidence": 0.7},
    {"source": "Zeta Corp", "type": "PART_OF", "target": "zeta corp.", "quote": "self"},
    {"source": "Foo_Bar", "type": "OWNS", "target": "Pegasus", "target_type": "Product",
     "quote": "Foo_Bar's Pegasus", "properties": {"share": 0.5}},
    {"source": "the Foo Bar", "type": "HIRED", "source_type": "Company", "target": "N. Gleicher",
     "target_type": "Person", "quote": "hired"},
]  # fmt: skip
TRICKY_B = [
    {"type": "Company", "name": "Cafe Lumiere", "properties": {"city": "Paris"}},
    {"type": "Person", "name": "Nathaniel  Gleicher’s", "aliases": ["N. Gleicher"]},
    {"source": "cobwebs", "type": "OPERATED_ON", "source_type": "Company", "target": "friendster",
     "target_type": "Platform", "quote": "again", "confidence": 0.9},
    {"source": "Alpha Corp", "type": "MENTIONED_WITH", "target": "Zeta Corp", "quote": "Alpha, Zeta"},
]  # fmt: skip


def picture(store: Any) -> dict[str, Any]:
    """Everything a user can see of a store, in a backend-neutral, order-neutral shape."""
    stats = {k: v for k, v in store.stats().items() if k not in ("backend", "store", "revision")}
    entities = sorted((e.as_dict() for e in store.iter_entities()), key=lambda e: e["id"])
    rids = {}
    for rid, s, t, o, props in store.iter_relations():
        rids[rid] = (s, t, o, props)
    evidence = store.evidence(list(rids))
    relations = {
        (s, t, o): (props, [(e.document_id, e.document, e.quote, e.start, e.end, e.extractor,
                             e.confidence, e.locator) for e in evidence.get(rid, [])])
        for rid, (s, t, o, props) in rids.items()
    }  # fmt: skip
    documents = sorted(
        (d.id, d.title, d.path, d.loader, d.published, d.entities, d.relations, d.properties)
        for d in store.documents()
    )
    return {
        "stats": stats,
        "entities": entities,
        "relations": relations,
        "documents": documents,
        "mentions": {e["id"]: store.documents_of(e["id"]) for e in entities},
        "views": {
            e["id"]: [
                (r.type, r.direction, r.other.id, len(r.evidence))
                for r in sorted(
                    store.relations_of(e["id"]), key=lambda r: (r.type, r.direction, r.other.id)
                )
            ]
            for e in entities
        },
        "ranking": [e.name for e in store.entities()],
        "ranking_limited": [e.name for e in store.entities(limit=5)],
        "companies": [e.name for e in store.entities(type="Company", limit=3)],
    }


def assert_same(neo: Neo4jStore, embedded: SqliteStore) -> None:
    a, b = picture(neo), picture(embedded)
    for key in b:
        assert a[key] == b[key], key


def test_demo_case_is_identical(neo: Neo4jStore, embedded: SqliteStore) -> None:
    assert load_paths(neo, [DEMO]) == load_paths(embedded, [DEMO])
    assert_same(neo, embedded)
    for text in ("nso", "pegasus", "Citizn Lab", "meta platforms", "zzzz", "the"):
        assert [(e.id, s) for e, s in neo.search(text)] == [
            (e.id, s) for e, s in embedded.search(text)
        ], text


def test_tricky_resolution_is_identical(
    neo: Neo4jStore, embedded: SqliteStore, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", TRICKY_A)
    b = write_jsonl(tmp_path / "b.jsonl", TRICKY_B)
    for store in (neo, embedded):  # the lower batch size makes Neo4j resolve across batches
        store.batch_size = 3  # type: ignore[union-attr]
    first = load_paths(neo, [a]), load_paths(embedded, [a])
    assert first[0] == first[1]
    second = load_paths(neo, [b, DEMO]), load_paths(embedded, [b, DEMO])
    assert second[0] == second[1]
    assert_same(neo, embedded)
    ids = {e.id for e in neo.iter_entities()}
    assert {"company:foo-bar", "company:cafe-lumiere"} <= ids
    assert any(i.startswith("company:foo-bar-") for i in ids)
    assert sum(i.startswith("person:nathaniel-gleicher") for i in ids) == 1


def test_merges_aliases_and_reloads_stay_identical(
    neo: Neo4jStore, embedded: SqliteStore, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", TRICKY_A)
    b = write_jsonl(tmp_path / "b.jsonl", TRICKY_B)
    for store in (neo, embedded):
        load_paths(store, [a, DEMO])
    for store in (neo, embedded):
        decisions.merge(store, "Foo Bar", "Foo_Bar")
        decisions.merge(store, "Alpha Corp", "Zeta Corp")
        decisions.alias(store, "Meta", "Facebook Platforms")
        decisions.merge(store, "company:cobwebs-technologies", "Company:Friendster")
    assert_same(neo, embedded)
    assert load_paths(neo, [b]) == load_paths(embedded, [b])
    assert_same(neo, embedded)


def test_fuzzy_matching_among_many_candidates_is_identical(
    neo: Neo4jStore, embedded: SqliteStore, tmp_path: Path
) -> None:
    import random

    rng = random.Random(7)
    letters = "aeioubdgklmnrst"
    names = sorted({"Kar" + "".join(rng.choice(letters) for _ in range(rng.randint(6, 9)))
                    for _ in range(400)})  # fmt: skip
    first = [{"type": "Person", "name": n} for n in names]
    typos = []
    for n in rng.sample(names, 60):  # one letter changed: often fuzzily equal to one or more
        i = rng.randrange(3, len(n))
        typos.append({"type": "Person", "name": n[:i] + rng.choice(letters) + n[i + 1 :]})
    a = write_jsonl(tmp_path / "a.jsonl", first)
    b = write_jsonl(tmp_path / "b.jsonl", typos)
    for store in (neo, embedded):
        store.batch_size = 50  # type: ignore[union-attr]
    assert load_paths(neo, [a]) == load_paths(embedded, [a])
    summaries = load_paths(neo, [b]), load_paths(embedded, [b])
    assert summaries[0] == summaries[1]
    assert 0 < summaries[1].entities_merged < 60  # some typos matched, some did not
    assert_same(neo, embedded)


@pytest.mark.parametrize("folder", ["ftm_opensanctions", "mvt_indicators/candiru",
                                    "meta_threat_research/indicators"])  # fmt: skip
def test_shared_sample_data_is_identical(
    neo: Neo4jStore, embedded: SqliteStore, shared: Path, folder: str
) -> None:
    path = shared / "data" / folder
    assert path.is_dir(), f"{path} is missing from ../shared"
    assert load_paths(neo, [path]) == load_paths(embedded, [path])
    assert_same(neo, embedded)
