"""Terminal rendering with rich: tables and evidence lists; source text never becomes markup."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from casegraph.errors import printable
from casegraph.graph.records import DocumentRow, EntityRow, EvidenceRow, LoadSummary, RelationRow

# How many evidence quotes `show` prints under one relation before saying how many more.
QUOTES_SHOWN = 3


# Output that is not a terminal (a pipe, a file) is never wrapped: lines as long as they are.
UNWRAPPED_WIDTH = 100_000


def stdout_console() -> Console:
    """The console for data on stdout: wrapped to a terminal's width, never when piped."""
    import sys

    if sys.stdout.isatty():
        return Console(highlight=False, soft_wrap=False)
    return Console(highlight=False, soft_wrap=True, width=UNWRAPPED_WIDTH)


def _t(value: object, style: str = "") -> Text:
    """Plain text: brackets in names and quotes are shown, never parsed as markup, and control
    characters (escape sequences, bidi overrides) as escapes, never sent to the terminal."""
    return Text("" if value is None else printable(str(value)), style=style)


def entities_table(console: Console, rows: Iterable[EntityRow], title: str | None = None) -> None:
    table = Table(title=title, show_lines=False, expand=False)
    for column in ("id", "name", "type", "aliases"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(_t(row.id, "dim"), _t(row.name, "bold"), _t(row.type),
                      _t(", ".join(row.aliases)))  # fmt: skip
    console.print(table)


def search_table(console: Console, results: Iterable[tuple[EntityRow, float]]) -> None:
    table = Table(show_lines=False)
    for column in ("score", "id", "name", "type", "aliases"):
        table.add_column(column, overflow="fold")
    for row, score in results:
        table.add_row(_t(f"{score:.0f}"), _t(row.id, "dim"), _t(row.name, "bold"), _t(row.type),
                      _t(", ".join(row.aliases)))  # fmt: skip
    console.print(table)


def evidence_lines(evidence: Iterable[EvidenceRow], limit: int = QUOTES_SHOWN) -> list[Text]:
    """One line per quote with its citation; then how many more there were."""
    items = list(evidence)
    lines = []
    for ev in items[:limit]:
        line = Text("    ")
        if ev.status:
            line.append(f"[{ev.status}] ", style="red")
        if ev.quote:
            line.append(printable("“" + " ".join(ev.quote.split()) + "” "), style="italic")
        line.append(printable(f"[{ev.cite()}; {ev.extractor}"), style="dim")
        if ev.confidence < 1.0:
            line.append(f", {ev.confidence:.2f}", style="dim")
        if ev.id:
            line.append(printable(f"; {ev.id}"), style="dim")
        line.append("]", style="dim")
        lines.append(line)
    if len(items) > limit:
        lines.append(Text(f"    … and {len(items) - limit} more", style="dim"))
    return lines


def show_entity(
    console: Console,
    entity: EntityRow,
    relations: list[RelationRow],
    documents: list[dict[str, Any]],
) -> None:
    console.print(Text.assemble(_t(entity.name, "bold"), "  ", _t(entity.type, "cyan"), "  ",
                                _t(entity.id, "dim")))  # fmt: skip
    if entity.status:
        console.print(Text(f"{entity.status}: not an entity (a decision; casegraph undo)", "red"))
    console.print(_t(f"typed by: {entity.type_source}", "dim"))
    if entity.aliases:
        console.print(Text.assemble("aliases: ", _t(", ".join(entity.aliases))))
    for key, value in sorted(entity.properties.items()):
        console.print(Text.assemble(_t(key), ": ", _t(value)))
    from casegraph.graph.schema import load_schema
    from casegraph.views.markdown import arrow

    grouped: dict[tuple[str, str], list[RelationRow]] = defaultdict(list)
    for rel in relations:
        weak = load_schema().relation_type(rel.type).weak  # undirected: one group
        grouped[(rel.type, "both" if weak else rel.direction)].append(rel)
    for (rtype, direction), rels in sorted(grouped.items()):
        console.print(
            Text("\n" + printable(f"{arrow(rtype, direction != 'in')} ({len(rels)})"),
                 style="bold magenta")
        )  # fmt: skip
        for rel in rels:
            console.print(Text.assemble("  ", _t(rel.other.name, "bold"), " ",
                                        _t(f"({rel.other.type})", "cyan"), "  ",
                                        status_mark(rel.status), _t(f"  {rel.id}", "dim")))  # fmt: skip
            for line in evidence_lines(rel.evidence):
                console.print(line)
    if not relations:
        console.print(Text("\nno relations", style="dim"))
    if documents:
        console.print(Text(f"\nmentioned in {len(documents)} document(s):", style="bold"))
        for doc in documents:
            console.print(Text.assemble("  ", _t(doc["title"]), " ", _t(doc["path"], "dim")))
            typing = doc.get("typing")
            if typing:
                said = [f"as {typing['name']!r} ({typing['type']}"]
                if typing.get("cue"):
                    said.append(f", {typing['cue']}, {typing.get('confidence', 1.0):.2f}")
                said.append(")")
                if typing.get("joined"):
                    said.append(f", joined by {typing['joined']}")
                console.print(_t("    " + "".join(said), "dim"))


def stats_view(console: Console, stats: dict[str, Any]) -> None:
    console.print(Text.assemble("backend: ", _t(stats["backend"]), "  store: ", _t(stats["store"])))
    console.print(
        f"{stats['documents']} documents, {stats['entities']} entities, "
        f"{stats['relations']} relations, {stats['evidence']} evidence items"
    )
    for title, key in (("entity type", "entity_types"), ("relation type", "relation_types")):
        table = Table()
        table.add_column(title)
        table.add_column("count", justify="right")
        for name, count in stats[key].items():
            table.add_row(_t(name), _t(count))
        console.print(table)


def sources_table(console: Console, docs: Iterable[DocumentRow]) -> None:
    table = Table()
    for column in ("id", "title", "loader", "entities", "relations", "loaded", "path"):
        table.add_column(column, overflow="fold")
    for doc in docs:
        table.add_row(_t(doc.id[:12], "dim"), _t(doc.title, "bold"), _t(doc.loader),
                      _t(doc.entities), _t(doc.relations), _t(doc.loaded_at), _t(doc.path, "dim"))  # fmt: skip
    console.print(table)


def load_summary(console: Console, summary: LoadSummary) -> None:
    """The summary of a load, for stderr."""
    console.print(
        f"documents: {summary.documents_new} new, {summary.documents_unchanged} already loaded; "
        f"entities: {summary.entities_new} new, {summary.entities_merged} merged; "
        f"relations: {summary.relations_new} new, {summary.relations_merged} with more evidence; "
        f"evidence: {summary.evidence_added} added"
    )
    for reason, count in sorted(summary.skipped.items()):
        console.print(_t(f"skipped {count}: {reason}", "yellow"))
    if summary.errors:  # each file on stderr with its line and reason, then how many
        errors = Console(stderr=True, highlight=False, soft_wrap=True)
        for e in summary.errors:
            where = e["path"] if e["line"] is None else f"{e['path']}:{e['line']}"
            errors.print(_t(f"skipped {where}: {e['reason']}", "yellow"))
        n = len(summary.errors)
        console.print(_t(f"skipped {n} file{'s' if n != 1 else ''} with errors", "yellow"))


def path_chains(console: Console, result: Any) -> None:
    """Each path as a chain, with under every hop the quotes and sources that support it."""
    from casegraph.views.markdown import hop_arrow

    if not result.paths:
        console.print(Text.assemble("no path between ", _t(result.source.name, "bold"), " and ",
                                    _t(result.target.name, "bold")))  # fmt: skip
        return
    for n, path in enumerate(result.paths, 1):
        head = Text(f"path {n} ({path.length} hop{'s' if path.length != 1 else ''}, "
                    f"score {path.score:.2f})", style="bold")  # fmt: skip
        console.print(head)
        line = Text("  ")
        line.append_text(_t(path.nodes[0].name, "bold"))
        for i, edge in enumerate(path.edges):
            line.append(printable(f" {hop_arrow(edge, path.nodes[i])} "), style="magenta")
            line.append_text(_t(path.nodes[i + 1].name, "bold"))
        console.print(line)
        for i, edge in enumerate(path.edges):
            left, right = path.nodes[i], path.nodes[i + 1]
            console.print(Text.assemble("  ", _t(left.name), _t(f" {hop_arrow(edge, left)} "),
                                        _t(right.name), "  ", status_mark(edge.status),
                                        _t(f"  {edge.id}")), style="dim")  # fmt: skip
            for quote in evidence_lines(edge.evidence, limit=2):
                console.print(quote)
        console.print()


def subgraph_view(console: Console, sub: Any) -> None:
    """A neighbourhood: nodes by distance, then the relations among them."""
    table = Table()
    for column in ("distance", "name", "type", "degree", "id"):
        table.add_column(column, overflow="fold")
    for node in sub.nodes:
        table.add_row(_t(sub.distances.get(node.id, "")), _t(node.name, "bold"), _t(node.type),
                      _t(node.degree), _t(node.id, "dim"))  # fmt: skip
    console.print(table)
    if sub.omitted:
        console.print(Text(f"and {sub.omitted} more", style="yellow"))
    names = {n.id: n.name for n in sub.nodes}
    from casegraph.views.markdown import arrow

    for edge in sub.edges:
        console.print(Text.assemble(_t(names[edge.source], "bold"), _t(f" {arrow(edge.type, True)} "),
                                    _t(names[edge.target], "bold")))  # fmt: skip
        for quote in evidence_lines(edge.evidence, limit=1):
            console.print(quote)


def common_view(console: Console, result: Any) -> None:
    """Shared connections, each with its link to every asked entity."""
    from casegraph.views.markdown import chain

    asked = ", ".join(e.name for e in result.entities)
    if not result.shared:
        console.print(_t(f"nothing links all of {asked} within {result.depth} hop(s)"))
        return
    console.print(_t(f"{len(result.shared)} shared connection(s) of {asked}:", "bold"))
    for item in result.shared:
        console.print(Text.assemble("\n", _t(item.node.name, "bold"), " ",
                                    _t(f"({item.node.type})", "cyan")))  # fmt: skip
        for path in item.links:
            console.print(_t("  " + chain(path), "magenta"))
            for edge in path.edges:
                for quote in evidence_lines(edge.evidence, limit=1):
                    console.print(quote)


def rows_table(console: Console, columns: list[str], rows: list[list[Any]]) -> None:
    """Query rows as a table, each value as JSON text (never markup)."""
    import json

    table = Table()
    for column in columns:
        table.add_column(_t(column), overflow="fold")
    for row in rows:
        table.add_row(*(_t(json.dumps(v, ensure_ascii=False, default=str)) for v in row))
    console.print(table)


def status_mark(status: str | None) -> Text:
    """How a fact's review status reads: confirmed (green), rejected (red), unreviewed (dim)."""
    if status == "confirmed":
        return Text("✓ confirmed", style="green")
    if status == "rejected":
        return Text("✗ rejected", style="red")
    return Text("unreviewed", style="dim")


def decisions_table(console: Console, rows: Iterable[Any]) -> None:
    """Every decision in order: number, id, when, who, what, on what, why, undone."""
    table = Table()
    for column in ("#", "id", "at", "by", "action", "target", "why", "undone"):
        table.add_column(column, overflow="fold")
    for n, row in enumerate(rows, 1):
        detail = row.payload.get("text") or row.payload.get("action") or ""
        why = " — ".join(x for x in (row.why or "", detail) if x)
        table.add_row(_t(n), _t(row.uid, "dim"), _t(row.at), _t(row.by), _t(row.action, "bold"),
                      _t(row.target), _t(why),
                      _t(f"{row.undone_at} by {row.undone_by}" if row.undone_at else ""))  # fmt: skip
    console.print(table)


def review_list(console: Console, items: Iterable[Any]) -> None:
    """The review queue: each doubt, its quote, and the command that settles it."""
    shown = 0
    for n, item in enumerate(items, 1):
        shown += 1
        console.print(Text.assemble(f"{n}. ", _t(item.kind, "bold"), f" (weight {item.weight}) ",
                                    _t(item.reason)))  # fmt: skip
        if item.quote:
            console.print(Text.assemble("   ", _t("“" + " ".join(item.quote.split()) + "”",
                                                  "italic")))  # fmt: skip
        console.print(Text.assemble("   ", _t(item.command, "cyan")))
    if not shown:
        console.print(Text("nothing to review", style="dim"))
