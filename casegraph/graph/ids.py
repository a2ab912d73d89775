"""Ids both backends hand out alike: entity ids, relation ids, evidence keys and ids, timestamps."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from functools import lru_cache
from hashlib import sha1
from typing import Any

from casegraph.graph.model import Evidence


def now() -> str:
    """The current time as stores record it: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def slug(text: str) -> str:
    """The readable part of an entity id: ASCII letters and digits joined by '-', at most 60."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:60]


@lru_cache(maxsize=1 << 14)
def base_id(type_: str, key: str) -> str:
    """The id an entity with this type and name key gets when nothing has it yet: `type:slug`."""
    return f"{type_.lower()}:{slug(key) or sha1(key.encode()).hexdigest()[:10]}"


@lru_cache(maxsize=1 << 14)
def second_id(type_: str, key: str) -> str:
    """The id such an entity gets when its base id is taken: `type:slug-<hash>`."""
    return f"{base_id(type_, key)}-{sha1(f'{type_}|{key}'.encode()).hexdigest()[:8]}"


def numbered_id(type_: str, key: str, n: int) -> str:
    """The n-th fallback id (n >= 2) when both the base and the second id are taken."""
    return f"{base_id(type_, key)}-{n}"


def relation_id(source: str, rtype: str, target: str) -> str:
    """The id of the relation (source, type, target) on every backend: 16 hex digits of a SHA-1."""
    return sha1(f"{source}|{rtype}|{target}".encode()).hexdigest()[:16]


def evidence_key(ev: Evidence) -> str:
    """What makes two evidence items of one relation the same item: document, locator, offsets
    and extractor; the text fields length-prefixed, so the key is unambiguous."""
    start = -1 if ev.start is None else ev.start
    end = -1 if ev.end is None else ev.end
    loc = ev.locator or ""
    return f"{len(ev.document_id)}:{ev.document_id}|{len(loc)}:{loc}|{start}|{end}|{ev.extractor}"


# An evidence id is `ev:<relation id>-<16 hex digits>` (36 characters). Before schema version 6
# it had 6 hex digits (26 characters), the first 6 of today's: two items of one relation then
# shared an id once it had a few thousand, and the embedded store kept only the first. An id
# of that short form still names the item it is a prefix of (`evidence_names`).
EVIDENCE_ID_LENGTH = 36
SHORT_EVIDENCE_ID_LENGTH = 26


def evidence_id(rid: str, key: str) -> str:
    """The id of one evidence item: `ev:<relation id>-<16 hex digits>`, so the item's relation
    can be read off its id on every backend."""
    return f"ev:{rid}-{sha1(f'{rid}|{key}'.encode()).hexdigest()[:16]}"


def evidence_rid(eid: str) -> str | None:
    """The relation id inside an evidence id (of either length), or None when it is not one."""
    if (
        eid.startswith("ev:")
        and len(eid) in (EVIDENCE_ID_LENGTH, SHORT_EVIDENCE_ID_LENGTH)
        and eid[19] == "-"
    ):
        return eid[3:19]
    return None


def evidence_names(asked: str, stored: str) -> bool:
    """Whether the evidence id someone gave names the stored item `stored`: the same id, or the
    short id of older versions, which is the start of today's."""
    return stored == asked or (len(asked) == SHORT_EVIDENCE_ID_LENGTH and stored.startswith(asked))


def dumps(value: Any) -> str:
    """Properties as both stores keep them: JSON, non-ASCII as is, other values as strings."""
    return json.dumps(value, ensure_ascii=False, default=str)
