"""Charges, employers and sanctions in indictment stories: long personal names, 'the two' for
the people just named, 'identified X as contractors for Y', 'face sanctions through Y'."""

from __future__ import annotations

from casegraph.graph.model import EntityFact
from tests.unit.test_extract import facts_of, pytestmark, typed

__all__ = ["pytestmark"]

STORY = (
    "The two men, Seyyed Ali Hossein Reza Tehrani and Sajjad Farahani, allegedly stole voter "
    "records, according to an indictment.\n\n"
    "The Department of Justice identified the two as contractors for Tehran-based security "
    "company Zarnegar Systems.\n\n"
    "Tehrani and Farahani are accused of breaching a newspaper's network.\n\n"
    "The two, along with two leaders of Zarnegar Systems, face personal sanctions through the "
    "U.S. Department of Treasury."
)


def test_a_five_word_personal_name_is_a_person() -> None:
    people = {f.name for f in facts_of(STORY) if isinstance(f, EntityFact) and f.type == "Person"}
    assert "Seyyed Ali Hossein Reza Tehrani" in people


def test_identified_as_contractors_for_a_firm_is_works_for() -> None:
    rels = typed(STORY)
    for person in ("Seyyed Ali Hossein Reza Tehrani", "Sajjad Farahani"):
        assert (person, "WORKS_FOR", "Zarnegar Systems") in rels
    # the one who identified them is not their employee
    assert not any(s == "Department of Justice" and r == "WORKS_FOR" for s, r, _ in rels)


def test_facing_sanctions_through_a_body_is_sanctioned_by_it() -> None:
    rels = {(s, r, t) for s, r, t in typed(STORY) if r == "SANCTIONED"}
    assert rels == {
        ("Department of the Treasury", "SANCTIONED", "Seyyed Ali Hossein Reza Tehrani"),
        ("Department of the Treasury", "SANCTIONED", "Sajjad Farahani"),
    }


def test_sanctions_need_a_body_that_imposes_them() -> None:
    text = "Sajjad Farahani faces sanctions and a travel ban, prosecutors at Zarnegar Systems said."
    assert not any(r == "SANCTIONED" for _, r, _ in typed(text))


def test_involvement_in_an_attack_and_victims_claimed_are_targeting() -> None:
    text = (
        "Police acted due to Rookwing's reported involvement in a ransomware attack against "
        "Palomar Retail. Rookwing has exploited flaws in file transfer software to claim "
        "high-profile victims including the Central Bank of Arvonia and Tessaly Systems."
    )
    rels = typed(text)
    for victim in ("Palomar Retail", "Central Bank of Arvonia", "Tessaly Systems"):
        assert ("Rookwing", "TARGETED", victim) in rels
    assert not any(s == "Police" for s, _, _ in rels)


def test_a_demonym_before_a_plural_noun_covers_the_list() -> None:
    text = "Chilean firms Veltrix Labs and Korvan Analytics also contributed analysis."
    rels = typed(text)
    assert ("Veltrix Labs", "BASED_IN", "Chile") in rels
    assert ("Korvan Analytics", "BASED_IN", "Chile") in rels
    single = typed("Chilean firm Veltrix Labs and Google shared analysis.")
    assert not any(s == "Google" and r == "BASED_IN" for s, r, _ in single)


def test_a_firms_product_called_a_code_word_is_developed_by_it() -> None:
    text = (
        "Researchers said the capability of Norvale Systems’ flagship product – called "
        "TIDEMARK – seems on par with Pegasus."
    )
    rels = typed(text)
    assert ("Norvale Systems", "DEVELOPED", "TIDEMARK") in rels
    assert not any(s == "Researchers" for s, _, _ in rels)


def test_a_report_of_a_body_is_reported_on() -> None:
    rels = typed("Amnesty International's report on Norvale Systems came out on Monday.")
    assert ("Amnesty International", "REPORTED_ON", "Norvale Systems") in rels
    assert not typed("Norvale Systems' report on revenue came out.")


def test_the_user_of_a_tool_used_to_hack_targets_too() -> None:
    text = (
        "The GLINT exploit was used by the Omani government to hack into the phones of local "
        "human rights activists."
    )
    rels = typed(text)
    assert ("Oman", "TARGETED", "human rights activists") in rels
    assert ("GLINT", "TARGETED", "human rights activists") in rels


def test_attacks_in_the_plural_speak_of_targeting() -> None:
    text = "Norvale Systems seized domains used in attacks by the group Copperline on governments."
    found = {f.name for f in facts_of(text) if isinstance(f, EntityFact)}
    assert "governments" in found
