"""Within-document entity resolution: which entity a token names, through pronouns, relative
pronouns and definite descriptions. Grouping mentions into entities is in clusters.py."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from casegraph.extract.anaphora import PERSON_PRONOUNS, named_like, person_for
from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.spans import Entity, Mention, Sent

if TYPE_CHECKING:
    from spacy.tokens import Token

ACTORS = frozenset({"Company", "Organization"})
DEFINITE = frozenset({"the", "this", "that"})
PRONOUNS = frozenset({"it", "its", "itself"})
RELATIVES = frozenset({"whose", "which", "who", "that"})
NAMING = frozenset({"called", "named", "dubbed", "known", "nicknamed", "codenamed"})
LOOKBACK_SENTENCES = 3


class Coreference:
    """Answers which entity a token names: by its mention, or through a pronoun or 'the group'."""

    def __init__(self, sents: list[Sent], entities: list[Entity], gaz: Gazetteer) -> None:
        self.sents = sents
        self.entities = entities
        self.gaz = gaz
        self.by_sent: dict[int, list[Mention]] = defaultdict(list)
        self.at: dict[tuple[int, int], Mention] = {}
        for ent in entities:
            for m in ent.mentions:
                self.by_sent[m.sent].append(m)
                for i in range(m.start, m.end):
                    self.at[(sents[m.sent].chunk, i)] = m
        for ms in self.by_sent.values():
            ms.sort(key=lambda m: m.start)
        self.transparent = (
            gaz.product_cues
            | gaz.trigger("network_nouns")
            | gaz.collectives
            | {w[-1] for w in gaz.introducers}
        )
        self._memo: dict[tuple[int, int], int | None] = {}
        self.actors = {e.id for e in entities if e.type in ACTORS}
        self.groups = {e.id for e in entities if e.type == "Organization" and _a_group(e)}

    def type_of(self, entity: int) -> str:
        return self.entities[entity].type

    def mention(self, sent: Sent, tok: Token) -> Mention | None:
        """The mention covering a token, if any."""
        return self.at.get((sent.chunk, tok.i))

    def resolve(self, sent: Sent, tok: Token) -> int | None:
        """The entity a token stands for: named, pronominal, relative or definite."""
        key = (sent.chunk, tok.i)
        if key not in self._memo:
            self._memo[key] = None  # guards against cycles through bad parses
            self._memo[key] = self._resolve(sent, tok)
        return self._memo[key]

    def _resolve(self, sent: Sent, tok: Token) -> int | None:
        m = self.mention(sent, tok)
        if m is not None:
            return m.entity
        low = tok.lower_
        if low in PRONOUNS and tok.tag_ in ("PRP", "PRP$"):
            return self._pronoun(sent, tok)
        if low in PERSON_PRONOUNS:
            return person_for(self.sents, self.by_sent, self.entities, sent, tok)
        if self.is_relative(tok):
            ante = self.antecedent(sent, tok)
            return self.resolve(sent, ante) if ante is not None else None
        if (
            tok.lower_ in self.transparent
            or tok.lemma_ in self.transparent
            or (tok.lower_.endswith("maker") and tok.pos_ == "NOUN")
        ):
            nxt = self.mention(sent, tok.doc[tok.i + 1]) if tok.i + 1 < sent.span.end else None
            if nxt is not None and nxt.start == tok.i + 1 and self.type_of(nxt.entity) in ACTORS:
                return nxt.entity  # "the firm NSO Group": the noun introduces a name
            for child in tok.children:
                if child.dep_ in ("compound", "appos", "nmod", "amod") and child.i > tok.i - 3:
                    cm = self.mention(sent, child)
                    if cm is None or self.type_of(cm.entity) == "Country":
                        continue
                    if child.dep_ == "compound" and _known_software(self.entities[cm.entity]):
                        continue  # "Windows malware": malware for Windows, not Windows
                    return cm.entity
            for acl in tok.children:  # "a spyware tool called Predator"
                if acl.dep_ in ("acl", "relcl") and acl.lower_ in NAMING:  # "which they named X"
                    for named in acl.subtree:
                        cm = self.mention(sent, named)
                        if cm is not None and named.i > acl.i:
                            return cm.entity
        if tok.dep_ == "appos" and tok.lower_ in self.gaz.appositive_heads:
            hm = self.mention(sent, tok.head)
            if hm is not None and self.type_of(hm.entity) in ACTORS:
                return hm.entity  # "Black Cube, a private intelligence agency based in ..."
        alike = named_like(self.sents, self.by_sent, self.entities, sent, tok)
        if alike is not None:
            return alike
        definite = any(c.dep_ == "det" and c.lower_ in DEFINITE for c in tok.children)
        modified = any(c.dep_ in ("compound", "poss") for c in tok.children)
        if not (tok.tag_ == "NN" and definite and not modified):
            return None
        if low in self.gaz.anaphors or low in self.gaz.org_anaphors:
            return self._definite(sent, tok)
        if low in self.gaz.product_anaphors:  # "the exploit", "the tool": a product just named
            products = frozenset({"Product"})
            known = {e.id for e in self.entities if _known_software(e)}  # not "the malware"
            before = [
                m.entity
                for m in self.by_sent.get(sent.index, [])
                if m.end <= tok.i and self.type_of(m.entity) in products and m.entity not in known
            ]
            return before[-1] if before else self._earlier(sent, products, known, lookback=1)
        return None

    def _pronoun(self, sent: Sent, tok: Token) -> int | None:
        head = tok.head
        if _expletive(tok):
            return None
        if tok.dep_ in ("nsubj", "nsubjpass") and head.dep_ in ("ccomp", "xcomp", "advcl"):
            for subj in head.head.children:
                if subj.dep_ == "nsubj" and subj.lower_ not in PRONOUNS:
                    found = self.resolve(sent, subj)
                    if found is not None:
                        return found
        adjuncts: set[int] = set()
        if tok.dep_ in ("nsubj", "nsubjpass"):  # "Besides Kaseya, it was behind ...": not Kaseya
            for p in head.children:
                if p.dep_ == "prep" and p.i < tok.i:
                    adjuncts |= {m.entity for t in p.subtree if (m := self.mention(sent, t))}
        before = self._actors_before(sent, tok.i, adjuncts)
        if before:
            return before[-1]
        return self._earlier(sent, ACTORS, adjuncts, prefer_subject=True)

    def is_relative(self, tok: Token) -> bool:
        """A relative pronoun: 'whose', 'which', or 'that' opening a clause after a noun."""
        if tok.lower_ not in RELATIVES:
            return False
        if tok.tag_ in ("WP$", "WDT", "WP"):
            return True
        prev = tok.doc[tok.i - 1] if tok.i > tok.sent.start else None
        return (
            tok.lower_ == "that"
            and tok.dep_ in ("nsubj", "nsubjpass")
            and prev is not None
            and (prev.text == "," or prev.pos_ in ("NOUN", "PROPN"))
        )

    def antecedent(self, sent: Sent, tok: Token) -> Token | None:
        """The noun a relative pronoun stands for, even when spaCy misattached its clause."""
        node = tok
        for _ in range(4):
            if node.dep_ == "relcl":
                return node.head
            if node.head.i == node.i:
                break
            node = node.head
        j = tok.i - 1
        while j >= sent.span.start and tok.doc[j].is_punct:
            j -= 1
        if j < sent.span.start:
            return None
        noun = tok.doc[j]
        best = noun if noun.pos_ in ("NOUN", "PROPN") else None
        while noun.head.i != noun.i and noun.head.i < tok.i:
            noun = noun.head
            if noun.pos_ in ("NOUN", "PROPN"):
                best = noun
        return best

    def _definite(self, sent: Sent, tok: Token) -> int | None:
        allowed = ACTORS if tok.lower_ in self.gaz.org_anaphors else frozenset({"Company"})
        # "X sold Y, the company's tool": a possessive may well point at its clause's subject
        governing = self._governing_subjects(sent, tok) if tok.dep_ != "poss" else set()
        if tok.lower_ in GROUP_WORDS and self.groups:
            governing = governing | (self.actors - self.groups)  # "the group": a group, if any
        before = [
            e for e in self._actors_before(sent, tok.i, governing) if self.type_of(e) in allowed
        ]
        if before:
            return before[-1]
        return self._earlier(sent, allowed, governing)

    def _governing_subjects(self, sent: Sent, tok: Token) -> set[int]:
        """Entities that are subjects of the clauses containing tok: never its antecedent."""
        out: set[int] = set()
        node = tok
        while node.head.i != node.i:
            node = node.head
            for child in node.children:
                if child.dep_ in ("nsubj", "nsubjpass") and child.i != tok.i:
                    m = self.mention(sent, child)
                    if m is not None:
                        out.add(m.entity)
        return out

    def _actors_before(self, sent: Sent, i: int, exclude: set[int]) -> list[int]:
        """Actor entities named or referred to in the sentence before token i, in order."""
        found: list[tuple[int, int]] = []
        for m in self.by_sent.get(sent.index, []):
            if m.end <= i and self.type_of(m.entity) in ACTORS and not _modifier(sent, m):
                found.append((m.start, m.entity))
        for t in sent.span:
            if t.i >= i:
                break
            if self.mention(sent, t) is not None:
                continue
            if (sent.chunk, t.i) in self._memo or (
                (t.lower_ in self.gaz.anaphors or t.lower_ in self.gaz.org_anaphors)
                and t.tag_ == "NN"
            ):
                e = self.resolve(sent, t)
                if e is not None and self.type_of(e) in ACTORS:
                    found.append((t.i, e))
        found.sort()
        return [e for _, e in found if e not in exclude]

    def _earlier(
        self,
        sent: Sent,
        allowed: frozenset[str],
        exclude: set[int],
        lookback: int = 0,
        prefer_subject: bool = False,
    ) -> int | None:
        """The most salient recent entity of an allowed type in the story's previous sentences."""
        for back in range(1, (lookback or LOOKBACK_SENTENCES) + 1):
            idx = sent.index - back
            if idx < 0 or self.sents[idx].story != sent.story:
                return None
            prev = self.sents[idx]
            for tok in _reported_first(prev) if prefer_subject else ():
                if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ in ("ROOT", "ccomp"):
                    subj = self.resolve(prev, tok)  # "The Taiwanese chipmaker, known as TSMC,"
                    if subj is not None and self.type_of(subj) in allowed and subj not in exclude:
                        return subj
            found = [
                m
                for m in self.by_sent.get(idx, [])
                if self.type_of(m.entity) in allowed and m.entity not in exclude
            ]
            if found:
                best = max(found, key=lambda m: (self._salience(m), m.start))
                return best.entity
        return None

    def _salience(self, m: Mention) -> int:
        """How prominent a mention is: subjects and objects outrank possessors and modifiers."""
        tok = self.sents[m.sent].doc[m.end - 1]
        while tok.dep_ in ("compound", "flat") and tok.head.i != tok.i:
            tok = tok.head
        dep = tok.dep_
        if dep == "conj":
            dep = tok.head.dep_
        return {"nsubj": 3, "nsubjpass": 3, "dobj": 3, "appos": 2, "attr": 2, "pobj": 1}.get(dep, 0)


def _expletive(tok: Token) -> bool:
    """'it' that stands for nothing: "it's now highly likely that ...", 'it seems that ...'."""
    head = tok.head
    if tok.lower_ != "it" or tok.dep_ not in ("nsubj", "expl") or head.lemma_ not in COPULAS:
        return False
    predicates = [c for c in head.children if c.dep_ in ("acomp", "attr")]
    clauses = [c for c in head.children if c.dep_ in ("ccomp", "xcomp", "csubj")]
    clauses += [g for c in predicates for g in c.children if g.dep_ in ("ccomp", "xcomp")]
    return bool(predicates) and any(
        any(m.dep_ in ("mark", "aux") and m.lower_ in ("that", "to", "whether") for m in c.children)
        for c in clauses
    )


COPULAS = frozenset({"be", "seem", "appear", "remain", "become"})
SAYING = frozenset({"say", "report", "find", "add", "tell", "note", "explain", "write", "claim"})


def _reported_first(sent: Sent) -> list[Token]:
    """The tokens of a sentence, those of a reported clause first: in 'X attacked Y, Trend
    Micro said' the salient subject is X, not the one who says it."""
    root = sent.span.root
    if root.lemma_.lower() not in SAYING:
        return [t for t in sent.span if t.head.dep_ == "ROOT" or t.dep_ == "ROOT"]
    reported = [c for c in root.children if c.dep_ == "ccomp"]
    inner = [t for c in reported for t in c.subtree if t.head.i == c.i]
    return inner + [t for t in sent.span if t.head.i == root.i and t not in inner]


GROUP_WORDS = frozenset({"group", "gang", "crew", "actor", "actors", "collective"})
GROUP_RULES = frozenset({"cue:org-introducer", "cue:org-head", "cue:org-context"})


def _a_group(ent: Entity) -> bool:
    """An organisation introduced as a group or gang, or listed as a threat actor."""
    typing = ent.typing
    return (typing is not None and typing.extractor == "gazetteer:threat-actors") or any(
        m.rule in GROUP_RULES for m in ent.mentions
    )


def _modifier(sent: Sent, m: Mention) -> bool:
    """A name used as a noun modifier ('Apple users', 'Windows exploits'): rarely an antecedent."""
    last = sent.doc[m.end - 1]
    return last.dep_ == "compound" and last.head.pos_ == "NOUN" and last.head.i > last.i


def _known_software(ent: Entity) -> bool:
    """An entity named from the list of widely used software (Windows, iOS)."""
    return any(m.rule == "gazetteer:product" for m in ent.mentions)
