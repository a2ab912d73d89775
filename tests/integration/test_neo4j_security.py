"""Hostile text never runs as Cypher: it round-trips byte-exact; `cypher` runs read-only queries."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.neo4j import cypher as cy
from casegraph.backends.neo4j.readonly import parse_params, run_readonly
from casegraph.errors import UsageError, ValidationError
from casegraph.graph import decisions
from casegraph.graph.model import EntityRef, make_evidence, make_relation
from casegraph.pipeline import load_paths
from tests.conftest import write_jsonl

HOSTILE = [
    "x'}) DETACH DELETE n //",
    "`) MATCH (m) DETACH DELETE m //",
    "\u0060",
    "}]",
    'a") DETACH DELETE n RETURN ("',
    "$rows } ]-> ( `Entity` ) // \\u0027",
    "Robert'); MATCH (n) DETACH DELETE n; //",
]


@pytest.fixture
def sentinel(neo: Neo4jStore) -> Neo4jStore:
    neo.client.write("CREATE (:Sentinel {keep: true})")
    return neo


def sentinel_alive(store: Neo4jStore) -> bool:
    return store.run_read("MATCH (s:Sentinel) RETURN count(s) AS n") == [{"n": 1}]


def test_hostile_names_aliases_quotes_and_properties_round_trip(
    sentinel: Neo4jStore, tmp_path: Path
) -> None:
    store = sentinel
    rows: list[dict[str, object]] = []
    for i, text in enumerate(HOSTILE):
        rows.append({"type": "Company", "name": f"{text} {i}", "aliases": [f"alias {text} {i}"],
                     "id": f"xid {text}", "properties": {text: text, "n": i}})  # fmt: skip
    for i, text in enumerate(HOSTILE[1:], start=1):
        rows.append({"source": f"{HOSTILE[0]} 0", "type": "MENTIONED_WITH",
                     "target": f"{text} {i}", "quote": text})  # fmt: skip
    title = HOSTILE[0].replace("/", "_") + ".jsonl"
    load_paths(store, [write_jsonl(tmp_path / title, rows)])
    assert sentinel_alive(store)
    assert store.stats()["entities"] == len(HOSTILE)
    for i, text in enumerate(HOSTILE):
        entity = store.resolve(f"{text} {i}")
        assert entity.name == f"{text} {i}"
        assert entity.aliases == (f"alias {text} {i}",)
        assert entity.properties == {text: text, "n": i}
        assert store.resolve(f"xid {text}").id == entity.id
        assert store.search(f"{text} {i}")[0][0].id == entity.id
    quotes = {e.quote for rel in store.relations_of(store.resolve(f"{HOSTILE[0]} 0").id)
              for e in rel.evidence}  # fmt: skip
    assert quotes == set(HOSTILE[1:])
    (doc,) = store.documents()
    assert doc.title == title
    kept = decisions.merge(store, f"{HOSTILE[1]} 1", f"{HOSTILE[2]} 2")
    decisions.alias(store, kept.id, HOSTILE[3] + " again")
    assert sentinel_alive(store)
    assert HOSTILE[3] + " again" in store.entity(kept.id).aliases


def test_labels_and_types_come_only_from_the_schema() -> None:
    with pytest.raises(ValidationError):
        cy.with_label(cy.CREATE_ENTITIES, "Company`) DETACH DELETE (n")
    with pytest.raises(ValidationError):
        cy.with_rtype(cy.MERGE_RELATIONS, "HIRED]->() DETACH DELETE n //")
    assert "`HIRED`" in cy.with_rtype(cy.MERGE_RELATIONS, "hired")
    ev = make_evidence("d" * 64, "q", extractor="test")
    with pytest.raises(ValidationError, match="unknown relation type"):
        make_relation(EntityRef("a"), "HIRED`]->()", EntityRef("b"), evidence=ev)


@pytest.mark.parametrize("query", [
    "CREATE (n:X) RETURN n",
    "MERGE (n:Entity {id: 'x'}) RETURN n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n:Sentinel) SET n.keep = false RETURN n",
    "MATCH (n:Sentinel) REMOVE n:Sentinel",
    "CREATE INDEX x IF NOT EXISTS FOR (n:X) ON (n.y)",
    "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load  /* hidden */ csv FROM 'http://example.com/x.csv' AS row RETURN row",
    "CALL dbms.listConfig() YIELD name RETURN name",
    "CALL `dbms`.listConfig() YIELD name RETURN name",
    "CALL db.createLabel('X')",
    "MATCH (n) CALL (n) { DETACH DELETE n } RETURN count(*)",
])  # fmt: skip
def test_run_readonly_refuses_anything_but_reads(sentinel: Neo4jStore, query: str) -> None:
    with pytest.raises(UsageError, match="refused"):
        run_readonly(sentinel, query, {}, timeout=5)
    assert sentinel_alive(sentinel)
    assert sentinel.run_read(
        "MATCH (n) WHERE NOT n:Sentinel AND NOT n:Meta RETURN count(n) AS n"
    ) == [{"n": 0}]


def test_run_readonly_runs_reads_with_parameters(sentinel: Neo4jStore, tmp_path: Path) -> None:
    load_paths(sentinel, [write_jsonl(tmp_path / "a.jsonl", [
        {"type": "Company", "name": "Black Cube"}, {"type": "Person", "name": "Harvey Weinstein"},
        {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube", "quote": "hired"},
    ])])  # fmt: skip
    columns, rows = run_readonly(
        sentinel,
        "MATCH (p:Person)-[r:HIRED]->(c:Entity {name: $name}) RETURN p.name AS who, r, c, "
        "'LOAD CSV' AS text // CALL dbms.x",
        {"name": "Black Cube"}, timeout=5,
    )  # fmt: skip
    assert columns == ["who", "r", "c", "text"]
    (row,) = rows
    assert row[0] == "Harvey Weinstein" and row[3] == "LOAD CSV"
    assert row[1]["type"] == "HIRED" and row[1]["properties"]["quotes"] == ["hired"]
    assert row[2]["labels"] == ["Company", "Entity"]
    _, many = run_readonly(sentinel, "UNWIND range(1, 100) AS x RETURN x", max_rows=10)
    assert len(many) == 10


def test_run_readonly_timeout_and_bad_queries(sentinel: Neo4jStore) -> None:
    slow = "UNWIND range(1, 100000) AS a UNWIND range(1, 100000) AS b RETURN count(*) AS n"
    with pytest.raises(UsageError, match="timeout"):
        run_readonly(sentinel, slow, {}, timeout=0.5)
    with pytest.raises(UsageError, match="not a valid query"):
        run_readonly(sentinel, "MATCH (n RETURN n", {})
    with pytest.raises(UsageError, match="empty query"):
        run_readonly(sentinel, "  ", {})


def test_parse_params() -> None:
    assert parse_params(["name=NSO Group", "n=3", "ids=[1, 2]", "flag=true", "q=\"x\"", "e="]) == {
        "name": "NSO Group", "n": 3, "ids": [1, 2], "flag": True, "q": "x", "e": "",
    }  # fmt: skip
    assert parse_params(["expr=a=b"]) == {"expr": "a=b"}
    for bad, why in (("novalue", "expected NAME=VALUE"), ("=3", "expected NAME=VALUE"),
                     ("bad name=1", "not a parameter name"), ("1x=2", "not a parameter name")):  # fmt: skip
        with pytest.raises(UsageError, match=why):
            parse_params([bad])
    with pytest.raises(UsageError, match="given twice"):
        parse_params(["a=1", "a=2"])
