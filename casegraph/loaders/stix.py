"""STIX 2.1 bundles and object files (ATT&CK, Amnesty, MVT) read as entities and relations.

Mapping (objects): intrusion-set, threat-actor, campaign -> Organization (a threat-actor whose
resource_level is "individual" -> Person); malware, tool, software -> Product; identity by
identity_class: individual -> Person, class -> VictimGroup, organization -> Company when its name
ends in a legal form (Ltd, Inc, GmbH, Group, ...) or its description calls it a company, firm or
vendor, else Organization; group and unknown -> Organization (a STIX "group" is an informal body
of people, e.g. a hacker group, so an actor rather than a victim class); system -> skipped;
location -> Country when it names a country (by ISO code alone or by name), else Location
(LOCATED_IN its country when it has one); indicator -> Indicator, its kind and name parsed from
the pattern's first equality (`[domain-name:value = 'x.com']` -> domain x.com; compound patterns
keep the full text in `pattern`); observables (domain-name, ipv4/6-addr, url, email-addr, file,
...) -> Indicator. STIX ids become xids; aliases (and x_mitre_aliases) are kept; descriptions,
external references (source_name, external_id, url) and dates become properties.

Mapping (relationship_type): uses -> USED, targets -> TARGETED, attributed-to -> PART_OF (the
activity or group is part of the actor it is attributed to), located-at and originates-from ->
BASED_IN, indicates -> INDICATES, authored-by -> DEVELOPED (ends swapped), impersonates ->
IMPERSONATED, communicates-with -> INDICATES (ends swapped: the observable indicates the
malware), related-to -> MENTIONED_WITH. Evidence: the relationship's description, else
"STIX relationship <type> (<id>)", with locator = the relationship id; then one item per report
it cites (its external_references with a url or description: ATT&CK's citations), quoting the
reference's description (author, date, title) or its source_name, with locator = the report's
url (else "<relationship id> <source_name>"), so each hop names the reports behind it. The
references are also kept on the relation (`external_references`: source_name, description,
url, external_id). STIX confidence (0-100) / 100 on every item.

Skips, each counted on Document.properties["skipped"] as "<reason>:<detail>" while the facts are
consumed (final once the stream is exhausted): revoked / deprecated (revoked: true,
x_mitre_deprecated: true; StixLoader(include_revoked=True) keeps them, flagged by a property),
unknown_type (custom x-... types), unmapped_type (STIX types with no ontology type:
attack-pattern, course-of-action, vulnerability, marking-definition, report, ...),
unmapped_relationship (mitigates, detects, revoked-by, subtechnique-of, ...), dangling_ref (an
end missing from the file), endpoint_skipped (an end that was itself skipped), endpoint_types
(the schema refuses the pair of types). Structural faults (bad JSON, an object without type or
id, a name that is not a string) raise LoaderError naming the file and the object.

Order: entities stream out as they are read; a relationship whose ends were both read already
follows at once, others wait until the end of the file, so no relation precedes its ends.
Memory holds one id -> type entry per object and at most WAITING_LIMIT waiting relationships,
never the file: past the limit the file is read a second time for the relationships not held.
Each file is self-contained: references to objects in other files count as dangling.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.dates import parse_date
from casegraph.errors import LoaderError, ValidationError, shown
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.graph.schema import load_schema
from casegraph.loaders.base import LoadOptions, hash_file
from casegraph.loaders.json_stream import Waiting, iter_values
from casegraph.loaders.stix_map import RELATIONS, EntitySpec, entity_spec, text

EXTRACTOR = "stix"
WAITING_LIMIT = 20_000  # relationships held for ends read later; past it, a second pass
_BUNDLE = re.compile(rb'"type"\s*:\s*"bundle"')
_STIX_ID = re.compile(rb'"id"\s*:\s*"[a-z][a-z0-9-]*--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-')
_CITATION = re.compile(r"\(Citation: [^)]*\)")
_SKIPPED = "!"  # prefix of the id table's value for an object that was skipped


class StixLoader:
    name = "stix"
    extensions = (".json", ".stix", ".stix2")

    def __init__(self, include_revoked: bool = False) -> None:
        self.include_revoked = include_revoked

    def sniff(self, path: Path, head: bytes) -> bool:
        """A STIX file is JSON whose head shows a bundle or an object with a STIX id."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        if start not in (b"{", b"["):
            return False
        return bool(_BUNDLE.search(head) or (_STIX_ID.search(head) and b'"type"' in head))

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        props: dict[str, Any] = {"skipped": {}, "counts": {}}
        doc = Document(
            id=hash_file(path), title=path.name, path=str(path.resolve()), loader=self.name,
            published=bundle_published(path), properties=props,
        )  # fmt: skip
        reader = _Reader(path, doc.id, props, self.include_revoked)
        yield Source(doc, reader.facts())


@dataclass
class _Rel:
    """A relationship kept until its ends are known: only the fields the relation needs."""

    id: str
    verb: str
    source: str
    target: str
    quote: str
    confidence: float
    properties: dict[str, Any]
    citations: tuple[tuple[str, str], ...] = ()  # (quote, locator) of each cited report
    date: str | None = None  # the object's modified (else created) day


_DATE_KEY = re.compile(rb'(?<!\\)"(published|modified|created)"\s*:\s*"([0-9][^"\\]{3,39})"')
_CHUNK = 1 << 20


def bundle_published(path: Path) -> str | None:
    """The day a STIX file was published: the latest `published` of its reports, else the latest
    `modified` or `created` of its objects (None when it has neither). Read with one scan of the
    raw bytes for those keys (no JSON parse; a key inside a string has escaped quotes)."""
    latest: dict[bytes, str] = {}
    try:
        with path.open("rb") as fh:
            carry = b""
            while chunk := fh.read(_CHUNK):
                data = carry + chunk
                last = 0
                for m in _DATE_KEY.finditer(data):
                    day = parse_date(m.group(2).decode("ascii", "replace"))
                    key = b"published" if m.group(1) == b"published" else b"stated"
                    if day and day > latest.get(key, ""):
                        latest[key] = day
                    last = m.end()
                carry = data[max(last, len(data) - 128) :]
    except OSError:
        return None  # read() reports the file as it reads it
    return latest.get(b"published") or latest.get(b"stated")


def object_date(obj: dict[str, Any]) -> str | None:
    """The day a STIX object was last stated: its `modified`, else its `created` (ISO)."""
    for key in ("modified", "created"):
        value = obj.get(key)
        if isinstance(value, str) and (day := parse_date(value)):
            return day
    return None


def _references(obj: dict[str, Any]) -> list[dict[str, str]]:
    """The external references of an object: source_name, description, url and external_id
    where they are strings (others are dropped, never an error: they are only citations)."""
    refs = obj.get("external_references")
    if not isinstance(refs, list):
        return []
    keys = ("source_name", "description", "url", "external_id")
    kept = [{k: r[k] for k in keys if isinstance(r.get(k), str) and r[k].strip()}
            for r in refs if isinstance(r, dict)]  # fmt: skip
    return [r for r in kept if r]


def _flag(obj: dict[str, Any]) -> str | None:
    """ "revoked" or "deprecated" when the object says so, else None."""
    if obj.get("revoked") is True:
        return "revoked"
    return "deprecated" if obj.get("x_mitre_deprecated") is True else None


class _Reader:
    def __init__(self, path: Path, doc_id: str, props: dict[str, Any], keep_flagged: bool):
        self.path = path
        self.doc_id = doc_id
        self.skipped: dict[str, int] = props["skipped"]
        self.counts: dict[str, int] = props["counts"]
        self.keep_flagged = keep_flagged
        self.types: dict[str, str] = {}
        self.waiting: Waiting[_Rel] = Waiting(WAITING_LIMIT)
        self.countries: set[str] = set()
        self.record = 0

    def facts(self) -> Iterator[Fact]:
        for position, obj in iter_values(self.path):
            self.record += 1
            self._count("objects")
            oid = self._check(position, obj)
            try:
                yield from self._object(obj, oid)
            except ValidationError as e:
                raise self._error(position, oid, str(e)) from e
        for rel in self.waiting.items:
            fact = self._relation(rel)
            if fact is not None:
                yield fact
        self.waiting.items.clear()
        if self.waiting.overflow_at is not None:
            yield from self._second_pass(self.waiting.overflow_at)

    def _second_pass(self, start: int) -> Iterator[Fact]:
        """The relationships the first pass could not hold: those after `start` read too early."""
        for record, (_, obj) in enumerate(iter_values(self.path), start=1):
            if record < start or obj.get("type") != "relationship":
                continue
            if obj.get("relationship_type") not in RELATIONS:
                continue  # counted in the first pass
            if _flag(obj) and not self.keep_flagged:
                continue
            rel = self._to_rel(obj, obj["id"], _flag(obj))
            if not all(
                self.waiting.settled(end, record, self.types) for end in (rel.source, rel.target)
            ):
                fact = self._relation(rel)
                if fact is not None:
                    yield fact

    def _object(self, obj: dict[str, Any], oid: str) -> Iterator[Fact]:
        otype = obj["type"]
        flag = _flag(obj)
        if flag and not self.keep_flagged:
            self._skip(f"{flag}:{otype}", oid)
            return
        if otype == "relationship":
            verb = text(obj, "relationship_type")
            if verb and verb not in RELATIONS:
                self._skip(f"unmapped_relationship:{verb}", oid)
                return
            rel = self._to_rel(obj, oid, flag)
            if rel.source in self.types and rel.target in self.types:
                fact = self._relation(rel)
                if fact is not None:
                    yield fact
            else:
                self.waiting.hold([rel], self.record)
            return
        spec = entity_spec(obj)
        if isinstance(spec, str):
            self._skip(spec, oid)
            return
        if flag:
            spec.properties[flag] = True
        yield from self._entity(spec, oid, object_date(obj))

    def _entity(self, spec: EntitySpec, oid: str, day: str | None = None) -> Iterator[Fact]:
        evidence = make_evidence(self.doc_id, "", extractor=EXTRACTOR, locator=oid, date=day)
        yield make_entity(
            spec.type, spec.name, aliases=spec.aliases, properties=spec.properties, xid=oid,
            evidence=evidence, locator=oid,
        )  # fmt: skip
        self.types[oid] = spec.type
        self.waiting.defined(oid, self.record)
        self._count("entities")
        if spec.country:
            if spec.country not in self.countries:
                self.countries.add(spec.country)
                yield make_entity("Country", spec.country, evidence=evidence, locator=oid)
                self._count("entities")
            quote = f"STIX location {spec.name} in {spec.country} ({oid})"
            yield make_relation(
                EntityRef(xid=oid, type=spec.type), "LOCATED_IN",
                EntityRef(name=spec.country, type="Country"),
                evidence=make_evidence(self.doc_id, quote, extractor=EXTRACTOR, locator=oid,
                                       date=day),
                locator=oid,
            )  # fmt: skip
            self._count("relations")

    def _to_rel(self, obj: dict[str, Any], oid: str, flag: str | None) -> _Rel:
        verb = text(obj, "relationship_type")
        source, target = text(obj, "source_ref"), text(obj, "target_ref")
        if not verb or not source or not target:
            raise ValidationError(
                "a relationship needs relationship_type, source_ref and target_ref"
            )
        props: dict[str, Any] = {"stix_relationship_type": verb, "stix_id": oid}
        for key in ("start_time", "stop_time", "created", "modified"):
            if isinstance(obj.get(key), str):
                props[key] = obj[key]
        if flag:
            props[flag] = True
        confidence = obj.get("confidence", 100)
        if (
            not isinstance(confidence, int | float)
            or isinstance(confidence, bool)
            or not 0 <= confidence <= 100
        ):
            raise ValidationError(f"field 'confidence' must be a number 0-100, not {confidence!r}")
        quote = (text(obj, "description") or "").strip()
        if quote and not _CITATION.sub("", quote).strip():
            props["description"] = quote  # only citation markers: no statement to quote
            quote = ""
        quote = quote or f"STIX relationship {verb} ({oid})"
        refs = _references(obj)
        if refs:
            props["external_references"] = refs
        citations = tuple(
            (r.get("description") or r["source_name"], r.get("url") or f"{oid} {r['source_name']}")
            for r in refs
            if r.get("source_name") and (r.get("url") or r.get("description"))
        )
        return _Rel(
            oid, verb, source, target, quote, confidence / 100, props, citations, object_date(obj)
        )

    def _relation(self, rel: _Rel) -> Fact | None:
        rtype, swap = RELATIONS[rel.verb]
        source, target = (rel.target, rel.source) if swap else (rel.source, rel.target)
        stype, ttype = self.types.get(source), self.types.get(target)
        if stype is None or ttype is None:
            self._skip(f"dangling_ref:{rel.verb}", None)
            return None
        for end in (stype, ttype):
            if end.startswith(_SKIPPED):
                self._skip(f"endpoint_skipped:{end[1:]}", None)
                return None
        if not load_schema().relation_type(rtype).allows(stype, ttype):
            self._skip(f"endpoint_types:{rtype} {stype}->{ttype}", None)
            return None
        try:
            evidence = [
                make_evidence(self.doc_id, quote, extractor=EXTRACTOR, confidence=rel.confidence,
                              locator=locator, date=rel.date)
                for quote, locator in ((rel.quote, rel.id), *rel.citations)
            ]  # fmt: skip
            fact = make_relation(
                EntityRef(xid=source, type=stype), rtype, EntityRef(xid=target, type=ttype),
                evidence=evidence, properties=rel.properties, locator=rel.id,
            )  # fmt: skip
        except ValidationError as e:
            message = str(e).removeprefix(f"{rel.id}: ")
            raise LoaderError(f"{shown(rel.id)}: {message}", path=str(self.path)) from e
        self._count("relations")
        return fact

    def _check(self, position: str, obj: Any) -> str:
        if not isinstance(obj, dict):
            raise self._error(position, None, f"expected a STIX object, got {type(obj).__name__}")
        otype, oid = obj.get("type"), obj.get("id")
        if not isinstance(otype, str) or not otype:
            raise self._error(position, oid, "not a STIX object: field 'type' is missing")
        if not isinstance(oid, str) or not oid:
            raise self._error(position, None, f"STIX {otype} object without an 'id'")
        return oid

    def _error(self, position: str, oid: Any, message: str) -> LoaderError:
        where = f" ({shown(oid)})" if isinstance(oid, str) else ""
        message = message.removeprefix(f"{oid}: ")
        if position.startswith("line "):
            return LoaderError(f"{shown(oid) + ': ' if where else ''}{message}",
                               path=str(self.path), line=int(position[5:]))  # fmt: skip
        return LoaderError(f"{position}{where}: {message}", path=str(self.path))

    def _skip(self, reason: str, oid: str | None) -> None:
        reason = sys.intern(shown(reason))  # details come from the source: no control chars
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if oid is not None and not oid.startswith("relationship--"):
            self.types[oid] = _SKIPPED + reason  # relationships are never the end of another
            self.waiting.defined(oid, self.record)

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


LOADER = StixLoader()
