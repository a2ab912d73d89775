"""Classes of organisations and people as victims: only as what a targeting word acts on, with
the named members of a class kept, and never the noun an infinitive hangs on as the attacker."""

from __future__ import annotations

from casegraph.graph.model import EntityFact
from tests.unit.test_extract import facts_of, pytestmark, typed

__all__ = ["pytestmark"]


def victims(text: str) -> set[str]:
    return {f.name for f in facts_of(text) if isinstance(f, EntityFact) and f.type == "VictimGroup"}


def test_organisation_classes_acted_on_are_victim_groups() -> None:
    text = (
        "The Copperline Group ran a campaign targeting cryptocurrency startups and crypto "
        "exchanges. Copperline Group has also launched attacks against payment exchanges like "
        "Zentrix."
    )
    found = victims(text)
    assert {"cryptocurrency startups", "crypto exchanges", "payment exchanges"} <= found
    rels = typed(text)
    assert ("Copperline Group", "TARGETED", "cryptocurrency startups") in rels
    # the named member of a class is targeted too
    assert ("Copperline Group", "TARGETED", "Zentrix") in rels


def test_classes_not_acted_on_or_too_vague_are_not_victims() -> None:
    text = (
        "Startups and exchanges met in Lisbon. The Copperline Group hacked companies, Apple "
        "users and other private citizens, then sold data to crypto brokers."
    )
    found = victims(text)
    assert not found & {"Startups", "exchanges", "companies", "Apple users", "private citizens"}


def test_the_noun_an_infinitive_hangs_on_is_not_the_attacker() -> None:
    text = (
        "Last April, criminals disguised Rattail malware as cheat tools for Star Forge: "
        "Nightfall to infect video-game players."
    )
    assert "video-game players" in victims(text)
    assert not any(r == "TARGETED" and s == "Nightfall" for s, r, _ in typed(text))
