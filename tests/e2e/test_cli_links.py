"""Link questions from the command line: path, neighbors, common, explain; shapes and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_jsonl

E = [
    ("Person", "Harvey Weinstein"), ("Company", "Black Cube"), ("Country", "Israel"),
    ("Company", "NSO Group"), ("Product", "Pegasus"), ("Platform", "Facebook"),
    ("Lawsuit", "Facebook v. NSO Group"), ("Company", "Cytrox"), ("Organization", "Citizen Lab"),
    ("Person", "Loner"),
]  # fmt: skip
R = [
    ("Harvey Weinstein", "HIRED", "Black Cube", "Weinstein hired Black Cube."),
    ("Black Cube", "BASED_IN", "Israel", "Black Cube is an Israeli firm."),
    ("NSO Group", "BASED_IN", "Israel", "NSO Group is an Israeli firm."),
    ("NSO Group", "DEVELOPED", "Pegasus", "NSO Group's Pegasus spyware."),
    ("Facebook", "PLAINTIFF_IN", "Facebook v. NSO Group", "Facebook sued NSO Group."),
    ("NSO Group", "DEFENDANT_IN", "Facebook v. NSO Group", "Facebook sued NSO Group."),
    ("Black Cube", "OPERATED_ON", "Facebook", "Black Cube ran Facebook accounts."),
    ("Cytrox", "OPERATED_ON", "Facebook", "Cytrox ran Facebook accounts."),
    ("Citizen Lab", "REPORTED_ON", "Pegasus", "Citizen Lab documented Pegasus."),
    ("Citizen Lab", "REPORTED_ON", "Cytrox", "Citizen Lab documented Cytrox."),
    ("Harvey Weinstein", "MENTIONED_WITH", "Pegasus", "Weinstein and Pegasus in one sentence."),
]


@pytest.fixture
def case(backend_cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The fixture case loaded into each backend in turn: every test here runs on both."""
    rows = [{"type": t, "name": n} for t, n in E]
    rows += [{"source": s, "type": r, "target": o, "quote": q} for s, r, o, q in R]
    loaded = backend_cli("load", str(write_jsonl(tmp_path / "case.jsonl", rows)))
    assert loaded.code == 0, loaded.stderr
    return backend_cli


def names(path: dict) -> list[str]:  # type: ignore[type-arg]
    return [n["name"] for n in path["nodes"]]


def test_path_json_shape_and_citations(case) -> None:  # type: ignore[no-untyped-def]
    result = case("path", "Harvey Weinstein", "NSO Group", "--no-weak", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert set(data) == {"source", "target", "paths"}
    assert data["source"]["name"] == "Harvey Weinstein"
    (path,) = data["paths"]
    assert set(path) == {"length", "score", "nodes", "edges"}
    assert path["length"] == 3 and len(path["edges"]) == 3
    for edge, (left, right) in zip(
        path["edges"], zip(path["nodes"], path["nodes"][1:], strict=False), strict=False
    ):
        assert {edge["source"], edge["target"]} == {left["id"], right["id"]}
        assert edge["evidence"] and edge["evidence"][0]["quote"]


def test_weak_links_count_unless_excluded(case) -> None:  # type: ignore[no-untyped-def]
    weak = case("path", "Harvey Weinstein", "Pegasus", "--json").json()["paths"][0]
    assert weak["length"] == 1 and weak["edges"][0]["type"] == "MENTIONED_WITH"
    strong = case("path", "Harvey Weinstein", "Pegasus", "--no-weak", "--json").json()["paths"][0]
    assert strong["length"] == 4


def test_all_k_exclude_via_and_directed(case) -> None:  # type: ignore[no-untyped-def]
    both = case("path", "Pegasus", "Facebook", "--all", "--no-weak", "--json").json()["paths"]
    assert sorted(names(p) for p in both) == [
        ["Pegasus", "Citizen Lab", "Cytrox", "Facebook"],
        ["Pegasus", "NSO Group", "Facebook v. NSO Group", "Facebook"],
    ]
    around = case("path", "Black Cube", "NSO Group", "--exclude", "Israel", "--json").json()
    assert [names(p) for p in around["paths"]] == [
        ["Black Cube", "Facebook", "Facebook v. NSO Group", "NSO Group"]
    ]
    via = case("path", "Black Cube", "NSO Group", "--via-type", "Country", "--json").json()
    assert names(via["paths"][0]) == ["Black Cube", "Israel", "NSO Group"]
    ks = case("path", "Harvey Weinstein", "Cytrox", "--k", "3", "--no-weak", "--json").json()
    lengths = [p["length"] for p in ks["paths"]]
    assert lengths == sorted(lengths) and lengths[0] == 3 and len(lengths) == 3
    rel = case("path", "Black Cube", "NSO Group", "--rel", "based_in", "--json").json()
    assert names(rel["paths"][0]) == ["Black Cube", "Israel", "NSO Group"]
    directed = case("path", "Harvey Weinstein", "Israel", "--directed", "--json")
    assert directed.code == 0 and directed.json()["paths"][0]["length"] == 2
    against = case("path", "Israel", "Harvey Weinstein", "--directed", "--json")
    assert against.code == 1 and against.json()["paths"] == []


def test_no_path_exits_1_with_empty_paths(case) -> None:  # type: ignore[no-untyped-def]
    result = case("path", "Loner", "Pegasus", "--json")
    assert result.code == 1 and result.json()["paths"] == []
    human = case("path", "Loner", "Pegasus")
    assert human.code == 1 and "no path" in human.stdout
    short = case("path", "Harvey Weinstein", "Cytrox", "--no-weak", "--max-hops", "2", "--json")
    assert short.code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["path", "Black Cube", "Israel", "--rel", "LOVES"], "unknown relation type 'LOVES'"),
        (["path", "Black Cube", "Israel", "--via-type", "Ship"], "unknown entity type 'Ship'"),
        (["path", "Black Cube", "Israel", "--max-hops", "0"], "--max-hops must be"),
        (["path", "Black Cube", "Israel", "--max-hops", "99"], "--max-hops must be"),
        (["path", "Black Cube", "Israel", "--exclude", "Israel"], "it is an end of the path"),
        (["path", "Black Cube", "Israel", "--all", "--k", "2"], "--all or --k"),
        (["path", "Black Cub", "Israel"], "did you mean 'Black Cube'"),
        (["neighbors", "Israel", "--depth", "5"], "--depth must be"),
        (["common", "Israel"], "at least two"),
    ],
)
def test_bad_questions_exit_2(case, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = case(*args)
    assert result.code == 2, result.stderr
    assert message in result.stderr and result.stdout == ""


def test_neighbors_depth_filters_and_limit(case) -> None:  # type: ignore[no-untyped-def]
    one = case("neighbors", "NSO Group", "--json").json()
    assert set(one) == {"centers", "nodes", "edges", "omitted"}
    got = {n["name"] for n in one["nodes"]}
    assert got == {"NSO Group", "Israel", "Pegasus", "Facebook v. NSO Group"}
    ids = {n["id"] for n in one["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in one["edges"])
    two = case("neighbors", "NSO Group", "--depth", "2", "--json").json()
    assert {"Black Cube", "Facebook", "Citizen Lab", "Harvey Weinstein"} <= {
        n["name"] for n in two["nodes"]
    }
    typed = case("neighbors", "NSO Group", "--depth", "2", "--type", "Country", "--json").json()
    assert {n["name"] for n in typed["nodes"]} == {"NSO Group", "Israel"}
    rel = case("neighbors", "NSO Group", "--rel", "DEVELOPED", "--json").json()
    assert {n["name"] for n in rel["nodes"]} == {"NSO Group", "Pegasus"}
    limited = case("neighbors", "NSO Group", "--depth", "2", "--limit", "2", "--json").json()
    assert len(limited["nodes"]) == 3 and limited["omitted"] == len(two["nodes"]) - 3
    human = case("neighbors", "NSO Group", "--depth", "2", "--limit", "2")
    assert f"and {limited['omitted']} more" in human.stdout


def test_common_connections(case) -> None:  # type: ignore[no-untyped-def]
    result = case("common", "Black Cube", "NSO Group", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert {c["name"] for c in data["common"]} == {"Israel"}
    (israel,) = data["common"]
    assert [names(p) for p in israel["links"]] == [
        ["Black Cube", "Israel"],
        ["NSO Group", "Israel"],
    ]
    assert (
        israel["links"][0]["edges"][0]["evidence"][0]["quote"] == "Black Cube is an Israeli firm."
    )
    deeper = case("common", "Black Cube", "NSO Group", "Cytrox", "--depth", "2", "--json").json()
    assert "Facebook" in {c["name"] for c in deeper["common"]}
    none = case("common", "Loner", "Israel", "--json")
    assert none.code == 1 and none.json()["common"] == []


def test_explain_writes_a_markdown_brief(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = case("explain", "Harvey Weinstein", "NSO Group", "--no-weak")
    assert result.code == 0, result.stderr
    brief = result.stdout
    assert brief.startswith("# How is Harvey Weinstein connected to NSO Group?")
    assert "## Path 1: 3 hops" in brief and "Weinstein hired Black Cube." in brief
    assert "case.jsonl, line" in brief
    out = tmp_path / "brief.md"
    assert case("explain", "Harvey Weinstein", "NSO Group", "-o", str(out)).code == 0
    assert out.read_text(encoding="utf-8").startswith("# How is")
    assert case("explain", "Loner", "NSO Group").code == 1
