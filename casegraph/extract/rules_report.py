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
    for tok in ctx.sent.span:
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


def according_to(ctx: Ctx) -> None:
    """'X sold Y, according to a report by Amnesty' -> Amnesty REPORTED_ON X and Y."""
    doc, span = ctx.sent.doc, ctx.sent.span
    nouns = ctx.gaz.trigger("report_nouns")
    for tok in span:
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
