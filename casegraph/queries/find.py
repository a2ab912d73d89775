"""Which documents say it: full-text search over what was loaded, ranked, each hit with its passage.

The answer does not depend on the backend: the store's index (FTS5 or Lucene, both over
casegraph.fulltext's own tokens) only proposes candidates; each is checked with casegraph's own
matcher and ranked by BM25 over casegraph's own counts, ties by document id. At most
MAX_RANKED candidates are checked and ranked (the first by document id, after --source and the
date window); the result says how many matched in all (for a query with NOT, that at least
MAX_RANKED did when it stopped there), so a cut is never silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from casegraph.dates import Window
from casegraph.errors import UsageError
from casegraph.fulltext import (
    Node,
    Term,
    TextRow,
    bm25_of,
    count,
    first_hit,
    hit_spans,
    parse_query,
    satisfied,
    spaced,
    terms,
    tokens,
)
from casegraph.graph.store import Store

MAX_RANKED = 1000
MAX_LIMIT = 1000
CONTEXT = 120  # characters of text each side of the first hit


@dataclass(frozen=True)
class Named:
    """An entity named in a passage."""

    id: str
    name: str
    type: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "type": self.type}


@dataclass(frozen=True)
class FindHit:
    """A document that matches: its score, the passage around its first hit (offsets into the
    document's text), where the query's terms occur in it, and the entities it names."""

    document_id: str
    title: str
    path: str
    published: str | None
    score: float
    snippet: str
    start: int
    end: int
    hits: tuple[tuple[int, int], ...]
    entities: tuple[Named, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "path": self.path,
            "published": self.published,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "start": self.start,
            "end": self.end,
            "hits": [list(h) for h in self.hits],
            "entities": [e.as_dict() for e in self.entities],
        }


@dataclass(frozen=True)
class FindResult:
    """The documents a query finds, best first; `matched` counts every match (a lower bound when
    not `complete`), `ranked` how many were ranked (all unless more than MAX_RANKED matched)."""

    query: str
    hits: tuple[FindHit, ...]
    matched: int
    ranked: int
    window: Window = field(default_factory=Window)
    source: str | None = None
    complete: bool = True  # False: a NOT query stopped checking at MAX_RANKED matches

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "matched": self.matched,
            "matched_at_least": not self.complete,
            "ranked": self.ranked,
            "since": self.window.since,
            "until": self.window.until,
            "source": self.source,
            "hits": [h.as_dict() for h in self.hits],
        }


def _of_source(row: TextRow, source: str) -> bool:
    return row.id.startswith(source) or row.path == source or PurePath(row.path).name == source


def find(
    store: Store,
    query: str,
    *,
    source: str | None = None,
    window: Window | None = None,
    limit: int = 20,
) -> FindResult:
    """The documents whose text satisfies the query (words, "phrases", prefix*, AND / OR /
    NOT, parentheses), best first, at most `limit`; only those of `source` (a document id or
    its prefix, a path or a file name) and dated in `window` when given."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"--limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    node = parse_query(query)
    win = window or Window()
    index = store.fulltext()
    rows = index.candidates(node)
    if source:
        rows = [r for r in rows if _of_source(r, source)]
    if not win.open:
        rows = [r for r in rows if win.holds(r.published)]
    negated = any(neg for _, neg in terms(node))
    # Without NOT, the candidates are the matches (both indexes hold casegraph's own tokens, and
    # words, phrases, prefixes, AND and OR mean the same to them); with NOT, candidates are
    # checked in order until MAX_RANKED match, and the count is then a lower bound.
    scored: list[tuple[float, TextRow]] = []
    documents, total = index.totals() if rows else (0, 0)
    average = total / documents if documents else 1.0
    df = {t: index.frequency(t) for t, neg in terms(node) if not neg} if rows else {}
    wanted = [t for t, _ in terms(node)]
    seen = 0
    step = max(1, min(index.batch, MAX_RANKED if not negated else len(rows)))
    for start in range(0, len(rows), step):
        if len(scored) >= MAX_RANKED:
            break
        batch = rows[start : start + step]
        found = index.counts(batch, wanted)
        for row in batch:
            seen += 1
            counted = found.get(row.id)
            if counted is None or not satisfied(node, counted.tf):
                continue
            score = bm25_of(node, counted.tf, counted.length, documents, average, df)
            scored.append((score, row))
            if len(scored) >= MAX_RANKED:
                break
    complete = not negated or seen == len(rows)
    matched = len(scored) if negated else len(rows)
    scored.sort(key=lambda item: (-item[0], item[1].id))
    hits = tuple(_hit(store, node, score, row) for score, row in scored[:limit])
    return FindResult(query, hits, matched, len(scored), win, source, complete)


def _hit(store: Store, node: Node, score: float, row: TextRow) -> FindHit:
    text = store.document_text(row.id) or ""
    first = first_hit(node, text) or (0, 0)
    a, b = passage(text, first[0], first[1])
    inside = tuple((x + a, y + a) for x, y in hit_spans(node, text[a:b]))
    return FindHit(row.id, row.title, row.path, row.published, score, text[a:b], a, b, inside,
                   named_in(store, row.id, text[a:b]))  # fmt: skip


def passage(text: str, start: int, end: int, context: int = CONTEXT) -> tuple[int, int]:
    """The offsets of a passage around text[start:end], widened to whole words."""
    a = max(0, start - context)
    b = min(len(text), end + context)
    while a > 0 and not text[a - 1].isspace() and start - a < context + 30:
        a -= 1
    while b < len(text) and not text[b].isspace() and b - end < context + 30:
        b += 1
    return a, b


def named_in(store: Store, document_id: str, passage_text: str) -> tuple[Named, ...]:
    """The entities the document mentions whose name or an alias occurs in the passage."""
    doc = spaced(" ".join(tokens(passage_text)))
    out: list[Named] = []
    for entity_id, name, etype, names in store.fulltext().mentioned(document_id):
        for candidate in dict.fromkeys([name, *names]):
            words = tuple(tokens(candidate))
            if words and (len(words) > 1 or len(words[0]) > 2) and count(Term(words), doc):
                out.append(Named(entity_id, name, etype))
                break
    return tuple(out)
