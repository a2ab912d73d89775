"""Writing a sync snapshot into Neo4j with its ids as they are: batched, MERGE-based, idempotent."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from casegraph.graph import neo4j_cypher as cy
from casegraph.graph.model import Document, Evidence, normalize_name
from casegraph.graph.neo4j_client import Client
from casegraph.graph.neo4j_mirror import NameRec, dumps, evidence_row, next_seq, relation_id
from casegraph.graph.neo4j_write import (
    Batcher,
    document_props,
    entity_rows,
    name_rows,
    queue_entities,
    queue_relations,
)
from casegraph.graph.resolve import match_key

if TYPE_CHECKING:
    from casegraph.graph.sync import Snapshot

LOOKUP = 5000  # ids per look-up query


def write_snapshot(client: Client, batch_size: int, snapshot: Snapshot) -> dict[str, int]:
    """Copy the snapshot in; documents already loaded are not redone, entities already present
    only gain missing properties, names and evidence are added where missing."""
    doc_ids = [d.id for d in snapshot.documents]
    known = {
        r["id"] for ids in _chunks(doc_ids) for r in client.read(cy.KNOWN_DOCUMENTS, {"ids": ids})
    }
    existing = {
        r["id"]: json.loads(r["properties_json"] or "{}")
        for ids in _chunks([e.id for e in snapshot.entities])
        for r in client.read(cy.ENTITY_INFO, {"ids": ids})
    }
    new_docs = [d for d in snapshot.documents if d.id not in known]
    batcher = Batcher(client, batch_size)
    for doc in new_docs:
        batcher.add(cy.BEGIN_DOCUMENT, {"id": doc.id})

    seq = next_seq(client)
    fresh = [e for e in snapshot.entities if e.id not in existing]
    queue_entities(batcher, entity_rows(
        (e.id, e.type, e.name, dumps(e.properties), seq + i) for i, e in enumerate(fresh)
    ))  # fmt: skip
    seq += len(fresh)
    updates = []
    for e in snapshot.entities:
        if e.id in existing:
            added = {k: v for k, v in e.properties.items() if k not in existing[e.id]}
            if added:
                updates.append({"id": e.id, "props": dumps({**existing[e.id], **added})})
    batcher.add_rows(cy.SET_ENTITY_PROPERTIES, updates)

    names: dict[str, list[NameRec]] = {}
    for e in snapshot.entities:
        seen: set[str] = set()
        for n in (e.name, *e.aliases):
            key = normalize_name(n)
            if key and key not in seen:
                seen.add(key)
                names.setdefault(e.id, []).append(
                    NameRec(e.type, key, match_key(n, e.type), e.id, n)
                )
    batcher.add_rows(cy.ADD_NAMES, name_rows(names))
    batcher.add_rows(cy.ADD_XIDS, [[x, e.id] for e in snapshot.entities for x in e.xids])
    batcher.add_rows(
        cy.ADD_MENTIONS, [[d.id, entity_id] for d in snapshot.documents for entity_id in d.mentions]
    )

    in_snapshot = set(doc_ids)
    per_doc: dict[str, int] = {}
    by_type: dict[str, list[list[Any]]] = {}
    for rel in snapshot.relations:
        ev = [
            evidence_row(Evidence(x.document_id, x.quote, x.start, x.end, x.extractor,
                                  x.confidence, x.locator))
            for x in rel.evidence if x.document_id in in_snapshot
        ]  # fmt: skip
        for doc_id in {x[1] for x in ev}:
            per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
        rid = relation_id(rel.source, rel.type, rel.target)
        by_type.setdefault(rel.type, []).append(
            [rid, rel.source, rel.target, dumps(rel.properties), ev]
        )
    queue_relations(batcher, by_type)

    batcher.add(cy.SET_SEQ, {"seq": seq})
    for snap in new_docs:
        document = Document(snap.id, snap.title, snap.path, snap.loader, snap.published, snap.text,
                       snap.properties)  # fmt: skip
        props = document_props(document, per_doc.get(snap.id, 0), loaded_at=snap.loaded_at)
        batcher.add(cy.COMPLETE_DOCUMENT, {"id": snap.id, "props": props})
    batcher.flush()
    counts = batcher.counts
    if not new_docs and (counts.nodes_created or counts.relationships_created
                         or counts.evidence_added or updates):  # fmt: skip
        client.write(cy.BUMP_REVISION)
    return {
        "documents_new": len(new_docs),
        "documents_unchanged": len(snapshot.documents) - len(new_docs),
        "entities_new": counts.nodes_created,
        "relations_new": counts.relationships_created,
        "evidence_added": counts.evidence_added,
    }


def _chunks(items: list[str]) -> list[list[str]]:
    return [items[i : i + LOOKUP] for i in range(0, len(items), LOOKUP)]
