"""The embedded store's adjacency (CSR arrays): the same answers as the networkx reference on
random stores, and a derived file that is rebuilt after a load and never trusted otherwise."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore, adjacency, graphview
from casegraph.backends.sqlite.adjacency import open_file, stamp
from casegraph.backends.sqlite.csr import CsrAccess
from casegraph.backends.sqlite.graphview import networkx_view
from casegraph.graph.access import CONFIRMED, DROPPED, REJECTED, GraphAccess, Hop, NxAccess, Step
from casegraph.graph.change import Change
from casegraph.pipeline import load_paths
from casegraph.queries.engine import Filters, Walker, all_shortest, bfs_levels, k_shortest
from casegraph.queries.neighbors import neighbors
from casegraph.queries.options import NeighborOptions, PathOptions
from casegraph.queries.paths import find_paths, raw_paths
from tests.conftest import write_jsonl

TYPES = ["Person", "Organization", "Product"]
# Relation types valid between the types above: (name, source types, target types).
RELS = [
    ("MENTIONED_WITH", TYPES, TYPES),
    ("USED", TYPES, ["Product"]),
    ("REPORTED_ON", ["Person", "Organization"], TYPES),
    ("DEVELOPED", ["Person", "Organization"], ["Product"]),
]


@st.composite
def cases(draw):  # type: ignore[no-untyped-def]
    """Entity lines and relation lines (parallel relations, repeats that add evidence)."""
    n = draw(st.integers(1, 9))
    types = [draw(st.sampled_from(TYPES)) for _ in range(n)]
    rows: list[dict[str, object]] = [{"type": t, "name": f"N{i}"} for i, t in enumerate(types)]
    for a, b, r in draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1), st.integers(0, n - 1), st.sampled_from(range(len(RELS)))
            ),
            max_size=25,
        )
    ):
        name, sources, targets = RELS[r]
        if a != b and types[a] in sources and types[b] in targets:
            rows.append({"source": f"N{a}", "type": name, "target": f"N{b}"})
    return rows


# An investigator's review, drawn before the relations exist: statuses of relations and of
# evidence items and dropped entities, each picked by position (modulo how many there are).
reviews = st.fixed_dictionaries(
    {
        "relations": st.lists(
            st.tuples(st.integers(0, 99), st.sampled_from([CONFIRMED, REJECTED, None])),
            max_size=8,
        ),
        "evidence": st.lists(st.integers(0, 99), max_size=6),
        "dropped": st.lists(st.integers(0, 99), max_size=3),
    }
)


def review(store: SqliteStore, drawn: dict[str, list]) -> None:  # type: ignore[type-arg]
    """Apply a drawn review to the store, as a decision does (one Change, one transaction)."""
    db = store.db
    rids = [r for (r,) in db.execute("SELECT rid FROM relations ORDER BY rid")]
    eids = [e for (e,) in db.execute("SELECT eid FROM evidence ORDER BY eid")]
    ids = [i for (i,) in db.execute("SELECT id FROM entities ORDER BY id")]
    change = Change(record=None)
    if rids:
        change.relation_status = {rids[i % len(rids)]: st_ for i, st_ in drawn["relations"]}
    if eids:
        change.evidence_status = {eids[i % len(eids)]: REJECTED for i in drawn["evidence"]}
    change.entity_updates = {ids[i % len(ids)]: {"status": DROPPED} for i in drawn["dropped"]}
    store.apply(change)


def _hops(found: list[Hop]) -> list[Hop]:
    return sorted(found, key=lambda h: (h.rid, h.source))


def assert_same_access(ours: GraphAccess, ref: GraphAccess, ids: list[str]) -> None:
    """Every GraphAccess answer of ours equals the reference's, for every step."""
    steps = [
        Step.of(
            rel,
            no_weak=weak,
            directed=directed,
            via_types=via,
            ends=ends,
            include_rejected=rejected,
        )
        for rel in (None, ["USED"], ["MENTIONED_WITH", "REPORTED_ON"])
        for weak in (False, True)
        for directed in (False, True)
        for via in (None, ["Person"], ["Organization", "Product"])
        for ends in ((), ids[:1])
        for rejected in (False, True)
    ]
    asked = [*ids, "person:nobody"]
    assert ours.costs(asked) == ref.costs(ids)
    assert ours.nodes(asked) == ref.nodes(ids)
    pairs = [(u, v) for u in ids for v in ids]
    for step in steps:
        for forward in (True, False):
            assert ours.step(asked, step, forward) == {
                **ref.step(ids, step, forward),
                "person:nobody": set(),
            }
        assert ours.hops(pairs, step) == ref.hops(pairs, step)
        assert _hops(ours.among(ids, step)) == _hops(ref.among(ids, step))
        assert _hops(ours.among(ids[::2], step)) == _hops(ref.among(ids[::2], step))


def _store(folder: Path, rows: list[dict[str, object]]) -> SqliteStore:
    store = SqliteStore(folder / "case.db")
    load_paths(store, [write_jsonl(folder / "case.jsonl", rows)])
    return store


@pytest.fixture
def no_disk_secret_leak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A cache secret of this test's own, and no adjacency left from another test."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()
    yield
    graphview.user_secret.cache_clear()
    graphview.ADJACENCY_CACHE.clear()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases(), st.integers(1, 4), st.none() | reviews)
def test_answers_equal_the_networkx_reference(rows, k: int, drawn) -> None:  # type: ignore[no-untyped-def]
    """Review statuses included: rejected relations and evidence, confirmed relations and
    dropped entities, walked or left out as each step says."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _store(Path(tmp), rows)
        try:
            if drawn is not None:
                review(store, drawn)
            ours, ref = store.graph(), NxAccess(networkx_view(store.conn))
            assert isinstance(ours, CsrAccess)
            ids = sorted(ref.graph.nodes)
            assert_same_access(ours, ref, ids)
            for s, t in pairwise([*ids, ids[0]]):
                for filters in (Filters(), Filters(directed=True), Filters(no_weak=True),
                                Filters(via_types=frozenset({"Person"})),
                                Filters(include_rejected=True)):  # fmt: skip
                    mine = Walker(ours, filters, (s, t))
                    theirs = Walker(ref, filters, (s, t))
                    assert all_shortest(mine, s, t, 6) == all_shortest(theirs, s, t, 6)
                    assert k_shortest(mine, s, t, 6, k) == k_shortest(theirs, s, t, 6, k)
                    assert bfs_levels(mine, s, 3) == bfs_levels(theirs, s, 3)
                for mode in ("shortest", "all", "k"):
                    opts = PathOptions(mode=mode, k=k).validated()
                    assert raw_paths(ours, s, t, opts, ()) == raw_paths(ref, s, t, opts, ())
        finally:
            store.close()


ROWS = [
    {"type": "Company", "name": "NSO Group"},
    {"type": "Product", "name": "Pegasus"},
    {"type": "Person", "name": "Shalev Hulio"},
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus"},
    {"source": "Shalev Hulio", "type": "WORKS_FOR", "target": "NSO Group"},
    {"source": "Shalev Hulio", "type": "MENTIONED_WITH", "target": "Pegasus"},
]
MORE = [{"type": "Company", "name": "Cytrox"},
        {"source": "Cytrox", "type": "MENTIONED_WITH", "target": "NSO Group"}]  # fmt: skip


@pytest.fixture
def on_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_disk_secret_leak: None
) -> Iterator[SqliteStore]:
    """A store small enough to keep its adjacency only in memory, made to keep it on disk."""
    monkeypatch.setattr(graphview, "DISK_MIN_RELATIONS", 1)
    store = _store(tmp_path, ROWS)
    yield store
    store.close()


def _expect_rebuild(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count builds from the tables from now on, as in a new process (nothing in memory)."""
    built: list[int] = []
    real = graphview.build

    def counting(*args: object) -> object:
        built.append(1)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(graphview, "build", counting)
    graphview.ADJACENCY_CACHE.clear()
    return built


def _answer(store: SqliteStore) -> list[list[str]]:
    result = find_paths(store, "Shalev Hulio", "Pegasus", PathOptions(mode="all"))
    return [[n.id for n in p.nodes] for p in result.paths]


def test_a_load_leaves_the_adjacency_of_the_new_state_beside_the_store(
    on_disk: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = on_disk.adjacency_path
    key = on_disk.view.signing_key()
    assert path.is_file() and key is not None
    first = stamp(on_disk.db)
    assert open_file(path, key, on_disk.uuid, first, 1 << 30) is not None
    load_paths(on_disk, [write_jsonl(tmp_path / "more.jsonl", MORE)])
    second = stamp(on_disk.db)
    assert second != first
    assert open_file(path, key, on_disk.uuid, first, 1 << 30) is None  # the old state's is gone
    adj = open_file(path, key, on_disk.uuid, second, 1 << 30)
    assert adj is not None and adj.n == 4 and adj.m == 4
    built = _expect_rebuild(monkeypatch)
    assert neighbors(on_disk, "Cytrox", NeighborOptions()).nodes[1].name == "NSO Group"
    assert built == [], "a new process read the file instead of the tables"


def test_the_file_is_memory_mapped_not_parsed(
    on_disk: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    _expect_rebuild(monkeypatch)
    assert on_disk.view.adjacency().source == "file"


def _tamper_cases(
    store: SqliteStore, good: bytes, other: SqliteStore, old: bytes
) -> dict[str, object]:
    return {
        "truncated": good[:-7],
        "one byte more": good + b"\0",
        "header changed": good[:20] + bytes([good[20] ^ 1]) + good[21:],
        "another store's": other.adjacency_path.read_bytes(),
        "an earlier state's": old,
        "empty": b"",
    }


def test_a_stale_truncated_or_foreign_file_is_ignored_and_rebuilt(
    on_disk: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = on_disk.adjacency_path.read_bytes()
    load_paths(on_disk, [write_jsonl(tmp_path / "more.jsonl", MORE)])
    good = on_disk.adjacency_path.read_bytes()
    expected = _answer(on_disk)
    (tmp_path / "other").mkdir()
    other = _store(tmp_path / "other", ROWS)  # same facts, another store
    try:
        for label, blob in _tamper_cases(on_disk, good, other, old).items():
            on_disk.adjacency_path.write_bytes(blob)  # type: ignore[arg-type]
            built = _expect_rebuild(monkeypatch)
            assert _answer(on_disk) == expected, label
            assert built == [1], f"{label}: the file was trusted"
            assert on_disk.adjacency_path.read_bytes() == good, f"{label}: not rewritten"
    finally:
        other.close()


def test_a_link_or_a_fifo_is_never_opened_and_is_replaced(
    on_disk: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = on_disk.adjacency_path
    good = path.read_bytes()
    expected = _answer(on_disk)
    target = tmp_path / "elsewhere"
    target.write_bytes(good)  # a valid file, but reached through a link
    path.unlink()
    path.symlink_to(target)
    built = _expect_rebuild(monkeypatch)
    assert _answer(on_disk) == expected and built == [1]
    assert not path.is_symlink() and target.read_bytes() == good  # the link's target untouched
    path.unlink()
    os.mkfifo(path)
    built = _expect_rebuild(monkeypatch)
    assert _answer(on_disk) == expected and built == [1]  # no hang on the FIFO
    assert path.is_file() and not path.is_fifo()


def test_a_file_signed_by_another_user_is_not_trusted(
    on_disk: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whoever hands over a case file with its adjacency made it: only this user's own secret
    (outside the store) makes the file trusted."""
    expected = _answer(on_disk)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    graphview.user_secret.cache_clear()
    built = _expect_rebuild(monkeypatch)
    assert _answer(on_disk) == expected and built == [1]


def test_a_store_opened_for_reading_gets_no_file_beside_it(
    on_disk: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _answer(on_disk)
    on_disk.adjacency_path.unlink()
    with SqliteStore(on_disk.path, read_only=True) as reader:
        built = _expect_rebuild(monkeypatch)
        assert _answer(reader) == expected and built == [1]  # built in memory
    assert not on_disk.adjacency_path.exists()


def test_questions_work_when_nothing_can_be_written_beside_the_store(
    on_disk: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _answer(on_disk)
    on_disk.adjacency_path.unlink()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(graphview, "write", refuse)  # a read-only folder, a full disk
    built = _expect_rebuild(monkeypatch)
    assert _answer(on_disk) == expected and built == [1]
    assert not on_disk.adjacency_path.exists()
    assert _answer(on_disk) == expected and built == [1]  # kept in memory for the process


def test_small_stores_keep_their_adjacency_in_memory_only(
    tmp_path: Path, no_disk_secret_leak: None
) -> None:
    store = _store(tmp_path, ROWS)
    try:
        assert _answer(store)
        assert not store.adjacency_path.exists()
    finally:
        store.close()


def test_one_process_shares_the_adjacency_of_a_state(
    tmp_path: Path, no_disk_secret_leak: None
) -> None:
    store = _store(tmp_path, ROWS)
    try:
        first = store.view.adjacency()
        assert store.view.adjacency() is first
        with SqliteStore(tmp_path / "case.db") as again:
            assert again.view.adjacency() is first
        load_paths(store, [write_jsonl(tmp_path / "more.jsonl", MORE)])
        second = store.view.adjacency()
        assert (
            second is not first and (second.n, second.m) == (4, 4) and (first.n, first.m) == (3, 3)
        )
    finally:
        store.close()
        shutil.rmtree(tmp_path / "user-cache", ignore_errors=True)


def test_the_build_reads_in_batches_in_code_point_order_whatever_the_script(
    tmp_path: Path, no_disk_secret_leak: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [
        "Zed",
        "zed",
        "Émile",
        "Ωmega",
        "中村",
        "𝔸lpha",
        "a b",
        "ab",
        "Ab",
        "z\u00e9",
        "ze\u0301",
    ]
    rows: list[dict[str, object]] = [{"type": "Person", "name": n} for n in names]
    rows += [{"source": a, "type": "MENTIONED_WITH", "target": b} for a, b in pairwise(names)]
    store = _store(tmp_path, rows)
    monkeypatch.setattr(adjacency, "BATCH", 3)  # batch boundaries inside the entities
    try:
        adj = adjacency.build(store.db, "uuid")
        off, blob = adj.arrays["id_off"].tolist(), adj.id_blob
        ids = [blob[a:b].decode("utf-8") for a, b in pairwise(off)]
        table = dict(store.db.execute("SELECT id, name FROM entities").fetchall())
        assert ids == sorted(table) and len(ids) > 3 * 2  # more than two batches
        noff = adj.arrays["name_off"].tolist()
        assert [adj.name_blob[a:b].decode("utf-8") for a, b in pairwise(noff)] == [
            table[i] for i in ids
        ]
        ends = store.db.execute("SELECT source_id, target_id FROM relations ORDER BY id").fetchall()
        out_ptr, out_nbr, out_rel = (
            adj.arrays[k].tolist() for k in ("out_ptr", "out_nbr", "out_rel")
        )
        got = sorted(
            (ids[u], ids[out_nbr[j]], out_rel[j]) for u in range(len(ids))
            for j in range(out_ptr[u], out_ptr[u + 1])
        )  # fmt: skip
        assert got == sorted((s, t, r) for r, (s, t) in enumerate(ends))
    finally:
        store.close()
