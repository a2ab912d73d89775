"""The embedded store's SQL: LIKE wildcards and quotes in names are literal characters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from tests.security.storecheck import digest

NAMES = ["100% Owned", "Percent Free", "Under_score Co", "Underxscore Co", "Back\\slash Ltd",
         "Backxslash Ltd", "O'Brien Group", "OxBrien Holdings", "Quote\" Inc", "Semi; DROP TABLE x"]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> SqliteStore:
    src = tmp_path / "n.jsonl"
    src.write_text(
        "".join(json.dumps({"type": "Company", "name": n}) + "\n" for n in NAMES), "utf-8"
    )
    s = SqliteStore(tmp_path / "s.db")
    load_paths(s, [src])
    return s


@pytest.mark.parametrize("text,wanted", [
    ("%", {"100% Owned"}), ("_", {"Under_score Co"}), ("\\", {"Back\\slash Ltd"}),
    ("r_s", {"Under_score Co"}), ("k\\s", {"Back\\slash Ltd"}), ("o'b", {"O'Brien Group"}),
    ("; drop table", {"Semi; DROP TABLE x"}),
])  # fmt: skip
def test_like_wildcards_in_search_are_literal(
    store: SqliteStore, text: str, wanted: set[str]
) -> None:
    """'%', '_' and '\\' match themselves only (the decoys 'Underxscore Co', 'Backxslash Ltd',
    'Percent Free' would match if they were LIKE wildcards)."""
    assert {e.name for e, _ in store.search(text, limit=50)} == wanted


def test_quotes_in_names_and_lookups_change_nothing(store: SqliteStore) -> None:
    before = digest(store.path)
    for name in NAMES:
        assert store.resolve(name).name == name
        store.relations_of(store.resolve(name).id)
        store.entities(limit=5)
    assert store.resolve("company:o-brien-group").name == "O'Brien Group"
    assert digest(store.path) == before
    assert store.stats()["entities"] == len(NAMES)
