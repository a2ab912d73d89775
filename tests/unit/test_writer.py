"""The embedded writer: new relations take the row ids SQLite would give them, evidence points at
its own relation, mentions keep their typing across batches, a wrong "new" is never ignored."""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.backends.sqlite import store as sqlite_store
from casegraph.backends.sqlite.writer import write_plan
from casegraph.graph import resolver
from casegraph.graph.model import Document
from casegraph.graph.plan import Plan, RelPlan
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

ENTITIES = [
    {"type": "Company", "name": f"Firm {i}", "quote": f"Firm {i} is a firm"} for i in range(8)
]


def _relations(pairs: list[tuple[int, int]], quote: str) -> list[dict[str, object]]:
    return [
        {"source": f"Firm {a}", "source_type": "Company", "type": "OWNS",
         "target": f"Firm {b}", "target_type": "Company", "quote": quote}
        for a, b in pairs
    ]  # fmt: skip


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plans of three facts, so one document is written in many batches."""
    monkeypatch.setattr(
        sqlite_store, "Resolver", functools.partial(resolver.Resolver, batch_size=3)
    )


def test_evidence_points_at_its_relation_when_new_and_merged_relations_mix(
    tmp_path: Path, small_batches: None
) -> None:
    first = write_jsonl(tmp_path / "a.jsonl", ENTITIES + _relations([(0, 1), (1, 2), (2, 3)], "a"))
    # the second file adds evidence to stored relations and creates new ones, in the same plans
    second = write_jsonl(
        tmp_path / "b.jsonl", _relations([(0, 1), (4, 5), (1, 2), (5, 6), (6, 7), (2, 3)], "b")
    )
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [first])
        summary = load_paths(store, [second])
        assert (summary.relations_new, summary.relations_merged) == (3, 3)
        db = store.db
        wrong = db.execute(
            "SELECT count(*) FROM evidence e JOIN relations r ON r.id = e.relation_id"
            " WHERE substr(e.eid, 4, 16) <> r.rid"
        ).fetchone()[0]
        assert wrong == 0
        assert db.execute("SELECT count(*) FROM evidence").fetchone()[0] == 9
        ids = [r[0] for r in db.execute("SELECT id FROM relations ORDER BY id")]
        assert ids == list(range(1, 7))  # row ids in creation order, none skipped


def test_a_mention_keeps_its_typing_when_later_batches_only_name_the_entity(
    tmp_path: Path, small_batches: None
) -> None:
    # named by relations first, then typed by entity lines of later batches, then named again
    pairs = [(0, 1), (0, 2), (0, 3), (1, 2), (0, 4), (0, 5), (6, 7)]
    rows = _relations(pairs, "q") + ENTITIES + _relations(pairs, "r")
    path = write_jsonl(tmp_path / "a.jsonl", rows)
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [path])
        typings = dict(store.db.execute("SELECT entity_id, typing FROM mentions"))
    assert len(typings) == len(ENTITIES)
    assert all(t is not None and '"Firm' in t for t in typings.values())


def test_a_relation_called_new_that_is_stored_fails_the_write(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", ENTITIES[:2] + _relations([(0, 1)], "a"))
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [path])
        rid, source, target = store.db.execute(
            "SELECT rid, source_id, target_id FROM relations"
        ).fetchone()
        plan = Plan(Document(id="d2", title="t", path="p", loader="jsonl"), "{}")
        plan.relations[rid] = RelPlan(rid, "OWNS", source, target, "{}", new=True)
        with pytest.raises(sqlite3.IntegrityError), store.conn.write():
            write_plan(store.db, plan)
        assert store.db.execute("SELECT count(*) FROM relations").fetchone()[0] == 1
        assert store.db.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
