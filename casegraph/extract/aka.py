"""Other names the text gives a name: 'X, also known as Y', 'X (aka Y)', 'X (formerly Y)', 'X,
tracked as Y', 'X, which Microsoft calls Y', 'X, also known as A, B and C', 'refer to the group
by other names, including A and B'."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.guards import not_a_name
from casegraph.extract.spans import Mention, Sent
from casegraph.extract.tokens import QUOTES, make_mention, match_words

if TYPE_CHECKING:
    from spacy.tokens import Doc

# Phrases that, after a name and a comma or an opening bracket, introduce its other names.
NAMING = tuple(
    tuple(p.split())
    for p in sorted(
        [
            "also known as",
            "otherwise known as",
            "better known as",
            "formerly known as",
            "previously known as",
            "known as",
            "aka",
            "a.k.a.",
            "a.k.a",
            "also called",
            "formerly called",
            "previously called",
            "formerly",
            "previously",
            "dubbed",
            "also dubbed",
            "nicknamed",
            "tracked as",
            "also tracked as",
            "tracked under the name",
            "tracked under the names",
            "also tracked under the name",
            "also tracked under the names",
            "also referred to as",
            "referred to as",
            "alias",
            "which has also operated under the name",
            "which has operated under the name",
            "which also operates under the name",
            "which operates under the name",
            "also operating under the name",
            "operating under the name",
            "also operating as",
            "which also goes by",
            "which goes by",
            "also going by",
        ],
        key=lambda p: -len(p.split()),
    )
)
# "X, which Microsoft calls Y": verbs of naming after a relative pronoun and a namer.
NAMER_VERBS = frozenset({"calls", "call", "dubs", "dubbed", "names", "named", "tracks", "tracked"})
# "refers to the group by other names, including A and B"
OTHER_NAMES = (("by", "other", "names"), ("by", "different", "names"), ("under", "other", "names"))
LIST_OPENERS = (("including",), ("such", "as"), ("like",), (":",), ("namely",))
ALIASED = frozenset({"Company", "Organization", "Product", "Platform", "Person"})
ANAPHORS = frozenset({"group", "gang", "actor", "company", "firm", "vendor", "malware", "tool"})
MAX_ALIAS_TOKENS = 5
LOOKBACK = 3


@dataclass(frozen=True, slots=True)
class AliasClaim:
    """The text says `alias` is another name of `anchor`, in sentence `sent`."""

    anchor: Mention
    alias: Mention
    sent: int


def find_aliases(
    sents: list[Sent], mentions: list[Mention], gaz: Gazetteer
) -> tuple[list[AliasClaim], list[Mention]]:
    """Alias claims of the text, and the new mentions made for alias names nothing had read."""
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent, []).append(m)
    claims: list[AliasClaim] = []
    new: list[Mention] = []
    for sent in sents:
        here = sorted(by_sent.get(sent.index, []), key=lambda m: m.start)
        for anchor, start in _anchored(sent, here, sents, by_sent):
            for s, e in _alias_items(sent, start, gaz):
                alias = next((m for m in here if m.start == s and m.end == e), None)
                if alias is None:
                    if any(m.overlaps(s, e) for m in here):
                        continue
                    alias = make_mention(sent, s, e, anchor.type, "rule:aka", 0.5)
                    new.append(alias)
                    here.append(alias)
                if alias is not anchor and alias.name != anchor.name:
                    claims.append(AliasClaim(anchor, alias, sent.index))
    return claims, new


def _anchored(
    sent: Sent, here: list[Mention], sents: list[Sent], by_sent: dict[int, list[Mention]]
) -> list[tuple[Mention, int]]:
    """(named mention, index of its first alias) for each alias construction in the sentence."""
    doc, hi = sent.doc, sent.span.end
    out: list[tuple[Mention, int]] = []
    for m in here:
        if m.type not in ALIASED:
            continue
        k = m.end
        if k < hi and doc[k].text in (",", "(", "–", "—"):
            k += 1
            n = match_words(doc, k, hi, NAMING)
            if n == k and k < hi and doc[k].lower_ in ("a", "an", "the"):
                n = _after_apposition(doc, k + 1, hi)  # "X, a hacking group also known as Y"
            if n > k:
                out.append((m, n))
                continue
            if k + 2 < hi and doc[k].lower_ in ("which", "whom", "that", "what"):
                namer = next((x for x in here if x.start == k + 1), None)
                verb = namer.end if namer is not None else -1
                if 0 < verb < hi and doc[verb].lower_ in NAMER_VERBS:
                    nxt = verb + 1
                    if nxt < hi and doc[nxt].lower_ == "as":
                        nxt += 1
                    out.append((m, nxt))
    for i in range(sent.span.start, hi):
        n = match_words(doc, i, hi, OTHER_NAMES)
        if n == i:
            continue
        if n < hi and doc[n].text == ",":
            n += 1
        opened = match_words(doc, n, hi, LIST_OPENERS)
        anchor = _antecedent(sent, i, here, sents, by_sent)
        if anchor is not None:
            out.append((anchor, opened))
    return out


MAX_APPOSITION = 8


def _after_apposition(doc: Doc, k: int, hi: int) -> int:
    """Where the names start after a short lower-case apposition that ends in a naming phrase
    ('a state-backed hacking group also known as'), or -1."""
    start = k
    while k < hi and k - start <= MAX_APPOSITION:
        n = match_words(doc, k, hi, NAMING)
        if n > k and n - k >= 2:  # "also known as", not a bare "formerly"
            return n
        if not (doc[k].text[:1].islower() or doc[k].text in ("-", "–")):
            return -1
        k += 1
    return -1


def _antecedent(
    sent: Sent, i: int, here: list[Mention], sents: list[Sent], by_sent: dict[int, list[Mention]]
) -> Mention | None:
    """What 'the group' before token i stands for: the last actor named before it in the
    sentence or, failing that, in the story's previous sentences; a name introduced as a group
    somewhere in the document ('the APT group Nickel') is preferred over other names."""
    doc = sent.doc
    j = i - 1
    if j < sent.span.start or doc[j].lower_ not in ANAPHORS | {"it", "them", "they"}:
        return None
    candidates: list[Mention] = [m for m in here if m.end <= i and m.type in ALIASED - {"Person"}]
    for back in range(1, LOOKBACK + 1):
        idx = sent.index - back
        if idx < 0 or sents[idx].story != sent.story:
            break
        found = [m for m in by_sent.get(idx, []) if m.type in ALIASED - {"Person"}]
        candidates = found + candidates
    if not candidates:
        return None
    groups = {m.name for ms in by_sent.values() for m in ms if m.rule in GROUP_CUES}
    grouped = [m for m in candidates if m.name in groups]
    return (grouped or candidates)[-1]


GROUP_CUES = frozenset({"cue:org-introducer", "cue:org-head", "cue:org-context"})


def _alias_items(sent: Sent, start: int, gaz: Gazetteer) -> list[tuple[int, int]]:
    """The names listed from token start: 'Y', "'A,' 'B' and 'C'", 'A, B and C'."""
    doc, hi = sent.doc, sent.span.end
    items: list[tuple[int, int]] = []
    p, last = start, False
    while p < hi and len(items) < 12:
        quoted = doc[p].text in QUOTES
        s = p + 1 if quoted else p
        e = s
        while e < hi and e - s < MAX_ALIAS_TOKENS and _alias_token(doc[e].text, quoted):
            e += 1
        if e == s or not any(c.isupper() or c.isdigit() for c in doc[s:e].text):
            break
        if not not_a_name(doc, s, e, gaz):
            items.append((s, e))
        p, comma = e, False
        while p < hi and (doc[p].text in QUOTES or doc[p].text == ","):
            comma = comma or doc[p].text == ","
            p += 1
        if last or p >= hi:
            break
        if doc[p].lower_ in ("and", "or"):
            p, last = p + 1, True
        elif not comma:
            break
    return items


def _alias_token(text: str, quoted: bool) -> bool:
    """A token that can be part of an alias name: a capitalised or digit-bearing word, or any
    word inside quotes; never a list separator."""
    if text in QUOTES or text in (",", ";", ")", "(", ".", ":") or text.lower() in ("and", "or"):
        return False
    return quoted or text[:1].isupper() or text[:1].isdigit() or text in ("-", "_", "&")
