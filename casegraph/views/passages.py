"""Terminal rendering of sources and time: search hits, a passage with its names marked, a timeline."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from casegraph.errors import printable

ENTITY_STYLE = "bold cyan"
HIT_STYLE = "bold yellow"
CITED_STYLE = "underline"


def _plain(text: str) -> str:
    """Source text for one terminal line: white space collapsed, control characters escaped."""
    return printable(" ".join(text.split()))


def _marked(text: str, base: int, spans: list[tuple[int, int, str]]) -> Text:
    """text (which starts at offset `base` of its document) with the spans styled; every piece
    goes through printable(), so no source character reaches the terminal as markup or control."""
    out = Text()
    at = base
    for a, b, style in sorted(spans):
        if a < at or b <= a:
            continue
        out.append(_plain_keep(text[at - base : a - base]))
        out.append(_plain_keep(text[a - base : b - base]), style=style)
        at = b
    out.append(_plain_keep(text[at - base :]))
    return out


def _plain_keep(text: str) -> str:
    """Like _plain, but keeps one space where the text had white space at its ends."""
    if not text:
        return ""
    inner = _plain(text)
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and inner else ""
    return lead + inner + trail


def find_view(console: Console, result: Any) -> None:
    """One block per hit: rank, score, title, date, document id and offsets, then the snippet
    with the query's words marked, then the entities named in it."""
    if not result.hits:
        console.print(Text(printable(f"no match for {result.query!r}")))
        return
    for i, hit in enumerate(result.hits, 1):
        head = Text(f"{i}. ", style="bold")
        head.append(printable(hit.title), style="bold")
        head.append(printable(f"  [{hit.published or 'undated'}; {hit.document_id[:12]}; "
                              f"chars {hit.start}-{hit.end}; score {hit.score:.3f}]"),
                    style="dim")  # fmt: skip
        console.print(head)
        line = Text("   … ")
        line.append_text(_marked(hit.snippet, hit.start, [(a, b, HIT_STYLE) for a, b in hit.hits]))
        line.append(" …")
        console.print(line)
        if hit.entities:
            names = ", ".join(f"{e.name} ({e.type})" for e in hit.entities)
            console.print(Text(printable(f"   names: {names}"), style="dim"))
    more = result.matched - len(result.hits)
    tail = (f"{'at least ' if not result.complete else ''}{result.matched} matching "
            f"document{'s' if result.matched != 1 else ''}")  # fmt: skip
    if more > 0:
        tail += f"; {more} more (--limit)"
    if result.ranked < result.matched:
        tail += f"; ranked the first {result.ranked} by document id"
    console.print(Text(tail, style="dim"))


def source_view(console: Console, found: Any) -> None:
    """The document's title and id, then the passage with names marked and the cited part
    underlined, then the names it holds and the evidence item if one was asked for."""
    doc = found.document
    head = Text(printable(doc.title), style="bold")
    head.append(printable(f"  [{doc.published or 'undated'}; {doc.id[:12]}; {doc.path}]"),
                style="dim")  # fmt: skip
    console.print(head)
    if found.evidence is not None:
        ev = found.evidence
        console.print(Text(printable(f"evidence {ev.id}: {ev.cite()}; {ev.extractor}"),
                           style="dim"))  # fmt: skip
    if not found.text:
        quote = found.evidence.quote if found.evidence is not None else ""
        console.print(Text(printable(f"“{' '.join(quote.split())}”" if quote else
                                     "(this source keeps no text)"), style="italic"))  # fmt: skip
        return
    spans = [(m.start, m.end, ENTITY_STYLE) for m in found.marks]
    body = _marked(found.passage, found.start, spans)
    if found.cited:
        a, b = (max(found.cited[0], found.start) - found.start,
                min(found.cited[1], found.end) - found.start)  # fmt: skip
        if b > a:
            _underline(body, found.passage, a, b)
    prefix = "… " if found.start > 0 else ""
    suffix = " …" if found.end < len(found.text) else ""
    console.print(Text(prefix) + body + Text(suffix))
    console.print(Text(f"chars {found.start}-{found.end} of {len(found.text)}", style="dim"))
    if found.marks:
        names = ", ".join(dict.fromkeys(f"{m.name} ({m.type})" for m in found.marks))
        console.print(Text(printable(f"names: {names}"), style="dim"))


def _underline(body: Text, raw: str, a: int, b: int) -> None:
    """Underline the part of a rendered passage that came from raw[a:b] (white space in the
    rendering is collapsed, so positions are mapped through the collapsed prefix)."""
    start = len(_plain_keep(raw[:a])) if a else 0
    end = len(_plain_keep(raw[:b]))
    body.stylize(CITED_STYLE, start, max(start, min(end, len(body.plain))))


def timeline_view(console: Console, result: Any) -> None:
    """One line per fact, oldest first: date, fact, quote, source and evidence id; undated apart."""
    console.print(Text(printable(f"{result.entity.name} ({result.entity.type})"), style="bold"))
    if not result.dated and not result.undated:
        console.print(Text("no facts" + (" in the window" if not result.window.open else "")))
    for m in result.dated:
        console.print(_moment(m, m.date))
    if result.undated:
        console.print(Text(f"undated ({len(result.undated)}):", style="bold"))
        for m in result.undated:
            console.print(_moment(m, "          "))


def _moment(m: Any, date: str) -> Text:
    arrow = "→" if m.direction == "out" else "←"
    line = Text(f"{date}  ", style="bold")
    line.append(printable(f"{m.type} {arrow} {m.other.name}"))
    if m.valid_from or m.valid_until:
        line.append(printable(f" (valid {m.valid_from or '…'} to {m.valid_until or '…'})"),
                    style="dim")  # fmt: skip
    if m.status == "rejected":
        line.append(" [rejected]", style="red")
    if m.evidence.quote:
        line.append(printable(f"  “{' '.join(m.evidence.quote.split())}”"), style="italic")
    line.append(printable(f"  [{m.evidence.cite()}; {m.evidence.id}]"), style="dim")
    return line
