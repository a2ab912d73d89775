"""MISP galaxy cluster files: vendors, actors, tools and countries, with products and links.

(MISP events, dated documents of indicators, are read by casegraph.loaders.misp_events.)

A cluster file is one JSON object with `type`, `name`, `uuid` and `values` (the clusters).
Each cluster becomes an entity (its uuid as xid, `meta.synonyms` as aliases, description and
references as properties), typed by the file's `type`:

| cluster type | entity type |
| --- | --- |
| surveillance-vendor | Company |
| threat-actor, microsoft-activity-group | Organization |
| tool, stalkerware | Product |
| country | Country |
| others (sector, ...) | skipped, counted as `unmapped_cluster_type:<type>` |

`meta.products` of a vendor become Product entities it DEVELOPED (with the vendor's name as
`listed_by` and an id of the vendor's, see casegraph.graph.context); `meta.country` (ISO codes) of
an actor or vendor becomes BASED_IN that Country. `related` links whose target is a cluster of
the same file map: part-of -> PART_OF, uses/deploys/delivers -> USED (used-by and
is-deployed-by reversed), targets -> TARGETED,
acquires -> OWNS, is-acquired-by -> OWNS (reversed); similar, is-allied-with, related-to,
linked-to, overlaps, associated-with -> MENTIONED_WITH (the MISP word kept as a property).
Links to clusters of other files, unknown link words and combinations the schema refuses are
skipped with a count. Galaxy definition files (no `values`) are not cluster files.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.errors import LoaderError, ValidationError
from casegraph.graph.context import LISTED_BY
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
from casegraph.loaders.data import country_name
from casegraph.loaders.misp_events import event_sources, events

EXTRACTOR = "misp"
# Cluster files are small (the largest public one is a few MB); larger ones are refused.
MAX_BYTES = 256 * 1024 * 1024

CLUSTER_TYPES = {
    "surveillance-vendor": "Company",
    "threat-actor": "Organization",
    "microsoft-activity-group": "Organization",
    "tool": "Product",
    "stalkerware": "Product",
    "country": "Country",
}
# MISP link word -> (relation type, whether the ends swap)
LINKS = {
    "part-of": ("PART_OF", False),
    "uses": ("USED", False),
    "deploys": ("USED", False),
    "delivers": ("USED", False),
    "used-by": ("USED", True),
    "is-deployed-by": ("USED", True),
    "targets": ("TARGETED", False),
    "acquires": ("OWNS", False),
    "is-acquired-by": ("OWNS", True),
    "similar": ("MENTIONED_WITH", False),
    "is-allied-with": ("MENTIONED_WITH", False),
    "related-to": ("MENTIONED_WITH", False),
    "linked-to": ("MENTIONED_WITH", False),
    "overlaps": ("MENTIONED_WITH", False),
    "associated-with": ("MENTIONED_WITH", False),
}


class MispLoader:
    name = "misp"
    extensions = (".json",)

    def sniff(self, path: Path, head: bytes) -> bool:
        """A MISP cluster file: a JSON object whose first keys include authors/category/values;
        or MISP events: an object (or list) of "Event" objects."""
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if not text.startswith(("{", "[")):
            return False
        window = text[:4096]
        if re.match(r'^[\[{]\s*(?:"response"\s*:\s*\[\s*)?(?:\{\s*)?"Event"\s*:\s*\{', window):
            return True
        return (
            text.startswith("{")
            and '"values"' in window
            and '"category"' in window
            and '"uuid"' in window
            and ('"authors"' in window or '"source"' in window)
        )

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        try:
            if path.stat().st_size > MAX_BYTES:
                raise LoaderError(f"larger than {MAX_BYTES >> 20} MiB; not a cluster file?",
                                  path=str(path))  # fmt: skip
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as e:
            raise LoaderError(f"not valid UTF-8 (byte {e.start})", path=str(path)) from e
        except (ValueError, RecursionError) as e:
            raise LoaderError(f"invalid JSON: {e}", path=str(path)) from e
        except OSError as e:
            raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
        found = events(data)
        if found is not None:
            yield from event_sources(found, str(path.resolve()), self.name)
            return
        if not isinstance(data, dict) or not isinstance(data.get("values"), list):
            raise LoaderError("not a MISP cluster file (no 'values' list) nor MISP events",
                              path=str(path))  # fmt: skip
        skipped: dict[str, int] = {}
        doc = Document(
            id=hash_file(path), title=str(data.get("name") or path.name),
            path=str(path.resolve()), loader=self.name,
            properties={"cluster_type": data.get("type"), "skipped": skipped},
        )  # fmt: skip
        yield Source(doc, _named(_facts(data, doc.id, str(path), skipped), str(path)))


def _named(facts: Iterator[Fact], path: str) -> Iterator[Fact]:
    """The facts, a refused one (ValidationError) named with the file it is in."""
    try:
        yield from facts
    except ValidationError as e:
        raise LoaderError(str(e), path=path) from e


def _count(skipped: dict[str, int], reason: str) -> None:
    skipped[reason] = skipped.get(reason, 0) + 1


def _strings(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if isinstance(v, str | int) and str(v).strip()]


def _facts(data: dict[str, Any], doc_id: str, path: str, skipped: dict[str, int]) -> Iterator[Fact]:
    ctype = str(data.get("type") or "")
    etype = CLUSTER_TYPES.get(ctype)
    values = data["values"]
    if etype is None:
        skipped[f"unmapped_cluster_type:{ctype or '?'}"] = len(values)
        return
    known: dict[str, EntityRef] = {}
    types: dict[str, str] = {}
    for i, cluster in enumerate(values):
        where = f"cluster {i + 1}"
        if not isinstance(cluster, dict) or not isinstance(cluster.get("value"), str):
            raise LoaderError(f"{where}: a cluster needs a string 'value'", path=path)
        raw_meta = cluster.get("meta")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        uuid = str(cluster.get("uuid") or "") or None
        props = {k: v for k, v in {
            "description": cluster.get("description"), "refs": meta.get("refs"),
            "misp_cluster_type": ctype,
        }.items() if v}  # fmt: skip
        fact = make_entity(etype, cluster["value"], aliases=_strings(meta.get("synonyms", [])),
                           properties=props, xid=uuid, locator=where)  # fmt: skip
        yield fact
        ref = fact.ref()
        if uuid:
            known[uuid] = ref
            types[uuid] = etype
        yield from _meta_facts(ref, etype, meta, cluster["value"], doc_id, where, skipped,
                               uuid or f"{doc_id}:{where}")  # fmt: skip
    for i, cluster in enumerate(values):
        yield from _links(cluster, known, types, doc_id, f"cluster {i + 1}", skipped)


def _meta_facts(ref: EntityRef, etype: str, meta: dict[str, Any], name: str, doc_id: str,
                where: str, skipped: dict[str, int], owner: str) -> Iterator[Fact]:  # fmt: skip
    if etype == "Company":
        for product in _strings(meta.get("products", [])):
            ev = make_evidence(doc_id, f"{name}: products include {product}",
                               extractor=EXTRACTOR, locator=where)  # fmt: skip
            # known from this list only: its id is the vendor's, so the relation reaches the
            # entity this product resolved to even when it was kept apart from a same-named one
            xid = f"{owner}#product:{product.casefold()}"
            yield make_entity("Product", product, properties={LISTED_BY: [name]}, xid=xid,
                              locator=where)  # fmt: skip
            yield make_relation(ref, "DEVELOPED", EntityRef(product, "Product", xid),
                                evidence=ev, locator=where)  # fmt: skip
    if etype in ("Company", "Organization"):
        for code in _strings(meta.get("country", [])):
            country = country_name(code) if len(code) == 2 else code
            if not country:
                _count(skipped, f"unknown_country:{code.lower()}")
                continue
            ev = make_evidence(
                doc_id, f"{name}: country {code}", extractor=EXTRACTOR, locator=where
            )
            yield make_entity("Country", country, locator=where)
            yield make_relation(ref, "BASED_IN", EntityRef(country, "Country"), evidence=ev,
                                locator=where)  # fmt: skip


def _links(cluster: Any, known: dict[str, EntityRef], types: dict[str, str], doc_id: str,
           where: str, skipped: dict[str, int]) -> Iterator[Fact]:  # fmt: skip
    if not isinstance(cluster, dict) or not isinstance(cluster.get("related"), list):
        return
    source_id = str(cluster.get("uuid") or "")
    schema = load_schema()
    for link in cluster["related"]:
        if not isinstance(link, dict):
            _count(skipped, "malformed_link")
            continue
        word = str(link.get("type") or "").strip().lower()
        target_id = str(link.get("dest-uuid") or "")
        if word not in LINKS:
            _count(skipped, f"unmapped_link:{word or '?'}")
            continue
        if source_id not in known or target_id not in known:
            _count(skipped, "link_outside_file")
            continue
        rtype, swap = LINKS[word]
        a, b = (target_id, source_id) if swap else (source_id, target_id)
        if a == b or not schema.relation_type(rtype).allows(types[a], types[b]):
            _count(skipped, f"refused_by_schema:{word}")
            continue
        ev = make_evidence(doc_id, f"MISP: {known[source_id].name} {word} {known[target_id].name}",
                           extractor=EXTRACTOR, locator=where)  # fmt: skip
        yield make_relation(EntityRef(xid=a), rtype, EntityRef(xid=b), evidence=ev,
                            properties={"misp_relation": word}, locator=where)  # fmt: skip


LOADER = MispLoader()
