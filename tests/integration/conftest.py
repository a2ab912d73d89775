"""Fixtures for tests against a real Neo4j: the server from CASEGRAPH_TEST_NEO4J_URI, emptied per test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.config import Config
from casegraph.graph.neo4j_store import Neo4jStore
from casegraph.graph.sqlite_store import SqliteStore

NO_NEO4J = "no Neo4j: set CASEGRAPH_TEST_NEO4J_URI (scripts/neo4j start)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.neo4j)


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    """The test server's Bolt URI; skipped without one, a failure in CI (a skipped run is no run)."""
    uri = os.environ.get("CASEGRAPH_TEST_NEO4J_URI", "").strip()
    if not uri:
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"{NO_NEO4J}; integration tests must run in CI")
        pytest.skip(NO_NEO4J)
    return uri


@pytest.fixture(scope="session")
def neo4j_password() -> str:
    return os.environ.get("NEO4J_PASSWORD", "casegraph-dev")


@pytest.fixture
def neo4j_config(neo4j_uri: str, neo4j_password: str) -> Config:
    return Config(neo4j_uri=neo4j_uri, neo4j_password=neo4j_password)


def wipe(config: Config) -> None:
    """Empty the database (data only; constraints and indexes stay)."""
    import neo4j

    assert config.neo4j_uri
    auth = ("neo4j", config.neo4j_password or "")
    with neo4j.GraphDatabase.driver(config.neo4j_uri, auth=auth) as driver:
        with driver.session(database=config.neo4j_database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


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
