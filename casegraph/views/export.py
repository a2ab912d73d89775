"""File exports of a store: JSON, GraphML, GEXF, Neo4j import CSV, a Cypher script, or HTML."""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from casegraph.dates import Window
from casegraph.errors import UsageError
from casegraph.graph.records import EntityRow, EvidenceRow, RelationTuple
from casegraph.graph.schema import load_schema
from casegraph.graph.store import Store
from casegraph.queries.overview import DrawFilters
from casegraph.views.files import atomic_text, check_target
from casegraph.views.jsontext import dumps

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
# What a spreadsheet may take for a formula at the start of a cell (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# (relation id, source id, type, target id, evidence, review status)
Relation = tuple[str, str, str, str, list[EvidenceRow], str | None]


def export(store: Store, path: Path, fmt: str, *, entity: str | None = None, depth: int = 1,
           max_nodes: int | None = None, title: str | None = None, replace: bool = True,
           excel_safe: bool = False, filters: DrawFilters | None = None,
           window: Window | None = None) -> dict[str, Any]:  # fmt: skip
    """Write the store to `path` in format `fmt`; returns how many nodes and edges were written
    (and, for csv, which two files). With a date window, only evidence dated in it is written,
    and only the relations that keep some (every entity is written).

    csv writes two files: inside `path` if it is a directory, else beside it as
    STEM_nodes.csv and STEM_relationships.csv (with excel_safe, a cell a spreadsheet would take
    for a formula is quoted: see `excel_cell`). html draws the whole graph, or the
    neighbourhood of `entity` within `depth` hops, capped at `max_nodes`, keeping what
    `filters` keeps. With replace=False an existing file is kept and the export refused
    (UsageError) before anything is read. Every read sees one state of the store (on a backend
    without snapshots, relations whose ends are not in the export are left out and counted as
    `left_out`).
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; valid: {', '.join(FORMATS)}")
    if excel_safe and fmt != "csv":
        raise UsageError(f"--excel-safe works with --format csv only, not {fmt}")
    path = Path(path)
    if window is not None and not window.open:
        from casegraph.queries.windowed import WindowedStore

        store = cast(Store, WindowedStore(store, window))
    if fmt != "csv":
        check_target(path, replace=replace)
    with store.reading():
        if fmt == "html":
            return _html(store, path, entity, depth, max_nodes, title, replace, filters, window)
        if entity is not None:
            raise UsageError(f"--entity works with --format html only, not {fmt}")
        if filters is not None and filters != DrawFilters():
            raise UsageError(f"--type, --rel and --no-weak work with --format html only, not {fmt}")
        if fmt == "csv":
            return _csv(store, path, replace, excel_safe)
        writer: Callable[[Store, TextIO], dict[str, int]] = {
            "json": write_json, "graphml": write_graphml, "gexf": write_gexf,
            "cypher": write_cypher,
        }[fmt]  # fmt: skip
        with atomic_text(path, replace=replace) as fh:
            return writer(store, fh)


def _csv(store: Store, path: Path, replace: bool, excel_safe: bool) -> dict[str, Any]:
    nodes_path, rels_path = csv_paths(path)
    for target in (nodes_path, rels_path):
        check_target(target, replace=replace)
    closure = Closure(store)
    with atomic_text(nodes_path, replace=replace) as fh:
        nodes = write_csv_nodes(store, fh, excel_safe=excel_safe, closure=closure)
    with atomic_text(rels_path, replace=replace) as fh:
        edges = write_csv_relationships(store, fh, excel_safe=excel_safe, closure=closure)
    counts: dict[str, Any] = closure.counts({"nodes": nodes, "edges": edges})
    return {**counts, "files": [str(nodes_path), str(rels_path)]}


def _html(store: Store, path: Path, entity: str | None, depth: int, max_nodes: int | None,
          title: str | None, replace: bool, filters: DrawFilters | None,
          window: Window | None = None) -> dict[str, int]:  # fmt: skip
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts, drawing
    from casegraph.views.html import MAX_NODES, render_html

    cap = MAX_NODES if max_nodes is None else max_nodes
    subgraph = drawing(store, entity=entity, depth=depth, limit=cap, filters=filters, window=window)
    texts = cited_texts(store, subgraph, budget=TEXT_BUDGET)
    if title is None:
        title = f"casegraph: {entity} ({depth} hop{'s' if depth != 1 else ''})" if entity else (
            "casegraph: whole graph")  # fmt: skip
    report = render_html(subgraph, path, title=title, max_nodes=cap, documents=texts,
                         cut_by=f"--max-nodes {cap}", replace=replace)  # fmt: skip
    return {"nodes": report.nodes, "edges": report.edges, "omitted": report.omitted}


class Closure:
    """The ids of the entities an export wrote, on a store whose reads are not one snapshot
    (Neo4j): a relation is written only when both its ends were, so an export never holds an
    edge to a node it lacks; the others are counted (`left_out`)."""

    def __init__(self, store: Store) -> None:
        self.ids: set[str] | None = None if store.snapshot_reads else set()
        self.left_out = 0

    def entities(self, rows: Iterable[EntityRow]) -> Iterator[EntityRow]:
        for row in rows:
            if self.ids is not None:
                self.ids.add(row.id)
            yield row

    def keeps(self, source: str, target: str) -> bool:
        if self.ids is None or (source in self.ids and target in self.ids):
            return True
        self.left_out += 1
        return False

    def counts(self, counts: dict[str, int]) -> dict[str, int]:
        return {**counts, "left_out": self.left_out} if self.left_out else counts


def relation_batches(store: Store, closure: Closure | None = None) -> Iterator[list[RelationTuple]]:
    """Every relation (those whose ends the closure holds), in batches of BATCH."""
    batch: list[RelationTuple] = []
    for relation in store.iter_relations():
        if closure is None or closure.keeps(relation[1], relation[3]):
            batch.append(relation)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def relations(store: Store, closure: Closure | None = None) -> Iterator[Relation]:
    """Every relation as (id, source, type, target, evidence), evidence read in batches."""
    for batch in relation_batches(store, closure):
        evidence = store.evidence(r[0] for r in batch)
        info = store.relations_by_id(r[0] for r in batch)
        for rid, source, rtype, target, _props in batch:
            yield rid, source, rtype, target, evidence.get(rid, []), _status(info, rid)


# ---------------------------------------------------------------------------- JSON
def write_json(store: Store, fh: TextIO) -> dict[str, int]:
    """Node-link JSON: {"nodes": [...], "edges": [{source, target, type, evidence}]}, streamed;
    strict JSON (a NaN a store may hold from an older casegraph is written as "NaN")."""
    closure = Closure(store)
    nodes = edges = 0
    fh.write('{"nodes": [')
    for entity in closure.entities(store.iter_entities()):
        fh.write((",\n" if nodes else "\n") + dumps(entity.as_dict()))
        nodes += 1
    fh.write('\n], "edges": [')
    for batch in relation_batches(store, closure):
        evidence = store.evidence(r[0] for r in batch)
        info = store.relations_by_id(r[0] for r in batch)
        for rid, source, rtype, target, props in batch:
            edge = {
                "id": rid, "source": source, "target": target, "type": rtype,
                "status": _status(info, rid) or "unreviewed",
                "properties": props, "evidence": [e.as_dict() for e in evidence.get(rid, [])],
            }  # fmt: skip
            fh.write((",\n" if edges else "\n") + dumps(edge))
            edges += 1
    fh.write('\n], "decisions": [')
    for i, row in enumerate(store.decisions()):
        fh.write((",\n" if i else "\n") + dumps(row.as_dict()))
    fh.write("\n]}\n")
    return closure.counts({"nodes": nodes, "edges": edges})


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
    closure = Closure(store)
    for e in closure.entities(store.iter_entities()):
        graph.add_node(xml_text(e.id), label=xml_text(e.name), name=xml_text(e.name),
                       type=e.type, aliases=xml_text("; ".join(e.aliases)))  # fmt: skip
    for rid, source, rtype, target, evidence, status in relations(store, closure):
        first = evidence[0] if evidence else None
        extra = {relation_key: rtype, **({"id": str(rid)} if gexf else {})}
        graph.add_edge(
            xml_text(source), xml_text(target), key=str(rid), label=rtype,
            evidence_count=len(evidence), quote=xml_text(first.quote if first else ""),
            status=status or "unreviewed",
            citation=xml_text(first.cite() if first else ""), **extra,
        )  # fmt: skip
    graph.graph["left_out"] = closure.left_out
    return graph


def write_graphml(store: Store, fh: TextIO) -> dict[str, int]:
    """GraphML for Gephi, yEd or networkx: node name/type/aliases, edge type and evidence."""
    import networkx as nx

    graph = _networkx(store, gexf=False)
    left_out = graph.graph.pop("left_out")
    for line in nx.generate_graphml(graph, encoding="utf-8", prettyprint=True):
        fh.write(line + "\n")
    counts = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    return {**counts, "left_out": left_out} if left_out else counts


def write_gexf(store: Store, fh: TextIO) -> dict[str, int]:
    """GEXF 1.2 for Gephi; the relation type is `relation` (GEXF reserves an edge's `type`)."""
    import networkx as nx

    graph = _networkx(store, gexf=True)
    left_out = graph.graph.pop("left_out")
    for line in nx.generate_gexf(graph, encoding="utf-8", prettyprint=True):
        fh.write(line + "\n")
    counts = {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}
    return {**counts, "left_out": left_out} if left_out else counts


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


def excel_cell(cell: object) -> object:
    """A cell a spreadsheet shows as text: one starting like a formula (=, +, -, @, tab, CR)
    gets a leading apostrophe, as OWASP advises; the csv writer then quotes it if needed."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell


def _writer(fh: TextIO, excel_safe: bool) -> Callable[[list[object]], object]:
    out = csv.writer(
        fh, lineterminator="\n", quoting=csv.QUOTE_ALL if excel_safe else csv.QUOTE_MINIMAL
    )
    if not excel_safe:
        return out.writerow
    return lambda row: out.writerow([excel_cell(c) for c in row])


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


def write_csv_nodes(
    store: Store, fh: TextIO, *, excel_safe: bool = False, closure: Closure | None = None
) -> int:
    """nodes.csv for `neo4j-admin database import` (array delimiter ';'); excel_safe: for a
    spreadsheet instead (see `excel_cell`), no longer exact for neo4j-admin."""
    writerow = _writer(fh, excel_safe)
    writerow(list(NODE_HEADER))
    count = 0
    for e in (closure or Closure(store)).entities(store.iter_entities()):
        writerow([_csv_text(e.id), _csv_text(e.name), e.type, _csv_array(list(e.aliases)),
                      ARRAY_DELIMITER.join(_labels(e))])  # fmt: skip
        count += 1
    return count


def write_csv_relationships(
    store: Store, fh: TextIO, *, excel_safe: bool = False, closure: Closure | None = None
) -> int:
    """relationships.csv for `neo4j-admin database import`, with quotes and their sources
    (excel_safe: for a spreadsheet, see `excel_cell`)."""
    writerow = _writer(fh, excel_safe)
    writerow(list(REL_HEADER))
    count = 0
    for rid, source, rtype, target, evidence, status in relations(store, closure):
        writerow([_csv_text(source), _csv_text(target), _label(rtype, "relation"), rid,
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
    closure = Closure(store)

    def flush_nodes(label: str) -> None:
        body = (f"MERGE (n:Entity {{id: row.id}})\nSET n:`{label}`, n.name = row.name, "
                "n.type = row.type, n.aliases = row.aliases")  # fmt: skip
        fh.write(_unwind(pending.pop(label), body))

    for e in closure.entities(store.iter_entities()):
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

    for rid, source, rtype, target, evidence, status in relations(store, closure):
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
    return closure.counts({"nodes": nodes, "edges": edges})
