"""What casegraph prints and writes from hostile values: property keys escaped on the terminal,
--json output strict and free of characters a terminal acts on, messages of bounded length,
and CSV for spreadsheets that no spreadsheet runs as a formula."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli, write_jsonl
from tests.fuzz.cli_helpers import run_in_process

# Keys a source may give properties: escape sequences, an OSC title, bidi override, zero width,
# a forged line, a bell.
KEYS = ["col\x1b[31mor", "t\x1b]0;pwned\x07itle", "rev\u202eersed", "zero\u200bwidth",
        "forged\nerror: all is well", "bell\x07"]  # fmt: skip
RAW = ["\x1b", "\x07", "\u202e", "\u200b", "\u2028"]


@pytest.fixture
def store(tmp_path: Path) -> Path:
    src = write_jsonl(tmp_path / "keys.jsonl", [
        {"type": "Company", "name": "Key Co", "properties": {k: f"v{i}" for i, k in enumerate(KEYS)}},
        {"type": "Company", "name": "Bidi \u202eoC", "aliases": ["line\u2028sep"]},
        {"source": "Key Co", "type": "OWNS", "target": "Bidi \u202eoC", "quote": "q\u202e\x1b[2J"},
    ])  # fmt: skip
    store = tmp_path / "case.db"
    got = run_cli("--store", str(store), "load", str(src))
    assert got.code == 0, got.stderr
    return store


def no_raw(text: str) -> bool:
    return not any(ch in text for ch in RAW)


def test_show_escapes_property_keys(store: Path) -> None:
    got = run_cli("--store", str(store), "show", "Key Co")
    assert got.code == 0, got.stderr
    assert no_raw(got.stdout), got.stdout
    assert "col\\x1b[31mor: v0" in got.stdout and "rev\\u202eersed: v2" in got.stdout
    assert "forged\\nerror: all is well: v4" in got.stdout
    assert not any(line.startswith("error:") for line in got.stdout.splitlines())


@pytest.mark.parametrize("args", [["show", "Key Co", "--json"], ["entities", "--json"],
                                  ["search", "co", "--json"], ["neighbors", "Key Co", "--json"],
                                  ["path", "Key Co", "Bidi \u202eoC", "--json"]])  # fmt: skip
def test_json_output_carries_no_character_a_terminal_acts_on(store: Path, args: list[str]) -> None:
    got = run_cli("--store", str(store), *args)
    assert got.code == 0, got.stderr
    assert no_raw(got.stdout), [ch for ch in RAW if ch in got.stdout]
    text = json.dumps(json.loads(got.stdout), ensure_ascii=False)
    assert "\u202e" in text  # the values themselves come back exact


def test_show_json_keeps_the_exact_keys(store: Path) -> None:
    got = run_cli("--store", str(store), "show", "Key Co", "--json").json()
    assert sorted(got["properties"]) == sorted(KEYS)


def strict(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_a_stored_nan_is_printed_and_exported_as_json(store: Path, tmp_path: Path) -> None:
    """Stores made before NaN was refused may hold one; output stays JSON."""
    db = sqlite3.connect(store)
    db.execute("""UPDATE entities SET properties = '{"score": NaN, "big": 1e999}'"""
               " WHERE name = 'Key Co'")  # fmt: skip
    db.commit()
    db.close()
    got = run_cli("--store", str(store), "show", "Key Co", "--json")
    assert got.code == 0, got.stderr
    assert strict(got.stdout)["properties"] == {"score": "NaN", "big": "Infinity"}
    out = tmp_path / "g.json"
    assert run_cli("--store", str(store), "export", str(out)).code == 0
    nodes = strict(out.read_text(encoding="utf-8"))["nodes"]
    assert {"score": "NaN", "big": "Infinity"} in [n["properties"] for n in nodes]


# ---------------------------------------------------------------------------- bounded messages
HUGE = "A" * (1 << 20)


@pytest.mark.parametrize("how", ["load", "entities --type", "show", "path --rel", "export"])
def test_a_megabyte_value_is_cut_in_messages(store: Path, tmp_path: Path, how: str) -> None:
    """A 1 MB argument cannot pass through exec (128 KiB at most): those run in this process."""
    if how == "load":
        src = write_jsonl(tmp_path / "huge.jsonl", [{"type": HUGE, "name": "x"}])
        got = run_cli("--store", str(store), "load", str(src))
        code, err = got.code, got.errors
    else:
        args = {"entities --type": ["entities", "--type", HUGE], "show": ["show", HUGE],
                "path --rel": ["path", "Key Co", "Key Co", "--rel", HUGE],
                "export": ["export", str(tmp_path / "x"), "--format", HUGE]}[how]  # fmt: skip
        code, _, err = run_in_process(["--store", str(store), *args])
    assert code == 2, err[:300]
    assert err.startswith("error: ") and err.count("\n") == 1
    assert len(err) < 1200, len(err)
    assert "characters left out" in err
    if how == "load":
        assert "huge.jsonl:1: unknown entity type 'AAAA" in err
        assert err.rstrip().endswith("Lawsuit, Indicator")  # what would have been valid, kept


def test_a_megabyte_search_without_an_answer_is_cut(store: Path) -> None:
    """A question without an answer (exit 1) says so in a bounded line too."""
    code, _, err = run_in_process(["--store", str(store), "search", HUGE])
    assert code == 1, err[:300]
    assert err.count("\n") == 1 and len(err) < 1200, len(err)
    assert "no entity matches" in err and "characters left out" in err


def test_a_megabyte_option_value_is_cut_in_usage_errors(store: Path) -> None:
    code, _, err = run_in_process(["--store", str(store), "entities", "--limit", HUGE])
    assert code == 2
    assert len(err) < 4000


# ---------------------------------------------------------------------------- spreadsheet CSV
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+2", "-3+4", "@SUM(A1)", "\tTab", "=1;2"]


@pytest.fixture
def formula_store(tmp_path: Path) -> Path:
    rows: list[dict[str, Any]] = [{"type": "Company", "name": f} for f in FORMULAS]
    rows += [
        {"source": FORMULAS[0], "type": "OWNS", "target": FORMULAS[1], "quote": "=cmd|'/c calc'!A0"}
    ]
    store = tmp_path / "f.db"
    got = run_cli("--store", str(store), "load", str(write_jsonl(tmp_path / "f.jsonl", rows)))
    assert got.code == 0, got.stderr
    return store


def cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def test_excel_safe_csv_quotes_cells_a_spreadsheet_would_run(
    formula_store: Path, tmp_path: Path
) -> None:
    out = tmp_path / "sheet.csv"
    got = run_cli("--store", str(formula_store), "export", str(out), "--format", "csv",
                  "--excel-safe")  # fmt: skip
    assert got.code == 0, got.stderr
    for name in ("sheet_nodes.csv", "sheet_relationships.csv"):
        path = tmp_path / name
        rows = cells(path)
        for row in rows:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
        assert all(line.startswith('"') for line in path.read_text(encoding="utf-8").splitlines())
    names = {row[1] for row in cells(tmp_path / "sheet_nodes.csv")[1:]}
    assert '\'=HYPERLINK("http://x","y")' in names and "'+1+2" in names
    quotes = cells(tmp_path / "sheet_relationships.csv")[1][5]
    assert quotes == "'=cmd|'/c calc'!A0"


def test_the_neo4j_admin_csv_stays_exact(formula_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "admin.csv"
    assert run_cli("--store", str(formula_store), "export", str(out), "--format", "csv").code == 0
    names = {row[1] for row in cells(tmp_path / "admin_nodes.csv")[1:]}
    assert '=HYPERLINK("http://x","y")' in names and "+1+2" in names and "@SUM(A1)" in names


def test_excel_safe_is_for_csv_only(formula_store: Path, tmp_path: Path) -> None:
    got = run_cli("--store", str(formula_store), "export", str(tmp_path / "g.json"),
                  "--excel-safe")  # fmt: skip
    assert got.code == 2 and "--excel-safe works with --format csv only" in got.stderr
