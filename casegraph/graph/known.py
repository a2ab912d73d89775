"""What a load has read of a store: the name index a backend answers (`NameIndex`), the batch of
names one chunk of facts may look up (`NameQuery`), the resolver's caches of it (`Known`) and a
compact set of relation ids (`RidSet`)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

import numpy as np

from casegraph.graph.keys import (
    FUZZY_CANDIDATES,
    block,
    fuzzy_matches,
    lengths_may_match,
    lengths_near,
)
from casegraph.graph.plan import Ent, NameRec

_HEX_DIGITS = "0123456789abcdef"
# How many (type, key) pairs and entity types `Known` keeps past `forget` (then it starts over).
LASTING_LIMIT = 600_000
# How many names of fuzzy-match blocks `Known` keeps past `forget` (then it starts over): the
# first FUZZY_CANDIDATES of each block, with their entities (about 200 bytes a name).
BLOCK_LIMIT = 1_000_000


@dataclass(frozen=True)
class NameQuery:
    """The names one batch of facts may look up: by (type, key), by key of any type, by (type,
    match key) and by (type, fuzzy block)."""

    pairs: frozenset[tuple[str, str]] = frozenset()
    keys: frozenset[str] = frozenset()
    mkeys: frozenset[tuple[str, str]] = frozenset()
    blocks: frozenset[tuple[str, str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.pairs or self.keys or self.mkeys or self.blocks)


class NameIndex(Protocol):
    """What resolution reads of a store; each call answers completely for what it is asked."""

    def names(self, query: NameQuery) -> Iterable[NameRec]:
        """Every stored name matching any criterion of the query; of a block, at least its
        first FUZZY_CANDIDATES names in key order (no later one is ever a fuzzy candidate)."""

    def xids(self, xids: set[str]) -> dict[str, str]:
        """Which of these external ids are known: external id -> entity id."""

    def entities(self, ids: set[str]) -> dict[str, Ent]:
        """Which of these entity ids exist, with their type and properties."""

    def relations(self, rids: dict[str, set[str]]) -> set[str]:
        """Which of these relation ids (grouped by relation type) exist."""

    def documents(self, ids: set[str]) -> set[str]:
        """Which of these documents are loaded (complete)."""

    def next_seq(self) -> int:
        """The creation number the store's next new entity gets."""

    def decided(self) -> dict[str, str]:
        """The names of entities an investigator typed by hand: key -> entity id."""


@cache
def _alone(type_: str) -> tuple[str]:
    """The one tuple of one type, shared by every key known under that type alone."""
    return (type_,)


class Known:
    """The store's names, external ids, entities and relations as far as this load has looked,
    plus everything this load has decided (so answers equal a store that had written them)."""

    def __init__(self, index: NameIndex) -> None:
        self.index = index
        # Which entity a (type, key) names, and an entity's type, never change during a load (a
        # name is only ever added; a load changes no type): for an index that lets `forget` be
        # used, these outlive it, so a large load finds the ends of its relations again without
        # reading them from the store.
        self.keep = bool(getattr(index, "sees_own_writes", False))
        self.lasting: dict[tuple[str, str], str] = {}
        self.types: dict[str, str] = {}
        self._new_blocks()
        self.forget()

    def _new_blocks(self) -> None:
        # (type, block) -> its first FUZZY_CANDIDATES keys in order, their match keys and their
        # entities. With `keep`, these outlive `forget` until they hold BLOCK_LIMIT keys: a
        # block's first names change during a load only by the load's own names, which
        # `add_name` puts in, so the store need not be asked for them again (fuzzy candidates
        # were most of what a large load read, each block again after every `forget`).
        self.by_block: dict[tuple[str, str], tuple[list[str], list[str], list[str]]] = {}
        self.got_block: set[tuple[str, str]] = set()
        self.block_keys = 0  # keys held in by_block

    def forget(self) -> None:
        """Drop everything read or decided so far (only once it is all written to a store whose
        index sees this load's writes: then the index answers as these caches would)."""
        self.names: dict[tuple[str, str], NameRec] = {}
        self.by_key: dict[str, tuple[str, ...]] = {}  # key -> types
        # (type, mkey) -> the keys of that type with this match key, but for the key equal to it
        self.by_mkey: dict[tuple[str, str], tuple[str, ...]] = {}
        self.got_pair: set[tuple[str, str]] = set()
        self.got_key: set[str] = set()
        self.got_mkey: set[tuple[str, str]] = set()
        self.xids: dict[str, str] = {}
        self.got_xid: set[str] = set()
        self.ents: dict[str, Ent | None] = {}  # None: known not to exist
        self.rels: set[str] = set()  # relation ids known to exist before this load
        if len(self.lasting) + len(self.types) > LASTING_LIMIT:
            self.lasting, self.types = {}, {}
        if not self.keep or self.block_keys > BLOCK_LIMIT:
            self._new_blocks()

    def entity_named(self, type_: str, key: str) -> str | None:
        """The entity (type, key) names, if this load has seen it (since `forget` or before)."""
        rec = self.names.get((type_, key))
        return rec.entity if rec is not None else self.lasting.get((type_, key))

    def type_of(self, entity_id: str) -> str | None:
        """An entity's type (None when it does not exist)."""
        type_ = self.types.get(entity_id)
        if type_ is None:
            ent = self.ent(entity_id)
            type_ = ent.type if ent is not None else None
        return type_

    def add_ent(self, entity_id: str, ent: Ent | None) -> None:
        self.ents[entity_id] = ent
        if ent is not None and self.keep:
            self.types[entity_id] = ent.type

    def add_name(self, rec: NameRec) -> bool:
        """Record a name; False when (type, key) already names an entity."""
        tk = (rec.type, rec.key)
        if tk in self.names:
            return False
        if rec.mkey == rec.key:
            rec.mkey = rec.key  # one string kept for both
        self.names[tk] = rec
        if self.keep:
            self.lasting[tk] = rec.entity
        types = self.by_key.get(rec.key)  # (type, key) is new
        self.by_key[rec.key] = (*types, rec.type) if types else _alone(rec.type)
        if rec.mkey is not rec.key:  # a key equal to its match key is found in `names`
            tm = (rec.type, rec.mkey)
            self.by_mkey[tm] = (*self.by_mkey.get(tm, ()), rec.key)
        self.got_pair.discard(tk)  # known now, never asked for again
        keys, mkeys, ents = self.by_block.setdefault((rec.type, block(rec.mkey)), ([], [], []))
        at = bisect_left(keys, rec.key)
        if at < len(keys) and keys[at] == rec.key:
            pass  # read again after `forget`: the block kept it
        elif at < FUZZY_CANDIDATES:  # a key past them is never a candidate (`near`), nor later:
            keys.insert(at, rec.key)  # keys only ever join a block (until it is dropped)
            mkeys.insert(at, rec.mkey)
            ents.insert(at, rec.entity)
            if len(keys) > FUZZY_CANDIDATES:
                del keys[FUZZY_CANDIDATES:], mkeys[FUZZY_CANDIDATES:], ents[FUZZY_CANDIDATES:]
            else:
                self.block_keys += 1
        return True

    def ids_by_key(self, key: str) -> list[str]:
        return sorted({self.names[(t, key)].entity for t in self.by_key.get(key, ())})

    def ids_by_mkey(self, type_: str, mkey: str) -> set[str]:
        found = {self.names[(type_, k)].entity for k in self.by_mkey.get((type_, mkey), ())}
        rec = self.names.get((type_, mkey))  # the name whose key is this match key, if any
        if rec is not None and rec.mkey == mkey:
            found.add(rec.entity)
        return found

    def near(self, type_: str, mkey: str) -> set[str]:
        """Entities with a name fuzzily equal to mkey among the first FUZZY_CANDIDATES names of
        the nearby blocks, in index order (block, then key)."""
        found: set[str] = set()
        seen = 0
        for b, length in lengths_near(mkey):  # the first candidates: by block, then key
            keys, mkeys, ents = self.by_block.get((type_, b), ((), (), ()))
            room = FUZZY_CANDIDATES - seen
            seen += min(len(keys), room)
            if keys and lengths_may_match(len(mkey), length):  # else none here can match
                found.update(ents[i] for i in fuzzy_matches(mkey, list(mkeys[:room])))
            if seen >= FUZZY_CANDIDATES:
                break
        return found

    def size(self) -> int:
        return len(self.names) + len(self.ents) + len(self.rels)

    def fetch(
        self, query: NameQuery, xids: set[str], ids: set[str], *, owners: bool = True
    ) -> None:
        """Read what the next facts may look up and is not known yet (with the entities the
        names found belong to, unless owners is False: those are then read when needed)."""
        pairs: set[tuple[str, str]] = set()
        for p in query.pairs:
            rec = self.names.get(p)
            if rec is not None:  # known (perhaps as a fuzzy candidate, its entity unread)
                if owners:
                    ids.add(rec.entity)
            elif p not in self.got_pair and p[1] not in self.got_key:
                pairs.add(p)
        query = NameQuery(
            frozenset(pairs),
            query.keys - self.got_key,
            query.mkeys - self.got_mkey,
            query.blocks - self.got_block,
        )
        xids = xids - self.got_xid
        if query:
            for rec in self.index.names(query):
                self.add_name(rec)
                if owners:
                    ids.add(rec.entity)
            self.got_pair.update(p for p in query.pairs if p not in self.names)
            self.got_key |= query.keys
            self.got_mkey |= query.mkeys
            self.got_block |= query.blocks
        if xids:
            found = self.index.xids(xids)
            for xid, entity in found.items():
                self.xids.setdefault(xid, entity)
            ids |= set(found.values())
            self.got_xid |= xids
        self.fetch_entities(ids)

    def fetch_entities(self, ids: Iterable[str]) -> None:
        wanted = {i for i in ids if i not in self.ents}
        if wanted:
            found = self.index.entities(wanted)
            for i in wanted:
                self.add_ent(i, found.get(i))

    def ent(self, entity_id: str) -> Ent | None:
        if entity_id not in self.ents:
            self.fetch_entities([entity_id])
        return self.ents[entity_id]

    def fetch_relations(self, rids: dict[str, set[str]]) -> None:
        """Learn which of these relation ids (by relation type) exist. The resolver asks only for
        ids it has not created; each id asked for is then either known to exist or created, so
        an id in neither set has never been asked for."""
        wanted = {t: r - self.rels for t, r in rids.items() if r - self.rels}
        if wanted:
            self.rels |= self.index.relations(wanted)


class RidSet:
    """A set of relation ids in little memory: ids of 16 lowercase hex digits (what
    casegraph.graph.ids.relation_id makes) are kept as 64-bit integers in a sorted array."""

    MERGE = 1 << 16  # ids held in a plain set before they join the sorted array

    def __init__(self) -> None:
        self._recent: set[int] = set()
        self._sorted = np.zeros(0, dtype=np.uint64)
        self._other: set[str] = set()

    @staticmethod
    def _int(rid: str) -> int | None:
        # exactly 16 lowercase hex digits: stripping those leaves nothing
        return int(rid, 16) if len(rid) == 16 and not rid.strip(_HEX_DIGITS) else None

    def update(self, rids: Iterable[str]) -> None:
        for rid in rids:
            n = self._int(rid)
            if n is None:
                self._other.add(rid)
            else:
                self._recent.add(n)
        if len(self._recent) >= self.MERGE:
            self._merge()

    def _merge(self) -> None:
        fresh = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
        fresh.sort()
        both = np.concatenate((self._sorted, fresh))
        # two sorted runs: the stable sort (a merge sort) merges them in one linear pass, where
        # union1d sorted the whole array again (on a 1M load, 8% of its time)
        both.sort(kind="stable")
        if len(both) > 1:  # an id may have been added again after it was merged: kept once
            keep = np.empty(len(both), dtype=bool)
            keep[0] = True
            np.not_equal(both[1:], both[:-1], out=keep[1:])
            both = both[keep]
        self._sorted = both
        self._recent = set()

    def contains(self, rids: list[str]) -> list[bool]:
        """Whether each of rids is in the set."""
        ints = [self._int(r) for r in rids]
        out = [
            r in self._other if n is None else n in self._recent
            for r, n in zip(rids, ints, strict=False)
        ]
        if len(self._sorted):
            asked = [(i, n) for i, n in enumerate(ints) if n is not None and not out[i]]
            if asked:
                values = np.fromiter((n for _, n in asked), dtype=np.uint64, count=len(asked))
                pos = np.minimum(np.searchsorted(self._sorted, values), len(self._sorted) - 1)
                for (i, _), hit in zip(asked, (self._sorted[pos] == values).tolist(), strict=False):
                    out[i] = hit
        return out

    def __len__(self) -> int:
        if self._recent:
            self._merge()  # an id may have been added again after it was merged
        return len(self._sorted) + len(self._other)
