"""The FollowTheMoney loader on the project's own stream, on real OpenSanctions ones, and on broken inputs."""

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
from casegraph.loaders.data import country_code, country_name
from casegraph.loaders.ftm import LOADER
from tests.conftest import SHARED, needs_shared, shared_params

DATA = SHARED / "data" / "ftm_opensanctions"
# shaped like an OpenSanctions export: links before their ends, an EU sanction, unmapped schemas
OWN = Path(__file__).resolve().parents[1] / "data" / "loaders" / "ftm" / "entities.ftm.json"
DATASETS = DATA / "yente" / "tests" / "fixtures" / "dataset"
ZALA = DATASETS / "zala" / "entities.ftm.json"
DONATIONS = DATASETS / "parteispenden" / "entities.ftm.json"
IJSON = DATA / "nomenklatura" / "tests" / "fixtures" / "donations.ijson"
STREAMS = [ZALA, DONATIONS, DATASETS / "t1" / "entities.ftm.json", IJSON]
THINGS = {"Person", "Company", "Organization", "LegalEntity", "PublicBody"}


def load(path: Path) -> tuple[Document, list[Any]]:
    sources = list(LOADER.read(path, LoadOptions()))
    assert len(sources) == 1
    return sources[0].document, list(sources[0].facts)


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def entities(facts: list[Any]) -> list[EntityFact]:
    return [f for f in facts if isinstance(f, EntityFact)]


def relations(facts: list[Any], rtype: str | None = None) -> list[RelationFact]:
    return [f for f in facts if isinstance(f, RelationFact) and rtype in (None, f.type)]


def named(facts: list[Any]) -> dict[str | None, str]:
    return {f.xid: f.name for f in entities(facts) if f.xid}


def pairs(recs: list[dict[str, Any]], schema: str, source: str, target: str) -> int:
    return sum(len(r["properties"].get(source, [])) * len(r["properties"].get(target, []))
               for r in recs if r["schema"] == schema)  # fmt: skip


def write_lines(tmp_path: Path, *recs: Any, name: str = "s.json") -> Path:
    path = tmp_path / name
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in recs))
    return path


def rec(fid: str, schema: str, **props: Any) -> dict[str, Any]:
    listed = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {"id": fid, "schema": schema, "properties": listed}


# --- the project's own stream, shaped like an OpenSanctions export -----------------------


@pytest.mark.parametrize(
    "path", [OWN, *shared_params(STREAMS)], ids=lambda p: p.parent.name + "/" + p.name
)
def test_every_thing_becomes_an_entity_with_its_ftm_id(path: Path) -> None:
    doc, facts = load(path)
    recs = records(path)
    things = {r["id"] for r in recs if r["schema"] in THINGS}
    assert {f.xid for f in entities(facts) if f.xid} == things
    assert doc.properties["counts"]["records"] == len(recs)
    unmapped = Counter(r["schema"] for r in recs
                       if r["schema"] in {"Address", "Passport", "Vessel", "Airplane"})  # fmt: skip
    for schema, n in unmapped.items():
        assert doc.properties["skipped"][f"unmapped_schema:{schema}"] == n


@pytest.mark.parametrize(
    "path", [OWN, *shared_params(STREAMS)], ids=lambda p: p.parent.name + "/" + p.name
)
def test_no_relation_comes_before_its_ends(path: Path) -> None:
    _, facts = load(path)
    seen: set[str] = set()
    for fact in facts:
        if isinstance(fact, EntityFact):
            seen.add(fact.xid or fact.name)
        else:
            for end in (fact.source, fact.target):
                assert (end.xid or end.name) in seen, f"{fact.locator} refers ahead to {end}"


def test_own_stream_links_wait_for_their_ends_and_keep_their_details() -> None:
    doc, facts = load(OWN)
    names = named(facts)
    got = {(names.get(r.source.xid, r.source.name), r.type, names.get(r.target.xid, r.target.name))
           for r in relations(facts)}  # fmt: skip
    assert got == {
        ("Anna Petrova", "OWNS", "Aero Test LLC"), ("Test Holding Ltd", "OWNS", "Aero Test LLC"),
        ("Anna Petrova", "WORKS_FOR", "Aero Test LLC"),
        ("Office of Foreign Assets Control", "SANCTIONED", "Aero Test LLC"),
        ("Council of the European Union", "SANCTIONED", "Aero Test LLC"),
        ("Anna Petrova", "MENTIONED_WITH", "Boris Petrov"),
        ("Boris Petrov", "MENTIONED_WITH", "Civic Test Party"),
        ("Office of Foreign Assets Control", "BASED_IN", "United States"),
        ("Aero Test LLC", "BASED_IN", "Russia"), ("Test Holding Ltd", "BASED_IN", "United Kingdom"),
        ("Civic Test Party", "BASED_IN", "Germany"),
    }  # fmt: skip
    anna_owns = next(r for r in relations(facts, "OWNS") if r.locator == "line 1")
    assert anna_owns.properties["percentage"] == "51"
    assert anna_owns.properties["startDate"] == "2018-06-15"  # the earliest of two
    family = relations(facts, "MENTIONED_WITH")[0]
    assert (family.properties["ftm_schema"], family.properties["relationship"]) == (
        "Family", "Spouse of",
    )  # fmt: skip
    payment = relations(facts, "MENTIONED_WITH")[1]
    assert (
        payment.properties["ftm_schema"] == "Payment" and payment.properties["amountEur"] == "1200"
    )
    eu = next(r for r in relations(facts, "SANCTIONED") if r.locator == "line 5")
    assert eu.evidence[0].quote == "Listed for supplying drones"
    assert doc.properties["skipped"] == {
        "unknown_country:eu": 1, "unmapped_schema:Address": 1, "unmapped_schema:Passport": 1,
        "dangling_ref:Ownership": 1,
    }  # fmt: skip


def test_own_stream_things_keep_names_types_and_record_fields() -> None:
    _, facts = load(OWN)
    by_name = {f.name: f for f in entities(facts)}
    aero = by_name["Aero Test LLC"]
    assert aero.type == "Company" and aero.aliases == ("AeroTest Drones",)
    assert aero.properties["ftm_schema"] == "Company" and aero.properties["target"] is True
    assert by_name["Anna Petrova"].aliases == ("PETROVA, Anna",)
    assert by_name["Test Holding Ltd"].type == "Organization"  # a LegalEntity: not assumed a firm
    assert by_name["Anna Petrova"].properties["country"] == "ru"  # persons keep it as a property
    assert "1 Test Street, Testville" not in by_name


def test_own_stream_detected_by_content() -> None:
    assert detect(OWN).name == "ftm"
    bundle = OWN.parents[1] / "stix" / "spyware_iocs.stix2"
    assert not LOADER.sniff(bundle, bundle.read_bytes()[:4096])


def test_own_stream_past_the_waiting_limit_gives_the_same_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph.loaders import ftm

    doc, held = load(OWN)
    monkeypatch.setattr(ftm, "WAITING_LIMIT", 2)
    doc_bounded, bounded = load(OWN)
    assert sorted(map(repr, bounded)) == sorted(map(repr, held))
    assert doc_bounded.properties == doc.properties
    assert len(relations(bounded)) == 11


# --- real data -------------------------------------------------------------------------------


@needs_shared
def test_zala_links_match_the_stream() -> None:
    _, facts = load(ZALA)
    recs = records(ZALA)
    assert len(relations(facts, "OWNS")) == pairs(recs, "Ownership", "owner", "asset")
    assert len(relations(facts, "WORKS_FOR")) == pairs(
        recs, "Directorship", "director", "organization"
    )
    assert len(relations(facts, "SANCTIONED")) == sum(r["schema"] == "Sanction" for r in recs)
    family = relations(facts, "MENTIONED_WITH")
    assert len(family) == pairs(recs, "Family", "person", "relative")
    assert {r.properties["ftm_schema"] for r in family} == {"Family"}
    assert {r.properties["relationship"] for r in family} == {"Family member of"}


@needs_shared
def test_zala_known_facts() -> None:
    _, facts = load(ZALA)
    names = named(facts)
    owns = {(names[r.source.xid], names[r.target.xid], r.properties.get("percentage"),
             r.properties.get("startDate")) for r in relations(facts, "OWNS")}  # fmt: skip
    assert ("Alexander Vyacheslavovich ZAKHAROV", "LLC CST", "51", "2015-11-25") in owns
    assert ("JSC Kalashnikov Concern", "LLC CST", "49", "2016-03-29") in owns
    sanctioned = {(r.source.name, names[r.target.xid]) for r in relations(facts, "SANCTIONED")}
    assert ("Office of Foreign Assets Control", "LLC CST") in sanctioned
    assert ("Global Affairs Canada", "LLC CST") in sanctioned
    based = {(names.get(r.source.xid, r.source.name), r.target.name)
             for r in relations(facts, "BASED_IN")}  # fmt: skip
    assert ("LLC CST", "Russia") in based
    assert ("Global Affairs Canada", "Canada") in based
    cst = next(f for f in entities(facts) if f.name == "LLC CST")
    assert cst.type == "Company" and "Zala Aero" in cst.aliases
    assert cst.properties["ftm_schema"] == "Company" and cst.properties["target"] is True
    people = {f.name for f in entities(facts) if f.type == "Person"}
    assert "Alexander Vyacheslavovich ZAKHAROV" in people


@needs_shared
def test_zala_sanction_by_the_eu_is_kept_but_its_country_is_not_a_country() -> None:
    doc, facts = load(ZALA)
    eu = [
        r
        for r in records(ZALA)
        if r["schema"] == "Sanction" and r["properties"]["country"] == ["eu"]
    ]
    authorities = {r["properties"]["authority"][0] for r in eu}
    assert doc.properties["skipped"]["unknown_country:eu"] == len(authorities)
    sanctioned_by = {r.source.name for r in relations(facts, "SANCTIONED")}
    assert authorities <= sanctioned_by


@needs_shared
def test_donations_payments_are_weak_links_with_amounts() -> None:
    _, facts = load(DONATIONS)
    recs = records(DONATIONS)
    payments = relations(facts, "MENTIONED_WITH")
    assert len(payments) == pairs(recs, "Payment", "payer", "beneficiary")
    assert all(r.properties["ftm_schema"] == "Payment" and "amountEur" in r.properties
               for r in payments)  # fmt: skip
    names = named(facts)
    dachner = [r for r in payments if names[r.source.xid] == "Frau Lina Dachner"]
    assert dachner and names[dachner[0].target.xid] == "MLPD"
    companies = {f.xid for f in entities(facts) if f.type == "Company"}
    based = [r for r in relations(facts, "BASED_IN") if r.source.xid in companies]
    assert based and {r.target.name for r in based} >= {"Germany"}


@needs_shared
def test_detection_by_content() -> None:
    assert detect(ZALA).name == "ftm"
    assert detect(IJSON).name == "ftm"
    pegasus = DATA.parent / "amnesty_investigations" / "2021-07-18_nso" / "pegasus.stix2"
    assert not LOADER.sniff(pegasus, pegasus.read_bytes()[:4096])


def test_country_table() -> None:
    assert country_name("ru") == "Russia" and country_name("MK") == "North Macedonia"
    assert country_name("eu") is None and country_name("xx") is None
    assert country_code("Russian Federation") == "RU" and country_code("israel") == "IL"


# --- mapping rules and broken inputs ---------------------------------------------------------


def test_forward_references_wait_and_missing_ends_are_counted(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        rec("own1", "Ownership", owner="p1", asset="c1", startDate=["2020-01-01", "2019-05-01"],
            endDate="2021-01-01", percentage="30"),
        rec("own2", "Ownership", owner="p1", asset="gone"),
        rec("p1", "Person", name=["Jane Roe", "J. Roe"], country="gb"),
        rec("c1", "Company", name="Roe Ltd", jurisdiction="gb", country="GB"),
    )  # fmt: skip
    doc, facts = load(path)
    assert [type(f).__name__ for f in facts] == [
        "EntityFact",
        "EntityFact",
        "EntityFact",
        "RelationFact",
        "RelationFact",
    ]
    person, _, country = entities(facts)
    assert person.aliases == ("J. Roe",) and person.properties["country"] == "gb"
    assert country.name == "United Kingdom" and country.type == "Country"
    based, owns = relations(facts)
    assert (based.type, based.target.name) == ("BASED_IN", "United Kingdom")
    assert owns.type == "OWNS" and owns.locator == "line 1"
    assert (
        owns.properties["startDate"] == "2019-05-01" and owns.properties["endDate"] == "2021-01-01"
    )
    assert doc.properties["skipped"] == {"dangling_ref:Ownership": 1}


def test_membership_court_cases_and_refused_pairs(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path,
        rec("p", "Person", name="Ann"), rec("o", "Organization", name="Club"),
        rec("c", "Company", name="Firm"), rec("v", "Vessel", name="Boat"),
        rec("case", "CourtCase", name="Firm v. Club"),
        rec("m1", "Membership", member="p", organization="o"),
        rec("m2", "Membership", member="c", organization="o"),
        rec("d1", "Directorship", director="c", organization="o"),
        rec("o1", "Ownership", owner="c", asset="v"),
        rec("cp1", "CourtCaseParty", party="c", case="case", role="Plaintiff"),
        rec("cp2", "CourtCaseParty", party="o", case="case", role="Defendant"),
        rec("cp3", "CourtCaseParty", party="p", case="case", role="Witness"),
        rec("s1", "Sanction", entity="c", country="us"),
        rec("s2", "Sanction", entity="c"),
    )  # fmt: skip
    doc, facts = load(path)
    names = {**named(facts)}
    got = {(names.get(r.source.xid, r.source.name), r.type, names.get(r.target.xid, r.target.name))
           for r in relations(facts)}  # fmt: skip
    assert got == {
        ("Ann", "MENTIONED_WITH", "Club"), ("Firm", "PART_OF", "Club"),
        ("Firm", "PLAINTIFF_IN", "Firm v. Club"), ("Club", "DEFENDANT_IN", "Firm v. Club"),
        ("Firm v. Club", "CONCERNS", "Ann"), ("United States", "SANCTIONED", "Firm"),
    }  # fmt: skip
    assert doc.properties["skipped"] == {
        "unmapped_schema:Vessel": 1, "endpoint_types:Directorship Company->Organization": 1,
        "endpoint_skipped:unmapped_schema:Vessel": 1, "no_authority:Sanction": 1,
    }  # fmt: skip


def test_json_array_form(tmp_path: Path) -> None:
    path = tmp_path / "array.json"
    path.write_text(json.dumps([rec("p", "Person", name="Ann"), rec("q", "Person", name="Bo")]))
    _, facts = load(path)
    assert [f.name for f in facts] == ["Ann", "Bo"]


def test_truncated_line_names_the_line(tmp_path: Path) -> None:
    good = json.dumps(rec("p", "Person", name="Ann"))
    path = write_lines(tmp_path, good, good[:-7])
    with pytest.raises(LoaderError, match=r"s\.json:2: invalid JSON"):
        load(path)


def test_missing_schema_names_the_entity_and_line(tmp_path: Path) -> None:
    path = write_lines(tmp_path, rec("p", "Person", name="Ann"), {"id": "q", "properties": {}})
    with pytest.raises(LoaderError, match=r"s\.json:2: entity q: FtM entity without a 'schema'"):
        load(path)


def test_wrong_property_type_names_the_entity(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"id": "p", "schema": "Person", "properties": {"name": [1, 2]}})
    with pytest.raises(LoaderError, match=r"s\.json:1: entity p: property 'name' must be a list"):
        load(path)


def test_properties_must_be_an_object(tmp_path: Path) -> None:
    path = write_lines(tmp_path, {"id": "p", "schema": "Person", "properties": ["Ann"]})
    with pytest.raises(LoaderError, match=r"s\.json:1: entity p: field 'properties' must be"):
        load(path)


@needs_shared
def test_past_the_waiting_limit_a_second_pass_gives_the_same_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph.loaders import ftm

    recs = records(ZALA)
    things = [r for r in recs if r["schema"] in THINGS]
    # every link and sanction before the entities it names
    path = write_lines(tmp_path, *[r for r in recs if r not in things], *things)
    doc, held = load(path)
    monkeypatch.setattr(ftm, "WAITING_LIMIT", 5)
    doc_bounded, bounded = load(path)
    assert sorted(map(repr, bounded)) == sorted(map(repr, held))
    assert doc_bounded.properties == doc.properties
    _, original = load(ZALA)
    assert len(relations(bounded)) == len(relations(original))
