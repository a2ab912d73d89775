"""The Neo4j loader's view of the store: names, ids and relations fetched in batches, plus helpers."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from typing import Any

from casegraph.graph import neo4j_cypher as cy
from casegraph.graph.model import Evidence, normalize_name
from casegraph.graph.neo4j_client import Client
from casegraph.graph.resolve import FUZZY_CANDIDATES, block, blocks_near, fuzzy_equal
from casegraph.graph.sqlite_store import _slug


def relation_id(source: str, rtype: str, target: str) -> str:
    """The stable id of the relation (source, type, target): 16 hex digits of a SHA-1."""
    return sha1(f"{source}|{rtype}|{target}".encode()).hexdigest()[:16]


def evidence_key(ev: Evidence) -> str:
    """What makes two evidence items one (the embedded store's unique index on evidence):
    document, locator, offsets, extractor; the text fields length-prefixed, so unambiguous."""
    start = -1 if ev.start is None else ev.start
    end = -1 if ev.end is None else ev.end
    loc = ev.locator or ""
    return f"{len(ev.document_id)}:{ev.document_id}|{len(loc)}:{loc}|{start}|{end}|{ev.extractor}"


def evidence_row(ev: Evidence) -> list[Any]:
    """Evidence as a MERGE_RELATIONS item, [key, doc, quote, start, end, extractor, confidence,
    locator]: Neo4j lists hold no nulls, so a missing offset is -1 and a missing locator ''."""
    return [
        evidence_key(ev), ev.document_id, ev.quote, -1 if ev.start is None else ev.start,
        -1 if ev.end is None else ev.end, ev.extractor, float(ev.confidence), ev.locator or "",
    ]  # fmt: skip


def dumps(value: Any) -> str:
    """Properties as the embedded store writes them."""
    return json.dumps(value, ensure_ascii=False, default=str)


@lru_cache(maxsize=1 << 18)
def base_id(type_: str, key: str) -> str:
    """The id an entity gets when nothing else has it yet: type:slug."""
    return f"{type_.lower()}:{_slug(key) or sha1(key.encode()).hexdigest()[:10]}"


@lru_cache(maxsize=1 << 18)
def second_id(type_: str, key: str) -> str:
    """The id an entity gets when its base id is taken."""
    return f"{base_id(type_, key)}-{sha1(f'{type_}|{key}'.encode()).hexdigest()[:8]}"


def next_seq(client: Client) -> int:
    """The creation number the store's next new entity gets."""
    found = client.read(cy.NEXT_SEQ)
    return int(found[0]["seq"]) if found else 0


# normalize_name is pure and called several times per name while resolving: remember it.
_norm = lru_cache(maxsize=1 << 18)(normalize_name)


@dataclass(slots=True)
class NameRec:
    """One name an entity answers to: the embedded store's `names` row."""

    type: str
    key: str
    mkey: str
    entity: str
    name: str


@dataclass(slots=True)
class Ent:
    """What resolution needs of an entity: its type and (once read) its properties."""

    type: str
    props: dict[str, Any] | None = None


class Mirror:
    """The store's names, external ids, entities and relations as far as this load has seen them.

    Each index is complete for the criteria fetched (a set of `got_*`); local decisions are added
    as they are made, so answers equal the embedded store's SQL inside its transaction.
    """

    def __init__(self, client: Client) -> None:
        self.client = client
        self.names: dict[tuple[str, str], NameRec] = {}
        self.by_key: dict[str, set[str]] = {}  # key -> types
        self.by_mkey: dict[tuple[str, str], set[str]] = {}  # (type, mkey) -> keys
        self.by_block: dict[tuple[str, str], set[str]] = {}  # (type, block) -> keys
        self.got_tk: set[tuple[str, str]] = set()
        self.got_key: set[str] = set()
        self.got_mkey: set[tuple[str, str]] = set()
        self.got_block: set[tuple[str, str]] = set()
        self.xids: dict[str, str] = {}
        self.got_xid: set[str] = set()
        self.ents: dict[str, Ent | None] = {}  # None: known not to exist
        self.rels: set[str] = set()
        self.got_rel: set[str] = set()

    def add_name(self, rec: NameRec) -> None:
        tk = (rec.type, rec.key)
        if tk in self.names:
            return
        self.names[tk] = rec
        self.by_key.setdefault(rec.key, set()).add(rec.type)
        self.by_mkey.setdefault((rec.type, rec.mkey), set()).add(rec.key)
        self.by_block.setdefault((rec.type, block(rec.mkey)), set()).add(rec.key)

    def ids_by_key(self, key: str) -> list[str]:
        return sorted({self.names[(t, key)].entity for t in self.by_key.get(key, ())})

    def ids_by_mkey(self, type_: str, mkey: str) -> set[str]:
        return {self.names[(type_, k)].entity for k in self.by_mkey.get((type_, mkey), ())}

    def near(self, type_: str, mkey: str) -> set[str]:
        """Entities with a name fuzzily equal to mkey among the first FUZZY_CANDIDATES names of
        the nearby blocks, in the embedded store's index order (block, then key)."""
        candidates = sorted(
            (b, k) for b in blocks_near(mkey) for k in self.by_block.get((type_, b), ())
        )[:FUZZY_CANDIDATES]
        hits = set()
        for _, k in candidates:
            rec = self.names[(type_, k)]
            if fuzzy_equal(mkey, rec.mkey):
                hits.add(rec.entity)
        return hits

    # ---------------------------------------------------------------- fetching
    def fetch(
        self,
        tk: set[tuple[str, str]],
        keys: set[str],
        tm: set[tuple[str, str]],
        blocks: set[tuple[str, str]],
        xids: set[str],
        ids: set[str],
    ) -> None:
        """Read what the next facts may look up and is not known yet, in one read transaction."""
        tk = {p for p in tk if p not in self.got_tk and p[1] not in self.got_key}
        keys -= self.got_key
        tm -= self.got_mkey
        blocks -= self.got_block
        xids -= self.got_xid
        ids = {i for i in ids if i not in self.ents}
        if not (tk or keys or tm or blocks or xids or ids):
            return

        def work(tx: Any) -> tuple[list[dict[str, Any]], ...]:
            def run(query: str, **params: Any) -> list[dict[str, Any]]:
                return [r.data() for r in tx.run(query, params)] if any(params.values()) else []

            return (
                run(cy.NAMES_BY_TYPE_KEY, pairs=[list(p) for p in tk])
                + run(cy.NAMES_BY_KEY, keys=list(keys))
                + run(cy.NAMES_BY_MKEY, pairs=[list(p) for p in tm])
                + run(cy.NAMES_BY_BLOCK, pairs=[list(p) for p in blocks]),
                run(cy.XIDS, xids=list(xids)),
                run(cy.ENTITY_INFO, ids=list(ids)),
            )

        names, found_xids, infos = self.client.read_tx(work)
        for row in names:
            self.add_name(NameRec(row["type"], row["key"], row["mkey"], row["entity"], row["name"]))
        for row in found_xids:
            self.xids.setdefault(row["xid"], row["entity"])
        self._take_infos(infos, ids)
        self.got_tk |= tk
        self.got_key |= keys
        self.got_mkey |= tm
        self.got_block |= blocks
        self.got_xid |= xids
        # the entities those names and ids point at: their types and properties
        wanted = {r["entity"] for r in names if r["entity"] not in self.ents}
        wanted |= {r["entity"] for r in found_xids if r["entity"] not in self.ents}
        self.fetch_entities(wanted)

    def fetch_entities(self, ids: Iterable[str]) -> None:
        ids = {i for i in ids if i not in self.ents}
        if ids:
            self._take_infos(self.client.read(cy.ENTITY_INFO, {"ids": list(ids)}), ids)

    def _take_infos(self, rows: list[dict[str, Any]], asked: set[str]) -> None:
        for row in rows:
            self.ents[row["id"]] = Ent(row["type"], json.loads(row["properties_json"] or "{}"))
        for i in asked:
            self.ents.setdefault(i, None)

    def ent(self, entity_id: str) -> Ent | None:
        if entity_id not in self.ents:
            self.fetch_entities([entity_id])
        return self.ents[entity_id]

    def fetch_relations(self, rids: dict[str, set[str]]) -> None:
        """Learn which of these relation ids (by relation type) exist."""
        for rtype, wanted in rids.items():
            wanted = wanted - self.got_rel
            if wanted:
                query = cy.with_rtype(cy.RELATIONS_EXIST, rtype)
                found = self.client.read(query, {"rids": list(wanted)})
                self.rels |= {r["rid"] for r in found}
                self.got_rel |= wanted
