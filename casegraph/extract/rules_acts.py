"""Relation rules for acts named by nouns and phrasal verbs: 'attacks by X on Y', 'X was behind
the Y attack', 'the seizure of domains used by X', 'advertises on forums X and Y', 'took X to
court', 'X, a Pegasus operator', units named after their firm."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    children,
    is_passive,
    lemma,
    np_entities,
    prep_objects,
    subject_tokens,
    subjects,
)
from casegraph.extract.rules_np import linked_entities
from casegraph.extract.rules_verb import read_lawsuit

if TYPE_CHECKING:
    from spacy.tokens import Doc, Token

ACTORS = frozenset({"Company", "Organization"})
ATTACKERS = frozenset({"Company", "Organization", "Person", "Country", "Product"})
VICTIMS = frozenset({"VictimGroup", "Person", "Organization", "Company"})
NEGATIONS = frozenset({"not", "n't", "never", "no"})


def _negated(tok: Token) -> bool:
    return any(c.dep_ == "neg" or c.lower_ in NEGATIONS for c in tok.children)


INVOLVEMENT = frozenset({"involvement", "role", "part", "participation", "hand"})


def attacks(ctx: Ctx) -> None:
    """'attacks by X on Y', "X's attacks on Y", 'X launched attacks against Y', 'X was behind
    an attack on Y', 'X was behind the Kaseya attack' -> X TARGETED Y."""
    nouns = ctx.gaz.trigger("attack_nouns")
    if not ctx.has_any(nouns):
        return
    for tok in ctx.tokens:
        if tok.pos_ != "NOUN" or tok.lower_ not in nouns:
            continue
        by = prep_objects(tok, "by", "from")
        victims = [
            e
            for node in [tok, *by, *(a for b in by for a in children(b, "appos"))]
            for o in prep_objects(node, "on", "against")  # spaCy may hang 'on Y' on the attacker
            for e in np_entities(ctx, o)
        ]
        victims += [  # "the Kaseya attack": a firm named before the noun is its victim
            e
            for c in children(tok, "compound")
            if (e := ctx.ent(c)) is not None and ctx.etype(e) == "Company"
        ]
        victims = [v for v in dict.fromkeys(victims) if ctx.etype(v) in VICTIMS]
        if not victims:
            continue
        attackers = [e for o in prep_objects(tok, "by", "from") for e in np_entities(ctx, o)]
        attackers += [e for c in children(tok, "poss") if (e := ctx.ent(c)) is not None]
        head = tok.head
        if not attackers and tok.dep_ == "dobj" and lemma(head) in ctx.gaz.trigger("launch_verbs"):
            attackers = subjects(ctx, head)  # "X launched attacks on Y"
        if not attackers and tok.dep_ == "pobj" and head.lower_ == "in":
            part = head.head  # "X's (reported) involvement in an attack against Y"
            if part.pos_ == "NOUN" and lemma(part) in INVOLVEMENT:
                attackers = [e for c in children(part, "poss") if (e := ctx.ent(c)) is not None]
                attackers += [
                    e for o in prep_objects(part, "of", "by") for e in np_entities(ctx, o)
                ]
        if not attackers and tok.dep_ == "pobj" and head.lower_ == "behind":
            verb = head.head  # "X was behind an attack on Y", "suspected of being behind ..."
            attackers = [e for s in subject_tokens(ctx, verb) for e in np_entities(ctx, s)]
            if not attackers and verb.dep_ in ("pcomp", "pobj", "acl", "advcl"):
                attackers = _owner_of_phrase(ctx, verb)
        for a in dict.fromkeys(attackers):
            if ctx.etype(a) not in ATTACKERS:
                continue
            for v in victims:
                ctx.add(a, "TARGETED", v, "attack-noun", 0.75)


def _owner_of_phrase(ctx: Ctx, tok: Token) -> list[int]:
    """Who a participle or 'of being' phrase describes: 'X, ... suspected of being behind'."""
    node = tok
    for _ in range(4):
        if node.head.i == node.i:
            return []
        node = node.head
        found = [e for e in np_entities(ctx, node, deep=False) if ctx.etype(e) != "Country"]
        if found:  # "X, the REvil affiliate and Ukrainian suspected of ...": X, not Ukraine
            return found
    return []


def seizures(ctx: Ctx) -> None:
    """'X announced the seizure of domains used by Y', 'X seized Y's servers', 'X took down
    the infrastructure of Y' -> X DISRUPTED Y."""
    nouns = ctx.gaz.trigger("seizure_nouns")
    verbs = ctx.gaz.trigger("seizure_verbs")
    if not ctx.has_any(nouns, verbs):
        return
    for tok in ctx.tokens:
        if (tok.lower_ not in nouns and lemma(tok) not in verbs) or _negated(tok):
            continue
        if tok.pos_ == "NOUN" and tok.lower_ in nouns:
            objs = prep_objects(tok, "of")
            for clause in children(tok, "relcl"):  # "our disruptions that targeted X, Y"
                if lemma(clause) in ("target", "hit", "affect"):
                    objs += children(clause, "dobj")
            if tok.dep_ == "nsubj" and lemma(tok.head) in ("target", "hit", "affect"):
                objs += children(tok.head, "dobj")  # "our disruptions targeted X"
            actors = [e for c in children(tok, "poss") if (e := ctx.ent(c)) is not None]
            if not actors and tok.dep_ in ("dobj", "nsubjpass", "attr") and not _negated(tok.head):
                actors = subjects(ctx, tok.head)  # "X announced the seizure of ..."
        elif tok.tag_.startswith("VB") and lemma(tok) in verbs and not is_passive(tok):
            objs, actors = children(tok, "dobj"), subjects(ctx, tok)
        else:
            continue
        targets: list[int] = []
        objs = [_partitive(o) for o in objs]
        for obj in objs:
            direct = np_entities(ctx, obj, deep=False)
            targets += [e for e in direct if ctx.etype(e) in ACTORS]
            if not direct:  # "domains used by X", "X's servers", "the infrastructure of X"
                targets += [e for c in children(obj, "poss") if (e := ctx.ent(c)) is not None]
                targets += linked_entities(ctx, obj)
                targets += [e for o in prep_objects(obj, "of") for e in np_entities(ctx, o)]
                targets += _used_by(ctx, obj)
        targets += [x for t in targets for x in listed_after(ctx, t)]
        for a in dict.fromkeys(actors):
            if ctx.etype(a) not in ACTORS:
                continue
            for t in dict.fromkeys(targets):
                if t != a and ctx.etype(t) in ACTORS:
                    ctx.add(a, "DISRUPTED", t, "seizure", 0.8)


def _partitive(tok: Token) -> Token:
    """The noun a quantity stands for: 'dozens of domains' -> 'domains'."""
    if tok.tag_ in ("NNS", "CD") and tok.lower_ in QUANTITIES:
        for obj in prep_objects(tok, "of"):
            return obj
    return tok


QUANTITIES = frozenset({"dozens", "hundreds", "thousands", "millions", "scores", "lots", "number"})


MAX_ASIDE = 6


def listed_after(ctx: Ctx, entity: int) -> list[int]:
    """Entities of the same type listed after one on the surface, past asides such as
    'operating from China': 'Barium, operating from China, Strontium, ... and Thallium'."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    mentions = [m for m in ctx.mentions if m.entity == entity]
    if not mentions:
        return []
    kind = ctx.etype(entity)
    out: list[int] = []
    j = mentions[0].end
    while j < hi:
        if doc[j].text == ",":
            j += 1
            if j < hi and doc[j].tag_ in ("VBG", "VBN"):  # an aside: skip to its comma
                k = j
                while k < hi and k - j <= MAX_ASIDE and doc[k].text != ",":
                    k += 1
                if k >= hi or doc[k].text != ",":
                    break
                j = k
                continue
        if j < hi and doc[j].lower_ in ("and", "or"):
            j += 1
        m = ctx.res.mention(ctx.sent, doc[j]) if j < hi else None
        if m is None or m.start != j or ctx.etype(m.entity) != kind:
            break
        out.append(m.entity)
        j = m.end
    return out


def _used_by(ctx: Ctx, obj: Token) -> list[int]:
    """'domains used in attacks by X': the user named through a participle's phrase."""
    out: list[int] = []
    for acl in children(obj, "acl", "relcl"):
        if lemma(acl) not in ("use", "operate", "run", "control"):
            continue
        for p in acl.children:
            if p.dep_ == "prep" and p.lower_ == "in":
                for noun in children(p, "pobj"):
                    out += [e for o in prep_objects(noun, "by") for e in np_entities(ctx, o)]
    return out


def platforms_used(ctx: Ctx) -> None:
    """'The group advertises its services on forums X and Y' -> the group OPERATED_ON X, Y."""
    verbs = ctx.gaz.trigger("platform_verbs")
    for tok in ctx.verbs_in(verbs):
        if is_passive(tok):
            continue
        heads = [tok, *children(tok, "dobj")]  # "advertises its services on forums X and Y"
        where = [
            e
            for h in heads
            for o in prep_objects(h, "on", "via", "through")
            for e in np_entities(ctx, o)
        ]
        where = [e for e in where if ctx.etype(e) == "Platform"]
        for a in subjects(ctx, tok):
            if ctx.etype(a) in ACTORS | {"Person"}:
                for p in where:
                    ctx.add(a, "OPERATED_ON", p, "acts-on-platform", 0.75)


def product_users(ctx: Ctx) -> None:
    """'LULU, a Pegasus operator', 'X, a long-time Predator customer' -> X USED the product."""
    nouns = ctx.gaz.trigger("user_nouns")
    if not ctx.has_any(nouns):
        return
    doc = ctx.sent.doc
    for tok in ctx.tokens:
        if tok.lower_ not in nouns or tok.pos_ != "NOUN":
            continue
        products = [e for c in children(tok, "compound") if (e := ctx.ent(c)) is not None]
        products = [p for p in products if ctx.etype(p) == "Product"]
        if not products:
            continue
        users: list[int] = []
        if tok.dep_ == "appos":
            users = np_entities(ctx, tok.head, deep=False)
        elif tok.dep_ == "attr":
            users = subjects(ctx, tok.head)
        left = tok.left_edge.i
        if not users and left - 2 >= ctx.sent.span.start and doc[left - 1].text == ",":
            m = ctx.res.mention(ctx.sent, doc[left - 2])
            users = [m.entity] if m is not None else []
        for u in users:
            if ctx.etype(u) in ATTACKERS - {"Product"}:
                for p in products:
                    ctx.add(u, "USED", p, "product-user", 0.75)


def court(ctx: Ctx) -> None:
    """'Abd-Ali took FinFisher to court' -> a Lawsuit with its two parties."""
    for tok in ctx.tokens:
        if lemma(tok) not in ("take", "haul", "drag") or not tok.tag_.startswith("VB"):
            continue
        if not any(o.lower_ in ("court", "tribunal") for o in prep_objects(tok, "to")):
            continue
        defendants = [e for o in children(tok, "dobj") for e in np_entities(ctx, o)]
        plaintiffs = subjects(ctx, tok)
        read_lawsuit(ctx, tok, plaintiffs, defendants, "took-to-court")


def units(ctx: Ctx) -> None:
    """'Microsoft Digital Crimes Unit', 'Google Threat Analysis Group': a unit named after the
    firm it belongs to, when the firm is named in the document too -> PART_OF."""
    unit_words = ctx.gaz.trigger("unit_words")
    by_name = {e.name: e.id for e in ctx.entities if e.type in ACTORS}
    for m in ctx.mentions:
        ent = ctx.entities[m.entity]
        words = ent.name.split()
        if ent.type != "Organization" or len(words) < 3 or words[-1] not in unit_words:
            continue
        if ctx.entities[m.entity].mentions[0] is not m:
            continue  # cited once, where the unit is first named
        for k in range(len(words) - 2, 0, -1):
            owner = by_name.get(" ".join(words[:k]))
            if owner is not None and owner != m.entity:
                ctx.add(m.entity, "PART_OF", owner, "unit-name", 0.8)
                break


def named_defendants(ctx: Ctx) -> None:
    """'The complaint also names three residents as defendants: A, ...; B, ...; and C' -> each
    DEFENDANT_IN the lawsuit last read in the story."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    for tok in ctx.tokens:
        if lemma(tok) not in ("name", "list", "add", "include") or not tok.tag_.startswith("VB"):
            continue
        if not any(o.lower_ in ("defendant", "defendants") for o in prep_objects(tok, "as")):
            continue
        suit = _current_lawsuit(ctx)
        if suit is None:
            continue
        people: list[int] = [
            e
            for o in children(tok, "dobj")
            for e in np_entities(ctx, o)
            if ctx.etype(e) != "Country"
        ]
        colon = next((t.i for t in doc[tok.i : hi] if t.text == ":"), -1)
        if colon > 0:  # the list after the colon, items separated by ';' or ','
            people += [
                m.entity
                for m in ctx.mentions
                if m.start > colon
                and ctx.etype(m.entity) in ("Person", "Company", "Organization")
                and _item_start(doc, m.start, colon)
            ]
        for p in dict.fromkeys(people):
            ctx.add(p, "DEFENDANT_IN", suit, "named-defendant", 0.8)


def _item_start(doc: Doc, i: int, colon: int) -> bool:
    """Whether token i begins an item of a list opened at colon ('; and B', ', C')."""
    j = i - 1
    while j > colon and doc[j].lower_ in ("and", "or"):
        j -= 1
    return j == colon or doc[j].text in (";", ",")


def _current_lawsuit(ctx: Ctx) -> int | None:
    """The Lawsuit most recently read in this story, if any."""
    story = ctx.sent.story
    found = [
        ctx.lawsuits[name]
        for name in ctx.lawsuits
        if story in ctx.entities[ctx.lawsuits[name]].stories
    ]
    return found[-1] if found else None


def eponymous(ctx: Ctx) -> None:
    """'Microsoft Word', 'Kaseya VSA': a product named after the firm it comes from, when the
    firm is named in the document too -> the firm DEVELOPED it."""
    by_name = {e.name: e.id for e in ctx.entities if e.type in ACTORS}
    for m in ctx.mentions:
        ent = ctx.entities[m.entity]
        words = ent.name.split()
        if ent.type != "Product" or len(words) < 2 or ent.mentions[0] is not m:
            continue
        owner = by_name.get(words[0])
        if owner is not None:
            ctx.add(owner, "DEVELOPED", m.entity, "eponymous-product", 0.75)


def publisher_of(ctx: Ctx) -> None:
    """'X, the publisher of the game Y', 'the owner of Y' -> X OWNS Y."""
    for tok in ctx.tokens:
        if tok.lower_ not in ("publisher", "owner", "operator") or tok.pos_ != "NOUN":
            continue
        owned = [e for o in prep_objects(tok, "of") for e in np_entities(ctx, o)]
        owned = [e for e in owned if ctx.etype(e) in ("Product", "Platform", "Company")]
        if tok.dep_ == "appos":
            owners = np_entities(ctx, tok.head, deep=False)
        elif tok.dep_ == "attr":
            owners = subjects(ctx, tok.head)
        else:
            continue
        for o in owners:
            if ctx.etype(o) in ACTORS:
                for x in owned:
                    ctx.add(o, "OWNS", x, "publisher-of", 0.75)
