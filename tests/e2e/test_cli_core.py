"""The CLI as a user drives it: commands, --json shapes, exit codes, stdout/stderr apart."""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from tests.conftest import run_cli, start_cli, write_jsonl

CASE = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO"], "properties": {"founded": 2010}},
    {"type": "Product", "name": "Pegasus"},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "NSO's Pegasus."},
    {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
     "quote": "Weinstein hired Black Cube."},
]  # fmt: skip


@pytest.fixture
def loaded(cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    src = write_jsonl(tmp_path / "case.jsonl", CASE)
    result = cli("load", str(src))
    assert result.code == 0, result.stderr
    return cli


def test_help_lists_every_command() -> None:
    result = run_cli("--help")
    assert result.code == 0
    for command in ("load", "entities", "search", "show", "stats", "sources", "export", "demo",
                    "merge", "alias"):  # fmt: skip
        assert command in result.stdout


def test_load_reports_and_is_idempotent(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = write_jsonl(tmp_path / "case.jsonl", CASE)
    first = cli("load", str(src), "--json")
    assert first.code == 0, first.stderr
    data = first.json()
    assert (data["documents_new"], data["entities_new"], data["relations_new"]) == (1, 4, 2)
    second = cli("load", str(tmp_path), "--json")  # the folder: same file, nothing new
    assert second.code == 0 and second.json()["documents_unchanged"] == 1
    assert second.json()["entities_new"] == 0
    human = cli("load", str(src))
    assert "1 already loaded" in human.stdout and human.errors == ""


def test_entities_and_type_filter(loaded) -> None:  # type: ignore[no-untyped-def]
    rows = loaded("entities", "--json").json()
    assert {r["name"] for r in rows} == {"NSO Group", "Pegasus", "Harvey Weinstein", "Black Cube"}
    assert set(rows[0]) == {"id", "name", "type", "aliases", "properties", "typed_by"}
    companies = loaded("entities", "--type", "company", "--json").json()
    assert {r["name"] for r in companies} == {"NSO Group", "Black Cube"}
    assert loaded("entities", "--limit", "1", "--json").json().__len__() == 1
    bad = loaded("entities", "--type", "Spaceship")
    assert bad.code == 2 and "unknown entity type 'Spaceship'" in bad.stderr and bad.stdout == ""


def test_search_is_case_insensitive_substring_and_fuzzy(loaded) -> None:  # type: ignore[no-untyped-def]
    assert loaded("search", "cube", "--json").json()[0]["name"] == "Black Cube"
    assert loaded("search", "BLACK", "--json").json()[0]["name"] == "Black Cube"
    assert loaded("search", "Wienstein", "--json").json()[0]["name"] == "Harvey Weinstein"
    none = loaded("search", "zzzzqqq", "--json")
    assert none.code == 1 and none.json() == []


def test_show_json_shape(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("show", "nso", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) == {
        "id", "name", "type", "typed_by", "aliases", "properties", "relations", "documents"
    }  # fmt: skip
    assert data["name"] == "NSO Group" and data["aliases"] == ["NSO"]
    assert data["properties"] == {"founded": 2010}
    (rel,) = data["relations"]
    assert rel["type"] == "DEVELOPED" and rel["direction"] == "out"
    assert rel["other"] == {"id": "product:pegasus", "name": "Pegasus", "type": "Product"}
    (ev,) = rel["evidence"]
    assert {"document_id", "document", "quote", "start", "end", "extractor", "confidence"} <= set(
        ev
    )
    assert ev["quote"] == "NSO's Pegasus." and ev["document"] == "case.jsonl"
    assert ev["locator"] == "line 5"
    incoming = loaded("show", "Pegasus", "--json").json()["relations"][0]
    assert incoming["direction"] == "in" and incoming["other"]["name"] == "NSO Group"
    human = loaded("show", "NSO Group")
    assert "-[DEVELOPED]->" in human.stdout and "NSO's Pegasus." in human.stdout


def test_unknown_entity_exits_2_with_candidates(loaded) -> None:  # type: ignore[no-untyped-def]
    result = loaded("show", "NSO Grp")
    assert result.code == 2
    assert result.stdout == ""
    assert "no entity 'NSO Grp'; did you mean 'NSO Group'" in result.stderr
    assert "Traceback" not in result.stderr


def test_stats_and_sources(loaded) -> None:  # type: ignore[no-untyped-def]
    stats = loaded("stats", "--json").json()
    assert (stats["documents"], stats["entities"], stats["relations"]) == (1, 4, 2)
    assert stats["relation_types"] == {"DEVELOPED": 1, "HIRED": 1}
    (doc,) = loaded("sources", "--json").json()
    assert doc["title"] == "case.jsonl" and doc["loader"] == "jsonl" and len(doc["id"]) == 64
    assert (doc["entities"], doc["relations"]) == (4, 2)


def test_export_json_node_link(loaded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "graph.json"
    result = loaded("export", str(out), "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    ids = {n["id"] for n in data["nodes"]}
    assert len(data["nodes"]) == 4 and len(data["edges"]) == 2
    for edge in data["edges"]:
        assert edge["source"] in ids and edge["target"] in ids and edge["evidence"]
    assert loaded("export", str(out), "--format", "pdf").code == 2


def test_merge_and_alias_commands(loaded) -> None:  # type: ignore[no-untyped-def]
    assert loaded("alias", "Black Cube", "BC Intelligence").code == 0
    assert loaded("show", "bc intelligence", "--json").json()["name"] == "Black Cube"
    refused = loaded("merge", "Black Cube", "Harvey Weinstein")
    assert refused.code == 2 and "cannot merge a Person into a Company" in refused.stderr


def test_missing_store_for_reads_exits_3_without_creating(tmp_path: Path) -> None:
    path = tmp_path / "none.db"
    result = run_cli("--store", str(path), "stats")
    assert result.code == 3 and "no store at" in result.stderr
    assert not path.exists()


def test_store_from_environment(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "case.jsonl", CASE)
    env = {"CASEGRAPH_STORE": str(tmp_path / "env.db")}
    assert run_cli("load", str(src), env=env).code == 0
    assert (tmp_path / "env.db").exists()


def test_malformed_jsonl_names_file_and_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "broken.jsonl"
    src.write_text('{"type": "Company", "name": "A"}\n\n{"type": "Company" "name": "B"}\n',
                   encoding="utf-8")  # fmt: skip
    result = cli("load", str(src))
    assert result.code == 2
    assert f"{src}:3: invalid JSON" in result.stderr
    assert len(result.errors.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    debug = cli("--debug", "load", str(src))
    assert debug.code != 0 and "Traceback" in debug.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('{"type": "Spaceship", "name": "X"}', "unknown entity type 'Spaceship'"),
        ('{"source": "A", "type": "HIRED", "target": "B"}', "unknown source 'A'"),
        (
            '{"source": "A", "type": "LOVES", "target": "B", "source_type": "Person",'
            ' "target_type": "Person"}',
            "unknown relation type 'LOVES'",
        ),
        ('{"type": "Company", "name": "X", "colour": "red"}', "unknown field 'colour'"),
        ('["Company", "X"]', "expected a JSON object"),
        (
            '{"source": "A", "type": "HIRED", "target": "B", "source_type": "Platform",'
            ' "target_type": "Company"}',
            "HIRED cannot join Platform -> Company",
        ),
    ],
)
def test_invalid_lines_are_refused_with_their_line(
    cli, tmp_path: Path, line: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "bad.jsonl"
    src.write_text('{"type": "Company", "name": "Fine"}\n' + line + "\n", encoding="utf-8")
    result = cli("load", str(src))
    assert result.code == 2, result.stderr
    assert "2" in result.errors.split(message)[0] and message in result.errors
    stats = cli("stats", "--json")  # a first load that failed leaves no store behind
    assert stats.code == 3 and "no store at" in stats.stderr


def _big_jsonl(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"source": f"Person {i}", "source_type": "Person",
                                 "type": "WORKS_FOR", "target": f"Firm {i % 997}",
                                 "target_type": "Company", "quote": f"Person {i} works there."}) + "\n")  # fmt: skip
    return path


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_process_killed_mid_load_leaves_store_unchanged(
    cli, store_path: Path, tmp_path: Path, sig: signal.Signals
) -> None:  # type: ignore[no-untyped-def]
    small = write_jsonl(tmp_path / "small.jsonl", CASE)
    assert cli("load", str(small)).code == 0
    big = _big_jsonl(tmp_path / "big.jsonl", 400_000)  # long enough to be caught mid-way
    with SqliteStore(store_path) as store:
        before = store.stats()
    # Ctrl-C as on a terminal: a test run started as a background job (`cmd &` in a script)
    # inherits SIGINT ignored, and Python then installs no handler for it
    proc = start_cli("--store", str(store_path), "load", str(big), preexec_fn=_default_sigint)
    wal = Path(str(store_path) + "-wal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not wal.exists() or wal.stat().st_size < 2_000_000):
        time.sleep(0.02)
    assert proc.poll() is None, "the load finished before it could be interrupted"
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "interrupted" in stderr and "Traceback" not in stderr
    else:
        assert proc.returncode == -signal.SIGKILL
    with SqliteStore(store_path) as store:
        after = store.stats()
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert after == before
