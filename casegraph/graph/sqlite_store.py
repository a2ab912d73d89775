"""The embedded store: one SQLite file is the truth; a networkx view is built per revision and cached."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pickle
import re
import secrets
import sqlite3
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha1
from pathlib import Path
from typing import TYPE_CHECKING, Any

from casegraph.errors import AmbiguousEntity, EntityNotFound, StoreError, ValidationError
from casegraph.graph.model import (
    Document,
    EntityFact,
    EntityRef,
    Evidence,
    RelationFact,
    Source,
    check_endpoints,
    normalize_name,
)
from casegraph.graph.records import (
    DocumentRow,
    EntityRow,
    EvidenceRow,
    LoadSummary,
    RelationRow,
)
from casegraph.graph.resolve import FUZZY_CANDIDATES, block, blocks_near, fuzzy_equal, match_key
from casegraph.graph.schema import WEAK, load_schema
from casegraph.graph.sqlite_ddl import APPLICATION_ID, DDL, SCHEMA_VERSION

if TYPE_CHECKING:
    import networkx as nx

# How long a writer waits for another writer's lock before giving up (seconds).
BUSY_TIMEOUT = 60.0
# A limit beyond any store's size (larger ones would overflow SQLite's 64-bit integers).
MAX_LIMIT = 1 << 31
# Graph views with at least this many relations are also cached on disk beside the store.
DISK_CACHE_MIN_RELATIONS = 20_000

Progress = Callable[[str, int], None]

# (real path, store uuid) -> (revision, graph): the networkx view, rebuilt only when the store changed.
_GRAPH_CACHE: dict[tuple[str, str], tuple[int, nx.MultiDiGraph]] = {}


def _note(message: str) -> None:
    """A note for the person at the terminal: on stderr, never stdout (which carries data)."""
    import sys

    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@lru_cache(maxsize=1)
def _user_secret() -> bytes | None:
    """This user's random secret for signing graph caches (created once, mode 0600), or None
    when it cannot be kept (no writable cache folder): then nothing is cached on disk."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    path = Path(base) / "casegraph" / "cache-secret"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            data = path.read_bytes()
            return data if len(data) >= 32 else None
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


def _on_read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return False


def _is_busy(error: sqlite3.OperationalError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


class SqliteStore:
    """A casegraph store in one SQLite file (created on first write)."""

    backend = "embedded"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """Open (or create) the store; on_wait hears when a write has to wait for another
        process (default: a note on stderr)."""
        self.path = Path(path)
        self.on_wait: Callable[[str], None] | None = on_wait or _note
        if not create and not self.path.exists():
            raise StoreError(
                f"no store at {self.path} (run 'casegraph load' or 'casegraph demo' first)"
            )
        try:
            self.read_only = self.path.is_file() and _on_read_only_fs(self.path)
            if self.read_only:  # write-blocked media: no -shm can be made, nobody can write
                target: str | Path = Path(self.path).resolve().as_uri() + "?immutable=1"
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                target = self.path
            self.db = sqlite3.connect(
                target, timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False,
                uri=self.read_only,
            )  # fmt: skip
            self.db.execute("PRAGMA foreign_keys = ON")
            self._prepare()
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: not a usable casegraph store ({e})") from e
        except OSError as e:
            raise StoreError(f"{self.path}: cannot open store ({e.strerror or e})") from e

    # ------------------------------------------------------------------ set-up
    def _prepare(self) -> None:
        if self._tables() == 0:
            self.db.execute("PRAGMA journal_mode = WAL")
            try:
                with self._write():
                    if self._tables():  # another process created the store meanwhile
                        raise _NothingNew
                    for statement in DDL.split(";\n"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.executemany(
                        "INSERT INTO meta(key, value) VALUES (?, ?)",
                        [
                            ("uuid", uuid.uuid4().hex),
                            ("revision", "0"),
                            ("created_at", _now()),
                            ("cache_key", secrets.token_hex(32)),
                        ],
                    )
                    self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                    self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            except _NothingNew:
                pass
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if app_id != APPLICATION_ID:
            raise StoreError(f"{self.path} is a SQLite file but not a casegraph store")
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema version {version}; this casegraph reads {SCHEMA_VERSION}"
            )
        self.db.execute("PRAGMA synchronous = FULL")
        self.uuid = self._meta("uuid")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _meta(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else ""

    @property
    def revision(self) -> int:
        """A counter that grows with every committed change: caches key on it."""
        return int(self._meta("revision") or 0)

    def _tables(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])

    def _begin(self) -> None:
        """BEGIN IMMEDIATE; when another process holds the write lock, say so (on_wait), then
        wait for it BUSY_TIMEOUT seconds at most, rather than seem to hang."""
        if self.read_only:
            raise StoreError(f"{self.path}: the store is on a read-only file system")
        busy_ms = int(BUSY_TIMEOUT * 1000)
        try:
            self.db.execute("PRAGMA busy_timeout = 0")
            try:
                self.db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e):
                    raise
            if self.on_wait:
                self.on_wait(
                    f"waiting for another casegraph process to finish writing {self.path} "
                    f"(up to {BUSY_TIMEOUT:.0f} s)..."
                )
            self.db.execute(f"PRAGMA busy_timeout = {busy_ms}")
            try:
                self.db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as e:
                if _is_busy(e):
                    raise StoreError(
                        f"{self.path}: another process has been writing to the store for "
                        f"{BUSY_TIMEOUT:.0f} s; try again when it has finished"
                    ) from e
                raise
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: store is busy or read-only ({e})") from e
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {busy_ms}")

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction: all of it commits, or none of it (errors, Ctrl-C, kill)."""
        self._begin()
        try:
            yield
            self.db.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'"
            )
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------------ writes
    def load(self, sources: Iterable[Source], progress: Progress | None = None) -> LoadSummary:
        """Write every source in one transaction; a document already loaded changes nothing."""
        summary = LoadSummary()
        try:
            with self._write():
                writer = _Writer(self, summary, progress)
                for source in sources:
                    writer.write(source)
                if summary.documents_new == 0:
                    raise _NothingNew
        except _NothingNew:
            pass
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: write failed ({e})") from e
        return summary

    def merge(self, keep: str, drop: str) -> EntityRow:
        """Fold entity `drop` into `keep`: names, ids, relations and mentions move; recorded."""
        a, b = self.resolve(keep), self.resolve(drop)
        if a.id == b.id:
            raise ValidationError(f"{keep!r} and {drop!r} are already one entity ({a.id})")
        if a.type != b.type:
            raise ValidationError(
                f"cannot merge a {b.type} into a {a.type} ({b.name!r} -> {a.name!r})"
            )
        with self._write():
            _fold(self.db, a.id, b.id)
            self._record("merge", {"keep": a.id, "drop": b.id, "drop_name": b.name})
        return self.entity(a.id)

    def alias(self, entity: str, name: str) -> EntityRow:
        """Give an entity another name it answers to; refused if another entity has that name."""
        row = self.resolve(entity)
        key = normalize_name(name)
        if not key:
            raise ValidationError("an alias cannot be empty")
        owner = self.db.execute(
            "SELECT entity_id FROM names WHERE type = ? AND key = ?", (row.type, key)
        ).fetchone()
        if owner and owner[0] != row.id:
            raise ValidationError(
                f"{name!r} already names {owner[0]}; use 'casegraph merge' to join them"
            )
        mkey = match_key(name, row.type)
        with self._write():
            self.db.execute(
                "INSERT OR IGNORE INTO names(type, key, mkey, block, entity_id, name)"
                " VALUES (?,?,?,?,?,?)",
                (row.type, key, mkey, block(mkey), row.id, name.strip()),
            )
            self._record("alias", {"entity": row.id, "name": name})
        return self.entity(row.id)

    def _record(self, action: str, payload: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO decisions(at, action, payload) VALUES (?, ?, ?)",
            (_now(), action, json.dumps(payload, ensure_ascii=False)),
        )

    # ------------------------------------------------------------------ reads
    def entity(self, entity_id: str) -> EntityRow:
        """The entity with this id."""
        row = self.db.execute(
            "SELECT id, name, type, properties FROM entities WHERE id = ?", (entity_id,)
        ).fetchone()
        if row is None:
            raise EntityNotFound(entity_id)
        return self._entity_row(row)

    def _entity_row(self, row: tuple[Any, ...]) -> EntityRow:
        id_, name, type_, props = row
        aliases = tuple(
            n
            for (n,) in self.db.execute(
                "SELECT name FROM names WHERE entity_id = ? ORDER BY name", (id_,)
            )
            if normalize_name(n) != normalize_name(name)
        )
        return EntityRow(id_, name, type_, aliases, json.loads(props))

    def resolve(self, text: str) -> EntityRow:
        """The one entity that `text` names: by id, external id, TYPE:NAME, or name/alias."""
        text = text.strip()
        row = self.db.execute(
            "SELECT id, name, type, properties FROM entities WHERE id = ?", (text,)
        ).fetchone()
        if row:
            return self._entity_row(row)
        xid = self.db.execute("SELECT entity_id FROM xids WHERE xid = ?", (text,)).fetchone()
        if xid:
            return self.entity(xid[0])
        ids = self._ids_by_name(text)
        if not ids and ":" in text:
            type_part, name_part = text.split(":", 1)
            try:
                etype = load_schema().entity_type(type_part.strip()).name
            except ValidationError:
                etype = None
            if etype:
                ids = self._ids_by_name(name_part, etype)
        if len(ids) == 1:
            return self.entity(ids[0])
        if len(ids) > 1:
            rows = [self.entity(i) for i in ids]
            raise AmbiguousEntity(text, [f"{r.type}:{r.name} ({r.id})" for r in rows])
        raise EntityNotFound(text, [e.name for e, _ in self.search(text, limit=3)])

    def _ids_by_name(self, name: str, type_: str | None = None) -> list[str]:
        key = normalize_name(name)
        if type_:
            rows = self.db.execute(
                "SELECT DISTINCT entity_id FROM names WHERE key = ? AND type = ?", (key, type_)
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT DISTINCT entity_id FROM names WHERE key = ?", (key,)
            ).fetchall()
        return sorted(r[0] for r in rows)

    def search(self, text: str, *, limit: int = 20) -> list[tuple[EntityRow, float]]:
        """Entities whose names contain or resemble `text`, best first, with a score 0-100."""
        key = normalize_name(text)
        if not key:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        from rapidfuzz import fuzz, process

        scores: dict[str, float] = {}
        pattern = "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        for entity_id, name_key in self.db.execute(
            "SELECT entity_id, key FROM names WHERE key LIKE ? ESCAPE '\\' LIMIT 5000", (pattern,)
        ):
            score = 100.0 if name_key == key else 60.0 + 39.0 * len(key) / max(len(name_key), 1)
            scores[entity_id] = max(scores.get(entity_id, 0.0), score)
        if len(scores) < limit:
            keys = self.db.execute("SELECT key, entity_id FROM names").fetchall()
            for _, score, idx in process.extract(
                key, [k for k, _ in keys], scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=70
            ):
                entity_id = keys[idx][1]
                scores[entity_id] = max(scores.get(entity_id, 0.0), min(float(score), 99.0) * 0.9)
        best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [(self.entity(entity_id), round(score, 1)) for entity_id, score in best]

    def entities(self, *, type: str | None = None, limit: int | None = None) -> list[EntityRow]:
        """Entities, the most connected first (then by name), optionally of one type."""
        sql = (
            "SELECT e.id, e.name, e.type, e.properties,"
            " (SELECT count(*) FROM relations r WHERE r.source_id = e.id)"
            " + (SELECT count(*) FROM relations r WHERE r.target_id = e.id) AS degree"
            " FROM entities e"
        )
        params: list[Any] = []
        if type:
            sql += " WHERE e.type = ?"
            params.append(load_schema().entity_type(type).name)
        sql += " ORDER BY degree DESC, e.name COLLATE NOCASE"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(min(int(limit), MAX_LIMIT))
        return [self._entity_row(row[:4]) for row in self.db.execute(sql, params).fetchall()]

    def relations_of(self, entity_id: str) -> list[RelationRow]:
        """Every relation of an entity, outgoing and incoming, with its evidence."""
        rows = self.db.execute(
            "SELECT id, type, 'out', target_id, properties FROM relations WHERE source_id = ?"
            " UNION ALL "
            "SELECT id, type, 'in', source_id, properties FROM relations WHERE target_id = ?"
            " ORDER BY 2, 3",
            (entity_id, entity_id),
        ).fetchall()
        evidence = self.evidence([r[0] for r in rows])
        others = {r[3]: self.entity(r[3]) for r in rows}
        return [
            RelationRow(rid, rtype, direction, others[other], tuple(evidence.get(rid, ())),
                        json.loads(props))
            for rid, rtype, direction, other, props in rows
        ]  # fmt: skip

    def evidence(self, relation_ids: Iterable[int]) -> dict[int, list[EvidenceRow]]:
        """The evidence of each relation, the most confident first."""
        ids = list(relation_ids)
        out: dict[int, list[EvidenceRow]] = {}
        for row in self.db.execute(
            'SELECT e.relation_id, e.document_id, d.title, e.quote, e.start, e."end",'
            " e.extractor, e.confidence, e.locator FROM evidence e"
            " JOIN documents d ON d.id = e.document_id"
            " WHERE e.relation_id IN (SELECT value FROM json_each(?))"
            " ORDER BY e.relation_id, e.confidence DESC, d.title, e.start, e.locator",
            (json.dumps(ids),),
        ):
            out.setdefault(row[0], []).append(EvidenceRow(*row[1:]))
        return out

    def relation_ends(self, relation_id: int) -> tuple[str, str, str]:
        """(source id, type, target id) of a relation."""
        row = self.db.execute(
            "SELECT source_id, type, target_id FROM relations WHERE id = ?", (relation_id,)
        ).fetchone()
        if row is None:
            raise EntityNotFound(f"relation {relation_id}")
        return row[0], row[1], row[2]

    def documents_of(self, entity_id: str) -> list[dict[str, str]]:
        """The documents that mention an entity."""
        return [
            {"id": i, "title": t, "path": p}
            for i, t, p in self.db.execute(
                "SELECT d.id, d.title, d.path FROM mentions m JOIN documents d"
                " ON d.id = m.document_id WHERE m.entity_id = ? ORDER BY d.title",
                (entity_id,),
            )
        ]

    def documents(self) -> list[DocumentRow]:
        """Loaded documents, the most recent first, with how many entities and relations each gave."""
        rows = self.db.execute(
            "SELECT d.id, d.title, d.path, d.loader, d.published, d.loaded_at,"
            " (SELECT count(*) FROM mentions m WHERE m.document_id = d.id),"
            " (SELECT count(DISTINCT relation_id) FROM evidence e WHERE e.document_id = d.id),"
            " d.properties FROM documents d ORDER BY d.loaded_at DESC, d.title"
        ).fetchall()
        return [
            DocumentRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], json.loads(r[8]))
            for r in rows
        ]

    def document_text(self, document_id: str) -> str | None:
        row = self.db.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
        return row[0] if row else None

    def stats(self) -> dict[str, Any]:
        """Counts: documents, entities by type, relations by type, evidence."""
        one = self.db.execute
        return {
            "backend": self.backend,
            "store": str(self.path),
            "revision": self.revision,
            "documents": one("SELECT count(*) FROM documents").fetchone()[0],
            "entities": one("SELECT count(*) FROM entities").fetchone()[0],
            "relations": one("SELECT count(*) FROM relations").fetchone()[0],
            "evidence": one("SELECT count(*) FROM evidence").fetchone()[0],
            "entity_types": dict(
                one("SELECT type, count(*) FROM entities GROUP BY type ORDER BY 2 DESC, 1")
            ),
            "relation_types": dict(
                one("SELECT type, count(*) FROM relations GROUP BY type ORDER BY 2 DESC, 1")
            ),
        }

    def iter_entities(self) -> Iterator[EntityRow]:
        """Every entity with its aliases, in id order (for exports)."""
        aliases: dict[str, list[str]] = {}
        names = {i: n for i, n in self.db.execute("SELECT id, name FROM entities")}
        for entity_id, name in self.db.execute("SELECT entity_id, name FROM names ORDER BY name"):
            if normalize_name(name) != normalize_name(names.get(entity_id, "")):
                aliases.setdefault(entity_id, []).append(name)
        for id_, name, type_, props in self.db.execute(
            "SELECT id, name, type, properties FROM entities ORDER BY id"
        ):
            yield EntityRow(id_, name, type_, tuple(aliases.get(id_, ())), json.loads(props))

    def iter_relations(self) -> Iterator[tuple[int, str, str, str, dict[str, Any]]]:
        """Every relation as (id, source id, type, target id, properties), in id order."""
        for rid, s, t, o, props in self.db.execute(
            "SELECT id, source_id, type, target_id, properties FROM relations ORDER BY id"
        ):
            yield rid, s, t, o, json.loads(props)

    # ------------------------------------------------------------------ graph view
    def graph(self) -> nx.MultiDiGraph:
        """The networkx view of the store (nodes: entity ids; edges keyed by relation id).

        Built once per store revision and shared; callers must not mutate it. Large views are
        also kept on disk beside the store (see `cache_path`), so a new process does not rebuild
        them from rows either.
        """
        cache_key = (str(self.path.resolve()), self.uuid)
        revision = self.revision
        cached = _GRAPH_CACHE.get(cache_key)
        if cached and cached[0] == revision:
            return cached[1]
        graph = self._read_cached_graph(revision)
        if graph is None:
            graph = self._build_graph()
            graph.graph["revision"] = revision
            if graph.number_of_edges() >= DISK_CACHE_MIN_RELATIONS:
                self._write_cached_graph(graph, revision)
        _GRAPH_CACHE[cache_key] = (revision, graph)
        return graph

    @property
    def cache_path(self) -> Path:
        """Where the networkx view is cached: `<store>.graphcache`, derived data, safe to delete."""
        return self.path.with_name(self.path.name + ".graphcache")

    def _cache_mac(self, payload: bytes) -> bytes | None:
        """The cache's signature: keyed by the store's key AND this user's secret, since the
        store's key travels with the store: a case file and cache received from someone else
        must never be unpickled (that would run their code)."""
        key, secret = self._meta("cache_key"), _user_secret()
        if not key or secret is None:
            return None
        signing = hmac.new(secret, bytes.fromhex(key), hashlib.sha256).digest()
        return hmac.new(signing, payload, hashlib.sha256).digest()

    def _read_cached_graph(self, revision: int) -> nx.MultiDiGraph | None:
        """The cached view if it is this store's, of this revision, and signed with its key.

        The signature (HMAC-SHA256 with a random key kept inside the store) means a cache file
        planted or copied from elsewhere is never unpickled.
        """
        try:
            blob = self.cache_path.read_bytes()
        except OSError:
            return None
        mac, payload = blob[:32], blob[32:]
        expected = self._cache_mac(payload)
        if expected is None or not hmac.compare_digest(mac, expected):
            return None
        try:
            uuid_, rev, graph = pickle.loads(payload)  # authenticated above
        except Exception:
            return None
        return graph if (uuid_, rev) == (self.uuid, revision) else None

    def _write_cached_graph(self, graph: nx.MultiDiGraph, revision: int) -> None:
        payload = pickle.dumps((self.uuid, revision, graph), protocol=pickle.HIGHEST_PROTOCOL)
        mac = self._cache_mac(payload)
        if mac is None:
            return
        tmp = self.cache_path.with_name(self.cache_path.name + f".{os.getpid()}.tmp")
        try:
            tmp.write_bytes(mac + payload)
            os.chmod(tmp, 0o600)
            tmp.replace(self.cache_path)
        except OSError:  # a read-only folder or a full disk: the cache is only an optimisation
            tmp.unlink(missing_ok=True)

    def _build_graph(self) -> nx.MultiDiGraph:
        import networkx as nx

        graph = nx.MultiDiGraph()
        graph.add_nodes_from(
            (i, {"name": n, "type": t})
            for i, n, t in self.db.execute("SELECT id, name, type FROM entities")
        )
        graph.add_edges_from(
            (s, o, rid, {"type": t, "evidence": n})
            for rid, s, t, o, n in self.db.execute(
                "SELECT r.id, r.source_id, r.type, r.target_id,"
                " (SELECT count(*) FROM evidence e WHERE e.relation_id = r.id)"
                " FROM relations r"
            )
        )
        return graph


class _NothingNew(Exception):
    """Raised inside a load that added no document, to roll it back without a revision bump."""


class _Writer:
    """Resolves and writes the facts of one load inside its transaction."""

    def __init__(self, store: SqliteStore, summary: LoadSummary, progress: Progress | None):
        self.store = store
        self.db = store.db
        self.summary = summary
        self.progress = progress
        self.schema = load_schema()
        self.new_entities: set[str] = set()
        self.new_relations: set[int] = set()
        self.type_of: dict[str, str] = {}

    def write(self, source: Source) -> None:
        doc = source.document
        if self.db.execute("SELECT 1 FROM documents WHERE id = ?", (doc.id,)).fetchone():
            self.summary.documents_unchanged += 1
            return
        self._insert_document(doc)
        self.summary.documents_new += 1
        self.summary.documents.append(doc.title)
        count = 0
        for fact in source.facts:
            try:
                if isinstance(fact, EntityFact):
                    self._entity(fact, doc.id)
                elif isinstance(fact, RelationFact):
                    self._relation(fact, doc.id)
                else:
                    raise ValidationError(f"not a fact: {type(fact).__name__}")
            except ValidationError as e:
                raise ValidationError(f"{doc.path}: {e}") from None
            count += 1
            if self.progress and count % 1000 == 0:
                self.progress(doc.title, count)
        if self.progress:
            self.progress(doc.title, count)
        skipped = doc.properties.get("skipped") if doc.properties else None
        if isinstance(skipped, dict):
            for reason, n in skipped.items():
                self.summary.skipped[reason] = self.summary.skipped.get(reason, 0) + int(n)

    def _insert_document(self, doc: Document) -> None:
        self.db.execute(
            "INSERT INTO documents(id, title, path, loader, published, loaded_at, text, properties)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, doc.title, doc.path, doc.loader, doc.published, _now(), doc.text,
             json.dumps(dict(doc.properties), ensure_ascii=False, default=str)),
        )  # fmt: skip

    # -- entities
    def _entity(self, fact: EntityFact, doc_id: str) -> str:
        entity_id = self._find(fact)
        if entity_id is None:
            entity_id = self._create(fact.type, fact.name, fact.properties)
        else:
            self._enrich(entity_id, fact)
        for alias in fact.aliases:
            self._add_name(entity_id, fact.type, alias)
        if fact.xid:
            self.db.execute(
                "INSERT OR IGNORE INTO xids(xid, entity_id) VALUES (?, ?)", (fact.xid, entity_id)
            )
        self.db.execute(
            "INSERT OR IGNORE INTO mentions(document_id, entity_id) VALUES (?, ?)",
            (doc_id, entity_id),
        )
        return entity_id

    def _find(self, fact: EntityFact) -> str | None:
        if fact.xid:
            row = self.db.execute(
                "SELECT entity_id FROM xids WHERE xid = ?", (fact.xid,)
            ).fetchone()
            if row:
                return str(row[0])
        for name in (fact.name, *fact.aliases):
            row = self.db.execute(
                "SELECT entity_id FROM names WHERE type = ? AND key = ?",
                (fact.type, normalize_name(name)),
            ).fetchone()
            if row:
                return str(row[0])
        return self._loose_match(fact.type, fact.name)

    def _loose_match(self, type_: str, name: str) -> str | None:
        """One entity of this type whose match key equals (or fuzzily equals) the name's."""
        mkey = match_key(name, type_)
        if not mkey:  # a name of punctuation or symbols only ("?", "😀"): exact keys alone
            return None
        ids = {
            r[0]
            for r in self.db.execute(
                "SELECT entity_id FROM names INDEXED BY names_mkey WHERE type = ? AND mkey = ?",
                (type_, mkey),
            )
        }
        if len(ids) == 1:
            return ids.pop()
        if ids or len(mkey) < 8:
            return None
        blocks = blocks_near(mkey)
        near = {
            entity_id
            for entity_id, other in self.db.execute(
                "SELECT entity_id, mkey FROM names INDEXED BY names_block WHERE type = ?"
                " AND block IN (SELECT value FROM json_each(?)) LIMIT ?",
                (type_, json.dumps(blocks), FUZZY_CANDIDATES),
            )
            if fuzzy_equal(mkey, other)
        }
        return near.pop() if len(near) == 1 else None

    def _create(self, type_: str, name: str, properties: Any) -> str:
        key = normalize_name(name)
        base = f"{type_.lower()}:{_slug(key) or sha1(key.encode()).hexdigest()[:10]}"
        entity_id = base
        if self.db.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone():
            entity_id = f"{base}-{sha1(f'{type_}|{key}'.encode()).hexdigest()[:8]}"
            n = 2
            while self.db.execute("SELECT 1 FROM entities WHERE id = ?", (entity_id,)).fetchone():
                entity_id = f"{base}-{n}"
                n += 1
        self.db.execute(
            "INSERT INTO entities(id, type, name, properties) VALUES (?, ?, ?, ?)",
            (entity_id, type_, name,
             json.dumps(dict(properties or {}), ensure_ascii=False, default=str)),
        )  # fmt: skip
        self._add_name(entity_id, type_, name)
        self.new_entities.add(entity_id)
        self.type_of[entity_id] = type_
        self.summary.entities_new += 1
        return entity_id

    def _enrich(self, entity_id: str, fact: EntityFact) -> None:
        if entity_id not in self.new_entities:
            self.summary.entities_merged += 1
        self._add_name(entity_id, fact.type, fact.name)
        if fact.properties:
            row = self.db.execute(
                "SELECT properties FROM entities WHERE id = ?", (entity_id,)
            ).fetchone()
            props = json.loads(row[0])
            added = {k: v for k, v in fact.properties.items() if k not in props}
            if added:
                props.update(added)
                self.db.execute(
                    "UPDATE entities SET properties = ? WHERE id = ?",
                    (json.dumps(props, ensure_ascii=False, default=str), entity_id),
                )

    def _add_name(self, entity_id: str, type_: str, name: str) -> None:
        key = normalize_name(name)
        if key:
            mkey = match_key(name, type_)
            self.db.execute(
                "INSERT OR IGNORE INTO names(type, key, mkey, block, entity_id, name)"
                " VALUES (?,?,?,?,?,?)",
                (type_, key, mkey, block(mkey), entity_id, name),
            )

    # -- relations
    def _ref(self, ref: EntityRef, rtype: str, side: str, locator: str | None, doc_id: str) -> str:
        if ref.xid:
            row = self.db.execute(
                "SELECT entity_id FROM xids WHERE xid = ? UNION ALL SELECT id FROM entities"
                " WHERE id = ?",
                (ref.xid, ref.xid),
            ).fetchone()
            if row:
                return str(row[0])
            if not ref.name:
                raise ValidationError(f"{locator + ': ' if locator else ''}unknown id {ref.xid!r}")
        assert ref.name is not None
        if ref.type:
            fact = EntityFact(ref.type, ref.name, xid=ref.xid)
            return self._entity(fact, doc_id)
        ids = self.store._ids_by_name(ref.name)
        if len(ids) > 1:
            spec = self.schema.relation_type(rtype)
            allowed = spec.source if side == "source" else spec.target
            ids = [i for i in ids if "*" in allowed or self._type(i) in allowed]
        if len(ids) == 1:
            self.db.execute(
                "INSERT OR IGNORE INTO mentions(document_id, entity_id) VALUES (?, ?)",
                (doc_id, ids[0]),
            )
            return ids[0]
        where = f"{locator}: " if locator else ""
        if not ids:
            raise ValidationError(
                f"{where}unknown {side} {ref.name!r}: declare it on an entity line or give {side}_type"
            )
        raise ValidationError(f"{where}{side} {ref.name!r} is ambiguous; give {side}_type")

    def _type(self, entity_id: str) -> str:
        if entity_id not in self.type_of:
            row = self.db.execute("SELECT type FROM entities WHERE id = ?", (entity_id,)).fetchone()
            self.type_of[entity_id] = row[0]
        return self.type_of[entity_id]

    def _relation(self, fact: RelationFact, doc_id: str) -> None:
        source = self._ref(fact.source, fact.type, "source", fact.locator, doc_id)
        target = self._ref(fact.target, fact.type, "target", fact.locator, doc_id)
        if source == target:
            self.summary.skipped["self-relation"] = self.summary.skipped.get("self-relation", 0) + 1
            return
        check_endpoints(fact.type, self._type(source), self._type(target), fact.locator)
        if fact.type == WEAK and target < source:
            source, target = target, source
        row = self.db.execute(
            "SELECT id FROM relations WHERE source_id = ? AND type = ? AND target_id = ?",
            (source, fact.type, target),
        ).fetchone()
        if row is None:
            cursor = self.db.execute(
                "INSERT INTO relations(source_id, type, target_id, properties) VALUES (?,?,?,?)",
                (source, fact.type, target,
                 json.dumps(dict(fact.properties), ensure_ascii=False, default=str)),
            )  # fmt: skip
            relation_id = int(cursor.lastrowid or 0)
            self.new_relations.add(relation_id)
            self.summary.relations_new += 1
        else:
            relation_id = int(row[0])
            if relation_id not in self.new_relations:
                self.summary.relations_merged += 1
        self._evidence(relation_id, fact.evidence, doc_id)

    def _evidence(self, relation_id: int, items: Iterable[Evidence], doc_id: str) -> None:
        for ev in items:
            if ev.document_id != doc_id:
                raise ValidationError(
                    f"evidence cites document {ev.document_id[:12]}, not the one being loaded"
                )
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO evidence(relation_id, document_id, quote, start, \"end\","
                " extractor, confidence, locator) VALUES (?,?,?,?,?,?,?,?)",
                (relation_id, ev.document_id, ev.quote, ev.start, ev.end, ev.extractor,
                 ev.confidence, ev.locator),
            )  # fmt: skip
            self.summary.evidence_added += cursor.rowcount


def _fold(db: sqlite3.Connection, keep: str, drop: str) -> None:
    """Move everything of entity `drop` onto `keep`, merging relations that become duplicates."""
    db.execute("UPDATE OR IGNORE names SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("DELETE FROM names WHERE entity_id = ?", (drop,))
    db.execute("UPDATE xids SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("INSERT OR IGNORE INTO xids(xid, entity_id) VALUES (?, ?)", (drop, keep))
    db.execute("UPDATE OR IGNORE mentions SET entity_id = ? WHERE entity_id = ?", (keep, drop))
    db.execute("DELETE FROM mentions WHERE entity_id = ?", (drop,))
    rows = db.execute(
        "SELECT id, source_id, type, target_id FROM relations WHERE source_id = ? OR target_id = ?",
        (drop, drop),
    ).fetchall()
    for rid, s, t, o in rows:
        s, o = (keep if s == drop else s), (keep if o == drop else o)
        if s == o:
            db.execute("DELETE FROM evidence WHERE relation_id = ?", (rid,))
            db.execute("DELETE FROM relations WHERE id = ?", (rid,))
            continue
        if t == WEAK and o < s:
            s, o = o, s
        twin = db.execute(
            "SELECT id FROM relations WHERE source_id = ? AND type = ? AND target_id = ?",
            (s, t, o),
        ).fetchone()
        if twin and twin[0] != rid:
            db.execute("UPDATE OR IGNORE evidence SET relation_id = ? WHERE relation_id = ?",
                       (twin[0], rid))  # fmt: skip
            db.execute("DELETE FROM evidence WHERE relation_id = ?", (rid,))
            db.execute("DELETE FROM relations WHERE id = ?", (rid,))
        else:
            db.execute(
                "UPDATE relations SET source_id = ?, target_id = ? WHERE id = ?", (s, o, rid)
            )
    props_keep, props_drop = (
        json.loads(db.execute("SELECT properties FROM entities WHERE id = ?", (i,)).fetchone()[0])
        for i in (keep, drop)
    )
    merged = {**props_drop, **props_keep}
    db.execute("UPDATE entities SET properties = ? WHERE id = ?", (json.dumps(merged), keep))
    db.execute("DELETE FROM entities WHERE id = ?", (drop,))
