"""The embedded store's graph view for questions: a networkx MultiDiGraph per store revision,
shared in the process and, when large, kept on disk beside the store, signed."""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
from contextlib import suppress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casegraph.backends.sqlite.connection import Connection
from casegraph.graph.access import DROPPED, REJECTED
from casegraph.safefile import private_secret, read_derived, write_bytes

if TYPE_CHECKING:
    import networkx as nx

# Graph views with at least this many relations are also cached on disk beside the store.
DISK_CACHE_MIN_RELATIONS = 20_000
# A cache file larger than this is never read (a planted huge or sparse file), nor one larger
# than twice its store (a view holds less than the store it is made from: 46 MB for 298 MB).
MAX_CACHE_BYTES = 4 << 30
MIN_CACHE_BOUND = 64 << 20

# (real path, store uuid) -> (revision, graph): the networkx view, rebuilt only when the store changed.
GRAPH_CACHE: dict[tuple[str, str], tuple[int, nx.MultiDiGraph]] = {}


@lru_cache(maxsize=1)
def user_secret() -> bytes | None:
    """This user's random secret for signing graph caches (created once, mode 0600), or None
    when it cannot be kept (no writable cache folder): then nothing is cached on disk."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return private_secret(Path(base) / "casegraph" / "cache-secret")


def cache_path(store_path: Path) -> Path:
    """Where the networkx view is cached: `<store>.graphcache`, derived data, safe to delete."""
    return store_path.with_name(store_path.name + ".graphcache")


class GraphView:
    """The networkx view of one embedded store."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cache_path = cache_path(conn.path)

    def graph(self) -> nx.MultiDiGraph:
        """The networkx view (nodes: entity ids; edges keyed by relation id), built once per
        store revision and shared; callers must not mutate it. Large views are also kept on disk
        (see `cache_path`), so a new process does not rebuild them from rows either."""
        key = (str(self.conn.path.resolve()), self.conn.uuid)
        revision = self.conn.revision
        cached = GRAPH_CACHE.get(key)
        if cached and cached[0] == revision:
            return cached[1]
        graph = self._read_cached(revision)
        if graph is None:
            graph = self._build()
            graph.graph["revision"] = revision
            if graph.number_of_edges() >= DISK_CACHE_MIN_RELATIONS:
                self._write_cached(graph, revision)
        GRAPH_CACHE[key] = (revision, graph)
        return graph

    def _mac(self, payload: bytes) -> bytes | None:
        """The cache's signature: keyed by the store's key AND this user's secret, since the
        store's key travels with the store: a case file and cache received from someone else
        must never be unpickled (that would run their code)."""
        key, secret = self.conn.meta("cache_key"), user_secret()
        if not key or secret is None:
            return None
        signing = hmac.new(secret, bytes.fromhex(key), hashlib.sha256).digest()
        return hmac.new(signing, payload, hashlib.sha256).digest()

    def _read_cached(self, revision: int) -> nx.MultiDiGraph | None:
        """The cached view if it is this store's, of this revision, and signed with its key (and a
        regular file, not a link, of a size a view of this store may have)."""
        blob = read_derived(self.cache_path, self._max_cache_bytes())
        if blob is None:
            return None
        mac, payload = blob[:32], blob[32:]
        expected = self._mac(payload)
        if expected is None or not hmac.compare_digest(mac, expected):
            return None
        try:
            uuid_, rev, graph = pickle.loads(payload)  # authenticated above
        except Exception:
            return None
        return graph if (uuid_, rev) == (self.conn.uuid, revision) else None  # type: ignore[no-any-return]

    def _max_cache_bytes(self) -> int:
        """The largest cache file a view of this store may have."""
        size = 0
        for suffix in ("", "-wal"):
            with suppress(OSError):
                size += os.stat(str(self.conn.path) + suffix).st_size
        return min(MAX_CACHE_BYTES, max(MIN_CACHE_BOUND, 2 * size))

    def _write_cached(self, graph: nx.MultiDiGraph, revision: int) -> None:
        payload = pickle.dumps((self.conn.uuid, revision, graph), protocol=pickle.HIGHEST_PROTOCOL)
        mac = self._mac(payload)
        if mac is None:
            return
        with suppress(
            OSError
        ):  # a read-only folder or a full disk: the cache is only an optimisation
            write_bytes(self.cache_path, mac + payload, mode=0o600)

    def _build(self) -> Any:
        import networkx as nx

        db = self.conn.db
        graph = nx.MultiDiGraph()
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
                " FROM relations r"
            )
        )  # fmt: skip
        graph.graph["reviewed"] = any(
            d.get("status") == REJECTED for _, _, d in graph.edges(data=True)
        ) or any(d.get("status") == DROPPED for _, d in graph.nodes(data=True))
        return graph
