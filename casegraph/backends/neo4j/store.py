"""The Neo4j store: the same Store protocol as the embedded store, kept on a Neo4j 5 server.

Data model (labels and relationship types come only from the schema's allow-list):

- `(:Entity:<Type> {id, name, type, key, aliases: [..], keys: [..], mkeys: [..], properties_json,
  seq})`: `id` is the embedded store's id (`type:slug`), `key` the normalised display name,
  `keys`/`mkeys` every normalised / match key the entity answers to, `aliases` its other names,
  `seq` its creation number (ties in "most connected first" keep creation order, as embedded).
- `(:Name {type, key, mkey, block, name, entity})`: the resolution index, one node per (type, key)
  naming an entity (the embedded store's `names` table); `(:Xid {xid, entity})`: external ids.
  Look-ups by key, (type, mkey), (type, block) and id are index seeks; these nodes hang off no
  relationship, so graph queries never meet them.
- `(:Document {id, title, path, loader, published, loaded_at, text, properties_json, relations})`
  with `(:Document)-[:MENTIONS]->(:Entity)`. A document is written as `(:PendingDocument)` first
  and relabelled `Document` in its last transaction, so only complete documents are seen (and a
  re-run redoes an interrupted one); `relations` counts the relations it evidences.
- `(:Entity)-[:<TYPE> {rid, properties_json, ev_keys, quotes, document_ids, starts, ends,
  extractors, confidences, locators}]->(:Entity)`: `rid` is 16 hex digits of sha1(source|type|
  target), unique per type (a constraint); the evidence is kept as parallel lists on the
  relationship (item i of each list is one piece of evidence; Neo4j lists hold no nulls, so a
  missing offset is -1 and a missing locator ''; `ev_keys` de-duplicates like the embedded
  store's unique index). Lists rather than (:Evidence) nodes because the questions asked of the
  graph are paths: a path query cites each hop's quotes (`size(r.quotes)` ranks hops) from the
  relationship it already holds, with no extra expansion or join, and evidence is never asked for
  without its relation; a relation's evidence is small, and read or written whole.
- `(:Decision {uid, at, by, action, target, why, payload, undone_at, undone_by})` for an
  investigator's decisions (casegraph.graph.decisions); `(:Meta {key: 'store',
  revision, uuid, seq})` for the revision counter.

A load resolves each document's facts client-side (casegraph.graph.resolver, through Neo4jIndex),
then writes the plans in batched managed transactions (writer). Unlike the embedded store a load is not one
transaction: each document is checked and resolved in full before its first write (a bad document
writes nothing), documents before it in the same load stay loaded, and one writer at a time is
assumed (as the embedded store's lock would enforce).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.client import RETRY_TIME, Client
from casegraph.config import Config
from casegraph.errors import UsageError
from casegraph.graph.access import GraphAccess
from casegraph.graph.change import Change
from casegraph.graph.ids import evidence_id
from casegraph.graph.model import Source
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
from casegraph.graph.schema import load_schema
from casegraph.graph.snapshot import Snapshot, SnapshotCounts
from casegraph.graph.store import MAX_LIMIT, StoreBase

DEFAULT_BATCH_SIZE = 5000
PAGE = 5000  # rows per page when iterating the whole store
RID_TYPES_KEPT = 1_000_000  # relation types remembered from walks before starting afresh

# The evidence lists of relations of one type (placeholder), by rid: one hinted index seek each.
# $rids. Columns: those of cy.EVIDENCE_OF_COLUMNS.
EVIDENCE_OF_TYPE = f"""
UNWIND $rids AS want
MATCH ()-[r:{cy.RTYPE} {{rid: want}}]->() USING INDEX r:{cy.RTYPE}(rid)
RETURN {cy.EVIDENCE_OF_COLUMNS}
"""
FULL_SCAN_NAMES = 50_000  # up to this many names, fuzzy search scores all of them
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


if TYPE_CHECKING:
    from casegraph.backends.neo4j.fulltext import Neo4jText


class Neo4jStore(StoreBase):
    """A casegraph store on a Neo4j server (one database)."""

    backend = "neo4j"

    def __init__(self, client: Client, *, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        self.client = client
        self.batch_size = max(1, int(batch_size))
        # The type of each relation id a question has walked (a rid is a hash of source, type
        # and target, so its type never changes): evidence is then read with one index seek
        # per relation instead of one per schema type.
        self.rid_types: dict[str, str] = {}
        # Evidence lists a question's walk read along with its relations (Neo4jAccess.among),
        # by rid: `evidence` takes them from here instead of finding each relation again.
        # Emptied when a question starts (`graph`) and by each evidence read, so never older
        # than the question.
        self.read_ahead: dict[str, dict[str, Any]] = {}
        self.uuid = ""

    @classmethod
    def connect(
        cls, config: Config, *, batch_size: int = DEFAULT_BATCH_SIZE, retry_time: float = RETRY_TIME
    ) -> Neo4jStore:
        """Connect, check the credentials and database, and set the schema up on first use.

        `retry_time`: how long (seconds) a transaction is retried after transient errors.
        """
        if not config.neo4j_uri:
            raise UsageError("no Neo4j URI given (--neo4j or CASEGRAPH_NEO4J_URI)")
        client = Client(
            config.neo4j_uri,
            config.neo4j_username,
            config.neo4j_password,
            config.neo4j_database,
            retry_time=retry_time,
        )
        try:
            client.verify()
            store = cls(client, batch_size=batch_size)
            _, store.uuid = client.ensure_schema()
        except BaseException:
            client.close()
            raise
        return store

    def close(self) -> None:
        self.client.close()

    @property
    def revision(self) -> int:
        """A counter that grows with every committed change: caches key on it."""
        rows = self.client.read(cy.REVISION)
        return int(rows[0]["revision"]) if rows else 0

    @property
    def location(self) -> str:
        return self.client.uri

    def run_read(
        self, query: str, params: dict[str, Any] | None = None, timeout: float | None = None
    ) -> list[dict[str, Any]]:
        """The records of a read-only Cypher query (for the query layer), as dicts."""
        return self.client.read(query, params or {}, timeout)

    # ------------------------------------------------------------------ writes
    def load(self, sources: Iterable[Source], progress: Any = None) -> LoadSummary:
        """Load sources document by document; a document already loaded changes nothing."""
        from casegraph.backends.neo4j.index import Neo4jIndex
        from casegraph.backends.neo4j.writer import Batcher, queue_plan
        from casegraph.errors import CasegraphError
        from casegraph.graph.resolver import Resolver

        summary = LoadSummary()
        index = Neo4jIndex(self.client, for_load=True)
        resolver = Resolver(index, summary, progress, self.batch_size)
        batcher = Batcher(self.client, self.batch_size, background=True)
        try:
            for source in sources:
                # a document is resolved in full before its first write: a bad one writes nothing
                for plan in list(resolver.plans(source)):
                    queue_plan(batcher, plan)
        except CasegraphError:
            if batcher.failed:  # the writer failed: its error is the one raised
                batcher.close()
            else:
                batcher.finish()  # documents planned in full before a bad one are kept
            raise
        except BaseException:
            batcher.close()  # Ctrl-C and the like: stop writing (a re-run completes the rest)
            raise
        batcher.finish()
        summary.evidence_added = batcher.counts.evidence_added
        _index_text(self.client)
        return summary

    def write_snapshot(self, snapshot: Snapshot) -> SnapshotCounts:
        """Copy a snapshot in with its ids as they are; what is already here is kept."""
        from casegraph.backends.neo4j.index import Neo4jIndex
        from casegraph.backends.neo4j.writer import Batcher, queue_plan
        from casegraph.graph.sync import snapshot_plans

        counts = SnapshotCounts()
        batcher = Batcher(self.client, self.batch_size)
        dirty = False
        for plan in snapshot_plans(snapshot, Neo4jIndex(self.client), counts):
            dirty = dirty or bool(plan.dirty)
            queue_plan(batcher, plan)
        batcher.finish()
        _index_text(self.client)
        from casegraph.graph.sync import snapshot_decisions, still_to_apply

        known = {d.uid: d.undone_at for d in self.decisions()}
        for change in snapshot_decisions(snapshot, set(known)):
            row = change.record
            if row is not None and row.uid in known and (known[row.uid] or not row.undone_at):
                continue  # already here as it is
            pending = change if row is not None else still_to_apply(change, self)
            if pending is not None:
                self.apply(pending)
        got = batcher.counts
        counts.entities_new = got.nodes_created
        counts.relations_new = got.relationships_created
        counts.evidence_added = got.evidence_added
        if not counts.documents_new and (got.nodes_created or got.relationships_created
                                         or got.evidence_added or dirty):  # fmt: skip
            self.client.write(cy.BUMP_REVISION)
        return counts

    def apply(self, change: Change) -> None:
        """Write one decision in one transaction (retried whole by the driver)."""
        from casegraph.backends.neo4j.changes import apply_change

        self.client.write_tx(lambda tx: apply_change(tx, change))

    def decisions(self) -> list[DecisionRow]:
        """Every decision made by hand, in order."""
        from casegraph.backends.neo4j.changes import DECISIONS, decisions

        return decisions(self.client.read(DECISIONS))

    def relations_by_id(self, rids: Iterable[str]) -> dict[str, RelationInfo]:
        """The relations with these ids (those that exist), without evidence."""
        wanted = list(dict.fromkeys(rids))
        if not wanted:
            return {}
        query = cy.by_rid("r.rid AS rid, type(r) AS type, startNode(r).id AS source,"
                          " endNode(r).id AS target, r.status AS status,"
                          " r.properties_json AS properties_json")  # fmt: skip
        return {
            r["rid"]: RelationInfo(r["rid"], r["source"], r["type"], r["target"], r["status"],
                                   json.loads(r["properties_json"] or "{}"))
            for r in self.client.read(query, {"rids": wanted})
        }  # fmt: skip

    def names_of(self, entity_id: str) -> list[NameRec]:
        """Every name an entity answers to, in the resolution index."""
        rows = self.client.read(cy.NAMES_OF, {"id": entity_id})
        return [NameRec(r["type"], r["key"], r["mkey"], r["entity"], r["name"]) for r in rows]

    def next_seq(self) -> int:
        found = self.client.read(cy.NEXT_SEQ)
        return int(found[0]["seq"]) if found else 0

    # ------------------------------------------------------------------ the review queue
    def doubtful_relations(
        self, max_confidence: float, limit: int
    ) -> list[tuple[RelationInfo, float, int]]:
        """Typed, unreviewed relations whose best evidence is below max_confidence, those on
        the busiest entities first: (relation, best confidence, degree of its two ends)."""
        from casegraph.backends.neo4j.changes import DOUBTFUL, typed_types

        query = DOUBTFUL.replace("__TYPED__", typed_types())
        rows = self.client.read(query, {"max": max_confidence, "limit": limit})
        return [(RelationInfo(r["rid"], r["source"], r["type"], r["target"], r["status"],
                              json.loads(r["properties_json"] or "{}")),
                 float(r["best"]), int(r["weight"])) for r in rows]  # fmt: skip

    def type_disagreements(self, limit: int) -> list[tuple[EntityRow, set[str], int, str]]:
        """Entities some documents typed otherwise: (entity, every type given, degree, a quote
        of a mention that disagrees)."""
        from casegraph.backends.neo4j.changes import TYPINGS

        given: dict[str, set[str]] = {}
        quotes: dict[str, str] = {}
        for r in self.client.read(TYPINGS):
            typing = json.loads(r["typing"])
            given.setdefault(r["id"], {r["type"]}).add(typing["type"])
            if typing["type"] != r["type"]:
                quotes[r["id"]] = max(quotes.get(r["id"], ""), typing.get("quote") or "")
        ids = [i for i, types in given.items() if len(types) > 1]
        support = self.support(ids)
        ids.sort(key=lambda i: (-support[i][0], i))
        found = self.entities_by_id(ids[:limit])
        return [(found[i], given[i], support[i][0], quotes.get(i, "")) for i in ids[:limit]
                if i in found]  # fmt: skip

    def shared_names(self, limit: int) -> list[tuple[str, list[EntityRow], int]]:
        """Names that name entities of different types: (key, the entities, their degrees)."""
        from casegraph.backends.neo4j.changes import SHARED_NAMES

        out = []
        for r in self.client.read(SHARED_NAMES, {"limit": limit * 4}):
            members = self.entities_by_id(r["ids"])
            support = self.support(members)
            ranked = sorted(members.values(), key=lambda e: (-support[e.id][0], e.id))
            out.append((r["key"], ranked, sum(support[e.id][0] for e in ranked)))
        out.sort(key=lambda x: (-x[2], x[0]))
        return out[:limit]

    def name_owner(self, type_: str, key: str) -> str | None:
        owner = self.client.read(cy.NAME_OWNER, {"type": type_, "key": key})
        return str(owner[0]["entity"]) if owner else None

    # ------------------------------------------------------------------ entities and names
    def entities_by_id(self, ids: Iterable[str]) -> dict[str, EntityRow]:
        """The entities with these ids (those that exist), with their aliases."""
        rows = self.client.read(cy.ENTITIES_BY_ID, {"ids": list(dict.fromkeys(ids))})
        return {r["id"]: _entity_row(r) for r in rows}

    def xid_owner(self, xid: str) -> str | None:
        rows = self.client.read(cy.ENTITY_BY_XID, {"xid": xid})
        return str(rows[0]["entity"]) if rows else None

    def support(self, ids: Iterable[str]) -> dict[str, tuple[int, int]]:
        """How well each entity is supported: (relations touching it, documents mentioning it)."""
        rows = self.client.read(cy.SUPPORT, {"ids": list(ids)})
        return {r["id"]: (int(r["degree"]), int(r["documents"])) for r in rows}

    def ids_by_name(self, key: str, type_: str | None = None) -> list[str]:
        if type_:
            rows = self.client.read(cy.IDS_BY_TYPE_KEY, {"key": key, "type": type_})
        else:
            rows = self.client.read(cy.IDS_BY_KEY, {"key": key})
        return sorted(r["entity"] for r in rows)

    def names_containing(self, key: str, cap: int) -> list[tuple[str, str]]:
        rows = self.client.read(cy.NAMES_CONTAINING, {"key": key, "cap": cap})
        return [(r["key"], r["entity"]) for r in rows]

    def fuzzy_candidates(self, key: str, limit: int) -> list[tuple[str, str]]:
        """(name key, entity id) pairs to score: every name on a small store, else the full-text
        index's fuzzy matches for the words of `key`."""
        count = self.client.read(cy.COUNT_NAMES)[0]["n"]
        if count <= FULL_SCAN_NAMES:
            rows = self.client.read(cy.ALL_NAME_KEYS)
            return [
                (r["key"], r["entity"]) for r in sorted(rows, key=lambda r: (r["type"], r["key"]))
            ]
        words = [_lucene_escape(w) for w in key.split() if w]
        query = " OR ".join(f"{w}~" if len(w) > 2 else w for w in words)
        if not query:
            return []
        rows = self.client.read(cy.FULLTEXT_CANDIDATES, {"query": query, "limit": limit * 10})
        return [(k, r["id"]) for r in rows for k in (r["keys"] or ())]

    def entities(self, *, type: str | None = None, limit: int | None = None) -> list[EntityRow]:
        """Entities, the most connected first (then by name), optionally of one type."""
        etype = load_schema().entity_type(type).name if type else None
        if limit is not None and int(limit) < 0:
            limit = None
        if limit is not None:
            limit = min(int(limit), MAX_LIMIT)
        if limit is not None and int(limit) == 0:
            return []
        params: dict[str, Any] = {"type": etype, "min": 0}
        if limit is not None:
            nth = cy.NTH_DEGREE_OF_TYPE if etype else cy.NTH_DEGREE
            found = self.client.read(nth, {"type": etype, "skip": int(limit) - 1})
            params["min"] = int(found[0]["degree"]) if found else 0
        query = cy.ENTITIES_OF_TYPE_BY_DEGREE if etype else cy.ENTITIES_BY_DEGREE
        rows = self.client.read(query, params)
        rows.sort(key=lambda r: (-r["degree"], r["name"].translate(_ASCII_LOWER), r["seq"] or 0))
        if limit is not None:
            rows = rows[: int(limit)]
        return [_entity_row(r) for r in rows]

    # ------------------------------------------------------------------ relations and evidence
    def relations_of(self, entity_id: str) -> list[RelationRow]:
        """Every relation of an entity, outgoing and incoming, with its evidence."""
        rows = self.client.read(cy.with_rtypes(cy.RELATIONS_OF), {"id": entity_id})
        titles = self._titles(d for r in rows for d in r["document_ids"])
        others = self.entities_by_id(r["other"] for r in rows)
        out = [
            RelationRow(r["rid"], r["type"], r["direction"], others[r["other"]],
                        tuple(_evidence_rows(r, titles)), json.loads(r["properties_json"] or "{}"),
                        r["status"])
            for r in rows
        ]  # fmt: skip
        out.sort(key=lambda rel: (rel.type, rel.direction, rel.other.id, str(rel.id)))
        return out

    def evidence(
        self, relation_ids: Iterable[str], *, include_rejected: bool = True
    ) -> dict[str, list[EvidenceRow]]:
        """The evidence of each relation, the most confident first (rejected items too, marked,
        unless include_rejected is False)."""
        rids = list(dict.fromkeys(str(r) for r in relation_ids))
        ahead = self.read_ahead
        rows = [ahead[rid] for rid in rids if rid in ahead]
        rest = [rid for rid in rids if rid not in ahead]
        ahead.clear()  # read once: what is left was not asked for and may not stay current
        rows += [r for page in self._evidence_rows(rest) for r in page]
        titles = self._titles(d for r in rows for d in r["document_ids"])  # one read for all
        out: dict[str, list[EvidenceRow]] = {}
        for r in rows:
            items = _evidence_rows(r, titles)
            if not include_rejected:
                items = [e for e in items if e.status is None]
            if items:
                out[r["rid"]] = items
        return out

    def _evidence_rows(self, rids: list[str]) -> Iterator[list[dict[str, Any]]]:
        """Pages of evidence rows of the relations rids: by type for those a walk has seen, by
        every type's index for the others (and for any not found under the type seen)."""
        by_type: dict[str, list[str]] = {}
        rest: list[str] = []
        for rid in rids:
            rtype = self.rid_types.get(rid)
            (by_type.setdefault(rtype, []) if rtype else rest).append(rid)
        for rtype, group in sorted(by_type.items()):
            query = cy.with_rtype(EVIDENCE_OF_TYPE, rtype)
            for start in range(0, len(group), PAGE):
                batch = group[start : start + PAGE]
                rows = self.client.read(query, {"rids": batch})
                found = {r["rid"] for r in rows}
                rest += [rid for rid in batch if rid not in found]
                yield rows
        for start in range(0, len(rest), PAGE):
            yield self.client.read(
                cy.by_rid(cy.EVIDENCE_OF_COLUMNS), {"rids": rest[start : start + PAGE]}
            )

    def _titles(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return {}
        return {r["id"]: r["title"] for r in self.client.read(cy.DOCUMENT_TITLES, {"ids": ids})}

    # ------------------------------------------------------------------ documents and counts
    def documents_of(self, entity_id: str) -> list[dict[str, Any]]:
        """The documents that mention an entity, with how each named and typed it (`typing`:
        name, type, cue, confidence, quote, offsets, why it joined this entity; or None)."""
        rows = self.client.read(cy.DOCUMENTS_OF, {"id": entity_id})
        for r in rows:
            r["typing"] = json.loads(r["typing"]) if r["typing"] else None
        return sorted(rows, key=lambda r: (r["title"], r["id"]))

    def documents(self) -> list[DocumentRow]:
        """Loaded documents, the most recent first, with how many entities and relations each gave."""
        rows = sorted(self.client.read(cy.DOCUMENTS), key=lambda r: r["title"])
        rows.sort(key=lambda r: r["loaded_at"], reverse=True)
        return [
            DocumentRow(r["id"], r["title"], r["path"], r["loader"], r["published"],
                        r["loaded_at"], int(r["entities"]), int(r["relations"] or 0),
                        properties=json.loads(r["properties_json"] or "{}"))
            for r in rows
        ]  # fmt: skip

    def document_text(self, document_id: str) -> str | None:
        rows = self.client.read(cy.DOCUMENT_TEXT, {"id": document_id})
        return rows[0]["text"] if rows else None

    def stats(self) -> dict[str, Any]:
        """Counts: documents, entities by type, relations by type, evidence."""
        from casegraph.backends.neo4j.cypher import COUNT_LABEL, COUNT_RTYPE, with_label, with_rtype

        def work(tx: Any) -> dict[str, Any]:
            def one(query: str) -> int:
                return int(tx.run(query).single()["n"])

            etypes = {t: one(with_label(COUNT_LABEL, t)) for t in cy.entity_types()}
            rtypes = {t: one(with_rtype(COUNT_RTYPE, t)) for t in cy.relation_types()}
            return {
                "documents": one(cy.COUNT_DOCUMENTS),
                "evidence": one(cy.with_rtypes(cy.COUNT_EVIDENCE)),
                "revision": [r["revision"] for r in tx.run(cy.REVISION)],
                "entity_types": etypes,
                "relation_types": rtypes,
            }

        got = self.client.read_tx(work)
        etypes = {k: v for k, v in sorted(got["entity_types"].items(), key=_by_count) if v}
        rtypes = {k: v for k, v in sorted(got["relation_types"].items(), key=_by_count) if v}
        return {
            "backend": self.backend,
            "store": self.client.uri,
            "revision": int(got["revision"][0] if got["revision"] else 0),
            "documents": got["documents"],
            "entities": sum(etypes.values()),
            "relations": sum(rtypes.values()),
            "evidence": got["evidence"],
            "entity_types": etypes,
            "relation_types": rtypes,
        }

    # ------------------------------------------------------------------ whole-store iteration
    def iter_entities(self) -> Iterator[EntityRow]:
        """Every entity with its aliases, in id order (for exports)."""
        after = ""
        while True:
            rows = self.client.read(cy.ENTITIES_PAGE, {"after": after, "limit": PAGE})
            yield from (_entity_row(r) for r in rows)
            if len(rows) < PAGE:
                return
            after = rows[-1]["id"]

    def iter_relations(self) -> Iterator[RelationTuple]:
        """Every relation as (rid, source id, type, target id, properties), by type then rid."""
        for rtype in cy.relation_types():
            query = cy.with_rtype(cy.RELATIONS_PAGE, rtype)
            after = ""
            while True:
                rows = self.client.read(query, {"after": after, "limit": PAGE})
                for r in rows:
                    yield (r["rid"], r["source"], rtype, r["target"],
                           json.loads(r["properties_json"] or "{}"))  # fmt: skip
                if len(rows) < PAGE:
                    break
                after = rows[-1]["rid"]

    def iter_xids(self) -> Iterator[tuple[str, str]]:
        """Every (external id, entity id)."""
        for r in self.client.read(cy.ALL_XIDS):
            yield r["xid"], r["entity"]

    def iter_mentions(self) -> Iterator[tuple[str, str, str | None]]:
        """Every (document id, entity id, typing JSON or None) mention of a loaded document."""
        for r in self.client.read(cy.ALL_MENTIONS):
            yield r["doc"], r["entity"], r["typing"]

    # ------------------------------------------------------------------ questions
    def graph(self) -> GraphAccess:
        """How questions walk this store: adjacency read with batched Cypher."""
        from casegraph.backends.neo4j.access import Neo4jAccess

        if len(self.rid_types) > RID_TYPES_KEPT:
            self.rid_types.clear()
        self.read_ahead.clear()
        return Neo4jAccess(self.client, self.rid_types, self.read_ahead)

    def fulltext(self) -> Neo4jText:
        """The documents' text index (casegraph.queries.find)."""
        from casegraph.backends.neo4j.fulltext import Neo4jText

        return Neo4jText(self.client)


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def _entity_row(r: dict[str, Any]) -> EntityRow:
    return EntityRow(r["id"], r["name"], r["type"], tuple(sorted(r["aliases"] or ())),
                     json.loads(r["properties_json"] or "{}"), status=r.get("status"),
                     type_source=r.get("type_source") or "source")  # fmt: skip


def _evidence_rows(r: dict[str, Any], titles: dict[str, str]) -> list[EvidenceRow]:
    """A relation's parallel evidence lists as rows (complete documents only), best first."""
    keys = r["ev_keys"]
    pad = [""] * len(keys)  # relations written before review statuses and dates existed
    items = [
        EvidenceRow(doc, titles[doc], quote, None if start < 0 else start, None if end < 0 else end,
                    extractor, confidence, locator or None, evidence_id(r["rid"], key),
                    status or None, date or None, skey or None, tkey or None)
        for quote, doc, start, end, extractor, confidence, locator, key, status, date, skey, tkey
        in zip(r["quotes"], r["document_ids"], r["starts"], r["ends"], r["extractors"],
               r["confidences"], r["locators"], keys, r["ev_status"] or pad, r["ev_dates"] or pad,
               r["ev_skeys"] or pad, r["ev_tkeys"] or pad, strict=True)
        if doc in titles
    ]  # fmt: skip
    # the embedded store's ORDER BY, its ties in the order of its unique evidence index
    items.sort(key=lambda e: (-e.confidence, e.document, e.start is not None, e.start or 0,
                              e.locator is not None, e.locator or "", e.document_id,
                              -1 if e.start is None else e.start, -1 if e.end is None else e.end,
                              e.extractor))  # fmt: skip
    return items


_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


def _lucene_escape(word: str) -> str:
    return "".join("\\" + c if c in _LUCENE_SPECIAL else c for c in word)


def _index_text(client: Client) -> None:
    """The text index complete after a write (documents from before search get their tokens)."""
    from casegraph.backends.neo4j.fulltext import index_documents

    index_documents(client)
