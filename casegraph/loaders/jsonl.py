"""casegraph's native format: JSON Lines, one entity or one relation per line.

Hostile input is refused with FILE:LINE: a line over MAX_LINE_BYTES (16 MiB), invalid UTF-8,
malformed JSON, nesting deeper than MAX_DEPTH, NaN/Infinity, integers beyond 64 bits and lone
UTF-16 surrogates (casegraph.loaders.json_stream.parse_json, casegraph.loaders.base.read_lines). Lines end at LF, CR LF or CR.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.errors import LoaderError, ValidationError
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.loaders.base import LoadOptions, hash_file, read_lines
from casegraph.loaders.json_stream import JSONL_RECORD, MAX_DEPTH, MAX_INT, parse_json

EXTRACTOR = "jsonl"
# What could make parse_json refuse a line besides malformed JSON: a run of 19 digits or a
# three-digit exponent (an integer beyond 64 bits, a float that overflows), NaN or Infinity, a
# \\u escape (a lone surrogate), nesting deeper than MAX_DEPTH. A line with fewer than three
# digits, none of those words and fewer brackets than MAX_DEPTH can hold none of these.
_RISKY = re.compile(r"\d{19}|[eE][-+]?\d{3}|NaN|Infinity|\\u")
_NOT_DIGITS = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)
ENTITY_KEYS = {"type", "name", "aliases", "properties", "id", "quote", "confidence"}
RELATION_KEYS = {
    "source", "target", "type", "source_type", "target_type", "source_id", "target_id",
    "quote", "confidence", "properties", "start", "end", "date",
}  # fmt: skip


class JsonlLoader:
    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def sniff(self, path: Path, head: bytes) -> bool:
        """A casegraph JSONL file starts with an object having a type and a name or ends."""
        first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
        try:
            obj = parse_json(first)
        except ValueError:  # a first line longer than the sniffed head, or not JSON
            return False
        return isinstance(obj, dict) and "type" in obj and ("name" in obj or "source" in obj)

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        doc = Document(
            id=hash_file(path), title=path.name, path=str(path.resolve()), loader=self.name
        )
        yield Source(doc, _facts(path, doc.id))


def _facts(path: Path, doc_id: str) -> Iterator[Fact]:
    try:
        fh = path.open("rb")
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    with fh:
        lineno = 0
        for _, raw in read_lines(fh, path, JSONL_RECORD):
            if lineno == 0:
                raw = raw.removeprefix(b"\xef\xbb\xbf")
            # a lone CR ends a line too, as it did when this file was read in text mode
            for line in raw.rstrip(b"\n").removesuffix(b"\r").split(b"\r"):
                lineno += 1
                fact = _line(line, path, lineno, doc_id)
                if fact is not None:
                    yield fact


def _line(raw: bytes, path: Path, lineno: int, doc_id: str) -> Fact | None:
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError as e:
        raise LoaderError(
            f"not valid UTF-8 (byte {e.start + 1} of the line is {raw[e.start]:#04x})",
            path=str(path), line=lineno,
        ) from e  # fmt: skip
    if not line:
        return None
    try:
        obj = parse_line(line, raw)
    except ValueError as e:
        raise LoaderError(f"invalid JSON: {e}", path=str(path), line=lineno) from e
    try:
        return _fact(obj, doc_id, lineno)
    except ValidationError as e:  # its locator is this line, already named by the path
        message = str(e).removeprefix(f"line {lineno}: ")
        raise LoaderError(message, path=str(path), line=lineno) from e


def parse_line(line: str, raw: bytes | None = None) -> Any:
    """One JSON Lines record (raw: its bytes, if at hand), refused exactly as `parse_json`
    refuses it (ValueError); parsed by json.loads alone when nothing in it could be refused but
    malformed JSON, the common case, which is four times faster."""
    data = line.encode("utf-8", "surrogatepass") if raw is None else raw
    plain = (
        data.count(b"{") + data.count(b"[") <= MAX_DEPTH
        and b"NaN" not in data
        and b"Infinity" not in data
        and b"\\u" not in data
        and (len(data.translate(None, _NOT_DIGITS)) < 3 or _RISKY.search(line) is None)
    )
    return json.loads(line) if plain else parse_json(line)


def _text(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"field {key!r} must be a string, not {type(value).__name__}")
    return value


def _fact(obj: Any, doc_id: str, lineno: int) -> Fact:
    if not isinstance(obj, dict):
        raise ValidationError(f"expected a JSON object, got {type(obj).__name__}")
    locator = f"line {lineno}"
    is_relation = "source" in obj or "target" in obj or "source_id" in obj or "target_id" in obj
    allowed = RELATION_KEYS if is_relation else ENTITY_KEYS
    if not allowed.issuperset(obj):
        unknown = sorted(set(obj) - allowed)
        raise ValidationError(
            f"unknown field {unknown[0]!r}; valid fields: {', '.join(sorted(allowed))}"
        )
    type_ = _text(obj, "type")
    if not type_:
        raise ValidationError("field 'type' is missing")
    quote = _text(obj, "quote")
    confidence = obj.get("confidence", 1.0)
    if not is_relation:
        aliases = obj.get("aliases") or []
        if not isinstance(aliases, list):
            raise ValidationError("field 'aliases' must be a list of strings")
        props = obj.get("properties") or {}
        if not isinstance(props, dict):
            raise ValidationError("field 'properties' must be an object")
        evidence = make_evidence(
            doc_id, quote or "", extractor=EXTRACTOR, confidence=confidence, locator=locator
        )
        return make_entity(
            type_, _text(obj, "name") or "", aliases=aliases, properties=props,
            xid=_text(obj, "id"), evidence=evidence, locator=locator,
        )  # fmt: skip
    ends = []
    for side in ("source", "target"):
        name, xid = _text(obj, side), _text(obj, f"{side}_id")
        if not name and not xid:
            raise ValidationError(f"field {side!r} is empty")
        ends.append(EntityRef(name=name, type=_text(obj, f"{side}_type"), xid=xid))
    props = obj.get("properties") or {}
    if not isinstance(props, dict):
        raise ValidationError("field 'properties' must be an object")
    start, end = obj.get("start"), obj.get("end")
    for key, value in (
        (("start", start), ("end", end)) if start is not None or end is not None else ()
    ):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            raise ValidationError(f"field {key!r} must be an integer")
        if value is not None and not 0 <= value <= MAX_INT:
            raise ValidationError(f"field {key!r} is out of range: {value}")
    evidence = make_evidence(
        doc_id, quote or "", start=start, end=end,
        extractor=EXTRACTOR, confidence=confidence, locator=locator, date=_text(obj, "date"),
    )  # fmt: skip
    return make_relation(
        ends[0], type_, ends[1], evidence=evidence, properties=props, locator=locator
    )


LOADER = JsonlLoader()
