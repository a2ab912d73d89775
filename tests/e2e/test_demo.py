"""`casegraph demo` on a fresh directory: loads the sample case, answers a path, writes a view."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli


def test_demo_loads_answers_and_draws(tmp_path: Path) -> None:
    result = run_cli("demo", "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["store"] == "casegraph-demo.db" and (tmp_path / "casegraph-demo.db").exists()
    assert data["stats"]["documents"] >= 1 and data["stats"]["relations"] >= 30
    (path,) = data["answer"]["paths"]
    names = [n["name"] for n in path["nodes"]]
    assert names[0] == "Harvey Weinstein" and names[-1] == "NSO Group"
    assert all(edge["evidence"] for edge in path["edges"])
    html = tmp_path / "casegraph-demo.html"
    assert data["html"] == "casegraph-demo.html" and html.stat().st_size > 10_000
    assert "<script src=" not in html.read_text(encoding="utf-8")
    again = run_cli("demo", cwd=tmp_path)  # a fresh store each time, not a second load
    assert again.code == 0 and "How is Harvey Weinstein connected to NSO Group?" in again.stdout
    stats = run_cli("--store", str(tmp_path / "casegraph-demo.db"), "stats", "--json").json()
    assert stats["documents"] == data["stats"]["documents"]


def test_demo_refuses_to_replace_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    precious = tmp_path / "casegraph-demo.db"
    precious.write_text("my notes", encoding="utf-8")
    result = run_cli("demo", cwd=tmp_path)
    assert result.code == 3 and "not a usable casegraph store" in result.stderr
    assert precious.read_text(encoding="utf-8") == "my notes"


def test_unknown_option_is_a_usage_error() -> None:
    result = run_cli("path", "A", "B", "--bogus")
    assert result.code == 2 and "No such option: --bogus" in result.stderr
