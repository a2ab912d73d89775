"""Exports read back by their consumers: GraphML/GEXF/JSON by networkx, CSV, Cypher, HTML data."""

from __future__ import annotations

import csv
import json
import os
import re
import uuid
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import UsageError
from casegraph.graph.schema import load_schema
from casegraph.pipeline import load_paths
from casegraph.views.export import (
    ARRAY_DELIMITER_STANDIN,
    NODE_HEADER,
    REL_HEADER,
    csv_paths,
    cypher_string,
    export,
)
from tests.conftest import write_jsonl

HOSTILE = [
    "O'Brien \\ Sons",
    "'}) DETACH DELETE n //",
    "back`tick` Ltd",
    'say "hi"; or\\\' not',
    "<img src=x onerror=alert(1)>",
]
ENTITIES = [
    {"type": "Company", "name": "NSO Group", "aliases": ["NSO", "N;S;O"]},
    {"type": "Person", "name": "Harvey Weinstein"},
    {"type": "Company", "name": "Black Cube"},
    {"type": "Product", "name": "Pegasus"},
    *({"type": "Organization", "name": name} for name in HOSTILE),
]
RELATIONS = [
    {"source": "Harvey Weinstein", "type": "HIRED", "target": "Black Cube",
     "quote": "Weinstein hired Black Cube;\nthen\x01 more."},
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus",
     "quote": "NSO's \"Pegasus\" spyware."},
    {"source": "NSO Group", "type": "MENTIONED_WITH", "target": "Black Cube", "quote": "both"},
    *({"source": name, "type": "REPORTED_ON", "target": "NSO Group", "quote": f"{name} said"}
      for name in HOSTILE),
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    a = write_jsonl(tmp_path / "a.jsonl", [*ENTITIES, *RELATIONS])
    b = write_jsonl(tmp_path / "b.jsonl", [
        {"source": "Black Cube", "type": "MENTIONED_WITH", "target": "NSO Group",
         "quote": "Black Cube and NSO, again."},
    ])  # fmt: skip
    with SqliteStore(tmp_path / "s.db") as s:
        load_paths(s, [a, b])
        yield s


def truth(store: SqliteStore) -> tuple[dict[str, tuple[str, str]], set[tuple[str, str, str]]]:
    nodes = {e.id: (e.name, e.type) for e in store.iter_entities()}
    edges = {(s, t, o) for _, s, t, o, _ in store.iter_relations()}
    return nodes, edges


def test_graphml_round_trips_through_networkx(store: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    counts = export(store, out, "graphml")
    graph = nx.read_graphml(out, force_multigraph=True)
    nodes, edges = truth(store)
    assert counts == {"nodes": len(nodes), "edges": len(edges)}
    assert {n: (d["name"], d["type"]) for n, d in graph.nodes(data=True)} == nodes
    assert {(s, d["type"], o) for s, o, d in graph.edges(data=True)} == edges
    assert {k for _, _, k in graph.edges(keys=True)} == {r[0] for r in store.iter_relations()}
    assert graph.nodes[store.resolve("NSO Group").id]["aliases"] == "N;S;O; NSO"
    hired = next(d for _, _, d in graph.edges(data=True) if d["type"] == "HIRED")
    assert hired["evidence_count"] == 1
    assert hired["quote"] == "Weinstein hired Black Cube;\nthen\ufffd more."  # \x01 cannot be XML
    assert hired["citation"] == "a.jsonl, line 10"
    weak = [d for _, _, d in graph.edges(data=True) if d["type"] == "MENTIONED_WITH"]
    assert [d["evidence_count"] for d in weak] == [2]
    assert not list(tmp_path.glob("*.part"))


def test_gexf_is_readable_by_networkx(store: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "g.gexf"
    export(store, out, "gexf")
    graph = nx.read_gexf(out)
    nodes, edges = truth(store)
    assert {n: (d["label"], d["type"]) for n, d in graph.nodes(data=True)} == nodes
    assert {(s, d["relation"], o) for s, o, d in graph.edges(data=True)} == edges
    assert all(d["label"] == d["relation"] for _, _, d in graph.edges(data=True))


def test_json_round_trips_through_node_link_graph(store: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    export(store, out, "json")
    data = json.loads(out.read_text("utf-8"))
    graph = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    nodes, edges = truth(store)
    assert {n: (d["name"], d["type"]) for n, d in graph.nodes(data=True)} == nodes
    assert {(s, d["type"], o) for s, o, d in graph.edges(data=True)} == edges
    quotes = {e["type"]: e["evidence"][0]["quote"] for e in data["edges"]}
    assert quotes["HIRED"] == "Weinstein hired Black Cube;\nthen\x01 more."  # JSON keeps it all


def test_csv_files_have_neo4j_import_headers(store: SqliteStore, tmp_path: Path) -> None:
    counts = export(store, tmp_path / "case.csv", "csv")
    nodes_path, rels_path = tmp_path / "case_nodes.csv", tmp_path / "case_relationships.csv"
    assert csv_paths(tmp_path / "case.csv") == (nodes_path, rels_path)
    node_rows = list(csv.reader(nodes_path.open(encoding="utf-8", newline="")))
    rel_rows = list(csv.reader(rels_path.open(encoding="utf-8", newline="")))
    assert node_rows[0] == NODE_HEADER == ["id:ID", "name", "type", "aliases:string[]", ":LABEL"]
    assert rel_rows[0][:3] == [":START_ID", ":END_ID", ":TYPE"] and rel_rows[0] == REL_HEADER
    nodes, edges = truth(store)
    assert counts == {"nodes": len(nodes), "edges": len(edges),
                      "files": [str(nodes_path), str(rels_path)]}  # fmt: skip
    assert rel_rows[0][3] == "relation_id"  # a string id (16 hex digits), the same on Neo4j
    assert {len(r[3]) for r in rel_rows[1:]} == {16}
    assert {r[0]: (r[1], r[2]) for r in node_rows[1:]} == nodes
    assert {(r[0], r[2], r[1]) for r in rel_rows[1:]} == edges
    by_name = {r[1]: r for r in node_rows[1:]}
    assert by_name["NSO Group"][4] == "Entity;Company"
    # an alias holding the array delimiter keeps its text with a look-alike, never splitting
    assert by_name["NSO Group"][3].split(";") == [f"N{ARRAY_DELIMITER_STANDIN}S"
                                                  f"{ARRAY_DELIMITER_STANDIN}O", "NSO"]  # fmt: skip
    for name in HOSTILE:
        assert name in by_name
    # one physical line per record: neo4j-admin needs no --multiline-fields
    text = rels_path.read_text("utf-8")
    assert text.count("\n") == len(rel_rows)
    weak = next(r for r in rel_rows[1:] if r[2] == "MENTIONED_WITH")
    assert weak[4] == "2" and len(weak[5].split(";")) == 2 and len(weak[6].split(";")) == 2


def test_csv_into_a_directory(store: SqliteStore, tmp_path: Path) -> None:
    folder = tmp_path / "neo4j-import"
    folder.mkdir()
    export(store, folder, "csv")
    assert sorted(p.name for p in folder.iterdir()) == ["nodes.csv", "relationships.csv"]


# ---------------------------------------------------------------------------- Cypher
KEYWORDS = {"CREATE", "CONSTRAINT", "cg_entity_id", "IF", "NOT", "EXISTS", "FOR", "n",
            "Entity", "REQUIRE", "id", "IS", "UNIQUE", "UNWIND", "AS", "row", "MERGE", "SET",
            "name", "type", "aliases", "MATCH", "a", "b", "source", "target", "r", "relation_id",
            "evidence_count", "quotes", "sources", "status"}  # fmt: skip
_UNESCAPE = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"',
             "\\": "\\"}  # fmt: skip


def split_cypher(script: str) -> tuple[str, list[str], list[str]]:
    """(code with literals blanked and comments dropped, decoded strings, backtick names),
    reading the script the way Cypher's lexer does."""
    code: list[str] = []
    strings: list[str] = []
    names: list[str] = []
    i = 0
    while i < len(script):
        c = script[i]
        if script.startswith("//", i):
            end = script.find("\n", i)
            i = len(script) if end < 0 else end
        elif c in "'\"":
            i += 1
            buf = []
            while script[i] != c:
                if script[i] == "\\":
                    if script[i + 1] == "u":
                        buf.append(chr(int(script[i + 2 : i + 6], 16)))
                        i += 6
                        continue
                    buf.append(_UNESCAPE[script[i + 1]])
                    i += 2
                    continue
                buf.append(script[i])
                i += 1
            strings.append("".join(buf))
            code.append("''")
            i += 1
        elif c == "`":
            end = script.index("`", i + 1)
            names.append(script[i + 1 : end])
            code.append("``")
            i = end + 1
        else:
            code.append(c)
            i += 1
    return "".join(code), strings, names


def test_cypher_script_keeps_hostile_names_inside_literals(store: SqliteStore,
                                                           tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "g.cypher"
    counts = export(store, out, "cypher")
    script = out.read_text("utf-8")
    assert script.startswith("// casegraph export")
    code, strings, names = split_cypher(script)
    words = set(re.findall(r"[A-Za-z_]+", code))
    assert words <= KEYWORDS, words - KEYWORDS
    assert "DELETE" not in words and "DETACH" not in words
    schema = load_schema()
    assert set(names) <= set(schema.entity_types) | set(schema.relation_types)
    for name in HOSTILE:
        assert name in strings
        assert f"{name} said" in strings
    assert "Weinstein hired Black Cube;\nthen\x01 more." in strings
    nodes, edges = truth(store)
    assert counts == {"nodes": len(nodes), "edges": len(edges)}
    statements = [s for s in code.split(";") if s.strip()]
    assert len(statements) == 1 + len({t for _, t in nodes.values()}) + len(
        {t for _, t, _ in edges})  # fmt: skip


@given(st.text())
def test_cypher_string_round_trips(text: str) -> None:
    literal = cypher_string(text)
    code, strings, _ = split_cypher(literal)
    assert code == "''" and strings == [text]
    assert "\n" not in literal


@pytest.mark.neo4j
def test_cypher_script_runs_on_neo4j(tmp_path: Path) -> None:
    uri = os.environ.get("CASEGRAPH_TEST_NEO4J_URI")
    if not uri:
        pytest.skip("CASEGRAPH_TEST_NEO4J_URI is not set")
    from neo4j import GraphDatabase

    tag = uuid.uuid4().hex[:8]
    names = [f"{h} {tag}" for h in HOSTILE]
    src = write_jsonl(tmp_path / "n.jsonl", [
        *({"type": "Organization", "name": n} for n in names),
        *({"source": n, "type": "REPORTED_ON", "target": names[0], "quote": f"{n} 'q' \\"}
          for n in names[1:]),
    ])  # fmt: skip
    with SqliteStore(tmp_path / "n.db") as s:
        load_paths(s, [src])
        ids = [e.id for e in s.iter_entities()]
        export(s, tmp_path / "n.cypher", "cypher")
    code, _, _ = split_cypher((tmp_path / "n.cypher").read_text("utf-8"))
    script = (tmp_path / "n.cypher").read_text("utf-8")
    auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    # statements end at a ';' at the end of a line: literals never hold a raw newline
    statements = [s for s in re.split(r";\n", script) if s.strip() and not
                  all(line.startswith("//") for line in s.strip().splitlines())]  # fmt: skip
    assert len(statements) == code.count(";")
    with GraphDatabase.driver(uri, auth=auth if auth[1] else None) as driver:
        try:
            for statement in statements:
                driver.execute_query(statement, database_=database)
            records, _, _ = driver.execute_query(
                "MATCH (n:Entity) WHERE n.id IN $ids RETURN n.name AS name", ids=ids,
                database_=database,
            )  # fmt: skip
            assert sorted(r["name"] for r in records) == sorted(names)
            records, _, _ = driver.execute_query(
                "MATCH (a:Entity)-[r:REPORTED_ON]->(b:Entity) WHERE b.id IN $ids "
                "RETURN r.quotes AS quotes", ids=ids, database_=database,
            )  # fmt: skip
            assert sorted(q for r in records for q in r["quotes"]) == sorted(
                f"{n} 'q' \\" for n in names[1:])  # fmt: skip
        finally:
            driver.execute_query("MATCH (n:Entity) WHERE n.id IN $ids DETACH DELETE n", ids=ids,
                                 database_=database)  # fmt: skip


# ---------------------------------------------------------------------------- errors, HTML
def test_unknown_format_and_unwritable_path(store: SqliteStore, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown export format 'dot'; valid: json, graphml"):
        export(store, tmp_path / "g.dot", "dot")
    with pytest.raises(UsageError, match="cannot write"):
        export(store, tmp_path / "missing" / "g.graphml", "graphml")
    assert not (tmp_path / "missing").exists()


def page_data(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="casegraph-data">(.*?)</script>',
                      html, re.S)  # fmt: skip
    assert match
    data: dict[str, object] = json.loads(match.group(1))
    return data


def test_html_export_is_self_contained_and_escaped(store: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "view.html"
    counts = export(store, out, "html", title="Case </title><script>alert(1)</script>")
    html = out.read_text("utf-8")
    nodes, edges = truth(store)
    assert counts == {"nodes": len(nodes), "edges": len(edges), "omitted": 0}
    assert "<title>Case &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>" in html
    assert not re.search(r"<(script|link|img|iframe)[^>]*\s(src|href)=", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert csp and "default-src &#39;none&#39;" in csp.group(1)
    assert "unsafe-inline" not in csp.group(1) and "unsafe-eval" not in csp.group(1)
    body = html.split('id="casegraph-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body and "&" not in body
    data = page_data(html)
    names = {d["name"] for d in data["details"]["nodes"].values()}  # type: ignore[index]
    assert names == {n for n, _ in nodes.values()}


def test_html_cap_keeps_the_center_and_says_what_was_left_out(store: SqliteStore,
                                                              tmp_path: Path) -> None:  # fmt: skip
    out = tmp_path / "view.html"
    counts = export(store, out, "html", entity="NSO Group", depth=1, max_nodes=3)
    data = page_data(out.read_text("utf-8"))
    drawn = data["details"]["nodes"]  # type: ignore[index]
    assert counts["nodes"] == 3 and store.resolve("NSO Group").id in drawn
    total = 1 + len({r.other.id for r in store.relations_of(store.resolve("NSO Group").id)})
    assert counts["omitted"] == total - 3
    assert data["counts"]["omitted"] == total - 3  # type: ignore[index]
    with pytest.raises(UsageError, match="--entity works with --format html only"):
        export(store, tmp_path / "g.json", "json", entity="NSO Group")


@pytest.mark.parametrize("depth", [0, 1, 2])
def test_neighbourhood_drawing_grows_with_depth(store: SqliteStore, depth: int) -> None:
    from casegraph.queries.overview import drawing

    nx_view = drawing(store, entity="Harvey Weinstein", depth=depth)
    assert nx_view.centers == (store.resolve("Harvey Weinstein").id,)
    assert set(nx_view.distances.values()) == set(range(depth + 1))
    kept = {n.id for n in nx_view.nodes}
    assert all(e.source in kept and e.target in kept for e in nx_view.edges)
    expected = {0: 1, 1: 2, 2: 3}[depth]  # Weinstein; + Black Cube; + NSO Group (weak link)
    assert len(nx_view.nodes) == expected
