"""An investigator's decisions from the command line, on both backends: each command, what
questions do with it, that re-loads keep it, undo, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_jsonl

ENTITIES = [
    ("Person", "Ann Example"), ("Company", "Alpha Corp"), ("Company", "Beta Corp"),
    ("Company", "Gamma Corp"), ("Location", "Cytrox"), ("Country", "Israel"),
    ("Organization", "Watchdog Lab"), ("Company", "Thursday"),
]  # fmt: skip
RELATIONS = [
    ("Ann Example", "WORKS_FOR", "Alpha Corp", "Ann works for Alpha."),
    ("Ann Example", "WORKS_FOR", "Beta Corp", "Ann works for Beta."),
    ("Alpha Corp", "PART_OF", "Gamma Corp", "Alpha is part of Gamma."),
    ("Beta Corp", "PART_OF", "Gamma Corp", "Beta is part of Gamma."),
    ("Cytrox", "LOCATED_IN", "Israel", "Cytrox lies in Israel."),
    ("Watchdog Lab", "REPORTED_ON", "Cytrox", "Watchdog Lab wrote about Cytrox."),
    ("Thursday", "PART_OF", "Gamma Corp", "On Thursday, Gamma said..."),
]


def rows(relations: list[tuple[str, str, str, str]] = RELATIONS) -> list[dict[str, Any]]:
    return [{"type": t, "name": n} for t, n in ENTITIES] + [
        {"source": s, "type": r, "target": o, "quote": q} for s, r, o, q in relations
    ]


@pytest.fixture
def case(backend_cli, tmp_path: Path):  # type: ignore[no-untyped-def]
    loaded = backend_cli("load", str(write_jsonl(tmp_path / "case.jsonl", rows())))
    assert loaded.code == 0, loaded.stderr
    return backend_cli


def rel_id(cli, entity: str, rtype: str, other: str) -> str:  # type: ignore[no-untyped-def]
    shown = cli("show", entity, "--json").json()
    return next(r["id"] for r in shown["relations"]
                if r["type"] == rtype and r["other"]["name"] == other)  # fmt: skip


def path_names(result) -> list[list[str]]:  # type: ignore[no-untyped-def]
    return [[n["name"] for n in p["nodes"]] for p in result.json()["paths"]]


def log(cli) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    result = cli("decisions", "--json")
    assert result.code == 0, result.stderr
    return result.json()  # type: ignore[no-any-return]


def test_confirm_ranks_a_checked_hop_first_and_marks_it(case) -> None:  # type: ignore[no-untyped-def]
    before = case("path", "Ann Example", "Gamma Corp", "--all", "--json")
    assert path_names(before)[0][1] == "Alpha Corp"  # equal paths: by name
    hop = rel_id(case, "Beta Corp", "PART_OF", "Gamma Corp")
    done = case("confirm", hop, "--why", "read the filing", "--by", "tester", "--json")
    assert done.code == 0, done.stderr
    record = done.json()
    assert (record["action"], record["target"], record["by"], record["why"]) == (
        "confirm", hop, "tester", "read the filing")  # fmt: skip
    after = case("path", "Ann Example", "Gamma Corp", "--all", "--json")
    assert path_names(after)[0][1] == "Beta Corp"
    statuses = [e["status"] for e in after.json()["paths"][0]["edges"]]
    assert statuses == ["unreviewed", "confirmed"]
    assert "✓ confirmed" in case("path", "Ann Example", "Gamma Corp", "--all").stdout
    again = case("confirm", hop)
    assert again.code == 2 and "already confirmed" in again.stderr


def test_reject_takes_a_hop_out_and_a_reload_keeps_it_out(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hop = rel_id(case, "Cytrox", "LOCATED_IN", "Israel")
    assert case("reject", hop, "--json").code == 0
    gone = case("path", "Watchdog Lab", "Israel", "--json")
    assert gone.code == 1 and gone.json()["paths"] == []
    shown = case("path", "Watchdog Lab", "Israel", "--include-rejected", "--json")
    assert shown.code == 0 and shown.json()["paths"][0]["edges"][1]["status"] == "rejected"
    # the same fact from a new source adds evidence, never a status
    more = write_jsonl(tmp_path / "more.jsonl", [
        {"source": "Cytrox", "type": "LOCATED_IN", "target": "Israel", "quote": "Again: Israel.",
         "source_type": "Location", "target_type": "Country"},
    ])  # fmt: skip
    assert case("load", str(more)).code == 0
    rel = next(r for r in case("show", "Cytrox", "--json").json()["relations"] if r["id"] == hop)
    assert rel["status"] == "rejected" and len(rel["evidence"]) == 2
    assert case("path", "Watchdog Lab", "Israel").code == 1


def test_rejecting_every_evidence_item_rejects_the_hop(case) -> None:  # type: ignore[no-untyped-def]
    shown = case("show", "Thursday", "--json").json()
    (rel,) = shown["relations"]
    (item,) = rel["evidence"]
    assert item["id"].startswith(f"ev:{rel['id']}-")
    assert case("reject", item["id"]).code == 0
    again = case("show", "Thursday", "--json").json()["relations"][0]
    assert again["evidence"][0]["status"] == "rejected" and again["status"] == "unreviewed"
    assert case("path", "Thursday", "Gamma Corp").code == 1
    assert case("reject", item["id"]).code == 2


def test_retype_refuses_what_the_type_cannot_hold_unless_forced(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    refused = case("retype", "Cytrox", "Company")
    assert refused.code == 2 and "LOCATED_IN" in refused.stderr and "--force" in refused.stderr
    assert case("show", "Cytrox", "--json").json()["type"] == "Location"
    forced = case("retype", "Cytrox", "Company", "--force", "--json")
    assert forced.code == 0 and len(forced.json()["rejected"]) == 1
    shown = case("show", "Cytrox", "--json").json()
    assert (shown["type"], shown["typed_by"]) == ("Company", "decision")
    assert {r["type"]: r["status"] for r in shown["relations"]} == {
        "LOCATED_IN": "rejected", "REPORTED_ON": "unreviewed"}  # fmt: skip
    # a later source that says it is a place joins the retyped entity and keeps it a Company
    later = write_jsonl(tmp_path / "later.jsonl", [
        {"type": "Location", "name": "Cytrox"},
        {"source": "Cytrox", "type": "LOCATED_IN", "target": "Israel", "quote": "Still a place?",
         "source_type": "Location", "target_type": "Country"},
    ])  # fmt: skip
    loaded = case("load", str(later), "--json")
    assert loaded.code == 0, loaded.stderr
    assert case("search", "Cytrox", "--json").json()[0]["type"] == "Company"
    assert len([e for e in case("entities", "--json", "--limit", "100").json()
                if e["name"] == "Cytrox"]) == 1  # fmt: skip
    weak = [r for r in case("show", "Cytrox", "--json").json()["relations"]
            if r["type"] == "MENTIONED_WITH"]  # fmt: skip
    assert [r["other"]["name"] for r in weak] == ["Israel"]
    assert case("retype", "Cytrox", "Spaceship").code == 2


def test_split_undoes_a_merge_and_a_reload_keeps_them_apart(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert case("merge", "Alpha Corp", "Beta Corp").code == 0
    merged = case("show", "Alpha Corp", "--json").json()
    assert "Beta Corp" in merged["aliases"]
    split = case("split", "Alpha Corp", "Beta Corp", "--json")
    assert split.code == 0, split.stderr
    new = split.json()["new"]
    assert new["name"] == "Beta Corp" and new["type"] == "Company"
    beta = case("show", "Beta Corp", "--json").json()
    assert beta["id"] == new["id"]
    assert {r["type"] for r in beta["relations"]} == {"WORKS_FOR", "PART_OF"}
    assert "Beta Corp" not in case("show", "Alpha Corp", "--json").json()["aliases"]
    later = write_jsonl(tmp_path / "later.jsonl", [
        {"source": "Beta Corp", "type": "PART_OF", "target": "Gamma Corp", "quote": "Beta again.",
         "source_type": "Company", "target_type": "Company"},
    ])  # fmt: skip
    assert case("load", str(later)).code == 0
    rel = next(r for r in case("show", "Beta Corp", "--json").json()["relations"]
               if r["type"] == "PART_OF")  # fmt: skip
    assert len(rel["evidence"]) == 2
    assert case("split", "Alpha Corp", "Nobody").code == 2
    assert case("split", "Alpha Corp", "Alpha Corp").code == 2


def test_undo_of_a_merge_gives_the_entity_back(case) -> None:  # type: ignore[no-untyped-def]
    assert case("merge", "Alpha Corp", "Beta Corp").code == 0
    (merge,) = [d for d in log(case) if d["action"] == "merge"]
    undone = case("undo", merge["uid"])
    assert undone.code == 0, undone.stderr
    beta = case("show", "Beta Corp", "--json").json()
    assert beta["id"] == "company:beta-corp"
    assert case("path", "Ann Example", "Beta Corp", "--json").json()["paths"][0]["edges"][0][
        "type"] == "WORKS_FOR"  # fmt: skip
    entries = log(case)
    assert entries[0]["undone_at"] and entries[1]["action"] == "undo"
    assert case("undo", merge["uid"]).code == 2  # an undone decision
    assert case("undo", entries[1]["uid"]).code == 2  # an undo


def test_merge_across_types(case) -> None:  # type: ignore[no-untyped-def]
    same = case("merge", "Watchdog Lab", "Cytrox")
    assert same.code == 2 and "--across-types" in same.stderr
    done = case("merge", "Gamma Corp", "Watchdog Lab", "--across-types", "Company")
    assert done.code == 2 and "REPORTED_ON" in done.stderr  # a Company cannot report on
    forced = case("merge", "Gamma Corp", "Watchdog Lab", "--across-types", "Company", "--force")
    assert forced.code == 0, forced.stderr
    shown = case("show", "Gamma Corp", "--json").json()
    assert "Watchdog Lab" in shown["aliases"] and shown["type"] == "Company"


def test_drop_takes_junk_out_and_a_reload_keeps_it_dropped(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = case("drop", "Thursday", "--why", "a weekday, not a firm")
    assert done.code == 0 and "rejected its 1 relations" in done.stdout
    names = {e["name"] for e in case("entities", "--json", "--limit", "100").json()}
    assert "Thursday" not in names
    around = case("neighbors", "Gamma Corp", "--json").json()
    assert "Thursday" not in {n["name"] for n in around["nodes"]}
    again = write_jsonl(tmp_path / "again.jsonl", [
        {"type": "Company", "name": "Thursday"},
        {"source": "Thursday", "type": "PART_OF", "target": "Gamma Corp", "quote": "Thursday.",
         "source_type": "Company", "target_type": "Company"},
    ])  # fmt: skip
    assert case("load", str(again)).code == 0
    assert case("show", "Thursday", "--json").json()["status"] == "dropped"
    assert "Thursday" not in {
        n["name"] for n in case("neighbors", "Gamma Corp", "--json").json()["nodes"]
    }
    drop_uid = next(d["uid"] for d in log(case) if d["action"] == "drop")
    assert case("undo", drop_uid).code == 0
    assert "status" not in case("show", "Thursday", "--json").json()
    assert "Thursday" in {
        n["name"] for n in case("neighbors", "Gamma Corp", "--json").json()["nodes"]
    }


def test_notes_and_the_log(case) -> None:  # type: ignore[no-untyped-def]
    hop = rel_id(case, "Ann Example", "WORKS_FOR", "Alpha Corp")
    assert case("note", "Ann Example", "called her office", "--by", "tester").code == 0
    assert case("note", hop, "the filing is from 2019").code == 0
    entries = log(case)
    assert [(d["n"], d["action"], d["target"], d["payload"]["text"]) for d in entries] == [
        (1, "note", "person:ann-example", "called her office"),
        (2, "note", hop, "the filing is from 2019"),
    ]
    assert entries[0]["by"] == "tester" and entries[1]["by"]
    table = case("decisions").stdout
    assert "called her office" in table and "tester" in table
    assert case("note", "Nobody Known", "x").code == 2
    assert case("undo", "1").code == 0 and log(case)[0]["undone_at"]


def test_bad_decisions_write_nothing(case) -> None:  # type: ignore[no-untyped-def]
    before = case("stats", "--json").json()["revision"]
    for args in (("confirm", "0000000000000000"), ("reject", "ev:0000000000000000-000000"),
                 ("retype", "Cytrox", "Spaceship"), ("drop", "Nobody Known"),
                 ("undo", "d:0000000000000000"), ("undo", "99"), ("split", "Cytrox", "Nobody")):  # fmt: skip
        result = case(*args)
        assert result.code == 2, (args, result.stderr)
        assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, args
    assert case("stats", "--json").json()["revision"] == before
    assert log(case) == []


def test_review_lists_a_name_split_across_types_and_junk_first(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    twin = write_jsonl(tmp_path / "twin.jsonl", [
        {"type": "Product", "name": "Gamma Corp"},  # the firm's name again, as a product
        {"source": "Watchdog Lab", "type": "MENTIONED_WITH", "target": "Gamma Corp",
         "target_type": "Product", "quote": "Watchdog Lab on Gamma."},
    ])  # fmt: skip
    assert case("load", str(twin)).code == 0
    result = case("review", "--limit", "10", "--json")
    assert result.code == 0, result.stderr
    items = result.json()
    kinds = {(i["kind"], i["subject"]) for i in items}
    assert ("junk", "company:thursday") in kinds
    shared = next(i for i in items if i["kind"] == "shared-name")
    assert {shared["subject"], *shared["also"]} == {"company:gamma-corp", "product:gamma-corp"}
    assert shared["command"].startswith("casegraph merge ")
    plain = case("review", "--limit", "10").stdout
    assert "casegraph drop company:thursday" in plain
