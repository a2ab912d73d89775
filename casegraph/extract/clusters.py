"""Grouping a document's mentions into entities: by name, short forms, acronyms and aliases."""

from __future__ import annotations

from collections import Counter, defaultdict

from casegraph.extract.aliases import alias_pairs, surname_of
from casegraph.extract.spans import Entity, Mention, Sent
from casegraph.graph.model import normalize_name

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
    """The mentions, less those of headlines that the body never names: in Title Case, spaCy
    reads fragments such as 'Weaponizes iPhone' as names. A headline mention that is kept votes
    on the entity's type with a small weight; known names (gazetteer hits) keep theirs."""
    body = {mention_key(m) for m in mentions if not sents[m.sent].headline}
    out: list[Mention] = []
    for m in mentions:
        if sents[m.sent].headline and not m.rule.startswith("gazetteer:"):
            if mention_key(m) not in body:
                continue
            m.weight *= HEADLINE_WEIGHT
        out.append(m)
    return out


def cluster(mentions: list[Mention], sents: list[Sent]) -> list[Entity]:
    """The entities of a document; sets each mention's `entity` to its entity's id."""
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

    votes = {k: _vote(groups[k]) for k in keys}
    people = [k for k in keys if votes[k] == "Person"]
    for k in keys:
        if any(m.rule.startswith("gazetteer:") and m.kind != "victim" for m in groups[k]):
            continue  # a known name stands for itself: "Windows" is not "Windows Defender"
        target = _short_form_target(k, keys, votes)
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
    merged: dict[str, list[Mention]] = defaultdict(list)
    for k in keys:
        merged[find(k)].extend(groups[k])
    entities: list[Entity] = []
    for members in merged.values():
        members.sort(key=lambda m: (m.sent, m.start))
        ent = Entity(len(entities), _vote(members), "")
        ent.name, ent.aliases = _names(members, ent.type)
        ent.mentions = members
        ent.stories = {sents[m.sent].story for m in members}
        for m in members:
            m.entity = ent.id
        entities.append(ent)
    return entities


def _guessed(members: list[Mention]) -> bool:
    """Mentions typed by spaCy's guess alone, none by a gazetteer or a cue."""
    return all(m.rule.startswith(("spacy:", "propagate")) for m in members)


def _vote(members: list[Mention]) -> str:
    score: dict[str, float] = defaultdict(float)
    for m in members:
        score[m.type] += m.weight
    best = max(score.values())
    return next(t for t in TYPE_ORDER if score.get(t) == best)


def _words(key: str) -> list[str]:
    return key.split(":", 1)[-1].split()


def _short_form_target(key: str, keys: list[str], votes: dict[str, str]) -> str | None:
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
    bodies = [k for k in longer if votes[k] != "Person" and _words(k)[0] == word]
    order = (people, bodies) if vtype == "Person" else (bodies, people)
    for found in order:
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


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
    counts = Counter(m.name for m in candidates)
    name = max(counts, key=lambda n: (len(n.split()), counts[n], -_first(candidates, n)))
    return name, _unique([m.name for m in members if m.kind != "demonym"], name)


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
