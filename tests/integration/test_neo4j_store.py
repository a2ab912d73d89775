"""The Neo4j store behaves as the embedded one: idempotent loads, merges by name and alias, resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import AmbiguousEntity, EntityNotFound, LoaderError, ValidationError
from casegraph.graph.neo4j_store import Neo4jStore
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


def test_load_twice_changes_nothing(neo: Neo4jStore, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    first = load_paths(neo, [src])
    revision = neo.revision
    second = load_paths(neo, [src])
    assert (first.documents_new, first.entities_new, first.relations_new) == (1, 3, 1)
    assert first.evidence_added == 1
    assert (second.documents_new, second.documents_unchanged) == (0, 1)
    assert counts(neo) == (1, 3, 1, 1)
    assert neo.revision == revision


def test_same_fact_from_two_sources_is_one_relation_with_two_evidence(
    neo: Neo4jStore, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "harvey  weinstein", "type": "HIRED", "target": "The Black Cube",
         "quote": "Black Cube was retained by Weinstein.", "source_type": "Person",
         "target_type": "Company"},
    ])  # fmt: skip
    load_paths(neo, [a])
    summary = load_paths(neo, [b])
    assert summary.relations_new == 0 and summary.relations_merged == 1
    assert counts(neo) == (2, 3, 1, 2)
    rel = neo.relations_of(neo.resolve("Black Cube").id)[0]
    assert {e.document for e in rel.evidence} == {"a.jsonl", "b.jsonl"}
    assert {e.quote for e in rel.evidence} == {
        HIRED["quote"],
        "Black Cube was retained by Weinstein.",
    }
    assert rel.direction == "in" and rel.other.name == "Harvey Weinstein"
    assert isinstance(rel.id, str) and neo.evidence([rel.id])[rel.id] == list(rel.evidence)


def test_entities_merge_by_alias_and_possessive(neo: Neo4jStore, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", ENTITIES)
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "NSO", "aliases": ["NSO Group Technologies"]},
        {"source": "NSO’s", "type": "DEVELOPED", "target": "Pegasus", "target_type": "Product",
         "quote": "NSO’s Pegasus"},
    ])  # fmt: skip
    load_paths(neo, [a, b])
    nso = neo.resolve("nso group technologies")
    assert nso.name == "NSO Group"
    assert set(nso.aliases) == {"NSO", "NSO Group Technologies"}
    assert neo.stats()["entity_types"] == {"Company": 2, "Person": 1, "Product": 1}


def test_designators_match_conservatively_across_sources(neo: Neo4jStore, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cobwebs Technologies"}])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "Cobwebs Technologies Ltd."},
        {"type": "Person", "name": "Cobwebs"},
    ])  # fmt: skip
    load_paths(neo, [a, b])
    assert neo.stats()["entity_types"] == {"Company": 1, "Person": 1}


def test_failure_half_way_leaves_the_store_as_it_was(neo: Neo4jStore, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [*ENTITIES, HIRED])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Company", "name": "Cytrox"}\n{"type": "Company", "name": \n',
                   encoding="utf-8")  # fmt: skip
    load_paths(neo, [good])
    before = (counts(neo), neo.revision)
    with pytest.raises(LoaderError, match=r"bad\.jsonl:2: invalid JSON"):
        load_paths(neo, [bad])
    assert (counts(neo), neo.revision) == before
    with pytest.raises(EntityNotFound):
        neo.resolve("Cytrox")
    assert neo.run_read("MATCH (n:PendingDocument) RETURN count(n) AS n") == [{"n": 0}]


def test_a_bad_fact_late_in_a_big_document_writes_nothing(neo: Neo4jStore, tmp_path: Path) -> None:
    rows = [{"type": "Company", "name": f"Firm {i}"} for i in range(120)]
    rows.append({"source": "Firm 1", "type": "HIRED", "target": "Nobody Known", "quote": "q"})
    src = write_jsonl(tmp_path / "big.jsonl", rows)
    small = Neo4jStore(neo.client, batch_size=25)  # many batches before the bad line
    with pytest.raises(ValidationError, match=r"line 121: unknown target .Nobody Known."):
        load_paths(small, [src])
    assert counts(neo) == (0, 0, 0, 0)


def test_resolve_by_id_type_and_ambiguity(neo: Neo4jStore, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Platform", "name": "Facebook"},
        {"type": "Company", "name": "Facebook", "id": "fb-inc"},
    ])  # fmt: skip
    load_paths(neo, [src])
    with pytest.raises(AmbiguousEntity, match="Platform:Facebook") as err:
        neo.resolve("facebook")
    assert err.value.candidates == [
        "Company:Facebook (company:facebook)",
        "Platform:Facebook (platform:facebook)",
    ]
    assert neo.resolve("platform:facebook").type == "Platform"
    assert neo.resolve("fb-inc").type == "Company"
    assert neo.resolve("company:facebook").id == "company:facebook"
    with pytest.raises(EntityNotFound, match="did you mean 'Facebook'"):
        neo.resolve("Facebok")


def test_manual_merge_and_alias_survive_reload(neo: Neo4jStore, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Bluehawk CI"}, {"type": "Company", "name": "Blue Hawk"},
        {"type": "Organization", "name": "Fox News"},
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q"},
    ])  # fmt: skip
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q2"},
        {"source": "BH", "type": "IMPERSONATED", "target": "Fox News", "quote": "q3"},
    ])  # fmt: skip
    load_paths(neo, [a])
    revision = neo.revision
    kept = neo.merge("Bluehawk CI", "Blue Hawk")
    assert kept.id == "company:bluehawk-ci" and "Blue Hawk" in kept.aliases
    assert neo.revision == revision + 1
    assert neo.resolve("company:blue-hawk").id == kept.id  # the dropped id answers still
    neo.alias("Bluehawk CI", "BH")
    load_paths(neo, [b])
    assert neo.stats()["entity_types"] == {"Company": 1, "Organization": 1}
    (rel,) = neo.relations_of(kept.id)
    assert len(rel.evidence) == 3
    decisions = neo.run_read("MATCH (d:Decision) RETURN d.action AS action ORDER BY d.at, action")
    assert sorted(d["action"] for d in decisions) == ["alias", "merge"]


def test_merge_and_alias_refusals(neo: Neo4jStore, tmp_path: Path) -> None:
    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", ENTITIES)])
    with pytest.raises(ValidationError, match="cannot merge a Person into a Company"):
        neo.merge("Black Cube", "Harvey Weinstein")
    with pytest.raises(ValidationError, match="already one entity"):
        neo.merge("NSO", "NSO Group")
    with pytest.raises(ValidationError, match="already names company:nso-group"):
        neo.alias("Black Cube", "nso")
    with pytest.raises(ValidationError, match="cannot be empty"):
        neo.alias("Black Cube", "  ")


def test_merge_folds_duplicate_and_self_relations(neo: Neo4jStore, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Intellexa"}, {"type": "Company", "name": "Intellexa Alliance"},
        {"type": "Company", "name": "Cytrox"}, {"type": "Product", "name": "Predator"},
        {"source": "Intellexa", "type": "DEVELOPED", "target": "Predator", "quote": "a"},
        {"source": "Intellexa Alliance", "type": "DEVELOPED", "target": "Predator", "quote": "b"},
        {"source": "Cytrox", "type": "PART_OF", "target": "Intellexa Alliance", "quote": "c"},
        {"source": "Intellexa", "type": "MENTIONED_WITH", "target": "Intellexa Alliance",
         "quote": "d"},
    ])  # fmt: skip
    load_paths(neo, [src])
    (doc,) = neo.documents()
    assert doc.relations == 4
    kept = neo.merge("Intellexa", "Intellexa Alliance")
    rels = neo.relations_of(kept.id)
    assert sorted((r.type, r.direction, r.other.name, len(r.evidence)) for r in rels) == [
        ("DEVELOPED", "out", "Predator", 2), ("PART_OF", "in", "Cytrox", 1),
    ]  # fmt: skip
    assert neo.stats()["relations"] == 2 and neo.stats()["evidence"] == 3
    (doc,) = neo.documents()
    assert (doc.entities, doc.relations) == (3, 2)


def test_reads_shape(neo: Neo4jStore, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "case.jsonl", [
        {"type": "Company", "name": "NSO Group", "aliases": ["NSO"], "properties": {"founded": 2010}},
        {"type": "Product", "name": "Pegasus"},
        *ENTITIES[1:], HIRED,
        {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "NSO's Pegasus.",
         "start": 0, "end": 14, "confidence": 0.5},
    ])  # fmt: skip
    load_paths(neo, [src])
    nso = neo.resolve("nso")
    assert nso.properties == {"founded": 2010} and nso.aliases == ("NSO",)
    (rel,) = neo.relations_of(nso.id)
    (ev,) = rel.evidence
    assert (ev.quote, ev.start, ev.end, ev.confidence, ev.locator) == ("NSO's Pegasus.", 0, 14, 0.5,
                                                                       "line 6")  # fmt: skip
    assert ev.document == "case.jsonl" and len(ev.document_id) == 64
    assert neo.documents_of(nso.id)[0]["title"] == "case.jsonl"
    (doc,) = neo.documents()
    assert (doc.title, doc.loader, doc.entities, doc.relations) == ("case.jsonl", "jsonl", 4, 2)
    assert next(e.name for e in neo.entities(limit=2)) in {"Black Cube", "Harvey Weinstein",
                                                          "NSO Group", "Pegasus"}  # fmt: skip
    assert {e.name for e in neo.entities(type="company")} == {"NSO Group", "Black Cube"}
    with pytest.raises(ValidationError, match="unknown entity type 'Spaceship'"):
        neo.entities(type="Spaceship")
    assert neo.search("cube")[0][0].name == "Black Cube"
    assert neo.search("Wienstein")[0][0].name == "Harvey Weinstein"
    assert neo.search("zzzzqqq") == []
    assert len(list(neo.iter_entities())) == 4
    triples = {(s, t, o) for _, s, t, o, _ in neo.iter_relations()}
    assert triples == {("person:harvey-weinstein", "HIRED", "company:black-cube"),
                       ("company:nso-group", "DEVELOPED", "product:pegasus")}  # fmt: skip
    stats = neo.stats()
    assert stats["backend"] == "neo4j" and "@" not in stats["store"]
    assert stats["relation_types"] == {"DEVELOPED": 1, "HIRED": 1}


def test_run_read_passes_parameters_and_database(neo: Neo4jStore, tmp_path: Path) -> None:
    load_paths(neo, [write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])])
    rows = neo.run_read(
        "MATCH (e:Entity {id: $id})-[r]-(o:Entity) RETURN o.name AS name, r.quotes AS quotes",
        {"id": "company:black-cube"}, timeout=5,
    )  # fmt: skip
    assert rows == [{"name": "Harvey Weinstein", "quotes": [HIRED["quote"]]}]


def test_iteration_pages_through_large_stores(neo: Neo4jStore, tmp_path: Path) -> None:
    import casegraph.graph.neo4j_store as module

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
    import casegraph.graph.neo4j_store as module

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
