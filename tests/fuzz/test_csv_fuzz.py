"""Fuzzing the CSV loader: generated tables, odd encodings and options, and raw bytes."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.loaders import LoadOptions
from tests.fuzz.conftest import (
    ENTITY_TYPES,
    NASTY,
    RELATION_TYPES,
    base_store,
    check_load,
    fuzz_settings,
    nasty_text,
)

HEADERS = ["source", "target", "type", "source_type", "target_type", "source_id", "target_id",
           "name", "aliases", "id", "quote", "confidence", "indicator_type", "indicator_value",
           "domain_name", "ip_address", "sha256", "md5", "url", "kind", "comment", "from", "to",
           "entity_type", "label", "x", ""]  # fmt: skip
CELL_VALUES = ["NSO Group", "Pegasus", "Black Cube", "1.5", "-1", "nan", "1e999", "0.5",
               "hxxp://a[.]b/c", "ExAmPle.COM.", "10.0.0.1", "d41d8cd98f00b204e9800998ecf8427e",
               "domain_name", "md5", "sha256", "ip", *ENTITY_TYPES, *RELATION_TYPES]  # fmt: skip
cell = st.one_of(st.sampled_from(CELL_VALUES), st.sampled_from(NASTY), st.text(max_size=12))


@st.composite
def csv_file(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 6))
    rows: list[list[str]] = []
    if draw(st.booleans()):
        rows.append(draw(st.lists(st.sampled_from(HEADERS), min_size=width, max_size=width)))
    rows += draw(st.lists(st.lists(cell, min_size=0, max_size=width + 1), max_size=6))

    def field(value: str) -> str:
        if draw(st.integers(0, 3)) == 0 or any(c in value for c in f'{delimiter}"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(field(v) for v in row) for row in rows) + newline
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, "replace") if encoding != "utf-8" else text.encode(
        "utf-8", "surrogatepass")  # fmt: skip
    for _ in range(draw(st.integers(0, 2))):
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(max_size=3)) + data[pos + draw(st.integers(0, 2)) :]
    return data


options = st.builds(
    LoadOptions,
    source_col=st.one_of(st.none(), st.sampled_from(["source", "from", "1", "9", "0", "x"])),
    target_col=st.one_of(st.none(), st.sampled_from(["target", "to", "2", "name"])),
    type_col=st.one_of(st.none(), st.sampled_from(["type", "3", "label"])),
    rel_type=st.one_of(st.none(), st.sampled_from(RELATION_TYPES)),
    entity_type=st.one_of(st.none(), st.sampled_from(ENTITY_TYPES)),
    delimiter=st.one_of(st.none(), st.sampled_from([",", ";", "tab", "\\t", "||", "", "\n", '"'])),
    encoding=st.one_of(st.none(), st.sampled_from(["utf-8", "cp1252", "utf-16", "nope", "rot13"])),
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_store(tmp_path_factory.mktemp("csv") / "s.db")


@fuzz_settings(120)
@given(data=csv_file())
def test_any_table_loads_or_is_refused_leaving_the_store_intact(
    store_path: Path, data: bytes
) -> None:
    file = store_path.parent / f"{hashlib.sha1(data).hexdigest()}.csv"
    file.write_bytes(data)
    check_load(store_path, file)


@fuzz_settings(80)
@given(data=csv_file(), opts=options, suffix=st.sampled_from([".csv", ".tsv"]))
def test_any_table_with_any_options(
    store_path: Path, data: bytes, opts: LoadOptions, suffix: str
) -> None:
    file = store_path.parent / f"o{hashlib.sha1(data).hexdigest()}{suffix}"
    file.write_bytes(data)
    check_load(store_path, file, opts)


@fuzz_settings(60)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_csv(store_path: Path, data: bytes) -> None:
    file = store_path.parent / f"b{hashlib.sha1(data).hexdigest()}.csv"
    file.write_bytes(data)
    check_load(store_path, file, LoadOptions(format="csv"))


@fuzz_settings(30)
@given(mapping=st.one_of(st.binary(max_size=80), st.dictionaries(
    st.sampled_from(["table", "header", "columns", "rel_type", "entity_type", "indicates",
                     "kinds", "alias_separator", "properties", "delimiter", "encoding", "bad"]),
    st.one_of(st.none(), st.booleans(), st.integers(-2, 9), nasty_text,
              st.lists(nasty_text, max_size=2),
              st.dictionaries(st.sampled_from(["source", "target", "name", "type"]),
                              st.one_of(st.integers(-1, 9), nasty_text), max_size=3)),
    max_size=4)))  # fmt: skip
def test_any_mapping_file(store_path: Path, mapping: bytes | dict[str, object]) -> None:
    import json

    raw = mapping if isinstance(mapping, bytes) else json.dumps(mapping).encode()
    mfile = store_path.parent / f"m{hashlib.sha1(raw).hexdigest()}.json"
    mfile.write_bytes(raw)
    table = store_path.parent / "mapped.csv"
    table.write_text("source,target,type\nNSO Group,Pegasus,DEVELOPED\n", encoding="utf-8")
    check_load(store_path, table, LoadOptions(mapping=mfile))


def test_codecs_named_by_users_are_looked_up_not_executed(store_path: Path) -> None:
    """--encoding takes a codec name; a text transform such as rot13 must be refused."""
    assert codecs.lookup("rot13")  # exists in Python, but is no text encoding for files
    table = store_path.parent / "rot.csv"
    table.write_text("source,target\nNSO Group,Pegasus\n", encoding="utf-8")
    assert check_load(store_path, table, LoadOptions(encoding="rot13")) == "refused"
