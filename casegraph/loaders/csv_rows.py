"""One CSV row read into facts, by the table's layout."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from casegraph.dates import parse_bound
from casegraph.errors import ValidationError
from casegraph.graph.model import (
    EntityRef,
    Evidence,
    Fact,
    check_endpoints,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.loaders.csv_comments import names_in_comment
from casegraph.loaders.csv_layout import Layout
from casegraph.loaders.stix_indicators import hash_algorithm, kind_for, normalize_value

EXTRACTOR = "csv"
# Columns whose value dates a row's evidence (by header name, any case), first found wins.
DATE_COLUMNS = ("date", "published", "published_at", "ds", "start_date", "startdate",
                "listing_date", "listingdate", "first_seen", "valid_from")  # fmt: skip
DEFAULT_RELATION = "MENTIONED_WITH"
DEFAULT_INDICATED = "Product"
# Confidence of an INDICATES read from a row's free-text comment by casegraph.loaders.csv_comments.
COMMENT_CONFIDENCE = 0.8


class RowReader:
    """Turns rows into facts; remembers which typed ends it has emitted as entities already."""

    def __init__(self, layout: Layout, doc_id: str, context: str = "") -> None:
        self.layout = layout
        self.doc_id = doc_id
        self.context = context  # what the table is about (its file name), for comment names
        self.emitted: set[tuple[str, str]] = set()
        self.date_columns = [
            i for i, n in enumerate(layout.names) if n.strip().casefold() in DATE_COLUMNS
        ]
        self.read_row = {
            "relations": self._relation, "edges": self._relation, "entities": self._entity,
            "indicators": self._indicator, "indicator_columns": self._indicator_columns,
        }[layout.table]  # fmt: skip

    def facts(self, row: list[str], lineno: int) -> Iterator[Fact]:
        """The facts one row states (raises ValidationError naming the column at fault)."""
        return self.read_row(row, f"line {lineno}")

    def _cell(self, row: list[str], role: str) -> str:
        index = self.layout.roles.get(role)
        if index is None or index >= len(row):
            return ""
        return row[index].strip()

    def _required(self, row: list[str], role: str) -> str:
        value = self._cell(row, role)
        if not value:
            index = self.layout.roles[role]
            label = self.layout.names[index]
            short = f" (the row has {len(row)} of {len(self.layout.names)} columns)"
            raise ValidationError(
                f"column {label!r} is empty" + (short if index >= len(row) else "")
            )
        return value

    def _evidence(self, row: list[str], locator: str) -> Evidence:
        confidence: Any = self._cell(row, "confidence") or 1.0
        return make_evidence(
            self.doc_id, self._cell(row, "quote"), extractor=EXTRACTOR, confidence=confidence,
            locator=locator, date=self._date(row),
        )  # fmt: skip

    def _date(self, row: list[str]) -> str | None:
        """The day a row is dated by: its first date column (date, published, ds, ...) whose
        value is a day (casegraph.dates); a value that is not a day leaves the row undated."""
        for i in self.date_columns:
            if i < len(row) and (day := parse_bound(row[i].strip(), end=False)):
                return day
        return None

    def _properties(self, row: list[str]) -> dict[str, Any]:
        names = self.layout.names
        return {
            names[i]: row[i].strip()
            for i in self.layout.property_columns
            if i < len(row) and row[i].strip()
        }

    def _once(
        self, etype: str, name: str, evidence: Evidence, locator: str, xid: str | None = None,
        properties: dict[str, Any] | None = None,
    ) -> Iterator[Fact]:  # fmt: skip
        key = (etype, xid or name)
        if key not in self.emitted:
            self.emitted.add(key)
            yield make_entity(etype, name, xid=xid, properties=properties, evidence=evidence,
                              locator=locator)  # fmt: skip

    def _relation(self, row: list[str], locator: str) -> Iterator[Fact]:
        ends: list[EntityRef] = []
        evidence = self._evidence(row, locator)
        for side in ("source", "target"):
            name, xid = self._cell(row, side), self._cell(row, f"{side}_id")
            if not name and not xid:
                self._required(row, side if side in self.layout.roles else f"{side}_id")
            etype = self._cell(row, f"{side}_type") or getattr(self.layout, f"{side}_type")
            if etype and name:
                yield from self._once(etype, name, evidence, locator, xid or None)
            ends.append(EntityRef(name=name or None, type=etype or None, xid=xid or None))
        rtype = self._cell(row, "type") or self.layout.rel_type or DEFAULT_RELATION
        relation = make_relation(
            ends[0], rtype, ends[1], evidence=evidence, properties=self._properties(row),
            locator=locator,
        )  # fmt: skip
        if ends[0].type and ends[1].type:
            check_endpoints(relation.type, ends[0].type, ends[1].type, None)
        yield relation

    def _entity(self, row: list[str], locator: str) -> Iterator[Fact]:
        name = self._required(row, "name")
        etype = self._cell(row, "entity_type") or self.layout.entity_type
        if not etype:
            raise ValidationError("no entity type: add a 'type' column or pass an entity type")
        aliases = [a for a in self._cell(row, "aliases").split(self.layout.alias_separator) if a]
        props = self._properties(row)
        kind = self._cell(row, "kind")
        if kind:
            props["kind"] = kind
            name = normalize_value(kind, name)
        yield make_entity(
            etype, name, aliases=[a.strip() for a in aliases], properties=props,
            xid=self._cell(row, "id") or None, evidence=self._evidence(row, locator),
            locator=locator,
        )  # fmt: skip

    def _indicator(self, row: list[str], locator: str) -> Iterator[Fact]:
        label = self._required(row, "indicator_type")
        value = self._required(row, "indicator_value")
        yield from self._observable(row, locator, label, value)

    def _indicator_columns(self, row: list[str], locator: str) -> Iterator[Fact]:
        for index, (kind, _) in self.layout.kind_columns.items():
            if index < len(row) and row[index].strip():
                label = self.layout.names[index]
                yield from self._observable(row, locator, label, row[index], kind)

    def _observable(
        self, row: list[str], locator: str, label: str, value: str, kind: str | None = None
    ) -> Iterator[Fact]:
        key = label.strip().casefold().replace(" ", "_")
        kind = kind or self.layout.kinds.get(key) or kind_for(label) or key
        name = normalize_value(kind, value)
        props: dict[str, Any] = {"kind": kind, "indicator_type": label, **self._properties(row)}
        algorithm = hash_algorithm(label)
        if algorithm:
            props["hash_algorithm"] = algorithm
        if name != value.strip():
            props["value_raw"] = value.strip()
        comment = self._cell(row, "quote")
        if comment:  # kept on the entity: the store keeps no quote for entities
            props[self.layout.names[self.layout.roles["quote"]]] = comment
        evidence = self._evidence(row, locator)
        yield make_entity("Indicator", name, properties=props, evidence=evidence, locator=locator)
        target = self._indicated(row)
        targets = [target] if target is not None else self._named_in_comment(comment, kind)
        for target_name, target_type in targets:
            yield from self._once(target_type, target_name, evidence, locator)
            from_comment = target is None
            yield make_relation(
                EntityRef(name=name, type="Indicator"), "INDICATES",
                EntityRef(name=target_name, type=target_type),
                evidence=replace(evidence, confidence=min(evidence.confidence, COMMENT_CONFIDENCE))
                if from_comment else evidence,
                properties={"named_in": "comment"} if from_comment else None, locator=locator,
            )  # fmt: skip

    def _named_in_comment(self, comment: str, kind: str) -> list[tuple[str, str]]:
        """What the comment names, typed by its words (or the mapping's target_type)."""
        if not comment or kind == "app":  # an app's comment is its own title
            return []
        named = names_in_comment(comment, self.context)
        if self.layout.target_type:
            named = [(n, self.layout.target_type) for n, _ in named]
            check_endpoints("INDICATES", "Indicator", self.layout.target_type, None)
        return named

    def _indicated(self, row: list[str]) -> tuple[str, str] | None:
        if self.layout.indicates is not None:
            return self.layout.indicates
        name = self._cell(row, "target")
        if not name:
            return None
        etype = self.layout.entity_type or self.layout.target_type or DEFAULT_INDICATED
        check_endpoints("INDICATES", "Indicator", etype, None)
        return name, etype
