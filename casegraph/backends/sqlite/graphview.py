"""The embedded store's graph for questions: its adjacency arrays per store state, shared in the
process and, for larger stores, kept memory-mappable beside the store, signed."""

from __future__ import annotations

import hashlib
import hmac
import os
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casegraph.backends.sqlite.adjacency import Adjacency, build, open_file, stamp, write
from casegraph.backends.sqlite.connection import Connection
from casegraph.graph.access import DROPPED, REJECTED
from casegraph.safefile import private_secret

if TYPE_CHECKING:
    import networkx as nx

# Stores with at least this many relations keep their adjacency on disk beside the store.
DISK_MIN_RELATIONS = 20_000
# An adjacency file is never opened when larger than this many bytes plus twice the store's
# files (a planted huge or sparse file); a real one is smaller than the store.
DISK_SLACK_BYTES = 64 << 20

# (real path, store uuid) -> the adjacency of the last state seen in this process.
ADJACENCY_CACHE: dict[tuple[str, str], Adjacency] = {}


@lru_cache(maxsize=1)
def user_secret() -> bytes | None:
    """This user's random secret for signing derived files (created once, mode 0600), or None
    when it cannot be kept (no writable cache folder): then nothing is kept on disk."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return private_secret(Path(base) / "casegraph" / "cache-secret")


def adjacency_path(store_path: Path) -> Path:
    """Where the adjacency is kept: `<store>.adjacency`, derived data, safe to delete."""
    return store_path.with_name(store_path.name + ".adjacency")


class GraphView:
    """The adjacency of one embedded store, for the state it is in."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.path = adjacency_path(conn.path)

    def adjacency(self) -> Adjacency:
        """The adjacency of the store's current state: this process's copy, else the file beside
        the store when it is this store's, of this state and signed by this user, else built
        from the tables (and then written beside the store when it is writable and large)."""
        key = (str(self.conn.path.resolve()), self.conn.uuid)
        state = stamp(self.conn.db)
        cached = ADJACENCY_CACHE.get(key)
        if cached is not None and cached.stamp == state:
            return cached
        adj = self._read(state)
        if adj is None:
            adj = build(self.conn.db, self.conn.uuid)
            if adj.m >= DISK_MIN_RELATIONS:
                self._write(adj)
        ADJACENCY_CACHE[key] = adj
        return adj

    def refresh(self) -> None:
        """After a write: bring the file beside the store up to the new state (large stores)."""
        if self.conn.read_only:
            return
        row = self.conn.db.execute("SELECT ifnull(max(id), 0) FROM relations").fetchone()
        if int(row[0]) >= DISK_MIN_RELATIONS:
            self.adjacency()

    def signing_key(self) -> bytes | None:
        """The key derived files of this store are signed with: the store's key AND this user's
        secret, since the store's key travels with the store: a file received with someone
        else's case is never trusted."""
        key, secret = self.conn.meta("cache_key"), user_secret()
        if not key or secret is None:
            return None
        return hmac.new(secret, bytes.fromhex(key), hashlib.sha256).digest()

    def _limit(self) -> int:
        total = 0
        for suffix in ("", "-wal"):
            with suppress(OSError):
                total += os.stat(str(self.conn.path) + suffix).st_size
        return 2 * total + DISK_SLACK_BYTES

    def _read(self, state: tuple[int, int, int, int]) -> Adjacency | None:
        key = self.signing_key()
        if key is None:
            return None
        return open_file(self.path, key, self.conn.uuid, state, self._limit())

    def _write(self, adj: Adjacency) -> None:
        key = self.signing_key()
        if key is None or self.conn.read_only:
            return  # never write beside a store opened for reading
        with suppress(OSError):  # a read-only folder or a full disk: the file only saves time
            write(adj, self.path, key)


def networkx_view(conn: Connection) -> nx.MultiDiGraph:
    """The whole store as a networkx MultiDiGraph (nodes: entity ids with name, type and review
    status; edges keyed by relation id with type, evidence count and review status): the
    reference the adjacency is checked against (`casegraph.graph.access.NxAccess`); questions
    never build it."""
    import networkx as nx

    db = conn.db
    graph: Any = nx.MultiDiGraph()
    graph.add_nodes_from(
        (i, {"name": n, "type": t, **({"status": st} if st else {})})
        for i, n, t, st in db.execute("SELECT id, name, type, status FROM entities")
    )
    # evidence counts leave rejected items out; a relation all of whose evidence was rejected
    # is as good as rejected
    graph.add_edges_from(
        (s, o, rid, {"type": t, "evidence": n,
                     **({"status": REJECTED if n == 0 and total else st} if st or (total and n == 0) else {})})
        for rid, s, t, o, st, n, total in db.execute(
            "SELECT r.rid, r.source_id, r.type, r.target_id, r.status,"
            " (SELECT count(*) FROM evidence e WHERE e.relation_id = r.id AND e.status IS NULL),"
            " (SELECT count(*) FROM evidence e WHERE e.relation_id = r.id)"
            " FROM relations r ORDER BY r.id"
        )
    )  # fmt: skip
    graph.graph["reviewed"] = any(
        d.get("status") == REJECTED for _, _, d in graph.edges(data=True)
    ) or any(d.get("status") == DROPPED for _, d in graph.nodes(data=True))
    return graph
