"""Markdown briefs: how two entities connect, every hop quoted with its source."""

from __future__ import annotations

import re

from casegraph.graph.schema import load_schema
from casegraph.queries.results import Edge, Node, Path, PathResult

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")
QUOTES_PER_HOP = 2


def md(text: str) -> str:
    """Text safe to paste into Markdown: specials escaped, white space folded."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def arrow(rtype: str, forward: bool) -> str:
    """`-[TYPE]->` read along the relation, `<-[TYPE]-` against it, `-[TYPE]-` for an undirected
    one (MENTIONED_WITH)."""
    if load_schema().relation_type(rtype).weak:
        return f"-[{rtype}]-"
    return f"-[{rtype}]->" if forward else f"<-[{rtype}]-"


def hop_arrow(edge: Edge, left: Node) -> str:
    """The arrow of a path hop, read from `left`."""
    return arrow(edge.type, edge.source == left.id)


def chain(path: Path) -> str:
    """The path as one line: `A -[T]-> B <-[U]- C`."""
    parts = [path.nodes[0].name]
    for i, edge in enumerate(path.edges):
        parts += [hop_arrow(edge, path.nodes[i]), path.nodes[i + 1].name]
    return " ".join(parts)


def brief(result: PathResult) -> str:
    """The brief: a heading, the distance, then each path hop by hop with its quotes."""
    src, dst = result.source, result.target
    lines = [f"# How is {md(src.name)} connected to {md(dst.name)}?", ""]
    if not result.paths:
        lines.append(f"No path joins {md(src.name)} ({src.type}) and {md(dst.name)} ({dst.type}) "
                     "within the given bounds.")  # fmt: skip
        return "\n".join(lines) + "\n"
    shortest = result.paths[0].length
    lines.append(
        f"{md(src.name)} ({src.type}) and {md(dst.name)} ({dst.type}) are {shortest} "
        f"hop{'s' if shortest != 1 else ''} apart; {len(result.paths)} path"
        f"{'s' if len(result.paths) != 1 else ''} below, the most informative first."
    )
    for n, path in enumerate(result.paths, 1):
        lines += ["", f"## Path {n}: {path.length} hop{'s' if path.length != 1 else ''}", "",
                  f"`{chain(path).replace('`', '')}`", ""]  # fmt: skip
        for i, edge in enumerate(path.edges):
            left, right = path.nodes[i], path.nodes[i + 1]
            lines.append(f"{i + 1}. **{md(left.name)}** {md(hop_arrow(edge, left))} "
                         f"**{md(right.name)}** ({edge.status or 'unreviewed'}; relation "
                         f"{md(edge.id)})")  # fmt: skip
            for ev in edge.evidence[:QUOTES_PER_HOP]:
                quote = f"“{md(ev.quote)}” " if ev.quote else ""
                lines.append(f"   - {quote}— {md(ev.cite())} ({md(ev.id)})" if ev.id
                             else f"   - {quote}— {md(ev.cite())}")  # fmt: skip
            if len(edge.evidence) > QUOTES_PER_HOP:
                more = len(edge.evidence) - QUOTES_PER_HOP
                lines.append(f"   - and {more} more source{'s' if more != 1 else ''}")
            if not edge.evidence:
                lines.append("   - (no evidence recorded)")
    return "\n".join(lines) + "\n"
