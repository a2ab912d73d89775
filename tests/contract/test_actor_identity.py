"""One actor across structured sources: a vendor listed as a Company in one source and as a
threat-actor Organization in another (by one of its names) is one entity; its malware is not."""

from __future__ import annotations

from pathlib import Path

from casegraph.graph.store import Store
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

VENDOR = [{"type": "Company", "name": "Alpha Vendor", "id": "v1"}]
ACTOR = [
    {"type": "Organization", "name": "Brass Tempest", "aliases": ["ALPHA VENDOR", "DEV-0001"],
     "id": "g1"},
    {"source_id": "g1", "type": "BASED_IN", "target": "Elbonia", "target_type": "Country",
     "quote": "Brass Tempest operates from Elbonia."},
]  # fmt: skip
MALWARE = [{"type": "Product", "name": "Alpha Vendor", "id": "m1"}]


def test_a_vendor_and_its_threat_actor_name_are_one_entity(store: Store, tmp_path: Path) -> None:
    load_paths(store, [write_jsonl(tmp_path / "vendors.jsonl", VENDOR)])
    load_paths(store, [write_jsonl(tmp_path / "actors.jsonl", ACTOR)])
    load_paths(store, [write_jsonl(tmp_path / "malware.jsonl", MALWARE)])
    vendor = store.entity("company:alpha-vendor")
    assert {"Brass Tempest", "DEV-0001"} <= set(vendor.aliases)
    assert [e.id for e in store.entities(type="Organization")] == []
    assert {r.type for r in store.relations_of(vendor.id)} == {"BASED_IN"}
    # the malware of the same name stays a product of its own
    assert store.entity("product:alpha-vendor").type == "Product"
    # why the name joined is kept with the mention
    joined = [(d["typing"] or {}).get("joined") for d in store.documents_of(vendor.id)]
    assert "its name 'ALPHA VENDOR', a Company elsewhere" in joined
    # a second load of the actor list (same ids) changes nothing and is not refused
    before = (len(list(store.iter_entities())), len(list(store.iter_relations())))
    load_paths(store, [write_jsonl(tmp_path / "actors2.jsonl", ACTOR)])
    assert (len(list(store.iter_entities())), len(list(store.iter_relations()))) == before


def test_a_name_of_two_actors_joins_neither(store: Store, tmp_path: Path) -> None:
    load_paths(store, [write_jsonl(tmp_path / "v.jsonl", [
        {"type": "Company", "name": "Gamma Labs"},
        {"type": "Company", "name": "Delta Labs"},
    ])])  # fmt: skip
    load_paths(store, [write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Organization", "name": "Opal Storm", "aliases": ["Gamma Labs", "Delta Labs"]},
    ])])  # fmt: skip
    assert store.entity("organization:opal-storm").type == "Organization"
