"""Commands that copy, check or reach into a case: export, sync, cypher, check."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from casegraph.cli.app import command
from casegraph.cli.common import (
    ForceOpt,
    JsonOpt,
    MaxNodesOpt,
    NoWeakOpt,
    RelOpt,
    SinceOpt,
    UntilOpt,
    config,
    console,
    emit_json,
    err_console,
    opened,
    reading,
)
from casegraph.errors import EXIT_BACKEND, UsageError, printable


@command()
def export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File to write.")],
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (node-link with evidence), graphml, gexf (Gephi), "
            "csv (Neo4j admin-import files), cypher (a script), html (interactive view).",
        ),
    ] = "json",
    entity: Annotated[
        str | None, typer.Option("--entity", help="html: only this entity's neighbourhood.")
    ] = None,
    depth: Annotated[
        int, typer.Option("--depth", min=0, max=4, help="html: hops around --entity.")
    ] = 1,
    type_: Annotated[
        list[str] | None,
        typer.Option("--type", help="html: only entities of this type (repeatable)."),
    ] = None,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    max_nodes: MaxNodesOpt = 1500,
    since: SinceOpt = None,
    until: UntilOpt = None,
    excel_safe: Annotated[
        bool,
        typer.Option(
            "--excel-safe",
            help="csv: for a spreadsheet, not neo4j-admin: every cell quoted, and a cell "
            "starting with = + - @ (a formula to Excel) prefixed with an apostrophe.",
        ),
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Export the graph to a file for other tools, or as an interactive HTML view.

    With --since/--until, only evidence dated in the window is written, and only the relations
    that keep some.

    csv writes two files in Neo4j's admin-import header format: FILE/nodes.csv and
    FILE/relationships.csv when FILE is a folder, else FILE_nodes.csv and FILE_relationships.csv.
    An existing file is not replaced unless --force is given.
    """
    from casegraph.dates import window
    from casegraph.queries.overview import DrawFilters
    from casegraph.views.export import export as run_export

    dated = window(since, until)
    filters = DrawFilters(tuple(type_ or ()), tuple(rel or ()), no_weak)
    with opened() as store:
        counts = run_export(store, file, fmt, entity=entity, depth=depth, max_nodes=max_nodes,
                            replace=force, excel_safe=excel_safe, filters=filters,
                            window=dated)  # fmt: skip
    if counts.get("left_out"):
        err_console().print(
            f"left out {counts['left_out']} relation(s) written to the store while it was "
            "exported (their ends are not in the export)"
        )
    files = counts.pop("files", [str(file)])
    if as_json:
        emit_json({"file": str(file), "files": files, "format": fmt, **counts})
    else:
        typer.echo(
            printable(
                f"wrote {counts['nodes']} nodes and {counts['edges']} edges to {' and '.join(files)}"
            )
        )


@command()
def sync(
    from_neo4j: Annotated[
        bool, typer.Option("--from-neo4j", help="Copy Neo4j into the embedded store instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy the embedded store (--store) into Neo4j (--neo4j), or back; running it twice changes nothing."""
    from casegraph.backends import open_embedded, open_store
    from casegraph.graph.sync import sync as run_sync

    cfg = config()
    if not cfg.neo4j_uri:
        raise UsageError("sync needs a Neo4j server: pass --neo4j URI or set CASEGRAPH_NEO4J_URI")
    neo = open_store(cfg)
    try:
        embedded = open_embedded(cfg, create=from_neo4j)
        try:
            src, dst = (neo, embedded) if from_neo4j else (embedded, neo)
            summary = run_sync(src, dst)
        finally:
            embedded.close()
    finally:
        neo.close()
    if as_json:
        emit_json(summary.as_dict())
    else:
        typer.echo(
            f"{summary.source} -> {summary.destination}: {summary.documents_new} new documents "
            f"({summary.documents_unchanged} already there), {summary.entities_new} new entities, "
            f"{summary.relations_new} new relations, {summary.evidence_added} evidence items added"
        )


@command()
def cypher(
    query: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="A query parameter NAME=VALUE (VALUE as JSON if it parses)."),
    ] = None,
    timeout: Annotated[
        float, typer.Option("--timeout", help="Seconds before the server stops the query.")
    ] = 30.0,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many rows.")] = 1000,
    as_json: JsonOpt = False,
) -> None:
    """Run a read-only Cypher query on Neo4j (refused unless EXPLAIN says it only reads).

    Values are passed only as parameters: casegraph cypher 'MATCH (e:Entity {name: $n})
    RETURN e.id' --param n='NSO Group'.
    """
    from casegraph.backends.neo4j.readonly import parse_params, run_readonly

    params = parse_params(param or [])
    if not config().neo4j_uri:
        raise UsageError("cypher needs a Neo4j server: pass --neo4j URI or set CASEGRAPH_NEO4J_URI")
    with reading() as store:
        columns, rows = run_readonly(store, query, params, timeout, max_rows=limit)
    if as_json:
        emit_json([dict(zip(columns, row, strict=True)) for row in rows])
        return
    from casegraph.views.terminal import rows_table

    rows_table(console(), columns, rows)


@command()
def check(as_json: JsonOpt = False) -> None:
    """Check that the embedded store is sound: SQLite's integrity check, foreign keys, JSON and
    text of every row, known types. Exits 0 when sound, 3 when damaged."""
    from casegraph.backends.sqlite.check import check_store

    cfg = config()
    if cfg.neo4j_uri:
        raise UsageError("check reads an embedded store; drop --neo4j (Neo4j has its own checks)")
    if not cfg.store.exists():
        from casegraph.errors import StoreError

        raise StoreError(f"no store at {cfg.store}")
    report = check_store(cfg.store)
    if as_json:
        emit_json(report.as_dict())
    elif report.sound:
        counts = ", ".join(f"{n} {table}" for table, n in report.counts.items())
        typer.echo(printable(f"{cfg.store}: sound ({counts})"))
    else:
        typer.echo(printable(f"{cfg.store}: damaged"))
        for problem in report.problems:
            typer.echo(printable(f"  {problem}"))
        if report.more:
            typer.echo(f"  ... and {report.more} more")
    if not report.sound:
        sys.stderr.write(
            printable(f"error: {cfg.store}: the store is damaged ({report.first()})") + "\n"
        )
        raise typer.Exit(EXIT_BACKEND)
