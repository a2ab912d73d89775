"""The embedded store's adjacency in compact arrays (CSR), built from its tables, kept on disk.

Entities are numbered in the order of their ids (so an id is found by binary search) and
relations in the order of their rows. Each direction is a CSR: `out_ptr[u]:out_ptr[u + 1]`
indexes the relations leaving entity u, sorted by the entity at their other end, then by row
(`out_nbr`: that entity, `out_rel`: the relation); `in_*` likewise for relations arriving at u.
Per entity: name, type code, degree (relations touching it, parallel ones counted) and cost
(distinct entities one relation out plus distinct entities one relation in, which is how
`casegraph.graph.access.NxAccess` counts it) and whether an investigator dropped it. Per
relation: id, type code, review status code and evidence count, both as the networkx reference
view has them (`casegraph.backends.sqlite.graphview.networkx_view`): rejected evidence is not
counted, and a relation all of whose evidence was rejected is rejected.

The file (`<store>.adjacency`) is a header (magic, a JSON description of the sections and of
the store state it was built from, and a signature over both) and 64-byte aligned sections that
are memory-mapped as they are, so a new process opens it without parsing. It is never trusted
unless it is a regular file (not a link, FIFO or device) of bounded size whose signature is
good, whose store uuid and state stamp are those of the open store, and whose sections fit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mmap
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np

from casegraph.graph.access import DROPPED, REJECTED
from casegraph.safefile import atomic_writer, map_derived

MAGIC = b"CGADJ\x00\x01\n"
FORMAT = 2
ALIGN = 64
# Rows read from SQLite per batch while building.
BATCH = 100_000
# The sections, their dtypes and what their length is counted in (n entities, m relations).
SECTIONS: dict[str, tuple[str, str]] = {
    "id_off": ("<i8", "n+1"), "id_blob": ("|u1", "*"),
    "name_off": ("<i8", "n+1"), "name_blob": ("|u1", "*"),
    "etype": ("|u1", "n"), "degree": ("<i4", "n"), "cost": ("<i4", "n"), "dropped": ("|u1", "n"),
    "out_ptr": ("<i8", "n+1"), "out_nbr": ("<i4", "m"), "out_rel": ("<i4", "m"),
    "in_ptr": ("<i8", "n+1"), "in_nbr": ("<i4", "m"), "in_rel": ("<i4", "m"),
    "rtype": ("|u1", "m"), "rstatus": ("|u1", "m"), "evidence": ("<i4", "m"), "rid": ("|S", "m"),
}  # fmt: skip
# What fixes a store state: (revision, largest entity, relation and evidence row ids).
Stamp = tuple[int, int, int, int]


@dataclass
class Adjacency:
    """The arrays of one store state, memory-mapped from its file or built in memory."""

    uuid: str
    stamp: Stamp
    etypes: list[str]
    rtypes: list[str]
    statuses: list[str | None]  # review status by code; code 0 is None (unreviewed)
    arrays: dict[str, np.ndarray]
    id_blob: Any  # bytes-like: slicing gives bytes (mmap or bytes)
    name_blob: Any
    source: str = "memory"  # "file" when memory-mapped from the derived file
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.arrays["etype"])

    @property
    def m(self) -> int:
        return len(self.arrays["rtype"])


def stamp(db: sqlite3.Connection) -> Stamp:
    """The state of the store a structure must match: its revision and its last row ids."""
    row = db.execute(
        "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'revision'),"
        " (SELECT ifnull(max(rowid), 0) FROM entities), (SELECT ifnull(max(id), 0) FROM relations),"
        " (SELECT ifnull(max(id), 0) FROM evidence)"
    ).fetchone()
    return (int(row[0] or 0), int(row[1]), int(row[2]), int(row[3]))


# ---------------------------------------------------------------------------- building
def build(db: sqlite3.Connection, uuid: str) -> Adjacency:
    """The arrays of the store's current state, read in one read transaction."""
    began = not db.in_transaction
    if began:
        db.execute("BEGIN")
    try:
        state = stamp(db)
        return _build(db, uuid, state)
    finally:
        if began and db.in_transaction:
            db.execute("COMMIT")


class _Strings:
    """Strings gathered a batch at a time as one blob and its offsets (each batch joined as it
    comes, so no Python object per string outlives its batch)."""

    def __init__(self) -> None:
        self.blobs: list[bytes] = []
        self.sizes: list[np.ndarray] = []

    def add(self, items: list[bytes]) -> None:
        self.sizes.append(np.fromiter(map(len, items), dtype=np.int64, count=len(items)))
        self.blobs.append(b"".join(items))

    def done(self) -> tuple[np.ndarray, bytes]:
        lengths = _joined(self.sizes, np.int64)
        offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        blob = b"".join(self.blobs)
        self.blobs.clear()
        return offsets, blob


def _rows(db: sqlite3.Connection, sql: str) -> Iterator[list[Any]]:
    cursor = db.execute(sql)
    while rows := cursor.fetchmany(BATCH):
        yield rows


def _build(db: sqlite3.Connection, uuid: str, state: Stamp) -> Adjacency:
    # Entities in id order, a batch at a time: SQLite's BINARY order is UTF-8 byte order, which
    # is code point order (Python's), checked as they come. Only the id -> position map is
    # held as Python objects; names, ids and types go to bytes and arrays batch by batch.
    index: dict[str, int] = {}
    etypes: dict[str, int] = {}
    etype_parts: list[np.ndarray] = []
    dropped_parts: list[np.ndarray] = []
    id_strings, name_strings = _Strings(), _Strings()
    last: bytes | None = None
    for rows in _rows(db, "SELECT id, name, type, status FROM entities ORDER BY id"):
        k = len(rows)
        ids = [r[0].encode("utf-8") for r in rows]
        if (last is not None and ids[0] <= last) or any(a >= b for a, b in pairwise(ids)):
            raise ValueError("the store returned entity ids out of order")
        last = ids[-1]
        index.update(zip((r[0] for r in rows), range(len(index), len(index) + k), strict=True))
        id_strings.add(ids)
        name_strings.add([r[1].encode("utf-8") for r in rows])
        etype_parts.append(
            np.fromiter((etypes.setdefault(r[2], len(etypes)) for r in rows), np.uint8, count=k)
        )
        dropped_parts.append(np.fromiter((r[3] == DROPPED for r in rows), np.uint8, count=k))
    n = len(index)
    etype, dropped = _joined(etype_parts, np.uint8), _joined(dropped_parts, np.uint8)
    id_off, id_blob = id_strings.done()
    name_off, name_blob = name_strings.done()

    rtypes: dict[str, int] = {}
    statuses: dict[str | None, int] = {None: 0}
    src_parts, dst_parts, type_parts, rid_parts, row_parts, status_parts = [], [], [], [], [], []
    sql = "SELECT id, source_id, target_id, type, rid, status FROM relations ORDER BY id"
    for rows in _rows(db, sql):
        k = len(rows)
        status_parts.append(
            np.fromiter((statuses.setdefault(r[5], len(statuses)) for r in rows), np.uint8, count=k)
        )
        row_parts.append(np.fromiter((r[0] for r in rows), dtype=np.int64, count=k))
        src_parts.append(np.fromiter((index[r[1]] for r in rows), dtype=np.int32, count=k))
        dst_parts.append(np.fromiter((index[r[2]] for r in rows), dtype=np.int32, count=k))
        type_parts.append(
            np.fromiter((rtypes.setdefault(r[3], len(rtypes)) for r in rows), np.uint8, count=k)
        )
        rid_parts.append(np.array([r[4].encode("utf-8") for r in rows]))
    del index
    src, dst = _joined(src_parts, np.int32), _joined(dst_parts, np.int32)
    row_ids = _joined(row_parts, np.int64)
    width = max((p.dtype.itemsize for p in rid_parts), default=1)
    rid = _joined(rid_parts, np.dtype(f"S{width}"))
    rtype = _joined(type_parts, np.uint8)
    rstatus = _joined(status_parts, np.uint8)
    m = len(src)

    # evidence counts leave rejected items out; a relation whose evidence was all rejected is
    # as good as rejected
    evidence = np.zeros(m, dtype=np.int32)
    sql = "SELECT relation_id, sum(status IS NULL), count(*) FROM evidence GROUP BY relation_id"
    for rows in _rows(db, sql):
        rel = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        cnt = np.fromiter((r[1] for r in rows), dtype=np.int32, count=len(rows))
        pos = np.minimum(np.searchsorted(row_ids, rel), max(m - 1, 0))
        ok = row_ids[pos] == rel if m else np.zeros(len(rel), dtype=bool)
        evidence[pos[ok]] = cnt[ok]
        gone = pos[ok][cnt[ok] == 0]  # every item of theirs rejected (count(*) is never 0)
        if len(gone):
            rstatus[gone] = statuses.setdefault(REJECTED, len(statuses))
    del row_ids
    if len(etypes) > 255 or len(rtypes) > 255 or len(statuses) > 255:
        raise ValueError("more than 255 entity types, relation types or review statuses")

    arrays: dict[str, np.ndarray] = {
        "id_off": id_off, "name_off": name_off, "etype": etype, "rtype": rtype,
        "rstatus": rstatus, "evidence": evidence, "rid": rid, "dropped": dropped,
        "degree": (np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)).astype(np.int32),
    }  # fmt: skip
    distinct = np.zeros(n, dtype=np.int64)
    for name, ends, others in (("out", src, dst), ("in", dst, src)):
        sort_key = ends.astype(np.int64)  # one 64-bit temporary at a time, worked in place
        sort_key *= max(n, 1)
        sort_key += others
        order = np.argsort(sort_key, kind="stable").astype(np.int32)
        del sort_key
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(ends, minlength=n), out=ptr[1:])
        nbr, owner = others[order], ends[order]
        first = np.ones(m, dtype=bool)
        first[1:] = (owner[1:] != owner[:-1]) | (nbr[1:] != nbr[:-1])
        distinct += np.bincount(owner[first], minlength=n)
        del owner, first
        arrays[f"{name}_ptr"] = ptr
        arrays[f"{name}_nbr"] = nbr.astype(np.int32, copy=False)
        arrays[f"{name}_rel"] = order
    arrays["cost"] = distinct.astype(np.int32)
    return Adjacency(uuid, state, list(etypes), list(rtypes), list(statuses), arrays, id_blob,
                     name_blob)  # fmt: skip


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    """The parts in one array of dtype; the list is emptied, so each part is let go once copied."""
    if not parts:
        return np.zeros(0, dtype=dtype)
    whole = np.concatenate(parts).astype(dtype, copy=False)
    parts.clear()
    return whole


# ---------------------------------------------------------------------------- the file
def _layout(adj: Adjacency) -> tuple[dict[str, Any], list[tuple[str, bytes | np.ndarray]]]:
    """The header's description of the sections and the sections in file order."""
    parts: list[tuple[str, bytes | np.ndarray]] = []
    for name in SECTIONS:
        if name == "id_blob":
            parts.append((name, adj.id_blob))
        elif name == "name_blob":
            parts.append((name, adj.name_blob))
        else:
            parts.append((name, adj.arrays[name]))
    header = {
        "format": FORMAT, "uuid": adj.uuid, "stamp": list(adj.stamp), "n": adj.n, "m": adj.m,
        "etypes": adj.etypes, "rtypes": adj.rtypes, "statuses": adj.statuses,
        "rid": adj.arrays["rid"].dtype.str,
    }  # fmt: skip
    return header, parts


def _nbytes(part: bytes | np.ndarray) -> int:
    return part.nbytes if isinstance(part, np.ndarray) else len(part)


def _pad(size: int) -> int:
    return -size % ALIGN


def write(adj: Adjacency, path: Path, key: bytes) -> None:
    """Write the structure to path, whole or not at all (OSError when it cannot be written).

    Layout: MAGIC, the header's length (4 bytes), the header (JSON), its HMAC-SHA256 under key,
    zeros up to a multiple of ALIGN where the data starts; section offsets count from there."""
    header, parts = _layout(adj)
    sections: dict[str, list[int]] = {}
    offset = 0
    for name, part in parts:
        sections[name] = [offset, _nbytes(part)]
        offset += _nbytes(part) + _pad(_nbytes(part))
    body = json.dumps(dict(header, sections=sections, data=offset), sort_keys=True,
                      separators=(",", ":")).encode("utf-8")  # fmt: skip
    head = MAGIC + len(body).to_bytes(4, "little") + body
    head += hmac.new(key, head, hashlib.sha256).digest()
    with atomic_writer(path, binary=True, mode=0o600) as fh:
        out: IO[bytes] = fh  # type: ignore[assignment]
        out.write(head + b"\0" * _pad(len(head)))
        for _, part in parts:
            # an array's own buffer, not a copy of it (tobytes would copy the largest section)
            out.write(
                np.ascontiguousarray(part).data.cast("B") if isinstance(part, np.ndarray) else part
            )
            out.write(b"\0" * _pad(_nbytes(part)))


def open_file(path: Path, key: bytes, uuid: str, state: Stamp, max_bytes: int) -> Adjacency | None:
    """The structure in path memory-mapped, or None when it is missing, not a regular file, too
    large, badly signed, of another store or state, or inconsistent: it is then never used."""
    view = map_derived(path, max_bytes)
    if view is None:
        return None
    try:
        return _parse(view, key, uuid, state)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError):
        view.close()
        return None


def _parse(view: mmap.mmap, key: bytes, uuid: str, state: Stamp) -> Adjacency | None:
    size = len(view)
    if size < len(MAGIC) + 4 or view[: len(MAGIC)] != MAGIC:
        return None
    body_len = int.from_bytes(view[len(MAGIC) : len(MAGIC) + 4], "little")
    head_end = len(MAGIC) + 4 + body_len
    if head_end + 32 > size:
        return None
    expected = hmac.new(key, view[:head_end], hashlib.sha256).digest()
    if not hmac.compare_digest(expected, view[head_end : head_end + 32]):
        return None
    header = json.loads(view[len(MAGIC) + 4 : head_end].decode("utf-8"))
    if header["format"] != FORMAT or header["uuid"] != uuid or tuple(header["stamp"]) != state:
        return None
    base = head_end + 32 + _pad(head_end + 32)
    if base + int(header["data"]) != size:
        return None  # truncated, or extended since it was written
    n, m = int(header["n"]), int(header["m"])
    arrays: dict[str, np.ndarray] = {}
    blobs: dict[str, memoryview] = {}
    for name, (dtype, count) in SECTIONS.items():
        offset, nbytes = (int(x) for x in header["sections"][name])
        offset += base
        if offset < base or offset % ALIGN or nbytes < 0 or offset + nbytes > size:
            return None
        if name.endswith("_blob"):
            blobs[name] = memoryview(view)[offset : offset + nbytes]
            continue
        dt = np.dtype(header["rid"] if dtype == "|S" else dtype)
        if dt.kind not in "iuS" or dt.itemsize == 0 or nbytes % dt.itemsize:
            return None
        if nbytes // dt.itemsize != {"n+1": n + 1, "n": n, "m": m}[count]:
            return None
        arrays[name] = np.frombuffer(view, dtype=dt, count=nbytes // dt.itemsize, offset=offset)
    for ptr, total in (("id_off", len(blobs["id_blob"])), ("name_off", len(blobs["name_blob"])),
                       ("out_ptr", m), ("in_ptr", m)):  # fmt: skip
        a = arrays[ptr]
        if a[0] != 0 or a[-1] != total or np.any(a[1:] < a[:-1]):
            return None
    for name, bound in (("out_nbr", n), ("in_nbr", n), ("out_rel", m), ("in_rel", m)):
        a = arrays[name]
        if len(a) and (int(a.min()) < 0 or int(a.max()) >= bound):
            return None  # the data is not signed: indices are checked before they are used
    etypes, rtypes, statuses = list(header["etypes"]), list(header["rtypes"]), header["statuses"]
    if not isinstance(statuses, list) or not statuses or statuses[0] is not None:
        return None
    if not all(isinstance(t, str) for t in (*etypes, *rtypes, *statuses[1:])):
        return None
    for codes, table in (("etype", etypes), ("rtype", rtypes), ("rstatus", statuses)):
        if len(arrays[codes]) and int(arrays[codes].max()) >= len(table):
            return None
    return Adjacency(uuid, state, etypes, rtypes, statuses, arrays, _Bytes(view, blobs["id_blob"]),
                     _Bytes(view, blobs["name_blob"]), source="file")  # fmt: skip


class _Bytes:
    """A slice of a mapped file that gives bytes when sliced (keeps the mapping alive)."""

    __slots__ = ("_mapping", "_view")

    def __init__(self, mapping: mmap.mmap, view: memoryview) -> None:
        self._mapping = mapping
        self._view = view

    def __getitem__(self, s: slice) -> bytes:
        return self._view[s].tobytes()

    def __len__(self) -> int:
        return len(self._view)
