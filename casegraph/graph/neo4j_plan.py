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
from hashlib import sha1
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
    normalize_name,
)
from casegraph.graph.neo4j_client import Client
from casegraph.graph.records import LoadSummary
from casegraph.graph.resolve import fuzzy_equal, match_key
from casegraph.graph.schema import WEAK, load_schema
from casegraph.graph.sqlite_store import _slug

Progress = Callable[[str, int], None]
FUZZY_PREFIX = 3  # the embedded store compares fuzzy candidates sharing the first 3 characters
FUZZY_MIN = 8  # ... and only for match keys at least this long


def relation_id(source: str, rtype: str, target: str) -> str:
    """The stable id of the relation (source, type, target): 16 hex digits of a SHA-1."""
    return sha1(f"{source}|{rtype}|{target}".encode()).hexdigest()[:16]


def evidence_key(ev: Evidence) -> str:
    """What makes two evidence items one (the embedded store's unique index on evidence)."""
    start = -1 if ev.start is None else ev.start
    end = -1 if ev.end is None else ev.end
    return json.dumps([ev.document_id, ev.locator or "", start, end, ev.extractor],
                      ensure_ascii=False)  # fmt: skip


def evidence_row(ev: Evidence) -> dict[str, Any]:
    """Evidence as parallel-list items: Neo4j lists hold no nulls, so None is -1 / ''."""
    return {
        "k": evidence_key(ev), "doc": ev.document_id, "q": ev.quote,
        "st": -1 if ev.start is None else ev.start, "en": -1 if ev.end is None else ev.end,
        "ex": ev.extractor, "c": float(ev.confidence), "loc": ev.locator or "",
    }  # fmt: skip


def dumps(value: Any) -> str:
    """Properties as the embedded store writes them."""
    return json.dumps(value, ensure_ascii=False, default=str)


def base_id(type_: str, key: str) -> str:
    """The id an entity gets when nothing else has it yet: type:slug."""
    return f"{type_.lower()}:{_slug(key) or sha1(key.encode()).hexdigest()[:10]}"


def second_id(type_: str, key: str) -> str:
    """The id an entity gets when its base id is taken."""
    return f"{base_id(type_, key)}-{sha1(f'{type_}|{key}'.encode()).hexdigest()[:8]}"


@dataclass(slots=True)
class NameRec:
    """One name an entity answers to: the embedded store's `names` row."""

    type: str
    key: str
    mkey: str
    entity: str
    name: str


@dataclass(slots=True)
class Ent:
    """What resolution needs of an entity: its type and (once read) its properties."""

    type: str
    props: dict[str, Any] | None = None


@dataclass
class RelPlan:
    type: str
    source: str
    target: str
    props: str
    evidence: dict[str, Evidence] = field(default_factory=dict)


@dataclass
class DocPlan:
    """Everything one document writes: new entities, names, ids, mentions, relations, evidence."""

    document: Document
    created: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (type, name)
    dirty: set[str] = field(default_factory=set)  # existing entities whose properties grew
    names: dict[str, list[NameRec]] = field(default_factory=dict)
    xids: list[tuple[str, str]] = field(default_factory=list)
    mentions: dict[str, None] = field(default_factory=dict)
    relations: dict[str, RelPlan] = field(default_factory=dict)


class Mirror:
    """The store's names, external ids, entities and relations as far as this load has seen them.

    Each index is complete for the criteria fetched (a set of `got_*`); local decisions are added
    as they are made, so answers equal the embedded store's SQL inside its transaction.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.names: dict[tuple[str, str], NameRec] = {}
        self.by_key: dict[str, set[str]] = {}  # key -> types
        self.by_mkey: dict[tuple[str, str], set[str]] = {}  # (type, mkey) -> keys
        self.by_prefix: dict[tuple[str, str], set[str]] = {}  # (type, mkey[:3]) -> keys
        self.got_tk: set[tuple[str, str]] = set()
        self.got_key: set[str] = set()
        self.got_mkey: set[tuple[str, str]] = set()
        self.got_prefix: set[tuple[str, str]] = set()
        self.xids: dict[str, str] = {}
        self.got_xid: set[str] = set()
        self.ents: dict[str, Ent | None] = {}  # None: known not to exist
        self.rels: set[str] = set()
        self.got_rel: set[str] = set()

    def add_name(self, rec: NameRec) -> None:
        tk = (rec.type, rec.key)
        if tk in self.names:
            return
        self.names[tk] = rec
        self.by_key.setdefault(rec.key, set()).add(rec.type)
        self.by_mkey.setdefault((rec.type, rec.mkey), set()).add(rec.key)
        self.by_prefix.setdefault((rec.type, rec.mkey[:FUZZY_PREFIX]), set()).add(rec.key)

    def ids_by_key(self, key: str) -> list[str]:
        return sorted({self.names[(t, key)].entity for t in self.by_key.get(key, ())})

    def ids_by_mkey(self, type_: str, mkey: str) -> set[str]:
        return {self.names[(type_, k)].entity for k in self.by_mkey.get((type_, mkey), ())}

    def near(self, type_: str, mkey: str) -> set[str]:
        prefix = mkey[:FUZZY_PREFIX]
        hits = set()
        for k in self.by_prefix.get((type_, prefix), ()):
            rec = self.names[(type_, k)]
            if prefix <= rec.mkey < prefix + "\uffff" and fuzzy_equal(mkey, rec.mkey):
                hits.add(rec.entity)
        return hits

    # ---------------------------------------------------------------- fetching
    def fetch(
        self,
        tk: set[tuple[str, str]],
        keys: set[str],
        tm: set[tuple[str, str]],
        prefixes: set[tuple[str, str]],
        xids: set[str],
        ids: set[str],
    ) -> None:
        """Read what the next facts may look up and is not known yet, in one read transaction."""
        tk = {p for p in tk if p not in self.got_tk and p[1] not in self.got_key}
        keys -= self.got_key
        tm -= self.got_mkey
        prefixes -= self.got_prefix
        xids -= self.got_xid
        ids = {i for i in ids if i not in self.ents}
        if not (tk or keys or tm or prefixes or xids or ids):
            return

        def work(tx: Any) -> tuple[list[dict[str, Any]], ...]:
            def run(query: str, **params: Any) -> list[dict[str, Any]]:
                return [r.data() for r in tx.run(query, params)] if any(params.values()) else []

            return (
                run(cy.NAMES_BY_TYPE_KEY, pairs=[list(p) for p in tk])
                + run(cy.NAMES_BY_KEY, keys=list(keys))
                + run(cy.NAMES_BY_MKEY, pairs=[list(p) for p in tm])
                + run(cy.NAMES_BY_MKEY_PREFIX, pairs=[list(p) for p in prefixes]),
                run(cy.XIDS, xids=list(xids)),
                run(cy.ENTITY_INFO, ids=list(ids)),
            )

        names, found_xids, infos = self.client.read_tx(work)
        for row in names:
            self.add_name(NameRec(row["type"], row["key"], row["mkey"], row["entity"], row["name"]))
        for row in found_xids:
            self.xids.setdefault(row["xid"], row["entity"])
        self._take_infos(infos, ids)
        self.got_tk |= tk
        self.got_key |= keys
        self.got_mkey |= tm
        self.got_prefix |= prefixes
        self.got_xid |= xids
        # the entities those names and ids point at: their types and properties
        wanted = {r["entity"] for r in names if r["entity"] not in self.ents}
        wanted |= {r["entity"] for r in found_xids if r["entity"] not in self.ents}
        self.fetch_entities(wanted)

    def fetch_entities(self, ids: Iterable[str]) -> None:
        ids = {i for i in ids if i not in self.ents}
        if ids:
            self._take_infos(self.client.read(cy.ENTITY_INFO, {"ids": list(ids)}), ids)

    def _take_infos(self, rows: list[dict[str, Any]], asked: set[str]) -> None:
        for row in rows:
            self.ents[row["id"]] = Ent(row["type"], json.loads(row["properties_json"] or "{}"))
        for i in asked:
            self.ents.setdefault(i, None)

    def ent(self, entity_id: str) -> Ent | None:
        if entity_id not in self.ents:
            self.fetch_entities([entity_id])
        return self.ents[entity_id]

    def fetch_relations(self, rids: set[str]) -> None:
        rids -= self.got_rel
        if rids:
            found = self.client.read(cy.with_rtypes(cy.RELATIONS_EXIST), {"rids": list(rids)})
            self.rels |= {r["rid"] for r in found}
            self.got_rel |= rids


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
        plan = DocPlan(doc)
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
        prefixes: set[tuple[str, str]] = set()
        xids: set[str] = set()
        ids: set[str] = set()

        def want(type_: str, name: str, aliases: Iterable[str], xid: str | None) -> None:
            if xid:
                xids.add(xid)
            for n in (name, *aliases):
                if k := normalize_name(n):
                    tk.add((type_, k))
            mkey = match_key(name, type_)
            tm.add((type_, mkey))
            if len(mkey) >= FUZZY_MIN:
                prefixes.add((type_, mkey[:FUZZY_PREFIX]))
            key = normalize_name(name)
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
                        keys.add(normalize_name(ref.name))
        self.m.fetch(tk, keys, tm, prefixes, xids, ids)

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
            rec = self.m.names.get((fact.type, normalize_name(name)))
            if rec:
                return rec.entity
        return self._loose_match(fact.type, fact.name)

    def _loose_match(self, type_: str, name: str) -> str | None:
        mkey = match_key(name, type_)
        ids = self.m.ids_by_mkey(type_, mkey)
        if len(ids) == 1:
            return ids.pop()
        if ids or len(mkey) < FUZZY_MIN:
            return None
        near = self.m.near(type_, mkey)
        return near.pop() if len(near) == 1 else None

    def _exists(self, entity_id: str) -> bool:
        return self.m.ent(entity_id) is not None

    def _create(self, type_: str, name: str, properties: Any, plan: DocPlan) -> str:
        key = normalize_name(name)
        entity_id = base_id(type_, key)
        if self._exists(entity_id):
            entity_id = second_id(type_, key)
            n = 2
            while self._exists(entity_id):
                entity_id = f"{base_id(type_, key)}-{n}"
                n += 1
        self.m.ents[entity_id] = Ent(type_, json.loads(dumps(dict(properties or {}))))
        plan.created[entity_id] = (type_, name)
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
        key = normalize_name(name)
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
        ids = self.m.ids_by_key(normalize_name(ref.name))
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
        self.m.fetch_relations(set(rids) - self.new_relations)
        for (fact, source, target), rid in zip(pending, rids, strict=True):
            if rid in self.new_relations:
                pass
            elif rid in self.m.rels:
                self.summary.relations_merged += 1
            else:
                self.new_relations.add(rid)
                self.summary.relations_new += 1
            rel = plan.relations.get(rid)
            if rel is None:
                rel = plan.relations[rid] = RelPlan(
                    fact.type, source, target, dumps(dict(fact.properties))
                )
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
