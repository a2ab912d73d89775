"""Definite descriptions that repeat the head of a name: 'the lab' for Citizen Lab,
'the intelligence service' for the National Intelligence Service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.spans import Entity, Mention, Sent

if TYPE_CHECKING:
    from spacy.tokens import Token

LOOKBACK_SENTENCES = 8
ACTORS = frozenset({"Company", "Organization"})


def head_words(tok: Token) -> list[str] | None:
    """'the intelligence service' -> ['intelligence', 'service']; None unless a definite,
    singular common noun with only lower-case noun modifiers."""
    if tok.tag_ != "NN" or tok.n_lefts == 0:
        return None
    lefts = list(tok.lefts)  # a determiner, compounds and a possessive all precede the noun
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in lefts):
        return None
    words = []
    for c in lefts:
        if c.dep_ == "compound":
            if not c.text.islower() or not c.is_alpha:
                return None
            words.append((c.i, c.lower_))
        elif c.dep_ == "poss":
            return None
    return [w for _, w in sorted(words)] + [tok.lower_]


def _ends_with(entity: Entity, words: list[str]) -> bool:
    names = [entity.name, *entity.aliases]
    for name in names:
        parts = name.lower().split()
        if len(parts) > len(words) and parts[-len(words) :] == words:
            return True
    return False


def named_like(
    sents: list[Sent],
    by_sent: dict[int, list[Mention]],
    entities: list[Entity],
    sent: Sent,
    tok: Token,
) -> int | None:
    """The most recent actor in the story whose name ends with the description's words."""
    words = head_words(tok)
    if words is None:
        return None
    for back in range(LOOKBACK_SENTENCES + 1):
        idx = sent.index - back
        if idx < 0 or sents[idx].story != sent.story:
            return None
        found = [
            m
            for m in by_sent.get(idx, [])
            if (back or m.end <= tok.i)
            and entities[m.entity].type in ACTORS
            and _ends_with(entities[m.entity], words)
        ]
        if found:
            return max(found, key=lambda m: m.start).entity
    return None


PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her"})


def person_for(
    sents: list[Sent],
    by_sent: dict[int, list[Mention]],
    entities: list[Entity],
    sent: Sent,
    tok: Token,
) -> int | None:
    """The person 'he', 'his' or 'her' stands for: the last person named before it in the
    sentence, else the first person named in the sentence before (first mention is salient)."""
    if tok.lower_ not in PERSON_PRONOUNS or tok.tag_ not in ("PRP", "PRP$"):
        return None
    before = [
        m
        for m in by_sent.get(sent.index, [])
        if m.end <= tok.i and entities[m.entity].type == "Person"
    ]
    if before:
        return before[-1].entity
    idx = sent.index - 1
    if idx < 0 or sents[idx].story != sent.story:
        return None
    people = [m for m in by_sent.get(idx, []) if entities[m.entity].type == "Person"]
    return min(people, key=lambda m: m.start).entity if people else None
