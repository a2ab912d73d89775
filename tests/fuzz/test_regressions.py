"""Every crash the fuzzers found, kept as a test; and every seed and crash input replayed."""

from __future__ import annotations

import contextlib
import csv
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import CasegraphError, LoaderError
from casegraph.loaders import LoadOptions, detect
from casegraph.loaders import csv as csv_loader
from casegraph.loaders.json_stream import MAX_DEPTH
from casegraph.pipeline import load_paths
from fuzz.harness import SUFFIX, Harness, corpus
from tests.conftest import run_cli
from tests.fuzz.cli_helpers import run_in_process
from tests.fuzz.conftest import base_store, check_load

STIX_ID = "--00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    h = Harness()
    yield h
    h.close()


@pytest.mark.parametrize(
    "loader,path",
    [(loader, p) for loader in SUFFIX for p in corpus(loader)],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_seed_and_crash_inputs_replay_cleanly(harness: Harness, loader: str, path: Path) -> None:
    """The atheris seeds (fuzz/corpus) and former crashes (fuzz/regressions) through the same
    check the fuzzers run: success or a CasegraphError, and the store unchanged by a failure."""
    assert harness.check(loader, path.read_bytes()) in ("ok", "refused")


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return base_store(tmp_path / "s.db")


def _file(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def refused(store_path: Path, file: Path, options: LoadOptions | None = None) -> str:
    before = json.dumps(SqliteStore(store_path).stats())
    with SqliteStore(store_path) as store, pytest.raises(CasegraphError) as info:
        load_paths(store, [file], options)
    with SqliteStore(store_path) as store:
        assert json.dumps(store.stats()) == before
    return str(info.value)


# --- JSON nesting: RecursionError (json) and memory quadratic in depth (ijson's C backend)
def test_deeply_nested_jsonl_line_is_a_loader_error(store_path: Path, tmp_path: Path) -> None:
    deep = b'{"type":"Company","name":"x","properties":' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"
    message = refused(store_path, _file(tmp_path, "deep.jsonl", b'{"type":"Company","name":"a"}\n'
                                        + deep))  # fmt: skip
    assert message.endswith(f"deep.jsonl:2: invalid JSON: nested deeper than {MAX_DEPTH} levels")


@pytest.mark.parametrize("name,data", [
    ("bundle.json", b'{"type":"bundle","id":"bundle' + STIX_ID.encode() + b'","objects":['
     + b"[" * 100_000 + b"]" * 100_000 + b"]}"),
    ("array.json", b'[{"type":"malware","id":"malware' + STIX_ID.encode() + b'","name":"x",'
     b'"description":' + b"[" * 100_000 + b"]" * 100_000 + b"}]"),
    ("stream.ftm", b'{"id":"a","schema":"Person","properties":{"name":' + b"[" * 100_000
     + b"]" * 100_000 + b"}}"),
])  # fmt: skip
def test_deeply_nested_json_streams_are_refused_before_ijson_builds_them(
    store_path: Path, tmp_path: Path, name: str, data: bytes
) -> None:
    """200 KB of brackets used to take ijson 25 GB (a prefix string per level); now the depth
    guard stops the read at level MAX_DEPTH + 1."""
    message = refused(store_path, _file(tmp_path, name, data))
    assert f"nested deeper than {MAX_DEPTH} levels" in message


def test_sniffing_a_deeply_nested_first_line_does_not_crash(tmp_path: Path) -> None:
    path = _file(tmp_path, "x.jsonl", b'{"a":' + b"[" * 3000 + b"]" * 3000 + b"}\n")
    with contextlib.suppress(LoaderError):
        detect(path)


def test_depth_under_the_limit_still_loads(store_path: Path, tmp_path: Path) -> None:
    nested = "[" * (MAX_DEPTH - 2) + "1" + "]" * (MAX_DEPTH - 2)
    line = '{"type":"Company","name":"Deep Ltd","properties":{"a":' + nested + "}}\n"
    assert check_load(store_path, _file(tmp_path, "ok.jsonl", line.encode())) == "ok"


# --- values SQLite cannot store: lone surrogates, integers beyond 64 bits, NaN
@pytest.mark.parametrize("line,why", [
    (b'{"type":"Company","name":"\\ud800x"}', "lone UTF-16 surrogate"),
    (b'{"type":"Company","name":"x","properties":{"a":"\\udfff"}}', "lone UTF-16 surrogate"),
    (b'{"source":"NSO Group","target":"Pegasus","type":"DEVELOPED","start":0,"end":'
     + b"9" * 30 + b"}", "out of range"),
    (b'{"type":"Company","name":"x","properties":{"n":' + b"9" * 5000 + b"}}", "out of range"),
    (b'{"type":"Company","name":"x","properties":{"n":NaN}}', "NaN is not a JSON value"),
    (b'{"type":"Company","name":"x","properties":{"n":1e400}}', "out of range"),
])  # fmt: skip
def test_values_the_store_cannot_keep_are_refused_by_line(
    store_path: Path, tmp_path: Path, line: bytes, why: str
) -> None:
    message = refused(store_path, _file(tmp_path, "v.jsonl", line + b"\n"))
    assert "v.jsonl:1: invalid JSON" in message and why in message


def test_a_valid_surrogate_pair_is_kept(store_path: Path, tmp_path: Path) -> None:
    check_load(
        store_path, _file(tmp_path, "e.jsonl", b'{"type":"Company","name":"A \\ud83d\\ude00"}\n')
    )
    with SqliteStore(store_path) as store:
        assert store.resolve("A \U0001f600").name == "A \U0001f600"


def test_stix_confidence_beyond_float_range_is_refused(store_path: Path, tmp_path: Path) -> None:
    rows = [{"type": "malware", "id": "malware" + STIX_ID, "name": "M"},
            {"type": "tool", "id": "tool" + STIX_ID, "name": "T"}]  # fmt: skip
    rel = ('{"type":"relationship","id":"relationship' + STIX_ID + '","relationship_type":"uses",'
           f'"source_ref":"malware{STIX_ID}","target_ref":"tool{STIX_ID}","confidence":1e308}}')  # fmt: skip
    data = "".join(json.dumps(r) + "\n" for r in rows) + rel + "\n"
    message = refused(store_path, _file(tmp_path, "c.json", data.encode()))
    assert "confidence" in message


# --- ijson's errors are not ValueErrors
def test_broken_first_object_of_a_stream_is_a_loader_error(
    store_path: Path, tmp_path: Path
) -> None:
    data = b'{"id\x01": "a", "schema": "Person", "properties": {}}'
    assert "invalid JSON" in refused(store_path, _file(tmp_path, "b.ftm", data),
                                     LoadOptions(format="ftm"))  # fmt: skip


def test_mitre_reference_without_external_id_loads(store_path: Path, tmp_path: Path) -> None:
    obj = {"type": "malware", "id": "malware" + STIX_ID, "name": "Predator",
           "external_references": [{"source_name": "mitre-attack", "url": "https://x"}]}  # fmt: skip
    data = json.dumps({"type": "bundle", "id": "bundle" + STIX_ID, "objects": [obj]}).encode()
    assert check_load(store_path, _file(tmp_path, "m.json", data)) == "ok"


# --- CSV
@pytest.mark.parametrize("encoding,why", [
    ("utf-16", "does not start with BOM"), ("utf-32", "does not start with BOM"),
    ("rot13", "not a text encoding"), ("base64", "not a text encoding"),
])  # fmt: skip
def test_csv_encodings_that_cannot_read_the_file_are_refused(
    store_path: Path, tmp_path: Path, encoding: str, why: str
) -> None:
    path = _file(tmp_path, "t.csv", b"source,target\nNSO Group,Pegasus\n")
    assert why in refused(store_path, path, LoadOptions(encoding=encoding))


def test_csv_truncated_character_at_the_end_is_refused(store_path: Path, tmp_path: Path) -> None:
    path = _file(tmp_path, "t.csv", b"name,type\nCaf\xc3\xa9,Company\nX,Company\xe2\x82")
    assert "ends inside a character" in refused(store_path, path)


def test_csv_sniffer_sees_a_bounded_sample(
    store_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """csv.Sniffer is quadratic in its sample (64 KiB of ",'" lines took 35 s): it gets 8 KiB."""
    seen: list[int] = []
    real = csv.Sniffer.sniff

    def sniff(self: csv.Sniffer, sample: str, delimiters: str | None = None) -> type[csv.Dialect]:
        seen.append(len(sample))
        return real(self, sample, delimiters)

    monkeypatch.setattr(csv.Sniffer, "sniff", sniff)
    check_load(store_path, _file(tmp_path, "q.csv", b"name,type\n" + b",'\n" * 30_000))
    assert seen and max(seen) <= csv_loader.SNIFF_CHARS


def test_csv_field_over_the_limit_names_the_line(store_path: Path, tmp_path: Path) -> None:
    data = b'source,target\nNSO Group,Pegasus\nA,"' + b"x" * 200_000 + b"\n"
    message = refused(store_path, _file(tmp_path, "f.csv", data))
    assert "f.csv:3: malformed CSV: field larger than field limit" in message
    assert "unclosed quote" in message


# --- resolution
def test_names_of_symbols_only_stay_distinct(store_path: Path, tmp_path: Path) -> None:
    """'<' and '\\x00' (and '?', '😀') all have an empty match key: they were merged into one."""
    rows = [{"type": "Company", "name": n} for n in ("<", "\x00", "?", "\U0001f600")]
    rows.append({"source": "<", "target": "?", "type": "OWNS", "quote": "q"})
    path = _file(tmp_path, "sym.jsonl", "".join(json.dumps(r) + "\n" for r in rows).encode())
    check_load(store_path, path)
    with SqliteStore(store_path) as store:
        ids = {store.resolve(r["name"]).id for r in rows if "name" in r}
        assert len(ids) == 4
        assert store.stats()["relation_types"].get("OWNS") == 1


# --- CLI
def test_huge_limit_is_not_an_internal_error(store_path: Path) -> None:
    for args in (["entities", "--limit", "99999999999999999999"],
                 ["search", "nso", "--limit", "99999999999999999999"]):  # fmt: skip
        code, stdout, stderr = run_in_process(["--store", str(store_path), *args, "--json"])
        assert code == 0 and json.loads(stdout), stderr


# --- values no store can keep, from every format (issue 13: exit 70 or kept silently altered)
MISP_HEAD = ('{"type": "surveillance-vendor", "name": "x", "uuid": "u", "category": "c", '
             '"authors": ["a"], "source": "s", "values": [')  # fmt: skip


@pytest.mark.parametrize("name,data,args,why", [
    ("m.json", MISP_HEAD + '{"value": "Evil \\ud800 Co", "uuid": "1"}]}', [],
     "m.json: cluster 1: the name of a Company holds a lone UTF-16 surrogate"),
    ("m.json", MISP_HEAD + '{"value": "C", "uuid": "1", "meta": {"synonyms": ["\\udc00"]}}]}', [],
     "m.json: cluster 1: an alias holds a lone UTF-16 surrogate"),
    ("m.json", MISP_HEAD + '{"value": "C", "uuid": "1", "description": NaN}]}', [],
     "m.json: cluster 1: property description is nan"),
    ("m.json", MISP_HEAD + '{"value": "C", "uuid": "1", "meta": {"refs": [1' + "0" * 22 + ']}}]}',
     [], "m.json: cluster 1: property refs is an integer beyond 64 bits"),
    ("m.json", MISP_HEAD + '{"value": "C", "uuid": "1", "meta": {"products": ["P\\ud83d"]}}]}',
     [], "m.json: cluster 1: the quote holds a lone UTF-16 surrogate"),
    ("u.csv", "name,type\nA+2AA-,Company\n", ["--encoding", "utf-7"],
     "u.csv:2: decodes to a lone UTF-16 surrogate"),
    ("u.csv", "name,type\nok,Company\nA\\ud800,Company\n", ["--encoding", "unicode_escape"],
     "u.csv:3: decodes to a lone UTF-16 surrogate"),
    ("u.txt", "NSO Group sold Pegasus.\nNSO \\udfff Group\n", ["--encoding", "unicode_escape"],
     "u.txt:2: decodes to a lone UTF-16 surrogate"),
    ("u.txt", "one +2AA- line\n", ["--encoding", "utf-7"], "u.txt:1: decodes to a lone UTF-16"),
    ("i.txt", "x.com\ny\\ud800.com\n", ["--format", "indicators", "--encoding", "unicode_escape"],
     "i.txt:2: decodes to a lone UTF-16 surrogate"),
    ("f.ftm", '{"id": "p", "schema": "Person", "properties": {"name": ["Ok"]}}\n'
     '{"id": "q", "schema": "Person", "properties": {"name": ["Bad \\ud800 Name"]}}\n',
     ["--format", "ftm"], "f.ftm:2: invalid JSON: a string holds a lone UTF-16 surrogate"),
    ("f.ftm", '[{"id": "q", "schema": "Person", "properties": {"name": ["\\udc00x"]}}]',
     ["--format", "ftm"], "f.ftm:1: invalid JSON: a string holds a lone UTF-16 surrogate"),
    ("s.json", '{"type": "bundle", "id": "bundle' + STIX_ID + '", "objects": [\n{"type": "malware",'
     ' "id": "malware' + STIX_ID + '", "name": "M\\ud800"}]}', ["--format", "stix"],
     "s.json:2: invalid JSON: a string holds a lone UTF-16 surrogate"),
])  # fmt: skip
def test_values_no_store_can_keep_are_refused_with_where_they_are(
    store_path: Path, tmp_path: Path, name: str, data: str, args: list[str], why: str
) -> None:
    path = _file(tmp_path, name, data.encode())
    before = json.dumps(SqliteStore(store_path).stats())
    code, _, err = run_in_process(["--store", str(store_path), "load", str(path), *args])
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1 and why in err, err
    with SqliteStore(store_path) as store:
        assert json.dumps(store.stats()) == before


def test_a_valid_surrogate_pair_in_a_stream_is_kept(store_path: Path, tmp_path: Path) -> None:
    data = b'{"id": "p", "schema": "Person", "properties": {"name": ["Smile \\ud83d\\ude00"]}}\n'
    path = _file(tmp_path, "ok.ftm", data)
    code, _, err = run_in_process(["--store", str(store_path), "load", str(path),
                                   "--format", "ftm"])  # fmt: skip
    assert code == 0, err
    with SqliteStore(store_path) as store:
        assert store.resolve("Smile \U0001f600").name == "Smile \U0001f600"


def test_a_file_name_that_is_not_utf8_loads_with_its_bytes_escaped(
    store_path: Path, tmp_path: Path
) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/list\xff.txt"))
    path.write_bytes(b"evil.example\n")
    code, _, err = run_in_process(["--store", str(store_path), "load", str(path),
                                   "--format", "indicators"])  # fmt: skip
    assert code == 0, err
    with SqliteStore(store_path) as store:
        assert any(d.path.endswith("list\\xff.txt") for d in store.documents())


@pytest.mark.parametrize("name,data,fmt", [
    ("b.json", b'{"type": "bundle", "id": "bundle' + STIX_ID.encode() + b'", "objects": [{"type":'
     b' "malware", "id": "malware' + STIX_ID.encode() + b'", "name": "M", "confidence": '
     + b"9" * 5000 + b"}]}", "stix"),
    ("b.ftm", b'{\n"id": "p", "schema": "Person", "properties": {"name": ["P"]}, "n": -'
     + b"1" * 4400 + b"\n}", "ftm"),
])  # fmt: skip
def test_an_integer_of_thousands_of_digits_does_not_crash_the_process(
    store_path: Path, tmp_path: Path, name: str, data: bytes, fmt: str
) -> None:
    """ijson's C backend crashed the process (SIGSEGV) on an integer of over 4,300 digits when
    it built Python ints: run in a child process, so a crash fails this test alone."""
    path = _file(tmp_path, name, data)
    got = run_cli("--store", str(store_path), "load", str(path), "--format", fmt)
    assert got.code == 2, (got.code, got.stderr)
    assert f"{name}: truncated or invalid JSON" in got.stderr and "integer overflow" in got.stderr
