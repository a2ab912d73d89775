"""Cue-word mention finders: companies, products, people and victim classes by context."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.guards import not_a_name
from casegraph.extract.spans import Mention, Sent
from casegraph.extract.tokens import (
    CUE,
    POSSESSIVE,
    QUOTES,
    SPACY,
    Scored,
    first_words,
    inside_longer,
    is_name_token,
    make_mention,
    match_words,
    name_run,
    span_end,
    surface,
)

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

WEAK_PRODUCT_WEIGHT = 0.9


def blocked_by(start: int, end: int, blocked: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in blocked)


def find_cues(
    sent: Sent, gaz: Gazetteer, ents: list[Span], blocked: list[tuple[int, int]]
) -> list[Scored]:
    """Names made companies or products by the words around them."""
    span, doc = sent.span, sent.doc
    out: list[Scored] = []
    lo, hi = span.start, span.end
    names = [is_name_token(t) for t in span]
    lowers = [t.lower_ for t in span]
    introducing = first_words(gaz.introducers)
    naming = first_words(gaz.product_introducers)
    i = lo
    while i < hi:
        tok = doc[i]
        # a run of name words starts here
        starts = names[i - lo] and (i == lo or not names[i - lo - 1])
        # "Cobwebs Technologies", "NSO Group": a name ending in a company designator.
        if starts:
            j = name_run(doc, i, hi)
            while i < j - 1 and (p := gaz.place(doc[i].text)) is not None and p.kind == "demonym":
                i += 1
            if j - i >= 2 and not blocked_by(i, j, blocked) and not inside_longer(i, j, ents):
                last = doc[j - 1].text
                if last in gaz.company_suffixes:
                    name = _without_legal_form(doc, i, j, gaz)
                    out.append(
                        (
                            CUE,
                            make_mention(sent, i, j, "Company", "cue:designator", 3.0, name),
                        )
                    )
                elif last in gaz.org_cues:
                    out.append((CUE, make_mention(sent, i, j, "Organization", "cue:org-word", 2.0)))
        starts = names[tok.i - lo] and (i == lo or not names[i - lo - 1])  # i may have moved
        # "Indian firm BellTroX", "spyware maker NSO Group": an introducing noun before a name.
        k = match_words(doc, i, hi, gaz.introducers) if lowers[i - lo] in introducing else i
        if k > i and doc[k - 1].tag_ in ("NN", "NNP") and k < hi:
            s = k + 1 if doc[k].text in QUOTES else k
            e = span_end(doc, s, hi, ents)
            if e > s and not blocked_by(s, e, blocked):
                out.append((CUE, make_mention(sent, s, e, "Company", "cue:introducer", 3.0)))
        # "four firms run out of Israel: A, B, C and D"
        if tok.lower_ in gaz.plural_introducers or tok.lower_ in gaz.weak_plural_introducers:
            strong = tok.lower_ in gaz.plural_introducers
            for s, e in list_items(doc, i + 1, hi, gaz, ents):
                if not blocked_by(s, e, blocked):
                    rule, weight = ("cue:introducer-list", 3.0) if strong else ("cue:list", 0.8)
                    out.append(
                        (
                            CUE if strong else SPACY,
                            make_mention(sent, s, e, "Company", rule, weight),
                        )
                    )
        # "Pegasus spyware", "its ForcedEntry exploit" (spaCy may tag "Reign" an adjective)
        if (names[i - lo] or _capitalised_word(tok, gaz, lo)) and (
            i == lo or not names[i - lo - 1]
        ):
            e = max(span_end(doc, i, hi, ents), i + 1)
            c = e + 1 if e < hi and doc[e].text in QUOTES else e
            headed = c + 1 < hi and doc[c + 1].lower_ in gaz.org_heads  # "Clop ransomware group"
            if e > i and c < hi and not blocked_by(i, e, blocked) and not headed:
                cue = doc[c].text
                if cue in gaz.strong_product_cues or _two(doc, c, hi) in gaz.strong_product_cues:
                    out.append((CUE, make_mention(sent, i, e, "Product", "cue:product", 2.5)))
                elif cue in gaz.product_cues and doc[c].pos_ == "NOUN":
                    out.append(
                        (
                            SPACY,
                            make_mention(
                                sent, i, e, "Product", "cue:product-weak", WEAK_PRODUCT_WEIGHT
                            ),
                        )
                    )
        # "whistleblower Frances Haugen", "vice president of security Jane Holloway"
        if (
            tok.text[:1].islower()
            and tok.lower_ in gaz.title_words
            and any(doc[b].lower_ in gaz.titles for b in range(max(lo, i - 4), i + 1))
            and i + 1 < hi
        ):
            e = span_end(doc, i + 1, hi, ents)
            words = doc[i + 1 : e]
            if (
                2 <= len(words) <= 3
                and all(w.is_alpha and w.text[:1].isupper() for w in words)
                and words[-1].text not in gaz.company_suffixes
                and not blocked_by(i + 1, e, blocked)
            ):
                out.append((CUE, make_mention(sent, i + 1, e, "Person", "cue:title-person", 2.5)))
                out.extend(_employer_before_title(sent, gaz, i, blocked))
        # "Acting U.S. Attorney Nadia Pierce", "Assistant Attorney General Miriam Castellanos"
        if tok.text[:1].isupper() and tok.lower_ in gaz.titles and tok.i > lo:
            s = i + 1
            while s < hi and doc[s].lower_ in gaz.title_words:
                s += 1
            e = name_run(doc, s, hi)
            if (
                2 <= e - s <= 3
                and not blocked_by(s, e, blocked)
                and doc[e - 1].text not in gaz.company_suffixes
            ):
                out.append((CUE, make_mention(sent, s, e, "Person", "cue:title-person", 2.5)))
        # "Pegasus, the company's flagship tool"; "an open-source tool, the Mobile Toolkit"
        if starts:
            e = span_end(doc, i, hi, ents)
            if (
                e > i
                and not blocked_by(i, e, blocked)
                and (_product_after(doc, e, hi, gaz) or _product_before(doc, i, lo, gaz))
            ):
                out.append(
                    (CUE, make_mention(sent, i, e, "Product", "cue:product-appositive", 2.5))
                )
        # "Quadream, a company based in Tel Aviv", "Cytrox, part of the Intellexa alliance"
        if starts:
            e = span_end(doc, i, hi, ents)
            if e > i and not blocked_by(i, e, blocked) and _org_context(doc, e, hi, gaz):
                out.append((CUE, make_mention(sent, i, e, "Company", "cue:org-context", 3.0)))
        # "the spyware vendor behind Pegasus", "the maker of Predator"
        if tok.lower_ in gaz.maker_nouns and i + 2 < hi and doc[i + 1].lower_ in ("of", "behind"):
            s = i + 2
            e = span_end(doc, s, hi, ents)
            if e > s and not blocked_by(s, e, blocked):
                out.append((CUE, make_mention(sent, s, e, "Product", "cue:product-maker", 2.0)))
        # "Ana Ruiz, chief counsel", "Peter Kim, a researcher at ..."
        if starts:
            e = name_run(doc, i, hi)
            size = sum(1 for t in doc[i:e] if t.text not in ("-", "–"))  # "John Scott-Railton"
            if 2 <= size <= 3 and not blocked_by(i, e, blocked) and _title_follows(doc, e, hi, gaz):
                out.append((CUE, make_mention(sent, i, e, "Person", "cue:appositive-title", 2.5)))
            elif (
                2 <= e - i <= 4
                and not blocked_by(i, e, blocked)
                and _person_follows(doc, e, hi, gaz)
            ):
                out.append((CUE, make_mention(sent, i, e, "Person", "cue:person-apposition", 2.5)))
        # "spyware called Predator"
        k = match_words(doc, i, hi, gaz.product_introducers) if lowers[i - lo] in naming else i
        if k > i and any(doc[b].text in gaz.product_cues for b in range(max(lo, i - 4), i)):
            s = k + 1 if k < hi and doc[k].text in QUOTES else k
            e = span_end(doc, s, hi, ents)
            if e == s and s < hi and _all_caps_word(doc[s].text):
                e = (
                    s + 1
                )  # "called REIGN": a capitalised code word the tagger took for an adjective
            if e > s and not blocked_by(s, e, blocked):
                out.append((CUE, make_mention(sent, s, e, "Product", "cue:product-named", 3.0)))
        i += 1
    return out


def _employer_before_title(
    sent: Sent, gaz: Gazetteer, i: int, blocked: list[tuple[int, int]]
) -> list[Scored]:
    """'Brightwater privacy advocate Tom Askew': the name before a job title is an employer."""
    doc, lo = sent.doc, sent.span.start
    j = i
    while j > lo and doc[j - 1].lower_ in gaz.title_words:
        j -= 1
    k = j
    while k > lo and is_name_token(doc[k - 1]):
        k -= 1
    if k == j or blocked_by(k, j, blocked) or j - k > 3:
        return []
    return [(SPACY, make_mention(sent, k, j, "Company", "cue:employer", 1.0))]


def _org_context(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    """Words after a name that only fit an organisation: ', a company based in', ', part of'."""
    if match_words(doc, end, hi, gaz.pairs("org_context")) > end:
        return True
    if end + 1 < hi and doc[end].text == "," and doc[end + 1].lower_ in ("a", "an", "the"):
        k = end + 2
        while k < hi and k - end <= 6 and doc[k].text[:1].islower() and doc[k].is_alpha:
            n = match_words(doc, k, hi, gaz.introducers)
            if n > k:
                return not (n < hi and doc[n].text in POSSESSIVE)  # not "the company's tool"
            if doc[k].pos_ == "NOUN" and doc[k + 1 : k + 2].text[:1].islower():
                return False  # "X, a group the company links to ...": the head is 'group'
            k += 1
        if k < hi and gaz.place(doc[k].text) is not None:
            k += 1
            while k < hi and k - end <= 7 and doc[k].text[:1].islower() and doc[k].is_alpha:
                if match_words(doc, k, hi, gaz.introducers) > k:
                    return True
                k += 1
    return False


def _title_follows(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    """Whether a name is followed by a job title in apposition: ', chief counsel',
    ", the agency's director", ', Amnesty International's secretary general'."""
    if end + 1 >= hi or doc[end].text != ",":
        return False
    k = end + 1
    if doc[k].lower_ in ("a", "an", "the"):
        k += 1
    owner = k
    while owner < hi and owner - k < 4 and doc[owner].text not in POSSESSIVE:
        if not (doc[owner].pos_ in ("NOUN", "PROPN") and doc[owner].is_alpha):
            break
        owner += 1
    if owner < hi and owner > k and doc[owner].text in POSSESSIVE:
        k = owner + 1
    for _ in range(4):
        if k >= hi:
            return False
        low = doc[k].lower_
        if low in gaz.titles and (doc[k].pos_ == "NOUN" or doc[k].text.isupper()):
            return True
        if low not in gaz.title_modifiers:
            return False
        k += 1
    return False


PERSON_NOUNS = frozenset(
    {"national", "citizen", "resident", "man", "woman", "native", "father", "mother", "son"}
)


def _person_follows(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    """Whether a name is followed by what only a person has: an age (', 22,') or a nationality
    (', a Ukrainian national', ', a Russian citizen')."""
    if end + 2 >= hi or doc[end].text != ",":
        return False
    nxt = doc[end + 1]
    if nxt.like_num and doc[end + 2].text in (",", ")") and nxt.text.isdigit():
        return 14 <= int(nxt.text) <= 99
    k = end + 2 if nxt.lower_ in ("a", "an", "the") else end + 1
    place = gaz.place(doc[k].text) if k < hi else None
    return (
        place is not None
        and place.kind == "demonym"
        and k + 1 < hi
        and doc[k + 1].lower_ in PERSON_NOUNS
    )


PRODUCT_HEADS = frozenset(
    {"tool", "toolkit", "software", "program", "programme", "product", "app", "application"}
)


def _np_head_after(doc: Doc, k: int, hi: int) -> int:
    """Index of the last word of a short noun phrase starting at k, or -1."""
    last, limit = -1, min(hi, k + 6)
    while k < limit and (doc[k].is_alpha or doc[k].text == "-"):
        if doc[k].text[:1].isupper() and doc[k].tag_ in ("NNP", "NNPS"):
            return -1  # another name: "X, the Y Group"
        if doc[k].pos_ in ("NOUN", "ADJ") or doc[k].text == "-":
            last = k
        else:
            break
        k += 1
    return last


def _product_after(doc: Doc, end: int, hi: int, gaz: Gazetteer) -> bool:
    """A name in apposition with a product noun: ', its antivirus product', ', a program'."""
    if end + 2 >= hi or doc[end].text != ",":
        return False
    k = end + 1
    if doc[k].lower_ in ("a", "an", "the", "its", "their", "his", "her"):
        k += 1
    if k + 1 < hi and doc[k + 1].text in POSSESSIVE:
        k += 2  # "the company's", "NSO's"
    head = _np_head_after(doc, k, hi)
    if head < 0:
        return False
    low = doc[head].lower_
    return low in PRODUCT_HEADS or low in gaz.strong_product_cues


def _product_before(doc: Doc, start: int, lo: int, gaz: Gazetteer) -> bool:
    """A name after a product noun and a comma: 'an open-source tool, the Mobile Toolkit'."""
    k = start - 1
    if k >= lo and doc[k].lower_ in ("the", "a", "an"):
        k -= 1
    if k - 1 < lo or doc[k].text != ",":
        return False
    low = doc[k - 1].lower_
    return low in PRODUCT_HEADS or low in gaz.strong_product_cues


def _without_legal_form(doc: Doc, start: int, end: int, gaz: Gazetteer) -> str | None:
    """A company's name without a trailing legal form: 'Saito Tech Ltd.' -> 'Saito Tech'."""
    forms = gaz.trigger("legal_forms")
    j = end
    while j - 1 > start and doc[j - 1].text.rstrip(".").upper() in forms:
        j -= 1
    return surface(doc, start, j) if j < end else None


def _capitalised_word(tok: Token, gaz: Gazetteer, lo: int) -> bool:
    """A capitalised word inside a sentence that is not a known place: maybe a name."""
    return (
        tok.i > lo
        and tok.is_alpha
        and tok.text[:1].isupper()
        and tok.tag_ in ("JJ", "NN")
        and gaz.place(tok.text) is None
    )


def _two(doc: Doc, i: int, hi: int) -> str:
    return f"{doc[i].text} {doc[i + 1].text}" if i + 1 < hi else ""


def list_items(
    doc: Doc, start: int, hi: int, gaz: Gazetteer, ents: list[Span]
) -> list[tuple[int, int]]:
    """The names listed after a plural noun: 'firms run out of Israel: A, B and C'."""
    p = start
    opened = start if start < hi and is_name_token(doc[start]) else -1  # "firms A and B"
    while opened < 0 and p < min(hi, start + 10):
        if doc[p].text in {";", ".", "(", ")"} or doc[p].lower_ in gaz.plural_introducers:
            return []
        k = match_words(doc, p, hi, gaz.list_openers)
        if k > p:
            opened = k
            break
        p += 1
    if opened < 0:
        return []
    items: list[tuple[int, int]] = []
    p = opened
    while p < hi:
        s = p + 1 if doc[p].text in QUOTES else p
        e = span_end(doc, s, hi, ents)
        if e <= s:
            break
        items.append((s, e))
        p = e + 1 if e < hi and doc[e].text in QUOTES else e
        comma = p < hi and doc[p].text == ","
        if comma:
            p += 1
        if p < hi and doc[p].lower_ in {"and", "or"}:
            p += 1
        elif not comma:
            break
    return items


COORDINATORS = frozenset({",", "and", "or"})


def coordinated_names(sent: Sent, mentions: list[Mention], gaz: Gazetteer) -> list[Mention]:
    """Unrecognised names listed with a company or body take its type ('Candiru and NSO')."""
    doc, span = sent.doc, sent.span
    out: list[Mention] = []
    taken = sorted(mentions, key=lambda m: m.start)
    people = sum(1 for m in taken if m.type == "Person")
    for m in taken:
        if m.type not in ("Company", "Organization", "Product") and not (
            m.type == "Person" and people >= 2
        ):
            continue
        for step in (-1, 1):
            i = m.start - 1 if step == -1 else m.end
            seps = 0
            while span.start <= i < span.end and doc[i].lower_ in COORDINATORS:
                i, seps = i + step, seps + 1
            if not seps or not (span.start <= i < span.end) or not is_name_token(doc[i]):
                continue
            if step == 1:
                s, e = i, name_run(doc, i, span.end)
            else:
                s, e = i, i + 1
                while s > span.start and is_name_token(doc[s - 1]):
                    s -= 1
            if s == span.start and e - s == 1:
                continue  # a capitalised first word of the sentence proves nothing
            weak = next((t for t in taken if t.start == s and t.end == e), None)
            if weak is not None and m.type == "Person" and weak.rule.startswith("spacy:"):
                if (
                    weak.type != "Person" and 2 <= e - s <= 4
                ):  # "..., Pham Duc Anh and Vo Thanh Long"
                    weak.type, weak.rule, weak.kind, weak.weight = (
                        "Person",
                        "cue:coordinated",
                        "name",
                        1.5,
                    )
                continue
            if weak is not None and weak.kind == "place" and weak.rule.startswith("spacy:"):
                weak.type, weak.rule = m.type, "cue:coordinated"  # "Apple, Nvidia and AMD"
                weak.kind, weak.weight = "name", 0.8
                continue
            if any(t.overlaps(s, e) for t in [*taken, *out]):
                continue
            if e < span.end and doc[e].tag_ in ("VBD", "VBZ", "VBP", "MD"):
                continue
            if not_a_name(doc, s, e, gaz):
                continue  # "On Monday, Europol and ...": a date, not a fellow body
            if m.type == "Person" and not 2 <= e - s <= 4:
                continue  # people are listed by full names
            weight = 1.5 if m.type == "Person" else 0.8  # "A, B, C and D" among people
            out.append(make_mention(sent, s, e, m.type, "cue:coordinated", weight))
    return out


def _all_caps_word(text: str) -> bool:
    return len(text) >= 3 and text.isalpha() and text.isupper()
