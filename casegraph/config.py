"""Typed configuration, built once from options and the environment and passed down explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_STORE = "casegraph.db"


@dataclass(frozen=True)
class Config:
    """Where the graph lives: an embedded store file, or a Neo4j server when a URI is given."""

    store: Path = Path(DEFAULT_STORE)
    neo4j_uri: str | None = None
    neo4j_username: str = "neo4j"
    neo4j_password: str | None = field(default=None, repr=False)
    neo4j_database: str = "neo4j"
    debug: bool = False

    @classmethod
    def from_env(
        cls,
        *,
        store: str | os.PathLike[str] | None = None,
        neo4j_uri: str | None = None,
        debug: bool = False,
        environ: dict[str, str] | None = None,
    ) -> Config:
        """Options win over the environment (CASEGRAPH_STORE, CASEGRAPH_NEO4J_URI, NEO4J_*)."""
        env = os.environ if environ is None else environ
        return cls(
            store=Path(store or env.get("CASEGRAPH_STORE") or DEFAULT_STORE),
            neo4j_uri=neo4j_uri or env.get("CASEGRAPH_NEO4J_URI") or None,
            neo4j_username=env.get("NEO4J_USERNAME") or "neo4j",
            neo4j_password=env.get("NEO4J_PASSWORD") or None,
            neo4j_database=env.get("NEO4J_DATABASE") or "neo4j",
            debug=debug,
        )
