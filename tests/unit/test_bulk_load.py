"""A load into a store with no relations builds three indexes at its end: the store it leaves
equals the one a row-by-row load leaves, index for index and row for row, a load that fails
leaves the store, indexes included, as it was, and two rows with one id refuse the load."""

from __future__ import annotations

import functools
import random
import sqlite3
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore, bulk, writer
from casegraph.backends.sqlite import store as sqlite_store
from casegraph.errors import CasegraphError
from casegraph.graph import resolver
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

TABLES = {
    "entities": "id, type, name, properties, type_source, status",
    "names": "type, key, mkey, block, entity_id, name",
    "xids": "xid, entity_id",
    "relations": "id, rid, source_id, type, target_id, properties, status",
    "evidence": 'id, eid, relation_id, document_id, quote, start, "end", extractor, confidence,'
    " locator, source_key, target_key, date",
    "mentions": "document_id, entity_id, typing",
}


def _case(seed: int, n: int) -> list[dict[str, object]]:
    """Entities with ids, then relations by id and by name, many repeated (more evidence for a
    relation created in an earlier batch), in both directions and of a weak type."""
    rng = random.Random(seed)
    ents = [{"type": "Company", "name": f"Firm {i}", "id": f"f{i}"} for i in range(12)]
    rels: list[dict[str, object]] = []
    for i in range(n):
        a, b = rng.sample(range(12), 2)
        rtype = rng.choice(["OWNS", "PART_OF", "MENTIONED_WITH"])
        if rng.random() < 0.5:
            ends = {"source_id": f"f{a}", "target_id": f"f{b}"}
        else:
            ends = {"source": f"Firm {a}", "source_type": "Company",
                    "target": f"Firm {b}", "target_type": "Company"}  # fmt: skip
        rels.append({**ends, "type": rtype, "quote": f"quote {i % 7}"})
    return ents + rels


def _dump(db: sqlite3.Connection) -> dict[str, object]:
    out: dict[str, object] = {
        t: sorted(db.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr)
        for t, cols in TABLES.items()
    }
    out["schema"] = sorted(db.execute("SELECT type, name, sql FROM sqlite_master").fetchall(),
                           key=repr)  # fmt: skip
    return out


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Plans of five facts, so one document is written in many batches; the list it gives
    records, for each plan written, whether the relation-id index existed as it was written."""
    monkeypatch.setattr(
        sqlite_store, "Resolver", functools.partial(resolver.Resolver, batch_size=5)
    )
    seen: list[bool] = []
    write = sqlite_store.write_plan

    def spy(db: sqlite3.Connection, plan: object) -> int:
        seen.append(_has_rid_index(db))
        return write(db, plan)  # type: ignore[arg-type]

    monkeypatch.setattr(sqlite_store, "write_plan", spy)
    return seen


def _has_rid_index(db: sqlite3.Connection) -> bool:
    row = db.execute("SELECT 1 FROM sqlite_master WHERE name = 'relations_rid'").fetchone()
    return row is not None


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_first_load_leaves_what_a_row_by_row_load_leaves(
    tmp_path: Path, small_batches: list[bool], monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    path = write_jsonl(tmp_path / "case.jsonl", _case(seed, 120))
    with SqliteStore(tmp_path / "bulk.db") as store:
        assert bulk.holds_no_relations(store.db)
        cache = store.db.execute("PRAGMA cache_size").fetchone()[0]
        summary_bulk = load_paths(store, [path])
        assert store.db.execute("PRAGMA cache_size").fetchone()[0] == cache
        first = _dump(store.db)
    assert len(small_batches) > 20 and not any(small_batches)  # built after the rows
    small_batches.clear()
    monkeypatch.setattr(bulk, "holds_no_relations", lambda db: False)
    with SqliteStore(tmp_path / "rows.db") as store:
        summary_rows = load_paths(store, [path])
        second = _dump(store.db)
    assert all(small_batches)  # row by row
    assert summary_bulk == summary_rows
    assert summary_bulk.relations_merged == 0 and summary_bulk.relations_new > 0
    assert first == second
    names = {name for _, name, _ in first["schema"]}  # type: ignore[attr-defined]
    assert set(bulk.DEFERRED) <= names


def test_a_second_load_into_the_store_adds_to_what_the_first_built(tmp_path: Path) -> None:
    rows = _case(4, 60)
    a = write_jsonl(tmp_path / "a.jsonl", rows[:40])
    b = write_jsonl(tmp_path / "b.jsonl", rows[:12] + rows[30:])
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [a])
        assert not bulk.holds_no_relations(store.db)
        summary = load_paths(store, [b])
        assert summary.relations_merged > 0  # found through the rid index the first load built
        db = store.db
        plan = db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM relations WHERE rid = ?", ("x",)
        ).fetchall()
        assert any("relations_rid" in str(row) for row in plan)
        wrong = db.execute(
            "SELECT count(*) FROM evidence e JOIN relations r ON r.id = e.relation_id"
            " WHERE substr(e.eid, 4, 16) <> r.rid"
        ).fetchone()[0]
        assert wrong == 0
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failed_first_load_leaves_the_store_with_its_indexes(
    tmp_path: Path, small_batches: list[bool]
) -> None:
    rows = [*_case(5, 40), {"source": "Firm 1", "target": "Firm 2"}]  # the last has no type
    path = write_jsonl(tmp_path / "bad.jsonl", rows)
    with SqliteStore(tmp_path / "s.db") as store:
        before = _dump(store.db)
        with pytest.raises(CasegraphError, match=r"bad\.jsonl:53: field 'type' is missing"):
            load_paths(store, [path])
        assert small_batches and not any(small_batches)  # plans were written without them
        assert _dump(store.db) == before
        assert bulk.holds_no_relations(store.db) and _has_rid_index(store.db)


def test_two_evidence_items_with_one_id_refuse_a_first_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # one relation on two lines: two evidence items, given one id as if their hashes collided
    line = {"source": "Firm 1", "source_type": "Company", "type": "OWNS", "target": "Firm 2",
            "target_type": "Company", "quote": "Firm 1 owns Firm 2."}  # fmt: skip
    path = write_jsonl(tmp_path / "twice.jsonl", [line, line])
    monkeypatch.setattr(writer, "evidence_id", lambda rid, key: f"ev:{rid}-{'0' * 16}")
    with SqliteStore(tmp_path / "s.db") as store:
        before = _dump(store.db)
        with pytest.raises(
            CasegraphError,
            match=r"^two evidence items of this load have the same id ev:[0-9a-f]{16}-0{16};"
            " nothing was loaded$",
        ):
            load_paths(store, [path])
        assert _dump(store.db) == before
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert set(bulk.DEFERRED) <= indexes
    monkeypatch.undo()
    with SqliteStore(tmp_path / "s.db") as store:  # with their own ids, both items are kept
        assert load_paths(store, [path]).evidence_added == 2
