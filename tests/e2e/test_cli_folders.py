"""`casegraph load FOLDER` as a user runs it: bad files skipped and reported, --strict, encodings."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import write_jsonl

README = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "loaders"
    / "indicator_lists"
    / "2024-05-01_glasshouse"
    / "README.md"
)


def folder_with_a_bad_file(root: Path) -> Path:
    folder = root / "case"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", [{"type": "Company", "name": "Black Cube"}])
    (folder / "b.txt").write_bytes(b"first line\nabc \x97 def\n")  # no telling its encoding
    return folder


def test_folder_load_skips_the_bad_file_and_says_where_and_why(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_with_a_bad_file(tmp_path)
    result = cli("load", str(folder))
    assert result.code == 0, result.stderr
    assert result.errors == (
        f"skipped {folder / 'b.txt'}:2: not valid UTF-8 (byte 0x97 at offset 15) and its "
        "encoding cannot be told reliably; pass --encoding with the file's encoding\n"
    )
    assert "documents: 1 new" in result.stdout
    assert result.stdout.rstrip().endswith("skipped 1 file with errors")
    assert cli("search", "Black Cube", "--json").json()[0]["name"] == "Black Cube"


def test_json_summary_carries_the_skipped_files(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_with_a_bad_file(tmp_path)
    result = cli("load", str(folder), "--json")
    assert result.code == 0, result.stderr
    assert result.json()["errors"] == [{
        "path": str(folder / "b.txt"), "line": 2,
        "reason": "not valid UTF-8 (byte 0x97 at offset 15) and its encoding cannot be told "
                  "reliably; pass --encoding with the file's encoding",
    }]  # fmt: skip
    assert result.json()["documents_new"] == 1


def test_strict_loads_nothing_when_a_folder_file_is_bad(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = folder_with_a_bad_file(tmp_path)
    assert (
        cli("load", str(write_jsonl(tmp_path / "x.jsonl", [{"type": "Person", "name": "A"}]))).code
        == 0
    )
    before = cli("stats", "--json").json()
    result = cli("load", str(folder), "--strict")
    assert result.code == 2
    assert result.errors.startswith(f"error: {folder / 'b.txt'}:2: not valid UTF-8")
    assert result.stdout == ""
    after = cli("stats", "--json").json()
    assert (after["documents"], after["entities"], after["revision"]) == (
        before["documents"], before["entities"], before["revision"],
    )  # fmt: skip


def test_a_windows_1252_readme_loads_and_records_its_encoding(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readme = tmp_path / "README.md"
    shutil.copy(README, readme)
    result = cli("load", str(readme), "--json")
    assert result.code == 0, result.stderr
    (doc,) = cli("sources", "--json").json()
    assert doc["properties"]["encoding"] == "cp1252"
