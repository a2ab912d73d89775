"""Writing plans into Neo4j: batched UNWIND statements committed in managed transactions."""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.client import Client
from casegraph.errors import BackendUnavailable
from casegraph.fulltext import joined, tokens
from casegraph.graph.ids import evidence_key, now
from casegraph.graph.keys import block
from casegraph.graph.model import Evidence
from casegraph.graph.plan import NameRec, Plan


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
    kind: str = ""  # "entities", "relations", "new-relations" or "" (what to count from it)


# Batches committed by the background writer that may wait behind the one being written.
IN_FLIGHT = 2


@dataclass
class Batcher:
    """Statements queued in order and committed in managed transactions of about `size` rows.

    The order of statements is the order of commits, so a document's Document label (its last
    statement) never commits before its facts; a transaction is retried as a whole by the driver.
    With `background`, batches are committed by one writer thread while the caller goes on
    resolving the next facts (resolution never needs the writes committed: it keeps its own
    record of them); after a failed batch no later batch runs. `finish()` waits for them all.
    """

    client: Client
    size: int
    background: bool = False
    counts: WriteCounts = field(default_factory=WriteCounts)
    _queue: list[_Statement] = field(default_factory=list)
    _rows: int = 0
    _pending: deque[Future[WriteCounts]] = field(default_factory=deque)
    _pool: ThreadPoolExecutor | None = None
    _failed: bool = False

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
        """Commit what is queued (in the background writer, when there is one)."""
        if not self._queue:
            return
        queue, self._queue, self._rows = self._queue, [], 0
        if not self.background:
            self._take(self._commit(queue))
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="casegraph-neo4j")
        while self._pending and (self._pending[0].done() or len(self._pending) > IN_FLIGHT):
            self._take(self._pending.popleft().result())  # re-raises a failed batch's error
        self._pending.append(self._pool.submit(self._commit, queue))

    def finish(self) -> None:
        """Commit everything queued and wait for it; the first failure is raised."""
        try:
            self.flush()
            while self._pending:
                self._take(self._pending.popleft().result())
        finally:
            self.close()

    def close(self) -> None:
        """Stop the writer: batches not yet started are dropped."""
        if self._pool is not None:
            self._failed = self._failed or bool(self._pending)
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            self._pending.clear()

    @property
    def failed(self) -> bool:
        """Whether a batch failed (then nothing more is written)."""
        return self._failed

    def _take(self, got: WriteCounts) -> None:
        self.counts.nodes_created += got.nodes_created
        self.counts.relationships_created += got.relationships_created
        self.counts.evidence_added += got.evidence_added

    def _commit(self, queue: list[_Statement]) -> WriteCounts:
        if self._failed:  # an earlier batch failed: a later one must not complete its documents
            raise BackendUnavailable("an earlier batch of this load failed; nothing more written")

        def work(tx: Any) -> WriteCounts:
            got = WriteCounts()
            for st in queue:
                result = tx.run(st.query, st.params)
                if st.kind == "relations":
                    got.evidence_added += int(result.single()["added"] or 0)
                counters = result.consume().counters
                if st.kind == "entities":
                    got.nodes_created += counters.nodes_created
                elif st.kind == "relations":
                    got.relationships_created += counters.relationships_created
                elif st.kind == "new-relations":
                    got.relationships_created += counters.relationships_created
                    got.evidence_added += sum(len(row[4]) for row in st.params["rows"])
            return got

        try:
            return self.client.write_tx(work)
        except BaseException:
            self._failed = True
            raise


def evidence_row(
    ev: Evidence, written: tuple[str, str] | None = None, date: str | None = None
) -> list[Any]:
    """Evidence as a MERGE_RELATIONS item, [key, doc, quote, start, end, extractor, confidence,
    locator, source key, target key, date]: Neo4j lists hold no nulls, so a missing offset is
    -1 and a missing locator, key or date ''. (An item's id is casegraph.graph.ids.evidence_id
    of the relation id and this key.)"""
    skey, tkey = written or ("", "")
    return [
        evidence_key(ev), ev.document_id, ev.quote, -1 if ev.start is None else ev.start,
        -1 if ev.end is None else ev.end, ev.extractor, float(ev.confidence), ev.locator or "",
        skey or "", tkey or "", ev.date or date or "",
    ]  # fmt: skip


def new_relation_row(
    rid: str, source: str, target: str, props: str, items: list[list[Any]]
) -> list[Any]:
    """A CREATE_NEW_RELATIONS row: the relation, then its evidence items (evidence_row) turned
    into the property lists it stores, in the statement's column order (a new item's review
    status is '')."""
    columns = [[item[i] for item in items] for i in (0, 2, 1, 3, 4, 5, 6, 7, 8, 9, 10)]
    return [rid, source, target, props, *columns, [""] * len(items)]


def document_props(plan: Plan) -> dict[str, Any]:
    """The properties of a (:Document) node once its last batch is written."""
    doc = plan.document
    assert doc is not None
    return {
        "title": doc.title, "path": doc.path, "loader": doc.loader, "published": doc.published,
        "loaded_at": plan.loaded_at or now(), "text": doc.text,
        "properties_json": plan.properties_json, "relations": plan.relations_total,
        **search_props(doc.text),
    }  # fmt: skip


def search_props(text: str | None) -> dict[str, Any]:
    """A document's search tokens and their count (the cg_document_search index), for text."""
    if not text:
        return {}
    words = tokens(text)
    return {"search_tokens": joined(words), "search_length": len(words)}


def name_rows(names: list[NameRec]) -> list[list[Any]]:
    """New names as ADD_NAMES rows, one per entity: [entity, [[type, key, mkey, block, name]]]."""
    grouped: dict[str, list[list[str]]] = {}
    for r in names:
        grouped.setdefault(r.entity, []).append([r.type, r.key, r.mkey, block(r.mkey), r.name])
    return [[entity_id, rows] for entity_id, rows in grouped.items()]


def queue_plan(batcher: Batcher, plan: Plan) -> None:
    """Queue every write of a plan; a document's Document label comes with its last batch."""
    doc = plan.document
    if doc is not None and plan.first:
        batcher.add(cy.BEGIN_DOCUMENT, {"id": doc.id})
    by_label: dict[str, list[list[Any]]] = {}
    for e in plan.entities.values():
        by_label.setdefault(e.type, []).append(
            [e.id, e.type, e.name, e.key, e.props, e.seq, e.type_source]
        )
    for type_, rows in by_label.items():
        batcher.add_rows(cy.with_label(cy.CREATE_ENTITIES, type_), rows, kind="entities")
    batcher.add_rows(cy.SET_ENTITY_PROPERTIES,
                     [{"id": i, "props": p} for i, p in sorted(plan.dirty.items())])  # fmt: skip
    batcher.add_rows(cy.ADD_NAMES, name_rows(plan.names))
    batcher.add_rows(cy.ADD_XIDS, [[x, e] for x, e in plan.xids])
    if doc is not None:
        batcher.add_rows(cy.ADD_DOC_MENTIONS, [list(m) for m in plan.mentions.items()], doc=doc.id)
    merged: dict[str, list[list[Any]]] = {}
    created: dict[str, list[list[Any]]] = {}
    date = doc.published if doc is not None else None
    for rel in plan.relations.values():
        items = [evidence_row(ev, rel.written.get(k), date) for k, ev in rel.evidence.items()]
        if rel.new:
            created.setdefault(rel.type, []).append(new_relation_row(rel.rid, rel.source,
                                                                     rel.target, rel.props, items))  # fmt: skip
        else:
            merged.setdefault(rel.type, []).append(
                [rel.rid, rel.source, rel.target, rel.props, items]
            )
    for rtype, rows in created.items():
        batcher.add_rows(cy.with_rtype(cy.CREATE_NEW_RELATIONS, rtype), rows, kind="new-relations")
    for rtype, rows in merged.items():
        batcher.add_rows(cy.with_rtype(cy.MERGE_RELATIONS, rtype), rows, kind="relations")
    batcher.add(cy.SET_SEQ, {"seq": plan.next_seq})
    if doc is not None and plan.last:
        batcher.add(cy.COMPLETE_DOCUMENT, {"id": doc.id, "props": document_props(plan)})
