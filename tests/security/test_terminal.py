"""Names and quotes from a source never reach the terminal as control characters: no escape
sequence recolours or clears the screen, no bidi override reverses what an investigator reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_jsonl

HOSTILE = "Evil\x1b[2J\x1b[31mCorp\u202eesrever\x07"
QUOTE = "They said\x1b]0;pwned\x07 it\r\nall."


@pytest.fixture
def store(tmp_path: Path) -> Path:
    store = tmp_path / "case.db"
    src = write_jsonl(tmp_path / "hostile.jsonl", [
        {"type": "Company", "name": HOSTILE, "aliases": ["Evil\x1bAlias"]},
        {"type": "Product", "name": "Pegasus"},
        {"source": HOSTILE, "type": "DEVELOPED", "target": "Pegasus", "quote": QUOTE},
    ])  # fmt: skip
    assert run_cli("--store", str(store), "load", str(src)).code == 0
    return store


@pytest.fixture
def evil_id(store: Path) -> str:
    rows = run_cli("--store", str(store), "entities", "--type", "Company", "--json").json()
    assert [r["name"] for r in rows] == [HOSTILE]  # kept byte-exact in the store
    return str(rows[0]["id"])


@pytest.mark.parametrize(
    "args",
    [
        ("entities",),
        ("search", "Evil"),
        ("show", "Pegasus"),
        ("path", "Pegasus", "EVIL"),
        ("neighbors", "Pegasus"),
        ("explain", "Pegasus", "EVIL"),
        ("merge", "EVIL", "Pegasus"),
    ],
)
def test_terminal_output_escapes_control_characters(
    store: Path, evil_id: str, args: tuple[str, ...]
) -> None:
    got = run_cli("--store", str(store), *(evil_id if a == "EVIL" else a for a in args))
    for stream in (got.stdout, got.stderr):
        assert "\x1b" not in stream and "\u202e" not in stream and "\x07" not in stream, (
            args, got.code, stream)  # fmt: skip
    if args[0] not in ("merge",):
        assert got.code == 0, got.stderr
        assert "\\x1b" in got.stdout  # shown, as an escape


def test_errors_naming_a_hostile_value_stay_one_line(store: Path) -> None:
    got = run_cli("--store", str(store), "show", "No\x1b[2Jsuch\nthing")
    assert got.code != 0
    assert got.stderr.count("\n") == 1 and "\x1b" not in got.stderr, got.stderr
