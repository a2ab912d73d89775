"""Relations of issue 14 read precisely, on sentences written for these tests: roles and
memberships, sanctions and designations, takedowns, attacks, lawsuits with their parties."""

from __future__ import annotations

from tests.unit.test_extract import pytestmark, typed

__all__ = ["pytestmark"]


def test_roles_in_apposition_before_and_after_names() -> None:
    text = (
        "Rosa Delgado, principal threat hunter at cloud security company Ironvale, said the "
        "flaw was old. Brightwater privacy advocate Tom Askew agreed. Acting U.S. Attorney "
        "Nadia Pierce for the Western District of Ohio filed the case. Leo Marsh, senior "
        "director of Ironvale's forensics unit, declined to comment."
    )
    rels = typed(text)
    assert ("Rosa Delgado", "WORKS_FOR", "Ironvale") in rels
    assert ("Tom Askew", "WORKS_FOR", "Brightwater") in rels
    assert ("Nadia Pierce", "WORKS_FOR", "Western District of Ohio") in rels
    assert ("Leo Marsh", "WORKS_FOR", "Ironvale") in rels


def test_memberships_and_people_listed_then_referred_to() -> None:
    text = (
        "Prosecutors say Omar Siddiq, Lena Vos and Piet Kramer were members of Grey Heron. "
        "The three worked for Delta Orbit Technologies, a front company in Minsk. "
        "Jan Hollis, the alleged Grey Heron affiliate, was arrested in Riga."
    )
    rels = typed(text)
    for person in ("Omar Siddiq", "Lena Vos", "Piet Kramer"):
        assert (person, "WORKS_FOR", "Grey Heron") in rels, person
        assert (person, "WORKS_FOR", "Delta Orbit Technologies") in rels, person
    assert ("Jan Hollis", "WORKS_FOR", "Grey Heron") in rels


def test_sanctions_designations_and_seizures() -> None:
    text = (
        "The Treasury Department designated Orion Labs and its founder, Peter Vance, under its "
        "cyber sanctions program. The FBI seized 30 domains used by the group Grey Heron. "
        "Researchers designated the group as APT50."
    )
    rels = typed(text)
    assert ("Department of the Treasury", "SANCTIONED", "Orion Labs") in rels
    assert ("Department of the Treasury", "SANCTIONED", "Peter Vance") in rels
    assert ("FBI", "DISRUPTED", "Grey Heron") in rels
    assert not any(r[1] == "SANCTIONED" and r[2] == "Grey Heron" for r in rels)


def test_attacks_named_by_nouns_and_places_after_participles() -> None:
    text = (
        "Microsoft announced the seizure of dozens of domains used in attacks by the "
        "hacking group Saltmarsh on journalists and NGOs. Our earlier disruptions targeted "
        "the groups Cobalt Mist, operating from Iran, and Amber Lynx, operating from Russia, "
        "said Ana Pike, a vice president at Microsoft."
    )
    rels = typed(text)
    assert ("Microsoft", "DISRUPTED", "Saltmarsh") in rels
    assert ("Saltmarsh", "TARGETED", "NGOs") in rels
    assert ("Cobalt Mist", "BASED_IN", "Iran") in rels
    assert ("Amber Lynx", "BASED_IN", "Russia") in rels
    assert ("Microsoft", "DISRUPTED", "Cobalt Mist") in rels  # "our", said a Microsoft VP
    assert ("Microsoft", "DISRUPTED", "Amber Lynx") in rels


def test_a_complaint_names_its_defendants() -> None:
    text = (
        "Vantor Games filed a lawsuit against Crosshair Labs. The complaint also names two "
        "residents as defendants: Felix Brandt, the company's founder; and Jonas Ebner, its "
        "lead developer."
    )
    rels = typed(text)
    suit = "Vantor Games v. Crosshair Labs"
    assert ("Vantor Games", "PLAINTIFF_IN", suit) in rels
    assert ("Crosshair Labs", "DEFENDANT_IN", suit) in rels
    assert ("Felix Brandt", "DEFENDANT_IN", suit) in rels
    assert ("Jonas Ebner", "DEFENDANT_IN", suit) in rels


def test_reports_by_organisations_and_products_named_after_firms() -> None:
    text = (
        "A new report from the Citizen Lab revealed that Vireo Labs sold spyware to the "
        "government of Peru. The flaw was in Microsoft Word, which Microsoft patched."
    )
    rels = typed(text)
    assert ("Citizen Lab", "REPORTED_ON", "Vireo Labs") in rels
    assert ("Citizen Lab", "REPORTED_ON", "Peru") in rels
    assert ("Microsoft", "DEVELOPED", "Microsoft Word") in rels
