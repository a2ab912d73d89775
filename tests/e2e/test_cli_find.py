"""`casegraph find` on both backends: the same ranked answers, passages, filters and errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sources_case import DATES, write_case


@pytest.fixture
def loaded(backend_cli: Any, tmp_path: Path) -> Any:
    result = backend_cli("load", *map(str, write_case(tmp_path / "case")))
    assert result.code == 0, result.stderr
    return backend_cli


def _names(result: Any) -> list[str]:
    return [Path(h["path"]).name for h in result.json()["hits"]]


def test_documents_carry_their_dates(loaded: Any) -> None:
    docs = loaded("sources", "--json").json()
    assert {Path(d["path"]).name: d["published"] for d in docs} == DATES


def test_find_ranks_by_own_bm25_and_gives_offsets(loaded: Any, tmp_path: Path) -> None:
    result = loaded("find", "nightjar", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    # alpha.md says Nightjar three times in 60 words, bravo.md twice in fewer: both, then ranked
    assert sorted(_names(result)) == ["alpha.md", "bravo.md"]
    assert data["matched"] == 2 and data["ranked"] == 2
    scores = [h["score"] for h in data["hits"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    for hit in data["hits"]:
        text = (tmp_path / "case" / Path(hit["path"]).name).read_text(encoding="utf-8")
        assert text[hit["start"] : hit["end"]] == hit["snippet"]
        assert hit["hits"] and all(text[a:b].lower() == "nightjar" for a, b in hit["hits"])
        assert {e["name"] for e in hit["entities"]} >= {"Nightjar"}


def test_phrase_prefix_and_boolean_queries(loaded: Any) -> None:
    assert _names(loaded("find", '"zero click"', "--json")) != []
    assert sorted(_names(loaded("find", '"zero-click implant"', "--json"))) == ["alpha.md"]
    # "spy*" reaches spyware, spying and spies; NOT leaves out what says nightjar
    assert sorted(_names(loaded("find", "spy*", "--json"))) == [
        "alpha.md", "charlie.txt", "delta.txt"]  # fmt: skip
    assert sorted(_names(loaded("find", "spy* NOT nightjar", "--json"))) == [
        "charlie.txt", "delta.txt"]  # fmt: skip
    assert sorted(_names(loaded("find", "kestrel AND (veldoria OR court)", "--json"))) == [
        "bravo.md", "charlie.txt"]  # fmt: skip
    assert sorted(_names(loaded("find", "kestrel veldoria", "--json"))) == ["charlie.txt"]


def test_source_and_date_filters(loaded: Any) -> None:
    assert _names(loaded("find", "orion", "--since", "2021", "--json")) == ["bravo.md"]
    assert _names(loaded("find", "orion", "--until", "2019", "--json")) == ["alpha.md"]
    assert _names(loaded("find", "orion", "--source", "delta.txt", "--json")) == ["delta.txt"]
    limited = loaded("find", "orion", "--limit", "1", "--json").json()
    assert len(limited["hits"]) == 1 and limited["matched"] == 3


def test_terminal_output_and_exit_codes(loaded: Any) -> None:
    shown = loaded("find", "kestrel")
    assert shown.code == 0 and "Kestrel Partners" in shown.stdout
    assert "2 matching documents" in shown.stdout
    none = loaded("find", "submarine")
    assert none.code == 1 and none.stdout.startswith("no match")
    for bad, says in [('"unclosed', "unclosed quote"), ("foo AND", "expected a word"),
                      ("(foo", "missing ')'"), ("NOT foo", "only says what must be absent"),
                      ("s*", "too short")]:  # fmt: skip
        result = loaded("find", bad)
        assert result.code == 2 and result.stdout == ""
        assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert loaded("find", "orion", "--since", "2022", "--until", "2021").code == 2
