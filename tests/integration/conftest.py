"""Fixtures for tests against a real Neo4j: the server from CASEGRAPH_TEST_NEO4J_URI, emptied per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.config import Config
from tests.conftest import neo4j_uri_or_skip, wipe_neo4j


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    """The test server's Bolt URI; skipped without one, a failure in CI (a skipped run is no run)."""
    return neo4j_uri_or_skip()


@pytest.fixture(scope="session")
def neo4j_password() -> str:
    return os.environ.get("NEO4J_PASSWORD", "casegraph-dev")


@pytest.fixture
def neo4j_config(neo4j_uri: str, neo4j_password: str) -> Config:
    return Config(neo4j_uri=neo4j_uri, neo4j_password=neo4j_password)


def wipe(config: Config) -> None:
    """Empty the database (data only; constraints and indexes stay)."""
    assert config.neo4j_uri
    wipe_neo4j(config.neo4j_uri, config.neo4j_password or "", config.neo4j_database)


@pytest.fixture
def neo(neo4j_config: Config) -> Iterator[Neo4jStore]:
    """A Neo4j store on an empty database."""
    wipe(neo4j_config)
    store = Neo4jStore.connect(neo4j_config)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "embedded.db") as store:
        yield store
