"""casegraph.fulltext: the query language, its translations, the matcher and the score."""

from __future__ import annotations

import pytest

from casegraph.errors import UsageError
from casegraph.fulltext import (
    Op,
    Term,
    bm25,
    count,
    fts5,
    lucene,
    matches,
    parse_query,
    positive,
    search_tokens,
    spaced,
    tokens,
)


def test_tokens_fold_case_and_accents_and_split_at_non_letters() -> None:
    assert tokens("Zero-click: Ágnes's  NSO_Group 2021!") == [
        "zero", "click", "agnes", "s", "nso", "group", "2021"]  # fmt: skip
    assert search_tokens("Café, CAFÉ") == " cafe  cafe "


def test_precedence_not_and_or() -> None:
    a, b, c, d = (Term((x,)) for x in "abcd")
    node = parse_query("a b OR c NOT d")
    assert node == Op("OR", (Op("AND", (a, b)), Op("AND", (c, Op("NOT", (d,))))))
    assert parse_query('"zero-click" spy*') == Op(
        "AND", (Term(("zero", "click")), Term(("spy",), prefix=True)))  # fmt: skip
    assert parse_query("(a OR b) c") == Op("AND", (Op("OR", (a, b)), c))


@pytest.mark.parametrize(
    ("query", "says"),
    [
        ("", "empty"),
        ('"open', "unclosed quote"),
        ("a OR", "expected a word"),
        ("(a", "missing ')'"),
        ("a)", "unexpected ')'"),
        ("NOT a", "only says what must be absent"),
        ("a OR NOT b", "only says what must be absent"),
        ("x*", "too short"),
        ("!!!", "no letters or digits"),
    ],
)
def test_syntax_errors_name_the_problem(query: str, says: str) -> None:
    with pytest.raises(UsageError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_query(query)


def test_translations_quote_every_token_and_drop_not() -> None:
    node = parse_query('nso "zero click" spy* NOT android')
    narrowed = positive(node)
    assert narrowed is not None
    assert fts5(narrowed) == '("nso" AND "zero click" AND "spy"*)'
    assert lucene(narrowed) == '("nso" AND "zero click" AND spy*)'
    # operators written in lower case are words, never operators of either engine
    assert fts5(parse_query("and or not")) == '("and" AND "or" AND "not")'


def test_matcher_words_phrases_prefixes_and_not() -> None:
    doc = spaced(search_tokens("The zero-click exploit hit spyware users; no Android."))
    assert matches(parse_query('"zero click" exploit'), doc)
    assert matches(parse_query("spy*"), doc) and not matches(parse_query("spies"), doc)
    assert not matches(parse_query("exploit NOT android"), doc)
    assert matches(parse_query("exploit NOT ios"), doc)
    assert not matches(parse_query('"click zero"'), doc)


def test_bm25_prefers_more_occurrences_and_rarer_terms() -> None:
    node = parse_query("nightjar")
    once = spaced("nightjar was seen")
    twice = spaced("nightjar and nightjar again")
    df = {Term(("nightjar",)): 2}
    assert bm25(node, twice, 4, 10, 4.0, df) > bm25(node, once, 3, 10, 4.0, df) > 0
    rare = {Term(("nightjar",)): 1}
    assert bm25(node, once, 3, 10, 4.0, rare) > bm25(node, once, 3, 10, 4.0, df)
    assert bm25(parse_query("seen NOT nightjar"), once, 3, 10, 4.0, df) > 0


def test_a_phrase_counts_at_every_token_it_starts_at() -> None:
    doc = spaced("a a a b a a")
    assert count(Term(("a", "a")), doc) == 3
    assert count(Term(("a",)), doc) == 5
    assert count(Term(("a", "b")), doc) == 1
    assert count(Term(("a", "a", "a")), doc) == 1
