"""Limits: huge files, huge lines, huge documents and deep nesting are handled in bounded memory
or refused with a message naming the file and line, never by exhausting the machine.

Each case runs in a fresh process so its peak resident set (VmHWM) is its own. Files of a
gigabyte are sparse (a hole of NUL bytes), written and removed by the test. The million-entity
load takes minutes: it is marked slow and runs with CASEGRAPH_SLOW=1 or -m slow.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from casegraph.loaders.base import MAX_LINE_BYTES
from tests.security.storecheck import snapshot

GB = 1 << 30
MB = 1 << 20

RUN = textwrap.dedent("""
    import json, resource, sys
    from pathlib import Path
    from casegraph.errors import CasegraphError
    from casegraph.backends.sqlite import SqliteStore
    from casegraph.loaders import LoadOptions
    from casegraph.pipeline import load_paths
    store, files, fmt = sys.argv[1], sys.argv[2:-1], sys.argv[-1]
    calls = []
    class Heard:
        def begin(self, files, total): pass
        def file(self, index, path, size): pass
        def facts(self, title, n): calls.append(n)
        def stop(self): pass
    out = {"error": None, "progress": 0}
    try:
        with SqliteStore(store) as s:
            summary = load_paths(s, [Path(f) for f in files], LoadOptions(format=fmt or None),
                                 progress=Heard())
            out["summary"] = summary.as_dict()
    except CasegraphError as e:
        out["error"] = str(e)
    out["progress"] = len(calls)
    # VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)
    status = dict(l.split(":", 1) for l in open("/proc/self/status") if ":" in l)
    peak_kb = int(status["VmHWM"].split()[0]) if "VmHWM" in status else (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    out["rss_mb"] = peak_kb // 1024
    print(json.dumps(out))
""")


def load_in_process(tmp_path: Path, store: Path, *files: Path, fmt: str = "") -> dict[str, Any]:
    """Load in a fresh process: its result, error message, progress calls and peak RSS (MB)."""
    script = tmp_path / "run_load.py"
    script.write_text(RUN, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    proc = subprocess.run([sys.executable, str(script), str(store), *map(str, files), fmt],
                          capture_output=True, text=True, env=env, timeout=1800)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def sparse(path: Path, head: bytes, size: int, tail: bytes = b"") -> Path:
    """A file of `size` bytes: head, then a hole of NUL bytes, then tail (takes no disk)."""
    with path.open("wb") as fh:
        fh.write(head)
        fh.seek(size - len(tail))
        fh.write(tail)
    return path


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "s.db"
    (tmp_path / "seed.jsonl").write_text('{"type": "Company", "name": "Seed Co"}\n', "utf-8")
    load_in_process(tmp_path, path, tmp_path / "seed.jsonl")
    return path


@pytest.mark.parametrize("suffix,fmt,why", [
    (".jsonl", "", "longer than 16 MiB"),
    (".csv", "csv", "longer than 16 MiB"),
    (".json", "stix", "invalid JSON"),
    (".ftm", "ftm", "longer than 16 MiB"),
    (".txt", "", "at most"),
])  # fmt: skip
def test_a_gigabyte_file_is_refused_in_bounded_memory(
    tmp_path: Path, store: Path, suffix: str, fmt: str, why: str
) -> None:
    """1 GB after a valid first record: the long 'line' (or broken JSON) is refused after
    reading a bounded part of it; the hash of the file is streamed."""
    heads = {".jsonl": b'{"type": "Company", "name": "A"}\n', ".csv": b"source,target,source_type,target_type\nA,B,Company,Company\n",
             ".json": b'[{"type": "malware", "id": "malware--1", "name": "M"},\n',
             ".ftm": b'{"id": "p", "schema": "Person", "properties": {"name": ["P"]}}\n',
             ".txt": b"Harvey Weinstein hired Black Cube.\n"}  # fmt: skip
    big = sparse(tmp_path / f"big{suffix}", heads[suffix], GB, b"\n")
    before = snapshot(store)
    try:
        result = load_in_process(tmp_path, store, big, fmt=fmt)
    finally:
        big.unlink()
    assert result["error"] and why in result["error"] and "big" in result["error"], result
    assert result["rss_mb"] < 300, result
    assert snapshot(store) == before


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_a_100_mb_line_is_refused_naming_it(tmp_path: Path, store: Path, suffix: str) -> None:
    head = (
        b'{"type": "Company", "name": "A"}\n' if suffix == ".jsonl" else b"name,type\nA,Company\n"
    )
    line = b'{"type": "Company", "name": "' if suffix == ".jsonl" else b'"'
    big = sparse(tmp_path / f"line{suffix}", head + line, 100 * MB, b'"}\n')
    result = load_in_process(tmp_path, store, big)
    lineno = 2 if suffix == ".jsonl" else 3
    assert f"line{suffix}:{lineno}: line longer than {MAX_LINE_BYTES // MB} MiB" in result["error"]
    assert result["rss_mb"] < 200, result


def test_a_line_just_under_the_cap_loads(tmp_path: Path, store: Path) -> None:
    quote = "x" * (MAX_LINE_BYTES - 200)
    src = tmp_path / "long.jsonl"
    src.write_text('{"type": "Company", "name": "L1"}\n{"type": "Company", "name": "L2"}\n'
                   + json.dumps({"source": "L1", "target": "L2", "type": "OWNS", "quote": quote})
                   + "\n", encoding="utf-8")  # fmt: skip
    result = load_in_process(tmp_path, store, src)
    assert result["error"] is None and result["summary"]["relations_new"] == 1, result


def test_a_csv_field_over_the_field_limit_names_the_line(tmp_path: Path, store: Path) -> None:
    src = tmp_path / "f.csv"
    src.write_bytes(b'source,target\nSeed Co,Seed Co\nA,"' + b"y" * (1 << 18) + b"\nB,C\n")
    result = load_in_process(tmp_path, store, src)
    assert "f.csv:3: malformed CSV: field larger than field limit" in result["error"], result


@pytest.mark.parametrize("suffix,fmt", [(".jsonl", ""), (".json", "stix"), (".ftm", "ftm")])
def test_deep_nesting_is_a_loader_error_in_bounded_memory(
    tmp_path: Path, store: Path, suffix: str, fmt: str
) -> None:
    depth = 500_000
    body = b"[" * depth + b"]" * depth
    data = {
        ".jsonl": b'{"type": "Company", "name": "D", "properties": {"a": ' + body + b"}}\n",
        ".json": b'{"type": "bundle", "id": "bundle--1", "objects": [' + body + b"]}",
        ".ftm": b'{"id": "a", "schema": "Person", "properties": {"name": ' + body + b"}}",
    }[suffix]
    src = tmp_path / f"deep{suffix}"
    src.write_bytes(data)
    result = load_in_process(tmp_path, store, src, fmt=fmt)
    assert "nested deeper than 100 levels" in result["error"], result
    assert result["rss_mb"] < 200, result


def _slow_enabled(config: pytest.Config) -> bool:
    return os.environ.get("CASEGRAPH_SLOW") == "1" or "slow" in (config.getoption("-m") or "")


@pytest.mark.slow
@pytest.mark.parametrize("n", [1_000_000])
def test_a_million_entity_document_loads_with_progress_in_bounded_memory(
    request: pytest.FixtureRequest, tmp_path: Path, n: int
) -> None:
    """Measured: 65 MB peak at 100k entities, 88 MB at 300k; the writer keeps the id of each
    entity it created (to count merges), about 12 MB per 100k, so the cap is generous."""
    if not _slow_enabled(request.config):
        pytest.skip("minutes long: CASEGRAPH_SLOW=1 or -m slow")
    src = tmp_path / "million.jsonl"
    with src.open("w", encoding="utf-8") as fh:
        for i in range(n):
            fh.write(json.dumps({"type": "Person", "name": f"Person number {i}"}) + "\n")
    result = load_in_process(tmp_path, tmp_path / "m.db", src)
    assert result["error"] is None and result["summary"]["entities_new"] == n
    assert result["progress"] >= n // 1000
    assert result["rss_mb"] < 400, result


# ---------------------------------------------------------------------------- HTML pages
def page(paragraphs: int, filler: int = 0) -> bytes:
    body = "".join(f"<p>Paragraph {i}: NSO Group sold Pegasus.</p>\n" for i in range(paragraphs))
    return (f"<!doctype html><html><head><title>Big</title></head><body><article>{body}"
            f"<p>{'x' * filler}</p></article></body></html>").encode()  # fmt: skip


@pytest.mark.parametrize("kind", ["15 MB page", "200,000 paragraphs"])
def test_a_pathological_html_page_is_refused_before_extraction(
    tmp_path: Path, store: Path, kind: str
) -> None:
    """A 15 MB page grew past 1.7 GB for over 300 s, and 8.6 MB of 200,000 paragraphs reached
    2.1 GB: both are refused, in bounded memory, naming the file."""
    data = page(100, filler=15 * MB) if kind == "15 MB page" else page(200_000)
    src = tmp_path / "big.html"
    src.write_bytes(data)
    before = snapshot(store)
    result = load_in_process(tmp_path, store, src)
    why = "at most" if kind == "15 MB page" else "tags; at most 100,000"
    assert result["error"] and why in result["error"] and "big.html" in result["error"], result
    assert result["rss_mb"] < 200, result
    assert snapshot(store) == before


def test_an_html_page_under_the_bounds_loads(tmp_path: Path, store: Path) -> None:
    src = tmp_path / "ok.html"
    src.write_bytes(page(500))
    result = load_in_process(tmp_path, store, src)
    assert result["error"] is None and result["summary"]["documents_new"] == 1, result
