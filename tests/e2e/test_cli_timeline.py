"""`casegraph timeline` and date windows from the command line, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_jsonl

ROWS = [
    {"type": "Company", "name": "Orion Labs"},
    {"type": "Company", "name": "Kestrel Partners"},
    {"type": "Country", "name": "Veldoria"},
    {"type": "Product", "name": "Nightjar"},
    {"source": "Orion Labs", "type": "DEVELOPED", "target": "Nightjar",
     "quote": "Orion Labs built Nightjar.", "date": "2018-04-02"},
    {"source": "Orion Labs", "type": "HIRED", "target": "Kestrel Partners",
     "quote": "Orion Labs hired Kestrel Partners.", "date": "2021-06-01"},
    {"source": "Orion Labs", "type": "BASED_IN", "target": "Veldoria",
     "quote": "Orion Labs is based in Veldoria."},
    {"source": "Kestrel Partners", "type": "BASED_IN", "target": "Veldoria",
     "quote": "Kestrel Partners opened in Veldoria.", "date": "2022-03-03"},
]  # fmt: skip


@pytest.fixture
def loaded(backend_cli: Any, tmp_path: Path) -> Any:
    result = backend_cli("load", str(write_jsonl(tmp_path / "case.jsonl", ROWS)))
    assert result.code == 0, result.stderr
    return backend_cli


def test_timeline_in_date_order_with_undated_apart(loaded: Any, tmp_path: Path) -> None:
    data = loaded("timeline", "Orion Labs", "--json").json()
    assert [(m["date"], m["type"], m["other"]["name"]) for m in data["dated"]] == [
        ("2018-04-02", "DEVELOPED", "Nightjar"),
        ("2021-06-01", "HIRED", "Kestrel Partners"),
    ]
    assert [(m["type"], m["other"]["name"]) for m in data["undated"]] == [("BASED_IN", "Veldoria")]
    assert all(m["evidence"]["id"].startswith("ev:") for m in data["dated"] + data["undated"])
    shown = loaded("timeline", "Orion Labs")
    assert shown.code == 0
    lines = shown.stdout.splitlines()
    assert lines[1].startswith("2018-04-02") and lines[2].startswith("2021-06-01")
    assert "undated (1):" in shown.stdout
    page = tmp_path / "timeline.html"
    assert loaded("timeline", "Orion Labs", "--html", str(page)).code == 0
    assert page.read_text(encoding="utf-8").count("<tr") == 4  # a header and three facts


def test_timeline_window(loaded: Any) -> None:
    data = loaded("timeline", "Orion Labs", "--since", "2019", "--json").json()
    assert [m["date"] for m in data["dated"]] == ["2021-06-01"] and data["undated"] == []
    assert data["since"] == "2019-01-01" and data["until"] is None


def test_path_and_neighbors_windows(loaded: Any) -> None:
    # Nightjar to Veldoria: via Orion Labs (2018 + undated) or via Kestrel (2021 + 2022)
    every = loaded("path", "Nightjar", "Veldoria", "--all", "--json").json()
    assert len(every["paths"]) == 1  # the shortest is Nightjar - Orion Labs - Veldoria
    dated = loaded("path", "Nightjar", "Veldoria", "--since", "2018", "--json").json()
    assert [[n["name"] for n in p["nodes"]] for p in dated["paths"]] == [
        ["Nightjar", "Orion Labs", "Kestrel Partners", "Veldoria"]]  # fmt: skip
    none = loaded("path", "Nightjar", "Veldoria", "--until", "2021")
    assert none.code == 1
    near = loaded("neighbors", "Veldoria", "--since", "2022", "--json").json()
    assert {n["name"] for n in near["nodes"]} == {"Veldoria", "Kestrel Partners"}


def test_export_and_explain_windows(loaded: Any, tmp_path: Path) -> None:
    import json

    out = tmp_path / "g.json"
    result = loaded("export", str(out), "--since", "2021", "--json")
    assert result.code == 0, result.stderr
    graph = json.loads(out.read_text(encoding="utf-8"))
    assert sorted(e["type"] for e in graph["edges"]) == ["BASED_IN", "HIRED"]
    assert all(ev["date"] >= "2021" for e in graph["edges"] for ev in e["evidence"])
    brief = loaded("explain", "Orion Labs", "Veldoria", "--since", "2021")
    assert brief.code == 0 and "Kestrel Partners opened in Veldoria." in brief.stdout
    assert "Orion Labs is based in Veldoria." not in brief.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--since", "yesterday"), "--since 'yesterday' is not a date"),
        (("--until", "2021-02-30"), "--until '2021-02-30' is not a date"),
        (("--since", "2022", "--until", "2021"), "is before --since"),
    ],
)
def test_bad_windows_are_one_line_exit_2(loaded: Any, args: tuple[str, ...], says: str) -> None:
    for command in (("path", "Orion Labs", "Veldoria"), ("timeline", "Orion Labs")):
        result = loaded(*command, *args)
        assert result.code == 2 and result.stdout == "" and says in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_load_published_dates_undated_files(backend_cli: Any, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Orion Labs hired Kestrel Partners.\n", encoding="utf-8")
    bad = backend_cli("load", str(notes), "--published", "March")
    assert bad.code == 2 and "--published 'March' is not a date" in bad.stderr
    assert backend_cli("load", str(notes), "--published", "2020-05").code == 0
    (doc,) = backend_cli("sources", "--json").json()
    assert doc["published"] == "2020-05-01"
