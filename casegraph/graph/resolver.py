"""Entity resolution, once for every backend: a document's facts become plans of writes.

The resolver reads the store only through a `NameIndex` (batched look-ups of names, external ids,
entities, relations and documents), keeps what this load has decided so far in `Known`, and
yields `Plan`s that a backend writes. Since every look-up is answered from complete data, the same
input gives the same entity ids, relation ids, merges and counts on every backend.

The rules, in order, for an entity fact: its external id; an exact (type, key) match of its name
or one of its aliases; one entity of its type with the same match key (designators stripped);
one entity of its type whose match key is fuzzily equal among the first FUZZY_CANDIDATES names
of the nearby blocks; else a new entity. Two types are never merged by these rules.

Typing at the level of the case: a text loader's type is a guess. When a text document names an
entity the store already has under another type, the mention joins it (and a typed relation the
joined type cannot hold is kept as a MENTIONED_WITH link) if the two types are of one family
(firms, bodies, products and platforms; countries and places), or if the store's entity was typed
by a structured source or by hand and the guess was a lone word taken for a person or unsure.
Indicators are matched on their exact value only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from casegraph.errors import CasegraphError, ValidationError
from casegraph.graph.context import KEPT_APART, apart
from casegraph.graph.ids import base_id, dumps, evidence_key, numbered_id, relation_id, second_id
from casegraph.graph.keys import (
    FUZZY_MIN_LEN,
    blocks_near,
    match_key,
)
from casegraph.graph.known import Known, NameIndex, NameQuery, RidSet
from casegraph.graph.model import EntityFact, EntityRef, Fact, RelationFact, Source, check_endpoints
from casegraph.graph.model import normalize_name as _normalize
from casegraph.graph.plan import Ent, NameRec, NewEntity, Plan, RelPlan
from casegraph.graph.records import LoadSummary
from casegraph.graph.schema import WEAK, load_schema

Progress = Callable[[str, int], None]
DEFAULT_BATCH = 5000
_HEX16 = re.compile(r"[0-9a-f]{16}")
# How much `Known` may hold before it is dropped between batches (stores that see own writes);
# what a relation's ends need outlives it (`Known.lasting`), so a lower limit costs little time.
KNOWN_LIMIT = 120_000
# Documents whose entity types are a reader's guesses (extraction), not a source's statement.
TEXT_LOADERS = frozenset({"text", "html"})
# Types a text loader confuses with each other: a guess may join an entity of a sibling type.
FAMILIES = (
    frozenset({"Company", "Organization", "Product", "Platform"}),
    frozenset({"Country", "Location"}),
)
# A guess below this confidence may join an entity a source or a decision typed otherwise.
UNSURE = 0.75
# Types that structured sources give one actor under: a vendor is a Company in one list and an
# Organization (a threat actor) in another; an exact name joins them (never a Product: a firm's
# malware named after it stays the malware).
ACTORS = frozenset({"Company", "Organization"})
# Which typing wins when a name is known under several types.
TYPE_SOURCE_RANK = {"decision": 0, "source": 1, "text": 2}
# Types matched on exact keys only (no designator stripping, no fuzzy match): two indicators
# one character apart are two indicators.
EXACT_TYPES = frozenset({"Indicator"})

# normalize_name is pure and called several times per name while resolving: remember it. The
# calls for one name fall within one batch; caches of 1 << 16 held some 60 MB on a 1M load.
norm = lru_cache(maxsize=1 << 14)(_normalize)


@dataclass
class Resolver:
    """Turns sources into plans with the resolution rules; one per load."""

    index: NameIndex
    summary: LoadSummary
    progress: Progress | None = None
    batch_size: int = DEFAULT_BATCH
    known: Known = field(init=False)
    next_seq: int = field(init=False)

    def __post_init__(self) -> None:
        self.known = Known(self.index)
        self.schema = load_schema()
        self.new_entities: set[str] = set()
        self.new_relations = RidSet()
        self.planned_docs: set[str] = set()
        # Whether the index sees what this load has written: then `known` may be dropped once
        # it is all written, which keeps a large load's memory flat.
        self.may_forget = bool(getattr(self.index, "sees_own_writes", False))
        self.doc_id = ""
        self.text_doc = False  # the current document's types are a text loader's guesses
        self.next_seq = self.index.next_seq()
        self.decided = self.index.decided()  # names typed by hand win over any loader's type
        self.joined: set[str] = set()  # entities facts joined under another type
        self.rule = "new"  # why the last entity fact resolved as it did

    def plans(self, source: Source) -> Iterator[Plan]:
        """The writes of one source in batches (nothing when its document is already loaded)."""
        doc = source.document
        if doc.id in self.planned_docs or self.index.documents({doc.id}):
            self.summary.documents_unchanged += 1
            return
        self.planned_docs.add(doc.id)
        self.doc_id = doc.id
        self.text_doc = doc.loader in TEXT_LOADERS
        self.summary.documents_new += 1
        self.summary.documents.append(doc.title)
        props_json = dumps(dict(doc.properties))
        evidenced = RidSet()
        mentioned: set[str] = set()  # entities an earlier batch of this document mentions
        count = 0
        plan = Plan(doc, props_json)
        written = False
        for chunk, pull_error in _chunks(source.facts, self.batch_size):
            if written and self.may_forget and self.known.size() > KNOWN_LIMIT:
                self.known.forget()
            written = False
            self._prefetch(chunk)
            pending: list[tuple[RelationFact, str, str, str, bool]] = []
            for fact in chunk:
                try:
                    if isinstance(fact, EntityFact):
                        self._entity(fact, plan)
                    elif isinstance(fact, RelationFact):
                        ends = self._relation_ends(fact, plan)
                        if ends:
                            pending.append((fact, *ends))
                    else:
                        raise ValidationError(f"not a fact: {type(fact).__name__}")
                except ValidationError as e:
                    raise ValidationError(f"{doc.path}: {e}") from None
                count += 1
                if self.progress and count % 1000 == 0:
                    self.progress(doc.title, count)
            self._relations(pending, plan)
            if pull_error is not None:
                raise pull_error
            evidenced.update(plan.relations)
            plan.next_seq = self.next_seq
            if len(plan.relations) + len(plan.entities) >= self.batch_size:
                plan.last = False
                _once(plan, mentioned)
                yield plan  # written when this resumes
                written = True
                plan = Plan(doc, props_json, first=False)
        if self.progress:
            self.progress(doc.title, count)
        plan.next_seq = self.next_seq
        plan.relations_total = len(evidenced)
        _once(plan, mentioned)
        skipped = doc.properties.get("skipped") if doc.properties else None
        if isinstance(skipped, dict):
            for reason, n in skipped.items():
                self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + int(n)
        yield plan

    # ---------------------------------------------------------------- prefetch
    def _prefetch(self, facts: list[Fact]) -> None:
        """Read what these facts may look up, in batches: first exact names, external ids and
        entities; then, for names with no exact match, what a loose match or a new id needs."""
        pairs: set[tuple[str, str]] = set()
        keys: set[str] = set()
        xids: set[str] = set()
        ids: set[str] = set()
        named: set[tuple[str, str]] = set()  # (type, name) looked up: hubs recur

        def want(type_: str, name: str, aliases: Iterable[str], xid: str | None) -> None:
            if xid:
                xids.add(xid)
            for n in aliases:
                if k := norm(n):
                    pairs.add((type_, k))
            if (type_, name) not in named:
                named.add((type_, name))
                if key := norm(name):
                    pairs.add((type_, key))

        known = self.known
        for fact in facts:
            if isinstance(fact, EntityFact):
                want(fact.type, fact.name, fact.aliases, fact.xid)
                if self.text_doc:
                    keys.add(norm(fact.name))
                elif fact.type in ACTORS:
                    keys.update(k for n in (fact.name, *fact.aliases) if (k := norm(n)))
            elif isinstance(fact, RelationFact):
                for ref in (fact.source, fact.target):
                    if ref.xid:
                        xids.add(ref.xid)
                        ids.add(ref.xid)
                    if ref.name and ref.type:
                        if (
                            not ref.xid
                            and not self.text_doc
                            and known.entity_named(ref.type, norm(ref.name))
                        ):
                            continue  # seen by this load: `_ref` needs nothing more
                        want(ref.type, ref.name, (), ref.xid)
                        if self.text_doc:
                            keys.add(norm(ref.name))
                    elif ref.name:
                        keys.add(norm(ref.name))
        known.fetch(NameQuery(frozenset(pairs), frozenset(keys)), xids, ids)
        mkeys: set[tuple[str, str]] = set()
        blocks: set[tuple[str, str]] = set()
        new_ids: set[str] = set()
        for type_, name in named:
            key = norm(name)
            if (type_, key) in known.names:
                continue  # found as it is: no loose match, no new entity
            mkey = match_key(name, type_)
            mkeys.add((type_, mkey))
            if len(mkey) >= FUZZY_MIN_LEN:
                blocks.update((type_, b) for b in blocks_near(mkey))
            new_ids.add(base_id(type_, key))  # the next ids are read only if this one is taken
        if mkeys:
            known.fetch(NameQuery(mkeys=frozenset(mkeys)), set(), new_ids)
        if blocks:  # fuzzy candidates: their entities are read only if one matches
            known.fetch(NameQuery(blocks=frozenset(blocks)), set(), set(), owners=False)

    # ---------------------------------------------------------------- entities
    def _entity(self, fact: EntityFact, plan: Plan) -> str:
        self.rule = "new"
        entity_id = self._find(fact)
        if entity_id is None:
            entity_id = self._create(fact.type, fact.name, fact.properties, plan)
        else:
            self._enrich(entity_id, fact, plan)
        for alias in fact.aliases:
            self._add_name(entity_id, fact.type, alias, plan)
        if fact.xid and fact.xid not in self.known.xids:
            self.known.xids[fact.xid] = entity_id
            plan.xids.append((fact.xid, entity_id))
        typing = _typing(fact, self.rule if self.rule not in ("new", "name") else None)
        if typing or entity_id not in plan.mentions:
            plan.mentions[entity_id] = typing or plan.mentions.get(entity_id)
        return entity_id

    def _find(self, fact: EntityFact) -> str | None:
        known = self.known
        if fact.xid and fact.xid in known.xids:
            entity_id = known.xids[fact.xid]
            other = self._type(entity_id)
            if other != fact.type and not {other, fact.type} <= ACTORS:
                # one id, two things: refused (an actor joined under its other type excepted)
                where = f"{fact.locator}: " if fact.locator else ""
                raise ValidationError(
                    f"{where}id {fact.xid!r} already names a {other} ({entity_id}), "
                    f"not a {fact.type}; give each entity its own id"
                )
            self.rule = "external id"
            return entity_id
        for i, name in enumerate((fact.name, *fact.aliases)):
            rec = known.names.get((fact.type, norm(name)))
            if rec and not self._apart(rec.entity, fact):
                self.rule = "name" if i == 0 else f"its alias {name!r}"
                return rec.entity
        decided = self.decided.get(norm(fact.name))
        if decided is not None and self._exists(decided):
            self.joined.add(decided)
            self.rule = "the type an investigator gave it"
            return decided
        if self.text_doc:
            elsewhere = self._typed_elsewhere(fact)
            if elsewhere:
                self.rule = f"the same name, typed {self._type(elsewhere)} elsewhere"
                return elsewhere
        elif fact.type in ACTORS:
            found = self._actor_elsewhere(fact)
            if found:
                return found
        if fact.type in EXACT_TYPES:
            return None
        found = self._loose_match(fact.type, fact.name)
        return None if found is None or self._apart(found, fact) else found

    def _apart(self, entity_id: str, fact: EntityFact) -> bool:
        """Whether a product fact stays apart from a same-named product (casegraph.graph.context)."""
        if fact.type != "Product":
            return False
        ent = self.known.ent(entity_id)
        if ent is None or not apart(ent.props, fact.properties or {}, (fact.name, *fact.aliases)):
            return False
        self.summary.skipped[KEPT_APART] = self.summary.skipped.get(KEPT_APART, 0) + 1
        return True

    def _typed_elsewhere(self, fact: EntityFact) -> str | None:
        """The entity a text document's guess joins: the same name known under another type
        that may stand for the same thing (see the module's docstring), best typed first."""
        key = norm(fact.name)
        family = next((f for f in FAMILIES if fact.type in f), frozenset())
        confidence = fact.evidence.confidence if fact.evidence is not None else 1.0
        lone_person = fact.type == "Person" and " " not in key
        found: list[tuple[int, str]] = []
        for entity_id in self.known.ids_by_key(key):
            ent = self.known.ent(entity_id)
            if ent is None or ent.type == fact.type or ent.type in EXACT_TYPES:
                continue
            typed = ent.type_source != "text"
            if ent.type in family or (typed and (lone_person or confidence < UNSURE)):
                found.append((TYPE_SOURCE_RANK.get(ent.type_source, 1), entity_id))
        if not found:
            return None
        self.joined.add(min(found)[1])
        return min(found)[1]

    def _actor_elsewhere(self, fact: EntityFact) -> str | None:
        """The one entity of the other actor type (Company, Organization) that one of a
        structured fact's names names exactly; None when there is none, or more than one."""
        found: dict[str, str] = {}
        for name in (fact.name, *fact.aliases):
            for entity_id in self.known.ids_by_key(norm(name)):
                ent = self.known.ent(entity_id)
                if ent is not None and ent.type in ACTORS and ent.type != fact.type:
                    found.setdefault(entity_id, name)
        if len(found) != 1:
            return None
        ((entity_id, name),) = found.items()
        self.joined.add(entity_id)
        other = self._type(entity_id)
        self.rule = f"its name {name!r}, {'an' if other[0] in 'AEIOU' else 'a'} {other} elsewhere"
        return entity_id

    def _loose_match(self, type_: str, name: str) -> str | None:
        """One entity of this type whose match key equals (or fuzzily equals) the name's."""
        mkey = match_key(name, type_)
        if not mkey:  # a name of punctuation or symbols only ("?", "😀"): exact keys alone
            return None
        ids = self.known.ids_by_mkey(type_, mkey)
        if len(ids) == 1:
            self.rule = "the name without designators or punctuation"
            return ids.pop()
        if ids or len(mkey) < FUZZY_MIN_LEN:
            return None
        near = self.known.near(type_, mkey)
        if len(near) == 1:
            self.rule = "a fuzzy match of the name"
            return near.pop()
        return None

    def _exists(self, entity_id: str) -> bool:
        return self.known.ent(entity_id) is not None

    def _create(self, type_: str, name: str, properties: object, plan: Plan) -> str:
        key = norm(name)
        entity_id = base_id(type_, key)
        if self._exists(entity_id):
            entity_id = second_id(type_, key)
            n = 2
            while self._exists(entity_id):
                entity_id = numbered_id(type_, key, n)
                n += 1
        props: dict[str, object] = {}
        props_json = "{}"  # what dumps({}) gives
        if properties:
            props = json.loads(dumps(dict(properties)))  # type: ignore[call-overload]
            props_json = dumps(props)
        typed_by = "text" if self.text_doc else "source"
        self.known.add_ent(entity_id, Ent(type_, props, typed_by))
        plan.entities[entity_id] = NewEntity(
            entity_id, type_, name, key, props_json, self.next_seq, typed_by
        )
        self.next_seq += 1
        self._add_name(entity_id, type_, name, plan)
        self.new_entities.add(entity_id)
        self.summary.entities_new += 1
        return entity_id

    def _enrich(self, entity_id: str, fact: EntityFact, plan: Plan) -> None:
        if entity_id not in self.new_entities:
            self.summary.entities_merged += 1
        self._add_name(entity_id, fact.type, fact.name, plan)
        if fact.properties:
            ent = self.known.ent(entity_id)
            assert ent is not None
            added = {k: v for k, v in fact.properties.items() if k not in ent.props}
            if added:
                ent.props = json.loads(dumps({**ent.props, **added}))
                created = plan.entities.get(entity_id)
                if created is not None:
                    created.props = dumps(ent.props)
                else:
                    plan.dirty[entity_id] = dumps(ent.props)

    def _add_name(self, entity_id: str, type_: str, name: str, plan: Plan) -> None:
        key = norm(name)
        if key and (type_, key) not in self.known.names:
            rec = NameRec(type_, key, match_key(name, type_), entity_id, name)
            if self.known.add_name(rec):
                plan.names.append(rec)

    def _type(self, entity_id: str) -> str:
        type_ = self.known.type_of(entity_id)
        assert type_ is not None
        return type_

    # ---------------------------------------------------------------- relations
    def _ref(self, ref: EntityRef, rtype: str, side: str, locator: str | None, plan: Plan) -> str:
        if ref.xid:
            found = self.known.xids.get(ref.xid) or (ref.xid if self._exists(ref.xid) else None)
            if found:
                return found
            if not ref.name:
                raise ValidationError(f"{locator + ': ' if locator else ''}unknown id {ref.xid!r}")
        assert ref.name is not None
        if ref.type:
            # The common case, a typed name already known, decided as _entity would: an end has
            # no properties, so no context rule (`_apart`, graph/context.py) keeps it apart.
            if not ref.xid:
                named = self.known.entity_named(ref.type, norm(ref.name))
                if named is not None:
                    self.rule = "name"
                    if named not in self.new_entities:
                        self.summary.entities_merged += 1
                    if named not in plan.mentions:
                        plan.mentions[named] = None
                    return named
            return self._entity(EntityFact(ref.type, ref.name, xid=ref.xid), plan)
        ids = self.known.ids_by_key(norm(ref.name))
        if len(ids) > 1:
            spec = self.schema.relation_type(rtype)
            allowed = spec.source if side == "source" else spec.target
            ids = [i for i in ids if "*" in allowed or self._type(i) in allowed]
        if len(ids) == 1:
            plan.mentions.setdefault(ids[0], None)
            return ids[0]
        where = f"{locator}: " if locator else ""
        if not ids:
            raise ValidationError(
                f"{where}unknown {side} {ref.name!r}: declare it on an entity line or give {side}_type"
            )
        raise ValidationError(f"{where}{side} {ref.name!r} is ambiguous; give {side}_type")

    def _relation_ends(self, fact: RelationFact, plan: Plan) -> tuple[str, str, str, bool] | None:
        """(source id, target id, relation type, whether the ends were swapped) of a relation
        fact, or None for a self-relation. A text document's typed relation that the types its
        ends have in the store cannot hold is kept as a MENTIONED_WITH link."""
        source = self._ref(fact.source, fact.type, "source", fact.locator, plan)
        target = self._ref(fact.target, fact.type, "target", fact.locator, plan)
        if source == target:
            self.summary.skipped["self-relation"] = self.summary.skipped.get("self-relation", 0) + 1
            return None
        rtype = fact.type
        spec = self.schema.relation_type(rtype)
        loose = self.text_doc or source in self.joined or target in self.joined
        if loose and not spec.allows(self._type(source), self._type(target)):
            rtype = WEAK  # the ends are typed otherwise elsewhere in the case
            reason = "typed relation kept as MENTIONED_WITH: its ends are typed otherwise"
            self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + 1
        check_endpoints(rtype, self._type(source), self._type(target), fact.locator)
        for ev in fact.evidence:
            if ev.document_id != self.doc_id:
                raise ValidationError(
                    f"evidence cites document {ev.document_id[:12]}, not the one being loaded"
                )
        swapped = rtype == WEAK and target < source
        if swapped:
            source, target = target, source
        return source, target, rtype, swapped

    def _relations(
        self, pending: list[tuple[RelationFact, str, str, str, bool]], plan: Plan
    ) -> None:
        rids = [relation_id(s, rtype, t) for _, s, t, rtype, _ in pending]
        earlier = self.new_relations.contains(rids)  # created by this load, before this batch
        by_type: dict[str, set[str]] = {}
        for (_, _, _, rtype, _), rid, old in zip(pending, rids, earlier, strict=True):
            if not old:
                by_type.setdefault(rtype, set()).add(rid)
        self.known.fetch_relations(by_type)
        created_now: set[str] = set()
        for (fact, source, target, rtype, swapped), rid, old in zip(
            pending, rids, earlier, strict=True
        ):
            created = False
            if old or rid in created_now:
                pass
            elif rid in self.known.rels:
                self.summary.relations_merged += 1
            else:
                created_now.add(rid)
                self.summary.relations_new += 1
                created = True
            rel = plan.relations.get(rid)
            if rel is None:
                props = dumps(dict(fact.properties)) if fact.properties else "{}"
                rel = plan.relations[rid] = RelPlan(rid, rtype, source, target, props,
                                                    new=created)  # fmt: skip
            written = (_written(fact.source), _written(fact.target))
            if swapped:
                written = written[::-1]
            for ev in fact.evidence:
                key = evidence_key(ev)
                if key not in rel.evidence:
                    rel.evidence[key] = ev
                    rel.written[key] = written
        self.new_relations.update(created_now)


def _once(plan: Plan, mentioned: set[str]) -> None:
    """Leave out of a plan the mentions an earlier batch of its document wrote that it does not
    type anew (writing them again would change nothing: a mention keeps the typing it has when
    the new one is None); then remember the plan's."""
    if mentioned:
        plan.mentions = {
            e: typing
            for e, typing in plan.mentions.items()
            if typing is not None or e not in mentioned
        }
    mentioned.update(plan.mentions)


def _written(ref: EntityRef) -> str:
    """The key of the name a fact wrote a relation's end as (its external id when it gave none)."""
    return norm(ref.name) if ref.name else f"id:{ref.xid}"


def _typing(fact: EntityFact, joined: str | None) -> str | None:
    """How a document named and typed an entity, as its mention keeps it (JSON): the name and
    type it gave, the cue and how sure, the mention that decided, and why resolution joined the
    name to an entity of another name or type (`joined`); None when there is nothing to say."""
    ev = fact.evidence
    if ev is None and joined is None:
        return None
    out: dict[str, object] = {"type": fact.type, "name": fact.name}
    if ev is not None:
        out.update(cue=ev.extractor, confidence=ev.confidence, quote=ev.quote, start=ev.start,
                   end=ev.end)  # fmt: skip
    if joined is not None:
        out["joined"] = joined
    return dumps(out)


def _chunks(facts: Iterable[Fact], size: int) -> Iterator[tuple[list[Fact], CasegraphError | None]]:
    """Facts in lists of `size`; an error raised while reading comes with the facts read before it,
    so that those are checked first (as a one-by-one reader would)."""
    chunk: list[Fact] = []
    iterator = iter(facts)
    while True:
        try:
            fact = next(iterator)
        except StopIteration:
            break
        except CasegraphError as e:
            yield chunk, e
            return
        chunk.append(fact)
        if len(chunk) >= size:
            yield chunk, None
            chunk = []
    if chunk:
        yield chunk, None
