"""The STIX loader on the project's own bundles, on the real Amnesty, MVT and ATT&CK ones, and on broken inputs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from casegraph.errors import LoaderError
from casegraph.graph.model import Document, EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.stix import LOADER, StixLoader
from tests.conftest import SHARED, needs_shared, shared_params

DATA = SHARED / "data"
OWN = Path(__file__).resolve().parents[1] / "data" / "loaders" / "stix"
OWN_IOCS = OWN / "spyware_iocs.stix2"  # shaped like Amnesty's and MVT's bundles
OWN_ATTACK = OWN / "attack_mobile.json"  # shaped like an ATT&CK release
OWN_BUNDLES = [OWN_IOCS, OWN_ATTACK]
AMNESTY = DATA / "amnesty_investigations"
MVT = DATA / "mvt_indicators"
MOBILE = DATA / "mitre_attack_stix21" / "mobile-attack" / "mobile-attack-17.1.json"
ICS = DATA / "mitre_attack_stix21" / "ics-attack" / "ics-attack-18.1.json"
BUNDLES = [*sorted(DATA.glob("**/*.stix2")), MOBILE, ICS]


def load(path: Path, loader: StixLoader = LOADER) -> tuple[Document, list[Any]]:
    sources = list(loader.read(path, LoadOptions()))
    assert len(sources) == 1
    facts = list(sources[0].facts)  # consume fully: errors and counts surface while iterating
    return sources[0].document, facts


def objects(path: Path) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["objects"]
    return found


def entities(facts: list[Any]) -> list[EntityFact]:
    return [f for f in facts if isinstance(f, EntityFact)]


def relations(facts: list[Any]) -> list[RelationFact]:
    return [f for f in facts if isinstance(f, RelationFact)]


def names_by_xid(facts: list[Any]) -> dict[str | None, str]:
    return {f.xid: f.name for f in entities(facts) if f.xid}


def write(tmp_path: Path, name: str, content: Any) -> Path:
    path = tmp_path / name
    text = content if isinstance(content, str) else json.dumps(content)
    path.write_text(text, encoding="utf-8")
    return path


def bundle(*objs: dict[str, Any]) -> dict[str, Any]:
    return {"type": "bundle", "id": "bundle--00000000-0000-4000-8000-000000000000",
            "objects": list(objs)}  # fmt: skip


def sdo(otype: str, n: int, **fields: Any) -> dict[str, Any]:
    return {"type": otype, "id": f"{otype}--00000000-0000-4000-8000-{n:012d}", **fields}


def rel(
    n: int, verb: str, source: dict[str, Any], target: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    return sdo("relationship", n, relationship_type=verb, source_ref=source["id"],
               target_ref=target["id"], **fields)  # fmt: skip


# --- the project's own bundles, shaped like Amnesty's, MVT's and ATT&CK's -------------------


@pytest.mark.parametrize("path", [*OWN_BUNDLES, *shared_params(BUNDLES)], ids=lambda p: p.name)
def test_every_object_is_an_entity_a_relation_or_a_counted_skip(path: Path) -> None:
    doc, facts = load(path)
    objs = objects(path)
    from_objects = [f for f in entities(facts) if f.xid]
    skipped = sum(doc.properties["skipped"].values())
    assert doc.properties["counts"]["objects"] == len(objs)
    assert len(from_objects) + len(relations(facts)) + skipped == len(objs)
    assert doc.id and doc.loader == "stix"


@pytest.mark.parametrize("path", [*OWN_BUNDLES, *shared_params(BUNDLES)], ids=lambda p: p.name)
def test_no_relation_comes_before_its_ends(path: Path) -> None:
    _, facts = load(path)
    seen: set[str] = set()
    for fact in facts:
        if isinstance(fact, EntityFact):
            seen.add(fact.xid or fact.name)
        else:
            for end in (fact.source, fact.target):
                assert (end.xid or end.name) in seen, f"{fact.locator} refers ahead to {end}"


def test_own_bundle_indicators_indicate_the_malware_whatever_their_order() -> None:
    doc, facts = load(OWN_IOCS)
    names = names_by_xid(facts)
    indicators = {f.name: f.properties for f in entities(facts) if f.type == "Indicator"}
    assert {name: p["kind"] for name, p in indicators.items()} == {
        "news-update.example": "domain", "cdn-sync.example": "domain", "syncagentd": "process",
        "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90": "hash",
        "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0": "hash",
        "support.team@mail-verify.example": "email", "192.0.2.44": "ip",
        "late-defined.example": "domain",
    }  # fmt: skip
    # 'SHA-256' and sha256 spellings give one algorithm and a lower-case value
    assert {p.get("hash_algorithm") for p in indicators.values() if p["kind"] == "hash"} == {
        "sha256"
    }
    rels = relations(facts)
    assert {(r.type, names[r.target.xid]) for r in rels} == {("INDICATES", "Predator")}
    assert {names[r.source.xid] for r in rels} == set(indicators)  # the late one included
    first = rels[0]
    assert first.evidence[0].extractor == "stix" and first.locator == first.evidence[0].locator
    assert first.evidence[0].quote == f"STIX relationship indicates ({first.locator})"
    # the revoked indicator and the relationship to it, and the dangling one, are counted
    assert doc.properties["skipped"] == {
        "revoked:indicator": 1, "endpoint_skipped:revoked:indicator": 1,
        "dangling_ref:indicates": 1,
    }  # fmt: skip
    assert "retired-host.example" not in indicators


def test_own_attack_bundle_products_groups_and_skips() -> None:
    doc, facts = load(OWN_ATTACK)
    by_name = {f.name: f for f in entities(facts)}
    ios, android = by_name["Pegasus for iOS"], by_name["Pegasus for Android"]
    assert ios.type == android.type == "Product"
    assert ios.properties["external_id"] == "S0289" and ios.properties["platforms"] == ["iOS"]
    assert android.aliases == ("Chrysaor",)
    assert by_name["Example Bear"].aliases == ("Sample Panda",)
    assert by_name["Example Bear"].type == by_name["Operation Glasshouse"].type == "Organization"
    assert "OldSpy" not in by_name and "LegacyKit" not in by_name
    names = names_by_xid(facts)
    got = {(names[r.source.xid], r.type, names[r.target.xid]) for r in relations(facts)}
    assert got == {
        ("Example Bear", "USED", "Pegasus for Android"),
        ("Operation Glasshouse", "USED", "Pegasus for iOS"),
        ("Operation Glasshouse", "PART_OF", "Example Bear"),
    }
    assert doc.properties["skipped"] == {
        "unknown_type:x-mitre-collection": 1, "unknown_type:x-mitre-tactic": 1,
        "unmapped_type:marking-definition": 1, "unmapped_type:attack-pattern": 1,
        "unmapped_type:course-of-action": 1, "revoked:malware": 1, "deprecated:tool": 1,
        "deprecated:relationship": 1, "unmapped_relationship:mitigates": 1,
        "unmapped_relationship:revoked-by": 1, "endpoint_skipped:unmapped_type:attack-pattern": 1,
        "endpoint_skipped:revoked:malware": 1,
    }  # fmt: skip


def test_own_attack_bundle_quotes_a_statement_and_keeps_citation_only_text_apart() -> None:
    _, facts = load(OWN_ATTACK)
    by_locator = {r.locator: r for r in relations(facts)}
    stated = by_locator["relationship--a77ac000-0000-4000-8000-000000000100"]
    assert stated.evidence[0].quote.startswith(
        "[Example Bear](https://attack.example/groups/G9001)"
    )
    cited = by_locator["relationship--a77ac000-0000-4000-8000-000000000101"]
    assert cited.properties["description"] == "(Citation: Vendor Blog)(Citation: Lab Report 2023)"
    assert cited.evidence[0].quote.startswith("STIX relationship uses")


def test_own_attack_relationships_cite_their_reports_as_evidence() -> None:
    _, facts = load(OWN_ATTACK)
    by_locator = {r.locator: r for r in relations(facts)}
    lab = ("A. Author. (2023, May 2). Spyware seen on reporters' phones. Retrieved May 3, 2023.",
           "https://lab.example/reports/2023-spyware")  # fmt: skip
    blog = ("B. Writer. (2022, July 1). A zero-click chain, step by step. Retrieved July 2, 2022.",
            "https://vendor.example/blog/zero-click")  # fmt: skip
    stated = by_locator["relationship--a77ac000-0000-4000-8000-000000000100"]
    assert [(e.quote, e.locator) for e in stated.evidence[1:]] == [lab]
    assert stated.evidence[0].locator == stated.locator
    cited = by_locator["relationship--a77ac000-0000-4000-8000-000000000101"]
    assert [(e.quote, e.locator) for e in cited.evidence[1:]] == [blog, lab]
    assert all(e.extractor == "stix" for e in cited.evidence)
    assert cited.properties["external_references"] == [
        {"source_name": "Vendor Blog", "description": blog[0], "url": blog[1]},
        {"source_name": "Lab Report 2023", "description": lab[0], "url": lab[1]},
    ]
    uncited = by_locator["relationship--a77ac000-0000-4000-8000-000000000102"]
    assert len(uncited.evidence) == 1 and "external_references" not in uncited.properties


def test_own_attack_citations_reach_the_store_and_each_hop_names_its_report(
    tmp_path: Path,
) -> None:
    from casegraph.backends.sqlite import SqliteStore
    from casegraph.pipeline import load_paths

    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [OWN_ATTACK])
        campaign = store.resolve("Operation Glasshouse")
        (used,) = [r for r in store.relations_of(campaign.id) if r.type == "USED"]
        cites = sorted(e.cite() for e in used.evidence)
        assert cites == [
            "attack_mobile.json, https://lab.example/reports/2023-spyware",
            "attack_mobile.json, https://vendor.example/blog/zero-click",
            "attack_mobile.json, relationship--a77ac000-0000-4000-8000-000000000101",
        ]
        assert used.properties["external_references"][0]["source_name"] == "Vendor Blog"


def test_own_include_revoked_keeps_them_flagged() -> None:
    doc, facts = load(OWN_ATTACK, StixLoader(include_revoked=True))
    flagged = {f.name: f.properties for f in entities(facts)
               if f.properties.get("revoked") or f.properties.get("deprecated")}  # fmt: skip
    assert set(flagged) == {"OldSpy", "LegacyKit"}
    assert flagged["OldSpy"]["revoked"] is True and flagged["LegacyKit"]["deprecated"] is True
    assert not any(k.startswith(("revoked:", "deprecated:")) for k in doc.properties["skipped"])
    names = names_by_xid(facts)
    used = {
        (names[r.source.xid], names[r.target.xid]) for r in relations(facts) if r.type == "USED"
    }
    assert ("Example Bear", "OldSpy") in used and ("Example Bear", "LegacyKit") in used


def test_own_bundles_detected_by_extension_and_content() -> None:
    assert detect(OWN_IOCS).name == "stix"
    assert detect(OWN_ATTACK).name == "stix"
    assert LOADER.sniff(OWN_ATTACK, OWN_ATTACK.read_bytes()[:4096])
    ftm = OWN.parent / "ftm" / "entities.ftm.json"
    assert not LOADER.sniff(ftm, ftm.read_bytes()[:4096])


def test_own_bundle_without_ijson_gives_the_same_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    from casegraph.loaders import json_stream

    doc, streamed = load(OWN_IOCS)
    monkeypatch.setattr(json_stream, "_ijson", lambda: None)
    doc_whole, whole = load(OWN_IOCS)
    assert whole == streamed
    assert doc_whole.properties == doc.properties


def test_own_bundle_past_the_waiting_limit_gives_the_same_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph.loaders import stix

    objs = objects(OWN_IOCS)
    rels = [o for o in objs if o["type"] == "relationship"]
    # relationships first, then the objects they name: every one has to wait
    path = write(tmp_path, "reordered.json", bundle(*rels, *(o for o in objs if o not in rels)))
    doc, held = load(path)
    monkeypatch.setattr(stix, "WAITING_LIMIT", 2)
    doc_bounded, bounded = load(path)
    assert len(bounded) == len(held) == 9 + 8
    assert sorted(map(repr, bounded)) == sorted(map(repr, held))
    assert doc_bounded.properties == doc.properties


# --- real data -------------------------------------------------------------------------------


@needs_shared
def test_amnesty_pegasus_indicators_indicate_pegasus() -> None:
    path = AMNESTY / "2021-07-18_nso" / "pegasus.stix2"
    _, facts = load(path)
    objs = objects(path)
    n_indicators = sum(o["type"] == "indicator" for o in objs)
    n_indicates = sum(o.get("relationship_type") == "indicates" for o in objs)
    indicators = [f for f in entities(facts) if f.type == "Indicator"]
    assert len(indicators) == n_indicators
    names = names_by_xid(facts)
    rels = relations(facts)
    assert len(rels) == n_indicates
    assert {(r.type, names[r.target.xid]) for r in rels} == {("INDICATES", "Pegasus")}
    pegasus_domains = {names[r.source.xid] for r in rels}
    assert "weather4free.com" in pegasus_domains
    kinds = Counter(f.properties["kind"] for f in indicators)
    assert kinds["domain"] > 1000 and kinds["process"] > 0
    first = rels[0]
    assert first.evidence[0].extractor == "stix"
    assert first.locator is not None and first.locator.startswith("relationship--")
    assert first.evidence[0].locator == first.locator
    assert first.evidence[0].quote.startswith("STIX relationship indicates")


@needs_shared
def test_mvt_predator_indicators() -> None:
    path = MVT / "intellexa_predator" / "predator.stix2"
    _, facts = load(path)
    products = [f for f in entities(facts) if f.type == "Product"]
    assert [p.name for p in products] == ["Predator"]
    names = names_by_xid(facts)
    targets = Counter(names[r.target.xid] for r in relations(facts))
    n_indicates = sum(o.get("relationship_type") == "indicates" for o in objects(path))
    assert targets == {"Predator": n_indicates}


@pytest.mark.parametrize(
    "path",
    shared_params(
        [
            MVT / "2026-03-03_coruna_cryptowaters" / "coruna.stix2",
            MVT / "2022-06-23_rcs_lab" / "rcs.stix2",
        ]
    ),
    ids=lambda p: p.name,
)
def test_hash_patterns_are_normalised_whatever_their_spelling(path: Path) -> None:
    # coruna writes file:hashes.'SHA-256', rcs writes file:hashes.sha256
    _, facts = load(path)
    hashes = [f for f in entities(facts) if f.properties.get("kind") == "hash"]
    in_file = sum("file:hashes" in o.get("pattern", "") for o in objects(path))
    assert len(hashes) == in_file > 0
    assert all(f.properties["hash_algorithm"] == "sha256" for f in hashes)
    assert all(f.name == f.name.lower() and len(f.name) == 64 for f in hashes)


@needs_shared
def test_wintego_dangling_relationship_is_counted() -> None:
    path = AMNESTY / "2024-05-02_wintego_helios" / "wintego_helios.stix2"
    doc, facts = load(path)
    objs = objects(path)
    ids = {o["id"] for o in objs}
    dangling = [o for o in objs if o["type"] == "relationship"
                and (o["source_ref"] not in ids or o["target_ref"] not in ids)]  # fmt: skip
    assert len(dangling) == 1
    assert doc.properties["skipped"] == {"dangling_ref:indicates": 1}
    assert len(relations(facts)) == sum(o["type"] == "relationship" for o in objs) - 1


@needs_shared
def test_attack_mobile_has_pegasus_products_and_skips_revoked() -> None:
    doc, facts = load(MOBILE)
    by_name = {f.name: f for f in entities(facts)}
    ios, android = by_name["Pegasus for iOS"], by_name["Pegasus for Android"]
    assert ios.type == android.type == "Product"
    assert ios.properties["external_id"] == "S0289"
    assert "Chrysaor" in android.aliases
    assert android.xid == "malware--93799a9d-3537-43d8-b6f4-17215de1657c"
    objs = objects(MOBILE)
    revoked = Counter(o["type"] for o in objs if o.get("revoked") is True)
    deprecated = Counter(
        o["type"]
        for o in objs
        if o.get("x_mitre_deprecated") is True and o.get("revoked") is not True
    )
    skipped = doc.properties["skipped"]
    for otype, n in revoked.items():
        assert skipped[f"revoked:{otype}"] == n
    for otype, n in deprecated.items():
        assert skipped[f"deprecated:{otype}"] == n
    flagged = {o["id"] for o in objs if o.get("revoked") or o.get("x_mitre_deprecated")}
    assert not flagged & {f.xid for f in entities(facts)}
    assert skipped["unmapped_type:attack-pattern"] > 100
    assert skipped["unknown_type:x-mitre-tactic"] > 0
    assert skipped["unmapped_relationship:mitigates"] == sum(
        o.get("relationship_type") == "mitigates" and not o.get("x_mitre_deprecated") for o in objs
    )


@needs_shared
def test_attack_group_uses_malware_and_campaign_is_part_of_group() -> None:
    _, facts = load(MOBILE)
    names = names_by_xid(facts)
    types = {(r.source.type, r.type, r.target.type) for r in relations(facts)}
    assert types == {
        ("Organization", "USED", "Product"),
        ("Organization", "PART_OF", "Organization"),
    }
    used = {
        (names[r.source.xid], names[r.target.xid]) for r in relations(facts) if r.type == "USED"
    }
    assert ("Operation Triangulation", "TriangleDB") in used
    cited = [r for r in relations(facts) if "description" in r.properties]
    assert cited and all(r.evidence[0].quote.startswith("STIX relationship") for r in cited)
    # every relation whose relationship cites reports has one evidence item per report
    objs = {o["id"]: o for o in objects(MOBILE)}
    for rel in relations(facts):
        refs = [r for r in objs[rel.locator].get("external_references", []) if r.get("url")]
        assert [e.locator for e in rel.evidence[1:]] == [r["url"] for r in refs]
    assert sum(len(r.evidence) > 1 for r in relations(facts)) >= 10  # 14 in ATT&CK Mobile 17.1


@needs_shared
def test_include_revoked_keeps_them_flagged() -> None:
    doc, facts = load(MOBILE, StixLoader(include_revoked=True))
    flagged = [f for f in entities(facts) if f.properties.get("deprecated")]
    n_deprecated_malware = sum(
        o["type"] == "malware" and o.get("x_mitre_deprecated") is True for o in objects(MOBILE)
    )
    assert len([f for f in flagged if f.type == "Product"]) == n_deprecated_malware
    assert not any(k.startswith(("revoked:", "deprecated:")) for k in doc.properties["skipped"])


@needs_shared
def test_detection_by_extension_and_content() -> None:
    assert detect(AMNESTY / "2021-07-18_nso" / "pegasus.stix2").name == "stix"
    assert detect(MOBILE).name == "stix"
    assert LOADER.sniff(MOBILE, MOBILE.read_bytes()[:4096])
    ftm = DATA / "ftm_opensanctions" / "yente" / "tests" / "fixtures" / "dataset" / "zala"
    assert not LOADER.sniff(
        ftm / "entities.ftm.json", (ftm / "entities.ftm.json").read_bytes()[:4096]
    )


# --- mapping rules on small inputs -----------------------------------------------------------


def test_sdo_mapping_and_relationship_verbs(tmp_path: Path) -> None:
    actor = sdo("intrusion-set", 1, name="Karkadann", aliases=["Karkadann", "Dark K"])
    person = sdo("threat-actor", 2, name="Lone Wolf", resource_level="individual")
    vendor = sdo("identity", 3, name="Spyware Ltd", identity_class="organization")
    ngo = sdo("identity", 4, name="Citizen Lab", identity_class="organization")
    victims = sdo("identity", 5, name="journalists", identity_class="class")
    israel = sdo("location", 6, name="Israel", country="IL")
    tlv = sdo("location", 7, name="Tel Aviv", city="Tel Aviv", country="IL")
    tool = sdo("malware", 8, name="Pegasus", is_family=True)
    ind = sdo("indicator", 9, pattern="[domain-name:value = 'Bad.Example.COM']",
              pattern_type="stix", valid_from="2021-01-01T00:00:00Z")  # fmt: skip
    ip = sdo("ipv4-addr", 10, value="10.0.0.1")
    rels = [
        rel(11, "uses", actor, tool), rel(12, "targets", actor, victims),
        rel(13, "located-at", vendor, israel), rel(14, "authored-by", tool, vendor),
        rel(15, "indicates", ind, tool, description="C2 domain of Pegasus", confidence=80),
        rel(16, "communicates-with", tool, ip), rel(17, "attributed-to", actor, vendor),
    ]  # fmt: skip
    path = write(tmp_path, "b.json", bundle(actor, person, vendor, ngo, victims, israel, tlv,
                                            tool, ind, ip, *rels))  # fmt: skip
    doc, facts = load(path)
    typed = {f.name: f.type for f in entities(facts)}
    assert typed == {
        "Karkadann": "Organization", "Lone Wolf": "Person", "Spyware Ltd": "Company",
        "Citizen Lab": "Organization", "journalists": "VictimGroup", "Israel": "Country",
        "Tel Aviv": "Location", "Pegasus": "Product", "bad.example.com": "Indicator",
        "10.0.0.1": "Indicator",
    }  # fmt: skip
    assert entities(facts)[0].aliases == ("Dark K",)
    names = names_by_xid(facts)
    got = {(names.get(r.source.xid, r.source.name), r.type, names.get(r.target.xid, r.target.name))
           for r in relations(facts)}  # fmt: skip
    assert got == {
        ("Karkadann", "USED", "Pegasus"), ("Karkadann", "TARGETED", "journalists"),
        ("Spyware Ltd", "BASED_IN", "Israel"), ("Spyware Ltd", "DEVELOPED", "Pegasus"),
        ("bad.example.com", "INDICATES", "Pegasus"), ("10.0.0.1", "INDICATES", "Pegasus"),
        ("Karkadann", "PART_OF", "Spyware Ltd"), ("Tel Aviv", "LOCATED_IN", "Israel"),
    }  # fmt: skip
    indicates = next(r for r in relations(facts) if r.evidence[0].quote == "C2 domain of Pegasus")
    assert indicates.evidence[0].confidence == pytest.approx(0.8)
    assert doc.properties["skipped"] == {}


def test_relation_before_its_objects_waits_for_them(tmp_path: Path) -> None:
    tool = sdo("malware", 1, name="Predator")
    ind = sdo("indicator", 2, pattern="[url:value = 'https://x.example/a']", pattern_type="stix")
    path = write(tmp_path, "late.json", bundle(rel(3, "indicates", ind, tool), ind, tool))
    _, facts = load(path)
    assert [type(f).__name__ for f in facts] == ["EntityFact", "EntityFact", "RelationFact"]
    assert facts[0].properties["kind"] == "url"


def test_skips_are_counted(tmp_path: Path) -> None:
    actor = sdo("intrusion-set", 1, name="APT")
    country = sdo("location", 2, country="RU")
    technique = sdo("attack-pattern", 3, name="Phishing")
    objs = [
        actor, country, technique, sdo("x-foo", 4, name="custom"), sdo("x-foo", 5),
        sdo("malware", 6, name="Old", revoked=True),
        rel(7, "targets", actor, country),  # TARGETED refuses Organization -> Country
        rel(8, "uses", actor, technique),  # ends at a skipped object
        rel(9, "uses", actor, sdo("malware", 99)),  # dangling
        rel(10, "mitigates", actor, technique),
        sdo("identity", 11, name="Some System", identity_class="system"),
    ]  # fmt: skip
    doc, facts = load(write(tmp_path, "skips.json", bundle(*objs)))
    assert doc.properties["skipped"] == {
        "unmapped_type:attack-pattern": 1, "unknown_type:x-foo": 2, "revoked:malware": 1,
        "endpoint_types:TARGETED Organization->Country": 1,
        "endpoint_skipped:unmapped_type:attack-pattern": 1, "dangling_ref:uses": 1,
        "unmapped_relationship:mitigates": 1, "unmapped_identity_class:system": 1,
    }  # fmt: skip
    assert [f.name for f in entities(facts)] == ["APT", "Russia"]
    assert relations(facts) == []


def test_json_lines_array_and_single_object_files(tmp_path: Path) -> None:
    tool = sdo("tool", 1, name="Cobalt Strike")
    ind = sdo("domain-name", 2, value="evil.example")
    lines = "\n".join(json.dumps(o) for o in (tool, ind, rel(3, "indicates", ind, tool)))
    _, facts = load(write(tmp_path, "objects.json", lines + "\n"))
    assert [f.locator for f in facts] == [tool["id"], ind["id"], "relationship--"
                                          "00000000-0000-4000-8000-000000000003"]  # fmt: skip
    _, facts = load(write(tmp_path, "array.json", [tool, ind]))
    assert [f.name for f in facts] == ["Cobalt Strike", "evil.example"]
    _, facts = load(write(tmp_path, "single.json", json.dumps(tool, indent=2)))
    assert [f.name for f in facts] == ["Cobalt Strike"]


# --- broken inputs ---------------------------------------------------------------------------


def test_truncated_bundle_names_file_and_last_object(tmp_path: Path) -> None:
    text = json.dumps(bundle(sdo("malware", 1, name="A"), sdo("malware", 2, name="B")))
    path = write(tmp_path, "cut.json", text[: len(text) - 40])
    with pytest.raises(LoaderError, match=r"cut\.json: truncated or invalid JSON after object 1 "
                       r"\(malware--00000000-0000-4000-8000-000000000001\)"):  # fmt: skip
        load(path)


def test_object_without_type_names_the_position(tmp_path: Path) -> None:
    path = write(tmp_path, "notype.json", bundle(sdo("malware", 1, name="A"), {"id": "x--1"}))
    with pytest.raises(LoaderError, match=r"notype\.json: object 2 \(x--1\): not a STIX object"):
        load(path)


def test_wrong_field_type_names_the_object(tmp_path: Path) -> None:
    path = write(tmp_path, "wrong.json", bundle(sdo("malware", 1, name=42)))
    with pytest.raises(LoaderError, match=r"object 1 \(malware--\S+\): .*'name' must be a string"):
        load(path)


def test_bad_json_line_names_the_line(tmp_path: Path) -> None:
    good = json.dumps(sdo("tool", 1, name="T"))
    path = write(tmp_path, "lines.json", good + "\n" + good[:-5] + "\n")
    with pytest.raises(LoaderError, match=r"lines\.json:2: invalid JSON"):
        load(path)


def test_relationship_without_refs_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "r.json", bundle(sdo("relationship", 1, relationship_type="uses")))
    with pytest.raises(LoaderError, match="needs relationship_type, source_ref and target_ref"):
        load(path)


@needs_shared
def test_without_ijson_the_same_facts_come_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from casegraph.loaders import json_stream

    path = AMNESTY / "2024-05-02_wintego_helios" / "wintego_helios.stix2"
    doc, streamed = load(path)
    monkeypatch.setattr(json_stream, "_ijson", lambda: None)
    doc_whole, whole = load(path)
    assert whole == streamed
    assert doc_whole.properties == doc.properties


@needs_shared
def test_past_the_waiting_limit_a_second_pass_gives_the_same_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph.loaders import stix

    real = AMNESTY / "2024-05-02_wintego_helios" / "wintego_helios.stix2"
    objs = objects(real)
    rels = [o for o in objs if o["type"] == "relationship"]
    # relationships first, then the objects they name: every one has to wait
    path = write(tmp_path, "reordered.json", bundle(*rels, *(o for o in objs if o not in rels)))
    doc, held = load(path)
    monkeypatch.setattr(stix, "WAITING_LIMIT", 10)
    doc_bounded, bounded = load(path)
    assert len(bounded) == len(held) == len(entities(held)) + len(rels) - 1
    assert sorted(map(repr, bounded)) == sorted(map(repr, held))
    assert doc_bounded.properties == doc.properties
    assert doc.properties["skipped"] == {"dangling_ref:indicates": 1}
