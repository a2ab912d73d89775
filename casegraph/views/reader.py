"""Reader pages: a document with its entities marked and the cited passage in view, or a timeline."""

from __future__ import annotations

import itertools
from importlib import resources
from pathlib import Path
from typing import Any

from casegraph.errors import CasegraphError
from casegraph.views.files import atomic_text
from casegraph.views.html_page import csp_hash

_CLOSING = ("</script", "</style", "<!--")


def _asset(name: str, inlined: bool = True) -> str:
    text = resources.files("casegraph.views").joinpath("templates", name).read_text("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if inlined and any(c in text.lower() for c in _CLOSING):
        raise CasegraphError(f"{name} cannot be inlined safely (contains a closing tag)")
    return text


def _page(title: str, **context: Any) -> str:
    from jinja2 import Environment, StrictUndefined
    from markupsafe import Markup

    style, script = _asset("reader.css"), _asset("reader.js")
    csp = "; ".join([
        "default-src 'none'",
        f"script-src {csp_hash(script)}",
        f"style-src {csp_hash(style)}",
        "img-src 'none'",
        "connect-src 'none'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ])  # fmt: skip
    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    template = env.from_string(_asset("reader.html.j2", inlined=False))
    defaults: dict[str, Any] = {"segments": None, "rows": None, "legend": [], "meta": []}
    return template.render(title=title, csp=csp, style=Markup(style), script=Markup(script),
                           **{**defaults, **context})  # fmt: skip


def segments(
    text: str, marks: list[tuple[int, int, str, str]], cited: tuple[int, int] | None
) -> list[dict[str, str]]:
    """The text cut into plain runs and marked names (start, end, type, title; not overlapping),
    with markers where the cited span opens and closes."""
    cuts = {0, len(text)} | ({cited[0], cited[1]} if cited else set())
    for a, b, _, _ in marks:
        cuts |= {a, b}
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    ordered = sorted(marks)
    out: list[dict[str, str]] = []
    j = 0
    for a, b in itertools.pairwise(bounds):
        if cited and a == cited[0]:
            out.append({"kind": "open-cited"})
            if cited[1] == a:
                out.append({"kind": "close-cited"})
        while j < len(ordered) and ordered[j][1] <= a:
            j += 1
        if j < len(ordered) and ordered[j][0] <= a < ordered[j][1]:
            _, _, etype, title = ordered[j]
            out.append({"kind": "entity", "text": text[a:b], "type": etype, "title": title})
        else:
            out.append({"kind": "text", "text": text[a:b]})
        if cited and b == cited[1] and cited[0] < b:
            out.append({"kind": "close-cited"})
    if cited and cited[0] >= len(text):
        out += [{"kind": "open-cited"}, {"kind": "close-cited"}]
    return out


def reader_page(found: Any) -> str:
    """The reader page of a casegraph.queries.source.SourcePassage (its whole text)."""
    doc = found.document
    marks = [(m.start, m.end, m.type, f"{m.name} ({m.type}, {m.entity_id})") for m in found.marks]
    meta = [f"document {doc.id[:12]}", doc.path]
    if doc.published:
        meta.append(f"published {doc.published}")
    if found.evidence is not None:
        meta.append(f"evidence {found.evidence.id}: {found.evidence.extractor}")
    text = found.text
    if not text and found.evidence is not None:  # a structured source: the quote is the passage
        text = found.evidence.quote or found.evidence.cite()
        marks, cited = [], (0, len(text))
    else:
        cited = found.cited
    legend = sorted({m[2] for m in marks})
    return _page(doc.title, meta=meta, legend=legend, segments=segments(text, marks, cited))


def timeline_page(result: Any) -> str:
    """The page of a casegraph.queries.timeline.Timeline: one row per fact, undated ones last."""
    rows = []
    for undated, moments in ((False, result.dated), (True, result.undated)):
        for m in moments:
            arrow = "→" if m.direction == "out" else "←"
            rows.append({
                "undated": undated, "date": m.date or "undated",
                "fact": f"{m.type} {arrow} {m.other.name}",
                "quote": m.evidence.quote, "source": m.evidence.cite(), "evidence": m.evidence.id,
            })  # fmt: skip
    meta = [f"{len(result.dated)} dated, {len(result.undated)} undated"]
    if not result.window.open:
        meta.append(f"from {result.window.since or '…'} to {result.window.until or '…'}")
    return _page(f"Timeline: {result.entity.name}", meta=meta, rows=rows)


def write_page(html: str, path: Path, *, replace: bool = False) -> None:
    """Write a page whole or not at all (casegraph.safefile); an existing file is replaced only
    with replace (--force)."""
    with atomic_text(Path(path), replace=replace) as fh:
        fh.write(html)
