"""Fault injection on the Neo4j backend: loads killed (SIGKILL) mid-way, the server stopped
mid-load and restarted. The re-run must complete the load and give the very graph a load that
never failed gives (counts and a content digest), with nothing duplicated.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest

from casegraph.config import Config
from tests.conftest import ROOT, free_port, run_cli, start_cli
from tests.integration.conftest import wipe

SEED = int(os.environ.get("CASEGRAPH_FAULT_SEED") or random.randrange(1 << 30))

# The graph's content, each query in a canonical order of its own and without load times or ids
# that differ between two clean loads. Constant queries: nothing from a test reaches them.
_CONTENT = {
    "documents": "MATCH (d:Document) RETURN d.id, d.title, d.path, d.loader, d.text, d.relations",
    "pending": "MATCH (d:PendingDocument) RETURN d.id",
    "entities": (
        "MATCH (e:Entity) RETURN e.id, e.type, e.name, e.key, e.properties_json,"
        " [a IN e.aliases | a] AS aliases, labels(e) AS labels"
    ),
    "names": "MATCH (n:Name) RETURN n.type, n.key, n.mkey, n.name, n.entity",
    "relations": (
        "MATCH (s:Entity)-[r]->(t:Entity) WHERE type(r) <> 'MENTIONS'"
        " RETURN s.id, type(r), t.id, r.rid, r.properties_json, r.quotes, r.document_ids,"
        " r.starts, r.ends, r.extractors, r.locators"
    ),
    "mentions": "MATCH (d:Document)-[:MENTIONS]->(e:Entity) RETURN d.id, e.id",
}


def _canonical(row: list[Any]) -> str:
    """A row as JSON, with the parallel evidence lists of a relation sorted as items."""
    if len(row) == 11:  # a relation: sort its evidence items, whatever order they were written in
        items = sorted(zip(*row[5:], strict=True))
        row = [*row[:5], items]
    return json.dumps([sorted(v) if isinstance(v, list) and v and isinstance(v[0], str)
                       else v for v in row], ensure_ascii=False, default=str)  # fmt: skip


def graph_snapshot(uri: str, password: str) -> dict[str, Any]:
    """Counts per kind of thing and a SHA-256 over all of it, sorted."""
    h = hashlib.sha256()
    counts: dict[str, int] = {}
    driver = neo4j.GraphDatabase.driver(uri, auth=("neo4j", password))
    with driver, driver.session(database="neo4j") as session:
        for kind, query in _CONTENT.items():
            rows = sorted(_canonical(list(r.values())) for r in session.run(query))
            counts[kind] = len(rows)
            h.update(f"{kind}:{len(rows)}\n".encode())
            for row in rows:
                h.update(row.encode() + b"\n")
    return {"counts": counts, "digest": h.hexdigest()}


def case_files(folder: Path, files: int, per_file: int) -> list[Path]:
    """`files` JSON Lines documents; people shared across them, so later files merge into
    entities and relations earlier ones made (a second evidence item on the same relation)."""
    folder.mkdir()
    out = []
    for f in range(files):
        path = folder / f"part-{f}.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            fh.write(
                json.dumps({"type": "Company", "name": f"Firm {f}", "aliases": [f"F{f}"]}) + "\n"
            )
            for i in range(per_file):
                p = (i * 7 + f) % (per_file * 2)
                fh.write(json.dumps({
                    "source": f"Person {p}", "source_type": "Person", "type": "WORKS_FOR",
                    "target": f"Firm {i % (files + 3)}", "target_type": "Company",
                    "quote": f"Person {p} works for firm {i % (files + 3)} (file {f}).",
                }) + "\n")  # fmt: skip
        out.append(path)
    return out


def _load_process(uri: str, password: str, *files: Path) -> subprocess.Popen[str]:
    return start_cli("--neo4j", uri, "load", *map(str, files), env={"NEO4J_PASSWORD": password})


def _load(uri: str, password: str, *files: Path) -> None:
    got = run_cli("--neo4j", uri, "load", *map(str, files), env={"NEO4J_PASSWORD": password},
                  timeout=600)  # fmt: skip
    assert got.code == 0, got.stderr


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    return case_files(tmp_path / "case", 4, 3000)


def test_neo4j_loads_killed_at_random_moments_then_rerun_equal_a_clean_load(
    neo4j_config: Config, neo4j_password: str, files: list[Path]
) -> None:
    uri = neo4j_config.neo4j_uri
    assert uri
    wipe(neo4j_config)
    started = time.monotonic()
    _load(uri, neo4j_password, *files)
    duration = time.monotonic() - started
    clean = graph_snapshot(uri, neo4j_password)
    assert clean["counts"]["documents"] == 4 and clean["counts"]["pending"] == 0

    wipe(neo4j_config)
    rnd = random.Random(SEED)
    kills = 0
    # The first load of a run is the slowest (a cold server and process): a later one may end
    # before a delay drawn from its time. A load that ends before its kill must equal the clean
    # one; the store is then wiped (a complete store leaves the next load nothing to do) and the
    # next delay drawn shorter.
    upper = duration * 0.9
    for attempt in range(8):
        if attempt >= 3 and kills:
            break
        delay = rnd.uniform(min(0.3, upper / 2), upper)
        proc = _load_process(uri, neo4j_password, *files)
        time.sleep(delay)
        killed = proc.poll() is None
        if killed:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=600)
        now = graph_snapshot(uri, neo4j_password)
        # whatever was interrupted, no document is seen half-loaded
        assert now["counts"]["documents"] <= 4, f"seed {SEED}, attempt {attempt}"
        if proc.returncode == 0:
            assert now == clean
        if not killed:
            assert proc.returncode == 0, f"seed {SEED}, attempt {attempt}: a load failed"
            wipe(neo4j_config)
            upper = max(0.2, delay / 2)
    assert kills >= 1, f"no load was killed (seed {SEED}); a load took {duration:.1f}s"
    _load(uri, neo4j_password, *files)
    assert graph_snapshot(uri, neo4j_password) == clean, f"seed {SEED}"
    _load(uri, neo4j_password, *files)  # and once more: nothing changes
    assert graph_snapshot(uri, neo4j_password) == clean


# ------------------------------------------------------------- the server stopped mid-load
class Server:
    """A Neo4j of this test's own through scripts/neo4j, with its data kept across restarts."""

    def __init__(self, state: Path, password: str) -> None:
        self.env = {**os.environ, "NEO4J_STATE_DIR": str(state), "NEO4J_PASSWORD": password,
                    "NEO4J_BOLT_PORT": str(free_port()), "NEO4J_HEAP": "1g",
                    "NEO4J_PAGECACHE_MB": "128"}  # fmt: skip
        self.uri = ""

    def _run(self, command: str) -> str:
        got = subprocess.run([str(ROOT / "scripts" / "neo4j"), command], env=self.env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
        assert got.returncode == 0, got.stderr[-2000:]
        return got.stdout.strip()

    def start(self) -> str:
        self.uri = self._run("start")
        return self.uri

    def stop(self) -> None:
        self._run("stop")


@pytest.fixture
def own_server(tmp_path: Path, neo4j_password: str) -> Iterator[Server]:
    server = Server(tmp_path / "neo4j", neo4j_password)
    try:
        yield server
    finally:
        server.stop()


def test_neo4j_stopped_mid_load_then_restarted_rerun_completes_without_duplicates(
    neo4j_config: Config, neo4j_password: str, files: list[Path], own_server: Server
) -> None:
    """The load fails with one clear line and exit 3 when the server goes; after a restart on
    the same data, the re-run completes and the graph equals a clean load (made on the shared
    test server), nothing duplicated."""
    assert neo4j_config.neo4j_uri
    wipe(neo4j_config)
    _load(neo4j_config.neo4j_uri, neo4j_password, *files)
    clean = graph_snapshot(neo4j_config.neo4j_uri, neo4j_password)

    uri = own_server.start()
    _load(uri, neo4j_password, files[0])  # something loaded before the fault, kept through it
    proc = _load_process(uri, neo4j_password, *files)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:  # wait until writes are under way
        if graph_snapshot(uri, neo4j_password)["counts"]["relations"] > 3000:
            break
        time.sleep(0.1)
    assert proc.poll() is None, "the load finished before the server could be stopped"
    own_server.stop()
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 3, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and lines[-1].startswith("error:") and "Traceback" not in err, err
    assert neo4j_password not in err + out

    assert own_server.start() == uri  # same port, same data
    _load(uri, neo4j_password, *files)
    assert graph_snapshot(uri, neo4j_password) == clean
