"""Evidence ids: every item of a relation keeps its own id however many it has; the short ids of
stores before schema version 6 migrate to today's and still name their item."""

from __future__ import annotations

import sqlite3
from collections import Counter
from hashlib import sha1
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.backends.sqlite.ddl import SCHEMA_VERSION
from casegraph.errors import UsageError
from casegraph.graph import decisions
from casegraph.graph.ids import evidence_id, evidence_key, evidence_rid, relation_id
from casegraph.graph.model import Evidence
from casegraph.pipeline import load_paths
from casegraph.queries.source import find_evidence
from tests.conftest import write_jsonl

ITEMS = 20_000  # about 12 pairs of them shared a 6-digit id, so the old store lost 12
RID = relation_id("company:alda", "OWNS", "company:brix")


def _firms() -> list[dict[str, object]]:
    return [{"type": "Company", "name": n, "quote": f"{n} is a firm"} for n in ("Alda", "Brix")]


def _statements(n: int) -> list[dict[str, object]]:
    return [
        {"source": "Alda", "source_type": "Company", "type": "OWNS", "target": "Brix",
         "target_type": "Company", "quote": f"Alda owns Brix, filing {i}."}
        for i in range(n)
    ]  # fmt: skip


@pytest.fixture(scope="module")
def crowded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with one relation stated on ITEMS lines of one file."""
    tmp = tmp_path_factory.mktemp("crowded")
    path = write_jsonl(tmp / "filings.jsonl", _firms() + _statements(ITEMS))
    with SqliteStore(tmp / "s.db") as store:
        summary = load_paths(store, [path])
        assert summary.evidence_added == ITEMS
    return tmp / "s.db"


def test_a_relation_keeps_every_item_however_many(crowded: Path) -> None:
    db = sqlite3.connect(crowded)
    ids = [row[0] for row in db.execute("SELECT eid FROM evidence")]
    db.close()
    assert len(ids) == ITEMS and len(set(ids)) == ITEMS
    assert {len(i) for i in ids} == {36}
    assert {evidence_rid(i) for i in ids} == {RID}


def test_a_short_id_shared_by_two_items_is_refused_and_the_whole_id_works(crowded: Path) -> None:
    with SqliteStore(crowded) as store:
        ids = [e.id for e in store.evidence([RID])[RID]]
        shared = [short for short, n in Counter(i[:26] for i in ids).items() if n > 1]
        assert shared  # what the 6-digit ids could not tell apart
        with pytest.raises(UsageError, match=r"names 2 items .* give the whole id"):
            store.evidence_item(shared[0])
        both = [i for i in ids if i.startswith(shared[0])]
        assert [find_evidence(store, i).id for i in both] == both


def _old_id(rid: str, key: str) -> str:
    """The evidence id of casegraph before schema version 6, written out here on purpose."""
    return f"ev:{rid}-{sha1(f'{rid}|{key}'.encode()).hexdigest()[:6]}"


def test_an_old_id_is_the_start_of_the_new_one() -> None:
    rid = relation_id("company:a", "OWNS", "company:b")
    for i in range(200):
        ev = Evidence(f"doc{i % 7}", "q", i, i + 5, "jsonl", 1.0, f"line {i}")
        key = evidence_key(ev)
        assert evidence_id(rid, key).startswith(_old_id(rid, key))
        assert evidence_rid(_old_id(rid, key)) == rid == evidence_rid(evidence_id(rid, key))


def test_a_version_5_store_gets_the_new_ids_and_old_ids_still_name_their_items(
    tmp_path: Path,
) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", _firms() + _statements(3))
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [path])
        items = store.evidence([RID])[RID]
        decided = decisions.reject(store, items[1].id, why="misread")
        decisions.note(store, items[2].id, "check the filing")
        new_ids = [e.id for e in items]
    # the same store as casegraph before version 6 left it: short ids, and decisions naming them
    db = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    db.execute("UPDATE evidence SET eid = substr(eid, 1, 26)")
    db.execute("UPDATE decisions SET target = substr(target, 1, 26) WHERE target LIKE 'ev:%'")
    db.execute("PRAGMA user_version = 5")
    db.close()
    with SqliteStore(tmp_path / "s.db") as store:
        assert [e.id for e in store.evidence([RID])[RID]] == new_ids
        for e in store.evidence([RID])[RID]:
            key = evidence_key(Evidence(e.document_id, e.quote, e.start, e.end, e.extractor,
                                        e.confidence, e.locator))  # fmt: skip
            assert e.id == evidence_id(RID, key)
        assert [d.target for d in store.decisions()] == [new_ids[1], new_ids[2]]
        short = new_ids[1][:26]
        assert find_evidence(store, short).id == new_ids[1]
        assert find_evidence(store, short).status == "rejected"
        decisions.undo(store, decided.uid)
        assert find_evidence(store, new_ids[1]).status is None
        again = decisions.reject(store, short)  # a short id a user kept in their notes
        assert again.target == new_ids[1]
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 6
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
