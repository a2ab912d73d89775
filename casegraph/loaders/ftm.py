"""FollowTheMoney entity streams (ftm, Aleph, OpenSanctions exports) read as entities and links.

Input: JSON Lines (or a JSON array) of {"id", "schema", "properties": {name: [values]}}, told
apart from other JSON by content (a "schema" and "properties" in the first object).

Things -> entities (FtM id as xid): Person -> Person; Company -> Company; Organization,
LegalEntity, PublicBody -> Organization (FtM uses LegalEntity when it cannot tell a company from
another body, so no commercial nature is assumed); CourtCase -> Lawsuit. Name: the record's
caption (OpenSanctions), else its first name; other names, aliases, weak aliases and previous
names become aliases; every other property is kept (one value as a scalar, several as a list),
with ftm_schema and the record's datasets / first_seen / last_seen / target. A thing's
country and jurisdiction codes (ISO 3166 alpha-2, see casegraph/loaders/data/countries.json)
make a Company or Organization BASED_IN that Country; Persons keep them as properties only,
since the ontology has no person-to-country relation. A "parent" makes the body PART_OF it.
Address, Vessel, Airplane, Passport, Identification and every other schema: skipped, counted.

Intervals -> relations (properties keep startDate (earliest), endDate (latest), role,
percentage, ... and ftm_schema, ftm_id): Ownership owner -> asset OWNS; Directorship director ->
organization and Employment employee -> employer WORKS_FOR; Membership member -> organization
PART_OF for bodies, MENTIONED_WITH for persons; Family, Associate, Representation, Payment,
UnknownLink, Succession -> MENTIONED_WITH (the weak link: the ontology has no kinship, agency or
money-flow type, so they are kept but can be excluded; ftm_schema and relationship tell what
they were); Sanction -> SANCTIONED from its (first) authority, an Organization BASED_IN the
sanction's country, or from the Country itself when no authority is named; CourtCaseParty ->
PLAINTIFF_IN / DEFENDANT_IN by role, else Lawsuit CONCERNS party. Evidence quote: the
interval's reason, summary, program or role, else "FtM <schema> (<id>)"; locator "line N".

Skips are counted on Document.properties["skipped"] ("<reason>:<detail>", final once the facts
are consumed): unmapped_schema, no_name, unknown_country, no_authority (a sanction naming neither
authority nor known country), dangling_ref (an end not in the file),
endpoint_skipped (an end that was skipped), endpoint_types (the schema refuses the pair).
Intervals may name entities defined later in the stream: they wait until the end of the file
when their ends are not yet known, so no relation precedes its ends. Memory holds one id -> type
entry per thing and at most WAITING_LIMIT waiting links; past it, a second pass reads the file
again for the links not held.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casegraph.errors import LoaderError, ValidationError, shown
from casegraph.graph.model import (
    Document,
    EntityRef,
    Evidence,
    Fact,
    Source,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.graph.schema import load_schema
from casegraph.loaders.base import LoadOptions, hash_file
from casegraph.loaders.data import country_name
from casegraph.loaders.ftm_map import (
    COUNTRY_PROPS,
    ENTITY_SCHEMATA,
    LINKS,
    NAME_PROPS,
    REFERENCES,
    SPECIAL_LINKS,
    TOP_LEVEL,
    court_role,
    entity_name,
    plain,
    quote_of,
    values,
)
from casegraph.loaders.json_stream import Waiting, iter_values

EXTRACTOR = "ftm"
WAITING_LIMIT = 20_000  # links held for ends read later; past it, a second pass
_SCHEMA = re.compile(rb'"schema"\s*:\s*"[A-Z][A-Za-z]+"')
_SKIPPED = "!"
_THING_SKIP = frozenset(set(NAME_PROPS) | REFERENCES)


class FtmLoader:
    name = "ftm"
    extensions = (".ftm", ".ijson", ".json")

    def sniff(self, path: Path, head: bytes) -> bool:
        """An FtM stream is JSON whose first object has a "schema" and "properties"."""
        start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
        return start in (b"{", b"[") and bool(_SCHEMA.search(head)) and b'"properties"' in head

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        props: dict[str, Any] = {"skipped": {}, "counts": {}}
        doc = Document(
            id=hash_file(path), title=path.name, path=str(path.resolve()), loader=self.name,
            properties=props,
        )  # fmt: skip
        yield Source(doc, _Reader(path, doc.id, props).facts())


@dataclass
class _Link:
    """A relation waiting for its ends: each an FtM id, or a (type, name) the loader made."""

    locator: str
    label: str
    source: str | tuple[str, str]
    target: str | tuple[str, str]
    relations: tuple[str, ...]
    quote: str
    properties: dict[str, Any] = field(default_factory=dict)


class _Reader:
    def __init__(self, path: Path, doc_id: str, props: dict[str, Any]) -> None:
        self.path = path
        self.doc_id = doc_id
        self.skipped: dict[str, int] = props["skipped"]
        self.counts: dict[str, int] = props["counts"]
        self.types: dict[str, str] = {}
        self.waiting: Waiting[_Link] = Waiting(WAITING_LIMIT)
        self.made: set[tuple[str, str]] = set()
        self.record = 0

    def facts(self) -> Iterator[Fact]:
        for position, obj in iter_values(self.path, container_key="entities"):
            self.record += 1
            self._count("records")
            fid, schema, props = self._check(position, obj)
            try:
                yield from self._record(obj, fid, schema, props, position)
            except ValidationError as e:
                raise self._error(position, fid, str(e)) from e
        yield from self._settle(self.waiting.items)
        self.waiting.items.clear()
        if self.waiting.overflow_at is not None:
            yield from self._second_pass(self.waiting.overflow_at)

    def _second_pass(self, start: int) -> Iterator[Fact]:
        """The links the first pass could not hold: those from `start` on, read too early."""
        for record, (position, obj) in enumerate(iter_values(self.path, "entities"), start=1):
            if record < start:
                continue
            fid, schema, props = self._check(position, obj)
            links = self._links(obj, fid, schema, props, position)
            yield from self._settle(
                link for link in links
                if not all(isinstance(end, tuple) or self.waiting.settled(end, record, self.types)
                           for end in (link.source, link.target))
            )  # fmt: skip

    def _settle(self, links: Iterable[_Link]) -> Iterator[Fact]:
        for link in links:
            try:
                fact = self._relation(link)
            except ValidationError as e:
                raise self._error(link.locator, None, str(e)) from e
            if fact is not None:
                yield fact

    def _record(
        self, obj: dict[str, Any], fid: str, schema: str, props: dict[str, Any], locator: str
    ) -> Iterator[Fact]:
        if schema in ENTITY_SCHEMATA:
            yield from self._thing(obj, fid, schema, props, locator)
        elif schema in LINKS or schema in SPECIAL_LINKS:
            self._count("links")
            if schema == "Sanction":
                yield from self._authority(fid, props, locator)
        else:
            self._skip(f"unmapped_schema:{schema}", fid)
            return
        ready: list[_Link] = []
        later: list[_Link] = []
        for link in self._links(obj, fid, schema, props, locator):
            ends = (link.source, link.target)
            known = all(isinstance(e, tuple) or e in self.types for e in ends)
            (ready if known else later).append(link)
        yield from self._settle(ready)
        if later:
            self.waiting.hold(later, self.record)

    def _links(
        self, obj: dict[str, Any], fid: str, schema: str, props: dict[str, Any], locator: str
    ) -> list[_Link]:
        """The relations one record states, ends still unresolved (no side effects)."""
        if schema in ENTITY_SCHEMATA:
            if not entity_name(obj, props)[0].strip():
                return []
            quote = f"FtM {schema} parent ({fid})"
            return [_Link(locator, schema, fid, parent, ("PART_OF",), quote, {"ftm_id": fid})
                    for parent in values(props, "parent")]  # fmt: skip
        if schema == "Sanction":
            return self._sanction(fid, props, locator)
        if schema == "CourtCaseParty":
            return self._court_party(fid, props, locator)
        if schema not in LINKS:
            return []
        spec = LINKS[schema]
        quote = quote_of(props) or f"FtM {schema} ({fid})"
        extra = {**plain(props, {spec.source, spec.target}), "ftm_schema": schema, "ftm_id": fid}
        return [
            _Link(locator, schema, source, target, spec.relations, quote, extra)
            for source in values(props, spec.source)
            for target in values(props, spec.target)
        ]

    def _thing(
        self, obj: dict[str, Any], fid: str, schema: str, props: dict[str, Any], locator: str
    ) -> Iterator[Fact]:
        etype = ENTITY_SCHEMATA[schema]
        name, aliases = entity_name(obj, props)
        if not name.strip():
            self._skip(f"no_name:{schema}", fid)
            return
        extra = plain(props, _THING_SKIP)
        extra["ftm_schema"] = schema
        extra.update({k: obj[k] for k in TOP_LEVEL if obj.get(k) not in (None, [], "")})
        evidence = self._evidence("", locator)
        yield make_entity(etype, name, aliases=aliases, properties=extra, xid=fid,
                          evidence=evidence, locator=locator)  # fmt: skip
        self.types[fid] = etype
        self.waiting.defined(fid, self.record)
        self._count("entities")
        if etype in ("Company", "Organization"):
            codes = dict.fromkeys(
                c.strip().casefold() for p in COUNTRY_PROPS for c in values(props, p)
            )
            for code in codes:
                yield from self._based_in(EntityRef(xid=fid, type=etype), code, schema, locator)

    def _based_in(self, ref: EntityRef, code: str, schema: str, locator: str) -> Iterator[Fact]:
        country = country_name(code)
        if country is None:
            self._skip(f"unknown_country:{code}", None)
            return
        evidence = self._evidence(f"FtM {schema} country {code}", locator)
        yield from self._made("Country", country, evidence, locator, {"iso_code": code.upper()})
        yield make_relation(ref, "BASED_IN", EntityRef(name=country, type="Country"),
                            evidence=evidence, locator=locator)  # fmt: skip
        self._count("relations")

    def _authority(self, fid: str, props: dict[str, Any], locator: str) -> Iterator[Fact]:
        """The body or country a sanction names as its source, emitted once per file."""
        source = _sanctioner(props)
        if source is None:
            self._skip("no_authority:Sanction", None)
            return
        etype, name = source
        evidence = self._evidence(quote_of(props) or f"FtM Sanction ({fid})", locator)
        codes = [c.strip().casefold() for c in values(props, "country") if c.strip()]
        iso = {"iso_code": codes[0].upper()} if etype == "Country" else None
        yield from self._made(etype, name, evidence, locator, iso)
        if etype == "Organization" and codes and ("BASED_IN " + name, codes[0]) not in self.made:
            self.made.add(("BASED_IN " + name, codes[0]))
            yield from self._based_in(
                EntityRef(name=name, type=etype), codes[0], "Sanction", locator
            )

    def _sanction(self, fid: str, props: dict[str, Any], locator: str) -> list[_Link]:
        source = _sanctioner(props)
        if source is None:
            return []
        quote = quote_of(props) or f"FtM Sanction ({fid})"
        extra = {**plain(props, {"entity", "authority"}), "ftm_schema": "Sanction", "ftm_id": fid}
        return [
            _Link(locator, "Sanction", source, target, ("SANCTIONED",), quote, extra)
            for target in values(props, "entity")
        ]

    def _court_party(self, fid: str, props: dict[str, Any], locator: str) -> list[_Link]:
        roles = values(props, "role")
        relation = court_role(roles[0] if roles else "")
        quote = quote_of(props) or f"FtM CourtCaseParty ({fid})"
        extra = {**plain(props, {"party", "case"}), "ftm_schema": "CourtCaseParty", "ftm_id": fid}
        links = []
        for party in values(props, "party"):
            for case in values(props, "case"):
                ends = (case, party) if relation == "CONCERNS" else (party, case)
                links.append(_Link(locator, "CourtCaseParty", *ends, (relation,), quote, extra))
        return links

    def _relation(self, link: _Link) -> Fact | None:
        refs: list[EntityRef] = []
        for end in (link.source, link.target):
            if isinstance(end, tuple):
                refs.append(EntityRef(name=end[1], type=end[0]))
                continue
            etype = self.types.get(end)
            if etype is None:
                self._skip(f"dangling_ref:{link.label}", None)
                return None
            if etype.startswith(_SKIPPED):
                self._skip(f"endpoint_skipped:{etype[1:]}", None)
                return None
            refs.append(EntityRef(xid=end, type=etype))
        stype, ttype = refs[0].type or "", refs[1].type or ""
        schema = load_schema()
        allowed = [r for r in link.relations if schema.relation_type(r).allows(stype, ttype)]
        if not allowed:
            self._skip(f"endpoint_types:{link.label} {stype}->{ttype}", None)
            return None
        evidence = self._evidence(link.quote, link.locator)
        fact = make_relation(
            refs[0], allowed[0], refs[1], evidence=evidence, properties=link.properties,
            locator=link.locator,
        )  # fmt: skip
        self._count("relations")
        return fact

    def _made(
        self, etype: str, name: str, evidence: Evidence, locator: str,
        properties: dict[str, Any] | None = None,
    ) -> Iterator[Fact]:  # fmt: skip
        """An entity the loader derived (a country, an authority), emitted once per file."""
        if (etype, name) not in self.made:
            self.made.add((etype, name))
            self._count("entities")
            yield make_entity(etype, name, properties=properties, evidence=evidence,
                              locator=locator)  # fmt: skip

    def _evidence(self, quote: str, locator: str) -> Evidence:
        return make_evidence(self.doc_id, quote, extractor=EXTRACTOR, locator=locator)

    def _check(self, position: str, obj: Any) -> tuple[str, str, dict[str, Any]]:
        if not isinstance(obj, dict):
            raise self._error(position, None, f"expected an FtM entity, got {type(obj).__name__}")
        fid, schema, props = obj.get("id"), obj.get("schema"), obj.get("properties", {})
        if not isinstance(fid, str) or not fid:
            raise self._error(position, None, "FtM entity without an 'id'")
        if not isinstance(schema, str) or not schema:
            raise self._error(position, fid, "FtM entity without a 'schema'")
        if not isinstance(props, dict):
            raise self._error(position, fid, "field 'properties' must be an object")
        return fid, schema, props

    def _error(self, position: str, fid: str | None, message: str) -> LoaderError:
        message = message.removeprefix(f"{position}: ").removeprefix(f"{fid}: ")
        where = f"entity {shown(fid)}: " if fid else ""
        if position.startswith("line "):
            return LoaderError(where + message, path=str(self.path), line=int(position[5:]))
        return LoaderError(f"{position}: {where}{message}", path=str(self.path))

    def _skip(self, reason: str, fid: str | None) -> None:
        reason = sys.intern(shown(reason))  # details come from the source: no control chars
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if fid is not None:
            self.types[fid] = _SKIPPED + reason

    def _count(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _sanctioner(props: dict[str, Any]) -> tuple[str, str] | None:
    """(type, name) of who imposed a sanction: its first authority, else its country."""
    authorities = [a.strip() for a in values(props, "authority") if a.strip()]
    if authorities:
        return "Organization", authorities[0]
    codes = [c.strip() for c in values(props, "country") if c.strip()]
    country = country_name(codes[0]) if codes else None
    return ("Country", country) if country else None


LOADER = FtmLoader()
