"""Commands that bring sources in: load, the demo, and extraction evaluation."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from casegraph.cli.app import app
from casegraph.cli.common import JsonOpt, config, console, emit_json, err_console, opened, state


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

    options = LoadOptions(
        model=model, source_col=source_col, target_col=target_col, type_col=type_col,
        rel_type=rel_type, entity_type=entity_type, mapping=mapping, format=fmt,
        encoding=encoding, delimiter=delimiter,
    )  # fmt: skip
    with opened(create=True) as store:
        summary = load_paths(store, paths, options, progress=_progress_bar(), strict=strict)
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
    as_json: JsonOpt = False,
) -> None:
    """Measure extraction against hand annotations: precision, recall and F1, misses listed.

    With several gold files, one line per document and the micro-average.
    """
    from casegraph.eval import evaluate, evaluate_many

    report: Any = (
        evaluate(gold[0], model=model, corpus_root=corpus_root)
        if len(gold) == 1
        else evaluate_many(gold, model=model, corpus_root=corpus_root)
    )
    if as_json:
        emit_json(report.as_dict())
    else:
        sys.stdout.write(report.render() + "\n")


@app.command()
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
