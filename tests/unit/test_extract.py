"""The extractor on sentences written for these tests: its rules must work beyond one article."""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path

import networkx as nx
import pytest

from casegraph.errors import LoaderError
from casegraph.extract.analysis import chunks, extract_facts
from casegraph.graph.model import EntityFact, Fact, RelationFact, normalize_name
from casegraph.graph.schema import WEAK, load_schema

DEMO = Path(__file__).resolve().parents[2] / "casegraph" / "demo" / "articles"


def _model_missing() -> bool:
    try:
        from casegraph.extract.nlp import load_nlp

        load_nlp()
    except (LoaderError, ImportError):
        return True
    return False


pytestmark = pytest.mark.skipif(_model_missing(), reason="spaCy model not installed")

Triple = tuple[str, str, str]


@lru_cache(maxsize=128)
def facts_of(text: str, markdown: bool = False) -> tuple[Fact, ...]:
    """The facts of a text (shared with the other test_extract_* modules)."""
    return tuple(extract_facts(text, "test-doc", markdown=markdown))


def typed(text: str, markdown: bool = False) -> set[Triple]:
    """The typed relations of a text as (source, type, target) names."""
    return {
        (f.source.name or "", f.type, f.target.name or "")
        for f in facts_of(text, markdown)
        if isinstance(f, RelationFact) and f.type != WEAK
    }


def entity(text: str, name: str) -> EntityFact:
    return next(f for f in facts_of(text) if isinstance(f, EntityFact) and f.name == name)


def test_demonym_before_a_firm_and_possessive_product() -> None:
    text = "The Spanish firm Vortex Analytics sold its Nightjar spyware to three governments."
    rels = typed(text)
    assert ("Vortex Analytics", "BASED_IN", "Spain") in rels
    assert ("Vortex Analytics", "DEVELOPED", "Nightjar") in rels
    assert entity(text, "Vortex Analytics").type == "Company"
    assert entity(text, "Nightjar").type == "Product"


def test_lawsuit_with_anaphora_across_sentences() -> None:
    text = (
        "Google sued Redline Systems in 2023 over the abuse of a flaw in Android's messaging app. "
        "Weeks later, Samsung said it was also suing the company over its Ghostcall exploit."
    )
    rels = typed(text)
    assert ("Google", "PLAINTIFF_IN", "Google v. Redline Systems") in rels
    assert ("Redline Systems", "DEFENDANT_IN", "Google v. Redline Systems") in rels
    assert ("Samsung", "PLAINTIFF_IN", "Samsung v. Redline Systems") in rels
    assert ("Redline Systems", "DEFENDANT_IN", "Samsung v. Redline Systems") in rels
    assert ("Samsung v. Redline Systems", "CONCERNS", "Ghostcall") in rels
    assert ("Redline Systems", "DEVELOPED", "Ghostcall") in rels
    assert entity(text, "Samsung v. Redline Systems").type == "Lawsuit"


def test_lawsuit_noun_and_caption() -> None:
    rels = typed("Apple filed a lawsuit against Cellebrite over its Inspector tool.")
    assert ("Apple", "PLAINTIFF_IN", "Apple v. Cellebrite") in rels
    assert ("Cellebrite", "DEFENDANT_IN", "Apple v. Cellebrite") in rels
    assert ("Apple v. Cellebrite", "CONCERNS", "Inspector") in rels
    rels = typed("The judge said WhatsApp v. NSO Group would go to trial in May.")
    assert ("WhatsApp", "PLAINTIFF_IN", "WhatsApp v. NSO Group") in rels


def test_hiring_active_and_passive() -> None:
    assert ("Acme Holdings", "HIRED", "Sentinel Group") in typed(
        "Acme Holdings hired Sentinel Group to follow two reporters."
    )
    assert ("Acme Holdings", "HIRED", "Sentinel Group") in typed(
        "Sentinel Group was hired by Acme Holdings last spring."
    )


def test_list_after_plural_firms_shares_the_country() -> None:
    rels = typed(
        "Three firms based in Italy were named in the filing: Hacking Corp, RCS Lab and "
        "Memento Works."
    )
    for firm in ("Hacking Corp", "RCS Lab", "Memento Works"):
        assert (firm, "BASED_IN", "Italy") in rels


def test_appositive_title_list_shares_the_employer() -> None:
    text = (
        "The statement was signed by Jane Holloway, Microsoft's head of research; Peter Kim, "
        "director of operations; and Ana Ruiz, chief counsel."
    )
    rels = typed(text)
    for person in ("Jane Holloway", "Peter Kim", "Ana Ruiz"):
        assert (person, "WORKS_FOR", "Microsoft") in rels


def test_title_before_name_and_surname_alias() -> None:
    text = (
        "Google's vice president of security Maria Lopez said the company had removed accounts "
        "linked to the Greek firm Orion Labs and the Turkish company Zeta Defense. Lopez said more "
        "takedowns would follow."
    )
    rels = typed(text)
    assert ("Maria Lopez", "WORKS_FOR", "Google") in rels
    assert ("Google", "DISRUPTED", "Orion Labs") in rels
    assert ("Google", "DISRUPTED", "Zeta Defense") in rels
    assert ("Orion Labs", "BASED_IN", "Greece") in rels
    assert ("Zeta Defense", "BASED_IN", "Turkey") in rels
    assert "Lopez" in entity(text, "Maria Lopez").aliases


def test_reporting_and_impersonation_through_a_relative_clause() -> None:
    text = (
        "The Guardian reported on a campaign, run by Falcon Intel, that involved an operative "
        "posing as a BBC journalist to approach lawyers in Kenya."
    )
    rels = typed(text)
    assert ("The Guardian", "REPORTED_ON", "Falcon Intel") in rels
    assert ("Falcon Intel", "IMPERSONATED", "BBC") in rels
    assert not any(r[1] == "REPORTED_ON" and r[2] == "BBC" for r in rels)


def test_targeting_with_a_tool_and_a_passive_maker() -> None:
    text = (
        "The Pakistani contractor Zeta Labs targeted dissidents and journalists with its Falcon "
        "malware. Researchers said the Hermit malware, developed by the Iranian company Tarnish "
        "Group, was used to spy on human rights defenders in Bahrain."
    )
    rels = typed(text)
    assert {
        ("Zeta Labs", "TARGETED", "dissidents"),
        ("Zeta Labs", "TARGETED", "journalists"),
        ("Zeta Labs", "BASED_IN", "Pakistan"),
        ("Zeta Labs", "DEVELOPED", "Falcon"),
        ("Tarnish Group", "DEVELOPED", "Hermit"),
        ("Tarnish Group", "BASED_IN", "Iran"),
        ("Hermit", "TARGETED", "human rights defenders"),
    } <= rels
    assert ("Zeta Labs", "DEVELOPED", "Hermit") not in rels


def test_capital_as_metonym_and_as_place() -> None:
    text = "Beijing denied the report. The summit took place in Beijing in May."
    china = entity(text, "China")
    assert china.type == "Country" and "Beijing" in china.aliases
    assert entity(text, "Beijing").type == "Location"


def test_appositive_company_context_and_part_of() -> None:
    text = (
        "Quadream, a company based in Tel Aviv, shut down in 2023. Cytrox, part of the Intellexa "
        "alliance, is headquartered in Skopje."
    )
    rels = typed(text)
    assert ("Quadream", "BASED_IN", "Tel Aviv") in rels
    assert ("Cytrox", "PART_OF", "Intellexa") in rels
    assert entity(text, "Cytrox").type == "Company"


def test_sanctions_and_coordinated_unknown_names() -> None:
    text = "The Commerce Department added Candiru and Positive Technologies to the Entity List."
    rels = typed(text)
    assert ("Department of Commerce", "SANCTIONED", "Candiru") in rels
    assert ("Department of Commerce", "SANCTIONED", "Positive Technologies") in rels
    assert "Commerce Department" in entity(text, "Department of Commerce").aliases


def test_anaphora_never_crosses_a_story() -> None:
    text = (
        "Spyware maker fined\n\nA court fined Vortex Analytics on Monday.\n\n"
        "Keep ReadingShow less\n\nApple said it was suing the company over its Moth exploit."
    )
    rels = typed(text)
    assert not any("Vortex Analytics" in (s, t) for s, _, t in rels if "Apple" in s + t)
    assert not any(r[1] == "PLAINTIFF_IN" for r in rels)


def test_relations_respect_the_schema_and_carry_evidence() -> None:
    schema = load_schema()
    texts = [p.read_text("utf-8") for p in sorted(DEMO.glob("*.txt"))]
    assert len(texts) == 3
    for text in texts:
        facts = facts_of(text)
        types = {(f.key, f.type) for f in facts if isinstance(f, EntityFact)}
        by_name = {normalize_name(f.name): f.type for f in facts if isinstance(f, EntityFact)}
        assert len(types) == len(by_name)  # every entity once per document
        for rel in (f for f in facts if isinstance(f, RelationFact)):
            src, tgt = rel.source.type or "", rel.target.type or ""
            assert schema.relation_type(rel.type).allows(src, tgt), rel
            assert (normalize_name(rel.source.name or ""), src) in types
            for ev in rel.evidence:
                assert ev.extractor.startswith(("rule:", "spacy:en_core_web_sm"))
                assert ev.start is not None and ev.end is not None
                assert text[ev.start : ev.end] == ev.quote


@pytest.mark.slow
def test_demo_articles_make_one_connected_graph() -> None:
    graph: nx.Graph = nx.Graph()
    for path in sorted(DEMO.glob("*.txt")):
        for rel in facts_of(path.read_text("utf-8")):
            if isinstance(rel, RelationFact) and rel.type != WEAK:
                a = (normalize_name(rel.source.name or ""), rel.source.type)
                b = (normalize_name(rel.target.name or ""), rel.target.type)
                graph.add_edge(a, b, type=rel.type)
    wanted = [
        ("black cube", "Company"),
        ("harvey weinstein", "Person"),
        ("nso group", "Company"),
        ("pegasus", "Product"),
        ("journalists", "VictimGroup"),
        ("facebook v. nso group", "Lawsuit"),
        ("cytrox", "Company"),
        ("predator", "Product"),
        ("meta", "Company"),
    ]
    for node in wanted:
        assert node in graph, node
    component = nx.node_connected_component(graph, wanted[0])
    assert all(node in component for node in wanted)
    assert graph.edges[("meta", "Company"), ("cytrox", "Company")]["type"] == "DISRUPTED"
    assert graph.edges[("harvey weinstein", "Person"), ("black cube", "Company")]["type"] == "HIRED"


def test_chunks_never_exceed_the_limit_and_cover_the_text() -> None:
    text = ("Word " * 5000) + ("x" * 12_000) + ". Tail sentence."
    pieces = list(chunks(text, 0, len(text), limit=4000))
    assert all(e - s <= 4000 for s, e in pieces)
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(pieces))


def test_places_founders_and_leaders() -> None:
    text = (
        "Orlen Analytics, a small company based in Varna, Bulgaria, was founded by John Miller. "
        "Dana Whit, who runs the Tagus Lab, said the Lisbon-based lab had studied the firm."
    )
    rels = typed(text)
    assert ("Varna", "LOCATED_IN", "Bulgaria") in rels
    assert ("Orlen Analytics", "BASED_IN", "Varna") in rels
    assert ("John Miller", "WORKS_FOR", "Orlen Analytics") in rels
    assert ("Dana Whit", "WORKS_FOR", "Tagus Lab") in rels
    assert ("Tagus Lab", "BASED_IN", "Lisbon") in rels
    lists = typed("Activists were hacked in Varna, Sofia and Plovdiv, Bulgaria.")
    assert not any(t == "LOCATED_IN" and s == "Varna" for s, t, _ in lists)


def test_acronyms_parents_and_tools_named_in_apposition() -> None:
    text = (
        "The Ministry of Digital Affairs (MDA) investigated Kestrel Systems and its parent "
        "company, Harrow Holdings. The MDA said Kestrel sold Nightjar, the company's flagship "
        "surveillance tool. Maria Okafor is a lawyer. Her phone was infected with Nightjar."
    )
    rels = typed(text)
    ministry = entity(text, "Ministry of Digital Affairs")
    assert ministry.type == "Organization" and "MDA" in ministry.aliases
    assert ("Harrow Holdings", "OWNS", "Kestrel Systems") in rels
    assert entity(text, "Nightjar").type == "Product"
    assert ("Kestrel Systems", "DEVELOPED", "Nightjar") in rels
    assert ("Nightjar", "TARGETED", "Maria Okafor") in rels


def test_victims_named_as_targets_and_under_surveillance() -> None:
    text = (
        "Lawyers and business executives were selected as targets of Nightjar spyware. "
        "The Bureau of State Protection placed Robert Hayes under surveillance. "
        "Prosecutors said Hayes hired hackers. His victims included climate activists."
    )
    rels = typed(text)
    assert ("Nightjar", "TARGETED", "Lawyers") in rels
    assert ("Nightjar", "TARGETED", "business executives") in rels
    assert ("Bureau of State Protection", "TARGETED", "Robert Hayes") in rels
    assert ("Robert Hayes", "TARGETED", "climate activists") in rels
