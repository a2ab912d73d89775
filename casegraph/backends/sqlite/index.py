"""The embedded store's side of resolution: batched look-ups of names, ids, entities, relations."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from casegraph.graph.keys import FUZZY_CANDIDATES
from casegraph.graph.known import NameQuery
from casegraph.graph.plan import Ent, NameRec

# Values per look-up statement (json_each lists: no bound-parameter limit, but bounded memory).
CHUNK = 10_000

_NAMES_BY_PAIR = (
    "SELECT type, key, mkey, entity_id, name FROM names WHERE (type, key) IN"
    " (SELECT value ->> 0, value ->> 1 FROM json_each(?))"
)
_NAMES_BY_KEY = (
    "SELECT type, key, mkey, entity_id, name FROM names INDEXED BY names_key"
    " WHERE key IN (SELECT value FROM json_each(?))"
)
_NAMES_BY_MKEY = (
    "SELECT type, key, mkey, entity_id, name FROM names INDEXED BY names_mkey"
    " WHERE (type, mkey) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))"
)
# Only the first FUZZY_CANDIDATES names of a block (in key order) can be fuzzy candidates
# (Known.near): the rest of a large block is never read into the resolver's memory.
_NAMES_BY_BLOCK = (
    "SELECT type, key, mkey, entity_id, name FROM ("
    " SELECT type, key, mkey, entity_id, name,"
    " row_number() OVER (PARTITION BY type, block ORDER BY key) AS place"
    " FROM names INDEXED BY names_block"
    " WHERE (type, block) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))"
    ") WHERE place <= ?"
)


def _chunks(items: Iterable[Any]) -> Iterator[str]:
    """JSON arrays of at most CHUNK items, for `json_each(?)`."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= CHUNK:
            yield json.dumps(batch)
            batch = []
    if batch:
        yield json.dumps(batch)


class SqliteIndex:
    """NameIndex over the store's tables (inside the load's transaction, so it sees its writes)."""

    # Plans are written before the resolver reads again, in the same transaction: what the
    # resolver has decided can always be read back here (casegraph.graph.resolver.Known.forget).
    sees_own_writes = True

    def __init__(self, db: sqlite3.Connection, *, relations_stored: bool = True) -> None:
        self.db = db
        # False when the store held no relation as the load began: every relation it holds is
        # then one this load created, which the resolver records and never asks about.
        self.relations_stored = relations_stored

    def _rows(self, sql: str, items: Iterable[Any], *more: Any) -> Iterator[tuple[Any, ...]]:
        for chunk in _chunks(items):
            yield from self.db.execute(sql, (chunk, *more))

    def names(self, query: NameQuery) -> Iterator[NameRec]:
        for sql, items, more in (
            (_NAMES_BY_PAIR, [list(p) for p in query.pairs], ()),
            (_NAMES_BY_KEY, list(query.keys), ()),
            (_NAMES_BY_MKEY, [list(p) for p in query.mkeys], ()),
            (_NAMES_BY_BLOCK, [list(p) for p in query.blocks], (FUZZY_CANDIDATES,)),
        ):
            for row in self._rows(sql, items, *more):
                yield NameRec(*row)

    def xids(self, xids: set[str]) -> dict[str, str]:
        sql = "SELECT xid, entity_id FROM xids WHERE xid IN (SELECT value FROM json_each(?))"
        return dict(self._rows(sql, xids))

    def entities(self, ids: set[str]) -> dict[str, Ent]:
        sql = (
            "SELECT id, type, properties, type_source, status FROM entities"
            " WHERE id IN (SELECT value FROM json_each(?))"
        )
        return {
            i: Ent(t, {} if p == "{}" else json.loads(p), ts or "source", st)
            for i, t, p, ts, st in self._rows(sql, ids)
        }

    def relations(self, rids: dict[str, set[str]]) -> set[str]:
        if not self.relations_stored:
            return set()
        sql = "SELECT rid FROM relations WHERE rid IN (SELECT value FROM json_each(?))"
        return {r for (r,) in self._rows(sql, (r for group in rids.values() for r in group))}

    def documents(self, ids: set[str]) -> set[str]:
        sql = "SELECT id FROM documents WHERE id IN (SELECT value FROM json_each(?))"
        return {i for (i,) in self._rows(sql, ids)}

    def next_seq(self) -> int:
        return 0  # the embedded store keeps creation order as its row order

    def decided(self) -> dict[str, str]:
        return dict(
            self.db.execute(
                "SELECT n.key, n.entity_id FROM names n JOIN entities e ON e.id = n.entity_id"
                " WHERE e.type_source = 'decision'"
            )
        )
