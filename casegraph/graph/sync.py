"""Copying one store into another (embedded <-> Neo4j): entities, names, ids, documents, evidence.

How: the source is read through the store contract into a `Snapshot`; the destination writes it
with its ids exactly as they are (`Store.write_snapshot`, through `snapshot_plans` and the
backend's own plan writer), adding only what it lacks, so a second sync adds nothing.

Limits:
- An investigator's decisions are copied both ways (the log merged by decision uid, each fact's
  review status as the source has it; when the destination holds a decision the source has not
  seen, a fact the source never reviewed keeps the destination's status).
- A document already in the destination is skipped whole; an entity already there (by id) only
  gains the properties it lacks; a name that already names another entity in the destination
  stays with that one.
- The snapshot is held in memory: sync is meant for case-sized stores, not bulk imports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from casegraph.graph.change import Change
from casegraph.graph.ids import dumps, evidence_key, evidence_rid, relation_id
from casegraph.graph.keys import match_key
from casegraph.graph.known import NameIndex
from casegraph.graph.model import Document, Evidence, normalize_name
from casegraph.graph.plan import NameRec, NewEntity, Plan, RelPlan
from casegraph.graph.records import RelationTuple
from casegraph.graph.snapshot import (
    Snapshot,
    SnapshotCounts,
    SnapshotDocument,
    SnapshotEntity,
    SnapshotRelation,
)
from casegraph.graph.store import Store

EVIDENCE_PAGE = 1000


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sync(src: Store, dst: Store) -> SyncSummary:
    """Copy everything of `src` into `dst`; running it again changes nothing."""
    snapshot = read_snapshot(src)
    counts = dst.write_snapshot(snapshot)
    return SyncSummary(
        src.backend, dst.backend, len(snapshot.documents), len(snapshot.entities),
        len(snapshot.relations), **counts.as_dict(),
    )  # fmt: skip


# ---------------------------------------------------------------------- reading
def read_snapshot(store: Store) -> Snapshot:
    """Everything of a store: documents with their mentions, entities with ids, relations with
    evidence."""
    xids: dict[str, list[str]] = {}
    for xid, entity_id in sorted(store.iter_xids()):
        xids.setdefault(entity_id, []).append(xid)
    mentions: dict[str, list[tuple[str, str | None]]] = {}
    for doc_id, entity_id, typing in sorted(store.iter_mentions(), key=lambda m: m[:2]):
        mentions.setdefault(doc_id, []).append((entity_id, typing))
    snapshot = Snapshot()
    for d in store.documents():
        snapshot.documents.append(SnapshotDocument(
            d.id, d.title, d.path, d.loader, d.published, d.loaded_at,
            store.document_text(d.id), dict(d.properties), tuple(mentions.get(d.id, ())),
        ))  # fmt: skip
    for e in store.iter_entities():
        snapshot.entities.append(SnapshotEntity(
            e.id, e.type, e.name, tuple(e.aliases), dict(e.properties), tuple(xids.get(e.id, ())),
            e.status, e.type_source,
        ))  # fmt: skip
    page: list[RelationTuple] = []

    def flush() -> None:
        evidence = store.evidence([r[0] for r in page])
        info = store.relations_by_id(r[0] for r in page)
        for rid, s, t, o, props in page:
            status = info[rid].status if rid in info else None
            snapshot.relations.append(
                SnapshotRelation(s, t, o, dict(props), tuple(evidence.get(rid, ())), status)
            )
        page.clear()

    for relation in store.iter_relations():
        page.append(relation)
        if len(page) >= EVIDENCE_PAGE:
            flush()
    flush()
    snapshot.decisions = store.decisions()
    return snapshot


# ---------------------------------------------------------------------- writing
def snapshot_plans(snapshot: Snapshot, index: NameIndex, counts: SnapshotCounts) -> Iterator[Plan]:
    """Plans that write the snapshot with its ids as they are, adding only what `index` lacks:
    one per new document (oldest first: its entities, names, ids, mentions and the evidence it
    gives), then one without a document for entities that no new document mentions."""
    docs = sorted(snapshot.documents, key=lambda d: (d.loaded_at, d.title, d.id))
    known = index.documents({d.id for d in docs})
    new_docs = [d for d in docs if d.id not in known]
    counts.documents_new, counts.documents_unchanged = len(new_docs), len(docs) - len(new_docs)
    entities = {e.id: e for e in snapshot.entities}
    existing = index.entities(set(entities))
    rids = {id(r): relation_id(r.source, r.type, r.target) for r in snapshot.relations}
    by_type: dict[str, set[str]] = {}
    for r in snapshot.relations:
        by_type.setdefault(r.type, set()).add(rids[id(r)])
    have_rels = index.relations(by_type)
    seq = index.next_seq()
    placed: set[str] = set()
    planned_rels: set[str] = set()

    def place(plan: Plan, entity_id: str) -> None:
        nonlocal seq
        if entity_id in placed:
            return
        placed.add(entity_id)
        e = entities[entity_id]
        if entity_id in existing:
            have = existing[entity_id].props
            added = {k: v for k, v in e.properties.items() if k not in have}
            if added:
                plan.dirty[entity_id] = dumps({**have, **added})
        else:
            plan.entities[entity_id] = NewEntity(entity_id, e.type, e.name,
                                                 normalize_name(e.name), dumps(e.properties), seq,
                                                 e.type_source)  # fmt: skip
            seq += 1
        plan.names.extend(_names(e))
        plan.xids.extend((x, entity_id) for x in e.xids)

    evidence_of: dict[str, list[tuple[SnapshotRelation, list[Evidence]]]] = {}
    new_ids = {d.id for d in new_docs}
    for rel in snapshot.relations:
        per_doc: dict[str, list[Evidence]] = {}
        for x in rel.evidence:
            if x.document_id in new_ids:
                per_doc.setdefault(x.document_id, []).append(Evidence(
                    x.document_id, x.quote, x.start, x.end, x.extractor, x.confidence, x.locator,
                ))  # fmt: skip
        for doc_id, items in per_doc.items():
            evidence_of.setdefault(doc_id, []).append((rel, items))
    for doc in new_docs:
        plan = Plan(_document(doc), dumps(doc.properties), loaded_at=doc.loaded_at)
        for entity_id, typing in doc.mentions:
            place(plan, entity_id)
            plan.mentions[entity_id] = typing
        for rel, items in evidence_of.get(doc.id, ()):
            place(plan, rel.source)
            place(plan, rel.target)
            rid = rids[id(rel)]
            new = rid not in have_rels and rid not in planned_rels
            planned_rels.add(rid)
            plan.relations[rid] = RelPlan(rid, rel.type, rel.source, rel.target,
                                          dumps(rel.properties),
                                          {evidence_key(ev): ev for ev in items}, new=new)  # fmt: skip
        plan.relations_total = len(plan.relations)
        plan.next_seq = seq
        yield plan
    rest = Plan(None)
    for entity_id in entities:
        place(rest, entity_id)
    rest.next_seq = seq
    if rest.entities or rest.dirty or rest.names or rest.xids:
        yield rest


def snapshot_decisions(snapshot: Snapshot, have: set[str]) -> list[Change]:
    """What a snapshot's decisions and review statuses write once its facts are in: the
    decision log merged (by uid), and each fact's status as the source has it.

    `have` is the uids of the destination's decisions. When the source has seen all of them
    (and has any), its statuses are copied as they are, none included (so an undo travels);
    otherwise a fact the source never reviewed keeps the status the destination gave it."""
    every = bool(snapshot.decisions) and have <= {d.uid for d in snapshot.decisions}
    evidence_status: dict[str, str | None] = {}
    relation_status: dict[str, str | None] = {}
    for rel in snapshot.relations:
        rid = relation_id(rel.source, rel.type, rel.target)
        if rel.status or every:
            relation_status[rid] = rel.status
        evidence_status.update(
            {e.id: e.status for e in rel.evidence if e.id and (e.status or every)}
        )
    entities = {e.id: {"status": e.status} for e in snapshot.entities if e.status or every}
    if not (snapshot.decisions or relation_status or evidence_status or entities):
        return []
    changes = [Change(row) for row in snapshot.decisions]
    changes.append(Change(None, entity_updates=entities, relation_status=relation_status,
                          evidence_status=evidence_status))  # fmt: skip
    return changes


def still_to_apply(change: Change, store: Store) -> Change | None:
    """The part of a sync's status change that the store does not have yet (None: nothing)."""
    rels = store.relations_by_id(change.relation_status)
    relation_status = {rid: st for rid, st in change.relation_status.items()
                       if rid in rels and rels[rid].status != st}  # fmt: skip
    evidence_status: dict[str, str | None] = {}
    by_rid: dict[str, list[str]] = {}
    for eid in change.evidence_status:
        rid = evidence_rid(eid)
        if rid:
            by_rid.setdefault(rid, []).append(eid)
    have = {e.id: e.status for items in store.evidence(by_rid).values() for e in items}
    evidence_status = {eid: st for eid, st in change.evidence_status.items()
                       if eid in have and have[eid] != st}  # fmt: skip
    found = store.entities_by_id(change.entity_updates)
    entities = {i: f for i, f in change.entity_updates.items()
                if i in found and found[i].status != f.get("status")}  # fmt: skip
    if not (relation_status or evidence_status or entities):
        return None
    return Change(None, entity_updates=entities, relation_status=relation_status,
                  evidence_status=evidence_status)  # fmt: skip


def _names(e: SnapshotEntity) -> list[NameRec]:
    out: list[NameRec] = []
    seen: set[str] = set()
    for n in (e.name, *e.aliases):
        key = normalize_name(n)
        if key and key not in seen:
            seen.add(key)
            out.append(NameRec(e.type, key, match_key(n, e.type), e.id, n))
    return out


def _document(d: SnapshotDocument) -> Document:
    return Document(d.id, d.title, d.path, d.loader, d.published, d.text, dict(d.properties))
