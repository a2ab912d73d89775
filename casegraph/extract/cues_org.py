"""Cue words that make a name a non-commercial body or an online platform: 'the ransomware
group Clop', 'the Lazarus group', 'underground forums Darkmoney and Probiv'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.cues import blocked_by
from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.spans import Sent
from casegraph.extract.tokens import (
    CUE,
    POSSESSIVE,
    QUOTES,
    SPACY,
    Scored,
    first_words,
    is_name_token,
    make_mention,
    match_words,
    name_run,
    span_end,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

# Words allowed between a name and the head noun that makes it a body: 'Clop ransomware group'.
DESCRIPTORS = frozenset(
    {
        "ransomware",
        "hacking",
        "hacker",
        "hackers",
        "threat",
        "cybercrime",
        "espionage",
        "cyberespionage",
        "apt",
        "extortion",
        "mercenary",
        "hacktivist",
        "criminal",
        "research",
        "rights",
        "advocacy",
    }
)


ASIDE = 6


def find_org_cues(
    sent: Sent, gaz: Gazetteer, ents: list[Span], blocked: list[tuple[int, int]]
) -> list[Scored]:
    """Names typed Organization or Platform by the noun before or after them."""
    doc, lo, hi = sent.doc, sent.span.start, sent.span.end
    out: list[Scored] = []
    starting = first_words(gaz.org_introducers) | first_words(gaz.platform_introducers)
    i = lo
    while i < hi:
        tok = doc[i]
        if tok.text[:1].islower() and tok.lower_ in starting:
            for phrases, type_, rule in (
                (gaz.org_introducers, "Organization", "cue:org-introducer"),
                (gaz.platform_introducers, "Platform", "cue:platform-introducer"),
            ):
                k = match_words(doc, i, hi, phrases)
                if k == i + 1 and _sector_group(doc, i, lo, gaz):
                    for s, e in _names_after(doc, k, hi, ents, False):  # "hospital group X"
                        if not blocked_by(s, e, blocked):
                            out.append(
                                (CUE, make_mention(sent, s, e, "Company", "cue:introducer", 3.0))
                            )
                    continue
                if k > i and doc[k - 1].pos_ == "NOUN":
                    plural = doc[k - 1].tag_ == "NNS"
                    for s, e in _names_after(doc, k, hi, ents, plural):
                        if not blocked_by(s, e, blocked):
                            out.append((CUE, make_mention(sent, s, e, type_, rule, 3.0)))
        if is_name_token(tok) and (i == lo or not is_name_token(doc[i - 1])):
            out.extend(_body_names(sent, gaz, ents, blocked, i))
            e = span_end(doc, i, hi, ents)
            if e > i and not blocked_by(i, e, blocked) and _body_apposition(doc, e, hi, gaz):
                out.append((CUE, make_mention(sent, i, e, "Organization", "cue:org-context", 3.0)))
            k = e
            while k < hi and k - e < 2 and doc[k].lower_ in DESCRIPTORS:
                k += 1
            if (
                e > i
                and k < hi
                and doc[k].lower_ in gaz.org_heads
                and doc[k].pos_ == "NOUN"
                and not blocked_by(i, e, blocked)
            ):
                out.append((CUE, make_mention(sent, i, e, "Organization", "cue:org-head", 3.0)))
        if (
            tok.lower_ in ("at", "with")
            and i > lo
            and doc[i - 1].lower_ in gaz.titles
            and doc[i - 1].text[:1].islower()
            and i + 1 < hi
        ):  # "strategist at Analyst1": the employer named after a job title
            s = i + 2 if doc[i + 1].lower_ == "the" else i + 1
            if s < hi and is_name_token(doc[s]):
                e = span_end(doc, s, hi, ents)
                if e > s and not blocked_by(s, e, blocked):
                    out.append((SPACY, make_mention(sent, s, e, "Company", "cue:employer", 1.0)))
        i += 1
    return out


def _body_names(
    sent: Sent, gaz: Gazetteer, ents: list[Span], blocked: list[tuple[int, int]], i: int
) -> list[Scored]:
    """Bodies named by the run of name words at i: 'Israeli Police' (a demonym and one body
    word), 'the Northern District of Texas', 'Bureau of Industry and Security' (a body word,
    'of' and a name)."""
    doc, lo, hi = sent.doc, sent.span.start, sent.span.end
    out: list[Scored] = []
    j = name_run(doc, i, hi)
    head = doc[j - 1]
    place = gaz.place(doc[i - 1].text) if i > lo else None
    if (
        j - i == 1
        and head.text in gaz.org_cues
        and head.lower_ not in gaz.trigger("government_nouns")  # "Bahraini officials": a Country
        and place is not None
        and place.kind == "demonym"
        and doc[i - 1].text[:1].isupper()
        and not blocked_by(i, j, blocked)
    ):
        out.append((CUE, make_mention(sent, i - 1, j, "Organization", "cue:org-word", 2.0)))
    if (
        j + 1 < hi
        and head.text in gaz.trigger("of_heads")
        and doc[j].lower_ == "of"
        and is_name_token(doc[j + 1])
        and not blocked_by(i, j, blocked)
    ):
        end = name_run(doc, j + 1, hi)
        while (
            end + 1 < hi
            and doc[end].lower_ == "and"
            and is_name_token(doc[end + 1])
            and not any(e.start == end + 1 for e in ents)  # "... of Toronto and Microsoft"
        ):
            nxt = name_run(doc, end + 1, hi)
            if nxt < hi and doc[nxt].text in POSSESSIVE:
                break
            end = nxt
        end = max([end, *(e.end for e in ents if e.start == i and e.end <= hi)])
        out.append((CUE, make_mention(sent, i, end, "Organization", "cue:org-of", 3.0)))
    return out


def _sector_group(doc: Doc, i: int, lo: int, gaz: Gazetteer) -> bool:
    """'group' after a business sector ('hospital group', 'media group'): a company."""
    return doc[i].lower_ == "group" and i > lo and doc[i - 1].lower_ in gaz.trigger("sectors")


def _body_apposition(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    """', a group the company links to ...', ', a state-backed hacking group also known as':
    an apposition whose head noun introduces a body."""
    if end + 2 >= hi or doc[end].text != "," or doc[end + 1].lower_ not in ("a", "an", "the"):
        return False
    k = end + 2
    while k < hi and k - end <= 7 and (doc[k].text[:1].islower() or doc[k].text == "-"):
        n = match_words(doc, k, hi, gaz.org_introducers)
        if n > k and doc[n - 1].pos_ == "NOUN":
            return not (n < hi and doc[n].text in POSSESSIVE)
        k += 1
    return False


def _names_after(
    doc: Doc, k: int, hi: int, ents: list[Span], plural: bool
) -> list[tuple[int, int]]:
    """The name right after an introducing noun, or the names listed there after a plural."""
    items: list[tuple[int, int]] = []
    p, last = k, False
    while p < hi:
        s = p + 1 if doc[p].text in QUOTES else p
        if s >= hi or not is_name_token(doc[s]):
            break
        e = span_end(doc, s, hi, ents)
        if e <= s:
            break
        items.append((s, e))
        p = e + 1 if e < hi and doc[e].text in QUOTES else e
        if not plural or last:
            break  # "forums A and B, Trend Micro found": the item after 'and' is the last
        comma = p < hi and doc[p].text == ","
        p += comma
        if comma and p < hi and doc[p].tag_ in ("VBG", "VBN"):  # ", operating from Iran,"
            q = p
            while q < hi and q - p <= ASIDE and doc[q].text != ",":
                q += 1
            if q >= hi:
                break
            p = q + 1
        if p < hi and doc[p].lower_ in ("and", "or"):
            p, last = p + 1, True
        elif not comma:
            break
    return items
