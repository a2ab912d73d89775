"""Loading into Neo4j, step one: resolve a document's facts client-side into a plan of writes.

The resolution rules are the embedded store's (`SqliteStore._Writer`), applied in the same order
against a `Mirror`: the part of the store's name, id and relation tables that a batch of facts
can touch (fetched with batched UNWIND look-ups before the batch is resolved) plus everything
this load has decided so far. Since every look-up the rules make is answered from complete data,
the same input gives the same entity ids, merges and counts on both backends.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import CasegraphError, ValidationError
from casegraph.graph import neo4j_cypher as cy
from casegraph.graph.model import (
    Document,
    EntityFact,
    EntityRef,
    Evidence,
    Fact,
    RelationFact,
    Source,
    check_endpoints,
)
from casegraph.graph.neo4j_client import Client
from casegraph.graph.neo4j_mirror import (
    Ent,
    Mirror,
    NameRec,
    _norm,
    base_id,
    dumps,
    evidence_key,
    next_seq,
    relation_id,
    second_id,
)
from casegraph.graph.records import LoadSummary
from casegraph.graph.resolve import (
    FUZZY_MIN_LEN,
    blocks_near,
    match_key,
)
from casegraph.graph.schema import WEAK, load_schema

Progress = Callable[[str, int], None]


@dataclass
class RelPlan:
    type: str
    source: str
    target: str
    props: str
    evidence: dict[str, Evidence] = field(default_factory=dict)
    new: bool = False  # created by this plan (written with CREATE rather than MERGE)


@dataclass
class DocPlan:
    """Everything one document writes: new entities, names, ids, mentions, relations, evidence."""

    document: Document
    properties_json: str = "{}"  # as the document's properties were when its loading began
    created: dict[str, tuple[str, str, int]] = field(default_factory=dict)  # id -> type, name, seq
    next_seq: int = 0  # the store's next entity creation number after this document
    dirty: set[str] = field(default_factory=set)  # existing entities whose properties grew
    names: dict[str, list[NameRec]] = field(default_factory=dict)
    xids: list[tuple[str, str]] = field(default_factory=list)
    mentions: dict[str, None] = field(default_factory=dict)
    relations: dict[str, RelPlan] = field(default_factory=dict)


class Planner:
    """Turns sources into DocPlans with the embedded store's resolution rules."""

    def __init__(
        self, client: Client, summary: LoadSummary, progress: Progress | None, batch_size: int
    ) -> None:
        self.m = Mirror(client)
        self.client = client
        self.summary = summary
        self.progress = progress
        self.batch_size = batch_size
        self.schema = load_schema()
        self.new_entities: set[str] = set()
        self.new_relations: set[str] = set()
        self.planned_docs: set[str] = set()
        self.next_seq = next_seq(client)

    def plan(self, source: Source) -> DocPlan | None:
        """The writes of one source, or None when its document is already loaded."""
        doc = source.document
        known = doc.id in self.planned_docs or bool(
            self.client.read(cy.KNOWN_DOCUMENTS, {"ids": [doc.id]})
        )
        if known:
            self.summary.documents_unchanged += 1
            return None
        self.planned_docs.add(doc.id)
        self.summary.documents_new += 1
        self.summary.documents.append(doc.title)
        # The embedded store keeps the document's properties as they are before its facts are
        # read (loaders may fill in counts while streaming): so do we.
        plan = DocPlan(doc, properties_json=dumps(dict(doc.properties)))
        count = 0
        for chunk, pull_error in _chunks(source.facts, self.batch_size):
            self._prefetch(chunk)
            pending: list[tuple[RelationFact, str, str]] = []
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
        if self.progress:
            self.progress(doc.title, count)
        plan.next_seq = self.next_seq
        skipped = doc.properties.get("skipped") if doc.properties else None
        if isinstance(skipped, dict):
            for reason, n in skipped.items():
                self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + int(n)
        return plan

    # ---------------------------------------------------------------- prefetch
    def _prefetch(self, facts: list[Fact]) -> None:
        tk: set[tuple[str, str]] = set()
        keys: set[str] = set()
        tm: set[tuple[str, str]] = set()
        blocks: set[tuple[str, str]] = set()
        xids: set[str] = set()
        ids: set[str] = set()
        named: set[tuple[str, str]] = set()  # (type, name) already asked for: hubs recur

        def want(type_: str, name: str, aliases: Iterable[str], xid: str | None) -> None:
            if xid:
                xids.add(xid)
            for n in aliases:
                if k := _norm(n):
                    tk.add((type_, k))
            if (type_, name) in named:
                return
            named.add((type_, name))
            key = _norm(name)
            if key:
                tk.add((type_, key))
            mkey = match_key(name, type_)
            tm.add((type_, mkey))
            if len(mkey) >= FUZZY_MIN_LEN:
                blocks.update((type_, b) for b in blocks_near(mkey))
            ids.update((base_id(type_, key), second_id(type_, key)))

        for fact in facts:
            if isinstance(fact, EntityFact):
                want(fact.type, fact.name, fact.aliases, fact.xid)
            elif isinstance(fact, RelationFact):
                for ref in (fact.source, fact.target):
                    if ref.xid:
                        xids.add(ref.xid)
                        ids.add(ref.xid)
                    if ref.name and ref.type:
                        want(ref.type, ref.name, (), ref.xid)
                    elif ref.name:
                        keys.add(_norm(ref.name))
        self.m.fetch(tk, keys, tm, blocks, xids, ids)

    # ---------------------------------------------------------------- entities
    def _entity(self, fact: EntityFact, plan: DocPlan) -> str:
        entity_id = self._find(fact)
        if entity_id is None:
            entity_id = self._create(fact.type, fact.name, fact.properties, plan)
        else:
            self._enrich(entity_id, fact, plan)
        for alias in fact.aliases:
            self._add_name(entity_id, fact.type, alias, plan)
        if fact.xid and fact.xid not in self.m.xids:
            self.m.xids[fact.xid] = entity_id
            plan.xids.append((fact.xid, entity_id))
        plan.mentions[entity_id] = None
        return entity_id

    def _find(self, fact: EntityFact) -> str | None:
        if fact.xid and fact.xid in self.m.xids:
            return self.m.xids[fact.xid]
        for name in (fact.name, *fact.aliases):
            rec = self.m.names.get((fact.type, _norm(name)))
            if rec:
                return rec.entity
        return self._loose_match(fact.type, fact.name)

    def _loose_match(self, type_: str, name: str) -> str | None:
        mkey = match_key(name, type_)
        if not mkey:  # a name of punctuation or symbols only: exact keys alone
            return None
        ids = self.m.ids_by_mkey(type_, mkey)
        if len(ids) == 1:
            return ids.pop()
        if ids or len(mkey) < FUZZY_MIN_LEN:
            return None
        near = self.m.near(type_, mkey)
        return near.pop() if len(near) == 1 else None

    def _exists(self, entity_id: str) -> bool:
        return self.m.ent(entity_id) is not None

    def _create(self, type_: str, name: str, properties: Any, plan: DocPlan) -> str:
        key = _norm(name)
        entity_id = base_id(type_, key)
        if self._exists(entity_id):
            entity_id = second_id(type_, key)
            n = 2
            while self._exists(entity_id):
                entity_id = f"{base_id(type_, key)}-{n}"
                n += 1
        self.m.ents[entity_id] = Ent(type_, json.loads(dumps(dict(properties or {}))))
        plan.created[entity_id] = (type_, name, self.next_seq)
        self.next_seq += 1
        self._add_name(entity_id, type_, name, plan)
        self.new_entities.add(entity_id)
        self.summary.entities_new += 1
        return entity_id

    def _enrich(self, entity_id: str, fact: EntityFact, plan: DocPlan) -> None:
        if entity_id not in self.new_entities:
            self.summary.entities_merged += 1
        self._add_name(entity_id, fact.type, fact.name, plan)
        if fact.properties:
            ent = self.m.ent(entity_id)
            assert ent is not None and ent.props is not None
            added = {k: v for k, v in fact.properties.items() if k not in ent.props}
            if added:
                ent.props = json.loads(dumps({**ent.props, **added}))
                if entity_id not in plan.created:
                    plan.dirty.add(entity_id)

    def _add_name(self, entity_id: str, type_: str, name: str, plan: DocPlan) -> None:
        key = _norm(name)
        if key and (type_, key) not in self.m.names:
            rec = NameRec(type_, key, match_key(name, type_), entity_id, name)
            self.m.add_name(rec)
            plan.names.setdefault(entity_id, []).append(rec)

    def _type(self, entity_id: str) -> str:
        ent = self.m.ent(entity_id)
        assert ent is not None
        return ent.type

    # ---------------------------------------------------------------- relations
    def _ref(
        self, ref: EntityRef, rtype: str, side: str, locator: str | None, plan: DocPlan
    ) -> str:
        if ref.xid:
            found = self.m.xids.get(ref.xid) or (ref.xid if self._exists(ref.xid) else None)
            if found:
                return found
            if not ref.name:
                raise ValidationError(f"{locator + ': ' if locator else ''}unknown id {ref.xid!r}")
        assert ref.name is not None
        if ref.type:
            return self._entity(EntityFact(ref.type, ref.name, xid=ref.xid), plan)
        ids = self.m.ids_by_key(_norm(ref.name))
        if len(ids) > 1:
            spec = self.schema.relation_type(rtype)
            allowed = spec.source if side == "source" else spec.target
            ids = [i for i in ids if "*" in allowed or self._type(i) in allowed]
        if len(ids) == 1:
            plan.mentions[ids[0]] = None
            return ids[0]
        where = f"{locator}: " if locator else ""
        if not ids:
            raise ValidationError(
                f"{where}unknown {side} {ref.name!r}: declare it on an entity line or give {side}_type"
            )
        raise ValidationError(f"{where}{side} {ref.name!r} is ambiguous; give {side}_type")

    def _relation_ends(self, fact: RelationFact, plan: DocPlan) -> tuple[str, str] | None:
        source = self._ref(fact.source, fact.type, "source", fact.locator, plan)
        target = self._ref(fact.target, fact.type, "target", fact.locator, plan)
        if source == target:
            self.summary.skipped["self-relation"] = self.summary.skipped.get("self-relation", 0) + 1
            return None
        check_endpoints(fact.type, self._type(source), self._type(target), fact.locator)
        for ev in fact.evidence:
            if ev.document_id != plan.document.id:
                raise ValidationError(
                    f"evidence cites document {ev.document_id[:12]}, not the one being loaded"
                )
        if fact.type == WEAK and target < source:
            source, target = target, source
        return source, target

    def _relations(self, pending: list[tuple[RelationFact, str, str]], plan: DocPlan) -> None:
        rids = [relation_id(s, fact.type, t) for fact, s, t in pending]
        by_type: dict[str, set[str]] = {}
        for (fact, _, _), rid in zip(pending, rids, strict=True):
            if rid not in self.new_relations:
                by_type.setdefault(fact.type, set()).add(rid)
        self.m.fetch_relations(by_type)
        for (fact, source, target), rid in zip(pending, rids, strict=True):
            created = False
            if rid in self.new_relations:
                pass
            elif rid in self.m.rels:
                self.summary.relations_merged += 1
            else:
                self.new_relations.add(rid)
                self.summary.relations_new += 1
                created = True
            rel = plan.relations.get(rid)
            if rel is None:
                props = dumps(dict(fact.properties)) if fact.properties else "{}"
                rel = plan.relations[rid] = RelPlan(fact.type, source, target, props, new=created)
            for ev in fact.evidence:
                rel.evidence.setdefault(evidence_key(ev), ev)


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
