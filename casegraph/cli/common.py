"""What every command shares: the configuration, the open store, option types, output helpers."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from casegraph.config import Config
from casegraph.errors import printable

if TYPE_CHECKING:
    from casegraph.graph.store import Store

# What the entry point and the callback know of this run: the configuration and --debug.
state: dict[str, Any] = {"config": None, "debug": False, "store_given": False}

JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON on stdout.")]
EntityArg = Annotated[
    str, typer.Argument(metavar="ENTITY", help="An entity id, name or alias (or TYPE:NAME).")
]
EntityA = Annotated[
    str, typer.Argument(metavar="A", help="An entity id, name or alias (or TYPE:NAME).")
]
EntityB = Annotated[str, typer.Argument(metavar="B", help="Another entity, named the same ways.")]
HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html", metavar="FILE",
        help="Also write an interactive, self-contained HTML view to this file (refused if it "
        "exists, unless --force).",
    ),
]  # fmt: skip
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace the output file(s) if they exist.")
]
MaxNodesOpt = Annotated[
    int, typer.Option("--max-nodes", min=1, help="HTML views: draw at most this many entities.")
]
RelOpt = Annotated[
    list[str] | None,
    typer.Option("--rel", metavar="TYPE", help="Only relations of this type (repeatable)."),
]
NoWeakOpt = Annotated[
    bool, typer.Option("--no-weak", help="Leave out MENTIONED_WITH (co-occurrence) links.")
]
RejectedOpt = Annotated[
    bool,
    typer.Option(
        "--include-rejected",
        help="Also walk what an investigator rejected or dropped (marked as such).",
    ),
]


def config() -> Config:
    cfg = state["config"]
    return cfg if isinstance(cfg, Config) else Config.from_env()


@contextmanager
def opened(*, create: bool = False, read_only: bool = False) -> Iterator[Store]:
    """The configured store, closed afterwards; opened read_only, all its reads see one
    snapshot (as in `reading`)."""
    from casegraph.backends import open_store

    store = open_store(config(), create=create, read_only=read_only)
    try:
        if read_only:
            with store.reading():
                yield store
        else:
            yield store
    finally:
        try:
            note_choices(store.choices)
        finally:
            store.close()


def note_choices(choices: list[tuple[str, Any]]) -> None:
    """Say on stderr which name answered for one of several entities, and which others it names."""
    seen: set[str] = set()
    for text, row in choices:
        if text in seen:
            continue
        seen.add(text)
        others = "; ".join(f"{e.type}:{e.name} ({e.id})" for e in row.also)
        err_console().print(
            Text(printable(f"note: {text!r} names {len(row.also) + 1} entities; answered for "
                           f"{row.type}:{row.name} ({row.id}); also: {others}"))
        )  # fmt: skip


@contextmanager
def reading() -> Iterator[Store]:
    """The configured store for a command that only reads: all its reads see one snapshot."""
    with opened() as store, store.reading():
        yield store


def emit_json(data: Any) -> None:
    """JSON on stdout, the only thing there: strictly JSON (no NaN), and every character a
    terminal would act on (controls, bidi overrides, zero-width) written as a \\u escape."""
    from casegraph.views.jsontext import json_text

    sys.stdout.write(json_text(data, indent=2) + "\n")


def console() -> Any:
    from casegraph.views.terminal import stdout_console

    return stdout_console()


def err_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def check_output(file: Path | None, force: bool) -> None:
    """Refuse an output file that exists (without --force) before any work is done."""
    if file is not None:
        from casegraph.safefile import check_target

        check_target(file, replace=force)


def write_html(sub: Any, file: Path, title: str, *, force: bool = False, **answer: Any) -> None:
    """Render a view to file and say where it went (on stderr: stdout carries the answer)."""
    from casegraph.views.html import render_html

    report = render_html(sub, file, title=title, replace=force, **answer)
    left_out = f", {report.omitted} left out" if report.omitted else ""
    err_console().print(
        Text(printable(f"wrote {file} ({report.nodes} entities, {report.edges} links{left_out})"))
    )
