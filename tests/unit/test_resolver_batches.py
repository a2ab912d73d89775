"""Faster resolution gives the same store: batch sizes and dropped caches change nothing, what
outlives them spares reading names again, the batched fuzzy test equals the one-by-one one, and
the JSON Lines fast path parses as parse_json."""

from __future__ import annotations

import functools
import gc
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore, index
from casegraph.backends.sqlite import store as sqlite_store
from casegraph.errors import LoaderError
from casegraph.graph import known, resolver
from casegraph.graph.keys import fuzzy_equal, fuzzy_matches
from casegraph.graph.known import NameQuery
from casegraph.loaders.json_stream import parse_json
from casegraph.loaders.jsonl import parse_line
from casegraph.pipeline import FULL_COLLECTIONS_RARER, load_paths
from tests.conftest import write_jsonl
from tests.security.storecheck import digest

# Names that resolve in every way: exact, alias, designator, possessive, typo, number.
NAMES = {
    "Company": ["NSO Group", "NSO Group Ltd", "NSO Grup", "Black Cube", "Black Cube Ltd.",
                "Blackcube", "Cytrox Holdings", "Cytrox", "Cytrocs Holdings", "Intellexa 2",
                "Intellexa 3"],
    "Person": ["Shalev Hulio", "Shalev Huleo", "Omri Lavie", "Tal Dilian", "Tal Dillian"],
    "Product": ["Pegasus", "Predator", "Pegasus Spyware", "Pegassus Spyware"],
}  # fmt: skip
RELS = [("Company", "DEVELOPED", "Product"), ("Person", "WORKS_FOR", "Company"),
        ("Company", "MENTIONED_WITH", "Company"), ("Person", "MENTIONED_WITH", "Product"),
        ("Company", "OWNS", "Product")]  # fmt: skip


@st.composite
def rows(draw: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 30))):
        if draw(st.booleans()):
            type_ = draw(st.sampled_from(sorted(NAMES)))
            row: dict[str, Any] = {"type": type_, "name": draw(st.sampled_from(NAMES[type_]))}
            if draw(st.booleans()):
                row["aliases"] = [draw(st.sampled_from(NAMES[type_]))]
            if draw(st.booleans()):
                row["id"] = f"x{draw(st.integers(0, 6))}-{type_}"
            if draw(st.booleans()):
                row["properties"] = {draw(st.sampled_from("abc")): draw(st.integers(0, 3))}
            out.append(row)
        else:
            s, rel, t = draw(st.sampled_from(RELS))
            out.append({"source": draw(st.sampled_from(NAMES[s])), "source_type": s, "type": rel,
                        "target": draw(st.sampled_from(NAMES[t])), "target_type": t,
                        "quote": draw(st.sampled_from(["q1", "q2"]))})  # fmt: skip
    return out


def _load(folder: Path, files: list[Path], name: str) -> tuple[str, list[Any], list[str]]:
    """Load the files one per load; the store's digest, the summaries and creation orders."""
    summaries: list[Any] = []
    with SqliteStore(folder / name) as store:
        for file in files:
            try:
                summaries.append(load_paths(store, [file]).as_dict())
            except Exception as e:  # a refusal must be the same refusal
                summaries.append(f"{type(e).__name__}: {e}")
        order = [r[0] for r in store.db.execute("SELECT rid FROM relations ORDER BY id")]
        order += [r[0] for r in store.db.execute("SELECT id FROM entities ORDER BY rowid")]
    return digest(folder / name), summaries, order


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(files=st.lists(rows(), min_size=1, max_size=3))
def test_batches_and_dropped_caches_change_nothing(
    files: list[list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = [write_jsonl(folder / f"{i}.jsonl", content) for i, content in enumerate(files)]
        expected = _load(folder, paths, "a.db")
        with monkeypatch.context() as m:  # a batch of 2 facts, the caches dropped after each
            m.setattr(sqlite_store, "Resolver", functools.partial(resolver.Resolver, batch_size=2))
            m.setattr(resolver, "KNOWN_LIMIT", 0)
            assert _load(folder, paths, "b.db") == expected
            m.setattr(known, "LASTING_LIMIT", 0)  # and what outlives them dropped as well
            m.setattr(known, "BLOCK_LIMIT", 0)
            assert _load(folder, paths, "c.db") == expected


def test_ends_seen_before_the_caches_were_dropped_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"Firm {chr(97 + i)}{chr(97 + i)}" for i in range(6)]
    lines: list[dict[str, Any]] = [{"type": "Company", "name": n} for n in names]
    lines += [{"source": a, "source_type": "Company", "type": "MENTIONED_WITH", "target": b,
               "target_type": "Company", "quote": f"{a} and {b}"}
              for a in names for b in names if a < b]  # fmt: skip
    path = write_jsonl(tmp_path / "firms.jsonl", lines)
    asked: list[tuple[str, str]] = []
    names_of = index.SqliteIndex.names

    def counted(self: index.SqliteIndex, query: NameQuery) -> Any:
        asked.extend(query.pairs)
        return names_of(self, query)

    monkeypatch.setattr(index.SqliteIndex, "names", counted)
    monkeypatch.setattr(
        sqlite_store, "Resolver", functools.partial(resolver.Resolver, batch_size=2)
    )
    monkeypatch.setattr(resolver, "KNOWN_LIMIT", 0)  # the caches dropped after every batch
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [path])
    assert (summary.entities_new, summary.relations_new) == (6, 15)
    assert len(asked) == len(set(asked)) == 6  # each name once, for its entity line
    monkeypatch.setattr(known, "LASTING_LIMIT", 0)
    asked.clear()
    with SqliteStore(tmp_path / "t.db") as store:
        load_paths(store, [path])
    assert len(asked) > 6  # the same load without them reads names again
    assert digest(tmp_path / "s.db") == digest(tmp_path / "t.db")


def test_fuzzy_candidates_are_read_once_per_load_though_the_caches_are_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ten long names in a few blocks, then typos of some and new names of the same blocks
    names = [f"Harbourline {c}{c} Holdings" for c in "abcdefghij"]
    lines: list[dict[str, Any]] = [{"type": "Company", "name": n} for n in names]
    lines += [{"type": "Company", "name": n.replace("Harbourline", "Harbourlline")}
              for n in names[:4]]  # fmt: skip
    lines += [{"type": "Company", "name": f"Harbourline {c}{c}{c} Holdings"} for c in "klm"]
    path = write_jsonl(tmp_path / "firms.jsonl", lines)
    asked: list[tuple[str, str]] = []
    names_of = index.SqliteIndex.names

    def counted(self: index.SqliteIndex, query: NameQuery) -> Any:
        asked.extend(query.blocks)
        return names_of(self, query)

    monkeypatch.setattr(index.SqliteIndex, "names", counted)
    monkeypatch.setattr(
        sqlite_store, "Resolver", functools.partial(resolver.Resolver, batch_size=2)
    )
    monkeypatch.setattr(resolver, "KNOWN_LIMIT", 0)  # the caches dropped after every batch
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [path])
    assert summary.entities_new == 13  # the typos joined their firms
    assert asked and len(asked) == len(set(asked))  # each block read once
    monkeypatch.setattr(known, "BLOCK_LIMIT", 0)  # the blocks dropped with the rest
    asked.clear()
    with SqliteStore(tmp_path / "t.db") as store:
        load_paths(store, [path])
    assert len(asked) > len(set(asked))  # then a block is read again, and the store is the same
    assert digest(tmp_path / "s.db") == digest(tmp_path / "t.db")


@given(
    st.text(alphabet="abcdeg 0123", min_size=0, max_size=14),
    st.lists(st.text(alphabet="abcdeg 0123", min_size=1, max_size=14), max_size=30),
)
def test_batched_fuzzy_test_is_the_one_by_one_test(a: str, candidates: list[str]) -> None:
    expected = [i for i, b in enumerate(candidates) if fuzzy_equal(a, b)]
    assert fuzzy_matches(a, candidates) == expected


def _outcome(fn: Any, line: str) -> Any:
    try:
        value = fn(line)
    except ValueError as e:
        return ("refused", str(e))
    return ("parsed", json.dumps(value, sort_keys=True, ensure_ascii=False))


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=12,
)  # fmt: skip


@settings(max_examples=500)
@given(JSONISH, st.sampled_from(["", " ", "\\u", "NaN", "1e400", "[[[", "x" * 3]))
def test_the_json_lines_fast_path_parses_and_refuses_as_parse_json(value: Any, noise: str) -> None:
    for line in (json.dumps(value), json.dumps(value, ensure_ascii=False), json.dumps(value) + noise,
                 json.dumps({"k": value, "n": noise})):  # fmt: skip
        assert _outcome(parse_line, line) == _outcome(parse_json, line), line


@pytest.mark.parametrize("line", [
    "[" * 101 + "]" * 101, "[" * 100 + "]" * 100, '{"a": 12345678901234567890}', '{"a": 1e999}',
    '{"a": NaN}', '{"a": -Infinity}', '{"a": "\\ud800"}', '{"a": "\\u00e9"}', '{"a": 1.5e3}',
    '{"a": 9223372036854775807}', '{"a": 9223372036854775808}', '{"a": ', "",
])  # fmt: skip
def test_the_fast_path_at_each_limit(line: str) -> None:
    assert _outcome(parse_line, line) == _outcome(parse_json, line)


def test_reading_only_the_first_fuzzy_candidates_of_a_block_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A block of 250 names: the store reads only its first FUZZY_CANDIDATES (100) names for
    fuzzy matching, and resolves as when it read the whole block."""
    import random

    from casegraph.backends.sqlite import index
    from casegraph.graph.keys import FUZZY_CANDIDATES, block, match_key

    rng = random.Random(5)
    cores = sorted({"".join(rng.choice("abcdefgh") for _ in range(17)) for _ in range(250)})
    names = [f"Zeb{c}" for c in cores]  # one block: the same three letters and length
    assert len({block(match_key(n, "Person")) for n in names}) == 1
    assert len(names) > 2 * FUZZY_CANDIDATES

    def typo(name: str) -> str:  # one letter changed near the end: fuzzily equal (ratio 95)
        return name[:-2] + ("z" if name[-2] != "z" else "y") + name[-1]

    entities = [{"type": "Person", "name": n} for n in rng.sample(names, len(names))]
    first = write_jsonl(tmp_path / "a.jsonl", entities)  # in no order: each joins its block
    picks = [names[10], names[90], names[150], names[240]]  # within, and beyond, the first 100
    mentions = [{"source": typo(n), "source_type": "Person", "type": "MENTIONED_WITH",
                 "target": names[0], "target_type": "Person", "quote": "q"} for n in picks]  # fmt: skip
    second = write_jsonl(tmp_path / "b.jsonl", mentions)
    both = write_jsonl(tmp_path / "both.jsonl", entities + mentions)
    limited = _load(tmp_path, [first, second], "limited.db")
    # in one load, the resolver keeps of a block only the first 100 names its own entities
    # add, and the typos join the same entities as when those were read from the store
    assert _load(tmp_path, [both], "one.db")[1][0]["entities_new"] == 252

    def joined(name: str) -> set[tuple[str, str]]:
        with SqliteStore(tmp_path / name) as store:
            return set(store.db.execute("SELECT source_id, target_id FROM relations"))

    assert joined("one.db") == joined("limited.db")
    whole = (
        "SELECT type, key, mkey, entity_id, name FROM names INDEXED BY names_block"
        " WHERE (type, block) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?))"
        " AND ? > 0"  # (the limit, unused)
    )
    monkeypatch.setattr(index, "_NAMES_BY_BLOCK", whole)
    assert _load(tmp_path, [first, second], "whole.db") == limited
    # the typos of names within the first 100 joined them; those beyond stayed new entities
    assert [s["entities_new"] for s in limited[1]] == [250, 2]


def test_a_load_makes_full_collections_rarer_then_restores_them(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [{"type": "Company", "name": "Firm A"}])
    seen: list[tuple[int, int, int]] = []

    class Heard:
        def begin(self, files: list[Path], total_bytes: int) -> None: ...
        def file(self, index: int, path: Path, size: int) -> None: ...
        def facts(self, title: str, count: int) -> None:
            seen.append(gc.get_threshold())

        def stop(self) -> None: ...

    before = gc.get_threshold()
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [path], progress=Heard())
        bad = tmp_path / "bad.jsonl"
        bad.write_text('{"type": "Company", "name": "Firm B"}\n{"type": \n', encoding="utf-8")
        with pytest.raises(LoaderError, match="jsonl:2: "):  # refused while the load runs
            load_paths(store, [bad])
    assert seen and all(t == (*before[:2], before[2] * FULL_COLLECTIONS_RARER) for t in seen)
    assert gc.get_threshold() == before
