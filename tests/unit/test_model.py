"""The schema and the validated constructors refuse bad facts at the boundary."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.errors import ValidationError
from casegraph.graph.model import (
    EntityRef,
    check_endpoints,
    make_entity,
    make_evidence,
    make_relation,
    normalize_name,
)
from casegraph.graph.schema import load_schema


def test_schema_matches_the_ontology() -> None:
    schema = load_schema()
    assert set(schema.entity_types) == {
        "Person", "Company", "Organization", "Country", "Location", "Platform", "Product",
        "VictimGroup", "Lawsuit", "Indicator",
    }  # fmt: skip
    assert "MENTIONED_WITH" in schema.relation_types
    assert schema.relation_types["MENTIONED_WITH"].weak
    for spec in schema.entity_types.values():
        assert spec.color.startswith("#") and spec.definition


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("NSO Group", "nso group"),
        ("  nso   GROUP ", "nso group"),
        ("Meta's", "meta"),
        ("Meta’s", "meta"),
        ("The Daily Beast", "daily beast"),
        ("the", "the"),
    ],
)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


def _general_key(name: str) -> str:
    """normalize_name's steps for any text, which its ASCII path must equal."""
    text = unicodedata.normalize("NFKC", name).translate(str.maketrans("’\u00a0", "' "))
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"(?:'s|'|’s|’)$", "", text).strip()
    if text.startswith("the ") and len(text) > 4:
        text = text[4:].strip()
    return text.strip(" \"'.,;:")


@given(st.text(alphabet=st.sampled_from([chr(i) for i in range(128)] + ["’", "\u00a0"])))
def test_normalize_name_ascii_path_equals_the_general_steps(name: str) -> None:
    # whitespace of every kind (tabs, \x1c..\x1f), possessives, "the", quotes and punctuation
    assert normalize_name(name) == _general_key(name)


@pytest.mark.parametrize("name", ["Acme's ", "x\x1f\x1cThe  Co'", "the  the", "A ' s", "'s", "Ő's"])
def test_normalize_name_edges(name: str) -> None:
    assert normalize_name(name) == _general_key(name)


def test_unknown_entity_type_is_refused() -> None:
    with pytest.raises(ValidationError, match="unknown entity type 'Spaceship'"):
        make_entity("Spaceship", "Enterprise", locator="line 3")


def test_entity_type_is_case_insensitive_and_aliases_dedupe() -> None:
    fact = make_entity("company", "NSO Group", aliases=["NSO", "nso group", "NSO"])
    assert fact.type == "Company"
    assert fact.aliases == ("NSO",)


def test_empty_name_is_refused() -> None:
    with pytest.raises(ValidationError, match="empty name"):
        make_entity("Person", "   ")


def test_relation_without_evidence_is_refused() -> None:
    with pytest.raises(ValidationError, match="no evidence"):
        make_relation(EntityRef("A"), "HIRED", EntityRef("B"), evidence=[])


def test_unknown_relation_type_is_refused() -> None:
    ev = make_evidence("doc", "q", extractor="test")
    with pytest.raises(ValidationError, match="unknown relation type 'LOVES'"):
        make_relation(EntityRef("A"), "LOVES", EntityRef("B"), evidence=ev)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"document_id": ""}, "without a document"),
        ({"quote": "  "}, "quote or a locator"),
        ({"start": 5}, "both start and end"),
        ({"start": 5, "end": 2}, "not valid"),
        ({"confidence": 1.5}, "between 0 and 1"),
        ({"confidence": "high"}, "not a number"),
    ],
)
def test_bad_evidence_is_refused(kwargs: dict, message: str) -> None:
    args = {"document_id": "doc", "quote": "a quote", "extractor": "test", **kwargs}
    with pytest.raises(ValidationError, match=message):
        make_evidence(args.pop("document_id"), args.pop("quote"), **args)


def test_endpoint_types_are_checked() -> None:
    check_endpoints("HIRED", "Person", "Company", None)
    with pytest.raises(ValidationError, match="HIRED cannot join Platform -> Company"):
        check_endpoints("HIRED", "Platform", "Company", "line 9")
