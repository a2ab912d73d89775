"""Fault injection on the embedded store: killed loads, a full disk, a read-only store.

Every fault must end in a clear message (exit 3 for the store) and leave the store exactly as it
was; re-running a killed load must give the same store as a load that never failed.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, start_cli
from tests.security.storecheck import digest, integrity, snapshot

SEED = int(os.environ.get("CASEGRAPH_FAULT_SEED") or random.randrange(1 << 30))


def big_jsonl(path: Path, n: int) -> Path:
    """n relations between n people and 997 firms, with entity lines, one file."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({
                "source": f"Person {i}", "source_type": "Person", "type": "WORKS_FOR",
                "target": f"Firm {i % 997}", "target_type": "Company",
                "quote": f"Person {i} works for Firm {i % 997}.",
            }) + "\n")  # fmt: skip
    return path


def small_jsonl(path: Path) -> Path:
    path.write_text(
        '{"type": "Company", "name": "NSO Group", "aliases": ["NSO"]}\n'
        '{"type": "Product", "name": "Pegasus"}\n'
        '{"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": "q"}\n',
        encoding="utf-8",
    )
    return path


def _load_process(store: Path, *files: Path, **kw: Any) -> subprocess.Popen[str]:
    return start_cli("--store", str(store), "load", *map(str, files), **kw)


# ---------------------------------------------------------------------------- SIGKILL
def _copy_store(src: Path, dst: Path) -> None:
    """A copy of a closed store with its journal, replacing whatever dst was."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(dst) + suffix).unlink(missing_ok=True)
        if Path(str(src) + suffix).exists():
            shutil.copy(str(src) + suffix, str(dst) + suffix)


def test_loads_killed_at_random_moments_then_rerun_equal_a_clean_load(tmp_path: Path) -> None:
    """Three loads killed (SIGKILL) after random delays leave the store as it was; the re-run
    completes it, and the result is the very store a load that was never killed gives."""
    rnd = random.Random(SEED)
    small = small_jsonl(tmp_path / "small.jsonl")
    big = big_jsonl(tmp_path / "big.jsonl", 15_000)
    clean = tmp_path / "clean.db"
    assert run_cli("--store", str(clean), "load", str(small)).code == 0
    started = time.monotonic()
    assert run_cli("--store", str(clean), "load", str(big)).code == 0
    duration = time.monotonic() - started

    base = tmp_path / "base.db"
    assert run_cli("--store", str(base), "load", str(small)).code == 0
    store = tmp_path / "killed.db"
    _copy_store(base, store)
    before = snapshot(store)
    kills = 0
    for attempt in range(3):
        delay = rnd.uniform(0.05, duration * 0.6)
        if attempt and kills == 0:  # the last load finished first: start again from before it
            _copy_store(base, store)
            before = snapshot(store)
        proc = _load_process(store, big)
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=120)
        assert integrity(store) == "ok", f"seed {SEED}, attempt {attempt}, delay {delay:.2f}s"
        now = snapshot(store)
        if proc.returncode == -signal.SIGKILL:
            assert now == before, f"a killed load changed the store (seed {SEED}, {delay:.2f}s)"
        else:  # finished before the signal: complete, and later attempts change nothing
            assert proc.returncode == 0
            before = now
    assert kills >= 1, f"no load was killed (seed {SEED}); the load took {duration:.1f}s"
    assert run_cli("--store", str(store), "load", str(big)).code == 0
    assert integrity(store) == "ok"
    assert digest(store) == digest(clean)
    assert snapshot(store)["counts"] == {**snapshot(clean)["counts"]}


def test_a_kill_during_store_creation_leaves_no_half_store(tmp_path: Path) -> None:
    small = small_jsonl(tmp_path / "small.jsonl")
    store = tmp_path / "new.db"
    proc = _load_process(store, small)
    time.sleep(random.Random(SEED).uniform(0.0, 0.3))
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    result = run_cli("--store", str(store), "load", str(small))
    assert result.code == 0, result.stderr
    assert integrity(store) == "ok" and snapshot(store)["counts"]["relations"] == 1


# ---------------------------------------------------------------------------- disk full
def _mount_tmpfs(path: Path, size: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True)  # fmt: skip
    return done.returncode == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB file system (tmpfs; needs root)."""
    where = tmp_path / "disk"
    if not _mount_tmpfs(where, "2m"):
        pytest.skip("cannot mount a tmpfs here (needs root); RLIMIT_FSIZE covers a full disk")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _assert_store_error(result: object, *words: str) -> None:
    code, stderr = result.code, result.errors  # type: ignore[attr-defined]
    assert code == 3, (code, stderr)
    assert stderr.startswith("error: ") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr and all(w in stderr for w in words), stderr


def test_disk_full_mid_load_is_a_clear_error_and_the_store_is_intact(
    small_disk: Path, tmp_path: Path
) -> None:
    store = small_disk / "case.db"
    assert run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
    before = snapshot(store)
    result = run_cli("--store", str(store), "load", str(big_jsonl(tmp_path / "b.jsonl", 20_000)))
    _assert_store_error(result, str(store), "full")
    assert integrity(store) == "ok" and snapshot(store) == before
    # space freed: the store works on
    for leftover in small_disk.glob("*.part"):
        leftover.unlink()
    assert run_cli("--store", str(store), "stats", "--json").code == 0


def test_disk_full_when_creating_the_store(tmp_path: Path) -> None:
    where = tmp_path / "tiny"
    if not _mount_tmpfs(where, "16k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        result = run_cli("--store", str(where / "case.db"), "load",
                         str(small_jsonl(tmp_path / "s.jsonl")))  # fmt: skip
        assert result.code in (0, 3), result.stderr
        if result.code == 3:
            _assert_store_error(result, "case.db")
        else:
            assert integrity(where / "case.db") == "ok"
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_file_size_limit_mid_load_is_a_clear_error(tmp_path: Path) -> None:
    """RLIMIT_FSIZE (EFBIG on write): a full disk without root."""
    store = tmp_path / "case.db"
    assert run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
    before = snapshot(store)
    big = big_jsonl(tmp_path / "b.jsonl", 20_000)
    limit = 1 << 20

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = _load_process(store, big, preexec_fn=cap)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 3, stderr
    stderr = "".join(line for line in stderr.splitlines(True) if not line.startswith("loading "))
    assert stderr.startswith("error: ") and "Traceback" not in stderr and str(store) in stderr
    assert integrity(store) == "ok" and snapshot(store) == before


# ---------------------------------------------------------------------------- read-only
@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Path]:
    """A store on a file system remounted read-only (chmod does not stop root)."""
    where = tmp_path / "ro"
    if not _mount_tmpfs(where, "8m"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        store = where / "case.db"
        assert (
            run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
        )
        done = subprocess.run(["mount", "-o", "remount,ro", str(where)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot remount read-only: {done.stderr!r}")
        yield store
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_loading_into_a_read_only_store_is_a_clear_error(
    read_only_store: Path, tmp_path: Path
) -> None:
    before = snapshot(read_only_store)
    more = tmp_path / "more.jsonl"
    more.write_text('{"type": "Company", "name": "Cytrox"}\n', encoding="utf-8")
    result = run_cli("--store", str(read_only_store), "load", str(more))
    _assert_store_error(result, str(read_only_store), "read-only")
    assert snapshot(read_only_store) == before


def test_reading_a_read_only_store(read_only_store: Path) -> None:
    """A store on write-blocked media answers questions (opened immutable: nobody can write)."""
    stats = run_cli("--store", str(read_only_store), "stats", "--json")
    assert stats.code == 0 and stats.json()["relations"] == 1, stats.stderr
    result = run_cli("--store", str(read_only_store), "path", "NSO", "Pegasus", "--json")
    assert result.code == 0 and len(result.json()["paths"]) == 1, result.stderr


def test_export_to_a_full_or_read_only_place_leaves_no_partial_file(
    read_only_store: Path, tmp_path: Path
) -> None:
    store = tmp_path / "w.db"
    assert run_cli("--store", str(store), "load", str(small_jsonl(tmp_path / "s.jsonl"))).code == 0
    for fmt in ("json", "html", "cypher"):
        target = read_only_store.parent / f"out.{fmt}"
        result = run_cli("--store", str(store), "export", str(target), "--format", fmt)
        assert result.code == 2 and "cannot write" in result.stderr, result.stderr
        assert not target.exists() and not list(read_only_store.parent.glob("*.part"))
