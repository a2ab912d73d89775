"""The store contract, on both backends: idempotent loads, resolution, merges, reads, iteration."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import EntityNotFound, LoaderError, ValidationError
from casegraph.graph import decisions
from casegraph.graph.store import Store
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

ENTITIES = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO"]},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
]
HIRED = {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
         "quote": "Weinstein hired Black Cube."}  # fmt: skip


def counts(store: Store) -> tuple[int, int, int, int]:
    s = store.stats()
    return s["documents"], s["entities"], s["relations"], s["evidence"]


def test_load_twice_changes_nothing(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    first = load_paths(store, [src])
    revision = store.revision
    second = load_paths(store, [src])
    assert (first.documents_new, first.entities_new, first.relations_new) == (1, 3, 1)
    assert first.evidence_added == 1
    assert (second.documents_new, second.documents_unchanged) == (0, 1)
    assert counts(store) == (1, 3, 1, 1)
    assert store.revision == revision


def test_same_fact_from_two_sources_is_one_relation_with_two_evidence(
    store: Store, tmp_path: Path
) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "harvey  weinstein", "type": "HIRED", "target": "The Black Cube",
         "quote": "Black Cube was retained by Weinstein.", "source_type": "Person",
         "target_type": "Company"},
    ])  # fmt: skip
    load_paths(store, [a])
    summary = load_paths(store, [b])
    assert summary.relations_new == 0 and summary.relations_merged == 1
    assert counts(store) == (2, 3, 1, 2)
    rel = store.relations_of(store.resolve("Black Cube").id)[0]
    assert {e.document for e in rel.evidence} == {"a.jsonl", "b.jsonl"}
    assert {e.quote for e in rel.evidence} == {
        HIRED["quote"],
        "Black Cube was retained by Weinstein.",
    }
    assert rel.direction == "in" and rel.other.name == "Harvey Weinstein"
    assert isinstance(rel.id, str) and store.evidence([rel.id])[rel.id] == list(rel.evidence)


def test_relation_ids_are_the_same_on_every_backend(store: Store, tmp_path: Path) -> None:
    from casegraph.graph.ids import relation_id

    load_paths(store, [write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, HIRED])])
    (rel,) = store.relations_of("company:black-cube")
    assert rel.id == relation_id("person:harvey-weinstein", "HIRED", "company:black-cube")


def test_entities_merge_by_alias_and_possessive(store: Store, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", ENTITIES)
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "NSO", "aliases": ["NSO Group Technologies"]},
        {"source": "NSO’s", "type": "DEVELOPED", "target": "Pegasus", "target_type": "Product",
         "quote": "NSO’s Pegasus"},
    ])  # fmt: skip
    load_paths(store, [a, b])
    nso = store.resolve("nso group technologies")
    assert nso.name == "NSO Group"
    assert set(nso.aliases) == {"NSO", "NSO Group Technologies"}
    assert store.stats()["entity_types"] == {"Company": 2, "Person": 1, "Product": 1}


def test_designators_match_conservatively_across_sources(store: Store, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cobwebs Technologies"}])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"type": "Company", "name": "Cobwebs Technologies Ltd."},
        {"type": "Person", "name": "Cobwebs"},
    ])  # fmt: skip
    load_paths(store, [a, b])
    # one company, and the person of the same name is never merged into it
    assert store.stats()["entity_types"] == {"Company": 1, "Person": 1}


def test_a_designator_stripped_joins_the_name_it_leaves(store: Store, tmp_path: Path) -> None:
    # "Cytrox" is its own match key; "Cytrox Ltd" and "Cytrox Holdings" strip to it, in the
    # same load and in a later one
    a = write_jsonl(tmp_path / "a.jsonl", [{"type": "Company", "name": "Cytrox"},
                                           {"type": "Company", "name": "Cytrox Ltd"}])  # fmt: skip
    b = write_jsonl(tmp_path / "b.jsonl", [{"type": "Company", "name": "Cytrox Holdings"}])
    load_paths(store, [a])
    load_paths(store, [b])
    assert store.stats()["entity_types"] == {"Company": 1}


def test_fuzzy_match_is_conservative(store: Store, tmp_path: Path) -> None:
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
    load_paths(store, [a, b])
    assert store.stats()["entity_types"] == {"Company": 3, "Organization": 2, "Person": 1}
    assert "Beltrox InfoTech Services" in store.resolve("BellTroX InfoTech Services").aliases


def test_failure_half_way_leaves_the_store_as_it_was(store: Store, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [*ENTITIES, HIRED])
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "Company", "name": "Cytrox"}\n{"type": "Company", "name": \n',
                   encoding="utf-8")  # fmt: skip
    load_paths(store, [good])
    before = (counts(store), store.revision)
    with pytest.raises(LoaderError, match=r"bad\.jsonl:2: invalid JSON"):
        load_paths(store, [bad])
    assert (counts(store), store.revision) == before
    with pytest.raises(EntityNotFound):
        store.resolve("Cytrox")


def test_resolve_by_id_type_and_a_name_of_several(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Platform", "name": "Facebook"},
        {"type": "Company", "name": "Facebook", "id": "fb-inc"},
        {"type": "Company", "name": "Meta"},
        {"source": "Meta", "type": "OWNS", "target": "Facebook", "target_type": "Platform",
         "quote": "Meta owns Facebook."},
    ])  # fmt: skip
    load_paths(store, [src])
    # two entities are named Facebook: the better supported one answers, the other is listed
    chosen = store.resolve("facebook")
    assert chosen.id == "platform:facebook"
    assert [e.id for e in chosen.also] == ["company:facebook"]
    assert chosen.as_dict()["also"] == [{"id": "company:facebook", "name": "Facebook",
                                         "type": "Company"}]  # fmt: skip
    assert store.choices[-1] == ("facebook", chosen)
    assert store.resolve("platform:facebook").type == "Platform"
    assert store.resolve("fb-inc").type == "Company"
    assert store.resolve("company:facebook").id == "company:facebook"
    with pytest.raises(EntityNotFound, match="did you mean 'Facebook'"):
        store.resolve("Facebok")


def test_an_exact_name_wins_over_an_alias(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "NSO Group"},
        {"type": "Product", "name": "Q Suite", "aliases": ["NSO Group"]},
        {"type": "Country", "name": "Israel"},
        {"source": "Q Suite", "type": "MENTIONED_WITH", "target": "Israel", "quote": "q1"},
    ])  # fmt: skip
    load_paths(store, [src])
    chosen = store.resolve("NSO Group")  # the product is better linked, but only an alias
    assert chosen.id == "company:nso-group"
    assert [e.id for e in chosen.also] == ["product:q-suite"]


def test_manual_merge_and_alias_survive_reload(store: Store, tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Bluehawk CI"}, {"type": "Company", "name": "Blue Hawk"},
        {"type": "Organization", "name": "Fox News"},
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q"},
    ])  # fmt: skip
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "Blue Hawk", "type": "IMPERSONATED", "target": "Fox News", "quote": "q2"},
        {"source": "BH", "type": "IMPERSONATED", "target": "Fox News", "quote": "q3"},
    ])  # fmt: skip
    load_paths(store, [a])
    revision = store.revision
    kept = decisions.merge(store, "Bluehawk CI", "Blue Hawk")
    assert kept.id == "company:bluehawk-ci" and "Blue Hawk" in kept.aliases
    assert store.revision == revision + 1
    assert store.resolve("company:blue-hawk").id == kept.id  # the dropped id answers still
    decisions.alias(store, "Bluehawk CI", "BH")
    load_paths(store, [b])
    assert store.stats()["entity_types"] == {"Company": 1, "Organization": 1}
    (rel,) = store.relations_of(kept.id)
    assert len(rel.evidence) == 3


def test_merge_and_alias_refusals(store: Store, tmp_path: Path) -> None:
    load_paths(store, [write_jsonl(tmp_path / "a.jsonl", ENTITIES)])
    with pytest.raises(ValidationError, match="cannot merge a Person into a Company"):
        decisions.merge(store, "Black Cube", "Harvey Weinstein")
    with pytest.raises(ValidationError, match="already one entity"):
        decisions.merge(store, "NSO", "NSO Group")
    with pytest.raises(ValidationError, match="already names company:nso-group"):
        decisions.alias(store, "Black Cube", "nso")
    with pytest.raises(ValidationError, match="cannot be empty"):
        decisions.alias(store, "Black Cube", "  ")


def test_merge_folds_duplicate_and_self_relations(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Intellexa"}, {"type": "Company", "name": "Intellexa Alliance"},
        {"type": "Company", "name": "Cytrox"}, {"type": "Product", "name": "Predator"},
        {"source": "Intellexa", "type": "DEVELOPED", "target": "Predator", "quote": "a"},
        {"source": "Intellexa Alliance", "type": "DEVELOPED", "target": "Predator", "quote": "b"},
        {"source": "Cytrox", "type": "PART_OF", "target": "Intellexa Alliance", "quote": "c"},
        {"source": "Intellexa", "type": "MENTIONED_WITH", "target": "Intellexa Alliance",
         "quote": "d"},
    ])  # fmt: skip
    load_paths(store, [src])
    (doc,) = store.documents()
    assert doc.relations == 4
    kept = decisions.merge(store, "Intellexa", "Intellexa Alliance")
    rels = store.relations_of(kept.id)
    assert sorted((r.type, r.direction, r.other.name, len(r.evidence)) for r in rels) == [
        ("DEVELOPED", "out", "Predator", 2), ("PART_OF", "in", "Cytrox", 1),
    ]  # fmt: skip
    assert store.stats()["relations"] == 2 and store.stats()["evidence"] == 3
    (doc,) = store.documents()
    assert (doc.entities, doc.relations) == (3, 2)
    from casegraph.graph.ids import relation_id

    assert {r.id for r in rels} == {relation_id(kept.id, "DEVELOPED", "product:predator"),
                                    relation_id("company:cytrox", "PART_OF", kept.id)}  # fmt: skip


def test_reads_shape(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "case.jsonl", [
        {"type": "Company", "name": "NSO Group", "aliases": ["NSO"], "properties": {"founded": 2010}},
        {"type": "Product", "name": "Pegasus"},
        *ENTITIES[1:], HIRED,
        {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "NSO's Pegasus.",
         "start": 0, "end": 14, "confidence": 0.5},
    ])  # fmt: skip
    load_paths(store, [src])
    nso = store.resolve("nso")
    assert nso.properties == {"founded": 2010} and nso.aliases == ("NSO",)
    (rel,) = store.relations_of(nso.id)
    (ev,) = rel.evidence
    assert (ev.quote, ev.start, ev.end, ev.confidence, ev.locator) == ("NSO's Pegasus.", 0, 14, 0.5,
                                                                       "line 6")  # fmt: skip
    assert ev.document == "case.jsonl" and len(ev.document_id) == 64
    assert store.documents_of(nso.id)[0]["title"] == "case.jsonl"
    assert store.document_text(ev.document_id) is None  # a JSONL file keeps no text
    (doc,) = store.documents()
    assert (doc.title, doc.loader, doc.entities, doc.relations) == ("case.jsonl", "jsonl", 4, 2)
    assert next(e.name for e in store.entities(limit=2)) in {"Black Cube", "Harvey Weinstein",
                                                            "NSO Group", "Pegasus"}  # fmt: skip
    assert {e.name for e in store.entities(type="company")} == {"NSO Group", "Black Cube"}
    with pytest.raises(ValidationError, match="unknown entity type 'Spaceship'"):
        store.entities(type="Spaceship")
    assert store.search("cube")[0][0].name == "Black Cube"
    assert store.search("Wienstein")[0][0].name == "Harvey Weinstein"
    assert store.search("zzzzqqq") == []
    assert len(list(store.iter_entities())) == 4
    triples = {(s, t, o) for _, s, t, o, _ in store.iter_relations()}
    assert triples == {("person:harvey-weinstein", "HIRED", "company:black-cube"),
                       ("company:nso-group", "DEVELOPED", "product:pegasus")}  # fmt: skip
    assert sorted(m[:2] for m in store.iter_mentions()) == sorted(
        (doc.id, e.id) for e in store.iter_entities()
    )
    stats = store.stats()
    assert stats["backend"] == store.backend and "@" not in stats["store"]
    assert stats["relation_types"] == {"DEVELOPED": 1, "HIRED": 1}


def test_external_ids_resolve_and_are_listed(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Cobwebs Technologies", "id": "cw-1"},
        {"type": "Company", "name": "Cytrox", "id": "cx-1"},
        {"source_id": "cw-1", "type": "PART_OF", "target_id": "cx-1", "quote": "q"},
    ])  # fmt: skip
    load_paths(store, [src])
    assert store.resolve("cw-1").name == "Cobwebs Technologies"
    assert store.xid_owner("cx-1") == "company:cytrox"
    assert sorted(store.iter_xids()) == [("cw-1", "company:cobwebs-technologies"),
                                         ("cx-1", "company:cytrox")]  # fmt: skip


def test_one_id_for_two_types_is_refused_not_merged(store: Store, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "IdA", "id": "x1"},
        {"type": "Person", "name": "IdB", "id": "x1"},
    ])  # fmt: skip
    with pytest.raises(ValidationError, match=r"line 2: id 'x1' already names a Company"):
        load_paths(store, [src])
    assert counts(store) == (0, 0, 0, 0)
