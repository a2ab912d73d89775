"""The investigator's decisions: confirm, reject, retype, split, drop, note, merge, alias,
decisions, undo, and the review queue."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from casegraph.cli.app import command
from casegraph.cli.common import EntityArg, JsonOpt, console, emit_json, opened
from casegraph.errors import printable

WhyOpt = Annotated[
    str | None, typer.Option("--why", metavar="TEXT", help="Why: kept with the decision.")
]
ByOpt = Annotated[
    str | None,
    typer.Option("--by", metavar="NAME", help="Who decides (default: your login name)."),
]
RelArg = Annotated[
    str,
    typer.Argument(metavar="REL", help="A relation id (shown by show, path --json and exports)."),
]


def said(decision: Any, text: str, as_json: bool, **more: Any) -> None:
    """What a decision did: one line, or its record as JSON."""
    if as_json:
        emit_json({**decision.as_dict(), **more})
    else:
        typer.echo(printable(f"{decision.uid}: {text}"))


@command()
def confirm(rel: RelArg, why: WhyOpt = None, by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Mark a relation as checked against its evidence; confirmed hops rank first."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.confirm(store, rel, why=why, by=by)
    said(done, f"confirmed {rel}", as_json)


@command()
def reject(
    target: Annotated[
        str,
        typer.Argument(
            metavar="REL|EVIDENCE",
            help="A relation id, or one evidence item's id (ev:...) to reject only that quote.",
        ),
    ],
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reject a relation (or one evidence item) as unsupported: questions leave it out."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.reject(store, target, why=why, by=by)
    said(done, f"rejected {done.target}", as_json)


@command()
def retype(
    entity: EntityArg,
    new_type: Annotated[str, typer.Argument(metavar="TYPE", help="The entity's type.")],
    force: Annotated[
        bool,
        typer.Option("--force", help="Reject the relations the new type cannot hold."),
    ] = False,
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give an entity another type; it keeps it across loads. Relations the type cannot hold
    are listed and the command refuses, unless --force (which rejects them)."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.retype(store, entity, new_type, force=force, why=why, by=by)
        row = store.entity(done.target)
    rejected = list(done.payload.get("retyped", {}).get(row.id, {}).get("rejected", {}))
    tail = f"; rejected {len(rejected)} relations it cannot hold" if rejected else ""
    said(done, f"{row.id} ({row.name}) is now a {row.type}{tail}", as_json, rejected=rejected)


@command()
def split(
    entity: EntityArg,
    names: Annotated[
        list[str],
        typer.Argument(metavar="NAME...", help="Names to take off into their own entity."),
    ],
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Undo a merge or an alias: the names, and the evidence that came with them, become an
    entity of their own (later loads resolve them to it)."""
    from casegraph.graph import decisions

    with opened() as store:
        done, new = decisions.split(store, entity, names, why=why, by=by)
    moved = len(done.payload.get("moved", {}))
    said(done, f"split {', '.join(names)} off {done.target} into {new.id} ({moved} relations moved)",
         as_json, new=new.as_dict())  # fmt: skip


@command()
def drop(entity: EntityArg, why: WhyOpt = None, by: ByOpt = None, as_json: JsonOpt = False) -> None:
    """Mark an entity as not an entity (junk): it and its relations leave the questions."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.drop(store, entity, why=why, by=by)
    n = len(done.payload.get("rejected", {}))
    said(done, f"dropped {done.target} and rejected its {n} relations", as_json)


@command()
def note(
    target: Annotated[
        str, typer.Argument(metavar="ENTITY|REL", help="An entity, a relation id or an ev: id.")
    ],
    text: Annotated[str, typer.Argument(help="The note.")],
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Keep a free-text note on an entity, a relation or an evidence item."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.note(store, target, text, why=why, by=by)
    said(done, f"noted on {done.target}", as_json)


@command()
def merge(
    keep: Annotated[str, typer.Argument(metavar="KEEP", help="The entity that stays.")],
    drop_: Annotated[
        str,
        typer.Argument(metavar="DROP", help="The entity folded into it (its names become aliases)."),
    ],
    across_types: Annotated[
        str | None,
        typer.Option("--across-types", metavar="TYPE",
                     help="Merge entities of two types; both end as TYPE."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="With --across-types: reject what TYPE cannot hold.")
    ] = False,
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:  # fmt: skip
    """Merge two entities (of one type, or any two with --across-types); recorded, so later
    loads resolve to the kept one, and undone with `casegraph undo` or `casegraph split`."""
    from casegraph.graph import decisions

    with opened() as store:
        row = decisions.merge(store, keep, drop_, as_type=across_types, force=force, why=why, by=by)
    if as_json:
        emit_json(row.as_dict())
    else:
        typer.echo(
            printable(f"merged into {row.id} ({row.name}); aliases: {', '.join(row.aliases)}")
        )


@command()
def alias(
    entity: EntityArg,
    name: Annotated[str, typer.Argument(help="Another name the entity answers to.")],
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Give an entity another name; recorded, so later loads resolve that name to it."""
    from casegraph.graph import decisions

    with opened() as store:
        row = decisions.alias(store, entity, name, why=why, by=by)
    if as_json:
        emit_json(row.as_dict())
    else:
        typer.echo(printable(f"{row.id} ({row.name}) aliases: {', '.join(row.aliases)}"))


@command(name="decisions")
def decisions_(as_json: JsonOpt = False) -> None:
    """List every decision in order: what, on what, by whom, when, why; and what was undone."""
    with opened(read_only=True) as store:
        rows = store.decisions()
    if as_json:
        emit_json([{"n": i, **r.as_dict()} for i, r in enumerate(rows, 1)])
        return
    from casegraph.views.terminal import decisions_table

    decisions_table(console(), rows)


@command()
def undo(
    decision: Annotated[
        str, typer.Argument(metavar="ID", help="A decision's id (d:...) or its number in the list.")
    ],
    why: WhyOpt = None,
    by: ByOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Take a decision back (recorded as a decision of its own)."""
    from casegraph.graph import decisions

    with opened() as store:
        done = decisions.undo(store, decision, why=why, by=by)
    said(done, f"undid {done.target} ({done.payload.get('action')})", as_json)


@command()
def review(
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many items.")] = 20,
    as_json: JsonOpt = False,
) -> None:
    """What is most worth checking first: weak typed hops on busy entities, types that
    disagree, names shared across types, near-duplicates, junk; each with its quote and the
    command that settles it."""
    from casegraph.queries.review import review_queue

    with opened(read_only=True) as store:
        items = review_queue(store, limit=limit)
    if as_json:
        emit_json([i.as_dict() for i in items])
        return
    from casegraph.views.terminal import review_list

    review_list(console(), items)
