"""The link questions: path, neighbors, common, explain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from casegraph.cli.app import command
from casegraph.cli.common import (
    EntityA,
    EntityArg,
    EntityB,
    ForceOpt,
    HtmlOpt,
    JsonOpt,
    MaxNodesOpt,
    NoWeakOpt,
    RejectedOpt,
    RelOpt,
    SinceOpt,
    UntilOpt,
    check_output,
    console,
    emit_json,
    err_console,
    reading,
    write_html,
)
from casegraph.dates import window
from casegraph.errors import NoAnswer, NoPath, UsageError, printable


@command()
def path(
    a: EntityA,
    b: EntityB,
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
    include_rejected: RejectedOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
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
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """How is A connected to B? Paths, best first, every hop with its quote and source.

    Among paths of equal length, those through rarer (low-degree) entities and with more
    evidence come first. Exits 1 when no path exists within the bounds.
    """
    from casegraph.queries.options import PathOptions
    from casegraph.queries.paths import find_paths

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
        include_rejected=include_rejected,
        window=window(since, until),
    )
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts

    check_output(html, force)
    with reading() as store:
        result = find_paths(store, a, b, options)
        texts = cited_texts(store, result, budget=TEXT_BUDGET) if html else None
    if html:
        from casegraph.queries.results import Subgraph

        title = f"{result.source.name} — {result.target.name}"
        write_html(Subgraph((), ()), html, title, highlight=result, max_nodes=max_nodes,
                   documents=texts, force=force)  # fmt: skip
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.terminal import path_chains

        path_chains(console(), result)
    if not result.paths:
        raise NoPath(
            f"no path joins {result.source.name!r} and {result.target.name!r} within {max_hops} hops"
        )


@command()
def neighbors(
    entity: EntityArg,
    depth: Annotated[int, typer.Option("--depth", help="Hops out from the entity (1-4).")] = 1,
    type_: Annotated[
        list[str] | None, typer.Option("--type", help="Only entities of this type (repeatable).")
    ] = None,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    include_rejected: RejectedOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option("--limit", help="Keep this many (nearest, then best-connected).")
    ] = 100,
    html: HtmlOpt = None,
    max_nodes: MaxNodesOpt = 1500,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Who is within DEPTH hops of an entity, and how they are linked."""
    from casegraph.queries.neighbors import neighbors as run
    from casegraph.queries.options import NeighborOptions

    options = NeighborOptions(
        depth=depth,
        types=tuple(type_ or ()),
        rel_types=tuple(rel or ()),
        no_weak=no_weak,
        limit=limit,
        include_rejected=include_rejected,
        window=window(since, until),
    )
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts

    check_output(html, force)
    with reading() as store:
        sub = run(store, entity, options)
        texts = cited_texts(store, sub, budget=TEXT_BUDGET) if html else None
    if html:
        center = sub.nodes[0].name if sub.nodes else entity
        write_html(sub, html, f"Around {center}", max_nodes=max_nodes, documents=texts,
                   cut_by=f"--limit {limit}", force=force)  # fmt: skip
    if as_json:
        emit_json(sub.as_dict())
    else:
        from casegraph.views.terminal import subgraph_view

        subgraph_view(console(), sub)


@command()
def common(
    entities_: Annotated[
        list[str], typer.Argument(metavar="A B [C...]", help="Two or more entities.")
    ],
    depth: Annotated[int, typer.Option("--depth", help="Hops from each entity (1-3).")] = 1,
    rel: RelOpt = None,
    no_weak: NoWeakOpt = False,
    include_rejected: RejectedOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many shared entities.")] = 50,
    html: HtmlOpt = None,
    max_nodes: MaxNodesOpt = 1500,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """What do these entities have in common? Entities linked to all of them, with the links.

    Exits 1 when nothing links them all within the depth.
    """
    from casegraph.queries.common import common as run
    from casegraph.queries.options import CommonOptions

    options = CommonOptions(depth=depth, rel_types=tuple(rel or ()), no_weak=no_weak, limit=limit,
                            include_rejected=include_rejected,
                            window=window(since, until))  # fmt: skip
    from casegraph.queries.overview import TEXT_BUDGET, cited_texts

    check_output(html, force)
    with reading() as store:
        result = run(store, entities_, options)
        texts = cited_texts(store, result, budget=TEXT_BUDGET) if html else None
    if html:
        from casegraph.queries.results import Subgraph

        title = "In common: " + ", ".join(e.name for e in result.entities)
        write_html(Subgraph((), ()), html, title, common=result, max_nodes=max_nodes,
                   documents=texts, force=force)  # fmt: skip
    if as_json:
        emit_json(result.as_dict())
    else:
        from casegraph.views.terminal import common_view

        common_view(console(), result)
    if not result.shared:
        raise NoAnswer(f"nothing within {depth} hop{'s' if depth != 1 else ''} links them all")


@command()
def explain(
    a: EntityA,
    b: EntityB,
    k: Annotated[int, typer.Option("--k", help="How many paths the brief covers.")] = 3,
    max_hops: Annotated[
        int, typer.Option("--max-hops", help="Longest path considered (1-10).")
    ] = 6,
    no_weak: NoWeakOpt = False,
    include_rejected: RejectedOpt = False,
    since: SinceOpt = None,
    until: UntilOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the brief to this file (refused if it exists, unless --force).",
        ),
    ] = None,
    force: ForceOpt = False,
) -> None:
    """Write a short Markdown brief on how A connects to B, every hop quoted with its source."""
    from casegraph.queries.explain import explain as run
    from casegraph.queries.options import PathOptions
    from casegraph.safefile import atomic_text
    from casegraph.views.markdown import brief as write_brief

    check_output(output, force)
    with reading() as store:
        result = run(store, a, b, PathOptions(mode="k", k=k, max_hops=max_hops, no_weak=no_weak,
                                              include_rejected=include_rejected,
                                              window=window(since, until)))  # fmt: skip
    brief = write_brief(result)
    if output:
        with atomic_text(output, replace=force) as fh:
            fh.write(brief)
        err_console().print(Text(printable(f"wrote {output}")))
    else:  # to the terminal: no control character from a source passes
        sys.stdout.write("\n".join(printable(line) for line in brief.split("\n")))
    if not result.paths:
        raise NoPath(
            f"no path joins {result.source.name!r} and {result.target.name!r} within {max_hops} hops"
        )
