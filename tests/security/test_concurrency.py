"""Several casegraph processes on one embedded store: loads at once, loads under readers.

No corruption (integrity_check), no lost document, readers only ever see committed states, and
a writer that must wait for another says so on stderr instead of seeming to hang.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore, connection
from casegraph.errors import StoreError
from casegraph.pipeline import load_paths
from tests.conftest import cli_env, run_cli, start_cli
from tests.security.storecheck import digest, integrity
from tests.security.test_faults import big_jsonl, small_jsonl

WAIT_NOTE = "waiting for another casegraph process to finish writing"


def _start(store: Path, *args: str) -> subprocess.Popen[str]:
    return start_cli("--store", str(store), *args)


def _firms(path: Path, prefix: str, n: int) -> Path:
    """A file of its own people working for firms shared with the other files."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"source": f"{prefix} {i}", "source_type": "Person",
                                 "type": "WORKS_FOR", "target": f"Firm {i % 101}",
                                 "target_type": "Company", "quote": f"{prefix} {i}."}) + "\n")  # fmt: skip
    return path


def _sequential(tmp_path: Path, name: str, *files: Path) -> str:
    store = tmp_path / name
    for file in files:
        assert run_cli("--store", str(store), "load", str(file)).code == 0
    return digest(store)


@pytest.mark.parametrize("fresh", [True, False], ids=["new store", "existing store"])
def test_two_loads_of_different_files_at_once(tmp_path: Path, fresh: bool) -> None:
    a = _firms(tmp_path / "a.jsonl", "Alice", 8000)
    b = _firms(tmp_path / "b.jsonl", "Bob", 8000)
    store = tmp_path / "case.db"
    if not fresh:
        assert (
            run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
        )
    procs = [_start(store, "load", str(f), "--json") for f in (a, b)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    for code, stdout, stderr in results:
        assert code == 0 and "Traceback" not in stderr, stderr
        assert json.loads(stdout)["documents_new"] == 1
    assert integrity(store) == "ok"
    with SqliteStore(store) as s:
        assert {d.title for d in s.documents()} >= {"a.jsonl", "b.jsonl"}
    if fresh:
        assert digest(store) in {_sequential(tmp_path, "ab.db", a, b),
                                 _sequential(tmp_path, "ba.db", b, a)}  # fmt: skip


def test_two_loads_of_the_same_file_at_once_store_it_once(tmp_path: Path) -> None:
    big = big_jsonl(tmp_path / "big.jsonl", 8000)
    store = tmp_path / "case.db"
    procs = [_start(store, "load", str(big), "--json") for _ in range(2)]
    summaries = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=300)
        assert p.returncode == 0 and "Traceback" not in stderr, stderr
        summaries.append(json.loads(stdout))
    assert sorted(s["documents_new"] for s in summaries) == [0, 1]
    assert integrity(store) == "ok"
    assert digest(store) == _sequential(tmp_path, "once.db", big)


READER = textwrap.dedent("""
    import contextlib, io, json, sys
    from casegraph.cli import main
    store, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
    seen = []
    for i in range(rounds):
        args = ["stats", "--json"] if i % 2 == 0 else ["path", "NSO", "Pegasus", "--json"]
        buf, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(err):
            try:
                main(["--store", store, *args])
                code = 0
            except SystemExit as e:
                code = e.code
        data = json.loads(buf.getvalue()) if buf.getvalue().strip() else None
        if args[0] == "stats" and data:
            data = [data["documents"], data["entities"], data["relations"], data["evidence"]]
        elif data:
            data = len(data["paths"])
        seen.append([args[0], code, data, err.getvalue()])
    with open(out, "w") as fh:
        json.dump(seen, fh)
""")


def test_readers_during_loads_see_only_committed_states(tmp_path: Path) -> None:
    store = tmp_path / "case.db"
    files = [small_jsonl(tmp_path / "s.jsonl")] + [
        _firms(tmp_path / f"f{i}.jsonl", f"P{i}", 3000) for i in range(3)
    ]
    assert run_cli("--store", str(store), "load", str(files[0])).code == 0
    states = [(lambda s: [s["documents"], s["entities"], s["relations"], s["evidence"]])(
        SqliteStore(store).stats())]  # fmt: skip
    (tmp_path / "reader.py").write_text(READER, encoding="utf-8")
    readers = [subprocess.Popen([sys.executable, str(tmp_path / "reader.py"), str(store),
                                 str(tmp_path / f"seen{i}.json"), "60"], env=cli_env())
               for i in range(2)]  # fmt: skip
    for file in files[1:]:
        result = run_cli("--store", str(store), "load", str(file))
        assert result.code == 0, result.stderr
        with SqliteStore(store) as s:
            st = s.stats()
        states.append([st["documents"], st["entities"], st["relations"], st["evidence"]])
    for reader in readers:
        assert reader.wait(timeout=600) == 0
    for i in range(2):
        seen = json.loads((tmp_path / f"seen{i}.json").read_text())
        for command, code, data, stderr in seen:
            assert code == 0 and "Traceback" not in stderr, stderr
            if command == "stats":
                assert data in states, f"a reader saw an uncommitted state {data}; {states}"
            else:
                assert data == 1
        counts = [d[0] for c, _, d, _ in seen if c == "stats"]
        assert counts == sorted(counts), "documents seen going backwards"
    assert integrity(store) == "ok"


def _hold_write_lock(store: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(store, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


def test_a_waiting_writer_says_so_then_goes_on(tmp_path: Path) -> None:
    store = tmp_path / "case.db"
    assert run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
    holder = _hold_write_lock(store)
    proc = _start(store, "load", str(big_jsonl(tmp_path / "b.jsonl", 100)))
    time.sleep(3)
    assert proc.poll() is None, "the load did not wait for the lock"
    holder.execute("ROLLBACK")
    holder.close()
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert stderr.count(WAIT_NOTE) == 1 and str(store) in stderr
    assert WAIT_NOTE not in stdout


def test_a_writer_gives_up_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "case.db"
    with SqliteStore(store) as s:
        load_paths(s, [small_jsonl(tmp_path / "s.jsonl")])
    before = digest(store)
    monkeypatch.setattr(connection, "BUSY_TIMEOUT", 0.3)
    notes: list[str] = []
    holder = _hold_write_lock(store)
    try:
        with (
            SqliteStore(store, on_wait=notes.append) as s,
            pytest.raises(StoreError, match="another process has been writing"),
        ):
            load_paths(s, [big_jsonl(tmp_path / "b.jsonl", 10)])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(notes) == 1 and WAIT_NOTE in notes[0]
    assert digest(store) == before and integrity(store) == "ok"


def test_no_note_when_the_store_is_free(tmp_path: Path) -> None:
    result = run_cli(
        "--store", str(tmp_path / "c.db"), "load", str(small_jsonl(tmp_path / "s.jsonl"))
    )
    assert result.code == 0 and WAIT_NOTE not in result.stderr


def test_two_processes_creating_one_store_both_succeed(tmp_path: Path) -> None:
    """Both saw an empty file and ran the DDL: the second failed 'table meta already exists'."""
    import threading

    for i in range(10):
        errors: list[Exception] = []

        def create(path: Path = tmp_path / f"s{i}.db", errors: list[Exception] = errors) -> None:
            try:
                SqliteStore(path, on_wait=lambda _: None).close()
            except Exception as e:
                errors.append(e)

        threads = [threading.Thread(target=create) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == [] and integrity(tmp_path / f"s{i}.db") == "ok"
