"""The JSON API of casegraph serve: each endpoint one thin call of a library function."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from casegraph.errors import UsageError
from casegraph.graph.store import Store

# Query parameters: name -> list of values (repeatable parameters keep every value).
Params = Mapping[str, Sequence[str]]
# Entities a page asks to expand at once, and the most neighbours one expansion adds.
EXPAND_LIMIT = 60
SEARCH_LIMIT = 100


@dataclass(frozen=True)
class Endpoint:
    """One API call: its path, method, what it answers and its parameters (for the OpenAPI)."""

    path: str
    method: str
    summary: str
    params: tuple[tuple[str, str, bool], ...]  # (name, description, required)
    run: Callable[[Store, Params], Any]
    writes: bool = False


def one(params: Params, name: str, default: str | None = None) -> str:
    values = params.get(name) or ()
    if not values or not values[-1].strip():
        if default is not None:
            return default
        raise UsageError(f"missing parameter {name!r}")
    if len(values[-1]) > 1000:
        raise UsageError(f"parameter {name!r} is longer than 1000 characters")
    return values[-1]


def number(params: Params, name: str, default: int, low: int, high: int) -> int:
    text = one(params, name, str(default))
    try:
        value = int(text)
    except ValueError:
        raise UsageError(f"parameter {name!r} must be a whole number, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise UsageError(f"parameter {name!r} must be between {low} and {high}, not {value}")
    return value


def flag(params: Params, name: str) -> bool:
    text = one(params, name, "false").lower()
    if text not in ("true", "false", "1", "0", "yes", "no"):
        raise UsageError(f"parameter {name!r} must be true or false, not {text[:40]!r}")
    return text in ("true", "1", "yes")


def many(params: Params, name: str) -> tuple[str, ...]:
    return tuple(v for v in params.get(name, ()) if v.strip())


def search(store: Store, params: Params) -> Any:
    limit = number(params, "limit", 20, 1, SEARCH_LIMIT)
    hits = store.search(one(params, "q"), limit=limit)
    return {"results": [{**row.brief(), "score": round(score, 4)} for row, score in hits]}


def show(store: Store, params: Params) -> Any:
    row = store.resolve(one(params, "entity"))
    return {**row.as_dict(), "relations": [r.as_dict() for r in store.relations_of(row.id)],
            "documents": store.documents_of(row.id)}  # fmt: skip


def path(store: Store, params: Params) -> Any:
    from casegraph.queries.options import PathOptions
    from casegraph.queries.paths import find_paths

    options = PathOptions(max_hops=number(params, "max_hops", 6, 1, 10),
                          mode="k" if "k" in params else "shortest",
                          k=number(params, "k", 3, 1, 20), rel_types=many(params, "rel"),
                          no_weak=flag(params, "no_weak"))  # fmt: skip
    return find_paths(store, one(params, "a"), one(params, "b"), options).as_dict()


def neighbors(store: Store, params: Params) -> Any:
    from casegraph.queries.neighbors import neighbors as run
    from casegraph.queries.options import NeighborOptions

    options = NeighborOptions(depth=number(params, "depth", 1, 1, 4), types=many(params, "type"),
                              rel_types=many(params, "rel"), no_weak=flag(params, "no_weak"),
                              limit=number(params, "limit", 100, 1, 10_000))  # fmt: skip
    return run(store, one(params, "entity"), options).as_dict()


def common(store: Store, params: Params) -> Any:
    from casegraph.queries.common import common as run
    from casegraph.queries.options import CommonOptions

    options = CommonOptions(depth=number(params, "depth", 1, 1, 3),
                            no_weak=flag(params, "no_weak"))  # fmt: skip
    return run(store, many(params, "entity"), options).as_dict()


def expand(store: Store, params: Params) -> Any:
    """An entity's neighbours as the view page draws them (nodes, edges, details), to add."""
    from casegraph.queries.neighbors import neighbors as run
    from casegraph.queries.options import NeighborOptions
    from casegraph.views.html import page_data

    limit = number(params, "limit", EXPAND_LIMIT, 1, 1000)
    sub = run(store, one(params, "entity"), NeighborOptions(depth=1, limit=limit))
    data = page_data(sub, title="expand", max_nodes=limit + 1)
    return {key: data[key] for key in ("nodes", "edges", "details", "counts")} | {
        "center": sub.centers[0] if sub.centers else None}  # fmt: skip


def _window(params: Params) -> Any:
    from casegraph.dates import window

    since = one(params, "since", "") or None
    until = one(params, "until", "") or None
    return window(since, until)


def find(store: Store, params: Params) -> Any:
    """Full-text search of the documents (casegraph find)."""
    from casegraph.queries.find import find as run

    source = one(params, "source", "") or None
    return run(store, one(params, "q"), source=source, window=_window(params),
               limit=number(params, "limit", 20, 1, 100)).as_dict()  # fmt: skip


def timeline(store: Store, params: Params) -> Any:
    """An entity's facts in date order (casegraph timeline)."""
    from casegraph.queries.timeline import timeline as run

    return run(store, one(params, "entity"), window=_window(params)).as_dict()


def decisions(store: Store, params: Params) -> Any:
    limit = number(params, "limit", 200, 1, 100_000)
    rows = store.decisions()[-limit:]
    return {"decisions": [r.as_dict() for r in rows]}


def review(store: Store, body: Mapping[str, Any]) -> Any:
    """One decision from the page: confirm, reject, retype, split or note (as the CLI)."""
    from casegraph.graph import decisions as d

    def text(name: str, required: bool = True) -> str | None:
        value = body.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip() or len(value) > 10_000:
            raise UsageError(f"field {name!r} must be a non-empty string")
        return value

    action = text("action")
    target = text("target")
    assert action is not None and target is not None
    why, by = text("why", False), text("by", False)
    if action == "confirm":
        record = d.confirm(store, target, why=why, by=by)
    elif action == "reject":
        record = d.reject(store, target, why=why, by=by)
    elif action == "note":
        record = d.note(store, target, text("text") or "", why=why, by=by)
    elif action == "retype":
        record = d.retype(store, target, text("type") or "", force=body.get("force") is True,
                          why=why, by=by)  # fmt: skip
    elif action == "split":
        names = body.get("names")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise UsageError("field 'names' must be a non-empty list of names")
        record, _new = d.split(store, target, names, why=why, by=by)
    else:
        raise UsageError(f"unknown action {action!r}; valid: confirm, reject, retype, split, note")
    return {"decision": record.as_dict()}


ENDPOINTS = (
    Endpoint("/api/search", "get", "Entities whose names match a text, best first",
             (("q", "the text", True), ("limit", "at most this many (1-100)", False)), search),
    Endpoint("/api/show", "get", "An entity with its relations, evidence and documents",
             (("entity", "id, name or alias", True),), show),
    Endpoint("/api/path", "get", "How entity a connects to entity b, every hop cited",
             (("a", "an entity", True), ("b", "another entity", True),
              ("max_hops", "1-10", False), ("k", "the k shortest paths (1-20)", False),
              ("rel", "only this relation type (repeatable)", False),
              ("no_weak", "true: leave out MENTIONED_WITH", False)), path),
    Endpoint("/api/neighbors", "get", "Who is within depth hops of an entity",
             (("entity", "an entity", True), ("depth", "1-4", False),
              ("type", "only this entity type (repeatable)", False),
              ("rel", "only this relation type (repeatable)", False),
              ("no_weak", "true: leave out MENTIONED_WITH", False),
              ("limit", "keep this many (1-10000)", False)), neighbors),
    Endpoint("/api/common", "get", "What two or more entities have in common",
             (("entity", "an entity (give two or more)", True), ("depth", "1-3", False),
              ("no_weak", "true: leave out MENTIONED_WITH", False)), common),
    Endpoint("/api/expand", "get", "An entity's neighbours as the page draws them",
             (("entity", "an entity", True), ("limit", "at most this many (1-1000)", False)),
             expand),
    Endpoint("/api/find", "get", "Documents whose text matches a query (words, \"phrases\", "
             "prefix*, AND/OR/NOT), best first, with snippets",
             (("q", "the query", True), ("source", "only this document or file", False),
              ("since", "dated on or after (YYYY, YYYY-MM or YYYY-MM-DD)", False),
              ("until", "dated on or before", False), ("limit", "1-100", False)), find),
    Endpoint("/api/timeline", "get", "An entity's facts in date order, undated ones apart",
             (("entity", "an entity", True), ("since", "dated on or after", False),
              ("until", "dated on or before", False)), timeline),
    Endpoint("/api/decisions", "get", "The investigator's decisions, oldest first",
             (("limit", "the last this many", False),), decisions),
)  # fmt: skip
