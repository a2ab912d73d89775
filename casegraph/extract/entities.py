"""Finding entity mentions in a sentence: gazetteers, cue words and spaCy's named entities."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from casegraph.extract.aliases import acronym_mentions
from casegraph.extract.cues import find_cues
from casegraph.extract.cues_org import find_org_cues
from casegraph.extract.gazetteer import Gazetteer, Reference, load_reference
from casegraph.extract.guards import indicator_kind, not_a_name
from casegraph.extract.spans import Mention, Sent
from casegraph.extract.tokens import (
    CUE,
    GAZ,
    NAME_TAGS,
    POSSESSIVE,
    SPACY,
    Scored,
    inside_longer,
    is_name_token,
    make_mention,
    surface,
)
from casegraph.extract.victims import find_victims

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

LOCATIVE = frozenset(
    {"in", "at", "near", "from", "outside", "around", "across", "throughout", "to"}
)


# Tokens that never sit inside one name: "the Entity List: Positive Technologies", "X (MVT".
SEPARATORS = frozenset({":", ";", "(", ")", "[", "]"})


HONORIFICS = frozenset(
    {
        "mr",
        "mr.",
        "ms",
        "ms.",
        "mrs",
        "mrs.",
        "dr",
        "dr.",
        "judge",
        "magistrate",
        "senator",
        "sen.",
        "rep.",
        "president",
        "prime",
        "minister",
        "sir",
        "dame",
    }
)


def find_mentions(sent: Sent, gaz: Gazetteer, previous: Sent | None = None) -> list[Mention]:
    """The entity mentions of one sentence, overlaps settled; previous is the sentence before
    it in the same story, if any."""
    span = sent.span
    ents = [] if sent.title_case else [e for raw in _ents_in(span) for e in _clean_ent(raw, gaz)]
    gaz_hits = _gazetteer(sent, gaz, ents)
    blocked = [(m.start, m.end) for _, m in gaz_hits]
    cands: list[Scored] = [
        *gaz_hits,
        *find_victims(sent, gaz, previous.span if previous is not None else None),
    ]
    if not sent.title_case:  # in Title Case, names come from the body (propagate_names)
        cands += find_cues(sent, gaz, ents, blocked)
        cands += find_org_cues(sent, gaz, ents, blocked)
        cands += _spacy(sent, gaz, ents)
        cands += _reference_names(sent, load_reference())
    doc = sent.doc
    cands = [
        c
        for c in cands
        if c[1].rule.startswith("gazetteer:") or not not_a_name(doc, c[1].start, c[1].end, gaz)
    ]
    cands += _indicators(sent)
    found = [m for m in _select(cands) if not _spelled_out_term(doc, m, gaz)]
    return sorted([*found, *acronym_mentions(sent, found)], key=lambda m: m.start)


REF_MAX_TOKENS = 4


def _reference_names(sent: Sent, ref: Reference) -> list[Scored]:
    """Names of the reference list written in the sentence as names ('APT28', 'Cobalt
    Strike'): mentions that spaCy missed, typed later from the list. Only runs of name words
    count, so the list never makes a name of ordinary words."""
    doc, lo, hi = sent.doc, sent.span.start, sent.span.end
    out: list[Scored] = []
    i = lo
    while i < hi:
        longest = ref.max_tokens(doc[i].text)
        if not longest or not is_name_token(doc[i]) or (i == lo and not _code(doc[i].text)):
            i += 1
            continue
        for n in range(min(REF_MAX_TOKENS, longest, hi - i), 0, -1):
            if not all(is_name_token(t) or t.text in ("-", ".") for t in doc[i : i + n]):
                continue
            entries = ref.lookup(doc[i : i + n].text)
            if entries:
                type_ = entries[0].type
                out.append((SPACY, make_mention(sent, i, i + n, type_, "cue:reference", 0.5)))
                i += n - 1
                break
        i += 1
    return out


def _code(text: str) -> bool:
    """A code of capitals and digits such as 'APT28': a name even at a sentence start."""
    return any(c.isdigit() for c in text) and any(c.isupper() for c in text)


def _spelled_out_term(doc: Doc, m: Mention, gaz: Gazetteer) -> bool:
    """'Application Programming Interface (API)': a technical term spelled out, not a name."""
    end = m.end
    return (
        end + 2 < len(doc)
        and doc[end].text == "("
        and doc[end + 2].text == ")"
        and doc[end + 1].text.upper() in gaz.tech_terms
        and not m.rule.startswith("gazetteer:")
    )


def _indicators(sent: Sent) -> list[Scored]:
    """CVE ids and file hashes named in the sentence: Indicators, never firms or people."""
    out: list[Scored] = []
    span = sent.span
    base = span.start_char
    for match in INDICATOR_TEXT.finditer(span.text):
        text = match.group()
        kind = indicator_kind(text)
        found = span.doc.char_span(base + match.start(), base + match.end())
        if kind is None or found is None:
            continue
        name = text.upper() if kind == "cve" else text.lower()
        m = make_mention(sent, found.start, found.end, "Indicator", f"cue:{kind}", 3.0, name, kind)
        out.append((CUE, m))
    return out


INDICATOR_TEXT = re.compile(r"(?<![\w-])(?:CVE-\d{4}-\d{4,7}|[0-9a-fA-F]{32,64})(?![\w-])", re.I)


def _ents_in(span: Span) -> list[Span]:
    return [e for e in span.doc.ents if e.start >= span.start and e.end <= span.end]


def _clean_ent(ent: Span, gaz: Gazetteer) -> list[Span]:
    """An entity span without leading determiners, demonym prefixes and trailing possessives."""
    doc = ent.doc
    start, end = ent.start, ent.end
    while (
        start < end
        and (
            doc[start].is_punct
            or doc[start].lower_ in HONORIFICS
            or (doc[start].tag_ in ("VBG", "VBD", "VBZ", "VB") and start < end - 1)  # "Using NSO"
            or (doc[start].text[:1].islower() and doc[start].tag_ not in NAME_TAGS)
            or doc[start].tag_ in ("IN", "DT")  # "Inside India", "The Ministry of ..."
        )
    ):
        start += 1
    while end > start and (doc[end - 1].text in POSSESSIVE or doc[end - 1].is_punct):
        end -= 1
    if end - start >= 2:
        place = gaz.place(doc[start].text)
        if place and place.kind == "demonym" and not doc[start + 1].text[:1].isupper():
            start += 1
            while start < end and doc[start].text[:1].islower():
                start += 1
    if end <= start:
        return []
    parts: list[Span] = []
    seg = start
    lists = ent.label_ in LISTED_LABELS or (
        ent.label_ in NAME_LABELS
        and not any(doc[i].lower_ in ("of", "for") for i in range(start, end))
    )
    for i in range(start, end):
        if (
            doc[i].text in POSSESSIVE
            or doc[i].text in SEPARATORS
            or (
                lists
                and doc[i].lower_ in {"and", ",", "or"}
                and (ent.label_ in LISTED_LABELS or _splits(doc, i, start, end, gaz))
            )
        ):
            if i > seg:
                parts.append(doc[seg:i])
            seg = i + 1
    if seg < end:
        parts.append(doc[seg:end])
    legal = gaz.trigger("legal_forms")
    out = []
    for part in parts:
        if (
            part.start > start
            and doc[part.start - 1].text == ","
            and (part.text.rstrip(".").upper() in legal)
        ):
            continue  # "Netsweeper, Inc.": the legal form, not a second name
        new = doc.char_span(part.start_char, part.end_char, label=ent.label_)
        if new is not None:
            out.append(new)
    return out


# Entity labels whose spans spaCy may stretch over a list ("Facebook, Instagram", "Darkmoney and
# Probiv, Trend Micro"); a formal name with "of" or "for" ("Bureau of Industry and Security")
# is left whole.
LISTED_LABELS = frozenset({"WORK_OF_ART", "LAW", "EVENT"})
NAME_LABELS = frozenset({"ORG", "PERSON", "PRODUCT", "NORP", "FAC"})


def _splits(doc: Doc, i: int, start: int, end: int, gaz: Gazetteer) -> bool:
    """Whether a comma or 'and' at token i separates two names of a listed span."""
    if i == start or i + 1 >= end:
        return False
    before, after = doc[i - 1].text, doc[i + 1].text
    if doc[i].text == "," and after.rstrip(".").upper() in gaz.trigger("legal_forms"):
        return True  # cut off, then dropped: "Netsweeper, Inc."
    return before[:1].isupper() and after[:1].isupper() and before != after


def _gazetteer(sent: Sent, gaz: Gazetteer, ents: list[Span]) -> list[Scored]:
    """Known places, platforms, outlets and public bodies, longest match first."""
    span, doc = sent.span, sent.doc
    out: list[Scored] = []
    i = span.start
    while i < span.end:
        first = doc[i].text
        if not (first[:1].isupper() or first == "the" or first[:1] == "i"):
            i += 1
            continue
        found = None
        longest = gaz.max_tokens(first)
        for n in range(min(6, longest, span.end - i), 0, -1):
            text = surface(doc, i, i + n)
            found = _lookup(text, gaz)
            if found and found[0] == "Country" and _before_org_word(doc, i + n, span.end, gaz):
                found = None  # "the US Treasury": the name of a body, read by the cue rules
                break
            if found and found[2] == "outlet" and n == 1 and _qualified(doc, i, span.start, gaz):
                found = None  # "the Hellenic Parliament": a longer name, read by the cue rules
                break
            if found:
                type_, name, kind = found
                start, end = i, i + n
                if type_ == "Country":  # "Bahraini officials", "the government of Bahrain"
                    start, end = _governed(doc, start, end, span.start, span.end, gaz)
                if inside_longer(start, end, ents) and type_ in ("Country", "Platform"):
                    found = None
                    break
                if kind == "capital" and _as_place(doc, i, i + n, span.start, span.end):
                    type_, name, kind = "Location", text, "capital-place"
                out.append(
                    (
                        GAZ,
                        make_mention(
                            sent, start, end, type_, f"gazetteer:{kind}", 3.0, name=name, kind=kind
                        ),
                    )
                )
                i = end
                break
        if not found:
            i += 1
    return out


def _governed(doc: Doc, start: int, end: int, lo: int, hi: int, gaz: Gazetteer) -> tuple[int, int]:
    """A country's mention widened over the words that make it its state: 'Bahraini
    officials', "Bahrain's government", 'the government of Bahrain' (metonyms of the Country)."""
    words = gaz.trigger("government_nouns")
    if end < hi and doc[end].lower_ in words and doc[end].tag_ in ("NN", "NNS", "NNP"):
        return start, end + 1
    if end + 1 < hi and doc[end].text in POSSESSIVE and doc[end + 1].lower_ in words:
        return start, end + 2
    if start - 2 >= lo and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in words:
        return start - 2, end
    return start, end


def _qualified(doc: Doc, i: int, lo: int, gaz: Gazetteer) -> bool:
    """A one-word body name ('Parliament') right after a name word that is not a place."""
    if i <= lo:
        return False
    prev = doc[i - 1]
    return (
        prev.tag_ in NAME_TAGS
        and prev.text[:1].isupper()
        and gaz.place(prev.text) is None
        and doc[i].text in gaz.org_cues
    )


def _before_org_word(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    return (
        end < hi
        and doc[end].text in gaz.org_cues
        and doc[end].text[:1].isupper()
        and doc[end].lower_ not in gaz.trigger("government_nouns")  # "Bahraini Government"
    )


def _as_place(doc: Doc, start: int, end: int, lo: int, hi: int) -> bool:
    """A capital read as a city, not its government: 'in Beijing', 'Washington, D.C.'."""
    if start > lo and doc[start - 1].lower_ in LOCATIVE:
        return True
    if end + 1 < hi and doc[end].text in ("-", "–") and doc[end + 1].lower_ == "based":
        return True  # "the Moscow-based company"
    if start - 2 >= lo and doc[start - 1].text == "," and doc[start - 2].ent_type_ == "GPE":
        return True  # "Redmond, Washington": a state or region after a city
    return end + 1 < hi and doc[end].text == "," and doc[end + 1].ent_type_ in ("GPE", "LOC")


def _lookup(text: str, gaz: Gazetteer) -> tuple[str, str, str] | None:
    if text in gaz.outlets:
        return "Organization", gaz.outlets[text], "outlet"
    if text in gaz.platforms:
        return "Platform", gaz.platforms[text], "platform"
    known = gaz.products.get(text) or gaz.products.get(text.lower())
    if known is not None:
        return "Product", known, "product"
    place = gaz.place(text)
    if place is not None:
        return "Country", place.country, place.kind
    return None


def _is_department(ent: Span, gaz: Gazetteer) -> bool:
    """'Security Policy' in 'head of Security Policy': a unit inside a named employer."""
    doc = ent.doc
    if len(ent) < 2 or ent.start < 2 or any(t.text.isupper() for t in ent):
        return False
    prev, before = doc[ent.start - 1], doc[ent.start - 2]
    return prev.lower_ == "of" and (before.lower_ in gaz.titles or before.lower_ in DEPARTMENT)


DEPARTMENT = frozenset(
    {
        "head",
        "director",
        "chief",
        "manager",
        "lead",
        "team",
        "unit",
        "division",
        "vice",
        "president",
        "officer",
        "member",
    }
)


def _spacy(sent: Sent, gaz: Gazetteer, ents: list[Span]) -> list[Scored]:
    """spaCy's named entities mapped to ontology types, with its predictable slips filtered."""
    out: list[Scored] = []
    for ent in ents:
        label, text = ent.label_, " ".join(ent.text.split())
        if not text or len(text) > 80 or not any(c.isalpha() for c in text):
            continue
        if _lookup(text, gaz) is not None:
            continue  # the gazetteer pass already typed it
        if label == "PERSON":
            parts = [t for t in ent if t.text not in ("-", "–")]  # "John Scott-Railton"
            if all(t.text[:1].isupper() for t in parts) and len(parts) <= 6:  # "Seyyed .. Kazemi"
                out.append(
                    (SPACY, make_mention(sent, ent.start, ent.end, "Person", "spacy:PERSON", 1))
                )
        elif label == "ORG":
            if _is_department(ent, gaz) or (not text[:1].isupper() and not text[:1].isdigit()):
                continue
            if text.lower() in gaz.titles:
                continue  # "CMO", "CEO": a title spaCy took for a company
            words = set(text.split())
            media = _near_media_title(ent, gaz) or _org_noun_after(ent, gaz) or _told(ent)
            type_ = "Organization" if words & gaz.org_cues or media else "Company"
            out.append((SPACY, make_mention(sent, ent.start, ent.end, type_, "spacy:ORG", 1)))
        elif label in ("GPE", "LOC") and _told(ent):
            out.append(
                (CUE, make_mention(sent, ent.start, ent.end, "Organization", "cue:told", 1.5))
            )
        elif label in ("GPE", "LOC"):
            if text[:1].isupper() and not (text.isupper() and len(text) <= 3 and "." not in text):
                out.append(
                    (
                        SPACY,
                        make_mention(
                            sent, ent.start, ent.end, "Location", f"spacy:{label}", 1, kind="place"
                        ),
                    )
                )
        elif label == "PRODUCT" and text[:1].isupper():
            out.append(
                (SPACY, make_mention(sent, ent.start, ent.end, "Product", "spacy:PRODUCT", 0.8))
            )
    return out


def _org_noun_after(ent: Span, gaz: Gazetteer) -> bool:
    """A name followed by a noun of a non-commercial kind: 'the PASOK party'."""
    doc = ent.doc
    return ent.end < len(doc) and doc[ent.end].lower_ in gaz.trigger("org_kind_nouns")


def _told(ent: Span) -> bool:
    """'DiMaggio told Threatpost': what people tell, in a news story, is an outlet."""
    doc = ent.doc
    return ent.start >= 1 and doc[ent.start - 1].lower_ == "told" and len(ent) <= 3


def _near_media_title(ent: Span, gaz: Gazetteer) -> bool:
    """An outlet by its context: 'a reporter at Protocol', "Protocol's senior reporter"."""
    doc = ent.doc
    if (
        ent.start >= 2
        and doc[ent.start - 1].lower_ in ("at", "for", "with", "of")
        and (doc[ent.start - 2].lower_ in gaz.media_titles)
    ):
        return True
    k = ent.end
    if k < len(doc) and doc[k].text in POSSESSIVE:
        k += 1
        while k < len(doc) and k - ent.end <= 3 and doc[k].pos_ == "ADJ":
            k += 1
        return k < len(doc) and doc[k].lower_ in gaz.media_titles
    return False


def _select(cands: list[Scored]) -> list[Mention]:
    """Non-overlapping mentions: higher priority first, then longer, then earlier."""
    cands.sort(key=lambda c: (-c[0], -(c[1].end - c[1].start), c[1].start))
    taken: list[Mention] = []
    for _, m in cands:
        if m.end > m.start and not any(t.overlaps(m.start, m.end) for t in taken):
            taken.append(m)
    taken.sort(key=lambda m: m.start)
    return taken


PROPAGATED = frozenset({"Person", "Company", "Organization", "Product", "Platform"})


PROPAGATE_WEIGHT = 0.5


def propagate_names(sents: list[Sent], mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Later mentions of names found once: 'India's BellTroX.' after 'Indian firm BellTroX'.

    A person's surname alone is searched for too. Only stretches not already covered count.
    """
    votes: dict[str, dict[str, float]] = {}
    for m in mentions:
        if m.type not in PROPAGATED or m.kind != "name":
            continue
        names = [m.text]
        words = m.text.split()
        if m.type == "Person" and len(words) > 1:
            names.append(words[-1])
        for name in names:
            if len(name) >= 3 and any(c.isupper() for c in name):
                table = votes.setdefault(name, {})
                table[m.type] = table.get(m.type, 0.0) + m.weight
    if not votes:
        return []
    import re

    pattern = re.compile(
        r"(?<![\w@#])(?:"
        + "|".join(re.escape(n) for n in sorted(votes, key=len, reverse=True))
        + r")(?![\w-])"
    )
    by_sent: dict[int, list[Mention]] = {}
    for m in mentions:
        by_sent.setdefault(m.sent, []).append(m)
    found: list[Mention] = []
    for sent in sents:
        taken = by_sent.get(sent.index, [])
        base = sent.span.start_char
        for match in pattern.finditer(sent.span.text):
            span = sent.doc.char_span(
                base + match.start(), base + match.end(), alignment_mode="expand"
            )
            if span is None or any(t.overlaps(span.start, span.end) for t in taken):
                continue
            if not_a_name(sent.doc, span.start, span.end, gaz):
                continue
            name = match.group()
            table = votes[name]
            type_ = max(table, key=lambda t: table[t])
            m = Mention(
                sent.index,
                span.start,
                span.end,
                name,
                type_,
                "propagate",
                PROPAGATE_WEIGHT,
                "name",
                name,
            )
            taken = [*taken, m]
            found.append(m)
    return found
