"""Relation rules inside noun phrases: demonyms, possessives, titles, lists and appositives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casegraph.extract.context import (
    Ctx,
    children,
    conjuncts,
    coordinated,
    lemma,
    np_entities,
    prep_objects,
)
from casegraph.extract.cues import list_items
from casegraph.extract.spans import Mention
from casegraph.extract.tokens import POSSESSIVE

if TYPE_CHECKING:
    from spacy.tokens import Token

ACTORS = frozenset({"Company", "Organization"})
PLACES = frozenset({"Country", "Location"})
MAX_MODIFIERS = 5


def _country_mention(ctx: Ctx, i: int) -> Mention | None:
    m = ctx.res.mention(ctx.sent, ctx.sent.doc[i])
    if m is not None and ctx.etype(m.entity) in PLACES:
        return m
    return None


def _is_modifier(tok: Token) -> bool:
    """Lower-case words that may sit between a demonym and a name ('spyware', 'firm', '-',
    'based'); never a verb with its own objects ('Israeli spyware targeting Apple devices')."""
    if tok.text in {"-", "–"}:
        return True
    if not (tok.text[:1].islower() and tok.is_alpha):
        return False
    if tok.pos_ == "VERB":
        return tok.dep_ in ("amod", "compound") and not any(
            c.dep_ in ("dobj", "prep", "xcomp") for c in tok.children
        )
    return tok.pos_ in ("NOUN", "ADJ", "PROPN")


def _determiner(tok: Token) -> bool:
    """'a', 'an', 'the', or an ordinal such as '2nd' opening an apposition."""
    return tok.lower_ in ("a", "an", "the") or (
        any(c.isdigit() for c in tok.text) and tok.text[-2:].lower() in ("st", "nd", "rd", "th")
    )


def _joined_places(ctx: Ctx, i: int) -> list[Mention]:
    """Places joined by hyphens from token i: 'UK-German' -> United Kingdom, Germany."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    out: list[Mention] = []
    while i < hi:
        place = _country_mention(ctx, i)
        if place is None or place.start != i:
            break
        out.append(place)
        if place.end + 1 < hi and doc[place.end].text in ("-", "–", "/"):
            i = place.end + 1
            continue
        break
    return out


def demonym_modifier(ctx: Ctx) -> None:
    """'the Israeli firm NSO Group', 'Israel-based NSO', 'Cytrox, a North Macedonian company'."""
    doc = ctx.sent.doc
    lo = ctx.sent.span.start
    for m in ctx.mentions:
        if ctx.etype(m.entity) not in ACTORS:
            continue
        j, steps, based = m.start - 1, 0, False
        while j >= lo and steps <= MAX_MODIFIERS and _is_modifier(doc[j]):
            based = based or doc[j].lower_ == "based"
            j, steps = j - 1, steps + 1
        place = _country_mention(ctx, j) if j >= lo else None
        if place is not None and (place.kind == "demonym" or based):
            ctx.add(m.entity, "BASED_IN", place.entity, "appositive-demonym", 0.9)
            if any(doc[i].tag_ == "NNS" for i in range(j + 1, m.start)):
                # "South Korean firms S2W and KFSI": the plural noun covers the whole list
                for other in coordinated(ctx, m):
                    if other != place.entity and ctx.etype(other) in ACTORS:
                        ctx.add(other, "BASED_IN", place.entity, "appositive-demonym", 0.8)
            continue
        # after the name: ", a North Macedonian company", ", a UK-German company",
        # ", 2nd Israeli Spyware Firm" (a headline)
        k = m.end
        hi = ctx.sent.span.end
        if k + 2 < hi and doc[k].text == "," and _determiner(doc[k + 1]):
            places = _joined_places(ctx, k + 2)
            end = places[-1].end if places else -1
            if (
                places
                and places[-1].kind == "demonym"
                and end < hi
                and (_is_modifier(doc[end]) or (ctx.sent.headline and doc[end].is_alpha))
            ):
                for place in places:
                    ctx.add(m.entity, "BASED_IN", place.entity, "appositive-demonym", 0.8)


def demonym_of_noun(ctx: Ctx) -> None:
    """'The Taiwanese chipmaker, known as TSMC', 'the Israeli company' (an anaphor) -> BASED_IN."""
    for tok in ctx.tokens:
        if tok.pos_ != "NOUN" or ctx.res.mention(ctx.sent, tok) is not None:
            continue
        for child in tok.children:
            if child.dep_ not in ("amod", "compound") or child.i >= tok.i:
                continue
            place = ctx.res.mention(ctx.sent, child)
            if place is None or place.kind != "demonym":
                continue
            owner = ctx.ent(tok)
            if owner is not None and ctx.etype(owner) in ACTORS:
                ctx.add(owner, "BASED_IN", place.entity, "appositive-demonym", 0.8)


def based_in_phrase(ctx: Ctx) -> None:
    """'X, based in Skopje', 'X is headquartered in Israel', 'an outfit operating out of China'."""
    based_words = ctx.gaz.trigger("based_words")
    out_of = ctx.gaz.trigger("out_of_verbs")
    for tok in ctx.tokens:
        low = lemma(tok)
        places: list[Token] = []
        if tok.lower_ in based_words:
            places = prep_objects(tok, "in", "at")
        elif low in out_of and tok.tag_.startswith("VB"):
            for out in children(tok, "prep", "prt"):
                if out.lower_ == "out":
                    places = prep_objects(out, "of")
            places = places or prep_objects(tok, "from")  # "Barium, operating from China"
        if not places:
            continue
        targets = [e for p in places for e in np_entities(ctx, p) if ctx.etype(e) in PLACES]
        if not targets:
            continue
        owners: list[int] = []
        for s in children(tok, "nsubj", "nsubjpass"):
            owners.extend(np_entities(ctx, s, deep=False))
        if not owners and tok.dep_ in ("acl", "amod", "relcl", "advcl"):
            owners = np_entities(ctx, tok.head, deep=False)
        for owner in owners:
            for place in targets:
                ctx.add(owner, "BASED_IN", place, "based-in", 0.85)


BASED_PARTICIPLES = frozenset(
    {"operating", "based", "headquartered", "located", "working", "run", "registered"}
)


def based_after(ctx: Ctx) -> None:
    """'Barium, operating from China, Strontium, operating from Russia': a participle phrase
    right after a name, read off the surface (spaCy often attaches it elsewhere)."""
    doc, hi = ctx.sent.doc, ctx.sent.span.end
    for m in ctx.mentions:
        if ctx.etype(m.entity) not in ACTORS:
            continue
        k = m.end + 1 if m.end < hi and doc[m.end].text == "," else m.end
        if k + 1 >= hi or doc[k].lower_ not in BASED_PARTICIPLES:
            continue
        k += 1
        if k + 1 < hi and doc[k].lower_ == "out" and doc[k + 1].lower_ == "of":
            k += 2
        elif k < hi and doc[k].lower_ in ("from", "in"):
            k += 1
        else:
            continue
        place = _country_mention(ctx, k)
        if place is not None and place.start == k:
            ctx.add(m.entity, "BASED_IN", place.entity, "based-after", 0.85)


def introducer_list(ctx: Ctx) -> None:
    """'four separate firms run out of Israel: A, B, C and D' -> each BASED_IN Israel."""
    doc, span, gaz = ctx.sent.doc, ctx.sent.span, ctx.gaz
    ents = list(doc.ents)
    for tok in ctx.tokens:
        if (
            tok.lower_ not in gaz.plural_introducers
            and tok.lower_ not in gaz.weak_plural_introducers
        ):
            continue
        items = list_items(doc, tok.i + 1, span.end, gaz, ents)
        if not items:
            continue
        places: set[int] = set()
        j = tok.i - 1
        while j >= span.start and (doc[j].pos_ in ("ADJ", "NUM") or doc[j].lower_ == "-"):
            j -= 1
        before = _country_mention(ctx, j) if j >= span.start else None
        if before is not None and before.kind == "demonym":
            places.add(before.entity)
        for k in range(tok.i + 1, items[0][0]):
            m = _country_mention(ctx, k)
            if m is not None and doc[m.start - 1].lower_ in ("of", "in", "from"):
                places.add(m.entity)
        members = {e for s, _ in items if (e := ctx.ent(doc[s])) is not None}
        for member in members:
            for place in places:
                ctx.add(member, "BASED_IN", place, "list-location", 0.85)


def possessive(ctx: Ctx) -> None:
    """'India's BellTroX', 'whose Pegasus spyware', 'its ForcedEntry exploit', "Meta's WhatsApp"."""
    doc, span = ctx.sent.doc, ctx.sent.span
    for tok in ctx.tokens:
        owner: int | None = None
        nxt = tok.i + 1
        if tok.text in POSSESSIVE and tok.i > span.start:
            owner = ctx.ent(doc[tok.i - 1])
        elif tok.tag_ in ("PRP$", "WP$"):
            owner = ctx.ent(tok)
        else:
            continue
        if owner is None:
            continue
        hyphens = 0  # "Apple's then-brand-new BlastDoor": a hyphenated modifier counts once
        while (
            nxt < span.end
            and nxt - tok.i - hyphens <= 3
            and doc[nxt].text[:1].islower()
            and (
                doc[nxt].pos_ in ("ADJ", "ADV", "NOUN")
                and ctx.res.mention(ctx.sent, doc[nxt]) is None
            )
        ):
            nxt += 1
            if (
                nxt + 1 < span.end
                and doc[nxt].text == "-"
                and not doc[nxt - 1].whitespace_
                and not doc[nxt].whitespace_
            ):
                nxt, hyphens = nxt + 1, hyphens + 2
        if nxt >= span.end:
            continue
        owned = ctx.res.mention(ctx.sent, doc[nxt])
        if owned is None or owned.start != nxt:
            continue
        last = doc[owned.end - 1]
        if (
            last.dep_ == "compound"
            and last.head.i > last.i
            and last.head.pos_ == "NOUN"
            and last.head.lower_ not in ctx.res.transparent
            and ctx.etype(owned.entity) != "Product"
        ):
            continue  # "its Appin story": the story is owned, not Appin
        _possessive_pair(ctx, owner, owned.entity)


NAMING_WORDS = frozenset({"called", "named", "dubbed", "codenamed", "branded"})


def possessive_named(ctx: Ctx) -> None:
    """ "QuaDream's flagship product – called REIGN", 'its spyware, dubbed X' -> DEVELOPED."""
    doc, span = ctx.sent.doc, ctx.sent.span
    cues = ctx.gaz.product_cues | {"product", "products"}
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Product":
            continue
        j = m.start - 1
        while j > span.start and doc[j].text in ("“", '"', "‘", "'"):
            j -= 1
        if j <= span.start or doc[j].lower_ not in NAMING_WORDS:
            continue
        j -= 1
        while j > span.start and doc[j].text in (",", "–", "—", "-", "("):
            j -= 1
        noun = doc[j]
        if noun.lower_ not in cues or noun.pos_ != "NOUN":
            continue
        for p in children(noun, "poss"):
            owner = ctx.ent(p)
            if owner is not None and ctx.etype(owner) in ACTORS:
                ctx.add(owner, "DEVELOPED", m.entity, "possessive-named", 0.75)


def _possessive_pair(ctx: Ctx, owner: int, owned: int) -> None:
    a, b = ctx.etype(owner), ctx.etype(owned)
    if a == "Country" and b in ACTORS:
        ctx.add(owned, "BASED_IN", owner, "possessive", 0.85)
    elif a in ACTORS and b == "Product":
        ctx.add(owner, "DEVELOPED", owned, "possessive", 0.75)
    elif a in ACTORS and b in ("Platform", "Company"):
        ctx.add(owner, "OWNS", owned, "possessive", 0.7)
    elif a in ACTORS and b == "Organization":  # "Amnesty International's Security Lab"
        ctx.add(owned, "PART_OF", owner, "possessive", 0.7)
    elif a in ACTORS and b == "Person":
        ctx.add(owned, "WORKS_FOR", owner, "possessive", 0.8)


def _title_org(ctx: Ctx, title: Token) -> int | None:
    """The employer named in a title phrase: "Meta's head of ...", 'director at Citizen Lab'."""
    for child in title.children:
        if child.dep_ in ("poss", "compound", "nmod"):
            e = ctx.ent(child)
            if e is not None and ctx.etype(e) in ACTORS | {"Platform"}:
                return e
    for obj in prep_objects(title, "of", "at", "for", "with", "in"):
        for e in np_entities(ctx, obj):
            if ctx.etype(e) in ACTORS:
                return e
    return None


def _is_title(ctx: Ctx, tok: Token) -> bool:
    """A job title noun, or a phrase headed by one ('secretary general', parsed on 'general')."""
    if tok.pos_ not in ("NOUN", "PROPN"):
        return False
    return tok.lower_ in ctx.gaz.titles or (
        tok.lower_ in ctx.gaz.title_modifiers
        and any(c.dep_ == "compound" and c.lower_ in ctx.gaz.titles for c in tok.children)
    )


def titles(ctx: Ctx) -> None:
    """'Nathaniel Gleicher, Meta's head of Security Policy; David Agranovich, director of ...'."""
    doc, span = ctx.sent.doc, ctx.sent.span
    items: list[tuple[int, int, int | None]] = []  # (person entity, first token, employer)
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Person":
            continue
        head = doc[m.end - 1]
        title_toks = [c for c in head.children if c.dep_ == "appos" and _is_title(ctx, c)]
        if head.dep_ == "appos" and _is_title(ctx, head.head):
            title_toks.append(head.head)
        if head.dep_ in ("nsubj",) and lemma(head.head) == "be":
            title_toks += [c for c in head.head.children if c.dep_ == "attr" and _is_title(ctx, c)]
        org = next((o for t in title_toks if (o := _title_org(ctx, t)) is not None), None)
        if org is not None:
            ctx.add(m.entity, "WORKS_FOR", org, "appositive-title", 0.85)
        elif (before := _title_before(ctx, m)) is not None:
            org = before
            ctx.add(m.entity, "WORKS_FOR", org, "title-before-name", 0.85)
        if title_toks or org is not None:
            items.append((m.entity, m.start, org))
    # A semicolon list of people with titles shares the employer named in its first item.
    for k in range(1, len(items)):
        person, start, org = items[k]
        _, prev_start, prev_org = items[k - 1]
        if (
            org is None
            and prev_org is not None
            and start < span.end
            and any(doc[j].text == ";" for j in range(prev_start, start))
        ):
            ctx.add(person, "WORKS_FOR", prev_org, "appositive-title-list", 0.7)
            items[k] = (person, start, prev_org)


def _title_before(ctx: Ctx, m: Mention) -> int | None:
    """ "Meta's head of Security Policy Nathaniel Gleicher", 'Facebook whistleblower X'."""
    doc, lo = ctx.sent.doc, ctx.sent.span.start
    j, titled = m.start - 1, False
    while j >= lo and m.start - j <= 7:
        tok = doc[j]
        if ctx.res.mention(ctx.sent, tok) is not None:
            break
        if _is_title(ctx, tok):
            titled = True
        elif not (
            tok.lower_ in ctx.gaz.title_modifiers
            or tok.lower_ == "of"
            or (tok.text[:1].isupper() and tok.pos_ == "PROPN")
            or tok.text in {"-"}
        ):
            break
        j -= 1
    if not titled or j < lo:
        return None
    if doc[j].text in POSSESSIVE and j > lo:
        j -= 1
    owner = ctx.res.mention(ctx.sent, doc[j])
    if owner is not None and ctx.etype(owner.entity) in ACTORS | {"Platform"}:
        return owner.entity
    return None


def part_of(ctx: Ctx) -> None:
    """'Cytrox, part of the Intellexa alliance', 'Project Raven, a team inside DarkMatter',
    'the Citizen Lab, a research group at the University of Toronto'."""
    parts = ctx.gaz.trigger("part_nouns") | {"team", "unit"}
    hosted = ctx.gaz.trigger("hosted_nouns")
    for tok in ctx.tokens:
        if tok.dep_ not in ("appos", "attr", "npadvmod", "conj"):
            continue
        preps: tuple[str, ...] = ("of", "inside", "within") if tok.lower_ in parts else ()
        if tok.lower_ in hosted:
            preps += ("at", "within", "inside")
        if not preps:
            continue
        wholes = [
            e
            for o in prep_objects(tok, *preps)
            for e in np_entities(ctx, o)
            if ctx.etype(e) in ACTORS
        ]
        if not wholes:
            continue
        owner = tok.head if tok.dep_ == "appos" else next(iter(children(tok.head, "nsubj")), None)
        if owner is None:
            continue
        for part in np_entities(ctx, owner):
            for whole in wholes:
                ctx.add(part, "PART_OF", whole, "appositive-part", 0.8)


def hosted_at(ctx: Ctx) -> None:
    """'the Citizen Lab at the University of Toronto': a lab or school at an institution."""
    doc = ctx.sent.doc
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Organization":
            continue
        head = doc[m.end - 1]
        for obj in prep_objects(head, "at"):
            for whole in np_entities(ctx, obj, deep=False):
                name = ctx.entities[whole].name.split()
                if ctx.etype(whole) == "Organization" and name[0] in INSTITUTIONS:
                    ctx.add(m.entity, "PART_OF", whole, "hosted-at", 0.75)


INSTITUTIONS = frozenset({"University", "College", "Institute", "School", "Academy"})


def parent_company(ctx: Ctx) -> None:
    """'NSO Group and its parent company, OSY Technologies' -> OSY Technologies OWNS NSO Group;
    'Y, the parent company of X' likewise."""
    for tok in ctx.tokens:
        if tok.lower_ != "parent" or tok.pos_ != "NOUN":
            continue
        noun = tok.head if tok.dep_ == "compound" else tok
        owned = [e for p in children(noun, "poss") if (e := ctx.ent(p)) is not None]
        owned += [e for o in prep_objects(noun, "of") for e in np_entities(ctx, o, deep=False)]
        owners = [e for a in children(noun, "appos") for e in np_entities(ctx, a, deep=False)]
        if noun.dep_ == "appos":
            owners += np_entities(ctx, noun.head, deep=False)
        for o in owners:
            for x in owned:
                if ctx.etype(o) in ACTORS and ctx.etype(x) in ACTORS | {"Platform", "Product"}:
                    ctx.add(o, "OWNS", x, "parent-company", 0.8)


def demonym_name(ctx: Ctx) -> None:
    """'the Israeli Ministry of Defense', 'Russian Federal Security Service': BASED_IN."""
    doc = ctx.sent.doc
    countries = {e.name: e.id for e in ctx.entities if e.type == "Country"}
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Organization" or m.end - m.start < 2:
            continue
        if m.rule.startswith("gazetteer:"):
            continue  # "U.S. Department of Justice": a known body's official name says nothing new
        place = ctx.gaz.place(doc[m.start].text)
        if place is not None and place.kind in ("demonym", "name") and place.country in countries:
            ctx.add(m.entity, "BASED_IN", countries[place.country], "demonym-in-name", 0.8)


def operated_on(ctx: Ctx) -> None:
    """'accounts on Facebook linked to Cytrox', 'Black Cube accounts on Instagram'."""
    networks = ctx.gaz.trigger("network_nouns")
    for tok in ctx.tokens:
        if tok.lower_ not in networks:
            continue
        platforms: list[int] = []
        actors: list[int] = []
        for child in tok.children:
            if child.dep_ in ("compound", "poss", "nmod", "amod"):
                for c in conjuncts(child):
                    e = ctx.ent(c)
                    if e is not None:
                        (platforms if ctx.etype(e) == "Platform" else actors).append(e)
        for node in tok.subtree:
            if node.lower_ in ("on", "across") and node.dep_ == "prep":
                for obj in children(node, "pobj"):
                    platforms += [e for e in np_entities(ctx, obj) if ctx.etype(e) == "Platform"]
        actors += linked_entities(ctx, tok)
        for actor in actors:
            if ctx.etype(actor) in ACTORS:
                for platform in platforms:
                    ctx.add(actor, "OPERATED_ON", platform, "accounts-on-platform", 0.7)


def linked_entities(ctx: Ctx, tok: Token) -> list[int]:
    """Who a network or account belongs to: 'accounts linked to X', 'networks run by X'."""
    found: list[int] = []
    cues = ctx.gaz.pairs("link_cues")
    for child in tok.children:
        if child.dep_ in ("acl", "relcl") and child.lower_ in {w[0] for w in cues}:
            for obj in prep_objects(child, "to", "by", "with"):
                found.extend(np_entities(ctx, obj))
    return found
