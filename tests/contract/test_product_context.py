"""Products merged only when their sources agree on what they are: a vendor's listed product is not
the same-named malware of another catalogue that never names the vendor (the Triton/TRISIS
construction), in either load order, while a record that names the vendor still merges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casegraph.graph.context import KEPT_APART
from casegraph.graph.store import Store
from casegraph.pipeline import load_paths
from casegraph.queries.paths import PathOptions, find_paths
from tests.conftest import write_jsonl

VENDORS = {
    "authors": ["casegraph tests"], "category": "actor", "source": "casegraph tests",
    "type": "surveillance-vendor", "name": "Surveillance Vendor",
    "uuid": "0b7e1a52-0000-4000-8000-000000000001",
    "values": [{
        "value": "Quillfeather", "uuid": "0b7e1a52-0000-4000-8000-000000000002",
        "description": "A firm that sells phone interception kits to police forces.",
        "meta": {"products": ["Kestrel", "Lantern"]},
    }],
}  # fmt: skip
TOOLS = {
    "authors": ["casegraph tests"], "category": "tool", "source": "casegraph tests",
    "type": "tool", "name": "Tool", "uuid": "0b7e1a52-0000-4000-8000-000000000003",
    "values": [
        {"value": "KESTREL-ICS", "uuid": "0b7e1a52-0000-4000-8000-000000000004",
         "description": "A framework that rewrites the logic of safety controllers in plants.",
         "meta": {"synonyms": ["Kestrel"]}},
        {"value": "Lantern", "uuid": "0b7e1a52-0000-4000-8000-000000000005",
         "description": "Lantern is the phone implant that Quillfeather sells to the police."},
    ],
}  # fmt: skip
ACTORS = [
    {"type": "Organization", "name": "Ember Wasp"},
    {"source": "Ember Wasp", "type": "USED", "target": "KESTREL-ICS", "target_type": "Product",
     "quote": "Ember Wasp deployed KESTREL-ICS against a refinery."},
]  # fmt: skip


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


@pytest.mark.parametrize("vendor_first", [True, False], ids=["vendor-first", "tool-first"])
def test_a_listed_product_is_not_the_malware_of_the_same_name(
    store: Store, tmp_path: Path, vendor_first: bool
) -> None:
    vendors = _write(tmp_path / "vendors.json", VENDORS)
    tools = _write(tmp_path / "tools.json", TOOLS)
    kept = 0
    for path in (vendors, tools) if vendor_first else (tools, vendors):
        kept += load_paths(store, [path]).skipped.get(KEPT_APART, 0)
    load_paths(store, [write_jsonl(tmp_path / "actors.jsonl", ACTORS)])
    assert kept >= 1

    made = {r.other.id for r in store.relations_of("company:quillfeather") if r.type == "DEVELOPED"}
    malware = next(e for e, _ in store.search("KESTREL-ICS") if e.name == "KESTREL-ICS")
    assert malware.id not in made  # the false fact: Quillfeather DEVELOPED the ICS malware
    kestrel = [store.entity(i) for i in made if store.entity(i).name.startswith("Kestrel")]
    assert [e.type for e in kestrel] == ["Product"]  # the right fact: its own listed Kestrel
    # and so no cited path from the vendor to the malware's user
    answer = find_paths(store, "Quillfeather", "Ember Wasp", PathOptions(max_hops=6))
    assert not answer.paths

    # a record that names the vendor is the vendor's product: one entity, described
    (lantern,) = [store.entity(i) for i in made if store.entity(i).name == "Lantern"]
    assert "Quillfeather" in str(lantern.properties.get("description"))
    assert [e.id for e, _ in store.search("Lantern") if e.type == "Product"] == [lantern.id]

    # a second load of both lists changes nothing
    before = (len(list(store.iter_entities())), len(list(store.iter_relations())))
    load_paths(store, [_write(tmp_path / "v2.json", VENDORS), _write(tmp_path / "t2.json", TOOLS)])
    assert (len(list(store.iter_entities())), len(list(store.iter_relations()))) == before
