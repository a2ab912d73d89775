"""Commands that bring sources in: load, the demo, and extraction evaluation."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from casegraph.cli.app import command
from casegraph.cli.common import JsonOpt, config, console, emit_json, err_console, opened, state
from casegraph.loaders import REGISTRY


@command()
def load(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="PATH...", help="Files or folders to load (folders recursively)."),
    ],
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"Force a format ({', '.join(REGISTRY)}) instead of detecting it.",
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
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="All or nothing: a folder file that cannot be read fails the load "
            "(default: it is skipped and reported).",
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Load sources into the store, all in one transaction; re-loading a source changes nothing."""
    from casegraph.loaders import LoadOptions
    from casegraph.pipeline import load_paths
    from casegraph.views.progress import load_progress

    options = LoadOptions(
        model=model, source_col=source_col, target_col=target_col, type_col=type_col,
        rel_type=rel_type, entity_type=entity_type, mapping=mapping, format=fmt,
        encoding=encoding, delimiter=delimiter,
    )  # fmt: skip
    cfg = config()
    new_file = not cfg.neo4j_uri and not cfg.store.exists()
    try:
        with opened(create=True) as store:
            summary = load_paths(
                store, paths, options, progress=load_progress(err_console()), strict=strict
            )
    except BaseException:
        if new_file:  # the store did not exist before this load: leave it not existing
            discard_empty_store(cfg.store)
        raise
    if as_json:
        emit_json(summary.as_dict())
    else:
        from casegraph.views.terminal import load_summary

        load_summary(console(), summary)


@command(name="eval")
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


@command()
def demo(
    as_json: JsonOpt = False,
) -> None:
    """Load the bundled sample case (Meta's 2021 surveillance-for-hire takedown) into a fresh store.

    Uses --store when given, else ./casegraph-demo.db (replaced if it is a casegraph store).
    """
    from casegraph.demo import run_demo

    cfg = config()
    result = run_demo(cfg, store_path=cfg.store if state["store_given"] else None)
    if as_json:
        emit_json(result.as_dict())
    else:
        result.render(console())


def discard_empty_store(path: Path) -> None:
    """Remove a store this command created if it holds no document (a first load that failed)."""
    from casegraph.backends import open_store
    from casegraph.config import Config
    from casegraph.errors import CasegraphError

    try:
        with open_store(Config(store=path), read_only=True) as store:
            if store.stats()["documents"]:
                return
    except CasegraphError:
        return
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
