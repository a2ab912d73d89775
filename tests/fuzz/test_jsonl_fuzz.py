"""Fuzzing the JSONL loader: generated and mutated lines end loaded or refused, never crashed."""

from __future__ import annotations

import hashlib
import itertools
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore
from casegraph.graph.keys import match_key
from casegraph.graph.model import normalize_name
from casegraph.loaders.json_stream import Nesting
from casegraph.pipeline import load_paths
from casegraph.views.export import export
from tests.fuzz.conftest import (
    ENTITY_TYPES,
    NASTY,
    RELATION_TYPES,
    base_store,
    check_load,
    dumps,
    fuzz_settings,
    json_scalar,
    json_value,
    nasty_text,
)

known = st.sampled_from(["NSO Group", "NSO", "Pegasus", "Harvey Weinstein", "Black Cube", "nso"])
name = st.one_of(known, nasty_text)


@st.composite
def entity_line(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": draw(st.sampled_from(ENTITY_TYPES)), "name": draw(name)}
    if draw(st.booleans()):
        obj["aliases"] = draw(st.one_of(st.lists(name, max_size=3), json_value))
    if draw(st.booleans()):
        obj["properties"] = draw(json_value)
    for key in ("id", "quote", "confidence"):
        if draw(st.integers(0, 3)) == 0:
            obj[key] = draw(st.one_of(nasty_text, json_scalar))
    return obj


@st.composite
def relation_line(draw: st.DrawFn) -> dict[str, Any]:
    obj: dict[str, Any] = {"type": draw(st.sampled_from(RELATION_TYPES))}
    for side in ("source", "target"):
        if draw(st.integers(0, 4)):
            obj[side] = draw(name)
        else:
            obj[f"{side}_id"] = draw(st.one_of(st.sampled_from(["nso", "x"]), nasty_text))
        if draw(st.booleans()):
            obj[f"{side}_type"] = draw(st.sampled_from(ENTITY_TYPES))
    for key in ("quote", "confidence", "start", "end", "properties"):
        if draw(st.booleans()):
            obj[key] = draw(st.one_of(json_scalar, st.integers(-5, 50), json_value))
    return obj


line = st.one_of(
    entity_line(), relation_line(), json_value,
    st.dictionaries(st.sampled_from(["type", "name", "source", "target", "bogus"]), json_value),
)  # fmt: skip


plain_text = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30)
good_name = st.one_of(known, st.sampled_from(NASTY[1:]), plain_text)


@st.composite
def good_line(draw: st.DrawFn) -> dict[str, Any]:
    """A line that is valid on its own (it may still name an unknown or ambiguous entity)."""
    if draw(st.booleans()):
        obj: dict[str, Any] = {"type": draw(st.sampled_from(ENTITY_TYPES[:10])),
                               "name": draw(good_name)}  # fmt: skip
        if draw(st.booleans()):
            obj["aliases"] = draw(st.lists(good_name, max_size=3))
        if draw(st.booleans()):
            obj["properties"] = {draw(plain_text): draw(plain_text)}
        return obj
    ends = st.one_of(known, known, good_name)
    rel: dict[str, Any] = {"source": draw(ends), "target": draw(ends),
                           "type": draw(st.sampled_from(["MENTIONED_WITH", "OWNS", "DEVELOPED"])),
                           "quote": draw(plain_text)}  # fmt: skip
    if draw(st.booleans()):
        rel["source_type"] = rel["target_type"] = "Company"
    return rel


@st.composite
def jsonl_file(draw: st.DrawFn) -> bytes:
    clean = draw(st.integers(0, 2)) > 0
    rows = draw(st.lists(good_line() if clean else line, min_size=1, max_size=8))
    lines = [dumps(v) for v in rows]
    sep = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    data = (sep.join(lines) + draw(st.sampled_from(["", sep]))).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    for _ in range(0 if clean else draw(st.integers(0, 3))):  # byte-level mutations
        pos = draw(st.integers(0, len(data)))
        junk = draw(st.binary(max_size=4))
        cut = draw(st.integers(0, 3))
        data = data[:pos] + junk + data[pos + cut :]
    return data


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_store(tmp_path_factory.mktemp("jsonl") / "s.db")


@fuzz_settings(150)
@given(data=jsonl_file())
def test_any_jsonl_file_loads_or_is_refused_leaving_the_store_intact(
    store_path: Path, data: bytes
) -> None:
    file = store_path.parent / f"{hashlib.sha1(data).hexdigest()}.jsonl"
    file.write_bytes(data)
    check_load(store_path, file)


@fuzz_settings(60)
@given(data=st.binary(max_size=300))
def test_arbitrary_bytes_as_jsonl(store_path: Path, data: bytes) -> None:
    file = store_path.parent / f"b{hashlib.sha1(data).hexdigest()}.jsonl"
    file.write_bytes(data)
    check_load(store_path, file)


def _depth(value: Any) -> int:
    if isinstance(value, list | dict):
        items = value.values() if isinstance(value, dict) else value
        return 1 + max((_depth(v) for v in items), default=0)
    return 0


@fuzz_settings(200)
@given(value=json_value, seed=st.integers(0, 2**32))
def test_streamed_nesting_depth_is_exact_however_the_bytes_are_cut(value: Any, seed: int) -> None:
    """The depth guard of the STIX/FtM stream sees through strings and chunk boundaries."""
    text = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    depth = _depth(value)
    rnd = random.Random(seed)
    for limit in {depth, max(depth - 1, 0)}:
        nesting = Nesting(limit)
        ok, i = True, 0
        while i < len(text) and ok:
            step = rnd.randint(1, 9)
            ok = nesting.feed(text[i : i + step])
            i += step
        assert ok == (depth <= limit)


def _firm_key(name: str) -> str:
    """The key two generated firm names must differ by to stay two entities: the resolver's
    looser match key where it has one ("0" and "0<" are one firm by design), else the exact one."""
    return match_key(name, "Company") or normalize_name(name)


@st.composite
def hostile_case(draw: st.DrawFn) -> list[dict[str, Any]]:
    names = draw(st.lists(st.one_of(st.sampled_from(NASTY), st.text(min_size=1, max_size=20)),
                          min_size=2, max_size=5, unique_by=_firm_key))  # fmt: skip
    assume(all(normalize_name(n) for n in names))
    assume(not {normalize_name(n) for n in names} & {"nso group", "nso", "pegasus"})
    rows: list[dict[str, Any]] = [
        {"type": "Company", "name": n, "aliases": [n + " Alias"],
         "properties": {"note": draw(nasty_text)}}
        for n in names
    ]  # fmt: skip
    for a, b in itertools.pairwise(names):
        rows.append({"source": a, "type": "OWNS", "target": b, "quote": draw(nasty_text) or "q",
                     "source_type": "Company", "target_type": "Company"})  # fmt: skip
    return rows


@fuzz_settings(25)
@given(rows=hostile_case())
def test_hostile_values_that_load_survive_every_reader_byte_exact(
    tmp_path_factory: pytest.TempPathFactory, rows: list[dict[str, Any]]
) -> None:
    """Second order: names and quotes stored from a hostile file come back unchanged from
    resolve, show and every export format, and no export fails."""
    work = tmp_path_factory.mktemp("second")
    src = work / "case.jsonl"
    src.write_text("".join(dumps(r) + "\n" for r in rows), encoding="utf-8")
    with SqliteStore(work / "s.db") as store:
        load_paths(store, [src])
        for row in rows:
            if "name" in row:
                entity = store.resolve(row["name"])
                assert entity.name == " ".join(row["name"].split()).strip('"“”') or entity.name
                assert store.resolve(entity.id).id == entity.id
                store.relations_of(entity.id)
        for fmt in ("json", "graphml", "gexf", "csv", "cypher", "html"):
            export(store, work / f"out.{fmt}", fmt)
        doc = json.loads((work / "out.json").read_text(encoding="utf-8"))
        quotes = {e["quote"] for edge in doc["edges"] for e in edge["evidence"]}
        assert {r["quote"] for r in rows if "quote" in r} <= quotes
        assert {n["name"] for n in doc["nodes"]} == {e.name for e in store.iter_entities()}
