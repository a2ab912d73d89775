"""File exports of a store: JSON, GraphML, GEXF, Neo4j import CSV, a Cypher script, or HTML."""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from casegraph.errors import UsageError
from casegraph.graph.records import EntityRow, EvidenceRow, RelationTuple
from casegraph.graph.schema import load_schema
from casegraph.graph.store import Store
from casegraph.queries.overview import DrawFilters
from casegraph.views.files import atomic_text

FORMATS = ("json", "graphml", "gexf", "csv", "cypher", "html")
# Relations whose evidence is read from the store at once (bounds memory on large stores).
BATCH = 1000
# Entities or relations per UNWIND statement of a Cypher script.
CYPHER_BATCH = 500
# Neo4j admin import array delimiter; it has no escape, so the character is replaced in elements.
ARRAY_DELIMITER = ";"
ARRAY_DELIMITER_STANDIN = "\uff1b"  # FULLWIDTH SEMICOLON
NODE_HEADER = ["id:ID", "name", "type", "aliases:string[]", ":LABEL"]
REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "relation_id", "evidence_count:int",
              "quotes:string[]", "sources:string[]", "status"]  # fmt: skip
# Characters XML 1.0 cannot carry (and lone surrogates, which UTF-8 cannot).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CYPHER_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                   "\b": "\\b", "\f": "\\f"}  # fmt: skip
_CYPHER_SPECIAL = re.compile("[\\\\'\x00-\x1f\x7f\u2028\u2029\ud800-\udfff]")

# (relation id, source id, type, target id, evidence, review status)
Relation = tuple[str, str, str, str, list[EvidenceRow], str | None]


def export(store: Store, path: Path, fmt: str, *, entity: str | None = None, depth: int = 1,
           max_nodes: int | None = None, title: str | None = None,
           filters: DrawFilters | None = None) -> dict[str, Any]:  # fmt: skip
    """Write the store to `path` in format `fmt`; returns how many nodes and edges were written
    (and, for csv, which two files).

    csv writes two files: inside `path` if it is a directory, else beside it as
    STEM_nodes.csv and STEM_relationships.csv. html draws the whole graph, or the neighbourhood
    of `entity` within `depth` hops, capped at `max_nodes`, keeping what `filters` keeps.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    path = Path(path)
    if fmt == "html":
        return _html(store, path, entity, depth, max_nodes, title, filters)
    if entity is not None:
        raise UsageError(f"--entity works with --format html only, not {fmt}")
    if filters is not None and filters != DrawFilters():
        raise UsageError(f"--type, --rel and --no-weak work with --format html only, not {fmt}")
    if fmt == "csv":
        nodes_path, rels_path = csv_paths(path)
        with atomic_text(nodes_path) as fh:
            nodes = write_csv_nodes(store, fh)
        with atomic_text(rels_path) as fh:
            edges = write_csv_relationships(store, fh)
        return {"nodes": nodes, "edges": edges, "files": [str(nodes_path), str(rels_path)]}
    writer: Callable[[Store, TextIO], dict[str, int]] = {
        "json": write_json, "graphml": write_graphml, "gexf": write_gexf, "cypher": write_cypher,
    }[fmt]  # fmt: skip
    with atomic_text(path) as fh:
        return writer(store, fh)


def _html(store: Store, path: Path, entity: str | None, depth: int, max_nodes: int | None,
          title: str | None, filters: DrawFilters | None) -> dict[str, int]:  # fmt: skip
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts, drawing
    from casegraph.views.html import MAX_NODES, render_html

    cap = MAX_NODES if max_nodes is None else max_nodes
    subgraph = drawing(store, entity=entity, depth=depth, limit=cap, filters=filters)
    texts = cited_texts(store, subgraph, budget=TEXT_BUDGET)
    if title is None:
        title = f"casegraph: {entity} ({depth} hop{'s' if depth != 1 else ''})" if entity else (
            "casegraph: whole graph")  # fmt: skip
    report = render_html(subgraph, path, title=title, max_nodes=cap, documents=texts,
                         cut_by=f"--max-nodes {cap}")  # fmt: skip
    return {"nodes": report.nodes, "edges": report.edges, "omitted": report.omitted}


def relations(store: Store) -> Iterator[Relation]:
    """Every relation as (id, source, type, target, evidence), evidence read in batches."""
    batch: list[RelationTuple] = []

    def flush() -> Iterator[Relation]:
        evidence = store.evidence(r[0] for r in batch)
        info = store.relations_by_id(r[0] for r in batch)
        for rid, source, rtype, target, _props in batch:
            yield rid, source, rtype, target, evidence.get(rid, []), _status(info, rid)
        batch.clear()

    for relation in store.iter_relations():
        batch.append(relation)
        if len(batch) >= BATCH:
            yield from flush()
    yield from flush()


# ---------------------------------------------------------------------------- JSON
def write_json(store: Store, fh: TextIO) -> dict[str, int]:
    """Node-link JSON: {"nodes": [...], "edges": [{source, target, type, evidence}]}, streamed."""
    nodes = edges = 0
    fh.write('{"nodes": [')
    for entity in store.iter_entities():
        fh.write((",\n" if nodes else "\n") + json.dumps(entity.as_dict(), ensure_ascii=False))
        nodes += 1
    fh.write('\n], "edges": [')
    batch: list[RelationTuple] = []

    def flush() -> None:
        nonlocal edges
        evidence = store.evidence(r[0] for r in batch)
        info = store.relations_by_id(r[0] for r in batch)
        for rid, source, rtype, target, props in batch:
            edge = {
                "id": rid, "source": source, "target": target, "type": rtype,
                "status": _status(info, rid) or "unreviewed",
                "properties": props, "evidence": [e.as_dict() for e in evidence.get(rid, [])],
            }  # fmt: skip
            fh.write((",\n" if edges else "\n") + json.dumps(edge, ensure_ascii=False))
            edges += 1
        batch.clear()

    for relation in store.iter_relations():
        batch.append(relation)
        if len(batch) >= BATCH:
            flush()
    flush()
    fh.write('\n], "decisions": [')
    for i, row in enumerate(store.decisions()):
        fh.write((",\n" if i else "\n") + json.dumps(row.as_dict(), ensure_ascii=False))
    fh.write("\n]}\n")
    return {"nodes": nodes, "edges": edges}


def _status(info: dict[str, Any], rid: str) -> str | None:
    found = info.get(rid)
    return found.status if found is not None else None


# ---------------------------------------------------------------------------- GraphML, GEXF
def xml_text(value: object) -> str:
    """Text XML can carry: characters it forbids become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))


def _networkx(store: Store, *, gexf: bool) -> Any:
    """The store as a MultiDiGraph of plain attributes (first quote and count, not all evidence)."""
    import networkx as nx

    relation_key = "relation" if gexf else "type"
    graph = nx.MultiDiGraph()
    for e in store.iter_entities():
        graph.add_node(xml_text(e.id), label=xml_text(e.name), name=xml_text(e.name),
                       type=e.type, aliases=xml_text("; ".join(e.aliases)))  # fmt: skip
    for rid, source, rtype, target, evidence, status in relations(store):
        first = evidence[0] if evidence else None
        extra = {relation_key: rtype, **({"id": str(rid)} if gexf else {})}
        graph.add_edge(
            xml_text(source), xml_text(target), key=str(rid), label=rtype,
            evidence_count=len(evidence), quote=xml_text(first.quote if first else ""),
            status=status or "unreviewed",
            citation=xml_text(first.cite() if first else ""), **extra,
        )  # fmt: skip
    return graph


def write_graphml(store: Store, fh: TextIO) -> dict[str, int]:
    """GraphML for Gephi, yEd or networkx: node name/type/aliases, edge type and evidence."""
    import networkx as nx

    graph = _networkx(store, gexf=False)
    for line in nx.generate_graphml(graph, encoding="utf-8", prettyprint=True):
        fh.write(line + "\n")
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def write_gexf(store: Store, fh: TextIO) -> dict[str, int]:
    """GEXF 1.2 for Gephi; the relation type is `relation` (GEXF reserves an edge's `type`)."""
    import networkx as nx

    graph = _networkx(store, gexf=True)
    for line in nx.generate_gexf(graph, encoding="utf-8", prettyprint=True):
        fh.write(line + "\n")
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


# ---------------------------------------------------------------------------- Neo4j CSV
def csv_paths(path: Path) -> tuple[Path, Path]:
    """Where the two CSV files go: inside a directory, or beside `path` as STEM_*.csv."""
    if path.is_dir() or str(path).endswith(("/", os.sep)):
        path.mkdir(parents=True, exist_ok=True)
        return path / "nodes.csv", path / "relationships.csv"
    stem = path.with_suffix("") if path.suffix.lower() == ".csv" else path
    return (stem.with_name(stem.name + "_nodes.csv"),
            stem.with_name(stem.name + "_relationships.csv"))  # fmt: skip


def _csv_text(value: object) -> str:
    # one line per record keeps `neo4j-admin import` free of --multiline-fields
    return xml_text(value).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def _csv_array(values: list[str]) -> str:
    return ARRAY_DELIMITER.join(
        _csv_text(v).replace(ARRAY_DELIMITER, ARRAY_DELIMITER_STANDIN) for v in values
    )


def _labels(entity: EntityRow) -> list[str]:
    return ["Entity", _label(entity.type, "entity")]


def _label(name: str, kind: str) -> str:
    """A label or relationship type from the schema's allow-list, or a UsageError."""
    schema = load_schema()
    allowed = schema.entity_types if kind == "entity" else schema.relation_types
    if name not in allowed or not _IDENTIFIER.fullmatch(name):
        raise UsageError(f"{kind} type {name!r} is not in the schema; cannot export it")
    return name


def write_csv_nodes(store: Store, fh: TextIO) -> int:
    """nodes.csv for `neo4j-admin database import` (array delimiter ';')."""
    out = csv.writer(fh, lineterminator="\n")
    out.writerow(NODE_HEADER)
    count = 0
    for e in store.iter_entities():
        out.writerow([_csv_text(e.id), _csv_text(e.name), e.type, _csv_array(list(e.aliases)),
                      ARRAY_DELIMITER.join(_labels(e))])  # fmt: skip
        count += 1
    return count


def write_csv_relationships(store: Store, fh: TextIO) -> int:
    """relationships.csv for `neo4j-admin database import`, with quotes and their sources."""
    out = csv.writer(fh, lineterminator="\n")
    out.writerow(REL_HEADER)
    count = 0
    for rid, source, rtype, target, evidence, status in relations(store):
        out.writerow([_csv_text(source), _csv_text(target), _label(rtype, "relation"), rid,
                      len(evidence), _csv_array([e.quote for e in evidence]),
                      _csv_array([e.cite() for e in evidence]), status or "unreviewed"])  # fmt: skip
        count += 1
    return count


# ---------------------------------------------------------------------------- Cypher
def cypher_string(value: object) -> str:
    """A single-quoted Cypher string literal that decodes to exactly `value` (lone surrogates
    become U+FFFD); no character of `value` can end the literal."""

    def escape(match: re.Match[str]) -> str:
        ch = match.group(0)
        if ch in _CYPHER_ESCAPES:
            return _CYPHER_ESCAPES[ch]
        if "\ud800" <= ch <= "\udfff":
            return "\ufffd"
        return f"\\u{ord(ch):04x}"

    return "'" + _CYPHER_SPECIAL.sub(escape, str(value)) + "'"


def _cypher_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_cypher_value(v) for v in value) + "]"
    return cypher_string(value)


def _cypher_map(row: dict[str, object]) -> str:
    # keys are our own fixed identifiers, never data
    return "{" + ", ".join(f"{k}: {_cypher_value(v)}" for k, v in row.items()) + "}"


def _unwind(rows: list[dict[str, object]], body: str) -> str:
    return "UNWIND [\n" + ",\n".join(_cypher_map(r) for r in rows) + "\n] AS row\n" + body + ";\n"


def write_cypher(store: Store, fh: TextIO) -> dict[str, int]:
    """A Cypher script of literal-only statements (MERGE, so it can be re-run) rebuilding the graph."""
    fh.write(
        "// casegraph export: entities (:Entity plus their type label) and their relations,\n"
        "// each relation with its evidence count, quotes and sources.\n"
        "// Every value is a string or number literal; labels and relationship types come only\n"
        "// from the casegraph schema. Statements use MERGE, so running the script twice is safe.\n"
        "// Run with: cypher-shell -f THIS_FILE\n"
        "CREATE CONSTRAINT cg_entity_id IF NOT EXISTS\n"
        "FOR (n:Entity) REQUIRE n.id IS UNIQUE;\n"
    )
    pending: dict[str, list[dict[str, object]]] = {}
    nodes = edges = 0

    def flush_nodes(label: str) -> None:
        body = (f"MERGE (n:Entity {{id: row.id}})\nSET n:`{label}`, n.name = row.name, "
                "n.type = row.type, n.aliases = row.aliases")  # fmt: skip
        fh.write(_unwind(pending.pop(label), body))

    for e in store.iter_entities():
        label = _label(e.type, "entity")
        row: dict[str, object] = {
            "id": e.id,
            "name": e.name,
            "type": e.type,
            "aliases": list(e.aliases),
        }
        pending.setdefault(label, []).append(row)
        nodes += 1
        if len(pending[label]) >= CYPHER_BATCH:
            flush_nodes(label)
    for label in list(pending):
        flush_nodes(label)

    def flush_edges(rtype: str) -> None:
        body = ("MATCH (a:Entity {id: row.source})\nMATCH (b:Entity {id: row.target})\n"
                f"MERGE (a)-[r:`{rtype}` {{relation_id: row.relation_id}}]->(b)\n"
                "SET r.evidence_count = row.evidence_count, r.quotes = row.quotes, "
                "r.sources = row.sources, r.status = row.status")  # fmt: skip
        fh.write(_unwind(pending.pop(rtype), body))

    for rid, source, rtype, target, evidence, status in relations(store):
        label = _label(rtype, "relation")
        pending.setdefault(label, []).append({
            "source": source, "target": target, "relation_id": rid,
            "evidence_count": len(evidence), "quotes": [e.quote for e in evidence],
            "sources": [e.cite() for e in evidence], "status": status or "unreviewed",
        })  # fmt: skip
        edges += 1
        if len(pending[label]) >= CYPHER_BATCH:
            flush_edges(label)
    for label in list(pending):
        flush_edges(label)
    return {"nodes": nodes, "edges": edges}
