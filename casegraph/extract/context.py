"""What a relation rule sees of one sentence: tokens, resolved entities and parse helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from casegraph.extract.coref import Coreference
from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.spans import Candidate, Entity, Mention, Sent

if TYPE_CHECKING:
    from spacy.tokens import Token

SUBJECTS = ("nsubj", "nsubjpass", "csubj")
FIRST_PLURAL = frozenset({"we", "our", "us", "ours"})
SAYING = frozenset({"say", "explain", "add", "tell", "write", "note", "state", "continue"})
SPEAKER_LOOKBACK = 3
MAX_NP_DEPTH = 3


@dataclass
class Ctx:
    """One sentence under analysis, and where rules put what they find."""

    sent: Sent
    res: Coreference
    gaz: Gazetteer
    entities: list[Entity]
    out: list[Candidate] = field(default_factory=list)
    lawsuits: dict[str, int] = field(default_factory=dict)
    tokens: list[Token] = field(default_factory=list)  # the sentence's tokens, made once

    verbs: list[tuple[Token, str]] = field(default_factory=list)  # (verb, its lemma)
    words: frozenset[str] = frozenset()  # lower-case words and verb lemmas

    def __post_init__(self) -> None:
        if not self.tokens:
            self.tokens = list(self.sent.span)
        self.verbs = [(t, lemma(t)) for t in self.tokens if t.tag_.startswith("VB")]
        self.words = frozenset(t.lower_ for t in self.tokens) | {lem for _, lem in self.verbs}

    def has_any(self, *vocabularies: frozenset[str] | set[str] | tuple[str, ...]) -> bool:
        """Whether the sentence has a word (or verb lemma) of one of the vocabularies: rules
        skip sentences without their trigger words."""
        return any(not self.words.isdisjoint(v) for v in vocabularies)

    def verbs_in(self, lemmas: frozenset[str] | set[str] | tuple[str, ...]) -> list[Token]:
        """The sentence's verbs whose lemma is one of lemmas, in order."""
        return [t for t, lem in self.verbs if lem in lemmas]

    @property
    def mentions(self) -> list[Mention]:
        return self.res.by_sent.get(self.sent.index, [])

    def ent(self, tok: Token) -> int | None:
        if tok.lower_ in FIRST_PLURAL and tok.tag_ in ("PRP", "PRP$"):
            return self.speaker_body()
        return self.res.resolve(self.sent, tok)

    def speaker_body(self) -> int | None:
        """What 'we' and 'our' stand for in a quote: the employer of the person quoted (the
        subject of 'said' here or in the sentences just before), once a rule has read it."""
        sents = self.res.sents
        for back in range(SPEAKER_LOOKBACK + 1):
            idx = self.sent.index - back
            if idx < 0 or sents[idx].story != self.sent.story:
                return None
            for tok in sents[idx].span:
                if lemma(tok) not in SAYING or not tok.tag_.startswith("VB"):
                    continue
                for subj in children(tok, "nsubj"):
                    person = self.res.resolve(sents[idx], subj)
                    if person is None or self.etype(person) != "Person":
                        continue
                    bodies = [
                        c.target for c in self.out if c.source == person and c.type == "WORKS_FOR"
                    ]
                    return bodies[-1] if bodies else None
        return None

    def etype(self, entity: int) -> str:
        return self.entities[entity].type

    def add(self, src: int | None, rtype: str, tgt: int | None, rule: str, conf: float) -> None:
        """Record a relation read by a rule; self-loops and missing ends are ignored."""
        if src is None or tgt is None or src == tgt:
            return
        self.out.append(Candidate(src, rtype, tgt, f"rule:{rule}", conf, self.sent.index))

    def lawsuit(self, plaintiff: int, defendant: int) -> int:
        """The Lawsuit entity '<plaintiff> v. <defendant>', created on first use."""
        p, d = self.entities[plaintiff], self.entities[defendant]
        name = str(self.gaz.lawsuit["name_format"]).format(plaintiff=p.name, defendant=d.name)
        if name not in self.lawsuits:
            ent = Entity(len(self.entities), "Lawsuit", name)
            ent.properties = {"plaintiff": p.name, "defendant": d.name}
            self.entities.append(ent)
            self.lawsuits[name] = ent.id
        ent = self.entities[self.lawsuits[name]]
        ent.stories.add(self.sent.story)
        ent.properties.setdefault("sentences", [])
        sentences = ent.properties["sentences"]
        if isinstance(sentences, list) and self.sent.index not in sentences:
            sentences.append(self.sent.index)
        return ent.id


def lemma(tok: Token) -> str:
    return (tok.lemma_ or tok.text).lower()


def is_verb(tok: Token, lemmas: frozenset[str]) -> bool:
    """A verb (however spaCy attached it) whose lemma is one of lemmas."""
    return tok.tag_.startswith("VB") and lemma(tok) in lemmas


def conjuncts(tok: Token) -> list[Token]:
    """A token and the tokens coordinated with it ('A, B and C')."""
    out = [tok]
    for child in tok.children:
        if child.dep_ == "conj":
            out.extend(conjuncts(child))
    return out


def children(tok: Token, *deps: str) -> list[Token]:
    return [c for c in tok.children if c.dep_ in deps]


def prep_objects(tok: Token, *preps: str) -> list[Token]:
    """Objects of tok's prepositions (given by word): 'on' in 'spy on X' gives X."""
    out: list[Token] = []
    for p in tok.children:
        if p.dep_ in ("prep", "agent", "dative") and p.lower_ in preps:
            out.extend(c for c in p.children if c.dep_ in ("pobj", "pcomp"))
    return out


def np_entities(ctx: Ctx, tok: Token, depth: int = 0, *, deep: bool = True) -> list[int]:
    """Entities a noun phrase names: itself, its coordinates, 'the work of X', 'an op run by X'.

    With deep=False only the phrase itself and its coordinates count.
    """
    found: list[int] = []
    for t in conjuncts(tok):
        e = ctx.ent(t)
        if e is not None:
            found.append(e)
            m = ctx.res.mention(ctx.sent, t)
            if m is not None:
                found.extend(coordinated(ctx, m))
            if deep and depth < MAX_NP_DEPTH and ctx.etype(e) == "VictimGroup":
                for obj in members(t):  # "exchanges like EMXO": the class and its members
                    found.extend(np_entities(ctx, obj, depth + 1))
            continue
        if depth >= MAX_NP_DEPTH or not deep:
            continue
        for obj in prep_objects(t, "of"):
            found.extend(np_entities(ctx, obj, depth + 1))
        for obj in members(t):  # "malware tools like X and Y", "exchanges such as X"
            found.extend(np_entities(ctx, obj, depth + 1))
        for named in children(t, "appos"):  # "its founder, Peter Vance"
            found.extend(np_entities(ctx, named, depth + 1, deep=False))
        for acl in children(t, "acl"):
            if lemma(acl) in ctx.gaz.trigger("agent_link_verbs"):
                for obj in prep_objects(acl, "by", "to", "with"):
                    found.extend(np_entities(ctx, obj, depth + 1))
    return list(dict.fromkeys(found))


def members(tok: Token) -> list[Token]:
    """The named members of a class noun: 'tools like X', 'firms such as X', 'vendors,
    including X'."""
    out: list[Token] = []
    for p in tok.children:
        if p.dep_ != "prep":
            continue
        low = p.lower_
        if low in ("like", "including") or (
            low == "as" and p.i > 0 and p.doc[p.i - 1].lower_ == "such"
        ):
            out.extend(c for c in p.children if c.dep_ in ("pobj", "pcomp"))
    return out


def subject_tokens(ctx: Ctx, verb: Token, deps: tuple[str, ...] = ("nsubj",)) -> list[Token]:
    """The subject of a verb, borrowing it from a governing or preceding clause when elided."""
    own = children(verb, *deps)
    if len(own) > 1:  # "WhatsApp, the messaging service owned by Meta, sued": an apposition
        own = [t for t in own if not _after_comma_of(t, own)]
    if own:
        return own
    if verb.dep_ == "conj":
        for prev in reversed(
            [t for t in ctx.sent.span if t.i < verb.i and t.tag_.startswith("VB")]
        ):
            subj = children(prev, "nsubj")
            if subj:
                return subj
    if verb.dep_ == "xcomp" and children(verb.head, "dobj"):
        return children(verb.head, "dobj")  # "led Facebook to uncover ...": object control
    if verb.dep_ in ("xcomp", "advcl", "conj") and verb.head.i != verb.i:
        return subject_tokens(ctx, verb.head, deps)
    return []


def _after_comma_of(tok: Token, others: list[Token]) -> bool:
    """Whether tok's phrase starts right after a comma that follows another of the tokens."""
    left = tok.left_edge.i
    doc = tok.doc
    return (
        left >= 2
        and doc[left - 1].text == ","
        and any(o.i < tok.i and o.i == left - 2 for o in others)
    )


def appositive_anchor(ctx: Ctx, noun: Token) -> list[int]:
    """The named entity a descriptive noun phrase stands beside: 'X, the service owned by Y'."""
    if noun.dep_ == "appos":
        found = np_entities(ctx, noun.head, deep=False)
        if found:
            return found
    left = noun.left_edge.i
    if left >= ctx.sent.span.start + 2 and ctx.sent.doc[left - 1].text == ",":
        m = ctx.res.mention(ctx.sent, ctx.sent.doc[left - 2])
        if m is not None:
            return [m.entity]
    return []


def patients(ctx: Ctx, verb: Token) -> list[int]:
    """What a passive verb is about: its subject, or the noun a participle modifies
    ('the messaging service owned by Meta', 'a group of vendors founded by X')."""
    own = passive_subjects(ctx, verb)
    if own or verb.dep_ not in ("acl", "amod", "relcl"):
        return own
    head = verb.head
    found = np_entities(ctx, head, deep=False) or appositive_anchor(ctx, head)
    if not found and head.dep_ == "pobj" and head.head.lower_ == "of":
        outer = head.head.head  # "a group of surveillance vendors founded by X"
        found = np_entities(ctx, outer, deep=False) or appositive_anchor(ctx, outer)
    return found


def subjects(ctx: Ctx, verb: Token) -> list[int]:
    out: list[int] = []
    for s in subject_tokens(ctx, verb):
        out.extend(np_entities(ctx, s))
    return out


def objects(ctx: Ctx, verb: Token) -> list[int]:
    out: list[int] = []
    for o in children(verb, "dobj"):
        out.extend(np_entities(ctx, o))
    return out


def passive_subjects(ctx: Ctx, verb: Token) -> list[int]:
    out: list[int] = []
    for s in children(verb, "nsubjpass"):
        out.extend(np_entities(ctx, s))
    return out


def agents(ctx: Ctx, verb: Token) -> list[int]:
    out: list[int] = []
    for obj in prep_objects(verb, "by"):
        out.extend(np_entities(ctx, obj))
    return out


def is_passive(verb: Token) -> bool:
    """A passive verb: 'was hired', 'an operation run by X', 'as covered by Reuters'."""
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        return True
    return verb.tag_ == "VBN" and (
        verb.dep_ in ("acl", "amod") or any(c.dep_ == "agent" for c in verb.children)
    )


COORDINATORS = frozenset({",", "and", "or", "&"})
CLASSES = {"Company": "actor", "Organization": "actor"}


def coordinated(ctx: Ctx, m: Mention) -> list[int]:
    """Entities listed with a mention on the surface ('A, B and Turkish firm C'), for when
    spaCy's parse splits the list. A list item followed by a verb starts a clause and ends it."""
    kind = CLASSES.get(ctx.etype(m.entity), ctx.etype(m.entity))
    out: list[int] = []
    for step in (1, -1):
        cur: Mention | None = m
        while cur is not None:
            cur = _next_item(ctx, cur, step, kind)
            if cur is not None:
                out.append(cur.entity)
    return out


def _next_item(ctx: Ctx, cur: Mention, step: int, kind: str) -> Mention | None:
    doc, span = ctx.sent.doc, ctx.sent.span

    def inside(i: int) -> bool:
        return span.start <= i < span.end

    def skip_modifiers(i: int) -> int:
        n = 0
        while inside(i) and n <= 3:
            m = ctx.res.mention(ctx.sent, doc[i])
            if m is not None and ctx.etype(m.entity) == "Country":
                i, n = (m.end if step == 1 else m.start - 1), n + 1
            elif m is None and doc[i].text[:1].islower() and doc[i].pos_ in ("ADJ", "NOUN"):
                i, n = i + step, n + 1
            else:
                break
        return i

    i = cur.end if step == 1 else skip_modifiers(cur.start - 1)
    seps = 0
    while inside(i) and doc[i].lower_ in COORDINATORS:
        i, seps = i + step, seps + 1
    if not seps:
        return None
    if step == 1:
        i = skip_modifiers(i)
    if not inside(i):
        return None
    nxt = ctx.res.mention(ctx.sent, doc[i])
    if nxt is None or (nxt.start if step == 1 else nxt.end - 1) != i:
        return None
    if CLASSES.get(ctx.etype(nxt.entity), ctx.etype(nxt.entity)) != kind:
        return None
    if nxt.end < span.end and doc[nxt.end].tag_ in ("VBD", "VBZ", "VBP", "MD"):
        return None
    return nxt
