"""Loading into Neo4j, step two: a document's plan written as batched UNWIND statements."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from casegraph.graph import neo4j_cypher as cy
from casegraph.graph.model import Document
from casegraph.graph.neo4j_client import Client
from casegraph.graph.neo4j_plan import DocPlan, NameRec, dumps, evidence_row
from casegraph.graph.sqlite_store import _now


@dataclass
class WriteCounts:
    """What the committed statements reported."""

    nodes_created: int = 0
    relationships_created: int = 0
    evidence_added: int = 0


@dataclass
class _Statement:
    query: str
    params: dict[str, Any]
    kind: str = ""  # "entities", "relations" or "" (what to count from it)


@dataclass
class Batcher:
    """Statements queued in order and committed in managed transactions of about `size` rows.

    The order of statements is the order of commits, so a document's Document label (its last
    statement) never commits before its facts; a transaction is retried as a whole by the driver.
    """

    client: Client
    size: int
    counts: WriteCounts = field(default_factory=WriteCounts)
    _queue: list[_Statement] = field(default_factory=list)
    _rows: int = 0

    def add(self, query: str, params: dict[str, Any], rows: int = 1, kind: str = "") -> None:
        self._queue.append(_Statement(query, params, kind))
        self._rows += rows
        if self._rows >= self.size:
            self.flush()

    def add_rows(self, query: str, rows: list[Any], kind: str = "", **params: Any) -> None:
        """Queue `query` over `rows` (its $rows), split into chunks of at most `size`."""
        for start in range(0, len(rows), self.size):
            chunk = rows[start : start + self.size]
            self.add(query, {**params, "rows": chunk}, len(chunk), kind)

    def flush(self) -> None:
        if not self._queue:
            return
        queue, self._queue, self._rows = self._queue, [], 0

        def work(tx: Any) -> WriteCounts:
            got = WriteCounts()
            for st in queue:
                result = tx.run(st.query, st.params)
                if st.kind == "relations":
                    got.evidence_added += int(result.single()["added"] or 0)
                counters = result.consume().counters
                got.nodes_created += counters.nodes_created if st.kind == "entities" else 0
                got.relationships_created += (
                    counters.relationships_created if st.kind == "relations" else 0
                )
            return got

        got = self.client.write_tx(work)
        self.counts.nodes_created += got.nodes_created
        self.counts.relationships_created += got.relationships_created
        self.counts.evidence_added += got.evidence_added


def document_props(doc: Document, relations: int, loaded_at: str | None = None) -> dict[str, Any]:
    """The properties of a (:Document) node."""
    return {
        "title": doc.title, "path": doc.path, "loader": doc.loader, "published": doc.published,
        "loaded_at": loaded_at or _now(), "text": doc.text,
        "properties_json": dumps(dict(doc.properties)), "relations": relations,
    }  # fmt: skip


def entity_rows(entities: Iterable[tuple[str, str, str, str]]) -> dict[str, list[dict[str, Any]]]:
    """(id, type, name, props JSON) as CREATE_ENTITIES rows grouped by type."""
    from casegraph.graph.model import normalize_name

    out: dict[str, list[dict[str, Any]]] = {}
    for entity_id, type_, name, props in entities:
        out.setdefault(type_, []).append(
            {"id": entity_id, "type": type_, "name": name, "key": normalize_name(name),
             "props": props}
        )  # fmt: skip
    return out


def name_rows(names: dict[str, list[NameRec]]) -> list[dict[str, Any]]:
    """New names as ADD_NAMES rows, one per entity."""
    return [
        {"entity": entity_id,
         "names": [{"type": r.type, "key": r.key, "mkey": r.mkey, "name": r.name} for r in recs]}
        for entity_id, recs in names.items() if recs
    ]  # fmt: skip


def queue_entities(batcher: Batcher, by_type: dict[str, list[dict[str, Any]]]) -> None:
    for type_, rows in by_type.items():
        batcher.add_rows(cy.with_label(cy.CREATE_ENTITIES, type_), rows, kind="entities")


def queue_relations(batcher: Batcher, by_type: dict[str, list[dict[str, Any]]]) -> None:
    for rtype, rows in by_type.items():
        batcher.add_rows(cy.with_rtype(cy.MERGE_RELATIONS, rtype), rows, kind="relations")


def queue_plan(batcher: Batcher, plan: DocPlan, props_of: Callable[[str], str]) -> None:
    """Queue every write of a document plan; the Document label comes last."""
    doc = plan.document
    batcher.add(cy.BEGIN_DOCUMENT, {"id": doc.id})
    queue_entities(batcher, entity_rows(
        (entity_id, type_, name, props_of(entity_id))
        for entity_id, (type_, name) in plan.created.items()
    ))  # fmt: skip
    batcher.add_rows(cy.SET_ENTITY_PROPERTIES,
                     [{"id": i, "props": props_of(i)} for i in sorted(plan.dirty)])  # fmt: skip
    batcher.add_rows(cy.ADD_NAMES, name_rows(plan.names))
    batcher.add_rows(cy.ADD_XIDS, [{"xid": x, "entity": e} for x, e in plan.xids])
    batcher.add_rows(cy.ADD_MENTIONS, [{"doc": doc.id, "entity": e} for e in plan.mentions])
    by_type: dict[str, list[dict[str, Any]]] = {}
    for rid, rel in plan.relations.items():
        by_type.setdefault(rel.type, []).append(
            {"rid": rid, "s": rel.source, "t": rel.target, "props": rel.props,
             "ev": [evidence_row(ev) for ev in rel.evidence.values()]}
        )  # fmt: skip
    queue_relations(batcher, by_type)
    props = document_props(doc, len(plan.relations))
    batcher.add(cy.COMPLETE_DOCUMENT, {"id": doc.id, "props": props})
