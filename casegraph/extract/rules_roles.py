"""Relation rules for people's roles, read off the surface of the sentence: 'X, principal threat
hunter at security company Y', 'X, the alleged Y affiliate', 'two former Y employees, A and B',
'U.S. Attorney X for the Southern District of New York'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    children,
    lemma,
    np_entities,
    prep_objects,
    subject_tokens,
)
from casegraph.extract.spans import Mention
from casegraph.extract.tokens import POSSESSIVE

if TYPE_CHECKING:
    from spacy.tokens import Token

EMPLOYERS = frozenset({"Company", "Organization"})
PREPS = frozenset({"at", "of", "for", "with", "from"})
MAX_ROLE_TOKENS = 12
MAX_DESCRIPTORS = 8
CLAUSE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})


def _at(ctx: Ctx, i: int) -> Mention | None:
    span = ctx.sent.span
    if not span.start <= i < span.end:
        return None
    return ctx.res.mention(ctx.sent, ctx.sent.doc[i])


def _employer(ctx: Ctx, m: Mention | None) -> bool:
    return m is not None and ctx.etype(m.entity) in EMPLOYERS


def _is_title(ctx: Ctx, i: int) -> bool:
    tok = ctx.sent.doc[i]
    return tok.lower_ in ctx.gaz.titles and (tok.pos_ in ("NOUN", "PROPN") or tok.text.isupper())


def _descriptor(ctx: Ctx, i: int) -> bool:
    """A word that may sit inside a role or before an employer's name: 'principal', 'digital',
    'IT', 'SaaS', 'cyber-risk', 'and'."""
    tok = ctx.sent.doc[i]
    text = tok.text
    if text in ("-", "–", "/", "&"):
        return True
    if not tok.is_alpha or tok.tag_ in CLAUSE_TAGS:
        return False
    return text.islower() or (len(text) <= 5 and _at(ctx, i) is None)


def employer_after(ctx: Ctx, q: int) -> int | None:
    """The employer named from token q on: '[the] Y', "Y's unit", '[lower-case words] firm Y'."""
    hi = ctx.sent.span.end
    doc = ctx.sent.doc
    if q < hi and doc[q].lower_ in ("the", "a", "an"):
        q += 1
    for _ in range(MAX_DESCRIPTORS + 1):
        m = _at(ctx, q)
        if m is not None:
            if m.end + 1 < hi and doc[m.end].text in POSSESSIVE:  # "the DOJ's Security Division"
                unit = _at(ctx, m.end + 1)
                if _employer(ctx, unit) and unit is not None:
                    return unit.entity
            return m.entity if _employer(ctx, m) else None
        if q >= hi or not _descriptor(ctx, q):
            return None
        q += 1
    return None


def appositive_role(ctx: Ctx) -> None:
    """'X, principal threat hunter at company Y', 'X, senior director of Y's forensics unit',
    'X, the alleged Y affiliate', 'X, CEO of Y' -> X WORKS_FOR Y."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    for p in ctx.mentions:
        if ctx.etype(p.entity) != "Person" or p.end + 1 >= hi or doc[p.end].text != ",":
            continue
        j = p.end + 1
        if doc[j].lower_ in ("a", "an", "the"):
            j += 1
        seen_title, member_of = False, None
        while j < hi and j - p.end <= MAX_ROLE_TOKENS:
            m = _at(ctx, j)
            if m is not None:
                if not _employer(ctx, m):
                    break
                if m.end < hi and doc[m.end].text in POSSESSIVE and not seen_title:
                    member_of, j = m.entity, m.end + 1  # "X, Meta's head of ..."
                    continue
                if m.end < hi and _is_title(ctx, m.end):
                    member_of = m.entity  # "X, the alleged REvil affiliate"
                j = m.end
                continue
            tok = doc[j]
            if _is_title(ctx, j):
                seen_title = True
            elif seen_title and tok.lower_ in PREPS:
                found = employer_after(ctx, j + 1)
                if found is not None:
                    ctx.add(p.entity, "WORKS_FOR", found, "role-apposition", 0.85)
                    member_of = None
                break
            elif not _descriptor(ctx, j):
                break
            j += 1
        if seen_title and member_of is not None:
            ctx.add(p.entity, "WORKS_FOR", member_of, "role-apposition", 0.8)


def role_after_name(ctx: Ctx) -> None:
    """'U.S. Attorney X for the Southern District of New York': a title before a name and the
    body after it."""
    doc, lo, hi = ctx.sent.doc, ctx.sent.span.start, ctx.sent.span.end
    for p in ctx.mentions:
        if ctx.etype(p.entity) != "Person" or p.start - 1 < lo or p.end + 1 >= hi:
            continue
        if not _is_title(ctx, p.start - 1) or doc[p.end].lower_ not in ("for", "of", "at"):
            continue
        found = employer_after(ctx, p.end + 1)
        if found is not None:
            ctx.add(p.entity, "WORKS_FOR", found, "title-name-body", 0.8)


def role_list(ctx: Ctx) -> None:
    """'two former NSO employees, Guy Geva and Nimrod Reznik', 'Y researchers A and B'."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    for org in ctx.mentions:
        if not _employer(ctx, org):
            continue
        j = org.end
        if j < hi and doc[j].lower_ not in ctx.gaz.role_plurals:
            continue
        j += 1
        if j < hi and doc[j].text in (",", ":", "–", "—"):
            j += 1
        for person in _people_listed(ctx, j):
            ctx.add(person, "WORKS_FOR", org.entity, "role-list", 0.8)


def _people_listed(ctx: Ctx, j: int) -> list[int]:
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    out: list[int] = []
    while j < hi:
        m = _at(ctx, j)
        if m is None or m.start != j or ctx.etype(m.entity) != "Person":
            break
        out.append(m.entity)
        j = m.end
        if j < hi and doc[j].text == ",":
            j += 1
        if j < hi and doc[j].lower_ in ("and", "&"):
            j += 1
    return out


MEMBER_NOUNS = frozenset(
    {"member", "members", "affiliate", "affiliates", "part", "operator", "operators", "leader",
     "leaders", "employee", "employees", "founder", "founders", "hacker", "hackers", "officer",
     "officers", "agent", "agents", "developer", "developers", "contractor", "contractors"}
)  # fmt: skip
# Role nouns whose employer follows "for" or "at" ("contractors for X", "employees at X").
FOR_NOUNS = frozenset(
    {"contractor", "contractors", "employee", "employees", "operator", "operators", "developer",
     "developers", "hacker", "hackers", "agent", "agents", "officer", "officers"}
)  # fmt: skip
NAMING_AS = frozenset({"identify", "name", "describe", "list", "charge", "indict", "unmask"})


def membership(ctx: Ctx) -> None:
    """'A, B and C were members of Copper Lantern', 'accused of being part of X', 'they are
    affiliates of X' -> each WORKS_FOR X."""
    if not ctx.has_any(MEMBER_NOUNS):
        return
    for tok in ctx.tokens:
        if tok.lower_ not in MEMBER_NOUNS or tok.pos_ != "NOUN" or tok.dep_ not in ("attr", "pobj"):
            continue
        preps = ("of", "in", "for", "at") if tok.lower_ in FOR_NOUNS else ("of", "in")
        bodies = [e for o in prep_objects(tok, *preps) for e in np_entities(ctx, o)]
        bodies = [b for b in bodies if ctx.etype(b) in EMPLOYERS]
        if not bodies:
            continue
        verb = tok.head
        if tok.dep_ == "pobj":  # "were among the members of", "as members of"
            verb = verb.head
        if tok.head.lower_ == "as" and lemma(verb) in NAMING_AS and children(verb, "dobj"):
            # "the DOJ identified the two as contractors for X": the object is who
            people = [e for o in children(verb, "dobj") for e in people_of(ctx, o)]
        else:
            people = [e for s in subject_tokens(ctx, verb) for e in people_of(ctx, s)]
        if not people and verb.dep_ in ("pcomp", "pobj", "xcomp", "advcl"):
            people = _people_governing(ctx, verb)  # "X is accused of being part of Y"
        for p in dict.fromkeys(people):
            for b in bodies:
                ctx.add(p, "WORKS_FOR", b, "member-of", 0.8)


def _people_governing(ctx: Ctx, tok: Token) -> list[int]:
    node = tok
    for _ in range(4):
        if node.head.i == node.i:
            return []
        node = node.head
        if node.tag_.startswith("VB"):
            found = [
                e
                for s in subject_tokens(ctx, node, ("nsubj", "nsubjpass"))
                for e in people_of(ctx, s)
            ]
            if found:
                return found
    return []


NUMBERS = frozenset({"two", "three", "four", "five", "six", "seven", "eight", "both"})
GROUP_NOUNS = frozenset({"men", "women", "defendants", "suspects", "pair", "trio", "hackers"})


def people_of(ctx: Ctx, tok: Token) -> list[int]:
    """The people a subject names: a person, a list of people, or 'the four', 'the two men',
    'they' standing for the people listed just before."""
    found = [e for e in np_entities(ctx, tok) if ctx.etype(e) == "Person"]
    if found:
        return found
    plural = tok.lower_ in NUMBERS | {"they"} or (
        tok.lower_ in GROUP_NOUNS and any(c.lower_ in NUMBERS | {"the"} for c in tok.children)
    )
    return listed_people(ctx) if plural else []


def listed_people(ctx: Ctx) -> list[int]:
    """The last list of two or more people named in this sentence or the one before."""
    sents = ctx.res.sents
    for back in (0, 1):
        idx = ctx.sent.index - back
        if idx < 0 or sents[idx].story != ctx.sent.story:
            return []
        people = [
            m.entity
            for m in ctx.res.by_sent.get(idx, [])
            if ctx.etype(m.entity) == "Person" and (back or m.end <= ctx.sent.span.end)
        ]
        people = list(dict.fromkeys(people))
        if len(people) >= 2:
            return people
    return []
