"""Relation rules for who reported on whom: 'reported on', 'a report by X documented Y'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    agents,
    children,
    is_passive,
    lemma,
    np_entities,
    passive_subjects,
    prep_objects,
    subject_tokens,
)
from casegraph.extract.rules_verb import ACTORS
from casegraph.extract.tokens import POSSESSIVE

if TYPE_CHECKING:
    from spacy.tokens import Token


def _reporters(ctx: Ctx, verb: Token) -> list[int]:
    """Who reports: the subject, or the authors of a subject like 'a report by X and Y'."""
    out: list[int] = []
    nouns = ctx.gaz.trigger("report_nouns")
    for subj in subject_tokens(ctx, verb):
        direct = np_entities(ctx, subj)
        if direct:
            out.extend(direct)
        elif lemma(subj) in ctx.gaz.trigger("researcher_nouns"):  # "researchers at the lab"
            for o in prep_objects(subj, "at", "from", "with", "of"):
                out.extend(np_entities(ctx, o, deep=False))
        elif subj.lower_ in nouns or lemma(subj) in nouns:
            for c in children(subj, "poss"):
                out.extend(np_entities(ctx, c))
            for p in children(subj, "prep"):
                objs = prep_objects(p, "of") if p.lower_ == "out" else prep_objects(subj, p.lower_)
                if p.lower_ in ("by", "from", "out", "of"):
                    for o in objs:
                        out.extend(np_entities(ctx, o))
    return [e for e in dict.fromkeys(out) if ctx.etype(e) in ("Organization", "Person", "Company")]


def report(ctx: Ctx) -> None:
    """'The Daily Beast reported on an operation run by X'; 'a report by A and B documented C'."""
    verbs = ctx.gaz.trigger("report_verbs")
    for tok in ctx.tokens:
        if not tok.tag_.startswith("VB"):
            continue
        lem = lemma(tok)
        if lem == "report" and not is_passive(tok):
            targets = [e for o in prep_objects(tok, "on", "about") for e in np_entities(ctx, o)]
            rule = "report-on"
        elif lem in verbs and not is_passive(tok):
            targets = [e for o in children(tok, "dobj") for e in np_entities(ctx, o)]
            for o in children(tok, "dobj"):  # "published an investigation into Appin"
                if lemma(o) in ctx.gaz.trigger("report_nouns"):
                    about = prep_objects(o, "into", "on", "about", "of")
                    about += prep_objects(tok, "into", "on", "about")
                    targets += [e for a in about for e in np_entities(ctx, a)]
            if lem in ctx.gaz.trigger("attribute_verbs"):  # "attributed the campaign to X"
                targets = [e for o in prep_objects(tok, "to") for e in np_entities(ctx, o)]
            rule = "report-svo"
        elif lem in verbs | {"report"} and is_passive(tok):
            for reporter in agents(ctx, tok):
                for t in _passive_topic(ctx, tok):
                    ctx.add(reporter, "REPORTED_ON", t, "report-passive", 0.7)
            continue
        else:
            continue
        reporters = _reporters(ctx, tok)
        for r in reporters:
            for t in targets:
                if t not in reporters and ctx.etype(t) not in ("Country", "Location"):
                    ctx.add(r, "REPORTED_ON", t, rule, 0.8)


REPORTERS = frozenset({"Organization", "Person"})


def report_noun(ctx: Ctx) -> None:
    """ "Project Zero's thorough analysis of ForcedEntry", "Amnesty's report on NSO Group" ->
    the possessor REPORTED_ON what the report is about."""
    nouns = ctx.gaz.trigger("report_nouns")
    if not ctx.has_any(nouns):
        return
    for tok in ctx.tokens:
        if tok.lower_ not in nouns or tok.pos_ != "NOUN":
            continue
        reporters = [e for c in children(tok, "poss") if (e := ctx.ent(c)) is not None]
        reporters = [r for r in reporters if ctx.etype(r) in REPORTERS]
        if not reporters:
            continue
        about = prep_objects(tok, "of", "on", "into", "about")
        targets = [e for a in about for e in np_entities(ctx, a)]
        for r in reporters:
            for t in dict.fromkeys(targets):
                if t != r and ctx.etype(t) not in ("Country", "Location"):
                    ctx.add(r, "REPORTED_ON", t, "report-noun", 0.75)


def according_to(ctx: Ctx) -> None:
    """'X sold Y, according to a report by Amnesty' -> Amnesty REPORTED_ON X and Y."""
    doc, span = ctx.sent.doc, ctx.sent.span
    nouns = ctx.gaz.trigger("report_nouns")
    for tok in ctx.tokens:
        if tok.lower_ != "according" or tok.i + 1 >= span.end or doc[tok.i + 1].lower_ != "to":
            continue
        sources: list[int] = []
        for obj in children(doc[tok.i + 1], "pobj"):
            if lemma(obj) in nouns:
                sources += [
                    e for o in prep_objects(obj, "by", "from", "of") for e in np_entities(ctx, o)
                ]
                sources += [e for c in children(obj, "poss") for e in np_entities(ctx, c)]
            else:
                sources += np_entities(ctx, obj, deep=False)
        sources = [s for s in sources if ctx.etype(s) in ("Organization", "Person")]
        root = span.root
        named = [  # "according to X, it is likely that ...": no pronoun is a topic
            t
            for t in root.children
            if t.dep_ in ("nsubj", "nsubjpass", "dobj") and t.pos_ != "PRON"
        ]
        topics = [e for t in named for e in np_entities(ctx, t)]
        inside = {  # "according to X, a researcher at Y, ...": Y is the source's, not a topic
            m.entity for t in tok.subtree if (m := ctx.res.mention(ctx.sent, t)) is not None
        }
        for s in sources:
            for t in dict.fromkeys(topics):
                if t not in inside and ctx.etype(t) in ACTORS | {"Person", "Product"}:
                    ctx.add(s, "REPORTED_ON", t, "according-to", 0.6)


def _passive_topic(ctx: Ctx, verb: Token) -> list[int]:
    """What 'covered by Reuters' is about: the passive subject or the governing clause's."""
    owners = [
        e
        for s in children(verb, "nsubjpass")
        for p in children(s, "poss")
        if (e := ctx.ent(p)) is not None and ctx.etype(e) in ACTORS
    ]
    if owners:  # "a firm whose exploits were exposed by X": the firm, not its exploits
        return owners
    own = passive_subjects(ctx, verb)
    if own:
        return own
    if verb.dep_ in ("advcl", "acl", "relcl") and verb.head.i != verb.i:
        head = verb.head
        if verb.dep_ != "advcl":
            return np_entities(ctx, head)
        return [
            e
            for s in subject_tokens(ctx, head, ("nsubj", "nsubjpass"))
            for e in np_entities(ctx, s)
        ]
    return []


def report_clause(ctx: Ctx) -> None:
    """'A report from Citizen Lab revealed that NSO Group supplied tools to the government of
    Bahrain', 'The Threat Intelligence Center found that Nickel was able to ...', 'researchers
    from X found that the functions employed by A and B were identical' -> X REPORTED_ON them.

    Only organisations count as reporters here: what a quoted person says is rarely annotated
    as reporting."""
    verbs = ctx.gaz.trigger("finding_verbs")
    for tok in ctx.verbs_in(verbs):
        if is_passive(tok):
            continue
        if any(c.dep_ == "neg" for c in tok.children):
            continue  # "Reuters couldn't determine whether ..."
        reporters = [r for r in _reporters(ctx, tok) if ctx.etype(r) == "Organization"]
        if not reporters:
            continue
        topics: list[int] = []
        for clause in children(tok, "ccomp"):
            topics += _clause_parties(ctx, clause)
        own = _possessed_by(ctx, reporters) | _places(ctx)
        for r in reporters:
            for t in dict.fromkeys(topics):
                if t not in reporters and t not in own and ctx.etype(t) in TOPICS:
                    ctx.add(r, "REPORTED_ON", t, "report-clause", 0.7)


def _places(ctx: Ctx) -> set[int]:
    """Countries named only as where something is ('police in Spain'), never as a state."""
    doc, lo = ctx.sent.doc, ctx.sent.span.start
    located, acting = set(), set()
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Country":
            continue
        before = doc[m.start - 1].lower_ if m.start > lo else ""
        if before in ("in", "from", "across", "throughout", "at", "and", ","):
            located.add(m.entity)
        else:
            acting.add(m.entity)
    return located - acting


def _possessed_by(ctx: Ctx, owners: list[int]) -> set[int]:
    """Entities named as the owners' own in the sentence: "Interpol's Cyber Fusion Centre"."""
    doc, lo = ctx.sent.doc, ctx.sent.span.start
    out: set[int] = set()
    for m in ctx.mentions:
        if m.start - 2 >= lo and doc[m.start - 1].text in POSSESSIVE:
            owner = ctx.res.mention(ctx.sent, doc[m.start - 2])
            if owner is not None and owner.entity in owners:
                out.add(m.entity)
    return out


TOPICS = frozenset({"Company", "Organization", "Person", "Product", "Country"})


def _clause_parties(ctx: Ctx, clause: Token) -> list[int]:
    """The actors of a reported clause: its subject and object, whom it gives to, the owner
    or user named inside its subject ('the functions employed by A and B')."""
    out: list[int] = []
    verb = clause
    for s in children(verb, "nsubj", "nsubjpass", "dobj", "attr"):
        if s.pos_ == "PRON" and ctx.res.is_relative(s):
            continue
        out += np_entities(ctx, s, deep=False)
        out += [e for c in children(s, "poss") if (e := ctx.ent(c)) is not None]
        for acl in children(s, "acl", "relcl"):
            out += [e for o in prep_objects(acl, "by") for e in np_entities(ctx, o)]
    out += [e for o in prep_objects(verb, "to", "by") for e in np_entities(ctx, o, deep=False)]
    for x in children(verb, "xcomp"):  # "Nickel was able to compromise ..."
        out += [e for o in children(x, "dobj") for e in np_entities(ctx, o, deep=False)]
    return out
