"""Relation rules for operations: disrupting networks, posing as others, targeting people."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    agents,
    children,
    conjuncts,
    is_passive,
    is_verb,
    lemma,
    np_entities,
    objects,
    passive_subjects,
    prep_objects,
    subject_tokens,
    subjects,
)
from casegraph.extract.cues import list_items
from casegraph.extract.rules_np import linked_entities
from casegraph.extract.rules_verb import ACTORS

if TYPE_CHECKING:
    from spacy.tokens import Token

TARGETS = frozenset({"VictimGroup", "Person", "Organization", "Company"})
PEOPLE = frozenset({"VictimGroup", "Person"})
WATCHING = frozenset({"monitor", "track", "watch", "observe", "follow"})


STOP_WORDS = frozenset(
    {
        ";",
        "but",
        "while",
        "because",
        "although",
        "after",
        "before",
        "which",
        "who",
        "whose",
        "when",
        "where",
    }
)


GERUNDS = {
    "posing": "pose",
    "impersonating": "impersonate",
    "masquerading": "masquerade",
    "pretending": "pretend",
    "mimicking": "mimic",
}


SAYING = frozenset({"say", "tell", "announce", "report", "write", "state", "claim", "add", "note"})


def disrupt(ctx: Ctx) -> None:
    """'Meta removed the networks of BellTroX', 'discovered networks of accounts linked to X'."""
    gaz = ctx.gaz
    strong = gaz.trigger("disrupt_verbs")
    weak = gaz.trigger("discover_verbs")
    phrasal = {p[0]: p[1] for p in gaz.pairs("disrupt_phrasal")}
    networks = gaz.trigger("network_nouns")
    for tok in ctx.tokens:
        lem = lemma(tok)
        if not tok.tag_.startswith("VB"):
            continue
        is_phrasal = lem in phrasal and any(c.lower_ == phrasal[lem] for c in tok.children)
        if lem not in strong and lem not in weak and not is_phrasal:
            continue
        hard = lem in strong or is_phrasal
        if is_passive(tok) and children(tok, "nsubjpass"):
            actors, objs = agents(ctx, tok), children(tok, "nsubjpass")
        else:
            actors = subjects(ctx, tok)
            objs = children(tok, "dobj")
            if not objs and tok.dep_ == "amod" and tok.head.lower_ in networks:
                objs = [tok.head]  # "Meta discovered networks": spaCy's amod slip
            if not objs:  # "it had disrupted networks ...", parsed with networks as a subject
                nxt = [
                    t
                    for t in ctx.sent.doc[tok.i + 1 : min(tok.i + 5, ctx.sent.span.end)]
                    if t.lower_ in networks
                ]
                objs = nxt[:1]
        actors = [a for a in actors if ctx.etype(a) in ACTORS]
        if not actors:
            continue
        targets: list[int] = []
        for obj in objs:
            net = (
                obj
                if obj.lower_ in networks
                else next(
                    (c for c in obj.children if c.dep_ == "compound" and c.lower_ in networks), None
                )
            )
            if net is not None:  # "an operation run by X" may come out as compound + verb
                targets += [
                    e
                    for c in net.children
                    if c.dep_ in ("compound", "poss")
                    if (e := ctx.ent(c)) is not None
                ]
                targets += linked_entities(ctx, net)
                targets += _linked_after(ctx, net)
            elif hard:
                targets += np_entities(ctx, obj)
        conf = 0.85 if hard else 0.65
        for a in actors:
            for t in dict.fromkeys(targets):
                if ctx.etype(t) in ACTORS:
                    ctx.add(
                        a, "DISRUPTED", t, "disrupt-network" if not hard else "svo-disrupt", conf
                    )


def _linked_after(ctx: Ctx, obj: Token) -> list[int]:
    """Actors named after a link cue that follows a network noun, read off the surface.

    spaCy often mangles long object lists ('linked to A, B, an entity in C and firms: D, E');
    the words after 'linked to' up to the end of the clause are read in order instead.
    """
    doc, span, gaz = ctx.sent.doc, ctx.sent.span, ctx.gaz
    cues = gaz.pairs("link_cues")
    i, limit = obj.i + 1, min(span.end, obj.i + 8)
    start = -1
    while i < limit:
        for words in cues:
            if all(i + k < span.end and doc[i + k].lower_ == w for k, w in enumerate(words)):
                start = i + len(words)
                break
        if start >= 0:
            break
        i += 1
    if start < 0:
        return []
    found: list[int] = []
    ents = list(doc.ents)
    k = start
    while k < span.end:
        tok = doc[k]
        if tok.lower_ in STOP_WORDS or (
            tok.lower_ in ("and", ",")
            and k + 1 < span.end
            and doc[k + 1].tag_ in ("VBD", "VBZ", "VBP", "MD")
        ):
            break
        m = ctx.res.mention(ctx.sent, tok)
        if m is not None and ctx.etype(m.entity) in ACTORS:
            found.append(m.entity)
            k = m.end
            continue
        if tok.lower_ in gaz.plural_introducers:
            for s, _ in list_items(doc, k + 1, span.end, gaz, ents):
                e = ctx.ent(doc[s])
                if e is not None:
                    found.append(e)
        k += 1
    return found


def _infinitive_on_noun(verb: Token) -> bool:
    """'(a tool) to infect players': an infinitive clause hanging on a noun."""
    return verb.dep_ in ("relcl", "acl") and any(
        c.dep_ == "aux" and c.lower_ == "to" for c in verb.children
    )


def actor_of(ctx: Ctx, tok: Token) -> int | None:
    """Who performs an action: climbing from the verb through nouns and clauses to a named actor."""
    node = tok
    # "malware ... Warzone to infect players": the noun an infinitive hangs on is what is used
    # (or a parse error), not who acts; only someone linked to it ("the group's campaign to")
    used = ctx.ent(tok.head) if _infinitive_on_noun(tok) else None
    for _ in range(8):
        if node.pos_ in ("NOUN", "PROPN", "PRON"):
            e = ctx.ent(node)
            if e is not None and e != used and ctx.etype(e) in ACTORS | {"Person"}:
                return e
            linked = [x for x in np_entities(ctx, node) if ctx.etype(x) in ACTORS | {"Person"}]
            linked += [x for c in children(node, "poss") if (x := ctx.ent(c)) is not None]
            linked = [x for x in linked if x != used and ctx.etype(x) in ACTORS | {"Person"}]
            if linked:
                return linked[0]
        if node.tag_.startswith("VB") or node.pos_ == "AUX":
            if lemma(node) in SAYING and node.i != tok.i:
                return None
            subj = subject_tokens(ctx, node, ("nsubj", "nsubjpass"))
            for s in subj:
                for e in np_entities(ctx, s):
                    if e != used and ctx.etype(e) in ACTORS | {"Person"}:
                        return e
            if subj and node.i != tok.i:
                node = subj[0]
                if ctx.res.is_relative(node):
                    node = ctx.res.antecedent(ctx.sent, node) or node
                continue
        if node.head.i == node.i:
            return None
        node = node.head
    return None


def impersonate(ctx: Ctx) -> None:
    """'posing as a Fox News reporter', 'impersonating journalists to phish targets'."""
    direct = ctx.gaz.trigger("impersonate_verbs")
    pose = ctx.gaz.trigger("pose_verbs")
    for tok in ctx.tokens:
        if tok.tag_.startswith("VB"):
            lem = lemma(tok)
        elif tok.lower_ in GERUNDS:
            lem = GERUNDS[tok.lower_]  # "an operative posing as ...": spaCy tags it a noun
        else:
            continue
        if lem in direct:
            posed = children(tok, "dobj")
        elif lem in pose:
            posed = prep_objects(tok, "as")
            if lem == "pretend":
                posed += [a for x in children(tok, "xcomp") for a in children(x, "attr")]
        else:
            continue
        targets: list[int] = []
        for p in posed:
            for t in conjuncts(p):
                e = ctx.ent(t)
                if e is None:
                    e = next(
                        (
                            ctx.ent(c)
                            for c in t.children
                            if c.dep_ in ("compound", "poss") and ctx.ent(c) is not None
                        ),
                        None,
                    )
                if e is None:  # "officials at the State Department"
                    e = next(
                        (
                            x
                            for o in prep_objects(t, "at", "of", "from")
                            for x in np_entities(ctx, o, deep=False)
                        ),
                        None,
                    )
                if e is not None:
                    targets.append(e)
        if not targets:
            continue
        actor = actor_of(ctx, tok)
        for posed_as in targets:
            ctx.add(actor, "IMPERSONATED", posed_as, "impersonation", 0.75)


def target(ctx: Ctx) -> None:
    """'whose Pegasus spyware has been used ... to spy on journalists', 'X targeted activists'."""
    verbs = ctx.gaz.trigger("target_verbs")
    uses = ctx.gaz.trigger("use_verbs")
    for tok in ctx.verbs_in(verbs | uses):
        if is_verb(tok, uses):
            against = [e for o in prep_objects(tok, "against") for e in np_entities(ctx, o)]
            against = [v for v in against if ctx.etype(v) in TARGETS]
            tools = passive_subjects(ctx, tok) if is_passive(tok) else objects(ctx, tok)
            for a in tools + ([] if is_passive(tok) else subjects(ctx, tok)):
                for v in against:
                    ctx.add(a, "TARGETED", v, "use-against", 0.7)
            continue
        if _names_as(ctx, tok):
            continue  # "Microsoft tracks the group as Sourgum": naming, not targeting
        victims = [e for o in children(tok, "dobj") for e in np_entities(ctx, o)]
        preps = ("on", "against", "among", "including", "into", "from")
        victims += [e for o in prep_objects(tok, *preps) for e in np_entities(ctx, o)]
        if is_passive(tok) and agents(ctx, tok):  # "the activists were hacked by LULU"
            victims += passive_subjects(ctx, tok)
        watching = lemma(tok) in WATCHING  # researchers track and monitor groups too
        allowed = PEOPLE if watching else TARGETS
        victims = [v for v in victims if ctx.etype(v) in allowed]
        if not victims:
            continue
        actors: list[int] = []
        head = tok.head
        if tok.dep_ in ("xcomp", "advcl") and lemma(head) in uses:
            if is_passive(head):
                # "X was used by the Bahraini government to hack ...": the tool and its user
                actors = passive_subjects(ctx, head) + agents(ctx, head)
                if not actors and head.dep_ == "relcl":
                    actors = np_entities(ctx, head.head)
            else:
                actors = objects(ctx, head) + subjects(ctx, head)
            rule = "target-use"
        else:
            actors = subjects(ctx, tok) if not is_passive(tok) else agents(ctx, tok)
            if watching and not children(tok, "nsubj"):
                actors = []  # "After monitoring X, Trend Micro ...": no borrowed watcher
            if not actors and not is_passive(tok) and not subject_tokens(ctx, tok) and not watching:
                found = actor_of(ctx, tok)  # "its operatives were accused of targeting ..."
                actors = [found] if found is not None else []
            rule = "svo-target"
        for a in actors:
            for v in victims:
                ctx.add(a, "TARGETED", v, rule, 0.75)


def _names_as(ctx: Ctx, verb: Token) -> bool:
    """Whether a verb's phrase gives a name with 'as': 'tracks the group ... as Sourgum'."""
    return any(
        t.lower_ == "as"
        and t.dep_ == "prep"
        and t.head.i >= verb.i
        and any(ctx.res.mention(ctx.sent, c) is not None for c in children(t, "pobj"))
        for t in verb.subtree
    )
