"""MISP galaxy clusters: the project's own files, the real ones in ../shared/data, and broken ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import LoaderError
from casegraph.graph.model import EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.misp import LOADER
from casegraph.pipeline import load_paths

OWN = Path(__file__).resolve().parents[1] / "data" / "loaders" / "misp"


def facts(path: Path) -> tuple[list[EntityFact], list[RelationFact], dict[str, int]]:
    (source,) = LOADER.read(path, LoadOptions())
    items = list(source.facts)
    entities = [f for f in items if isinstance(f, EntityFact)]
    relations = [f for f in items if isinstance(f, RelationFact)]
    return entities, relations, dict(source.document.properties["skipped"])


def test_own_vendors_with_products_countries_and_links() -> None:
    path = OWN / "clusters" / "surveillance-vendor.json"
    assert detect(path).name == "misp"
    entities, relations, skipped = facts(path)
    vendors = {e.name: e for e in entities if e.type == "Company"}
    assert set(vendors) == {"NSO Group", "Cytrox", "Intellexa"}
    assert vendors["NSO Group"].aliases == ("Q Cyber Technologies", "NSO")
    assert vendors["NSO Group"].xid == "7e570000-0000-4000-8000-000000000011"
    got = {(r.source.name or r.source.xid, r.type, r.target.name or r.target.xid)
           for r in relations}  # fmt: skip
    assert got == {
        ("NSO Group", "DEVELOPED", "Pegasus"), ("Cytrox", "DEVELOPED", "Predator"),
        ("NSO Group", "BASED_IN", "Israel"), ("Cytrox", "BASED_IN", "North Macedonia"),
        ("7e570000-0000-4000-8000-000000000011", "MENTIONED_WITH",
         "7e570000-0000-4000-8000-000000000012"),
        ("7e570000-0000-4000-8000-000000000012", "PART_OF",
         "7e570000-0000-4000-8000-000000000013"),
    }  # fmt: skip
    assert skipped == {"unknown_country:zz": 1, "link_outside_file": 1}


def test_own_folder_load_skips_definitions_and_unmapped_cluster_types(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [OWN])
        assert [d.loader for d in store.documents()] == ["misp", "misp"]
        assert summary.skipped["unrecognised format: .json"] == 1  # the galaxy definition
        assert summary.skipped["unmapped_cluster_type:sector"] == 2
        pegasus = store.resolve("product:pegasus")
        assert [r.type for r in store.relations_of(pegasus.id)] == ["DEVELOPED"]


def test_vendors_with_products_countries_and_links(shared: Path) -> None:
    path = shared / "data" / "misp_galaxy" / "clusters" / "surveillance-vendor.json"
    assert detect(path).name == "misp"
    raw = json.loads(path.read_text(encoding="utf-8"))
    entities, relations, _ = facts(path)
    vendors = [e for e in entities if e.type == "Company"]
    assert len(vendors) == len(raw["values"])
    nso = next(e for e in vendors if e.name.lower() == "nso group")
    assert {"Q-Cyber", "Circles"} <= set(nso.aliases) and nso.xid
    developed = {(r.source.name, r.target.name) for r in relations if r.type == "DEVELOPED"}
    assert ("NSO group", "PEGASUS") in developed
    parts = [r for r in relations if r.type == "PART_OF"]
    assert parts and all(r.source.xid and r.target.xid for r in parts)


def test_threat_actors_are_based_in_countries(shared: Path) -> None:
    path = shared / "data" / "misp_galaxy" / "clusters" / "threat-actor.json"
    _, relations, skipped = facts(path)
    based = [r for r in relations if r.type == "BASED_IN"]
    assert len(based) > 300 and all(r.target.type == "Country" for r in based)
    assert "China" in {r.target.name for r in based}
    assert skipped.get("link_outside_file", 0) > 0


def test_folder_load_skips_definitions_and_sectors(shared: Path, tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [shared / "data" / "misp_galaxy"])
        # the seven cluster files (the README and LICENSE load as text); definitions are skipped
        assert sum(d.loader == "misp" for d in store.documents()) == 7
        assert summary.skipped["unrecognised format: .json"] == 7
        assert summary.skipped["unmapped_cluster_type:sector"] > 100
        pegasus = store.resolve("product:pegasus")
        assert any(r.type == "DEVELOPED" for r in store.relations_of(pegasus.id))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"authors": [], "category": "x", "uuid": "u", "values": [{"uuid": "a"}]}',
            "string 'value'",
        ),
        ('{"authors": [], "category": "x", "uuid": "u", "values": [', "invalid JSON"),
        ('{"authors": [], "category": "x", "uuid": "u", "values": 3}', "no 'values' list"),
    ],
)
def test_broken_cluster_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content.replace('"values"', '"type": "tool", "values"'), encoding="utf-8")
    with pytest.raises(LoaderError, match=message):
        facts(path)
