"""Regressions for the false facts of issue 14, each on a short text written for the test with
the same construction: the wrong fact is absent and the right one present."""

from __future__ import annotations

import pytest

from casegraph.graph.model import EntityFact, RelationFact, normalize_name
from tests.unit.test_extract import facts_of, pytestmark, typed

__all__ = ["pytestmark"]


def types(text: str, markdown: bool = False) -> dict[str, str]:
    """Every name and alias of the text's entities -> the entity's type."""
    out: dict[str, str] = {}
    for f in facts_of(text, markdown):
        if isinstance(f, EntityFact):
            for name in (f.name, *f.aliases):
                out[normalize_name(name)] = f.type
    return out


def type_of(text: str, name: str) -> str | None:
    return types(text).get(normalize_name(name))


# --- junk and mistyped entities -------------------------------------------------------------


def test_weekdays_months_and_times_are_not_entities() -> None:
    text = (
        "On Thursday, the regulator fined Orlen Analytics. The crew Sable Wolf works until "
        "7 p.m. GMT on weekdays and rests on Tues. The fine was set in Early October."
    )
    found = types(text)
    for junk in ("Thursday", "Tues", "GMT", "7 p.m. GMT", "Early October"):
        assert normalize_name(junk) not in found, junk
    assert type_of(text, "Orlen Analytics") == "Company"
    assert not any(r[2] == "GMT" for r in typed(text))  # not "Sable Wolf WORKS_FOR GMT"


def test_a_sanctions_list_currency_and_hash_names_are_not_firms() -> None:
    text = (
        "The Commerce Department added Lumen Forensics to the Entity List. The firm was paid "
        "two million Hong Kong Dollars, and its installer had the SHA-256 hash "
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08. It exploited "
        "CVE-2024-11873 in a router."
    )
    found = types(text)
    assert "entity list" not in found and "hong kong dollars" not in found
    assert "sha-256" not in found
    assert found["cve-2024-11873"] == "Indicator"
    assert found["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"] == "Indicator"
    assert ("Department of Commerce", "SANCTIONED", "Lumen Forensics") in typed(text)


def test_a_span_over_a_list_of_platforms_is_split() -> None:
    text = "The operatives ran fake personas on Facebook, Instagram and YouTube for months."
    found = types(text)
    assert "facebook, instagram" not in found
    assert found["facebook"] == found["instagram"] == "Platform"


def test_headline_fragments_are_not_names() -> None:
    text = (
        "# Leaked Vireo Labs Data Hints at Wider Abuse, Weaponizes Android Flaw\n\n"
        "Vireo Labs sold its Nightjar spyware to police in two countries, the documents show.\n"
    )
    found = types(text, markdown=True)
    assert "leaked vireo labs data hints at" not in found
    assert "weaponizes android flaw" not in found and "weaponizes android" not in found
    assert found["vireo labs"] == "Company" and found["nightjar"] == "Product"


def test_spyware_and_tools_are_products_and_agencies_are_bodies() -> None:
    text = (
        "Investigators said the group bought Pegasus and FinSpy, then moved to Predator and "
        "Cobalt Strike. Officials at the GRU and the FSB denied it; NATO declined to comment."
    )
    for name in ("Pegasus", "FinSpy", "Predator", "Cobalt Strike"):
        assert type_of(text, name) == "Product", name
    for name in ("GRU", "FSB", "NATO"):
        assert type_of(text, name) == "Organization", name


def test_threat_groups_vendors_and_outlets_are_not_people() -> None:
    text = (
        "APT28 and Void Balaur both bought exploits, the researchers said. Cognyte denied "
        "selling them. ZDNet first reported the sales, and the data was shared as JSON."
    )
    assert type_of(text, "APT28") == "Organization"
    assert type_of(text, "Void Balaur") in ("Organization", "Company")
    assert type_of(text, "Cognyte") == "Company"
    assert type_of(text, "JSON") is None
    assert type_of(text, "ZDNet") != "Person"


def test_a_hyphenated_surname_is_the_person() -> None:
    text = (
        "John Scott-Railton, a senior researcher at Citizen Lab, examined the phone. "
        "Scott-Railton said the infection was recent."
    )
    found = types(text)
    assert found["scott-railton"] == "Person" == found["john scott-railton"]
    assert ("John Scott-Railton", "WORKS_FOR", "Citizen Lab") in typed(text)


def test_aka_names_join_and_a_firm_keeps_its_products_apart() -> None:
    text = (
        "The Israeli vendor Kestrel Cyber, also known as Tessel, Marrow Tech, Ostrava and "
        "Quill, sold spyware. Microsoft said the flaw was in Microsoft Word. Microsoft fixed it."
    )
    facts = [f for f in facts_of(text) if isinstance(f, EntityFact)]
    kestrel = {a for f in facts if f.name == "Kestrel Cyber" for a in f.aliases}
    assert {"Tessel", "Marrow Tech", "Ostrava", "Quill"} <= kestrel
    assert not any(f.name in ("Tessel", "Ostrava", "Quill") for f in facts)
    microsoft = {a for f in facts if f.name == "Microsoft" for a in f.aliases}
    assert "Microsoft Word" not in microsoft
    assert type_of(text, "Microsoft Word") == "Product"


def test_a_month_is_never_a_party_to_a_lawsuit() -> None:
    text = (
        "Samsung's lawsuit, filed in November against Redline Systems, seeks damages. "
        "In November v. Redline Systems hearings, lawyers argued for a delay."
    )
    suits = {f.name for f in facts_of(text) if isinstance(f, EntityFact) and f.type == "Lawsuit"}
    assert not any(s.startswith("November") for s in suits)
    assert "Samsung v. Redline Systems" in suits


# --- false typed hops -------------------------------------------------------------------------


def test_a_device_targeted_by_foreign_spyware_is_not_based_there() -> None:
    text = "The Israeli firm Paragon Dynamics built spyware targeting Apple devices in Mexico."
    rels = typed(text)
    assert ("Paragon Dynamics", "BASED_IN", "Israel") in rels
    assert not any(s == "Apple" and t == "BASED_IN" for s, t, _ in rels)


def test_a_demonym_apposition_belongs_to_the_name_it_follows() -> None:
    text = (
        "Google suspended accounts tied to Larkspur Analytics and to Vireo Labs, a North "
        "Macedonian company."
    )
    rels = typed(text)
    assert ("Vireo Labs", "BASED_IN", "North Macedonia") in rels
    assert ("Larkspur Analytics", "BASED_IN", "North Macedonia") not in rels


def test_a_designator_does_not_end_the_sentence() -> None:
    text = (
        "The Singapore-based exploit broker Kestrel Research PTE. Ltd. sold tools to a Russian "
        "contractor."
    )
    rels = typed(text)
    assert ("Kestrel Research", "BASED_IN", "Singapore") in rels
    assert not any(s == "Kestrel Research" and o == "Russia" for s, _, o in rels)
    facts = [f for f in facts_of(text) if isinstance(f, RelationFact)]
    assert any("sold tools" in f.evidence[0].quote and "PTE." in f.evidence[0].quote for f in facts)


def test_the_byline_is_not_a_person_of_the_story() -> None:
    text = (
        "Spyware maker fined\n\nBy Petra Lindqvist, Staff Writer | May 3, 2023\n\n"
        "A court in Athens fined Orion Labs for selling its Moth spyware to police.\n"
    )
    found = types(text)
    assert "petra lindqvist" not in found
    assert found["orion labs"] == "Company"


@pytest.mark.parametrize("text", ["NSO Group ,", "NSO Group (", "Orion Labs, a", "Ana Ruiz, 22,"])
def test_a_text_ending_right_after_a_name_reads(text: str) -> None:
    """Found by the HTML fuzzer: an alias rule looked one token past the end of the text."""
    names = {f.name for f in facts_of(text) if isinstance(f, EntityFact)}
    assert names <= {"NSO Group", "Orion Labs", "Ana Ruiz"}
