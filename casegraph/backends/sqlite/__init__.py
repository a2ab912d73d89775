"""The embedded backend: a casegraph store in one SQLite file."""

from casegraph.backends.sqlite.store import SqliteStore

__all__ = ["SqliteStore"]
