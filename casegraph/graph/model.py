"""Typed facts: Document, Evidence, entity and relation facts, built only through validated constructors."""

from __future__ import annotations

import hashlib
import math
import os
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import ValidationError, shown
from casegraph.graph.schema import load_schema

_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:'s|'|’s|’)$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})
_SURROGATE = re.compile("[\ud800-\udfff]")
# Largest integer a store keeps (a signed 64-bit one, what SQLite and Neo4j store).
MAX_INT = 2**63 - 1
# Deepest nesting of property values kept (loaders refuse deeper JSON before this).
MAX_VALUE_DEPTH = 100


def unstorable(value: Any, depth: int = 0) -> str | None:
    """Why a value cannot be kept faithfully by a store (None when it can): a string holding a
    lone UTF-16 surrogate, NaN or an infinity, an integer beyond 64 bits, a non-string key, a
    value that is not JSON, nesting deeper than MAX_VALUE_DEPTH."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        if not value.isascii() and _SURROGATE.search(value):
            return "holds a lone UTF-16 surrogate (not valid Unicode)"
        return None
    if isinstance(value, int):
        return None if -MAX_INT - 1 <= value <= MAX_INT else "is an integer beyond 64 bits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"is {value}, not a number JSON can carry"
    if depth >= MAX_VALUE_DEPTH:
        return f"is nested deeper than {MAX_VALUE_DEPTH} levels"
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"has a key {type(key).__name__}, not a string"
            why = unstorable(key) or unstorable(item, depth + 1)
            if why:
                return why
        return None
    if isinstance(value, list | tuple):
        for item in value:
            why = unstorable(item, depth + 1)
            if why:
                return why
        return None
    return f"is a {type(value).__name__}, not a JSON value"


def _storable(value: Any, what: str, locator: str | None) -> None:
    if value is None or (type(value) is str and value.isascii()):
        return  # the common cases, decided without a call
    why = unstorable(value)
    if why:
        raise ValidationError(f"{_where(locator)}{what} {why}")


def _storable_properties(properties: Mapping[str, Any], locator: str | None) -> None:
    for key, value in properties.items():
        if not isinstance(key, str):
            raise ValidationError(f"{_where(locator)}a property name is a {type(key).__name__}")
        _storable(key, "a property name", locator)
        _storable(value, f"property {shown(key)}", locator)


def fs_text(text: str) -> str:
    """Text from the file system (a path, a file name) that a store can keep: bytes that were
    not UTF-8 (Python's surrogate escapes) shown as \\xNN."""
    if text.isascii() or not _SURROGATE.search(text):
        return text
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def normalize_name(name: str) -> str:
    """The matching key of a name: case, white space, possessive 's and a leading 'the' folded away."""
    text = str(name)
    if text.isascii():
        # the same steps for ASCII, which NFKC and the quote table leave as it is (most names,
        # and a load normalises each name several times): whitespace runs as by `\s+`
        text = " ".join(text.split()).lower()
        if text.endswith("'"):
            text = text[:-1].rstrip()
        elif text.endswith("'s"):
            text = text[:-2].rstrip()
    else:
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        text = _SPACE.sub(" ", text).strip().casefold()
        text = _POSSESSIVE.sub("", text).strip()
    if text.startswith("the ") and len(text) > 4:
        text = text[4:].strip()
    return text.strip(" \"'.,;:")


def clean_name(name: str) -> str:
    """A display name: white space collapsed and surrounding quotes removed."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", str(name))).strip()
    return text.strip('"“”') or text


def content_hash(data: bytes) -> str:
    """The id of a document: the SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Document:
    """A loaded source: a file or record set, keyed by the hash of its content."""

    id: str
    title: str
    path: str
    loader: str
    published: str | None = None
    text: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """A document a store can keep: a path or a title from a file name that is not UTF-8
        is kept with its odd bytes escaped; other text that a store cannot keep is refused."""
        path = fs_text(self.path)
        if self.title and unstorable(self.title) and self.title in self.path:
            object.__setattr__(self, "title", fs_text(self.title))
        object.__setattr__(self, "path", path)
        where = path or "document"
        for what, value in (("title", self.title), ("published", self.published),
                            ("loader", self.loader)):  # fmt: skip
            _storable(value, what, where)
        if self.text is not None and not self.text.isascii():
            found = _SURROGATE.search(self.text)
            if found:
                line = self.text.count("\n", 0, found.start()) + 1
                raise ValidationError(
                    f"{where}:{line}: the text holds a lone UTF-16 surrogate (not valid Unicode)"
                )
        _storable_properties(self.properties, where)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact was read: the document, the quote, its character offsets, who read it and how surely."""

    document_id: str
    quote: str
    start: int | None
    end: int | None
    extractor: str
    confidence: float = 1.0
    locator: str | None = None
    date: str | None = None  # the day the source gives this item (ISO), else its document's

    def as_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "extractor": self.extractor,
            "confidence": self.confidence,
            "locator": self.locator,
            "date": self.date,
        }


@dataclass(frozen=True, slots=True)
class EntityRef:
    """How a relation names one of its ends: an external id, or a name with an optional type."""

    name: str | None = None
    type: str | None = None
    xid: str | None = None

    def describe(self) -> str:
        if self.xid:
            return f"id {self.xid!r}"
        return f"{self.type}:{self.name!r}" if self.type else repr(self.name)


@dataclass(frozen=True, slots=True)
class EntityFact:
    """An entity as a loader read it, before resolution against the store."""

    type: str
    name: str
    aliases: tuple[str, ...] = ()
    properties: Mapping[str, Any] = field(default_factory=dict)
    xid: str | None = None
    evidence: Evidence | None = None
    locator: str | None = None

    @property
    def key(self) -> str:
        return normalize_name(self.name)

    def ref(self) -> EntityRef:
        return EntityRef(name=self.name, type=self.type, xid=self.xid)


@dataclass(frozen=True, slots=True)
class RelationFact:
    """A relation as a loader read it: two ends, a type and at least one piece of evidence."""

    source: EntityRef
    type: str
    target: EntityRef
    evidence: tuple[Evidence, ...]
    properties: Mapping[str, Any] = field(default_factory=dict)
    locator: str | None = None


Fact = EntityFact | RelationFact


def _where(locator: str | None) -> str:
    return f"{locator}: " if locator else ""


def make_evidence(
    document_id: str,
    quote: str,
    *,
    start: int | None = None,
    end: int | None = None,
    extractor: str,
    confidence: float = 1.0,
    locator: str | None = None,
    date: str | None = None,
) -> Evidence:
    """Evidence checked at the boundary: a document, a non-empty quote or locator, sane offsets,
    and a date (when given) that is an ISO day."""
    if not document_id:
        raise ValidationError(f"{_where(locator)}evidence without a document")
    if not extractor:
        raise ValidationError(f"{_where(locator)}evidence without an extractor")
    quote = "" if quote is None else str(quote)
    if not quote.strip() and not locator:
        raise ValidationError(f"{_where(locator)}evidence needs a quote or a locator")
    if (start is None) != (end is None):
        raise ValidationError(f"{_where(locator)}evidence offsets need both start and end")
    if start is not None and end is not None and not (0 <= start <= end <= MAX_INT):
        raise ValidationError(f"{_where(locator)}evidence offsets {start}..{end} are not valid")
    _storable(quote, "the quote", locator)
    _storable(locator, "the locator", locator)
    _storable(document_id, "the document id", locator)
    _storable(extractor, "the extractor", locator)
    try:
        confidence = float(confidence)
    except (TypeError, ValueError):
        raise ValidationError(
            f"{_where(locator)}confidence {confidence!r} is not a number"
        ) from None
    if not 0.0 <= confidence <= 1.0:
        raise ValidationError(f"{_where(locator)}confidence {confidence} is not between 0 and 1")
    if date is not None:
        from casegraph.dates import parse_date

        day = parse_date(date)
        if day is None:
            raise ValidationError(f"{_where(locator)}evidence date {date!r} is not a date")
        date = day
    return Evidence(document_id, quote, start, end, extractor, confidence, locator, date)


def make_entity(
    type: str,
    name: str,
    *,
    aliases: Iterable[str] = (),
    properties: Mapping[str, Any] | None = None,
    xid: str | None = None,
    evidence: Evidence | None = None,
    locator: str | None = None,
) -> EntityFact:
    """The one way loaders create an entity: the type must be in the schema and the name non-empty."""
    try:
        etype = load_schema().entity_type(type).name
    except ValidationError as e:
        raise ValidationError(f"{_where(locator)}{e}") from None
    if not isinstance(name, str) or not normalize_name(name):
        raise ValidationError(f"{_where(locator)}entity of type {etype} has an empty name")
    _storable(name, f"the name of a {etype}", locator)
    _storable(xid, "the id", locator)
    _storable_properties(properties or {}, locator)
    display = clean_name(name)
    seen = {normalize_name(display)}
    kept: list[str] = []
    for alias in aliases:
        if not isinstance(alias, str):
            raise ValidationError(f"{_where(locator)}alias {alias!r} is not a string")
        _storable(alias, "an alias", locator)
        key = normalize_name(alias)
        if key and key not in seen:
            seen.add(key)
            kept.append(clean_name(alias))
    return EntityFact(
        etype, display, tuple(kept), dict(properties or {}), xid or None, evidence, locator
    )


def make_relation(
    source: EntityRef,
    type: str,
    target: EntityRef,
    *,
    evidence: Evidence | Iterable[Evidence],
    properties: Mapping[str, Any] | None = None,
    locator: str | None = None,
) -> RelationFact:
    """The one way loaders create a relation: a schema type, two named ends, and evidence."""
    schema = load_schema()
    try:
        rtype = schema.relation_type(type).name
    except ValidationError as e:
        raise ValidationError(f"{_where(locator)}{e}") from None
    for end, label in ((source, "source"), (target, "target")):
        if not (end.xid or (end.name and normalize_name(end.name))):
            raise ValidationError(f"{_where(locator)}relation {rtype} has an empty {label}")
        if end.type is not None and end.type not in schema.entity_types:
            try:
                schema.entity_type(end.type)
            except ValidationError as e:
                raise ValidationError(f"{_where(locator)}{label}: {e}") from None
        _storable(end.name, f"the {label}", locator)
        _storable(end.xid, f"the {label} id", locator)
    items = (evidence,) if isinstance(evidence, Evidence) else tuple(evidence)
    if not items:
        raise ValidationError(f"{_where(locator)}relation {rtype} has no evidence")
    if properties:
        _storable_properties(properties, locator)
    return RelationFact(source, rtype, target, items, dict(properties or {}), locator)


def check_endpoints(rtype: str, source_type: str, target_type: str, locator: str | None) -> None:
    """Refuse a relation whose ends are not of the types the schema allows for it."""
    spec = load_schema().relation_type(rtype)
    if not spec.allows(source_type, target_type):
        raise ValidationError(
            f"{_where(locator)}{rtype} cannot join {source_type} -> {target_type} "
            f"(allowed: {'/'.join(spec.source)} -> {'/'.join(spec.target)})"
        )


@dataclass(slots=True)
class Source:
    """One loaded source: its Document and the facts read from it, possibly streamed."""

    document: Document
    facts: Iterable[Fact]
