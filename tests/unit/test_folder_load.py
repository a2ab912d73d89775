"""Folder loads: a file that cannot be read is skipped with its path, line and reason; --strict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import LoaderError
from casegraph.loaders import LoadOptions
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

STIX_ID = "--00000000-0000-4000-8000-"


def case_folder(root: Path) -> Path:
    """Two good files and two bad ones: a truncated STIX bundle, text in no telling encoding."""
    folder = root / "case"
    (folder / "sub").mkdir(parents=True)
    write_jsonl(folder / "people.jsonl", [
        {"type": "Person", "name": "Harvey Weinstein"}, {"type": "Company", "name": "Black Cube"},
        {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube", "quote": "hired"},
    ])  # fmt: skip
    objs = [{"type": "malware", "id": f"malware{STIX_ID}{i:012d}", "name": f"Tool {i}"}
            for i in range(3)]  # fmt: skip
    text = json.dumps({"type": "bundle", "id": f"bundle{STIX_ID}000000000000", "objects": objs})
    (folder / "sub" / "cut.json").write_text(text[:-30], encoding="utf-8")
    (folder / "sub" / "notes.txt").write_bytes(b"first line\nabc \x97 def\n")
    write_jsonl(folder / "sub" / "more.jsonl", [{"type": "Product", "name": "Pegasus"}])
    return folder


def counts(store: SqliteStore) -> tuple[int, int, int]:
    stats = store.stats()
    return stats["documents"], stats["entities"], stats["relations"]


def test_a_folder_loads_what_it_can_and_lists_each_file_it_skipped(tmp_path: Path) -> None:
    folder = case_folder(tmp_path)
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [folder])
        assert summary.documents_new == 2
        assert counts(store) == (2, 3, 1)
        assert store.resolve("Pegasus").type == "Product"
    by_name = {Path(e["path"]).name: e for e in summary.errors}
    assert set(by_name) == {"cut.json", "notes.txt"}
    assert by_name["notes.txt"]["line"] == 2
    assert by_name["notes.txt"]["reason"].startswith("not valid UTF-8 (byte 0x97 at offset 15)")
    assert by_name["cut.json"]["line"] is None
    assert by_name["cut.json"]["reason"].startswith("truncated or invalid JSON after object 2")
    assert by_name["cut.json"]["path"] == str(folder / "sub" / "cut.json")
    assert summary.as_dict()["errors"] == summary.errors


def test_strict_makes_the_first_bad_file_fail_the_load_and_change_nothing(tmp_path: Path) -> None:
    folder = case_folder(tmp_path)
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(
            store, [write_jsonl(tmp_path / "before.jsonl", [{"type": "Person", "name": "A"}])]
        )
        before = counts(store)
        with pytest.raises(LoaderError, match=r"cut\.json: truncated or invalid JSON"):
            load_paths(store, [folder], strict=True)
        assert counts(store) == before


def test_a_bad_file_named_on_the_command_line_still_fails_the_load(tmp_path: Path) -> None:
    folder = case_folder(tmp_path)
    with SqliteStore(tmp_path / "s.db") as store:
        with pytest.raises(LoaderError, match=r"notes\.txt:2: not valid UTF-8"):
            load_paths(store, [folder / "people.jsonl", folder / "sub" / "notes.txt"])
        assert counts(store) == (0, 0, 0)


def test_a_file_too_big_to_hold_is_checked_to_the_end_then_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casegraph import pipeline

    monkeypatch.setattr(pipeline, "BUFFER_FACTS", 2)
    folder = case_folder(tmp_path)
    good = [{"type": "Person", "name": f"Person {i}"} for i in range(10)]
    write_jsonl(folder / "big.jsonl", good)
    bad = [*good[:5], {"type": "Nope", "name": "x"}, *good[5:]]
    write_jsonl(folder / "sub" / "big-bad.jsonl", bad)
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [folder])
        assert counts(store) == (3, 13, 1)  # big.jsonl whole, nothing of big-bad.jsonl
        assert summary.entities_new == 13
    assert sorted(Path(e["path"]).name for e in summary.errors) == [
        "big-bad.jsonl", "cut.json", "notes.txt",
    ]  # fmt: skip
    (bad_error,) = [e for e in summary.errors if e["path"].endswith("big-bad.jsonl")]
    assert bad_error["line"] == 6 and "Nope" in bad_error["reason"]


def test_an_unreadable_file_in_a_folder_is_skipped_with_its_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = case_folder(tmp_path)
    locked = write_jsonl(folder / "locked.jsonl", [{"type": "Person", "name": "Hidden"}])
    real_open = Path.open

    def refusing_open(self: Path, *args: Any, **kwargs: Any) -> Any:  # a file we may not read
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refusing_open)
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [folder], LoadOptions())
        assert counts(store) == (2, 3, 1)
    (error,) = [e for e in summary.errors if e["path"] == str(locked)]
    assert error == {"path": str(locked), "line": None, "reason": "cannot read: Permission denied"}
