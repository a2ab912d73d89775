"""Names that the text itself declares to be one entity: 'Long Name (LN)', 'X, known as Y'.

Clustering merges mentions by name; these links join names that do not share words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.spans import Mention, Sent
from casegraph.extract.tokens import make_mention

if TYPE_CHECKING:
    from spacy.tokens import Token

BODIES = frozenset({"Company", "Organization", "Product"})
# "X is registered as Y", "Y, formerly known as X", "X was renamed Y"
NAMING_VERBS = frozenset({"know", "register", "rename", "rebrand", "incorporate", "trade"})
MAX_ACRONYM = 8


def _acronym_at(sent: Sent, i: int) -> bool:
    """Tokens i..i+2 are '(', an upper-case word, ')'."""
    doc, hi = sent.doc, sent.span.end
    if i + 2 >= hi or doc[i].text != "(" or doc[i + 2].text != ")":
        return False
    word = doc[i + 1].text
    letters = [c for c in word if c.isalpha()]
    return 2 <= len(letters) <= MAX_ACRONYM and all(c.isupper() for c in letters)


def acronym_mentions(sent: Sent, mentions: list[Mention]) -> list[Mention]:
    """'National Intelligence Service (EYP)': a mention for the acronym when none covers it."""
    out: list[Mention] = []
    for m in mentions:
        if m.type not in BODIES or not _acronym_at(sent, m.end):
            continue
        i = m.end + 1
        if any(x.start <= i < x.end for x in mentions):
            continue
        out.append(make_mention(sent, i, i + 1, m.type, "cue:acronym", 0.5))
    return out


def alias_pairs(mentions: list[Mention], sents: list[Sent]) -> list[tuple[Mention, Mention]]:
    """Pairs of mentions the text says name the same thing."""
    at: dict[tuple[int, int], Mention] = {}
    for m in mentions:
        for i in range(m.start, m.end):
            at[(m.sent, i)] = m
    pairs: list[tuple[Mention, Mention]] = []
    for m in mentions:
        if m.type not in BODIES:
            continue
        sent = sents[m.sent]
        if _acronym_at(sent, m.end):
            short = at.get((m.sent, m.end + 1))
            if short is not None and short is not m:
                pairs.append((m, short))
    for sent in sents:
        for tok in sent.span:
            if tok.lemma_.lower() not in NAMING_VERBS or tok.tag_ != "VBN":
                continue
            named = [
                at.get((sent.index, c.i))
                for p in tok.children
                if p.dep_ == "prep" and p.lower_ == "as"
                for c in p.children
                if c.dep_ == "pobj"
            ]
            subject = _named_subject(tok, at, sent.index)
            if subject is None or subject.type not in BODIES:
                continue
            for n in named:
                if n is not None and n is not subject and n.type in BODIES:
                    pairs.append((subject, n))
    return pairs


def _named_subject(verb: Token, at: dict[tuple[int, int], Mention], sent: int) -> Mention | None:
    """The named subject of a passive naming verb, through coordinated verbs and appositions."""
    node = verb
    for _ in range(3):
        for c in node.children:
            if c.dep_ in ("nsubj", "nsubjpass"):
                return at.get((sent, c.i))
        if node.dep_ == "conj":
            node = node.head
        elif node.dep_ == "acl" and node.head.i != node.i:  # "Y, formerly known as X"
            return at.get((sent, node.head.i))
        else:
            return None
    return None


def surname_of(word: str, people: list[str]) -> str | None:
    """The one person's name (a key) that ends with the given word, if exactly one does."""
    found = [p for p in people if p.split()[-1] == word and len(p.split()) > 1]
    return found[0] if len(found) == 1 else None
