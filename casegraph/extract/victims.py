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
    if not any(t.lower_ in gaz.targeting_cues for t in span) and not (
        previous is not None
        and any(t.lower_ in LISTING for t in span)
        and any(t.lower_ in gaz.targeting_cues for t in previous)
    ):
        return []
    out: list[Scored] = []
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
