"""Sources and time: find (full-text search), source (the passage behind a fact), timeline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from casegraph.cli.app import command
from casegraph.cli.common import (
    EntityArg,
    ForceOpt,
    JsonOpt,
    RejectedOpt,
    SinceOpt,
    UntilOpt,
    check_output,
    console,
    emit_json,
    err_console,
    opened,
)
from casegraph.dates import window
from casegraph.errors import NoAnswer

HtmlFileOpt = Annotated[
    Path | None,
    typer.Option("--html", metavar="FILE", help="Write a self-contained reader page to FILE."),
]


@command()
def find(
    query: Annotated[
        str,
        typer.Argument(
            metavar="QUERY",
            help='Words, "phrases", prefix*, AND / OR / NOT and parentheses (AND by default).',
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option("--source", help="Only this document (an id or its prefix, a path, a name)."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help="Only documents published on or after DATE."),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", metavar="DATE", help="Only documents published on or before DATE."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many documents.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Search the text of every loaded document: best first, each with its passage, offsets and
    the entities it names. Exits 1 when nothing matches."""
    from casegraph.queries.find import find as run

    dated = window(since, until)
    with opened() as store:
        result = run(store, query, source=source, window=dated, limit=limit)
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.passages import find_view

        find_view(console(), result)
    if not result.hits:
        raise NoAnswer(f"no document matches {query!r}")


@command()
def source(
    doc: Annotated[
        str,
        typer.Argument(
            metavar="DOC", help="A document id (or a unique prefix), or an evidence id (ev:...)."
        ),
    ],
    at: Annotated[
        int | None, typer.Option("--at", metavar="OFFSET", help="The passage around this offset.")
    ] = None,
    evidence: Annotated[
        str | None,
        typer.Option("--evidence", metavar="ID", help="The passage an evidence item quotes."),
    ] = None,
    html: HtmlFileOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Print the passage of a document behind a fact, with the entities it names marked; or
    write the whole document as a reader page (--html) with the cited sentence in view."""
    from casegraph.queries.source import source_passage

    check_output(html, force)
    with opened() as store:
        found = source_passage(store, doc, at=at, evidence=evidence, whole=html is not None)
    if html is not None:
        from casegraph.views.reader import reader_page, write_page

        write_page(reader_page(found), html, replace=force)
        err_console().print(Text(f"wrote {html}"))
        if as_json:
            emit_json({"file": str(html), **found.as_dict()})
        return
    if as_json:
        emit_json(found.as_dict())
    else:
        from casegraph.views.passages import source_view

        source_view(console(), found)


@command()
def timeline(
    entity: EntityArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    include_rejected: RejectedOpt = False,
    html: HtmlFileOpt = None,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """An entity's facts in date order, each cited; undated evidence listed apart."""
    from casegraph.queries.timeline import timeline as run

    dated = window(since, until)
    check_output(html, force)
    with opened() as store:
        result = run(store, entity, window=dated, include_rejected=include_rejected)
    if html is not None:
        from casegraph.views.reader import timeline_page, write_page

        write_page(timeline_page(result), html, replace=force)
        err_console().print(Text(f"wrote {html}"))
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.passages import timeline_view

        timeline_view(console(), result)
