"""Relation rules about places: 'Skopje, North Macedonia', 'the Toronto-based lab'."""

from __future__ import annotations

from casegraph.extract.context import Ctx
from casegraph.extract.spans import Mention

ACTORS = frozenset({"Company", "Organization"})
PLACES = frozenset({"Country", "Location"})
LIST_WORDS = frozenset({",", "and", "or", "&"})


def _place_at(ctx: Ctx, i: int) -> Mention | None:
    span = ctx.sent.span
    if not span.start <= i < span.end:
        return None
    m = ctx.res.mention(ctx.sent, ctx.sent.doc[i])
    if m is not None and ctx.etype(m.entity) in PLACES:
        return m
    return None


def city_region(ctx: Ctx) -> None:
    """'based in Skopje, North Macedonia', 'Redmond, Washington' -> the first LOCATED_IN the second.

    Lists of places ('Paris, London and Berlin') are left alone.
    """
    doc = ctx.sent.doc
    for m in ctx.mentions:
        if ctx.etype(m.entity) != "Location" or m.end >= ctx.sent.span.end:
            continue
        if doc[m.end].text != ",":
            continue
        region = _place_at(ctx, m.end + 1)
        if region is None or region.start != m.end + 1 or region.entity == m.entity:
            continue
        before = m.start - 1
        if (
            before >= ctx.sent.span.start
            and doc[before].lower_ in LIST_WORDS
            and _place_at(ctx, before - 1) is not None
        ):
            continue  # "..., Athens, Greece" inside a list
        after = region.end
        if after < ctx.sent.span.end and doc[after].lower_ in LIST_WORDS:
            nxt = after + 1
            if nxt < ctx.sent.span.end and doc[nxt].lower_ in LIST_WORDS:
                nxt += 1
            if _place_at(ctx, nxt) is not None:
                continue  # "Paris, London and Berlin"
        ctx.add(m.entity, "LOCATED_IN", region.entity, "city-region", 0.8)


def based_modifier(ctx: Ctx) -> None:
    """'the Toronto-based lab', 'a smaller Tel Aviv-based firm': the noun's referent BASED_IN."""
    doc = ctx.sent.doc
    lo = ctx.sent.span.start
    for tok in ctx.tokens:
        if tok.lower_ != "based" or tok.i - 2 < lo or doc[tok.i - 1].text not in ("-", "–"):
            continue
        place = _place_at(ctx, tok.i - 2)
        if place is None:
            continue
        places = [place.entity]
        if doc[place.start - 1].text == "," and (city := _place_at(ctx, place.start - 2)):
            places.insert(0, city.entity)  # "the Redmond, Washington-based company"
        noun = tok.head if tok.dep_ in ("amod", "acl", "compound") else None
        if noun is None or noun.i <= tok.i:
            continue
        owner = ctx.ent(noun)
        if owner is None or ctx.etype(owner) not in ACTORS:
            continue
        for p in places:
            ctx.add(owner, "BASED_IN", p, "based-modifier", 0.85)
