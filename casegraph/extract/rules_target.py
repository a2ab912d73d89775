"""More ways of saying who targeted whom: 'infected with Predator', 'targets of Pegasus',
'his victims included X', 'placed X under surveillance'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    agents,
    children,
    is_passive,
    is_verb,
    lemma,
    members,
    np_entities,
    prep_objects,
    subject_tokens,
    subjects,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

VICTIMS = frozenset({"VictimGroup", "Person", "Organization", "Company"})
ATTACKERS = frozenset({"Company", "Organization", "Person", "Country", "Product"})
TARGET_NOUNS = frozenset({"target", "victim"})
SURVEILLANCE = frozenset({"surveillance", "monitoring", "watch", "observation"})
PLACING = frozenset({"place", "put", "keep", "bring"})


def _victims_of(ctx: Ctx, tok: Token) -> list[int]:
    """Who a noun phrase is about: 'Koukakis', 'her phone', 'the phones of activists'."""
    found = np_entities(ctx, tok)
    for poss in children(tok, "poss"):
        e = ctx.ent(poss)
        if e is not None:
            found.append(e)
    return [v for v in dict.fromkeys(found) if ctx.etype(v) in VICTIMS]


def with_tool(ctx: Ctx) -> None:
    """'had been infected with Predator', 'her phone was targeted with Pegasus'."""
    verbs = ctx.gaz.trigger("target_verbs")
    for tok in ctx.tokens:
        if not is_verb(tok, verbs) or not is_passive(tok) or agents(ctx, tok):
            continue
        tools = [e for o in prep_objects(tok, "with") for e in np_entities(ctx, o)]
        tools = [t for t in tools if ctx.etype(t) == "Product"]
        if not tools:
            continue
        victims = [v for s in children(tok, "nsubjpass") for v in _victims_of(ctx, s)]
        for t in tools:
            for v in victims:
                ctx.add(t, "TARGETED", v, "target-with-tool", 0.75)


def target_nouns(ctx: Ctx) -> None:
    """'X were selected as targets of Pegasus', 'X is a victim of Y', 'his victims included X',
    'Y claimed victims including X'."""
    for tok in ctx.tokens:
        if tok.pos_ != "NOUN" or lemma(tok) not in TARGET_NOUNS:
            continue
        if tok.dep_ == "dobj" and lemma(tok.head) in CLAIMING_VICTIMS:
            _victims_claimed(ctx, tok)
            continue
        attackers = [e for o in prep_objects(tok, "of") for e in np_entities(ctx, o)]
        attackers += [e for p in children(tok, "poss") if (e := ctx.ent(p)) is not None]
        attackers = [a for a in dict.fromkeys(attackers) if ctx.etype(a) in ATTACKERS]
        if not attackers:
            continue
        victims: list[int] = []
        head = tok.head
        if tok.dep_ == "pobj" and head.lower_ == "as":  # "selected as targets of"
            verb = head.head
            deps = ("nsubjpass",) if is_passive(verb) else ("dobj",)
            victims = [v for s in children(verb, *deps) for v in _victims_of(ctx, s)]
        elif tok.dep_ == "attr":  # "they were targets of"
            victims = [v for s in subject_tokens(ctx, head) for v in _victims_of(ctx, s)]
        elif tok.dep_ == "nsubj" and lemma(head) in ("include", "be"):  # "his victims included"
            victims = [v for o in children(head, "dobj", "attr") for v in _victims_of(ctx, o)]
        for a in attackers:
            for v in victims:
                if v != a:
                    ctx.add(a, "TARGETED", v, "target-noun", 0.7)


CLAIMING_VICTIMS = frozenset({"claim", "hit", "count", "add", "compromise", "breach", "infect"})


def _victims_claimed(ctx: Ctx, tok: Token) -> None:
    """'X has exploited flaws to claim victims including A, B and C' -> X TARGETED A, B, C."""
    victims = [v for m in members(tok) for v in _victims_of(ctx, m)]
    if not victims:
        return
    verb = tok.head
    attackers = subjects(ctx, verb)
    if not attackers and verb.dep_ == "acl" and verb.head.dep_ == "dobj":
        attackers = subjects(ctx, verb.head.head)  # "X exploited flaws to claim victims"
    attackers = [a for a in attackers if ctx.etype(a) in ATTACKERS]
    for a in attackers:
        for v in victims:
            if v != a:
                ctx.add(a, "TARGETED", v, "victims-including", 0.7)


def under_surveillance(ctx: Ctx) -> None:
    """'the EYP had placed Androulakis under surveillance' -> EYP TARGETED Androulakis."""
    for tok in ctx.verbs_in(PLACING):
        if not any(o.lower_ in SURVEILLANCE for o in prep_objects(tok, "under")):
            continue
        actors = agents(ctx, tok) if is_passive(tok) else subjects(ctx, tok)
        objs = children(tok, "nsubjpass") if is_passive(tok) else children(tok, "dobj")
        victims = [v for o in objs for v in _victims_of(ctx, o)]
        for a in actors:
            if ctx.etype(a) not in ATTACKERS:
                continue
            for v in victims:
                ctx.add(a, "TARGETED", v, "under-surveillance", 0.75)
