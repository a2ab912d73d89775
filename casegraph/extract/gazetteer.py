"""Domain knowledge read once from the JSON files in casegraph/extract/data."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any


def _data(name: str) -> dict[str, Any]:
    text = resources.files("casegraph.extract").joinpath("data", name).read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Place:
    """What a place word resolves to: the country it names and how it named it."""

    country: str
    kind: str  # "name", "demonym" or "capital"


@dataclass(frozen=True)
class Gazetteer:
    """Word lists and lookup tables the extractor consults; built once per process."""

    places: dict[str, Place]
    platforms: dict[str, str]
    outlets: dict[str, str]
    products: dict[str, str]
    org_cues: frozenset[str]
    titles: frozenset[str]
    title_modifiers: frozenset[str]
    media_titles: frozenset[str]
    company_suffixes: frozenset[str]
    introducers: tuple[tuple[str, ...], ...]
    plural_introducers: frozenset[str]
    weak_plural_introducers: frozenset[str]
    list_openers: tuple[tuple[str, ...], ...]
    anaphors: frozenset[str]
    org_anaphors: frozenset[str]
    collectives: frozenset[str]
    appositive_heads: frozenset[str]
    product_cues: frozenset[str]
    strong_product_cues: frozenset[str]
    product_introducers: tuple[tuple[str, ...], ...]
    product_anaphors: frozenset[str]
    maker_nouns: frozenset[str]
    victim_heads: frozenset[str]
    victim_phrases: frozenset[str]
    victim_relational: frozenset[str]
    victim_modifiers: frozenset[str]
    victim_targets: frozenset[str]  # classes that are victims only as what targeting acts on
    victim_targets_modified: frozenset[str]  # ... and only with a modifier before them
    targeting_cues: frozenset[str]
    lawsuit: dict[str, Any]
    triggers: dict[str, Any]
    markers: tuple[re.Pattern[str], ...]
    credits: tuple[re.Pattern[str], ...]
    navigation: tuple[re.Pattern[str], ...]
    link_lines: tuple[re.Pattern[str], ...]
    byline: re.Pattern[str]
    bio_cues: tuple[str, ...]
    org_introducers: tuple[tuple[str, ...], ...] = ()
    org_heads: frozenset[str] = field(default_factory=frozenset)
    role_plurals: frozenset[str] = field(default_factory=frozenset)
    platform_introducers: tuple[tuple[str, ...], ...] = ()
    date_words: frozenset[str] = field(default_factory=frozenset)
    currencies: frozenset[str] = field(default_factory=frozenset)
    currency_codes: frozenset[str] = field(default_factory=frozenset)
    tech_terms: frozenset[str] = field(default_factory=frozenset)
    common_nouns: frozenset[str] = field(default_factory=frozenset)
    country_names: frozenset[str] = field(default_factory=frozenset)
    trigger_sets: dict[str, frozenset[str]] = field(default_factory=dict)
    trigger_pairs: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    first_words: dict[str, int] = field(default_factory=dict)
    title_words: frozenset[str] = field(default_factory=frozenset)  # titles and modifiers

    def max_tokens(self, first: str) -> int:
        """How many tokens the longest known name starting with the word first may take (0:
        no known name starts with it), so lookups skip words that start none."""
        return self.first_words.get(first, 0) or self.first_words.get(first.lower(), 0)

    def place(self, text: str) -> Place | None:
        """The country a name, demonym or capital stands for, if it is one we know."""
        return self.places.get(_key(text))

    def trigger(self, key: str) -> frozenset[str]:
        """A list of trigger words from triggers.json as a set."""
        return self.trigger_sets[key]

    def pairs(self, key: str) -> tuple[tuple[str, ...], ...]:
        """A list of multi-word triggers from triggers.json as tuples, longest first."""
        return self.trigger_pairs[key]


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    return _SPACES.sub(" ", text.replace("’", "'")).strip()


_SPACES = re.compile(r"\s+")


def _words(items: list[str]) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted((tuple(i.lower().split()) for i in items), key=len, reverse=True))


def _first_words(keys: list[str]) -> dict[str, int]:
    """First word of each name -> the most tokens a name starting with it may take (words
    plus the punctuation spaCy splits off: 'Washington, D.C.', "Côte d'Ivoire")."""
    out: dict[str, int] = {}
    for key in keys:
        words = key.replace(",", " , ").replace("'", " ' ").replace("-", " - ").split()
        first = key.split()[0].rstrip(",")
        out[first] = max(out.get(first, 0), len(words))
    return out


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer, parsed once per process."""
    places: dict[str, Place] = {}
    countries = _data("countries.json")["countries"]
    for entry in countries:
        name = entry["name"]
        for capital in entry.get("capitals", []):
            places[_key(capital)] = Place(name, "capital")
        for demonym in entry.get("demonyms", []):
            places[_key(demonym)] = Place(name, "demonym")
        for alias in [name, *entry.get("aliases", [])]:
            places[_key(alias)] = Place(name, "name")
    platforms: dict[str, str] = {}
    plat = _data("platforms.json")
    for entry in plat["platforms"]:
        for alias in [entry["name"], *entry.get("aliases", [])]:
            platforms[_key(alias)] = entry["name"]
    orgs = _data("organizations.json")
    outlets = {_key(o): o for o in orgs["outlets"] + orgs["bodies"]}
    for canonical, names in orgs["body_aliases"].items():
        for name in [canonical, *names]:
            outlets[_key(name)] = canonical
    for key, o in list(outlets.items()):  # "INTERPOL", "EUROPOL": bodies written in capitals
        if " " not in key and not key.isupper() and o not in orgs["outlets"]:
            outlets.setdefault(key.upper(), o)
    values = _data("values.json")
    prod = _data("products.json")
    products = {
        **{_key(n).lower(): n for n in prod.get("known", []) if " " in n or len(n) > 4},
        **{_key(n): n for n in prod.get("known", [])},
    }
    comp = _data("companies.json")
    vic = _data("victims.json")
    boiler = _data("boilerplate.json")
    triggers = _data("triggers.json")
    lists = {k: v for k, v in triggers.items() if isinstance(v, list)}
    sets = {k: frozenset(v) for k, v in lists.items() if all(isinstance(x, str) for x in v)}
    pairs = {
        k: tuple(sorted((tuple(x) for x in v), key=len, reverse=True))
        for k, v in lists.items()
        if all(isinstance(x, list) for x in v)
    }
    return Gazetteer(
        places=places,
        platforms=platforms,
        outlets=outlets,
        products=products,
        org_cues=frozenset(orgs["cue_words"]),
        titles=frozenset(t.lower() for t in orgs["title_nouns"]),
        title_modifiers=frozenset(orgs["title_modifiers"]),
        media_titles=frozenset(orgs["media_titles"]),
        company_suffixes=frozenset(comp["suffixes"]),
        introducers=_words(comp["introducers"]),
        plural_introducers=frozenset(comp["plural_introducers"]),
        weak_plural_introducers=frozenset(comp["weak_plural_introducers"]),
        list_openers=_words(comp["list_openers"]),
        anaphors=frozenset(comp["anaphors"]),
        org_anaphors=frozenset(comp["org_anaphors"]),
        collectives=frozenset(comp["collectives"]),
        appositive_heads=frozenset(comp["appositive_heads"]),
        product_cues=frozenset(prod["cues"]),
        strong_product_cues=frozenset(prod["strong_cues"]),
        product_introducers=_words(prod["introducers"]),
        product_anaphors=frozenset(prod["anaphors"]),
        maker_nouns=frozenset(prod["maker_nouns"]),
        victim_heads=frozenset(vic["heads"]),
        victim_phrases=frozenset(vic["phrases"]),
        victim_relational=frozenset(vic["relational_heads"]),
        victim_modifiers=frozenset(vic["modifiers"]),
        victim_targets=frozenset(vic["target_heads"]),
        victim_targets_modified=frozenset(vic["target_heads_need_modifier"]),
        targeting_cues=frozenset(vic["targeting_cues"]),
        lawsuit=_data("lawsuits.json"),
        triggers=triggers,
        markers=tuple(re.compile(p) for p in boiler["markers"]),
        credits=tuple(re.compile(p) for p in boiler["credits"]),
        navigation=tuple(re.compile(p) for p in boiler["navigation"]),
        link_lines=tuple(re.compile(p) for p in boiler.get("link_lines", [])),
        byline=re.compile(boiler["byline"]),
        bio_cues=tuple(boiler["bio_cues"]),
        org_introducers=_words(orgs["introducers"]),
        org_heads=frozenset(orgs["heads"]),
        role_plurals=frozenset(orgs["role_plurals"]),
        platform_introducers=_words(plat["introducers"]),
        date_words=frozenset(values["date_words"]),
        currencies=frozenset(values["currencies"]),
        currency_codes=frozenset(values["currency_codes"]),
        tech_terms=frozenset(values["tech_terms"]),
        common_nouns=frozenset(
            w.lower()
            for w in [
                *prod["cues"],
                *vic["heads"],
                *comp["introducers"],
                *comp["plural_introducers"],
                *comp["anaphors"],
                *orgs["heads"],
                *values["common_nouns"],
            ]
            if " " not in w
        ),
        country_names=frozenset(e["name"] for e in countries),
        trigger_sets=sets,
        trigger_pairs=pairs,
        first_words=_first_words([*places, *platforms, *outlets, *products]),
        title_words=frozenset(t.lower() for t in orgs["title_nouns"])
        | frozenset(orgs["title_modifiers"]),
    )


KIND_RULES = {
    "threat-actor": "gazetteer:threat-actors",
    "vendor": "gazetteer:vendors",
    "malware": "gazetteer:malware",
    "tool": "gazetteer:tools",
}


@dataclass(frozen=True)
class RefEntry:
    """One entry of the reference gazetteer: its canonical name, kind and entity type."""

    id: int
    name: str
    kind: str  # threat-actor, vendor, malware or tool
    type: str  # the ontology type the kind stands for

    @property
    def rule(self) -> str:
        """How typing evidence cites the list: 'gazetteer:threat-actors', ..."""
        return KIND_RULES.get(self.kind, f"gazetteer:{self.kind}")


@dataclass(frozen=True)
class Reference:
    """Names of threat actors, vendors, malware and tools from open data (reference.json)."""

    by_name: dict[str, tuple[RefEntry, ...]]
    origin: tuple[dict[str, Any], ...]
    first_words: dict[str, int] = field(default_factory=dict)

    def lookup(self, name: str) -> tuple[RefEntry, ...]:
        """The entries a name (any case) is the name or an alias of."""
        return self.by_name.get(ref_key(name), ())

    def max_tokens(self, first: str) -> int:
        """How many tokens the longest name starting with the word first may take, or 0."""
        return self.first_words.get(first.casefold(), 0)


def ref_key(name: str) -> str:
    return _key(name).casefold()


@lru_cache(maxsize=1)
def load_reference() -> Reference:
    """The reference gazetteer, parsed once per process on first use."""
    data = _data("reference.json")
    kinds: dict[str, str] = data["kinds"]
    gaz = load_gazetteer()
    ours = {ref_key(n) for n in [*gaz.platforms, *gaz.outlets, *gaz.products, *gaz.places]}
    by_name: dict[str, list[RefEntry]] = {}
    for i, (name, kind, aliases) in enumerate(data["entries"]):
        entry = RefEntry(i, name, kind, kinds[kind])
        for alias in [name, *aliases]:
            key = ref_key(alias)
            if key not in ours:  # our own lists (countries, platforms, outlets) come first
                by_name.setdefault(key, []).append(entry)
    return Reference(
        {k: tuple(v) for k, v in by_name.items()},
        tuple(data["origin"]),
        _first_words(list(by_name)),
    )
