"""The store backends, and the one place a store is opened."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from casegraph.config import Config

if TYPE_CHECKING:
    from casegraph.graph.store import Store


def open_store(config: Config, *, create: bool = False, read_only: bool = False) -> Store:
    """The store the configuration names: Neo4j when a URI is set, else the embedded file.

    With create=False a missing embedded store is an error rather than a new empty file; with
    read_only the embedded store is opened for reading only (Neo4j questions run in read
    transactions whatever this says).
    """
    if config.neo4j_uri:
        from casegraph.backends.neo4j import Neo4jStore

        return Neo4jStore.connect(config)
    from casegraph.backends.sqlite import SqliteStore

    return SqliteStore(config.store, create=create, read_only=read_only)


def open_embedded(config: Config, *, create: bool = False) -> Store:
    """The embedded store of the configuration, even when it also names a Neo4j server (sync)."""
    return open_store(replace(config, neo4j_uri=None), create=create)
