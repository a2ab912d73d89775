"""Classes of people named by role ('journalists', 'families of opposition members')."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.spans import Sent
from casegraph.extract.tokens import GAZ, Scored, core_right, make_mention, surface

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

LISTING = frozenset({"include", "included", "includes", "including", "among"})


def find_victims(sent: Sent, gaz: Gazetteer, previous: Span | None = None) -> list[Scored]:
    """Classes of people named by role, in a sentence that speaks of targeting them, or that
    lists them ('They included politicians, ...') after a sentence that does."""
    span = sent.span
    out = _targeted_classes(sent, gaz)
    if not any(_targeting(t, gaz) for t in span) and not (
        previous is not None
        and any(t.lower_ in LISTING for t in span)
        and any(_targeting(t, gaz) for t in previous)
    ):
        return out
    for tok in span:
        low = tok.lower_
        plural = tok.tag_ == "NNS" or (tok.tag_ == "NNPS" and tok.text[:-1].isupper())  # "NGOs"
        if not plural or (low not in gaz.victim_heads and low not in gaz.victim_relational):
            continue
        first = _modifier_start(tok, gaz)
        phrase = surface(sent.doc, first, tok.i + 1).lower()
        end = tok.i + 1
        ok = low in gaz.victim_heads or phrase in gaz.victim_phrases
        if low in gaz.victim_relational:
            tail = _of_tail(tok, gaz)
            if tail is not None:
                end, ok = tail, True
        if not ok:
            continue
        name = surface(sent.doc, first, end)
        out.append(
            (
                GAZ,
                make_mention(
                    sent,
                    first,
                    end,
                    "VictimGroup",
                    "gazetteer:victim",
                    3.0,
                    name=name,
                    kind="victim",
                ),
            )
        )
    return out


def _targeting(tok: Token, gaz: Gazetteer) -> bool:
    """A word that speaks of targeting, in any of its forms ('attacks', 'hacks', 'spies')."""
    if tok.lower_ in gaz.targeting_cues:
        return True
    return tok.pos_ in ("VERB", "NOUN") and (tok.lemma_ or "").lower() in gaz.targeting_cues


def _modifier_start(tok: Token, gaz: Gazetteer) -> int:
    """First token of the role modifiers before a noun ('human rights' in 'human rights activists')."""
    start = tok.i
    changed = True
    while changed:
        changed = False
        prev = tok.doc[start - 1] if start > tok.sent.start else None
        if (
            prev is not None
            and prev.lower_ in gaz.victim_modifiers
            and prev.dep_ in ("compound", "amod", "nmod")
        ):
            start -= 1
            changed = True
    return start


def _of_tail(tok: Token, gaz: Gazetteer) -> int | None:
    """End of an 'of' phrase that makes a relational noun a victim class ('families of ...')."""
    for child in tok.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objs = [c for c in child.children if c.dep_ == "pobj"]
            if not objs:
                return None
            obj = objs[0]
            right = core_right(obj)
            if right - child.i > 4 or any(t.ent_type_ for t in obj.subtree):
                return None
            phrase = surface(tok.doc, _modifier_start(obj, gaz), obj.i + 1).lower()
            if (
                tok.lower_ in gaz.victim_heads
                or phrase in gaz.victim_phrases
                or (obj.lower_ in gaz.victim_heads)
            ):
                return right + 1
            return None
    return None


def _targeted_classes(sent: Sent, gaz: Gazetteer) -> list[Scored]:
    """Classes of organisations or people ('cryptocurrency startups', 'voters') as what a
    targeting word acts on: the object of 'targeting' or 'infects', 'attacks on banks'."""
    out: list[Scored] = []
    for tok in sent.span:
        low = tok.lower_
        if tok.tag_ != "NNS" or low not in gaz.victim_targets or not _targeted(tok, gaz):
            continue
        if any(c.lower_ in ("other", "some", "any") for c in tok.lefts):
            continue  # "and other private citizens": a catch-all, not a class
        first = _class_start(tok)
        if low in gaz.victim_targets_modified and (
            first == tok.i or tok.doc[first].tag_.startswith("NNP")
        ):
            continue  # "companies" alone says too little; "Apple users" are the platform's
        name = surface(sent.doc, first, tok.i + 1)
        mention = make_mention(
            sent, first, tok.i + 1, "VictimGroup", "gazetteer:victim-class", 2.5, name=name,
            kind="victim",
        )  # fmt: skip
        out.append((GAZ, mention))
    return out


def _targeted(tok: Token, gaz: Gazetteer, depth: int = 0) -> bool:
    """Whether a noun is what a targeting verb or an attack noun acts on."""
    head = tok.head
    if tok.dep_ in ("dobj", "nsubjpass") and head.pos_ in ("VERB", "AUX"):
        return (head.lemma_ or head.text).lower() in gaz.trigger("target_verbs")
    if tok.dep_ == "pobj" and head.lower_ in ("on", "against"):
        noun = head.head
        return noun.lower_ in gaz.trigger("attack_nouns") or (
            noun.pos_ == "VERB"
            and (noun.lemma_ or noun.text).lower() in gaz.trigger("target_verbs")
        )
    if tok.dep_ == "conj" and depth < 4 and head.i != tok.i:
        return _targeted(head, gaz, depth + 1)
    return False


def _class_start(tok: Token) -> int:
    """First token of the lower-case or proper modifiers right before a noun ('cryptocurrency'
    in 'cryptocurrency startups', 'defense technology' in 'defense technology companies')."""
    start = tok.i
    while start > tok.sent.start:
        prev = tok.doc[start - 1]
        if prev.dep_ not in ("compound", "amod", "nmod") or prev.head.i not in range(
            start, tok.i + 1
        ):
            break
        if not (prev.is_alpha or "-" in prev.text) or prev.lower_ in ("many", "several", "other"):
            break
        start -= 1
    # "video-game players": a hyphenated modifier the tokenizer split
    while (
        start - 2 >= tok.sent.start
        and tok.doc[start - 1].text == "-"
        and not tok.doc[start - 2].whitespace_
        and not tok.doc[start - 1].whitespace_
        and tok.doc[start - 2].is_alpha
    ):
        start -= 2
    return start
