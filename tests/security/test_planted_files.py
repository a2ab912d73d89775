"""Files planted beside a case never make casegraph write outside it, hang, or fill memory.

The attacker shares a case folder (or can write into one): links named like the temporary files
casegraph might use, a link, FIFO or huge file where the graph cache lives, a link where an
export goes. Every test checks the CLI's behaviour (the query answers, the file outside keeps
its bytes and mode), not how the cache or the writers work inside, so it keeps holding when
they change.
"""

from __future__ import annotations

import os
import random
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import cli_env, run_cli, write_jsonl

VICTIM_TEXT = b"the investigator's notes: must never change\n"
# How many pids after the last one used get a planted link (the attack planted them "for
# every pid"; these cover every process the tests start, on a busy machine too).
PIDS_AHEAD = 3000


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the case folder, with a mode a chmod would change."""
    victim = tmp_path / "elsewhere" / "notes.txt"
    victim.parent.mkdir()
    victim.write_bytes(VICTIM_TEXT)
    victim.chmod(0o644)
    return victim


def unchanged(victim: Path) -> bool:
    return victim.read_bytes() == VICTIM_TEXT and stat.S_IMODE(victim.stat().st_mode) == 0o644


def plant(folder: Path, names: list[str], target: Path) -> list[Path]:
    links = []
    for name in names:
        link = folder / name
        link.symlink_to(target)
        links.append(link)
    return links


def temp_names(name: str) -> list[str]:
    """Names a writer might give the temporary file of `name`: with pids, fixed suffixes."""
    try:
        last = int(Path("/proc/sys/kernel/ns_last_pid").read_text())
    except (OSError, ValueError):
        last = os.getpid()
    pids = range(max(1, last - 50), last + PIDS_AHEAD)
    names = [f"{name}.{pid}.tmp" for pid in pids] + [f".{name}.{pid}.tmp" for pid in pids[:200]]
    fixed = [f"{name}.tmp", f"{name}.part", f".{name}.part", f".{name}.tmp", f"{name}~",
             f"{name}.new", f".{name}.new"]  # fmt: skip
    return [*names, *fixed]


@pytest.fixture(scope="module")
def large_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A case of 21,000 relations (large enough that a graph view of it is kept on disk)."""
    folder = tmp_path_factory.mktemp("large")
    rng = random.Random(7)
    syllables = ["ka", "lo", "mi", "ne", "zu", "ra", "to", "shi", "vek", "dor", "pla", "qui"]
    names: set[str] = set()
    while len(names) < 400:
        names.add("".join(rng.choice(syllables) for _ in range(4)).title())
    people = sorted(names)
    rows: list[dict[str, str]] = [{"type": "Person", "name": n} for n in people]
    pairs: set[frozenset[str]] = set()
    while len(pairs) < 21_000:
        a, b = rng.sample(people, 2)
        if frozenset((a, b)) not in pairs:
            pairs.add(frozenset((a, b)))
            rows.append({"source": a, "target": b, "type": "MENTIONED_WITH", "quote": a + b})
    src = write_jsonl(folder / "people.jsonl", rows)
    store = folder / "case.db"
    got = run_cli("--store", str(store), "load", str(src), "--json")
    assert got.code == 0, got.stderr
    assert got.json()["relations_new"] >= 20_000
    return store


def case_copy(large_case: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir()
    store = folder / "case.db"
    store.write_bytes(large_case.read_bytes())
    return store


def ask(
    store: Path, tmp_path: Path, *args: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """A question in a new process (so nothing is cached in memory), its cache folder fresh."""
    env = cli_env({"XDG_CACHE_HOME": str(tmp_path / "user-cache")})
    argv = args or ("path", "Kakakaka", "Lololo", "--max-hops", "3")
    return subprocess.run(
        [sys.executable, "-m", "casegraph", "--store", str(store), *argv],
        capture_output=True, text=True, env=env, timeout=timeout, cwd=tmp_path,
    )  # fmt: skip


def a_person(store: Path) -> list[str]:
    rows = run_cli("--store", str(store), "entities", "--limit", "2", "--json").json()
    return [r["id"] for r in rows]


# ---------------------------------------------------------------------------- the graph cache
def test_planted_links_for_every_temporary_name_are_never_written_through(
    large_case: Path, tmp_path: Path, outside: Path
) -> None:
    store = case_copy(large_case, tmp_path)
    links = plant(store.parent, temp_names(store.name + ".adjacency"), outside)
    a, b = a_person(store)
    for _ in range(2):  # the first run may write the cache, the second reads it
        got = ask(store, tmp_path, "path", a, b, "--max-hops", "3")
        assert got.returncode in (0, 1), got.stderr
    assert unchanged(outside), "a query wrote through a planted link"
    assert all(link.is_symlink() for link in links)
    for path in store.parent.iterdir():  # whatever the query kept is a regular file, its own
        if path.name.startswith(store.name + ".adjacency") and not path.is_symlink():
            assert path.is_file() and path.stat().st_size > 0


def test_a_link_where_the_cache_lives_is_replaced_never_followed(
    large_case: Path, tmp_path: Path, outside: Path
) -> None:
    store = case_copy(large_case, tmp_path)
    (store.parent / (store.name + ".adjacency")).symlink_to(outside)
    a, b = a_person(store)
    got = ask(store, tmp_path, "path", a, b, "--max-hops", "3")
    assert got.returncode in (0, 1), got.stderr
    assert unchanged(outside)


def test_a_fifo_where_the_cache_lives_does_not_hang_a_query(tmp_path: Path) -> None:
    store = small_case(tmp_path)
    os.mkfifo(store.parent / (store.name + ".adjacency"))
    got = ask(store, tmp_path, "path", "NSO Group", "Pegasus", timeout=120)
    assert got.returncode == 0, got.stderr
    assert "Pegasus" in got.stdout


# Runs the CLI and, at exit, reports the process's own peak from VmHWM (ru_maxrss of a child
# would include the pytest parent's resident set, kept across fork and exec).
PEAK = """
import atexit, runpy, sys
def _peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            sys.stderr.write("\\nCASEGRAPH-PEAK-KB " + line.split()[1] + "\\n")
atexit.register(_peak)
sys.argv = ["casegraph", *sys.argv[1:]]
runpy.run_module("casegraph", run_name="__main__", alter_sys=True)
"""


def peak_rss_mb(store: Path, tmp_path: Path, *args: str) -> tuple[int, int, str]:
    """(exit code, peak resident MB, stderr) of one question in a child process."""
    env = cli_env({"XDG_CACHE_HOME": str(tmp_path / "user-cache")})
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, "--store", str(store), *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
        timeout=300,
    )  # fmt: skip
    lines = proc.stderr.splitlines()
    peak = [int(line.split()[1]) for line in lines if line.startswith("CASEGRAPH-PEAK-KB ")]
    assert peak, proc.stderr
    err = "\n".join(line for line in lines if not line.startswith("CASEGRAPH-PEAK-KB "))
    return proc.returncode, peak[-1] // 1024, err


@pytest.mark.parametrize("plant_kind", ["link to /dev/zero", "1 GiB sparse file"])
def test_a_huge_cache_file_is_never_read_into_memory(tmp_path: Path, plant_kind: str) -> None:
    store = small_case(tmp_path)
    cache = store.parent / (store.name + ".adjacency")
    if plant_kind.startswith("link"):
        cache.symlink_to("/dev/zero")
    else:
        with cache.open("wb") as fh:
            fh.truncate(1 << 30)
    try:
        code, rss, err = peak_rss_mb(store, tmp_path, "path", "NSO Group", "Pegasus")
    finally:
        cache.unlink()
    assert code == 0, err
    assert rss < 400, f"peak {rss} MB: the planted file was read"


def small_case(tmp_path: Path) -> Path:
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    src = write_jsonl(folder / "s.jsonl", [
        {"type": "Company", "name": "NSO Group"}, {"type": "Product", "name": "Pegasus"},
        {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "q"},
    ])  # fmt: skip
    store = folder / "case.db"
    assert run_cli("--store", str(store), "load", str(src)).code == 0
    return store


# ---------------------------------------------------------------------------- exports and views
OUTPUTS = {
    "export json": ("graph.json", ["export", "{out}"]),
    "export graphml": ("graph.graphml", ["export", "{out}", "--format", "graphml"]),
    "export cypher": ("graph.cypher", ["export", "{out}", "--format", "cypher"]),
    "export html": ("graph.html", ["export", "{out}", "--format", "html"]),
    "path --html": ("view.html", ["path", "NSO Group", "Pegasus", "--html", "{out}"]),
    "neighbors --html": ("view.html", ["neighbors", "Pegasus", "--html", "{out}"]),
    "explain -o": ("brief.md", ["explain", "NSO Group", "Pegasus", "-o", "{out}"]),
}


def run(store: Path, out: Path, args: list[str], *more: str) -> subprocess.CompletedProcess[str]:
    argv = [a.replace("{out}", str(out)) for a in args]
    return subprocess.run(
        [sys.executable, "-m", "casegraph", "--store", str(store), *argv, *more],
        capture_output=True, text=True, env=cli_env(), timeout=300, cwd=out.parent,
    )  # fmt: skip


@pytest.mark.parametrize("what", sorted(OUTPUTS))
def test_planted_temporary_links_beside_an_output_are_never_written_through(
    tmp_path: Path, outside: Path, what: str
) -> None:
    store = small_case(tmp_path)
    name, args = OUTPUTS[what]
    out = store.parent / name
    links = plant(store.parent, temp_names(name)[-7:] + temp_names(name)[:400], outside)
    got = run(store, out, args)
    assert got.returncode == 0, got.stderr
    assert unchanged(outside), f"{what} wrote through a planted link"
    assert out.is_file() and not out.is_symlink() and out.stat().st_size > 0
    assert all(link.is_symlink() for link in links)


@pytest.mark.parametrize("what", sorted(OUTPUTS))
def test_an_existing_output_is_kept_unless_forced(tmp_path: Path, what: str) -> None:
    store = small_case(tmp_path)
    name, args = OUTPUTS[what]
    out = store.parent / name
    out.write_bytes(b"earlier work\n")
    got = run(store, out, args)
    assert got.returncode == 2, got.stderr
    assert got.stderr.startswith("error: ") and got.stderr.count("\n") == 1
    assert "exists; pass --force to replace it" in got.stderr
    assert out.read_bytes() == b"earlier work\n"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(".")] == []
    forced = run(store, out, args, "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_bytes() != b"earlier work\n"


@pytest.mark.parametrize("what", ["export json", "path --html", "explain -o"])
def test_a_link_at_the_output_is_replaced_by_the_file_not_written_through(
    tmp_path: Path, outside: Path, what: str
) -> None:
    store = small_case(tmp_path)
    name, args = OUTPUTS[what]
    out = store.parent / name
    out.symlink_to(outside)
    assert run(store, out, args).returncode == 2  # it exists: kept without --force
    got = run(store, out, args, "--force")
    assert got.returncode == 0, got.stderr
    assert unchanged(outside)
    assert out.is_file() and not out.is_symlink()


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_an_output_that_is_not_a_regular_file_is_refused_even_when_forced(
    tmp_path: Path, kind: str
) -> None:
    store = small_case(tmp_path)
    out = store.parent / "graph.json"
    if kind == "folder":
        out.mkdir()
    else:
        os.mkfifo(out)
    got = run(store, out, ["export", "{out}"], "--force")
    assert got.returncode == 2 and "not a regular file" in got.stderr, got.stderr
    assert out.is_dir() if kind == "folder" else stat.S_ISFIFO(out.stat().st_mode)


def test_csv_export_keeps_both_files_unless_forced(tmp_path: Path) -> None:
    store = small_case(tmp_path)
    rels = store.parent / "g_relationships.csv"
    rels.write_text("earlier\n", encoding="utf-8")
    got = run(store, store.parent / "g.csv", ["export", "{out}", "--format", "csv"])
    assert got.returncode == 2 and "g_relationships.csv exists" in got.stderr, got.stderr
    assert not (store.parent / "g_nodes.csv").exists(), "a half export was left behind"
    assert rels.read_text(encoding="utf-8") == "earlier\n"
    forced = run(store, store.parent / "g.csv", ["export", "{out}", "--format", "csv", "--force"])
    assert forced.returncode == 0, forced.stderr
    assert rels.read_text(encoding="utf-8").startswith(":START_ID")
