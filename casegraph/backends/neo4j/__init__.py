"""The Neo4j backend: a casegraph store on a Neo4j 5 server (one database)."""

from casegraph.backends.neo4j.store import Neo4jStore

__all__ = ["Neo4jStore"]
