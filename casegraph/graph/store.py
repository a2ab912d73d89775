"""The store interface both backends implement, and the one place a store is opened."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol, cast

from casegraph.config import Config
from casegraph.graph.model import Source
from casegraph.graph.records import (
    DocumentRow,
    EntityRow,
    EvidenceRow,
    LoadSummary,
    RelationRow,
)


class Store(Protocol):
    """What queries, views and the CLI may ask of a store, whichever backend keeps it."""

    backend: str

    def load(self, sources: Iterable[Source], progress: Any = None) -> LoadSummary: ...
    def merge(self, keep: str, drop: str) -> EntityRow: ...
    def alias(self, entity: str, name: str) -> EntityRow: ...
    def entity(self, entity_id: str) -> EntityRow: ...
    def resolve(self, text: str) -> EntityRow: ...
    def search(self, text: str, *, limit: int = 20) -> list[tuple[EntityRow, float]]: ...
    def entities(self, *, type: str | None = None, limit: int | None = None) -> list[EntityRow]: ...
    def relations_of(self, entity_id: str) -> list[RelationRow]: ...
    def evidence(self, relation_ids: Iterable[int]) -> dict[int, list[EvidenceRow]]: ...
    def documents_of(self, entity_id: str) -> list[dict[str, str]]: ...
    def documents(self) -> list[DocumentRow]: ...
    def stats(self) -> dict[str, Any]: ...
    def iter_entities(self) -> Iterator[EntityRow]: ...
    def iter_relations(self) -> Iterator[tuple[int, str, str, str, dict[str, Any]]]: ...
    def close(self) -> None: ...


class EmbeddedStore(Store, Protocol):
    """A store that answers queries with networkx: it exposes its cached graph view."""

    def graph(self) -> Any: ...


def nx_graph(store: Store) -> Any:
    """The networkx view of an embedded store (queries call this only when backend != neo4j)."""
    return cast("EmbeddedStore", store).graph()


def open_store(config: Config, *, create: bool = False) -> Store:
    """The store the configuration names: Neo4j when a URI is set, else the embedded file.

    With create=False a missing embedded store is an error rather than a new empty file.
    """
    if config.neo4j_uri:
        from casegraph.graph.neo4j_store import Neo4jStore

        return Neo4jStore.connect(config)  # type: ignore[no-any-return]
    from casegraph.graph.sqlite_store import SqliteStore

    return SqliteStore(config.store, create=create)
