"""MISP events (`{"Event": {...}}`, a list of them, or a `response` list): dated documents of indicators.

Each event is one document: its `info` the title, its `date` the `published` day (else the day
of `publish_timestamp`, else of `timestamp`, both Unix seconds, UTC). Each attribute, at the top
or inside an `Object`, whose value reads as an indicator (casegraph.loaders.indicator_kinds:
URL, e-mail, IP, hash, file path, domain; both halves of a composite `domain|ip`, `filename|sha256`
...) becomes an Indicator entity (its MISP type, category, comment, `first_seen` and `last_seen`
days as properties); others are skipped with a count (`unmapped_attribute:<type>`). Galaxy tags
of the event (`misp-galaxy:<cluster type>="<name>"`, cluster types as in casegraph.loaders.misp)
name what it is about: every indicator INDICATES each such Product, Company or Organization. An
item of evidence is dated by its attribute: `first_seen`, else the attribute's `timestamp`; an
INDICATES relation keeps the attribute's `first_seen` / `last_seen` days as its validity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from casegraph.dates import parse_date
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    content_hash,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.loaders.indicator_kinds import classify

EXTRACTOR = "misp"
_GALAXY_TAG = re.compile(r'^misp-galaxy:([a-z0-9-]+)="(.+)"$')
# MISP galaxy cluster type -> what an event's indicators INDICATE (the schema's targets)
SUBJECT_TYPES = {"surveillance-vendor": "Company", "threat-actor": "Organization",
                 "microsoft-activity-group": "Organization", "tool": "Product",
                 "stalkerware": "Product", "malpedia": "Product", "mitre-malware": "Product",
                 "mitre-tool": "Product", "mitre-intrusion-set": "Organization"}  # fmt: skip


def events(data: Any) -> list[dict[str, Any]] | None:
    """The events of a MISP export, or None when it holds none."""
    if isinstance(data, dict) and isinstance(data.get("Event"), dict):
        return [data["Event"]]
    if isinstance(data, dict) and isinstance(data.get("response"), list):
        data = data["response"]
    if (
        isinstance(data, list)
        and data
        and all(isinstance(e, dict) and isinstance(e.get("Event"), dict) for e in data)
    ):
        return [e["Event"] for e in data]
    return None


def day(value: Any) -> str | None:
    """The ISO day of a MISP date ('2021-07-18', an ISO datetime) or Unix seconds ('1626600000')."""
    if (isinstance(value, str) and value.strip().isdigit()) or isinstance(value, int):
        try:
            return datetime.fromtimestamp(int(value), UTC).date().isoformat()
        except (ValueError, OverflowError, OSError):
            return None
    return parse_date(value.strip()) if isinstance(value, str) else None


def event_published(event: dict[str, Any]) -> str | None:
    """The day an event was published: its date, else its publish_timestamp, else timestamp."""
    for key in ("date", "publish_timestamp", "timestamp"):
        found = day(event.get(key))
        if found and not (key == "publish_timestamp" and found == "1970-01-01"):
            return found  # an unpublished event has publish_timestamp 0
    return None


def event_sources(events: list[dict[str, Any]], path: str, loader: str) -> Iterator[Source]:
    """One source per event."""
    for event in events:
        skipped: dict[str, int] = {}
        raw = json.dumps(event, sort_keys=True, ensure_ascii=False).encode("utf-8")
        doc = Document(
            id=content_hash(raw), title=str(event.get("info") or "MISP event"), path=path,
            loader=loader, published=event_published(event),
            properties={"misp_event": str(event.get("uuid") or ""), "skipped": skipped},
        )  # fmt: skip
        yield Source(doc, _facts(event, doc.id, skipped))


def _attributes(event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for attribute in event.get("Attribute") or []:
        if isinstance(attribute, dict):
            yield attribute
    for obj in event.get("Object") or []:
        if isinstance(obj, dict):
            for attribute in obj.get("Attribute") or []:
                if isinstance(attribute, dict):
                    yield attribute


def _subjects(event: dict[str, Any]) -> list[EntityRef]:
    found: dict[tuple[str, str], None] = {}
    for tag in event.get("Tag") or []:
        m = _GALAXY_TAG.match(str(tag.get("name") or "")) if isinstance(tag, dict) else None
        if m and m.group(1) in SUBJECT_TYPES and m.group(2).strip():
            found[(m.group(2).strip(), SUBJECT_TYPES[m.group(1)])] = None
    return [EntityRef(name, etype) for name, etype in found]


def _facts(event: dict[str, Any], doc_id: str, skipped: dict[str, int]) -> Iterator[Fact]:
    info = str(event.get("info") or "MISP event")
    subjects = _subjects(event)
    for ref in subjects:
        yield make_entity(ref.type or "Product", ref.name or "", locator="event tags")
    for i, attribute in enumerate(_attributes(event), start=1):
        mtype = str(attribute.get("type") or "")
        where = f"attribute {attribute.get('uuid') or i}"
        first, last = day(attribute.get("first_seen")), day(attribute.get("last_seen"))
        dated = first or day(attribute.get("timestamp"))
        values = str(attribute.get("value") or "").split("|") if "|" in mtype else [
            str(attribute.get("value") or "")]  # fmt: skip
        kinds = [classify(v) for v in values if v.strip()]
        if not any(kinds):
            key = f"unmapped_attribute:{mtype or '?'}"
            skipped[key] = skipped.get(key, 0) + 1
            continue
        seen = {k: v for k, v in (("first_seen", first), ("last_seen", last)) if v}
        for found in kinds:
            if found is None:
                continue
            kind, name, extra = found
            props = {"kind": kind, **extra, "misp_type": mtype, **seen, **{
                k: str(attribute[k]) for k in ("category", "comment") if attribute.get(k)}}  # fmt: skip
            quote = f"MISP event {info}: {mtype} {name}"
            ev = make_evidence(doc_id, quote, extractor=EXTRACTOR, locator=where, date=dated)
            yield make_entity("Indicator", name, properties=props, evidence=ev, locator=where)
            for ref in subjects:
                yield make_relation(
                    EntityRef(name, "Indicator"), "INDICATES", ref,
                    evidence=make_evidence(doc_id, f"{quote} (event tagged {ref.name})",
                                           extractor=EXTRACTOR, locator=where, date=dated),
                    properties=seen, locator=where,
                )  # fmt: skip
