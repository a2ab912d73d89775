"""The casegraph command line: thin typer commands over library calls, errors mapped to exit codes."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.text import Text

from casegraph import __version__
from casegraph.config import Config
from casegraph.errors import (
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    CasegraphError,
    UsageError,
    printable,
)

if TYPE_CHECKING:
    from casegraph.graph.store import Store

EXIT_INTERNAL = 70

HELP = """casegraph: turn an investigation's sources into one graph where every fact keeps its
evidence, then ask how things connect.

Exit codes: 0 success; 1 the question had no answer (e.g. no path); 2 bad input or usage;
3 backend unavailable (store locked or damaged, Neo4j unreachable); 70 internal error.
"""

app = typer.Typer(
    help=HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

_state: dict[str, Any] = {"config": None, "debug": False}

T = TypeVar("T")

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
EntityArg = Annotated[str, typer.Argument(help="An entity id, name or alias (or TYPE:NAME).")]
HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html", help="Also write an interactive, self-contained HTML view to this file."
    ),
]
MaxNodesOpt = Annotated[
    int, typer.Option("--max-nodes", min=1, help="HTML views: draw at most this many entities.")
]


def write_html(sub: Any, file: Path, title: str, **answer: Any) -> None:
    """Render a view to file and say where it went (on stderr: stdout carries the answer)."""
    from casegraph.views.html import render_html

    report = render_html(sub, file, title=title, **answer)
    left_out = f", {report.omitted} left out" if report.omitted else ""
    err_console().print(
        Text(f"wrote {file} ({report.nodes} entities, {report.edges} links{left_out})")
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"casegraph {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Embedded store file [env CASEGRAPH_STORE; default ./casegraph.db].",
            show_default=False,
        ),
    ] = None,
    neo4j: Annotated[
        str | None,
        typer.Option(
            "--neo4j",
            help="Use a Neo4j server at this URI [env CASEGRAPH_NEO4J_URI]; "
            "credentials from NEO4J_USERNAME / NEO4J_PASSWORD / NEO4J_DATABASE.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    _state["debug"] = debug or _state["debug"]
    _state["store_given"] = store is not None or bool(os.environ.get("CASEGRAPH_STORE"))
    _state["config"] = Config.from_env(store=store, neo4j_uri=neo4j, debug=debug)


def config() -> Config:
    cfg = _state["config"]
    return cfg if isinstance(cfg, Config) else Config.from_env()


@contextmanager
def opened(*, create: bool = False) -> Iterator[Store]:
    """The configured store, closed afterwards."""
    from casegraph.graph.store import open_store

    store = open_store(config(), create=create)
    try:
        yield store
    finally:
        store.close()


def emit_json(data: Any) -> None:
    """JSON on stdout, the only thing there."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def console() -> Any:
    from casegraph.views.terminal import stdout_console

    return stdout_console()


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


# ---------------------------------------------------------------------- load
@app.command()
def load(
    paths: Annotated[
        list[Path], typer.Argument(help="Files or folders to load (folders recursively).")
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="Force a format (jsonl, text, html, csv, stix, ftm) instead of detecting it.",
        ),
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="spaCy model for text extraction.")
    ] = "en_core_web_sm",
    source_col: Annotated[
        str | None, typer.Option("--source-col", help="CSV: column of relation sources.")
    ] = None,
    target_col: Annotated[
        str | None, typer.Option("--target-col", help="CSV: column of relation targets.")
    ] = None,
    type_col: Annotated[
        str | None, typer.Option("--type-col", help="CSV: column of relation types.")
    ] = None,
    rel_type: Annotated[
        str | None, typer.Option("--type", help="CSV: one relation type for every row.")
    ] = None,
    entity_type: Annotated[
        str | None, typer.Option("--entity-type", help="CSV: entity type of rows/ends.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="CSV: a JSON column-mapping file.")
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Text encoding of the files (default: detected)."),
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="CSV: field delimiter (default: detected).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Load sources into the store, all in one transaction; re-loading a source changes nothing."""
    from casegraph.loaders import LoadOptions
    from casegraph.pipeline import load_paths

    options = LoadOptions(
        model=model, source_col=source_col, target_col=target_col, type_col=type_col,
        rel_type=rel_type, entity_type=entity_type, mapping=mapping, format=fmt,
        encoding=encoding, delimiter=delimiter,
    )  # fmt: skip
    with opened(create=True) as store:
        summary = load_paths(store, paths, options, progress=_progress_bar())
    if as_json:
        emit_json(summary.as_dict())
    else:
        from casegraph.views.terminal import load_summary

        load_summary(console(), summary)


def _progress_bar() -> Callable[[str, int], None] | None:
    """A progress callback drawing on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                        console=err_console(), transient=True)  # fmt: skip
    task = progress.add_task("loading", total=None)
    progress.start()

    def update(title: str, count: int) -> None:
        progress.update(task, description=f"{title}: {count} facts")

    update.stop = progress.stop  # type: ignore[attr-defined]
    return update


# ---------------------------------------------------------------------- look-ups
@app.command()
def entities(
    type_: Annotated[str | None, typer.Option("--type", help="Only entities of this type.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List entities, the most connected first."""
    with opened() as store:
        rows = store.entities(type=type_, limit=limit)
    if as_json:
        emit_json([r.as_dict() for r in rows])
    else:
        from casegraph.views.terminal import entities_table

        entities_table(console(), rows)


@app.command()
def search(
    text: Annotated[str, typer.Argument(help="Text to look for in names and aliases.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Find entities by name or alias: case-insensitive, substring and fuzzy, best first."""
    with opened() as store:
        results = store.search(text, limit=limit)
    if as_json:
        emit_json([{**r.as_dict(), "score": s} for r, s in results])
    else:
        from casegraph.views.terminal import search_table

        search_table(console(), results)
    if not results:
        raise typer.Exit(1)


@app.command()
def show(entity: EntityArg, as_json: JsonOpt = False) -> None:
    """Show an entity: type, aliases, properties, and every relation with its evidence."""
    with opened() as store:
        row = store.resolve(entity)
        relations = store.relations_of(row.id)
        documents = store.documents_of(row.id)
    if as_json:
        emit_json({**row.as_dict(), "relations": [r.as_dict() for r in relations],
                   "documents": documents})  # fmt: skip
    else:
        from casegraph.views.terminal import show_entity

        show_entity(console(), row, relations, documents)


@app.command()
def stats(as_json: JsonOpt = False) -> None:
    """Count documents, entities and relations, by type."""
    with opened() as store:
        data = store.stats()
    if as_json:
        emit_json(data)
    else:
        from casegraph.views.terminal import stats_view

        stats_view(console(), data)


@app.command()
def sources(as_json: JsonOpt = False) -> None:
    """List the loaded documents."""
    with opened() as store:
        docs = store.documents()
    if as_json:
        emit_json([d.as_dict() for d in docs])
    else:
        from casegraph.views.terminal import sources_table

        sources_table(console(), docs)


@app.command()
def export(
    file: Annotated[Path, typer.Argument(help="File to write.")],
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
    max_nodes: MaxNodesOpt = 1500,
    as_json: JsonOpt = False,
) -> None:
    """Export the graph to a file for other tools, or as an interactive HTML view.

    csv writes two files in Neo4j's admin-import header format: FILE/nodes.csv and
    FILE/relationships.csv when FILE is a folder, else FILE_nodes.csv and FILE_relationships.csv.
    """
    from casegraph.views.export import export as run_export

    with opened() as store:
        counts = run_export(store, file, fmt, entity=entity, depth=depth, max_nodes=max_nodes)
    if as_json:
        emit_json({"file": str(file), "format": fmt, **counts})
    else:
        typer.echo(f"wrote {counts['nodes']} nodes and {counts['edges']} edges to {file}")


# ---------------------------------------------------------------------- resolution by hand
@app.command()
def merge(
    keep: Annotated[str, typer.Argument(help="The entity that stays.")],
    drop: Annotated[
        str, typer.Argument(help="The entity folded into it (its names become aliases).")
    ],
    as_json: JsonOpt = False,
) -> None:
    """Merge two entities of one type; recorded, so later loads resolve to the kept one."""
    with opened() as store:
        row = store.merge(keep, drop)
    if as_json:
        emit_json(row.as_dict())
    else:
        typer.echo(
            printable(f"merged into {row.id} ({row.name}); aliases: {', '.join(row.aliases)}")
        )


@app.command()
def alias(
    entity: EntityArg,
    name: Annotated[str, typer.Argument(help="Another name the entity answers to.")],
    as_json: JsonOpt = False,
) -> None:
    """Give an entity another name; recorded, so later loads resolve that name to it."""
    with opened() as store:
        row = store.alias(entity, name)
    if as_json:
        emit_json(row.as_dict())
    else:
        typer.echo(printable(f"{row.id} ({row.name}) aliases: {', '.join(row.aliases)}"))


# ---------------------------------------------------------------------- link questions
RelOpt = Annotated[
    list[str] | None, typer.Option("--rel", help="Only relations of this type (repeatable).")
]
NoWeakOpt = Annotated[
    bool, typer.Option("--no-weak", help="Leave out MENTIONED_WITH (co-occurrence) links.")
]


@app.command()
def path(
    a: EntityArg,
    b: EntityArg,
    max_hops: Annotated[
        int, typer.Option("--max-hops", help="Longest path considered (1-10).")
    ] = 6,
    all_: Annotated[
        bool, typer.Option("--all", help="Every shortest path, not just the best one.")
    ] = False,
    k: Annotated[
        int | None, typer.Option("--k", help="The K shortest simple paths, by length.")
    ] = None,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    via_type: Annotated[
        list[str] | None,
        typer.Option("--via-type", help="Intermediate entities only of this type (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None, typer.Option("--exclude", help="Route around this entity (repeatable).")
    ] = None,
    directed: Annotated[
        bool, typer.Option("--directed", help="Follow relation direction.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="With --all: at most this many paths.")
    ] = 100,
    html: HtmlOpt = None,
    max_nodes: MaxNodesOpt = 1500,
    as_json: JsonOpt = False,
) -> None:
    """How is A connected to B? Paths, best first, every hop with its quote and source.

    Among paths of equal length, those through rarer (low-degree) entities and with more
    evidence come first. Exits 1 when no path exists within the bounds.
    """
    from casegraph.queries.paths import PathOptions, find_paths

    if all_ and k is not None:
        raise UsageError("use --all or --k, not both")
    mode = "all" if all_ else ("k" if k is not None else "shortest")
    options = PathOptions(
        max_hops=max_hops,
        mode=mode,
        k=k or 3,
        rel_types=tuple(rel or ()),
        no_weak=no_weak,
        via_types=tuple(via_type or ()),
        exclude=tuple(exclude or ()),
        directed=directed,
        limit=limit,
    )
    with opened() as store:
        result = find_paths(store, a, b, options)
    if html:
        from casegraph.queries.results import Subgraph

        title = f"{result.source.name} — {result.target.name}"
        write_html(Subgraph((), ()), html, title, highlight=result, max_nodes=max_nodes)
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.terminal import path_chains

        path_chains(console(), result)
    if not result.paths:
        raise typer.Exit(1)


@app.command()
def neighbors(
    entity: EntityArg,
    depth: Annotated[int, typer.Option("--depth", help="Hops out from the entity (1-4).")] = 1,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only entities of this type (repeatable).")
    ] = None,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Keep this many (nearest, then best-connected).")
    ] = 100,
    html: HtmlOpt = None,
    max_nodes: MaxNodesOpt = 1500,
    as_json: JsonOpt = False,
) -> None:
    """Who is within DEPTH hops of an entity, and how they are linked."""
    from casegraph.queries.neighbors import NeighborOptions
    from casegraph.queries.neighbors import neighbors as run

    options = NeighborOptions(
        depth=depth,
        types=tuple(type_ or ()),
        rel_types=tuple(rel or ()),
        no_weak=no_weak,
        limit=limit,
    )
    with opened() as store:
        sub = run(store, entity, options)
        if html:
            from casegraph.views.html import with_aliases

            center = sub.nodes[0].name if sub.nodes else entity
            write_html(with_aliases(sub, store), html, f"Around {center}", max_nodes=max_nodes)
    if as_json:
        emit_json(sub.as_dict())
    else:
        from casegraph.views.terminal import subgraph_view

        subgraph_view(console(), sub)


@app.command()
def common(
    entities_: Annotated[
        list[str], typer.Argument(metavar="A B [C...]", help="Two or more entities.")
    ],
    depth: Annotated[int, typer.Option("--depth", help="Hops from each entity (1-3).")] = 1,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    limit: Annotated[int, typer.Option("--limit", help="At most this many shared entities.")] = 50,
    html: HtmlOpt = None,
    max_nodes: MaxNodesOpt = 1500,
    as_json: JsonOpt = False,
) -> None:
    """What do these entities have in common? Entities linked to all of them, with the links.

    Exits 1 when nothing links them all within the depth.
    """
    from casegraph.queries.common import CommonOptions
    from casegraph.queries.common import common as run

    options = CommonOptions(depth=depth, rel_types=tuple(rel or ()), no_weak=no_weak, limit=limit)
    with opened() as store:
        result = run(store, entities_, options)
    if html:
        from casegraph.queries.results import Subgraph

        title = "In common: " + ", ".join(e.name for e in result.entities)
        write_html(Subgraph((), ()), html, title, common=result, max_nodes=max_nodes)
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.terminal import common_view

        common_view(console(), result)
    if not result.shared:
        raise typer.Exit(1)


@app.command()
def explain(
    a: EntityArg,
    b: EntityArg,
    k: Annotated[int, typer.Option("--k", help="How many paths the brief covers.")] = 3,
    max_hops: Annotated[
        int, typer.Option("--max-hops", help="Longest path considered (1-10).")
    ] = 6,
    no_weak: NoWeakOpt = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the brief to this file.")
    ] = None,
) -> None:
    """Write a short Markdown brief on how A connects to B, every hop quoted with its source."""
    from casegraph.queries.explain import explain as run
    from casegraph.queries.paths import PathOptions

    with opened() as store:
        brief, result = run(
            store, a, b, PathOptions(mode="k", k=k, max_hops=max_hops, no_weak=no_weak)
        )
    if output:
        try:
            output.write_text(brief, encoding="utf-8")
        except OSError as e:
            raise UsageError(f"{output}: cannot write ({e.strerror or e})") from e
        err_console().print(Text(f"wrote {output}"))
    else:  # to the terminal: no control character from a source passes
        sys.stdout.write("\n".join(printable(line) for line in brief.split("\n")))
    if not result.paths:
        raise typer.Exit(1)


# ---------------------------------------------------------------------- Neo4j
@app.command()
def sync(
    from_neo4j: Annotated[
        bool, typer.Option("--from-neo4j", help="Copy Neo4j into the embedded store instead.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy the embedded store (--store) into Neo4j (--neo4j), or back; running it twice changes nothing."""
    from casegraph.graph.sqlite_store import SqliteStore
    from casegraph.graph.store import open_store
    from casegraph.graph.sync import sync as run_sync

    cfg = config()
    if not cfg.neo4j_uri:
        raise UsageError("sync needs a Neo4j server: pass --neo4j URI or set CASEGRAPH_NEO4J_URI")
    neo = open_store(cfg)
    try:
        with SqliteStore(cfg.store, create=from_neo4j) as embedded:
            src, dst = (neo, embedded) if from_neo4j else (embedded, neo)
            summary = run_sync(src, dst)
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
        for old, new in sorted(summary.ids_changed.items()):
            typer.echo(printable(f"id changed: {old} -> {new}"))


@app.command()
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
    from casegraph.graph.neo4j_readonly import parse_params, run_readonly

    params = parse_params(param or [])
    if not config().neo4j_uri:
        raise UsageError("cypher needs a Neo4j server: pass --neo4j URI or set CASEGRAPH_NEO4J_URI")
    with opened() as store:
        columns, rows = run_readonly(store, query, params, timeout, max_rows=limit)
    if as_json:
        emit_json([dict(zip(columns, row, strict=True)) for row in rows])
        return
    from rich.table import Table
    from rich.text import Text

    table = Table()
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(json.dumps(v, ensure_ascii=False, default=str)) for v in row))
    console().print(table)


# ---------------------------------------------------------------------- evaluation
@app.command(name="eval")
def eval_(
    gold: Annotated[
        list[Path], typer.Argument(help="One or more gold annotation files (*.gold.json).")
    ],
    model: Annotated[
        str, typer.Option("--model", help="spaCy model for extraction.")
    ] = "en_core_web_sm",
    corpus_root: Annotated[
        Path | None,
        typer.Option("--corpus-root", help="Folder the gold's document path is relative to."),
    ] = None,
    story: Annotated[
        int | None,
        typer.Option("--story", help="Score only story N of each page (0 = the first)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure extraction against hand annotations: precision, recall and F1, misses listed.

    Every fact of each document is scored unless --story is given. With several gold files,
    one line per document, then the micro- and macro-averages.
    """
    from casegraph.eval import evaluate, evaluate_many

    report: Any = (
        evaluate(gold[0], model=model, corpus_root=corpus_root, story=story)
        if len(gold) == 1
        else evaluate_many(gold, model=model, corpus_root=corpus_root, story=story)
    )
    if as_json:
        emit_json(report.as_dict())
    else:
        sys.stdout.write(report.render() + "\n")


# ---------------------------------------------------------------------- demo
@app.command()
def demo(
    as_json: JsonOpt = False,
) -> None:
    """Load the bundled sample case (Meta's 2021 surveillance-for-hire takedown) into a fresh store.

    Uses --store when given, else ./casegraph-demo.db (replaced if it is a casegraph store).
    """
    from casegraph.demo import run_demo

    cfg = config()
    result = run_demo(cfg, store_path=cfg.store if _state.get("store_given") else None)
    if as_json:
        emit_json(result.as_dict())
    else:
        result.render(console())


# ---------------------------------------------------------------------- entry point
def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"error: {printable(message)}\n")
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every error becomes one line on stderr and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    _state["debug"] = "--debug" in args or os.environ.get("CASEGRAPH_DEBUG") == "1"
    try:
        code = app(args=args, prog_name="casegraph", standalone_mode=False)
    except typer.Exit as e:
        if e.exit_code == EXIT_INTERRUPTED:  # typer turns Ctrl-C into Exit(130)
            _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
        sys.exit(e.exit_code)
    except typer.TyperException as e:  # usage errors: unknown option, bad value (exit 2)
        if _state["debug"]:
            raise
        show = getattr(e, "show", None)
        if show:
            show()
        else:
            sys.stderr.write(f"error: {e.format_message()}\n")
        sys.exit(e.exit_code)
    except typer.Abort:
        _fail("interrupted", EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        if _state["debug"]:
            raise
        _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
    except CasegraphError as e:
        if _state["debug"]:
            raise
        _fail(str(e), e.exit_code)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except Exception as e:  # a bug: say so plainly, keep the traceback for --debug
        if _state["debug"]:
            raise
        _fail(
            f"internal error: {type(e).__name__}: {e} (run with --debug for details)", EXIT_INTERNAL
        )
    if code == EXIT_INTERRUPTED:  # typer returns Ctrl-C as exit code 130 when not standalone
        _fail("interrupted; the store is as it was before this command", EXIT_INTERRUPTED)
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["EXIT_BAD_INPUT", "UsageError", "app", "main"]
