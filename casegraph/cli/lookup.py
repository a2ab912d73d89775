"""Commands that look things up: entities, search, show, stats, sources."""

from __future__ import annotations

from typing import Annotated

import typer

from casegraph.cli.app import command
from casegraph.cli.common import EntityArg, JsonOpt, console, emit_json, reading
from casegraph.errors import NoAnswer


@command()
def entities(
    type_: Annotated[str | None, typer.Option("--type", help="Only entities of this type.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """List entities, the most connected first."""
    with reading() as store:
        rows = store.entities(type=type_, limit=limit)
    if as_json:
        emit_json([r.as_dict() for r in rows])
    else:
        from casegraph.views.terminal import entities_table

        entities_table(console(), rows)


@command()
def search(
    text: Annotated[str, typer.Argument(help="Text to look for in names and aliases.")],
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """Find entities by name or alias: case-insensitive, substring and fuzzy, best first."""
    with reading() as store:
        results = store.search(text, limit=limit)
    if as_json:
        emit_json([{**r.as_dict(), "score": s} for r, s in results])
    elif results:
        from casegraph.views.terminal import search_table

        search_table(console(), results)
    if not results:
        raise NoAnswer(f"no entity matches {text!r}")


@command()
def show(entity: EntityArg, as_json: JsonOpt = False) -> None:
    """Show an entity: type, aliases, properties, and every relation with its evidence."""
    with reading() as store:
        row = store.resolve(entity)
        relations = store.relations_of(row.id)
        documents = store.documents_of(row.id)
    if as_json:
        emit_json({**row.as_dict(), "relations": [r.as_dict() for r in relations],
                   "documents": documents})  # fmt: skip
    else:
        from casegraph.views.terminal import show_entity

        show_entity(console(), row, relations, documents)


@command()
def stats(as_json: JsonOpt = False) -> None:
    """Count documents, entities and relations, by type."""
    with reading() as store:
        data = store.stats()
    if as_json:
        emit_json(data)
    else:
        from casegraph.views.terminal import stats_view

        stats_view(console(), data)


@command()
def sources(as_json: JsonOpt = False) -> None:
    """List the loaded documents."""
    with reading() as store:
        docs = store.documents()
    if as_json:
        emit_json([d.as_dict() for d in docs])
    else:
        from casegraph.views.terminal import sources_table

        sources_table(console(), docs)
