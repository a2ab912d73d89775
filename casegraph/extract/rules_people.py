"""Relation rules linking people to the bodies they found, run or belong to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    agents,
    children,
    is_passive,
    lemma,
    objects,
    patients,
    subjects,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

ACTORS = frozenset({"Company", "Organization"})


def _founding(tok: Token, verbs: frozenset[str]) -> bool:
    """'founded', 'co-founded' ('co', '-', 'founded'), 'cofounded', 'established'."""
    if not tok.tag_.startswith("VB"):
        return False
    word = lemma(tok).replace("-", "")
    return word in verbs or (word.startswith("co") and word[2:] in verbs)


def founders(ctx: Ctx) -> None:
    """'Rajat Khare, who co-founded the company', 'BellTroX was founded by Sumit Gupta',
    'a group of vendors founded by Tal Dilian' -> the founder WORKS_FOR the body."""
    verbs = ctx.gaz.trigger("found_verbs")
    for tok in ctx.tokens:
        if not _founding(tok, verbs):
            continue
        if is_passive(tok):
            people, bodies = agents(ctx, tok) + _people_after_by(ctx, tok), patients(ctx, tok)
        else:
            people, bodies = subjects(ctx, tok), objects(ctx, tok)
        for p in people:
            if ctx.etype(p) != "Person":
                continue
            for b in bodies:
                if ctx.etype(b) in ACTORS:
                    ctx.add(p, "WORKS_FOR", b, "founder", 0.8)


STOPS = frozenset({";", "who", "which", "whose", "while", "but"})


def _people_after_by(ctx: Ctx, verb: Token) -> list[int]:
    """People named after 'by' following a passive verb, read off the surface: 'founded by A,
    a former official, and by two former NSO employees, B and C' (spaCy often splits it)."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    out: list[int] = []
    collecting = False
    i = verb.i + 1
    while i < hi:
        tok = doc[i]
        m = ctx.res.mention(ctx.sent, tok)
        if m is not None:
            if collecting and ctx.etype(m.entity) == "Person":
                out.append(m.entity)
            i = max(m.end, i + 1)
            continue
        if tok.lower_ in STOPS or (tok.tag_ in ("VBD", "VBZ", "VBP") and collecting):
            break
        if tok.lower_ == "by":
            collecting = True
        i += 1
    return list(dict.fromkeys(out))


def leaders(ctx: Ctx) -> None:
    """'Claudio Guarnieri, who runs Amnesty's Security Lab', 'X heads the agency'."""
    verbs = ctx.gaz.trigger("lead_verbs")
    for tok in ctx.verbs_in(verbs):
        if is_passive(tok):
            continue
        people = [p for p in subjects(ctx, tok) if ctx.etype(p) == "Person"]
        bodies = [b for b in objects(ctx, tok) if ctx.etype(b) in ACTORS]
        for p in people:
            for b in bodies:
                ctx.add(p, "WORKS_FOR", b, "leads", 0.75)


def unit_employer(ctx: Ctx) -> None:
    """Who works for "Microsoft's Digital Security Unit" works for Microsoft too."""
    found = [c for c in ctx.out if c.sent == ctx.sent.index and c.type == "WORKS_FOR"]
    for c in found:
        for m in ctx.mentions:
            if m.entity != c.target:
                continue
            for poss in children(ctx.sent.doc[m.end - 1], "poss"):
                owner = ctx.ent(poss)
                if owner is not None and owner != c.target and ctx.etype(owner) in ACTORS:
                    ctx.add(c.source, "WORKS_FOR", owner, "unit-employer", 0.7)
