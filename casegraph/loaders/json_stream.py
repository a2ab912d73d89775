"""Stream the JSON values of a file one by one (bundle objects, array items or JSON Lines), with
the limits that keep hostile JSON harmless: nesting depth, line length, strict values."""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterator
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from casegraph.errors import LoaderError, shown
from casegraph.loaders.base import MAX_LINE_BYTES, read_lines

_BLANK = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
T = TypeVar("T")

# Deepest nesting of arrays and objects accepted. Real sources stay under 10; deeper input only
# serves to exhaust the stack (json) or memory (ijson's C backend keeps a prefix per level, so
# its memory grows with the square of the depth: 100,000 levels in 200 KB took 25 GB).
MAX_DEPTH = 100
# What each line of a JSON Lines file holds (named when a line is too long).
JSONL_RECORD = "a JSON Lines record"
# Largest integer accepted (a signed 64-bit one, what SQLite and Neo4j store).
MAX_INT = 2**63 - 1
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A run of backslashes, then u and a surrogate code unit, then maybe a low one (a valid pair).
_SURROGATE_BYTES = re.compile(
    rb"(\\+)u[dD]([89a-fA-F])[0-9a-fA-F]{2}(\\u[dD][c-fC-F][0-9a-fA-F]{2})?"
)
_HIGH = b"89abAB"
# Bytes after a match's backslashes that a complete match needs (uDxxx and a \uDxxx after it).
_TAIL = 12


class Nesting:
    """The nesting depth of JSON fed to it chunk by chunk (strings skipped, at C speed)."""

    def __init__(self, limit: int = MAX_DEPTH) -> None:
        self.limit = limit
        self.depth = 0
        self.in_string = False
        self.escaped = False  # the previous chunk ended inside a string on a lone backslash

    def feed(self, chunk: bytes) -> bool:
        """Take the next bytes; False once the nesting went deeper than the limit."""
        rest = chunk
        if self.in_string:
            if self.escaped and rest:
                rest, self.escaped = rest[1:], False
            end = _string_end(rest)
            if end < 0:
                self.escaped = _odd_backslashes(rest)
                return True
            self.in_string = False
            rest = rest[end:]
        outside = _STRING.sub(b"", rest)
        quote = outside.find(b'"')
        if quote >= 0:  # a string opens here and goes on in the next chunk
            self.in_string = True
            self.escaped = _odd_backslashes(outside[quote + 1 :])
            outside = outside[:quote]
        brackets = outside.translate(None, _NOT_BRACKET)
        opens = brackets.count(b"[") + brackets.count(b"{")
        if self.depth + opens <= self.limit:  # cannot get too deep within this chunk
            self.depth = max(0, self.depth + 2 * opens - len(brackets))
            return True
        for b in brackets:
            if b in b"[{":
                self.depth += 1
                if self.depth > self.limit:
                    return False
            elif self.depth:
                self.depth -= 1
        return True


def _string_end(data: bytes) -> int:
    """The index just past the quote that closes a string already open at data's start, or -1."""
    i = 0
    while True:
        q = data.find(b'"', i)
        if q < 0:
            return -1
        before = data[i:q]
        if (len(before) - len(before.rstrip(b"\\"))) % 2 == 0:
            return q + 1
        i = q + 1


def _odd_backslashes(data: bytes) -> bool:
    return (len(data) - len(data.rstrip(b"\\"))) % 2 == 1


def too_deep(text: bytes | str, limit: int = MAX_DEPTH) -> bool:
    """Whether a JSON text nests arrays and objects deeper than limit."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return not Nesting(limit).feed(data)


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(value := int(text)) > MAX_INT:
        raise ValueError(f"integer {text[:24]}{'...' if len(text) > 24 else ''} is out of range")
    return value


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"number {text[:24]} is out of range")
    return value


def _constant(text: str) -> Any:
    raise ValueError(f"{text} is not a JSON value")


def parse_json(text: bytes | str) -> Any:
    """One JSON text, strictly: ValueError (naming the fault) for malformed JSON, nesting deeper
    than MAX_DEPTH, NaN/Infinity, integers beyond 64 bits and lone UTF-16 surrogates."""
    if too_deep(text):
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:  # pragma: no cover - too_deep refuses such input first
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels") from None
    raw = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if _SURROGATE_ESCAPE.search(raw):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a string holds a lone UTF-16 surrogate (not valid Unicode)") from None
    return value


class Surrogates:
    """Finds a lone UTF-16 surrogate escape (\\ud800 not followed by a low half, or a low half
    alone) in JSON bytes fed chunk by chunk. ijson's C backend turns one into '?' silently."""

    def __init__(self) -> None:
        self.carry = b""  # the end of the bytes fed so far, where a match may be incomplete
        self.lines = 0  # newlines before `carry`

    def feed(self, chunk: bytes, final: bool = False) -> int | None:
        """Take the next bytes: the line (1-based) of a lone surrogate escape, else None. The
        escape is found in the chunk that holds it (ijson fails on that chunk); only an escape
        cut by the chunk's end, or a high half whose low half may follow, waits for the next."""
        data = self.carry + chunk
        if b"\\" not in data:
            self.lines += data.count(b"\n")
            self.carry = b""
            return None
        pos, keep = 0, len(data)
        while m := _SURROGATE_BYTES.search(data, pos):
            if len(m.group(1)) % 2 == 0:  # an escaped backslash, then a plain 'u'
                pos = m.start(3) if m.group(3) else m.end()
                continue
            if m.group(2) in _HIGH and not m.group(3):
                if not final and len(data) - m.end() < 6:
                    keep = m.start()  # its low half may be in the next chunk
                    break
                return self.where(data, m.start())
            if m.group(2) not in _HIGH:
                return self.where(data, m.start())  # a low half alone
            pos = m.end()
        if keep == len(data) and not final:  # an escape may be cut by the chunk's end
            cut = data.rfind(b"\\", max(pos, len(data) - _TAIL))
            if cut >= 0:
                while cut > pos and data[cut - 1 : cut] == b"\\":
                    cut -= 1
                keep = cut
        self.lines += data.count(b"\n", 0, keep)
        self.carry = data[keep:]
        return None

    def where(self, data: bytes, at: int) -> int:
        return self.lines + data.count(b"\n", 0, at) + 1


class _Guarded:
    """A binary file whose reads stop with a LoaderError once the JSON nests too deep or holds
    a lone UTF-16 surrogate escape."""

    def __init__(self, fh: IO[bytes], path: Path) -> None:
        self.fh = fh
        self.path = path
        self.nesting = Nesting()
        self.surrogates = Surrogates()

    def read(self, size: int = -1) -> bytes:
        chunk = self.fh.read(size)
        if not self.nesting.feed(chunk):
            raise LoaderError(f"JSON nested deeper than {MAX_DEPTH} levels", path=str(self.path))
        line = self.surrogates.feed(chunk, final=not chunk)
        if line is not None:
            raise LoaderError(
                "invalid JSON: a string holds a lone UTF-16 surrogate (not valid Unicode)",
                path=str(self.path), line=line,
            )  # fmt: skip
        return chunk


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
            value = parse_json(head.decode("utf-8-sig")) if head.strip() else None
            return isinstance(value, dict) and isinstance(value.get(key), list)
        # use_float: numbers as C doubles and long longs (beyond them, a parse error); without
        # it, ijson's C backend crashes the process (SIGSEGV) on an integer of over 4,300 digits
        events = ijson.parse(_Guarded(fh, Path("")), multiple_values=True, use_float=True)
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
    except _errors(ijson, LoaderError):
        # Broken or too deep JSON: let the real reading pass report it with its position.
        return False
    finally:
        _rewind(fh)
    return False


def _first_line_is_json(fh: IO[bytes]) -> bool:
    _rewind(fh)
    line = fh.readline(MAX_LINE_BYTES + 1)
    while line and not line.strip():
        line = fh.readline(MAX_LINE_BYTES + 1)
    _rewind(fh)
    if len(line) > MAX_LINE_BYTES:
        return False  # one long line: a single JSON text, streamed
    try:
        return isinstance(parse_json(line), dict)
    except ValueError:
        return False


def _lines(fh: IO[bytes], path: Path, container_key: str) -> Iterator[tuple[str, Any]]:
    for lineno, raw in read_lines(fh, path, JSONL_RECORD):
        if not raw.strip():
            continue
        try:
            value = parse_json(raw)
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
            guarded = _Guarded(fh, path)
            values = ijson.items(guarded, prefix, use_float=True, multiple_values=True)
        for value in values:
            inner = value.get(expand) if expand and isinstance(value, dict) else None
            for item in inner if isinstance(inner, list) else [value]:
                count += 1
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    last_id = item["id"]
                yield f"object {count}", item
    except _errors(ijson) as e:
        after = (
            f"after object {count}" + (f" ({shown(last_id)})" if last_id else "")
            if count
            else "at start"
        )
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise LoaderError(f"truncated or invalid JSON {after}: {reason}", path=str(path)) from e


def _whole_file(fh: IO[bytes], prefix: str) -> list[Any]:
    """Without ijson: the values parsed from the whole file at once (memory grows with the file)."""
    value = parse_json(fh.read().decode("utf-8-sig"))
    if prefix == "":
        return [value]
    container = value
    if prefix.endswith(".item") and isinstance(value, dict):
        container = value.get(prefix.split(".")[0])
    return list(container) if isinstance(container, list) else [container]


def _errors(ijson: Any, *more: type[Exception]) -> tuple[type[Exception], ...]:
    """The exceptions that mean the JSON is broken: json's and ijson's (ijson's JSONError is
    no ValueError), and any more given."""
    found: tuple[type[Exception], ...] = (ValueError, UnicodeDecodeError, *more)
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
