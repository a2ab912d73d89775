"""The store contract both backends implement in full, and name look-ups written once for both."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from typing import Any, Protocol, Self

from casegraph.errors import EntityNotFound, UsageError, ValidationError
from casegraph.fulltext import Counted, Node, Term, TextRow
from casegraph.graph.access import GraphAccess
from casegraph.graph.change import Change
from casegraph.graph.ids import evidence_names, evidence_rid
from casegraph.graph.model import Source, normalize_name
from casegraph.graph.plan import NameRec
from casegraph.graph.records import (
    DecisionRow,
    DocumentRow,
    EntityRow,
    EvidenceRow,
    LoadSummary,
    RelationInfo,
    RelationRow,
    RelationTuple,
)
from casegraph.graph.schema import load_schema
from casegraph.graph.snapshot import Snapshot, SnapshotCounts

# A limit beyond any store's size (larger ones would overflow SQLite's 64-bit integers).
MAX_LIMIT = 1 << 31
# Substring hits a search considers at most.
SEARCH_CAP = 5000
# Longest text a search also matches fuzzily (a longer one resembles no name; fuzzy scoring
# of a megabyte against every name would take minutes).
MAX_FUZZY_CHARS = 500


class TextSearch(Protocol):
    """A store's index of document text, over casegraph.fulltext's own tokens."""

    def candidates(self, node: Node) -> list[TextRow]:
        """Every document that may satisfy the query (a superset: NOT is the caller's check)."""

    # How many candidates counts() is best asked about at once.
    batch: int

    def counts(self, rows: Sequence[TextRow], wanted: Iterable[Term]) -> dict[str, Counted]:
        """Each document's length and how often each term occurs in it."""

    def frequency(self, term: Term) -> int:
        """How many documents hold the term."""

    def totals(self) -> tuple[int, int]:
        """How many documents have text, and how many tokens they hold in all."""

    def mentioned(self, document_id: str) -> list[tuple[str, str, str, list[str]]]:
        """The entities a document mentions: (id, name, type, every name they answer to)."""


class Store(Protocol):
    """What loads, questions, views, sync and the CLI may ask of a store, whichever backend."""

    backend: str

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc: object) -> None: ...

    @property
    def revision(self) -> int:
        """A counter that grows with every committed change."""

    @property
    def location(self) -> str:
        """Where the store is: a file path or a server URI (never with a password)."""

    # writes (an investigator's decisions are Changes: casegraph.graph.decisions)
    def load(self, sources: Iterable[Source], progress: Any = None) -> LoadSummary: ...
    def write_snapshot(self, snapshot: Snapshot) -> SnapshotCounts: ...
    def apply(self, change: Change) -> None: ...

    # decisions and what they read
    def decisions(self) -> list[DecisionRow]: ...
    def relations_by_id(self, rids: Iterable[str]) -> dict[str, RelationInfo]: ...
    def evidence_item(self, eid: str) -> EvidenceRow | None: ...
    def names_of(self, entity_id: str) -> list[NameRec]: ...
    def name_owner(self, type_: str, key: str) -> str | None: ...
    def next_seq(self) -> int: ...

    # the review queue's reads (casegraph.queries.review)
    def doubtful_relations(
        self, max_confidence: float, limit: int
    ) -> list[tuple[RelationInfo, float, int]]: ...
    def type_disagreements(self, limit: int) -> list[tuple[EntityRow, set[str], int, str]]: ...
    def shared_names(self, limit: int) -> list[tuple[str, list[EntityRow], int]]: ...

    # entities and names
    def entity(self, entity_id: str) -> EntityRow: ...
    def entities_by_id(self, ids: Iterable[str]) -> dict[str, EntityRow]: ...
    def resolve(self, text: str) -> EntityRow: ...
    @property
    def choices(self) -> list[tuple[str, EntityRow]]: ...
    def search(self, text: str, *, limit: int = 20) -> list[tuple[EntityRow, float]]: ...
    def entities(self, *, type: str | None = None, limit: int | None = None) -> list[EntityRow]: ...
    def xid_owner(self, xid: str) -> str | None: ...
    def support(self, ids: Iterable[str]) -> dict[str, tuple[int, int]]: ...
    def ids_by_name(self, key: str, type_: str | None = None) -> list[str]: ...
    def names_containing(self, key: str, cap: int) -> list[tuple[str, str]]: ...
    def fuzzy_candidates(self, key: str, limit: int) -> list[tuple[str, str]]: ...

    # relations, evidence, documents
    def relations_of(self, entity_id: str) -> list[RelationRow]: ...
    def evidence(
        self, relation_ids: Iterable[str], *, include_rejected: bool = True
    ) -> dict[str, list[EvidenceRow]]: ...
    def documents_of(self, entity_id: str) -> list[dict[str, Any]]: ...
    def documents(self) -> list[DocumentRow]: ...
    def document_text(self, document_id: str) -> str | None: ...
    def stats(self) -> dict[str, Any]: ...

    # the whole store, streamed
    def iter_entities(self) -> Iterator[EntityRow]: ...
    def iter_relations(self) -> Iterator[RelationTuple]: ...
    def iter_xids(self) -> Iterator[tuple[str, str]]: ...
    def iter_mentions(self) -> Iterator[tuple[str, str, str | None]]: ...

    # questions
    def graph(self) -> GraphAccess: ...
    def fulltext(self) -> TextSearch: ...

    # reads that must agree with each other (a command's, an export's)
    snapshot_reads: bool

    def reading(self) -> AbstractContextManager[None]: ...

    def close(self) -> None: ...


class StoreBase:
    """What both stores share, written once over each one's primitives: `resolve`, `search`."""

    # Whether reads inside `reading()` see one snapshot (embedded: yes; Neo4j reads committed
    # data as it is at each query, so an export there keeps only relations whose ends it holds).
    snapshot_reads = False

    def reading(self) -> AbstractContextManager[None]:
        """A block whose reads see one state of the store, where the backend can promise it."""
        return nullcontext()

    def __enter__(self) -> Self:
        return self

    def __exit__(self: Any, *exc: object) -> None:
        self.close()

    def entity(self: Any, entity_id: str) -> EntityRow:
        """The entity with this id."""
        found = self.entities_by_id([entity_id])
        if not found:
            raise EntityNotFound(entity_id)
        return found[entity_id]  # type: ignore[no-any-return]

    def evidence_item(self: Any, eid: str) -> EvidenceRow | None:
        """The evidence item an id names (None: no such item): its id, or the shorter id of
        older versions, which is the start of today's. Refused when a short id names several
        items of its relation (a store that kept both items of a colliding pair)."""
        rid = evidence_rid(eid)
        if rid is None:
            return None
        items = [e for e in self.evidence([rid]).get(rid, ()) if evidence_names(eid, e.id)]
        if len(items) > 1:
            raise UsageError(
                f"evidence id {eid!r} names {len(items)} items of relation {rid}: "
                f"{', '.join(e.id for e in items[:5])}; give the whole id"
            )
        return items[0] if items else None

    def resolve(self: Any, text: str) -> EntityRow:
        """The one entity that `text` names: by id, external id, TYPE:NAME, or name/alias."""
        text = text.strip()
        found = self.entities_by_id([text])
        if found:
            return found[text]
        owner = self.xid_owner(text)
        if owner:
            return self.entity(owner)
        key = normalize_name(text)
        ids = self.ids_by_name(key)
        if not ids and ":" in text:
            type_part, name_part = text.split(":", 1)
            try:
                etype = load_schema().entity_type(type_part.strip()).name
            except ValidationError:
                etype = None
            if etype:
                ids = self.ids_by_name(normalize_name(name_part), etype)
        if len(ids) == 1:
            return self.entity(ids[0])
        if len(ids) > 1:
            return self.best_named(text, key, ids)
        raise EntityNotFound(text, [e.name for e, _ in self.search(text, limit=3)])

    def best_named(self: Any, text: str, key: str, ids: list[str]) -> EntityRow:
        """The entity a name shared by several answers for: one whose own name it is over one
        that has it as an alias; among those, the best supported (most relations, then most
        documents, then id). The others come with it in `also`."""
        rows = self.entities_by_id(ids)
        named = [i for i in ids if normalize_name(rows[i].name) == key] or ids
        support = self.support(named)
        best = min(named, key=lambda i: (-support[i][0], -support[i][1], i))
        others = tuple(rows[i] for i in ids if i != best)
        chosen = replace(rows[best], also=others)
        self.choices.append((text, chosen))
        return chosen  # type: ignore[no-any-return]

    @property
    def choices(self: Any) -> list[tuple[str, EntityRow]]:
        """The names this store object answered for one of several entities: (name, chosen)."""
        if "_choices" not in self.__dict__:
            self.__dict__["_choices"] = []
        return self.__dict__["_choices"]  # type: ignore[no-any-return]

    def search(self: Store, text: str, *, limit: int = 20) -> list[tuple[EntityRow, float]]:
        """Entities whose names contain or resemble `text`, best first, with a score 0-100."""
        key = normalize_name(text)
        if not key:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        from rapidfuzz import fuzz, process

        scores: dict[str, float] = {}
        for name_key, entity_id in self.names_containing(key, SEARCH_CAP):
            score = 100.0 if name_key == key else 60.0 + 39.0 * len(key) / max(len(name_key), 1)
            scores[entity_id] = max(scores.get(entity_id, 0.0), score)
        if len(scores) < limit and len(key) <= MAX_FUZZY_CHARS:
            keys = self.fuzzy_candidates(key, limit)
            for _, score, idx in process.extract(
                key, [k for k, _ in keys], scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=70
            ):
                entity_id = keys[idx][1]
                scores[entity_id] = max(scores.get(entity_id, 0.0), min(float(score), 99.0) * 0.9)
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        rows = self.entities_by_id(entity_id for entity_id, _ in best)
        return [(rows[i], round(score, 1)) for i, score in best if i in rows]
