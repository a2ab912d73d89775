"""sync carries an investigator's decisions both ways: the log, and each fact's review status."""

from __future__ import annotations

from pathlib import Path

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.graph import decisions
from casegraph.graph.sync import sync
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

ROWS = [
    {"type": "Person", "name": "Ann Example"},
    {"type": "Company", "name": "Alpha Corp"},
    {"type": "Company", "name": "Thursday"},
    {
        "source": "Ann Example",
        "type": "WORKS_FOR",
        "target": "Alpha Corp",
        "quote": "Ann at Alpha.",
    },
    {"source": "Thursday", "type": "PART_OF", "target": "Alpha Corp", "quote": "On Thursday..."},
    {"source": "Ann Example", "type": "MENTIONED_WITH", "target": "Alpha Corp", "quote": "Both."},
]


def statuses(store: object) -> dict[str, object]:
    rels = {r.id: r.status for r in store.relations_of("company:alpha-corp")}  # type: ignore[attr-defined]
    return {"relations": rels, "thursday": store.entity("company:thursday").status,  # type: ignore[attr-defined]
            "log": [(d.uid, d.action, d.target, d.undone_at is not None)
                    for d in store.decisions()]}  # type: ignore[attr-defined]  # fmt: skip


def test_decisions_travel_both_ways(neo: Neo4jStore, embedded: SqliteStore, tmp_path: Path) -> None:
    load_paths(embedded, [write_jsonl(tmp_path / "a.jsonl", ROWS)])
    works = next(r.id for r in embedded.relations_of("company:alpha-corp") if r.type == "WORKS_FOR")
    weak = next(
        r.id for r in embedded.relations_of("company:alpha-corp") if r.type == "MENTIONED_WITH"
    )
    decisions.confirm(embedded, works, why="checked", by="ann")
    decisions.reject(embedded, weak)
    decisions.drop(embedded, "Thursday")
    decisions.note(embedded, "Ann Example", "called")
    here = statuses(embedded)
    sync(embedded, neo)
    assert statuses(neo) == here
    revision = neo.revision
    sync(embedded, neo)  # nothing new: nothing written
    assert neo.revision == revision and statuses(neo) == here
    # a decision made on Neo4j comes back
    note = decisions.undo(neo, here["log"][2][0])  # type: ignore[index]
    sync(neo, embedded)
    back = statuses(embedded)
    assert back == statuses(neo)
    assert back["thursday"] is None and back["log"][-1][:2] == (note.uid, "undo")  # type: ignore[index]
