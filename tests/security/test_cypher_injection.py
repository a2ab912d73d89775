"""Injection: hostile strings through every place a string reaches a query, on both backends.

Payloads (backticks, \\u0060, comments, brace and bracket breaks, quotes, look-alike apostrophes,
fullwidth letters, newlines) are stored as names, aliases, quotes and property values, then used
as arguments, filters and parameters, and again second-hand (a stored name read back and used in
another question, the exported Cypher script run on a fresh database). Nothing executes: the
graph's counts never change, and every value comes back byte-exact.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from casegraph.graph.model import clean_name
from tests.conftest import neo4j_uri_or_skip, wipe_neo4j
from tests.fuzz.cli_helpers import run_in_process

PAYLOADS = [
    "Back`tick", "``", "Esc\\u0060aped", "Tick` DETACH DELETE n //",
    "Quote'}) DETACH DELETE n //", 'Dquote"}) DETACH DELETE n //', "Slash // comment",
    "Block /* c */ x", "End */ MATCH (n) DETACH DELETE n /*", "Brace}]->(m) DETACH DELETE m //",
    "Bracket]-() DETACH DELETE n", "O\u02bcBrien", "ＦＵＬＬ`ｗｉｄｔｈ", "New\nline MATCH (n) DETACH DELETE n",
    "$param", "{{tpl}} {% x %}", "Back\\slash' OR 1=1 //", "100% _under_", "Emoji 😀 \u2028 e\u0301",
    "CALL dbms.killQueries([]) //", "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l //",
]  # fmt: skip
QUOTE = 'q\'uote` with "all" // of /* them */ }]) \\ \u2028 end'


def _rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [{"type": "Company", "name": "Hub Co"}]
    for i, payload in enumerate(PAYLOADS):
        rows.append({"type": "Company", "name": payload, "aliases": [f"{payload} alias {i}"],
                     "properties": {"note": payload, "n": i}})  # fmt: skip
        rows.append({"source": payload, "target": "Hub Co", "type": "MENTIONED_WITH",
                     "quote": f"{QUOTE} {payload}", "properties": {"p": payload}})  # fmt: skip
    return rows


class Backend:
    """The CLI bound to one backend, run in-process."""

    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name, self.args, self.env = name, args, env

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            return run_in_process([*self.args, *argv])
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v

    def json(self, *argv: str) -> Any:
        code, stdout, stderr = self(*argv, "--json")
        assert code in (0, 1), stderr
        return json.loads(stdout)

    def counts(self) -> tuple[int, int, int]:
        s = self.json("stats")
        return s["entities"], s["relations"], s["evidence"]


@pytest.fixture(scope="module", params=["embedded", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Backend]:  # fmt: skip
    work = tmp_path_factory.mktemp("inject")
    src = work / "hostile.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _rows()), "utf-8")
    if request.param == "embedded":
        cli = Backend("embedded", ["--store", str(work / "s.db")], {})
    else:
        uri = neo4j_uri_or_skip()
        password = os.environ.get("NEO4J_PASSWORD", "casegraph-dev")
        wipe_neo4j(uri, password)
        cli = Backend("neo4j", ["--neo4j", uri], {"NEO4J_PASSWORD": password})
    code, _, stderr = cli("load", str(src))
    assert code == 0, stderr
    cli.loaded = cli.counts()  # type: ignore[attr-defined]
    yield cli


def _unchanged(cli: Backend) -> None:
    assert cli.counts() == cli.loaded, "a query changed the graph"  # type: ignore[attr-defined]


def test_stored_values_round_trip_byte_exact(backend: Backend) -> None:
    assert backend.loaded == (len(PAYLOADS) + 1, len(PAYLOADS), len(PAYLOADS))  # type: ignore[attr-defined]
    for i, payload in enumerate(PAYLOADS):
        shown = backend.json("show", payload)
        assert shown["name"] == clean_name(payload)
        assert clean_name(f"{payload} alias {i}") in shown["aliases"]
        assert shown["properties"] == {"note": payload, "n": i}
        [relation] = shown["relations"]
        assert relation["properties"] == {"p": payload}
        assert [e["quote"] for e in relation["evidence"]] == [f"{QUOTE} {payload}"]
    _unchanged(backend)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_as_entity_arguments_run_nothing(backend: Backend, payload: str) -> None:
    """Second order too: the stored name, read back, is the argument of another question."""
    entity_id = backend.json("show", payload)["id"]
    for who in (payload, entity_id, f"Company:{payload}"):
        path = backend.json("path", who, "Hub Co")
        assert [n["name"] for n in path["paths"][0]["nodes"]] == [clean_name(payload), "Hub Co"]
        around = backend.json("neighbors", who)
        assert {n["name"] for n in around["nodes"]} >= {clean_name(payload), "Hub Co"}
    shared = backend.json("common", payload, PAYLOADS[0] if payload != PAYLOADS[0] else "``")
    assert [s["name"] for s in shared["common"]] == ["Hub Co"]
    hits = backend.json("search", payload)
    assert hits and hits[0]["name"] == clean_name(payload)
    code, _, stderr = backend("path", payload, "Hub Co", "--exclude", payload, "--json")
    assert code in (1, 2) and "Traceback" not in stderr
    _unchanged(backend)


@pytest.mark.parametrize(
    "payload",
    [
        *PAYLOADS,
        "HIRED`]->() MATCH (n) DETACH DELETE n //",
        "hired",
        "MENTIONED_WITH|HIRED",
        "Entity",
    ],
)
def test_payloads_as_type_filters_are_refused_by_the_allow_list(
    backend: Backend, payload: str
) -> None:
    for argv in (["path", "Hub Co", PAYLOADS[0], "--rel", payload],
                 ["path", "Hub Co", PAYLOADS[0], "--via-type", payload],
                 ["neighbors", "Hub Co", "--type", payload],
                 ["neighbors", "Hub Co", "--rel", payload],
                 ["entities", "--type", payload]):  # fmt: skip
        code, stdout, stderr = backend(*argv, "--json")
        if payload == "hired" and "--rel" in argv:  # a schema name in any case is valid
            assert code in (0, 1), stderr
            continue
        assert code == 2 and stderr.startswith("error: ") and stdout == "", (argv, stderr)
    _unchanged(backend)


def test_merge_and_alias_with_payloads(backend: Backend) -> None:
    code, _, stderr = backend("alias", PAYLOADS[3], "Another` name //")
    assert code == 0, stderr
    assert backend.json("show", "Another` name //")["name"] == clean_name(PAYLOADS[3])
    code, _, stderr = backend("merge", PAYLOADS[3], "Another` name //")
    assert code == 2 and "already one entity" in stderr
    backend.loaded = backend.counts()  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------- Neo4j only
@pytest.fixture
def neo(backend: Backend) -> Backend:
    if backend.name != "neo4j":
        pytest.skip("cypher and the Cypher script run on Neo4j")
    return backend


@pytest.mark.neo4j
@pytest.mark.parametrize("payload", PAYLOADS)
def test_cypher_params_carry_payloads_as_values(neo: Backend, payload: str) -> None:
    rows = neo.json("cypher", "MATCH (e:Entity) WHERE e.name = $n RETURN e.name AS name",
                    "--param", f"n={clean_name(payload)}")  # fmt: skip
    assert rows == [{"name": clean_name(payload)}]
    rows = neo.json("cypher", "RETURN $v AS v", "--param", f"v={json.dumps(payload)}")
    assert rows == [{"v": payload}]
    _unchanged(neo)


@pytest.mark.neo4j
@pytest.mark.parametrize("query", [
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) RETURN n // \n DETACH DELETE n",
    "MATCH (n) RETURN n /* */ ; MATCH (m) DETACH DELETE m",
    "CREATE (:Entity {name: 'x'})",
    "MATCH (n) SET n.name = 'x' RETURN n",
    "CALL dbms.killQueries([])",
    "call DBMS . components()",
    "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS RETURN 1",
    "CREATE INDEX x FOR (n:Entity) ON (n.x)",
    "MATCH (n:`Entity` {name: $n}) DETACH DELETE n",
])  # fmt: skip
def test_cypher_command_refuses_anything_but_reads(neo: Backend, query: str) -> None:
    code, stdout, stderr = neo("cypher", query, "--param", "n=x")
    assert code == 2 and stdout == "" and stderr.startswith("error: "), stderr
    assert "Traceback" not in stderr
    _unchanged(neo)


@pytest.mark.neo4j
@pytest.mark.parametrize("param", ["n", "=x", "1a=x", "a-b=x", "a`b=x", "a b=x", "$a=x"])
def test_bad_parameter_names_are_refused(neo: Backend, param: str) -> None:
    code, _, stderr = neo("cypher", "RETURN 1 AS x", "--param", param)
    assert code == 2 and "--param" in stderr


@pytest.mark.neo4j
def test_exported_cypher_script_rebuilds_the_values_byte_exact(
    neo: Backend, tmp_path: Path
) -> None:
    """Second order: the names stored from a hostile file are written into a Cypher script as
    literals; run on an empty database, the script creates exactly those nodes, nothing else."""
    import neo4j

    script = tmp_path / "case.cypher"
    code, _, stderr = neo("export", str(script), "--format", "cypher")
    assert code == 0, stderr
    uri, password = neo.args[1], neo.env["NEO4J_PASSWORD"]
    expected = {e["name"] for e in neo.json("entities", "--limit", "1000")}
    wipe_neo4j(uri, password)
    try:
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", password)) as driver:
            for statement in script.read_text(encoding="utf-8").split(";\n"):
                if statement.strip() and not statement.lstrip().startswith("CREATE CONSTRAINT"):
                    driver.execute_query(statement)
            names, _, _ = driver.execute_query("MATCH (n) RETURN n.name AS name")
            rels, _, _ = driver.execute_query("MATCH ()-[r]->() RETURN r.quotes AS q")
        assert {r["name"] for r in names} == expected
        assert sorted(q for r in rels for q in r["q"]) == sorted(f"{QUOTE} {p}" for p in PAYLOADS)
    finally:
        wipe_neo4j(uri, password)
