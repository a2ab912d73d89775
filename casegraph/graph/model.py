"""Typed facts: Document, Evidence, entity and relation facts, built only through validated constructors."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import ValidationError
from casegraph.graph.schema import load_schema

_SPACE = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:'s|'|’s|’)$")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "\u00a0": " "})


def normalize_name(name: str) -> str:
    """The matching key of a name: case, white space, possessive 's and a leading 'the' folded away."""
    text = unicodedata.normalize("NFKC", str(name)).translate(_QUOTES)
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
    if start is not None and end is not None and not (0 <= start <= end):
        raise ValidationError(f"{_where(locator)}evidence offsets {start}..{end} are not valid")
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
    display = clean_name(name)
    seen = {normalize_name(display)}
    kept: list[str] = []
    for alias in aliases:
        if not isinstance(alias, str):
            raise ValidationError(f"{_where(locator)}alias {alias!r} is not a string")
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
    try:
        rtype = load_schema().relation_type(type).name
    except ValidationError as e:
        raise ValidationError(f"{_where(locator)}{e}") from None
    for end, label in ((source, "source"), (target, "target")):
        if not (end.xid or (end.name and normalize_name(end.name))):
            raise ValidationError(f"{_where(locator)}relation {rtype} has an empty {label}")
        if end.type is not None:
            try:
                load_schema().entity_type(end.type)
            except ValidationError as e:
                raise ValidationError(f"{_where(locator)}{label}: {e}") from None
    items = (evidence,) if isinstance(evidence, Evidence) else tuple(evidence)
    if not items:
        raise ValidationError(f"{_where(locator)}relation {rtype} has no evidence")
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
