"""The embedded store: one SQLite file is the truth; the store contract answered with SQL."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from casegraph.backends.sqlite import bulk, fulltext
from casegraph.backends.sqlite.changes import apply_change, decisions
from casegraph.backends.sqlite.connection import Connection, NothingNew, note
from casegraph.backends.sqlite.csr import CsrAccess
from casegraph.backends.sqlite.fulltext import SqliteText
from casegraph.backends.sqlite.graphview import GraphView
from casegraph.backends.sqlite.index import SqliteIndex
from casegraph.backends.sqlite.writer import write_plan
from casegraph.dates import Window
from casegraph.errors import StoreError
from casegraph.graph.access import GraphAccess
from casegraph.graph.change import Change
from casegraph.graph.model import Source, normalize_name
from casegraph.graph.plan import NameRec
from casegraph.graph.records import (
    DecisionRow,
    DocumentRow,
    EntityRow,
    EvidenceRow,
    LoadSummary,
    RelationInfo,
    RelationRow,
    RelationTuple,
)
from casegraph.graph.resolver import Resolver
from casegraph.graph.schema import WEAK, load_schema
from casegraph.graph.snapshot import Snapshot, SnapshotCounts
from casegraph.graph.store import MAX_LIMIT, StoreBase

Progress = Callable[[str, int], None]


class SqliteStore(StoreBase):
    """A casegraph store in one SQLite file (created on first write)."""

    backend = "embedded"
    snapshot_reads = True

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        create: bool = True,
        read_only: bool = False,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        """Open (or create) the store; on_wait hears when a write has to wait for another
        process (default: a note on stderr)."""
        self.path = Path(path)
        self.conn = Connection(self.path, create=create, read_only=read_only,
                               on_wait=on_wait or note)  # fmt: skip
        self.db = self.conn.db
        self.uuid = self.conn.uuid
        self.view = GraphView(self.conn)

    def close(self) -> None:
        self.conn.close()

    def reading(self) -> AbstractContextManager[None]:
        """A block whose reads all see one snapshot (loads committing meanwhile are not seen)."""
        return self.conn.reading()

    @property
    def read_only(self) -> bool:
        return self.conn.read_only

    @property
    def revision(self) -> int:
        return self.conn.revision

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def adjacency_path(self) -> Path:
        """Where the store's adjacency for questions is kept (derived data, safe to delete)."""
        return self.view.path

    # ------------------------------------------------------------------ writes
    def load(self, sources: Iterable[Source], progress: Progress | None = None) -> LoadSummary:
        """Write every source in one transaction; a document already loaded changes nothing."""
        summary = LoadSummary()
        try:
            with self.conn.loading():
                with bulk.indexes_built_after(self.db) as first:
                    resolver = Resolver(
                        SqliteIndex(self.db, relations_stored=not first), summary, progress
                    )
                    for source in sources:
                        for plan in resolver.plans(source):
                            summary.evidence_added += write_plan(self.db, plan)
                    if summary.documents_new == 0:
                        raise NothingNew
                    del resolver  # its caches are let go before the indexes are built
                fulltext.index_documents(self.db)
        except NothingNew:
            return summary
        except sqlite3.OperationalError as e:
            raise StoreError(f"{self.path}: write failed ({e})") from e
        self.view.refresh()
        return summary

    def write_snapshot(self, snapshot: Snapshot) -> SnapshotCounts:
        """Copy a snapshot in with its ids as they are; what is already here is kept."""
        from casegraph.graph.sync import snapshot_decisions, snapshot_plans, still_to_apply

        counts = SnapshotCounts()
        before = self._counts()
        try:
            with self.conn.loading():
                for plan in snapshot_plans(snapshot, SqliteIndex(self.db), counts):
                    counts.evidence_added += write_plan(self.db, plan)
                fulltext.index_documents(self.db)
                log = decisions(self.db)
                have = {d.uid: d.undone_at for d in log}
                decided = False
                for change in snapshot_decisions(snapshot, set(have)):
                    row = change.record
                    if row is not None and row.uid in have and (have[row.uid] or not row.undone_at):
                        continue  # already here as it is
                    pending = change if row is not None else still_to_apply(change, self)
                    if pending is not None:
                        apply_change(self.db, pending)
                        decided = True
                after = self._counts()
                counts.entities_new = after[0] - before[0]
                counts.relations_new = after[1] - before[1]
                if after == before and counts.evidence_added == 0 and not counts.documents_new \
                        and not decided:  # fmt: skip
                    raise NothingNew
        except NothingNew:
            return counts
        self.view.refresh()
        return counts

    def _counts(self) -> tuple[int, int]:
        one = self.db.execute
        return (one("SELECT count(*) FROM entities").fetchone()[0],
                one("SELECT count(*) FROM relations").fetchone()[0])  # fmt: skip

    def apply(self, change: Change) -> None:
        """Write one decision in one transaction (a kill during it leaves the store as before)."""
        with self.conn.write():
            apply_change(self.db, change)

    def decisions(self) -> list[DecisionRow]:
        """Every decision made by hand, in order."""
        return decisions(self.db)

    def relations_by_id(self, rids: Iterable[str]) -> dict[str, RelationInfo]:
        """The relations with these ids (those that exist), without evidence."""
        return {
            rid: RelationInfo(rid, s, t, o, status, json.loads(props))
            for rid, s, t, o, status, props in self.db.execute(
                "SELECT rid, source_id, type, target_id, status, properties FROM relations"
                " WHERE rid IN (SELECT value FROM json_each(?))",
                (json.dumps(list(rids)),),
            )
        }

    def names_of(self, entity_id: str) -> list[NameRec]:
        """Every name an entity answers to, in the resolution index."""
        return [
            NameRec(*row)
            for row in self.db.execute(
                "SELECT type, key, mkey, entity_id, name FROM names WHERE entity_id = ?"
                " ORDER BY name",
                (entity_id,),
            )
        ]

    def next_seq(self) -> int:
        return 0  # the embedded store keeps creation order as its row order

    # ------------------------------------------------------------------ the review queue
    def doubtful_relations(
        self, max_confidence: float, limit: int
    ) -> list[tuple[RelationInfo, float, int]]:
        """Typed, unreviewed relations whose best evidence is below max_confidence, those on
        the busiest entities first: (relation, best confidence, degree of its two ends)."""
        rows = self.db.execute(
            "SELECT r.rid, r.source_id, r.type, r.target_id, r.status, r.properties,"
            " max(e.confidence) AS best,"
            " (SELECT count(*) FROM relations x WHERE x.source_id = r.source_id)"
            " + (SELECT count(*) FROM relations x WHERE x.target_id = r.source_id)"
            " + (SELECT count(*) FROM relations x WHERE x.source_id = r.target_id)"
            " + (SELECT count(*) FROM relations x WHERE x.target_id = r.target_id) AS weight"
            " FROM relations r JOIN evidence e ON e.relation_id = r.id AND e.status IS NULL"
            " JOIN entities a ON a.id = r.source_id JOIN entities b ON b.id = r.target_id"
            " WHERE r.status IS NULL AND r.type != ? AND a.status IS NULL AND b.status IS NULL"
            " GROUP BY r.id HAVING best < ? ORDER BY weight DESC, r.rid LIMIT ?",
            (WEAK, max_confidence, limit),
        ).fetchall()
        return [(RelationInfo(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])), r[6], r[7])
                for r in rows]  # fmt: skip

    def type_disagreements(self, limit: int) -> list[tuple[EntityRow, set[str], int, str]]:
        """Entities some documents typed otherwise: (entity, every type given, degree, a quote
        of a mention that disagrees)."""
        rows = self.db.execute(
            "SELECT e.id, group_concat(DISTINCT m.typing ->> '$.type'),"
            " max(CASE WHEN m.typing ->> '$.type' != e.type THEN m.typing ->> '$.quote' END),"
            " (SELECT count(*) FROM relations x WHERE x.source_id = e.id)"
            " + (SELECT count(*) FROM relations x WHERE x.target_id = e.id) AS weight"
            " FROM mentions m JOIN entities e ON e.id = m.entity_id"
            " WHERE m.typing IS NOT NULL AND e.status IS NULL AND e.type_source != 'decision'"
            " GROUP BY e.id HAVING sum(m.typing ->> '$.type' != e.type) > 0"
            " ORDER BY weight DESC, e.id LIMIT ?",
            (limit,),
        ).fetchall()
        found = self.entities_by_id(r[0] for r in rows)
        return [(found[r[0]], set(r[1].split(",")) | {found[r[0]].type}, r[3], r[2] or "")
                for r in rows if r[0] in found]  # fmt: skip

    def shared_names(self, limit: int) -> list[tuple[str, list[EntityRow], int]]:
        """Names that name entities of different types: (key, the entities, their degrees)."""
        rows = self.db.execute(
            "SELECT n.key, group_concat(DISTINCT n.entity_id) FROM names n"
            " JOIN entities e ON e.id = n.entity_id AND e.status IS NULL"
            " GROUP BY n.key HAVING count(DISTINCT n.entity_id) > 1"
            " AND count(DISTINCT e.type) > 1 LIMIT ?",
            (limit * 4,),
        ).fetchall()
        out = []
        for key, ids in rows:
            members = self.entities_by_id(ids.split(","))
            support = self.support(members)
            ranked = sorted(members.values(), key=lambda e: (-support[e.id][0], e.id))
            out.append((key, ranked, sum(support[e.id][0] for e in ranked)))
        out.sort(key=lambda x: (-x[2], x[0]))
        return out[:limit]

    def name_owner(self, type_: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT entity_id FROM names WHERE type = ? AND key = ?", (type_, key)
        ).fetchone()
        return str(row[0]) if row else None

    # ------------------------------------------------------------------ entities and names
    def entities_by_id(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        """The entities with these ids (those that exist), with their aliases."""
        wanted = json.dumps(list(dict.fromkeys(ids)))
        rows = self.db.execute(
            "SELECT id, name, type, properties, status, type_source FROM entities WHERE id IN"
            " (SELECT value FROM json_each(?))",
            (wanted,),
        ).fetchall()
        names: dict[str, list[str]] = {}
        for entity_id, name in self.db.execute(
            "SELECT entity_id, name FROM names WHERE entity_id IN (SELECT value FROM json_each(?))"
            " ORDER BY name",
            (wanted,),
        ):
            names.setdefault(entity_id, []).append(name)
        return {r[0]: _entity_row(*r, names=names.get(r[0], ())) for r in rows}

    def xid_owner(self, xid: str) -> str | None:
        row = self.db.execute("SELECT entity_id FROM xids WHERE xid = ?", (xid,)).fetchone()
        return str(row[0]) if row else None

    def support(self, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """How well each entity is supported: (relations touching it, documents mentioning it)."""
        return {
            i: (
                self.db.execute(
                    "SELECT (SELECT count(*) FROM relations WHERE source_id = ?)"
                    " + (SELECT count(*) FROM relations WHERE target_id = ?)", (i, i),
                ).fetchone()[0],
                self.db.execute(
                    "SELECT count(*) FROM mentions WHERE entity_id = ?", (i,)
                ).fetchone()[0],
            )
            for i in ids
        }  # fmt: skip

    def ids_by_name(self, key: str, type_: str | None = None) -> list[str]:
        if type_:
            rows = self.db.execute(
                "SELECT DISTINCT entity_id FROM names WHERE key = ? AND type = ?", (key, type_)
            ).fetchall()
        else:
            rows = self.db.execute(
                "SELECT DISTINCT entity_id FROM names WHERE key = ?", (key,)
            ).fetchall()
        return sorted(r[0] for r in rows)

    def names_containing(self, key: str, cap: int) -> list[tuple[str, str]]:
        # instr, not LIKE: keys are already case-folded, and a LIKE pattern over 50,000 bytes
        # is an error ("pattern too complex"), while a searched name may be that long
        return self.db.execute(
            "SELECT key, entity_id FROM names WHERE instr(key, ?) > 0 LIMIT ?", (key, cap)
        ).fetchall()

    def fuzzy_candidates(self, key: str, limit: int) -> list[tuple[str, str]]:
        return self.db.execute("SELECT key, entity_id FROM names").fetchall()

    def entities(self, *, type: str | None = None, limit: int | None = None) -> list[EntityRow]:
        """Entities, the most connected first (then by name), optionally of one type."""
        sql = (
            "SELECT e.id, (SELECT count(*) FROM relations r WHERE r.source_id = e.id)"
            " + (SELECT count(*) FROM relations r WHERE r.target_id = e.id) AS degree"
            " FROM entities e"
        )
        params: list[Any] = []
        sql += " WHERE e.status IS NULL"  # a dropped entity is not an entity
        if type:
            sql += " AND e.type = ?"
            params.append(load_schema().entity_type(type).name)
        sql += " ORDER BY degree DESC, e.name COLLATE NOCASE"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(min(int(limit), MAX_LIMIT))
        ids = [r[0] for r in self.db.execute(sql, params).fetchall()]
        rows = self.entities_by_id(ids)
        return [rows[i] for i in ids]

    # ------------------------------------------------------------------ relations and evidence
    def relations_of(self, entity_id: str) -> list[RelationRow]:
        """Every relation of an entity, outgoing and incoming, with its evidence."""
        rows = self.db.execute(
            "SELECT rid, type, 'out', target_id, properties, status FROM relations"
            " WHERE source_id = ? UNION ALL "
            "SELECT rid, type, 'in', source_id, properties, status FROM relations"
            " WHERE target_id = ? ORDER BY 2, 3",
            (entity_id, entity_id),
        ).fetchall()
        evidence = self.evidence([r[0] for r in rows])
        others = self.entities_by_id(r[3] for r in rows)
        return [
            RelationRow(rid, rtype, direction, others[other], tuple(evidence.get(rid, ())),
                        json.loads(props), status)
            for rid, rtype, direction, other, props, status in rows
        ]  # fmt: skip

    def evidence(
        self, relation_ids: Iterable[str], *, include_rejected: bool = True
    ) -> dict[str, list[EvidenceRow]]:
        """The evidence of each relation, the most confident first (rejected items too, marked,
        unless include_rejected is False)."""
        ids = list(relation_ids)
        out: dict[str, list[EvidenceRow]] = {}
        for row in self.db.execute(
            'SELECT r.rid, e.document_id, d.title, e.quote, e.start, e."end", e.extractor,'
            " e.confidence, e.locator, e.eid, e.status, e.date, e.source_key, e.target_key"
            " FROM relations r"
            " JOIN evidence e ON e.relation_id = r.id JOIN documents d ON d.id = e.document_id"
            " WHERE r.rid IN (SELECT value FROM json_each(?)) AND (? OR e.status IS NULL)"
            " ORDER BY r.rid, e.confidence DESC, d.title, e.start, e.locator",
            (json.dumps(ids), include_rejected),
        ):
            out.setdefault(row[0], []).append(EvidenceRow(*row[1:]))
        return out

    # ------------------------------------------------------------------ documents and counts
    def documents_of(self, entity_id: str) -> list[dict[str, Any]]:
        """The documents that mention an entity, with how each named and typed it (`typing`:
        name, type, cue, confidence, quote, offsets, why it joined this entity; or None)."""
        return [
            {"id": i, "title": t, "path": p, "typing": json.loads(typing) if typing else None}
            for i, t, p, typing in self.db.execute(
                "SELECT d.id, d.title, d.path, m.typing FROM mentions m JOIN documents d"
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

    # ------------------------------------------------------------------ the whole store
    def iter_entities(self) -> Iterator[EntityRow]:
        """Every entity with its aliases, in id order (for exports)."""
        names: dict[str, list[str]] = {}
        for entity_id, name in self.db.execute("SELECT entity_id, name FROM names ORDER BY name"):
            names.setdefault(entity_id, []).append(name)
        for row in self.db.execute(
            "SELECT id, name, type, properties, status, type_source FROM entities ORDER BY id"
        ):
            yield _entity_row(*row, names=names.get(row[0], ()))

    def iter_relations(self) -> Iterator[RelationTuple]:
        """Every relation as (id, source id, type, target id, properties), in creation order."""
        for rid, s, t, o, props in self.db.execute(
            "SELECT rid, source_id, type, target_id, properties FROM relations ORDER BY id"
        ):
            yield rid, s, t, o, json.loads(props)

    def iter_xids(self) -> Iterator[tuple[str, str]]:
        """Every (external id, entity id)."""
        yield from self.db.execute("SELECT xid, entity_id FROM xids")

    def iter_mentions(self) -> Iterator[tuple[str, str, str | None]]:
        """Every (document id, entity id, typing JSON or None) mention."""
        yield from self.db.execute("SELECT document_id, entity_id, typing FROM mentions")

    # ------------------------------------------------------------------ questions
    def graph(self) -> GraphAccess:
        """How questions walk this store: its adjacency arrays for its current state (date
        windows answered by dated_relations)."""
        return CsrAccess(self.view.adjacency(), dated=self.dated_relations)

    def dated_relations(self, window: Window, include_rejected: bool = False) -> frozenset[str]:
        """The relations with an evidence item dated in the window (items not rejected, unless
        include_rejected): one range scan of the evidence_date index."""
        rows = self.db.execute(
            "SELECT DISTINCT r.rid FROM evidence e JOIN relations r ON r.id = e.relation_id"
            " WHERE e.date >= ? AND e.date <= ? AND (? OR coalesce(e.status, '') <> 'rejected')",
            (window.since or "", (window.until or "9999-12-31") + "~", include_rejected),
        )
        return frozenset(r[0] for r in rows)

    def fulltext(self) -> SqliteText:
        """The documents' text index (casegraph.queries.find)."""
        return SqliteText(self.db)


def _entity_row(id_: str, name: str, type_: str, props: str, status: str | None,
                type_source: str | None, *, names: Iterable[str]) -> EntityRow:  # fmt: skip
    own = normalize_name(name)
    aliases = tuple(n for n in names if normalize_name(n) != own)
    return EntityRow(id_, name, type_, aliases, json.loads(props), status=status,
                     type_source=type_source or "source")  # fmt: skip
