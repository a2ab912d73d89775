"""Typing at the level of the case: an article's type for a name is a guess, and it joins the
entity a structured source typed (Cytrox a Location in one article, Candiru a Person in another);
a confident guess of a full personal name is not folded into a firm of the same name."""

from __future__ import annotations

import json
from pathlib import Path

from casegraph.graph.model import Document, Source, make_entity, make_evidence
from casegraph.graph.store import Store
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

LIST = [
    {"type": "Company", "name": "Quillfeather", "id": "q1"},
    {"type": "Company", "name": "Marta Ossian"},  # a firm named like a person
]


def _article(doc_id: str, guesses: list[tuple[str, str, float]]) -> Source:
    text = " ".join(f"{name} was named." for _, name, _ in guesses)
    facts = []
    at = 0
    for type_, name, confidence in guesses:
        quote = f"{name} was named."
        ev = make_evidence(doc_id, quote, start=at, end=at + len(name), extractor="ner",
                           confidence=confidence)  # fmt: skip
        facts.append(make_entity(type_, name, evidence=ev))
        at += len(quote) + 1
    return Source(Document(doc_id, doc_id, f"{doc_id}.txt", "text", text=text), facts)


def test_a_guess_joins_the_entity_a_source_typed(store: Store, tmp_path: Path) -> None:
    load_paths(store, [write_jsonl(tmp_path / "firms.jsonl", LIST)])
    store.load([
        _article("a" * 64, [("Location", "Quillfeather", 0.6)]),  # unsure: joins the Company
        _article("b" * 64, [("Person", "Quillfeather", 0.9)]),  # a lone word taken for a person
        _article("c" * 64, [("Product", "Quillfeather", 0.9)]),  # a type of the firms' family
        _article("d" * 64, [("Person", "Marta Ossian", 0.9)]),  # a confident full name: apart
    ])  # fmt: skip
    types = {(e.type, e.name) for e in store.iter_entities()}
    assert {t for t, n in types if n == "Quillfeather"} == {"Company"}
    assert {t for t, n in types if n == "Marta Ossian"} == {"Company", "Person"}
    # each article's own type and why it joined stay with its mention
    joined = {
        (d["typing"] or {}).get("type"): (d["typing"] or {}).get("joined")
        for d in store.documents_of("company:quillfeather")
        if d["typing"] and d["typing"].get("cue") == "ner"
    }
    assert set(joined) == {"Location", "Person", "Product"}
    assert all("typed Company elsewhere" in str(why) for why in joined.values()), json.dumps(joined)
