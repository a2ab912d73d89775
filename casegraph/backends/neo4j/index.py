"""Neo4j's side of resolution: batched UNWIND look-ups of names, ids, entities and relations."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.client import Client
from casegraph.graph.known import NameQuery
from casegraph.graph.plan import Ent, NameRec

# How many names, external ids and entities are stored, and relations of each schema type (in
# schema order): all read from Neo4j's count store. Columns: Name, Xid, Entity, rels.
STORED_NONE = (
    "CALL () { MATCH (n:Name) RETURN count(n) AS Name } "
    "CALL () { MATCH (x:Xid) RETURN count(x) AS Xid } "
    "CALL () { MATCH (e:Entity) RETURN count(e) AS Entity } "
    + " ".join(
        f"CALL () {{ MATCH ()-[r:{cy.quoted(t)}]->() RETURN count(r) AS r{i} }}"
        for i, t in enumerate(cy.relation_types())
    )
    + " RETURN Name, Xid, Entity, ["
    + ", ".join(f"r{i}" for i in range(len(cy.relation_types())))
    + "] AS rels"
)

# Values per look-up statement.
CHUNK = 5000


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class Neo4jIndex:
    """NameIndex over the (:Name), (:Xid), (:Entity) nodes and the relationships of a server.

    With `for_load`, what the store holds none of when the load starts (names, external ids,
    entities, relations of a type: counts Neo4j keeps, read at once) is not asked for again:
    while one writer loads, all that store gains is this load's own writes, which the resolver
    records itself and never asks about. A load into a new database then reads nothing back.
    """

    def __init__(self, client: Client, *, for_load: bool = False) -> None:
        self.client = client
        self.none: set[str] = set()  # "Name", "Xid", "Entity" or a relation type: none stored
        if for_load:
            row = client.read(STORED_NONE)[0]
            self.none = {k for k in ("Name", "Xid", "Entity") if row[k] == 0}
            self.none |= {t for t, n in zip(cy.relation_types(), row["rels"], strict=True) if not n}

    def _read(self, query: str, name: str, items: Iterable[Any]) -> Iterator[dict[str, Any]]:
        for batch in chunks(items):
            yield from self.client.read(query, {name: batch})

    def names(self, query: NameQuery) -> Iterator[NameRec]:
        if "Name" in self.none:
            return
        for cypher, name, items in (
            (cy.NAMES_BY_TYPE_KEY, "pairs", [list(p) for p in query.pairs]),
            (cy.NAMES_BY_KEY, "keys", list(query.keys)),
            (cy.NAMES_BY_MKEY, "pairs", [list(p) for p in query.mkeys]),
            (cy.NAMES_BY_BLOCK, "pairs", [list(p) for p in query.blocks]),
        ):
            for row in self._read(cypher, name, items):
                yield NameRec(row["type"], row["key"], row["mkey"], row["entity"], row["name"])

    def xids(self, xids: set[str]) -> dict[str, str]:
        if "Xid" in self.none:
            return {}
        return {r["xid"]: r["entity"] for r in self._read(cy.XIDS, "xids", xids)}

    def entities(self, ids: set[str]) -> dict[str, Ent]:
        if "Entity" in self.none:
            return {}
        return {
            r["id"]: Ent(r["type"], json.loads(r["properties_json"] or "{}"), r["type_source"],
                         r["status"])
            for r in self._read(cy.ENTITY_INFO, "ids", ids)
        }  # fmt: skip

    def relations(self, rids: dict[str, set[str]]) -> set[str]:
        found: set[str] = set()
        for rtype, wanted in rids.items():
            if rtype in self.none:
                continue
            query = cy.with_rtype(cy.RELATIONS_EXIST, rtype)
            found |= {r["rid"] for r in self._read(query, "rids", wanted)}
        return found

    def documents(self, ids: set[str]) -> set[str]:
        return {r["id"] for r in self._read(cy.KNOWN_DOCUMENTS, "ids", ids)}

    def next_seq(self) -> int:
        found = self.client.read(cy.NEXT_SEQ)
        return int(found[0]["seq"]) if found else 0

    def decided(self) -> dict[str, str]:
        return {r["key"]: r["entity"] for r in self.client.read(cy.DECIDED_NAMES)}
