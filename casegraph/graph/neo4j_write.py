"""Loading into Neo4j, step two: a document's plan written as batched UNWIND statements."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import BackendUnavailable
from casegraph.graph import neo4j_cypher as cy
from casegraph.graph.model import Document
from casegraph.graph.neo4j_client import Client
from casegraph.graph.neo4j_mirror import NameRec, dumps, evidence_row
from casegraph.graph.neo4j_plan import DocPlan
from casegraph.graph.resolve import block
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


def document_props(
    doc: Document,
    relations: int,
    loaded_at: str | None = None,
    properties_json: str | None = None,
) -> dict[str, Any]:
    """The properties of a (:Document) node."""
    return {
        "title": doc.title, "path": doc.path, "loader": doc.loader, "published": doc.published,
        "loaded_at": loaded_at or _now(), "text": doc.text,
        "properties_json": properties_json or dumps(dict(doc.properties)), "relations": relations,
    }  # fmt: skip


def entity_rows(
    entities: Iterable[tuple[str, str, str, str, int]],
) -> dict[str, list[list[Any]]]:
    """(id, type, name, props JSON, creation number) as CREATE_ENTITIES rows grouped by type."""
    from casegraph.graph.model import normalize_name

    out: dict[str, list[list[Any]]] = {}
    for entity_id, type_, name, props, seq in entities:
        out.setdefault(type_, []).append([entity_id, type_, name, normalize_name(name), props, seq])
    return out


def name_rows(names: dict[str, list[NameRec]]) -> list[list[Any]]:
    """New names as ADD_NAMES rows, one per entity: [entity, [[type, key, mkey, block, name]]]."""
    return [
        [entity_id, [[r.type, r.key, r.mkey, block(r.mkey), r.name] for r in recs]]
        for entity_id, recs in names.items() if recs
    ]  # fmt: skip


def queue_entities(batcher: Batcher, by_type: dict[str, list[list[Any]]]) -> None:
    for type_, rows in by_type.items():
        batcher.add_rows(cy.with_label(cy.CREATE_ENTITIES, type_), rows, kind="entities")


def queue_relations(batcher: Batcher, by_type: dict[str, list[list[Any]]]) -> None:
    for rtype, rows in by_type.items():
        batcher.add_rows(cy.with_rtype(cy.MERGE_RELATIONS, rtype), rows, kind="relations")


def queue_plan(batcher: Batcher, plan: DocPlan, props_of: Callable[[str], str]) -> None:
    """Queue every write of a document plan; the Document label comes last."""
    doc = plan.document
    batcher.add(cy.BEGIN_DOCUMENT, {"id": doc.id})
    queue_entities(batcher, entity_rows(
        (entity_id, type_, name, props_of(entity_id), seq)
        for entity_id, (type_, name, seq) in plan.created.items()
    ))  # fmt: skip
    batcher.add_rows(cy.SET_ENTITY_PROPERTIES,
                     [{"id": i, "props": props_of(i)} for i in sorted(plan.dirty)])  # fmt: skip
    batcher.add_rows(cy.ADD_NAMES, name_rows(plan.names))
    batcher.add_rows(cy.ADD_XIDS, [[x, e] for x, e in plan.xids])
    batcher.add_rows(cy.ADD_DOC_MENTIONS, list(plan.mentions), doc=doc.id)
    by_type: dict[str, list[list[Any]]] = {}
    new_by_type: dict[str, list[list[Any]]] = {}
    for rid, rel in plan.relations.items():
        row = [
            rid,
            rel.source,
            rel.target,
            rel.props,
            [evidence_row(ev) for ev in rel.evidence.values()],
        ]
        (new_by_type if rel.new else by_type).setdefault(rel.type, []).append(row)
    for rtype, rows in new_by_type.items():
        batcher.add_rows(cy.with_rtype(cy.CREATE_NEW_RELATIONS, rtype), rows, kind="new-relations")
    queue_relations(batcher, by_type)
    batcher.add(cy.SET_SEQ, {"seq": plan.next_seq})
    props = document_props(doc, len(plan.relations), properties_json=plan.properties_json)
    batcher.add(cy.COMPLETE_DOCUMENT, {"id": doc.id, "props": props})
