"""The `store` fixture: an empty store of each backend, so one contract test runs on both."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.graph.store import Store
from tests.conftest import neo4j_uri_or_skip, wipe_neo4j


@pytest.fixture(params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store: the embedded one in a temporary folder, or the test Neo4j server wiped."""
    from casegraph.backends import open_store
    from casegraph.config import Config

    if request.param == "embedded":
        config = Config(store=tmp_path / "case.db")
    else:
        uri = neo4j_uri_or_skip()
        password = os.environ.get("NEO4J_PASSWORD", "casegraph-dev")
        wipe_neo4j(uri, password)
        config = Config(neo4j_uri=uri, neo4j_password=password)
    opened = open_store(config, create=True)
    try:
        yield opened
    finally:
        opened.close()
