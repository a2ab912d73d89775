"""Stream the JSON values of a file one by one: bundle objects, array items or JSON Lines."""

from __future__ import annotations

import json
from collections.abc import Container, Iterator
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from casegraph.errors import LoaderError

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
T = TypeVar("T")


def iter_values(path: Path, container_key: str = "objects") -> Iterator[tuple[str, Any]]:
    """(position, value) for each value in the file, position being "line N" or "object N".

    A top-level object holding an array under container_key (a STIX bundle) yields that array's
    items; a top-level array yields its items; otherwise each top-level value is yielded (one
    object, or JSON Lines, which are read line by line so errors name the line). Memory stays
    flat: with ijson installed, objects are parsed one at a time and never the whole file.
    """
    try:
        fh = path.open("rb")
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    with fh:
        first = _first_byte(fh)
        if first is None:
            return
        _rewind(fh)
        if first == b"{":
            if _is_container(fh, container_key):
                yield from _stream(fh, path, f"{container_key}.item")
            elif _first_line_is_json(fh):
                yield from _lines(fh, path, container_key)
            else:
                yield from _stream(fh, path, "", expand=container_key)
        elif first == b"[":
            yield from _stream(fh, path, "item")
        else:
            raise LoaderError(
                f"not JSON: starts with {first!r}, expected '{{' or '['", path=str(path), line=1
            )


def _first_byte(fh: IO[bytes]) -> bytes | None:
    head = fh.read(64).removeprefix(_BOM)
    while head and not head.lstrip(_BLANK):
        head = fh.read(64)
    stripped = head.lstrip(_BLANK)
    return stripped[:1] or None


def _rewind(fh: IO[bytes]) -> None:
    fh.seek(0)
    if fh.read(3) != _BOM:
        fh.seek(0)


def _is_container(fh: IO[bytes], key: str) -> bool:
    """Whether the first top-level object has an array under key (read only until that is known)."""
    ijson = _ijson()
    _rewind(fh)
    try:
        if ijson is None:
            head = fh.read()
            value = json.loads(head.decode("utf-8-sig")) if head.strip() else None
            return isinstance(value, dict) and isinstance(value.get(key), list)
        events = ijson.parse(fh, multiple_values=True)
        depth = 0
        pending = False
        for prefix, event, value in events:
            if pending:
                return bool(event == "start_array")
            if event in ("start_map", "start_array"):
                depth += 1
            elif event in ("end_map", "end_array"):
                depth -= 1
                if depth == 0:
                    return False
            elif event == "map_key" and depth == 1 and prefix == "" and value == key:
                pending = True
    except ValueError:
        # Broken JSON: let the real reading pass report it with its position.
        return False
    finally:
        _rewind(fh)
    return False


def _first_line_is_json(fh: IO[bytes]) -> bool:
    _rewind(fh)
    line = fh.readline()
    while line and not line.strip():
        line = fh.readline()
    _rewind(fh)
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


def _lines(fh: IO[bytes], path: Path, container_key: str) -> Iterator[tuple[str, Any]]:
    for lineno, raw in enumerate(fh, start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as e:
            raise LoaderError(f"invalid JSON: {e}", path=str(path), line=lineno) from e
        inner = value.get(container_key) if isinstance(value, dict) else None
        for item in inner if isinstance(inner, list) else [value]:
            yield f"line {lineno}", item


def _stream(
    fh: IO[bytes], path: Path, prefix: str, expand: str | None = None
) -> Iterator[tuple[str, Any]]:
    ijson = _ijson()
    count = 0
    last_id = None
    try:
        if ijson is None:
            values = _whole_file(fh, prefix)
        else:
            values = ijson.items(fh, prefix, use_float=True, multiple_values=True)
        for value in values:
            inner = value.get(expand) if expand and isinstance(value, dict) else None
            for item in inner if isinstance(inner, list) else [value]:
                count += 1
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    last_id = item["id"]
                yield f"object {count}", item
    except _errors(ijson) as e:
        after = (
            f"after object {count}" + (f" ({last_id})" if last_id else "") if count else "at start"
        )
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LoaderError(f"truncated or invalid JSON {after}: {reason}", path=str(path)) from e


def _whole_file(fh: IO[bytes], prefix: str) -> list[Any]:
    """Without ijson: the values parsed from the whole file at once (memory grows with the file)."""
    value = json.loads(fh.read().decode("utf-8-sig"))
    if prefix == "":
        return [value]
    container = value
    if prefix.endswith(".item") and isinstance(value, dict):
        container = value.get(prefix.split(".")[0])
    return list(container) if isinstance(container, list) else [container]


def _errors(ijson: Any) -> tuple[type[Exception], ...]:
    """The exceptions that mean the JSON is broken: json's and ijson's."""
    found: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError)
    return found + ((ijson.JSONError,) if ijson is not None else ())


def _ijson() -> Any:
    try:
        import ijson
    except ImportError:  # pragma: no cover - ijson is a declared dependency
        return None
    return ijson


class Waiting(Generic[T]):
    """Relations read before their ends, held until the end of the file, at most `limit` of them.

    Past the limit, relations whose ends are unknown are no longer held: the reader notes where
    that began (overflow_at, a record number) and reads the file a second time from there, so
    memory stays bounded however the file is ordered. A relation of record k was settled in the
    first pass exactly when both its ends were defined before k; `later` keeps the record number
    of the ids defined after the overflow so the second pass can tell.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[T] = []
        self.overflow_at: int | None = None
        self.later: dict[str, int] = {}

    def defined(self, xid: str, record: int) -> None:
        """Note that record defines xid (only needed once the limit was passed)."""
        if self.overflow_at is not None:
            self.later[xid] = record

    def hold(self, items: list[T], record: int) -> None:
        """Keep one record's waiting relations, or leave them to the second pass."""
        if self.overflow_at is None and len(self.items) + len(items) <= self.limit:
            self.items.extend(items)
        elif self.overflow_at is None:
            self.overflow_at = record

    def settled(self, xid: str, record: int, known: Container[str]) -> bool:
        """Whether xid was defined before record (so the first pass dealt with the relation)."""
        return xid in known and self.later.get(xid, -1) < record
