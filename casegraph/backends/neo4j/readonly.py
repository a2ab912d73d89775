"""Ad-hoc Cypher for `casegraph cypher`: read-only queries only, checked by EXPLAIN, with a timeout."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from casegraph.errors import UsageError

# Query types Neo4j reports for EXPLAIN: r (read), rw (read/write), w (write), s (schema/admin).
READ_ONLY = "r"
DEFAULT_TIMEOUT = 30.0
_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFUSED_TEXT = (
    (re.compile(r"\bLOAD\s+CSV\b", re.IGNORECASE), "LOAD CSV reads files or URLs from the server"),
    (re.compile(r"\bCALL\s+dbms\s*\.", re.IGNORECASE), "dbms.* procedures administer the server"),
)
_REFUSED_OPERATORS = {"LoadCSV": "LOAD CSV reads files or URLs from the server"}


def run_readonly(
    store: Any,
    query: str,
    params: dict[str, Any] | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    *,
    max_rows: int | None = None,
) -> tuple[list[str], list[list[Any]]]:
    """(columns, rows) of a read-only Cypher query on a Neo4j store.

    Refused unless Neo4j's EXPLAIN calls the query read-only; LOAD CSV and dbms.* procedures are
    refused as well. Runs in a read transaction, stopped by the server after `timeout` seconds.
    Values come back JSON-friendly: nodes and relationships as their labels/type and properties.
    """
    from casegraph.backends.neo4j.store import Neo4jStore

    if not isinstance(store, Neo4jStore):
        raise UsageError("cypher needs a Neo4j store (--neo4j URI)")
    if timeout is not None and not timeout > 0:
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if max_rows is not None and int(max_rows) < 1:
        raise UsageError(f"max_rows must be at least 1, not {max_rows!r}")
    params = dict(params or {})
    check_text(query)
    check_plan(store, query, params)
    import neo4j
    import neo4j.exceptions as ne

    @neo4j.unit_of_work(timeout=timeout)
    def work(tx: Any) -> tuple[list[str], list[list[Any]]]:
        result = tx.run(query, params)
        columns = list(result.keys())
        rows: list[list[Any]] = []
        for record in result:
            rows.append([plain(v) for v in record.values()])
            if max_rows is not None and len(rows) >= int(max_rows):
                break
        result.consume()
        return columns, rows

    try:
        return store.client.read_tx(work)  # type: ignore[no-any-return]
    except ne.ClientError as e:
        code = e.code or ""
        if "TimedOut" in code or "Terminated" in code:
            raise UsageError(f"query stopped after the {timeout} s timeout") from e
        raise UsageError(f"query failed: {_one_line(e)}") from e


def check_text(query: str) -> None:
    """Refuse, by its text (comments and strings aside), what EXPLAIN would let through."""
    if not query.strip():
        raise UsageError("empty query")
    code = _code_only(query)
    for pattern, why in _REFUSED_TEXT:
        if pattern.search(code):
            raise UsageError(f"refused: {why}; only read-only queries may run here")


def check_plan(store: Any, query: str, params: dict[str, Any]) -> None:
    """Refuse a query that Neo4j's EXPLAIN does not call read-only ('r')."""
    import neo4j.exceptions as ne

    def explain(tx: Any) -> Any:
        return tx.run("EXPLAIN " + query, params).consume()

    try:
        summary = store.client.read_tx(explain)
    except ne.ClientError as e:
        raise UsageError(f"not a valid query: {_one_line(e)}") from e
    kind = summary.query_type
    if kind != READ_ONLY:
        what = {"rw": "reads and writes", "w": "writes", "s": "changes the schema or the server"}
        raise UsageError(
            f"refused: the query {what.get(str(kind), f'is of type {kind!r}')}; "
            "only read-only queries may run here"
        )
    for operator in _operators(summary.plan or {}):
        name = str(operator.get("operatorType", "")).split("@")[0]
        if name in _REFUSED_OPERATORS:
            raise UsageError(f"refused: {_REFUSED_OPERATORS[name]}")
        details = str(operator.get("args", {}).get("Details", ""))
        if name == "ProcedureCall" and re.match(r"\s*dbms\.", details, re.IGNORECASE):
            raise UsageError("refused: dbms.* procedures administer the server")


def parse_params(items: Iterable[str]) -> dict[str, Any]:
    """`--param NAME=VALUE` options as a dict: VALUE as JSON when it parses, else as a string."""
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(
                f"--param {item!r}: expected NAME=VALUE (e.g. --param name='NSO Group')"
            )
        if not _PARAM_NAME.fullmatch(name):
            raise UsageError(
                f"--param {item!r}: {name!r} is not a parameter name (letters, digits, _)"
            )
        if name in out:
            raise UsageError(f"--param {name} is given twice")
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def plain(value: Any) -> Any:
    """A driver value as plain JSON-friendly data."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {
            "labels": sorted(value.labels),
            "properties": {k: plain(v) for k, v in value.items()},
        }
    if isinstance(value, Relationship):
        return {
            "type": value.type,
            "start": value.start_node.get("id") if value.start_node else None,
            "end": value.end_node.get("id") if value.end_node else None,
            "properties": {k: plain(v) for k, v in value.items()},
        }
    if isinstance(value, Path):
        return {"nodes": [plain(n) for n in value.nodes],
                "relationships": [plain(r) for r in value.relationships]}  # fmt: skip
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    iso = getattr(value, "iso_format", None)
    return iso() if callable(iso) else str(value)


def _operators(plan: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield plan
    for child in plan.get("children", ()):
        yield from _operators(child)


def _code_only(query: str) -> str:
    """The query with comments and string literals blanked and backtick quotes removed."""
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if query.startswith("//", i):
            j = query.find("\n", i)
            i = n if j < 0 else j
            out.append(" ")
        elif query.startswith("/*", i):
            j = query.find("*/", i + 2)
            i = n if j < 0 else j + 2
            out.append(" ")
        elif c in "'\"":
            i += 1
            while i < n and query[i] != c:
                i += 2 if query[i] == "\\" else 1
            i += 1
            out.append(" '' ")
        elif c == "`":
            j = i + 1
            name: list[str] = []
            while j < n:
                if query[j] == "`":
                    if query.startswith("``", j):
                        name.append("`")
                        j += 2
                        continue
                    break
                name.append(query[j])
                j += 1
            out.append("".join(name))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _one_line(error: BaseException) -> str:
    message = getattr(error, "message", None) or str(error)
    return " ".join(str(message).split())[:300]
