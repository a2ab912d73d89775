"""Relation rules around verbs of business and law: hiring, suing, making, owning, sanctioning."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    agents,
    children,
    is_passive,
    is_verb,
    lemma,
    np_entities,
    objects,
    patients,
    prep_objects,
    subject_tokens,
    subjects,
)
from casegraph.extract.cues import list_items
from casegraph.extract.rules_roles import people_of

if TYPE_CHECKING:
    from spacy.tokens import Token

ACTORS = frozenset({"Company", "Organization"})
SANCTION_WORDS = frozenset(
    {"sanction", "sanctions", "sanctioned", "terrorist", "sdn", "ofac", "blacklist", "embargo"}
)
CLAIMING = frozenset({"say", "allege", "accuse", "claim", "argue", "charge"})


def clients_and_firms(ctx: Ctx, verb: Token) -> tuple[list[int], list[int]]:
    if is_passive(verb):
        return agents(ctx, verb), patients(ctx, verb)
    return subjects(ctx, verb), objects(ctx, verb)


def hire(ctx: Ctx) -> None:
    """'Harvey Weinstein hired Black Cube', 'Black Cube was retained by Weinstein'."""
    verbs = ctx.gaz.trigger("hire_verbs")
    for tok in ctx.verbs_in(verbs):
        clients, firms = clients_and_firms(ctx, tok)
        for c in clients:
            for f in firms:
                ctx.add(c, "HIRED", f, "svo-hire", 0.85)


def sue(ctx: Ctx) -> None:
    """'Facebook sued NSO Group ... over WhatsApp'; 'Apple announced it was suing the group'."""
    verbs = frozenset(ctx.gaz.lawsuit["verbs"])
    for tok in ctx.verbs_in(verbs):
        plaintiffs, defendants = clients_and_firms(ctx, tok)
        read_lawsuit(ctx, tok, plaintiffs, defendants, "svo-sue")
    doc, span = ctx.sent.doc, ctx.sent.span
    for tok in ctx.tokens:
        if tok.lower_ in ("v.", "vs.", "v", "vs", "versus") and span.start < tok.i < span.end - 1:
            left = ctx.res.mention(ctx.sent, doc[tok.i - 1])
            right = ctx.res.mention(ctx.sent, doc[tok.i + 1])
            if left is not None and right is not None and right.start == tok.i + 1:
                read_lawsuit(ctx, tok, [left.entity], [right.entity], "lawsuit-caption")
    nouns = frozenset(ctx.gaz.lawsuit["nouns"])
    for tok in ctx.tokens:
        if tok.lower_ not in nouns or tok.pos_ != "NOUN":
            continue
        defendants = [e for o in prep_objects(tok, "against") for e in np_entities(ctx, o)]
        if (
            not defendants and tok.dep_ == "dobj"
        ):  # "filed a lawsuit against X": 'against' on the verb
            defendants = [e for o in prep_objects(tok.head, "against") for e in np_entities(ctx, o)]
        for acl in children(tok, "acl", "relcl"):  # "Samsung's lawsuit, filed ... against X"
            if not defendants and lemma(acl) in ctx.gaz.lawsuit["filing_verbs"]:
                defendants = [e for o in prep_objects(acl, "against") for e in np_entities(ctx, o)]
        if not defendants:
            continue
        plaintiffs = [e for c in children(tok, "poss") for e in np_entities(ctx, c)]
        plaintiffs += [e for o in prep_objects(tok, "by", "from") for e in np_entities(ctx, o)]
        head = tok.head
        if not plaintiffs and tok.dep_ == "dobj" and lemma(head) in ctx.gaz.lawsuit["filing_verbs"]:
            plaintiffs = subjects(ctx, head)
        read_lawsuit(ctx, tok, plaintiffs, defendants, "lawsuit-noun")


def read_lawsuit(
    ctx: Ctx, anchor: Token, plaintiffs: list[int], defendants: list[int], rule: str
) -> None:
    if not plaintiffs or not defendants:
        return
    preps = tuple(ctx.gaz.lawsuit["subject_preps"])
    about: list[int] = []
    for node in [anchor, *children(anchor, "dobj", "nsubjpass"), anchor.head]:
        for obj in prep_objects(node, *preps):
            about.extend(_mentions_in(ctx, obj))
        for clause in children(node, "advcl", "ccomp"):  # "..., saying the company abused X"
            if lemma(clause) in CLAIMING:
                about += [
                    e for e in _mentions_in(ctx, clause) if ctx.etype(e) in ("Product", "Platform")
                ]
    parties = set(plaintiffs) | set(defendants)
    for p in plaintiffs:
        suit = ctx.lawsuit(p, defendants[0])
        ctx.add(p, "PLAINTIFF_IN", suit, rule, 0.85)
        for d in defendants:
            ctx.add(d, "DEFENDANT_IN", suit, rule, 0.85)
        for e in dict.fromkeys(about):
            if e not in parties and ctx.etype(e) not in ("Country", "Location"):
                ctx.add(suit, "CONCERNS", e, f"{rule}-subject", 0.7)


def _mentions_in(ctx: Ctx, tok: Token) -> list[int]:
    """Entities named anywhere in a token's subtree, pronouns left out."""
    out = []
    for t in tok.subtree:
        m = ctx.res.mention(ctx.sent, t)
        if (m is not None and m.start == t.i) or (m is not None and t.i == m.end - 1):
            out.append(m.entity)
    return list(dict.fromkeys(out))


def use(ctx: Ctx) -> None:
    """'authoritarian regimes used Pegasus', 'the group deployed Predator'."""
    uses = ctx.gaz.trigger("use_verbs")
    for tok in ctx.verbs_in(uses):
        if is_passive(tok):  # "the flaw was exploited by both NSO Group and QuaDream"
            users, used = agents(ctx, tok), patients(ctx, tok)
        else:
            users, used = subjects(ctx, tok), objects(ctx, tok)
        tools = [e for e in used if ctx.etype(e) in ("Product", "Platform")]
        for a in users:
            if ctx.etype(a) in ("Product", "VictimGroup"):
                continue
            for t in tools:
                ctx.add(a, "USED", t, "svo-use", 0.7)


def develop(ctx: Ctx) -> None:
    """'Intellexa sells Predator', 'Predator, developed by Cytrox', 'X, the maker of Y'."""
    verbs = ctx.gaz.trigger("develop_verbs")
    makers = ctx.gaz.trigger("develop_nouns")
    for tok in ctx.tokens:
        if is_verb(tok, verbs):
            if is_passive(tok):
                products = patients(ctx, tok)
                owners = agents(ctx, tok)
            else:
                owners, products = subjects(ctx, tok), objects(ctx, tok)
            for o in owners:
                for p in products:
                    if ctx.etype(p) == "Product":
                        ctx.add(o, "DEVELOPED", p, "svo-develop", 0.75)
        elif tok.lower_ in makers and tok.pos_ == "NOUN":
            products = [e for o in prep_objects(tok, "of", "behind") for e in np_entities(ctx, o)]
            products += [e for c in children(tok, "compound") if (e := ctx.ent(c)) is not None]
            if tok.dep_ == "appos":
                owners = np_entities(ctx, tok.head)
            elif tok.dep_ == "attr":
                owners = subjects(ctx, tok.head)
            else:
                owners = [e for c in children(tok, "appos") for e in np_entities(ctx, c)]
            for o in owners:
                for p in products:
                    if ctx.etype(p) == "Product":
                        ctx.add(o, "DEVELOPED", p, "maker-of", 0.75)
    for m in ctx.mentions:  # "Pegasus, the company's flagship tool", "X, its antivirus product"
        if ctx.etype(m.entity) != "Product":
            continue
        for app in children(ctx.sent.doc[m.end - 1], "appos"):
            for poss in children(app, "poss"):
                owner = ctx.ent(poss)
                if owner is not None and ctx.etype(owner) in ACTORS:
                    ctx.add(owner, "DEVELOPED", m.entity, "appositive-owner", 0.75)


def sanction(ctx: Ctx) -> None:
    """'the US sanctioned NSO Group', 'Commerce added NSO Group to the Entity List'."""
    verbs = ctx.gaz.trigger("sanction_verbs")
    lists = tuple(x.lower() for x in ctx.gaz.trigger("sanction_lists"))
    context = any(t.lower_ in SANCTION_WORDS for t in ctx.tokens)
    for tok in ctx.tokens:
        if is_verb(tok, verbs) or (lemma(tok) == "designate" and context and tok.pos_ == "VERB"):
            by, whom = clients_and_firms(ctx, tok)  # "designated X under its sanctions program"
        elif lemma(tok) in ("add", "place", "put") and tok.tag_.startswith("VB"):
            dest = " ".join(t.text for o in prep_objects(tok, "to", "on") for t in o.subtree)
            if not any(x in dest.lower() for x in lists):
                continue
            by, whom = clients_and_firms(ctx, tok)
            whom += _listed(ctx, tok)
        else:
            continue
        for b in by:
            for w in whom:
                ctx.add(b, "SANCTIONED", w, "svo-sanction", 0.8)


IMPOSERS = frozenset({"Organization", "Country"})
SANCTION_NOUNS = frozenset({"sanction", "sanctions"})
FACING = frozenset({"face", "receive", "get", "incur", "draw"})


def sanction_nouns(ctx: Ctx) -> None:
    """'The two face sanctions through the U.S. Department of Treasury', 'Treasury's sanctions
    against X', 'sanctions imposed by the EU on X' -> the body SANCTIONED X."""
    if not ctx.has_any(SANCTION_NOUNS):
        return
    for tok in ctx.tokens:
        if tok.lower_ not in SANCTION_NOUNS or tok.pos_ != "NOUN":
            continue
        by = [e for o in prep_objects(tok, "through", "from", "by") for e in np_entities(ctx, o)]
        by += [e for p in children(tok, "poss") if (e := ctx.ent(p)) is not None]
        for acl in children(tok, "acl"):  # "sanctions imposed by X on Y"
            if lemma(acl) in ("impose", "announce", "issue", "levy"):
                by += [e for o in prep_objects(acl, "by") for e in np_entities(ctx, o)]
        facing = tok.dep_ == "dobj" and lemma(tok.head) in FACING
        if facing:  # "face sanctions through X": the body attached to the verb
            by += [
                e for o in prep_objects(tok.head, "through", "from") for e in np_entities(ctx, o)
            ]
        by = [b for b in dict.fromkeys(by) if ctx.etype(b) in IMPOSERS]
        if not by:
            continue
        whom = [e for o in prep_objects(tok, "against", "on") for e in np_entities(ctx, o)]
        for acl in children(tok, "acl"):
            whom += [e for o in prep_objects(acl, "on", "against") for e in np_entities(ctx, o)]
        if facing:  # "X face sanctions"
            whom += [e for s in subject_tokens(ctx, tok.head) for e in people_of(ctx, s)]
            whom += [e for s in subject_tokens(ctx, tok.head) for e in np_entities(ctx, s)]
        for b in by:
            for w in dict.fromkeys(whom):
                if w != b and ctx.etype(w) in ACTORS | {"Person"}:
                    ctx.add(b, "SANCTIONED", w, "sanction-noun", 0.75)


def _listed(ctx: Ctx, verb: Token) -> list[int]:
    """The names listed after a plural object: 'placed two firms on the list: A and B'."""
    doc, span, gaz = ctx.sent.doc, ctx.sent.span, ctx.gaz
    out: list[int] = []
    for obj in children(verb, "dobj", "nsubjpass"):
        if obj.lower_ in gaz.plural_introducers or obj.lower_ in gaz.weak_plural_introducers:
            for s, _ in list_items(doc, obj.i + 1, span.end, gaz, list(doc.ents)):
                e = ctx.ent(doc[s])
                if e is not None and ctx.etype(e) in ACTORS | {"Person"}:
                    out.append(e)
    return out


def works_for(ctx: Ctx) -> None:
    """'X works for Citizen Lab', 'X joined Meta in 2019'."""
    verbs = ctx.gaz.trigger("work_verbs")
    for tok in ctx.verbs_in(verbs):
        people = [e for s in subject_tokens(ctx, tok) for e in people_of(ctx, s)]
        orgs = objects(ctx, tok) if lemma(tok) == "join" else []
        orgs += [e for o in prep_objects(tok, "for", "at") for e in np_entities(ctx, o)]
        for p in people:
            for o in orgs:
                ctx.add(p, "WORKS_FOR", o, "svo-works-for", 0.75)


def own(ctx: Ctx) -> None:
    """'Meta owns WhatsApp', 'Facebook acquired Instagram'."""
    verbs = ctx.gaz.trigger("own_verbs") - {"operate", "control"}
    for tok in ctx.verbs_in(verbs):
        owners, owned = clients_and_firms(ctx, tok)
        for o in owners:
            for x in owned:
                ctx.add(o, "OWNS", x, "svo-own", 0.7)
