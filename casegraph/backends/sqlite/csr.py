"""How questions walk the embedded store: a GraphAccess over its adjacency arrays (CSR).

Only what a question touches is read: the slices of the entities it expands, and the names,
types and degrees of those it reports. Answers equal `casegraph.graph.access.NxAccess` on a
networkx view of the same store (same neighbour sets, degrees, costs and hops, review statuses
included), which the tests check on random graphs.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np

from casegraph.backends.sqlite.adjacency import Adjacency
from casegraph.graph.access import REJECTED, Hop, Nearest, NodeInfo, Step, walk_nearest

_EMPTY = np.zeros(0, dtype=np.int64)


def _gather(ptr: np.ndarray, us: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For the entities us (indices), the position in us of each one's relations and the
    relations' positions in the CSR, entity by entity."""
    starts = ptr[us]
    lens = ptr[us + 1] - starts
    total = int(lens.sum())
    if total == 0:
        return _EMPTY, _EMPTY
    owner = np.repeat(np.arange(len(us)), lens)
    shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
    return owner, np.arange(total) + shift


class CsrAccess:
    """GraphAccess over an `Adjacency`; never changes it. What it decodes (ids, names) is kept
    on the adjacency for later questions in the same process."""

    def __init__(self, adj: Adjacency) -> None:
        a = adj.arrays
        self.adj = adj
        self.n = adj.n
        self._id_off, self._id_blob = a["id_off"], adj.id_blob
        self._name_off, self._name_blob = a["name_off"], adj.name_blob
        self._etype, self._degree, self._cost = a["etype"], a["degree"], a["cost"]
        self._dropped = a["dropped"]
        self._any_dropped = bool(adj.cache.setdefault("any dropped", bool(self._dropped.any())))
        self._out = (a["out_ptr"], a["out_nbr"], a["out_rel"])
        self._in = (a["in_ptr"], a["in_nbr"], a["in_rel"])
        self._rtype, self._evidence, self._rid = a["rtype"], a["evidence"], a["rid"]
        self._rstatus, self._statuses = a["rstatus"], adj.statuses
        self._rejected = adj.statuses.index(REJECTED) if REJECTED in adj.statuses else -1
        self._etypes, self._rtypes = adj.etypes, adj.rtypes
        self._ix: dict[str, int] = adj.cache.setdefault("ix", {})
        self._ids: dict[int, str] = adj.cache.setdefault("ids", {})
        self._masks: dict[tuple[str, frozenset[str]], np.ndarray] = adj.cache.setdefault(
            "masks", {}
        )

    # ------------------------------------------------------------------ ids <-> indices
    def _find(self, key: str) -> int:
        """The index of entity id key (binary search over the sorted ids), or -1."""
        try:
            wanted = key.encode("utf-8")
        except (UnicodeEncodeError, AttributeError):
            return -1
        off, blob = self._id_off, self._id_blob
        lo, hi = 0, self.n
        while lo < hi:
            mid = (lo + hi) // 2
            if blob[int(off[mid]) : int(off[mid + 1])] < wanted:
                lo = mid + 1
            else:
                hi = mid
        if lo < self.n and blob[int(off[lo]) : int(off[lo + 1])] == wanted:
            return lo
        return -1

    def _index(self, ids: Iterable[str]) -> list[int]:
        """The index of each id (-1 for an id that is not an entity here)."""
        ix = self._ix
        out = []
        for u in ids:
            i = ix.get(u)
            if i is None:
                i = ix[u] = self._find(u)
                if i >= 0:
                    self._ids[i] = u
            out.append(i)
        return out

    def _decode(self, idx: list[int]) -> list[str]:
        """The ids of these indices."""
        ids = self._ids
        missing = [i for i in set(idx) if i not in ids]
        if missing:
            arr = np.asarray(missing, dtype=np.int64)
            starts, ends = self._id_off[arr].tolist(), self._id_off[arr + 1].tolist()
            blob, ix = self._id_blob, self._ix
            for i, a, b in zip(missing, starts, ends, strict=True):
                ids[i] = s = blob[a:b].decode("utf-8")
                ix[s] = i
        return [ids[i] for i in idx]

    # ------------------------------------------------------------------ filters
    def _mask(self, kind: str, names: frozenset[str]) -> np.ndarray:
        """A boolean array over type codes: which codes name one of names."""
        found = self._masks.get((kind, names))
        if found is None:
            table = self._rtypes if kind == "r" else self._etypes
            found = np.array([t in names for t in table] + [False], dtype=bool)
            self._masks[(kind, names)] = found
        return found

    def _crossable(self, rels: np.ndarray, step: Step) -> np.ndarray | None:
        """Which of these relations (row indices) the step may cross; None when all may.

        Every relation filter lives here (`Step.allows` on the arrays: relation types, review
        status), so that a new one is one change: step, hops and among all ask this method."""
        ok: np.ndarray | None = None
        if step.rel_types is not None:
            ok = self._mask("r", step.rel_types)[self._rtype[rels]]
        if self._rejected >= 0 and not step.include_rejected:
            kept = self._rstatus[rels] != self._rejected
            ok = kept if ok is None else ok & kept
        return ok

    def _reachable(self, v: np.ndarray, step: Step) -> np.ndarray | None:
        """Which of these entities (indices) a step may reach; None when all may. Every entity
        filter lives here: dropped entities (unless the step includes rejected items) and the
        types an entity on the way must have (the step's ends exempt)."""
        ok: np.ndarray | None = None
        if self._walks_dropped(step):
            ok = self._dropped[v] == 0
        if step.via_types is not None:
            allowed = self._mask("e", step.via_types)[self._etype[v]]
            ends = [i for i in self._index(step.ends) if i >= 0]
            if ends:
                allowed |= np.isin(v, np.asarray(ends, dtype=np.int64))
            ok = allowed if ok is None else ok & allowed
        return ok

    def _walks_dropped(self, step: Step) -> bool:
        """Whether a walk with this step must leave dropped entities out."""
        return self._any_dropped and not step.include_rejected

    # ------------------------------------------------------------------ GraphAccess
    def step(self, nodes: Collection[str], step: Step, forward: bool) -> dict[str, set[str]]:
        nodes = list(nodes)
        out: dict[str, set[str]] = {u: set() for u in nodes}
        present = [(u, i) for u, i in zip(nodes, self._index(nodes), strict=True) if i >= 0]
        if present and self._walks_dropped(step):  # nothing is reached from a dropped entity
            present = [(u, i) for u, i in present if not self._dropped[i]]
        if not present:
            return out
        us = np.fromiter((i for _, i in present), dtype=np.int64, count=len(present))
        tables = ((self._out if forward else self._in),) if step.directed else (self._out, self._in)
        owners, found = [], []
        for ptr, nbr, rel in tables:
            owner, pos = _gather(ptr, us)
            if not len(pos):
                continue
            v = nbr[pos].astype(np.int64)
            ok = self._crossable(rel[pos], step)
            if ok is not None:
                owner, v = owner[ok], v[ok]
            owners.append(owner)
            found.append(v)
        if not owners:
            return out
        owner, v = np.concatenate(owners), np.concatenate(found)
        keep = v != us[owner]
        reachable = self._reachable(v, step)
        if reachable is not None:
            keep &= reachable
        pairs = np.unique(owner[keep] * max(self.n, 1) + v[keep])
        owner, v = pairs // max(self.n, 1), pairs % max(self.n, 1)
        names = self._decode(v.tolist())
        bounds = np.searchsorted(owner, np.arange(len(us) + 1)).tolist()
        for j, (u, _) in enumerate(present):
            out[u] = set(names[bounds[j] : bounds[j + 1]])
        return out

    def costs(self, nodes: Collection[str]) -> dict[str, int]:
        present = [(u, i) for u, i in zip(nodes, self._index(nodes), strict=True) if i >= 0]
        if not present:
            return {}
        idx = np.fromiter((i for _, i in present), dtype=np.int64, count=len(present))
        return dict(zip((u for u, _ in present), self._cost[idx].tolist(), strict=True))

    def cost(self, nodes: Collection[str]) -> int:
        idx = [i for i in self._index(nodes) if i >= 0]
        return int(self._cost[np.asarray(idx, dtype=np.int64)].sum()) if idx else 0

    def nodes(self, ids: Collection[str]) -> dict[str, NodeInfo]:
        present = [(u, i) for u, i in zip(ids, self._index(ids), strict=True) if i >= 0]
        if not present:
            return {}
        idx = np.fromiter((i for _, i in present), dtype=np.int64, count=len(present))
        starts, ends = self._name_off[idx].tolist(), self._name_off[idx + 1].tolist()
        types, degrees = self._etype[idx].tolist(), self._degree[idx].tolist()
        blob, etypes = self._name_blob, self._etypes
        return {
            u: NodeInfo(u, blob[a:b].decode("utf-8"), etypes[t], d)
            for (u, _), a, b, t, d in zip(present, starts, ends, types, degrees, strict=True)
        }

    def _hop(self, r: int, source: str, target: str) -> Hop:
        return Hop(self._rid[r].decode("utf-8"), source, target, self._rtypes[self._rtype[r]],
                   int(self._evidence[r]), self._statuses[self._rstatus[r]])  # fmt: skip

    def _between(self, table: tuple[np.ndarray, ...], u: int, v: int, step: Step) -> list[int]:
        """The relations of table (out or in) joining u and v that the step may cross, by row."""
        ptr, nbr, rel = table
        a, b = int(ptr[u]), int(ptr[u + 1])
        seg = nbr[a:b]
        lo, hi = a + int(np.searchsorted(seg, v, "left")), a + int(np.searchsorted(seg, v, "right"))
        rels = rel[lo:hi]
        ok = self._crossable(rels, step)
        return (rels if ok is None else rels[ok]).tolist()

    def hops(
        self, pairs: Collection[tuple[str, str]], step: Step
    ) -> dict[tuple[str, str], list[Hop]]:
        out: dict[tuple[str, str], list[Hop]] = {}
        for u, v in pairs:
            iu, iv = self._index((u, v))
            if iu < 0 or iv < 0:
                out[(u, v)] = []
                continue
            found = [self._hop(r, u, v) for r in self._between(self._out, iu, iv, step)]
            if not step.directed:
                found += [self._hop(r, v, u) for r in self._between(self._in, iu, iv, step)]
            out[(u, v)] = found
        return out

    def nearest(self, start: str, step: Step, depth: int, limit: int) -> Nearest:
        return walk_nearest(self, start, step, depth, limit)

    def among(self, ids: Collection[str], step: Step) -> list[Hop]:
        keep = np.unique(np.asarray([i for i in self._index(ids) if i >= 0], dtype=np.int64))
        if not len(keep):
            return []
        ptr, nbr, rel = self._out
        owner, pos = _gather(ptr, keep)
        if not len(pos):
            return []
        v = nbr[pos].astype(np.int64)
        ok = np.isin(v, keep)
        crossable = self._crossable(rel[pos], step)
        if crossable is not None:
            ok &= crossable
        sources = self._decode(keep[owner[ok]].tolist())
        targets = self._decode(v[ok].tolist())
        return [
            self._hop(r, s, t)
            for r, s, t in zip(rel[pos][ok].tolist(), sources, targets, strict=True)
        ]
