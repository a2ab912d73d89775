"""Copying one store into another (embedded <-> Neo4j): entities, names, ids, documents, evidence.

How: the source is read through the Store protocol (plus its external ids and mentions) into a
`Snapshot`. A Neo4j destination takes the snapshot as it is (`Neo4jStore.write_snapshot`: ids kept
exactly, MERGE-based, so a second sync adds nothing). An embedded destination is given one Source
per document (oldest first) and loads them through its own resolver, with every relation end
named by its source id, so ids round-trip.

Limits:
- Manual decisions (the merge/alias log) are not copied; their effects (names, ids) are.
- Into an embedded store, entities are re-resolved: two source entities the embedded resolver
  would fold together (same match key, or fuzzily equal names) become one, and a colliding id
  suffix (`-<hash>`, `-2`) may differ; such changes are listed in `SyncSummary.ids_changed`.
  Documents get a new `loaded_at`, and a document already in the destination is skipped whole.
- Into Neo4j, a name that already names another entity in the destination stays with that one.
- The snapshot is held in memory: sync is meant for case-sized stores, not bulk imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from casegraph.errors import CasegraphError
from casegraph.graph.model import (
    Document,
    EntityFact,
    EntityRef,
    Evidence,
    Fact,
    RelationFact,
    Source,
    normalize_name,
)
from casegraph.graph.records import EvidenceRow
from casegraph.graph.store import Store

EVIDENCE_PAGE = 1000


@dataclass(frozen=True)
class SnapshotEntity:
    id: str
    type: str
    name: str
    aliases: tuple[str, ...]
    properties: dict[str, Any]
    xids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SnapshotDocument:
    id: str
    title: str
    path: str
    loader: str
    published: str | None
    loaded_at: str
    text: str | None
    properties: dict[str, Any]
    mentions: tuple[str, ...]  # entity ids


@dataclass(frozen=True)
class SnapshotRelation:
    source: str
    type: str
    target: str
    properties: dict[str, Any]
    evidence: tuple[EvidenceRow, ...]


@dataclass
class Snapshot:
    """A whole store, read through the Store protocol."""

    documents: list[SnapshotDocument] = field(default_factory=list)
    entities: list[SnapshotEntity] = field(default_factory=list)
    relations: list[SnapshotRelation] = field(default_factory=list)


@dataclass
class SyncSummary:
    """What a sync copied, and which entity ids the destination gave differently."""

    source: str
    destination: str
    documents: int = 0
    entities: int = 0
    relations: int = 0
    documents_new: int = 0
    documents_unchanged: int = 0
    entities_new: int = 0
    relations_new: int = 0
    evidence_added: int = 0
    ids_changed: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync(src: Store, dst: Store) -> SyncSummary:
    """Copy everything of `src` into `dst`; running it again changes nothing."""
    snapshot = read_snapshot(src)
    summary = SyncSummary(
        src.backend, dst.backend, len(snapshot.documents), len(snapshot.entities),
        len(snapshot.relations),
    )  # fmt: skip
    write = getattr(dst, "write_snapshot", None)
    if write is not None:
        counts = write(snapshot)
        for key in ("documents_new", "documents_unchanged", "entities_new", "relations_new",
                    "evidence_added"):  # fmt: skip
            setattr(summary, key, int(counts.get(key, 0)))
        return summary
    loaded = dst.load(snapshot_sources(snapshot))
    summary.documents_new = loaded.documents_new
    summary.documents_unchanged = loaded.documents_unchanged
    summary.entities_new = loaded.entities_new
    summary.relations_new = loaded.relations_new
    summary.evidence_added = loaded.evidence_added
    summary.ids_changed = _changed_ids(snapshot, dst)
    return summary


# ---------------------------------------------------------------------- reading
def read_snapshot(store: Store) -> Snapshot:
    """Everything of a store: documents with their mentions, entities with ids, relations with
    evidence."""
    xids: dict[str, list[str]] = {}
    for xid, entity_id in sorted(_xids(store)):
        xids.setdefault(entity_id, []).append(xid)
    mentions: dict[str, list[str]] = {}
    for doc_id, entity_id in sorted(_mentions(store)):
        mentions.setdefault(doc_id, []).append(entity_id)
    text_of = getattr(store, "document_text", None)
    snapshot = Snapshot()
    for d in store.documents():
        snapshot.documents.append(SnapshotDocument(
            d.id, d.title, d.path, d.loader, d.published, d.loaded_at,
            text_of(d.id) if text_of else None, dict(d.properties), tuple(mentions.get(d.id, ())),
        ))  # fmt: skip
    for e in store.iter_entities():
        snapshot.entities.append(SnapshotEntity(
            e.id, e.type, e.name, tuple(e.aliases), dict(e.properties), tuple(xids.get(e.id, ())),
        ))  # fmt: skip
    page: list[tuple[Any, str, str, str, dict[str, Any]]] = []

    def flush() -> None:
        evidence = store.evidence([r[0] for r in page])
        for rid, s, t, o, props in page:
            snapshot.relations.append(
                SnapshotRelation(s, t, o, dict(props), tuple(evidence.get(rid, ())))
            )
        page.clear()

    for relation in store.iter_relations():
        page.append(relation)
        if len(page) >= EVIDENCE_PAGE:
            flush()
    flush()
    return snapshot


def _xids(store: Store) -> Iterator[tuple[str, str]]:
    """(external id, entity id) pairs of a store."""
    own = getattr(store, "iter_xids", None)
    if own is not None:
        yield from own()
        return
    db = getattr(store, "db", None)  # the embedded store keeps them in its `xids` table
    if db is not None:
        yield from db.execute("SELECT xid, entity_id FROM xids")


def _mentions(store: Store) -> Iterator[tuple[str, str]]:
    """(document id, entity id) pairs of a store."""
    own = getattr(store, "iter_mentions", None)
    if own is not None:
        yield from own()
        return
    db = getattr(store, "db", None)
    if db is not None:
        yield from db.execute("SELECT document_id, entity_id FROM mentions")
        return
    for entity in store.iter_entities():
        for doc in store.documents_of(entity.id):
            yield doc["id"], entity.id


# ---------------------------------------------------------------------- writing as sources
def snapshot_sources(snapshot: Snapshot) -> list[Source]:
    """One Source per document, oldest first, that re-creates the snapshot through `load`.

    An entity is declared (name, aliases, properties, first external id) in the first document
    that mentions it and named again in every later one (for the mention); relations name their
    ends by source id (with name and type as a fallback) and carry that document's evidence.
    """
    entities = {e.id: e for e in snapshot.entities}
    docs = sorted(snapshot.documents, key=lambda d: (d.loaded_at, d.title, d.id))
    doc_ids = {d.id for d in docs}
    facts: dict[str, list[Fact]] = {d.id: [] for d in docs}
    declared: set[str] = set()
    for doc in docs:
        for entity_id in sorted(doc.mentions, key=lambda i: _creation_rank(entities[i])):
            entity = entities[entity_id]
            if entity_id in declared:
                facts[doc.id].append(EntityFact(entity.type, entity.name))
                continue
            declared.add(entity_id)
            facts[doc.id].extend(_declare(entity))
    if docs:  # entities no document mentions ride along with the first document
        for entity in sorted(snapshot.entities, key=_creation_rank):
            if entity.id not in declared:
                facts[docs[0].id].extend(_declare(entity))
    for rel in snapshot.relations:
        by_doc: dict[str, list[Evidence]] = {}
        for ev in rel.evidence:
            if ev.document_id in doc_ids:
                by_doc.setdefault(ev.document_id, []).append(Evidence(
                    ev.document_id, ev.quote, ev.start, ev.end, ev.extractor, ev.confidence,
                    ev.locator,
                ))  # fmt: skip
        for doc_id, items in by_doc.items():
            facts[doc_id].append(RelationFact(
                _ref(entities[rel.source]), rel.type, _ref(entities[rel.target]), tuple(items),
                dict(rel.properties),
            ))  # fmt: skip
    return [
        Source(Document(d.id, d.title, d.path, d.loader, d.published, d.text, dict(d.properties)),
               facts[d.id])
        for d in docs
    ]  # fmt: skip


def _declare(entity: SnapshotEntity) -> list[Fact]:
    # Built directly, not with make_entity: the values were validated when first loaded, and
    # make_entity's clean-up could change an alias's spelling.
    first, *more = entity.xids or (None,)
    out: list[Fact] = [EntityFact(entity.type, entity.name, entity.aliases,
                                  dict(entity.properties), first)]  # fmt: skip
    out.extend(EntityFact(entity.type, entity.name, xid=x) for x in more)
    return out


def _ref(entity: SnapshotEntity) -> EntityRef:
    return EntityRef(name=entity.name, type=entity.type, xid=entity.id)


def _creation_rank(entity: SnapshotEntity) -> tuple[int, int, str]:
    """Order that lets the embedded store hand out the same ids: an entity holding its plain
    `type:slug` id first, then one with the `-<hash>` suffix, then numbered ones."""
    from casegraph.graph.neo4j_mirror import base_id, second_id

    key = normalize_name(entity.name)
    base = base_id(entity.type, key)
    if entity.id == base:
        return 0, 0, entity.id
    if entity.id == second_id(entity.type, key):
        return 1, 0, entity.id
    tail = entity.id.rsplit("-", 1)[-1]
    return 2, int(tail) if tail.isdigit() else 0, entity.id


def _changed_ids(snapshot: Snapshot, dst: Store) -> dict[str, str]:
    """Source ids the destination knows under another id (by its external-id table)."""
    changed: dict[str, str] = {}
    for entity in snapshot.entities:
        try:
            dst.entity(entity.id)
        except CasegraphError:
            try:
                changed[entity.id] = dst.resolve(entity.id).id
            except CasegraphError:
                changed[entity.id] = ""
    return changed
