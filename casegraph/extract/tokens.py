"""Token helpers shared by the mention finders: names, surfaces, phrases, priorities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.spans import Mention, Sent

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# Overlapping candidates are settled by priority first, then length.
CUE, GAZ, SPACY = 3, 2, 1

NAME_TAGS = frozenset({"NNP", "NNPS"})


POSSESSIVE = frozenset({"'s", "’s", "'", "’"})


QUOTES = frozenset({'"', "“", "”", "'", "‘", "’"})


TRUSTED_CONTAINERS = frozenset({"ORG", "PERSON", "FAC", "EVENT"})


Scored = tuple[int, Mention]


def surface(doc: Doc, start: int, end: int) -> str:
    """The text of tokens start..end with white space collapsed."""
    if end <= start:
        return ""
    if end - start == 1:
        return doc[start].text
    text = doc[start:end].text  # (Doc.text would rebuild the whole document's text)
    return " ".join(text.split()) if "  " in text or "\n" in text else text


def is_name_token(tok: Token) -> bool:
    """A capitalised proper-noun token, the stuff names are made of; a code of capitals and
    digits ('S2W', 'APT40') is one whatever the tagger says."""
    text = tok.text
    if len(text) >= 3 and text.isupper() and text.isalnum() and any(c.isdigit() for c in text):
        return True
    return tok.tag_ in NAME_TAGS and any(c.isupper() for c in text[:2]) and text not in POSSESSIVE


def name_run(doc: Doc, start: int, limit: int) -> int:
    """One past the last token of the run of name tokens beginning at start."""
    j = start
    while j < limit:
        tok = doc[j]
        if is_name_token(tok) or (
            tok.text in {"&", "-"} and j > start and j + 1 < limit and is_name_token(doc[j + 1])
        ):
            j += 1
        else:
            break
    return j


def make_mention(
    sent: Sent,
    start: int,
    end: int,
    type_: str,
    rule: str,
    weight: float,
    name: str | None = None,
    kind: str = "name",
) -> Mention:
    written = surface(sent.doc, start, end)
    text = (name or written).strip("\"“”‘’'")
    return Mention(sent.index, start, end, text, type_, rule, weight, kind, written)


def inside_longer(start: int, end: int, ents: list[Span]) -> bool:
    return any(
        e.label_ in TRUSTED_CONTAINERS
        and e.start <= start
        and end <= e.end
        and (e.end - e.start) > (end - start)
        and not any(t.lower_ == "and" for t in e)
        for e in ents
    )


def span_end(doc: Doc, start: int, limit: int, ents: list[Span]) -> int:
    """End of the name beginning at start: spaCy's entity there, else a run of name tokens."""
    for e in ents:
        if e.start == start and e.end <= limit:
            return e.end
    return name_run(doc, start, limit)


_FIRSTS: dict[int, tuple[tuple[tuple[str, ...], ...], frozenset[str]]] = {}


def first_words(phrases: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    """The first words of some phrases, computed once per phrase list."""
    cached = _FIRSTS.get(id(phrases))
    if cached is None or cached[0] is not phrases:
        cached = (phrases, frozenset(w[0] for w in phrases))
        _FIRSTS[id(phrases)] = cached
    return cached[1]


def match_words(doc: Doc, i: int, limit: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    """One past the end of the longest phrase starting at token i, or i when none does."""
    if i >= limit:
        return i
    first = doc[i].lower_
    if first not in first_words(phrases):
        return i
    for words in phrases:
        if words[0] != first:
            continue
        n = len(words)
        if i + n <= limit and all(doc[i + k].lower_ == w for k, w in enumerate(words)):
            return i + n
    return i


def core_right(tok: Token) -> int:
    """Index of the last token of tok's phrase, leaving out coordinated and parenthetical parts."""
    right = tok.i
    for child in tok.children:
        if child.i > tok.i and child.dep_ not in ("cc", "conj", "punct", "appos", "relcl"):
            right = max(right, core_right(child))
    return right
