"""Every read command reads one snapshot: loads committing while it runs are not half seen.

Before, `export --format json` during loads wrote nodes of one revision and edges of a later
one (edges to nodes the file does not hold). The tests commit a load at the worst moment, in a
second connection (deterministic), and run exports while another process keeps loading.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.graph.records import EntityRow
from casegraph.pipeline import load_paths
from casegraph.views.export import export
from tests.conftest import cli_env, run_cli, write_jsonl


def batch(folder: Path, n: int) -> Path:
    """A file of new people, each working for the firm of the batch before (a link to old data)."""
    rows: list[dict[str, str]] = [{"type": "Company", "name": f"Firm {n}"}]
    for i in range(20):
        rows.append({"type": "Person", "name": f"Person {n}-{i}"})
        rows.append({"source": f"Person {n}-{i}", "type": "WORKS_FOR",
                     "target": f"Firm {max(n - 1, 0)}", "quote": f"batch {n}"})  # fmt: skip
    return write_jsonl(folder / f"batch{n:03d}.jsonl", rows)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "case.db"
    with SqliteStore(path) as store:
        load_paths(store, [batch(tmp_path, 0)])
    return path


class LoadsMidway(SqliteStore):
    """A store whose entity listing lets another process's load commit once it has been read."""

    other: Path

    def iter_entities(self) -> Iterator[EntityRow]:
        yield from super().iter_entities()
        with SqliteStore(self.path) as writer:  # a second connection: another process, in effect
            load_paths(writer, [self.other])


def closed(graph: dict[str, list[dict[str, str]]]) -> bool:
    ids = {n["id"] for n in graph["nodes"]}
    return all(e["source"] in ids and e["target"] in ids for e in graph["edges"])


def test_an_export_is_one_snapshot_when_a_load_commits_in_the_middle(
    store_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "graph.json"
    store = LoadsMidway(store_path)
    store.other = batch(tmp_path, 1)
    try:
        counts = export(store, out, "json")
    finally:
        store.close()
    graph = json.loads(out.read_text(encoding="utf-8"))
    assert closed(graph), "edges of a later revision, to nodes the export does not hold"
    assert counts == {"nodes": 21, "edges": 20}  # the revision the export began with
    with SqliteStore(store_path) as after:
        assert after.stats()["entities"] == 42  # the load did commit


def test_reads_inside_reading_see_one_revision(store_path: Path, tmp_path: Path) -> None:
    with SqliteStore(store_path) as reader:
        with reader.reading():
            before = reader.stats()
            with SqliteStore(store_path) as writer:
                load_paths(writer, [batch(tmp_path, 1)])
            assert reader.stats() == before
            assert len(list(reader.iter_entities())) == before["entities"]
            assert len(list(reader.iter_relations())) == before["relations"]
            assert reader.revision == before["revision"]
        assert reader.stats()["entities"] == before["entities"] + 21


def test_exports_while_another_process_loads_hold_no_dangling_edge(tmp_path: Path) -> None:
    store = tmp_path / "case.db"
    files = [batch(tmp_path, n) for n in range(60)]
    assert run_cli("--store", str(store), "load", str(files[0])).code == 0
    script = (
        "import subprocess, sys\n"
        "for f in sys.argv[2:]:\n"
        "    subprocess.run([sys.executable, '-m', 'casegraph', '--store', sys.argv[1], 'load', f],"
        " check=True, capture_output=True)\n"
    )
    loader = subprocess.Popen([sys.executable, "-c", script, str(store), *map(str, files[1:])],
                              env=cli_env())  # fmt: skip
    try:
        seen = 0
        while loader.poll() is None and seen < 12:
            out = tmp_path / f"export{seen}.json"
            got = run_cli("--store", str(store), "export", str(out))
            assert got.code == 0, got.stderr
            graph = json.loads(out.read_text(encoding="utf-8"))
            assert closed(graph), f"export {seen}: an edge to a node it does not hold"
            people = sum(1 for n in graph["nodes"] if n["type"] == "Person")
            assert len(graph["edges"]) == people  # each person's one link, all of one revision
            seen += 1
    finally:
        loader.wait(timeout=600)
    assert loader.returncode == 0


@pytest.mark.parametrize("how", ["reading()", "opened(read_only=True)"])
def test_the_stores_of_read_commands_see_one_revision(
    store_path: Path, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The two ways a read command opens the store (`decisions` and `review` use the second)."""
    from casegraph.cli import common
    from casegraph.config import Config

    monkeypatch.setitem(common.state, "config", Config(store=store_path))
    opening = common.reading() if how == "reading()" else common.opened(read_only=True)
    with opening as reader:
        before = reader.stats()
        with SqliteStore(store_path) as writer:
            load_paths(writer, [batch(tmp_path, 1)])
        assert reader.stats() == before
        assert len(list(reader.iter_relations())) == before["relations"]
    with SqliteStore(store_path) as after:
        assert after.stats()["entities"] == before["entities"] + 21
