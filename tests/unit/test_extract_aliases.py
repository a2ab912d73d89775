"""Other names the text gives an entity, and the evidence cited for them (sentences written here)."""

from __future__ import annotations

from casegraph.graph.model import EntityFact
from tests.unit.test_extract import facts_of, pytestmark

__all__ = ["pytestmark"]


def entities(text: str) -> list[EntityFact]:
    return [f for f in facts_of(text) if isinstance(f, EntityFact)]


def names_of(text: str, name: str) -> set[str]:
    """Every name of the entity called name, over all the facts that describe it."""
    found = [e for e in entities(text) if e.name == name]
    assert found, [e.name for e in entities(text)]
    return {name, *(a for e in found for a in e.aliases)}


def test_a_list_after_also_known_as_names_one_entity() -> None:
    text = (
        "The Cypriot vendor Halvard Systems, also known as Greyfen, Norrsken Ltd and Kallvik, "
        "sold exploits to two governments."
    )
    assert {"Greyfen", "Norrsken", "Kallvik"} <= names_of(text, "Halvard Systems")
    named = [e.name for e in entities(text)]
    assert "Greyfen" not in named and "Kallvik" not in named  # not separate entities


def test_aka_in_brackets_formerly_and_tracked_as() -> None:
    text = (
        "Police arrested two members of Velvet Spider (aka Brinehound) in March. "
        "Lumos Analytics (formerly Brightgate) denied the claims. "
        "The crew Marrow, also tracked under the name Ostrich Lake, sold stolen mail."
    )
    assert "Brinehound" in names_of(text, "Velvet Spider")
    assert "Brightgate" in names_of(text, "Lumos Analytics")
    assert "Ostrich Lake" in names_of(text, "Marrow")


def test_which_a_vendor_calls_and_other_names_including() -> None:
    text = (
        "Tessaract Labs, which Google calls Amber Finch, built the implant. "
        "The espionage group Saltmarsh hit ministries in Chile. Researchers refer to the group "
        "by other names, including 'Copper Wren,' 'TG-1188' and 'Dusk Heron.'"
    )
    assert "Amber Finch" in names_of(text, "Tessaract Labs")
    assert "Google" not in names_of(text, "Tessaract Labs")
    assert {"Copper Wren", "TG-1188", "Dusk Heron"} <= names_of(text, "Saltmarsh")


def test_alias_evidence_cites_the_alias_sentence() -> None:
    text = (
        "Halvard Systems sold exploits to two governments. "
        "Halvard Systems, also known as Greyfen, denied it."
    )
    cited = [e for e in entities(text) if e.evidence and e.evidence.extractor == "rule:aka"]
    assert len(cited) == 1
    ev = cited[0].evidence
    assert ev is not None and ev.start is not None
    assert cited[0].name == "Halvard Systems" and cited[0].aliases == ("Greyfen",)
    assert text[ev.start : ev.end] == ev.quote and "also known as Greyfen" in ev.quote
    typing = next(e for e in entities(text) if e.evidence and e.evidence.extractor != "rule:aka")
    assert typing.evidence is not None and typing.evidence.extractor == "cue:designator"


def test_a_product_of_a_firm_is_not_the_firm() -> None:
    text = (
        "Microsoft said the flaw affected Microsoft Word and Microsoft Exchange. "
        "Microsoft patched it in May."
    )
    assert "Microsoft Word" not in names_of(text, "Microsoft")
    assert "Microsoft Exchange" not in names_of(text, "Microsoft")


def test_the_group_named_by_others_is_the_group_not_the_last_name() -> None:
    text = (
        "The espionage group Saltmarsh hit ministries in Chile. Investigators saw Saltmarsh "
        "actors using Mimikatz, HexTool and other utilities. Researchers refer to the group by "
        "other names, including 'Copper Wren' and 'Dusk Heron.'"
    )
    assert {"Copper Wren", "Dusk Heron"} <= names_of(text, "Saltmarsh")
    assert not any(e.name == "HexTool" and e.aliases for e in entities(text))
