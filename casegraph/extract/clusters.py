"""Grouping a document's mentions into entities: by name, short forms, acronyms and aliases."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from casegraph.extract.aka import AliasClaim
from casegraph.extract.aliases import alias_pairs, surname_of
from casegraph.extract.gazetteer import RefEntry, Reference, load_gazetteer
from casegraph.extract.spans import Entity, Mention, Sent, Typing
from casegraph.graph.model import normalize_name

if TYPE_CHECKING:
    from spacy.tokens import Span

# When votes tie, the more specific reading wins.
TYPE_ORDER = (
    "Indicator",
    "VictimGroup",
    "Country",
    "Platform",
    "Product",
    "Company",
    "Organization",
    "Person",
    "Location",
)
NO_SHORT_FORM = frozenset({"Country", "Platform", "VictimGroup", "Location", "Indicator"})


def mention_key(m: Mention) -> str:
    """What makes two mentions the same entity before short forms are merged."""
    if m.type == "Country" and m.kind in ("name", "demonym", "capital"):
        return f"country:{m.name}"
    if m.type == "VictimGroup":
        return f"victim:{normalize_name(m.name)}"
    return normalize_name(m.name)


HEADLINE_WEIGHT = 0.25


def confirmed_in_body(mentions: list[Mention], sents: list[Sent]) -> list[Mention]:
    """The mentions, less those of Title Case headlines that the body never names: there spaCy
    reads fragments such as 'Weaponizes iPhone' as names. A headline mention that is kept votes
    on the entity's type with a small weight; known names (gazetteer hits) keep theirs.
    Headlines in sentence case ('Leaked data points to Pegasus spyware') read like the body."""
    body = {mention_key(m) for m in mentions if not sents[m.sent].headline}
    titles = {s.index for s in sents if s.title_case}
    out: list[Mention] = []
    for m in mentions:
        if m.sent in titles and not m.rule.startswith("gazetteer:"):
            if mention_key(m) not in body:
                continue
            m.weight *= HEADLINE_WEIGHT
        out.append(m)
    return out


SMALL_WORDS = frozenset(
    {"a", "an", "the", "and", "or", "of", "in", "on", "at", "to", "for", "by", "with", "as", "vs"}
)


def title_case(span: Span) -> bool:
    """Whether most words of a line are capitalised: 'QuaDream, 2nd Israeli Spyware Firm'."""
    words = [t.text for t in span if t.is_alpha and t.lower_ not in SMALL_WORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def cluster(
    mentions: list[Mention],
    sents: list[Sent],
    ref: Reference | None = None,
    claims: list[AliasClaim] | None = None,
) -> list[Entity]:
    """The entities of a document; sets each mention's `entity` to its entity's id.

    A name's type is decided from all its mentions at once (see decide_type); names the text
    declares to be one (acronyms, 'known as', 'aka'), short forms of a longer name and names
    the reference gazetteer lists as aliases of each other are joined into one entity.
    """
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        groups[mention_key(m)].append(m)
    keys = list(groups)
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    refs = {k: _reference(groups[k], ref) for k in keys}
    votes = {k: decide_type(groups[k], refs[k]).type for k in keys}
    people = [k for k in keys if votes[k] == "Person"]
    for k in keys:
        if any(m.rule.startswith("gazetteer:") and m.kind != "victim" for m in groups[k]):
            continue  # a known name stands for itself: "Windows" is not "Windows Defender"
        target = _short_form_target(k, keys, votes, groups)
        if target is None and votes[k] in ("Location", "Company") and _guessed(groups[k]):
            target = surname_of(k, people)  # "after Khashoggi was killed", read as a place
            if target is not None:
                for m in groups[k]:
                    m.type, m.kind = "Person", "name"
        if target is not None:
            parent[find(k)] = find(target)
    for a, b in alias_pairs(mentions, sents):
        parent[find(mention_key(b))] = find(mention_key(a))
        for m in groups[mention_key(b)]:
            if m.rule.startswith("spacy:"):
                m.type = a.type  # "(BIS)" after "Bureau of Industry and Security"
    kept: list[AliasClaim] = []
    for claim in claims or ():  # "X, also known as Y"
        named, alias = mention_key(claim.anchor), mention_key(claim.alias)
        if _compatible(votes[named], votes[alias], groups[alias]):
            parent[find(alias)] = find(named)
            kept.append(claim)
    by_entry: dict[int, str] = {}
    for k in keys:  # "Nickel" and "APT15": one group in the reference list
        for entry in refs[k]:
            if entry.type != votes[k]:
                continue
            other = by_entry.setdefault(entry.id, k)
            if other != k and votes[other] == votes[k]:
                parent[find(k)] = find(other)
    merged: dict[str, list[Mention]] = defaultdict(list)
    for k in keys:
        merged[find(k)].extend(groups[k])
    entities: list[Entity] = []
    for members in merged.values():
        members.sort(key=lambda m: (m.sent, m.start))
        entries = tuple(dict.fromkeys(e for m in members for e in _reference([m], ref)))
        typing = _single_name(decide_type(members, entries), members, people)
        ent = Entity(len(entities), typing.type, "")
        ent.typing = typing
        ent.name, ent.aliases = _names(members, ent.type)
        ent.mentions = members
        ent.stories = {sents[m.sent].story for m in members}
        for m in members:
            m.entity = ent.id
        entities.append(ent)
    for claim in sorted(kept, key=lambda c: (c.anchor.sent, c.anchor.start), reverse=True):
        ent = entities[claim.anchor.entity]  # the name first given others is the entity's name
        if ent.type != "Person" and claim.anchor.name != ent.name:
            ent.aliases = _unique([ent.name, *ent.aliases], claim.anchor.name)
            ent.name = claim.anchor.name
    for claim in kept:
        ent = entities[claim.anchor.entity]
        names = ent.alias_claims.setdefault(claim.sent, [])
        if claim.alias.name not in names and claim.alias.name != ent.name:
            names.append(claim.alias.name)
    return entities


def _compatible(anchor: str, alias: str, members: list[Mention]) -> bool:
    """Whether a name of type alias may be another name of one of type anchor."""
    if anchor == alias or {anchor, alias} <= {"Company", "Organization"}:
        return True
    return all(m.rule.startswith((*GUESSES, "rule:aka")) for m in members)


def _guessed(members: list[Mention]) -> bool:
    """Mentions typed by spaCy's guess alone, none by a gazetteer or a cue."""
    return all(m.rule.startswith(GUESSES) for m in members)


GUESSES = ("spacy:", "propagate")
# Votes: cues and gazetteers count per mention; spaCy's guesses, however many, count at most
# NER_CAP per type; the reference list adds REF_WEIGHT for each type it gives the name (a vendor
# listed as a threat actor too is a Company first). One clear cue outweighs the list, the list
# outweighs any number of guesses.
NER_CAP = 2.0
REF_WEIGHT = {"Company": 2.5, "Organization": 2.2, "Product": 2.5}
CONFIDENCE = {"cue": 0.9, "gazetteer": 0.9, "reference": 0.85, "ner": 0.75}


def decide_type(members: list[Mention], entries: tuple[RefEntry, ...] = ()) -> Typing:
    """The type of an entity from all its mentions and reference entries (see REF_WEIGHT)."""
    score: dict[str, float] = defaultdict(float)
    guessed: dict[str, float] = defaultdict(float)
    for m in members:
        (guessed if m.rule.startswith(GUESSES) else score)[m.type] += m.weight
    for t, w in guessed.items():
        score[t] += min(w, NER_CAP)
    listed = {e.type: e for e in entries}
    for t in listed:
        score[t] += REF_WEIGHT.get(t, 2.0)
    best = max(score.values())
    winner = next(t for t in TYPE_ORDER if score.get(t) == best)
    share = best / sum(score.values())
    cues = [m for m in members if m.type == winner and not m.rule.startswith(GUESSES)]
    if cues:
        m = max(cues, key=lambda x: x.weight)
        source = "gazetteer" if m.rule.startswith("gazetteer:") else "cue"
        return Typing(winner, m, m.rule, round(CONFIDENCE[source] * share, 3))
    if winner in listed:
        named = [m for m in members if m.kind == "name"] or members
        return Typing(
            winner, named[0], listed[winner].rule, round(CONFIDENCE["reference"] * share, 3)
        )
    m = next((x for x in members if x.type == winner), members[0])
    extractor = (
        "ner:" + m.rule.split(":", 1)[1] if m.rule.startswith("spacy:") else "ner:propagated"
    )
    return Typing(winner, m, extractor, round(CONFIDENCE["ner"] * share, 3))


def _single_name(typing: Typing, members: list[Mention], people: list[str]) -> Typing:
    """A one-word name that spaCy alone calls a person, with no full name in the document it
    could be part of ('Kaseya's platform'), is taken for a firm: in news writing people are
    named in full first."""
    if typing.type != "Person" or not typing.extractor.startswith("ner:"):
        return typing
    words = {w for m in members for w in m.name.lower().split()}
    if any(len(m.name.split()) > 1 for m in members) or any(
        w in p.split() for p in people if len(p.split()) > 1 for w in words
    ):
        return typing
    return Typing("Company", typing.mention, "ner:single-name", round(typing.confidence / 2, 3))


def _reference(members: list[Mention], ref: Reference | None) -> tuple[RefEntry, ...]:
    """Reference entries for the names of some mentions (people and places are not looked up)."""
    if ref is None:
        return ()
    found: list[RefEntry] = []
    for m in members:
        if m.kind == "name" and m.type not in ("Person", "Country", "Location", "VictimGroup"):
            found.extend(ref.lookup(m.name))
        elif m.kind in ("name", "place") and m.rule.startswith(GUESSES):
            found.extend(ref.lookup(m.name))  # spaCy's PERSON for "Nickel" is only a guess
    return tuple(dict.fromkeys(found))


def _words(key: str) -> list[str]:
    return key.split(":", 1)[-1].split()


def _short_form_target(
    key: str, keys: list[str], votes: dict[str, str], groups: dict[str, list[Mention]]
) -> str | None:
    """The longer name a one-word name stands for: 'Gleicher', 'Bluehawk', 'activists'."""
    words = _words(key)
    if len(words) != 1:
        return None
    word, vtype = words[0], votes[key]
    if vtype == "VictimGroup":
        found = [
            k
            for k in keys
            if k != key
            and votes[k] == "VictimGroup"
            and len(_words(k)) > 1
            and _words(k)[-1] == word
        ]
        return found[0] if len(found) == 1 else None
    if vtype in NO_SHORT_FORM:
        return None
    if 2 <= len(word) <= 6:  # keys are case-folded: "tsmc"
        acronym = [
            k
            for k in keys
            if k != key and votes[k] in ("Company", "Organization") and _initials(k) == word
        ]
        if len(acronym) == 1:
            return acronym[0]  # "TSMC" for "Taiwan Semiconductor Manufacturing Company"
    compatible = {"Person", "Company", "Organization"} if vtype != "Product" else {"Product"}
    longer = [k for k in keys if k != key and len(_words(k)) > 1 and votes[k] in compatible]
    people = [k for k in longer if votes[k] == "Person" and _words(k)[-1] == word]
    if not people and vtype == "Person":
        people = [k for k in longer if votes[k] == "Person" and _words(k)[0] == word]
    bodies = [
        k
        for k in longer
        if votes[k] != "Person"
        and _words(k)[0] == word
        and (_designated(groups[k]) or _introduced_first(groups[k], groups[key]))
    ]
    order = (people, bodies) if vtype == "Person" else (bodies, people)
    for found in order:
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


def _designated(members: list[Mention]) -> bool:
    """Whether a name is a one-word name plus designators or an acronym ('NSO Group',
    'Bluehawk CI', 'Saito Tech Ltd.'), so that the first word alone is a short form of it; a
    unit or product of a firm ('Microsoft Word', 'Microsoft Threat Intelligence Center') is not."""
    gaz = load_gazetteer()
    suffixes = {w.lower().rstrip(".") for w in gaz.company_suffixes}
    for m in members:
        words = m.name.split()[1:]
        if words and all(
            w.lower().rstrip(".") in suffixes or (w.isupper() and len(w) <= 5) for w in words
        ):
            return True
    return False


UNIT_WORDS = frozenset(
    {"unit", "center", "centre", "team", "division", "department", "office", "lab", "group"}
)


def _introduced_first(longer: list[Mention], short: list[Mention]) -> bool:
    """Whether a longer name comes before its first word is used alone, as a full name does
    before its short form ('Amnesty International' ... 'Amnesty'), and is not the name of a
    unit or a product of the short one ('Microsoft Threat Intelligence Center')."""
    first_long = min((m.sent, m.start) for m in longer)
    first_short = min((m.sent, m.start) for m in short)
    last = longer[0].name.split()[-1].lower()
    return (
        first_long < first_short
        and last not in UNIT_WORDS
        and not any(m.type == "Product" for m in longer)
    )


def _initials(key: str) -> str:
    words = [w for w in _words(key) if w not in ("and", "of", "the", "&", "for")]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _names(members: list[Mention], type_: str) -> tuple[str, list[str]]:
    """The display name of an entity and the other names it goes by in the document."""
    if type_ == "Country":
        countries = Counter(m.name for m in members if m.kind in ("name", "demonym", "capital"))
        name = countries.most_common(1)[0][0] if countries else members[0].name
        aliases = [m.name for m in members if m.kind == "name" and m.name != name]
        aliases += [m.text for m in members if m.kind == "capital"]
        return name, _unique(aliases, name)
    candidates = [m for m in members if m.type == type_] or members
    known = [m for m in candidates if m.rule.startswith("gazetteer:")]
    counts = Counter(m.name for m in known or candidates)
    name = max(counts, key=lambda n: (len(n.split()), counts[n], -_first(candidates, n)))
    written = [x for m in members if m.kind != "demonym" for x in (m.name, m.text)]
    return name, _unique(written, name)


def _first(members: list[Mention], name: str) -> int:
    return next(i for i, m in enumerate(members) if m.name == name)


def _unique(names: list[str], name: str) -> list[str]:
    seen = {normalize_name(name)}
    out = []
    for n in names:
        key = normalize_name(n)
        if key and key not in seen:
            seen.add(key)
            out.append(n)
    return out
