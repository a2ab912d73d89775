"""STIX 2.1 vocabulary mapped to the ontology: object types to entity types, verbs to relations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from casegraph.errors import ValidationError
from casegraph.loaders.data import country_code, country_name
from casegraph.loaders.stix_indicators import parse_pattern, sco_indicator

# SDOs whose ontology type does not depend on their content.
FIXED_TYPES = {
    "intrusion-set": "Organization",
    "threat-actor": "Organization",
    # A campaign is activity by actors the source often cannot name: it becomes the
    # Organization behind it (an "unknown entity" in the ontology's words).
    "campaign": "Organization",
    "malware": "Product",
    "tool": "Product",
    "software": "Product",
}
# STIX 2.1 types with no ontology counterpart: read, then skipped with a count.
UNMAPPED_TYPES = frozenset({
    "attack-pattern", "course-of-action", "grouping", "incident", "infrastructure",
    "malware-analysis", "note", "observed-data", "opinion", "report", "vulnerability",
    "sighting", "marking-definition", "extension-definition", "language-content",
    "email-message", "network-traffic", "process", "user-account",
})  # fmt: skip
OBSERVABLE_TYPES = frozenset({
    "artifact", "autonomous-system", "directory", "domain-name", "email-addr", "file",
    "ipv4-addr", "ipv6-addr", "mac-addr", "mutex", "url", "windows-registry-key",
    "x509-certificate",
})  # fmt: skip

# relationship_type -> (ontology relation, whether source and target swap).
RELATIONS: dict[str, tuple[str, bool]] = {
    "uses": ("USED", False),
    "targets": ("TARGETED", False),
    "attributed-to": ("PART_OF", False),
    "located-at": ("BASED_IN", False),
    "originates-from": ("BASED_IN", False),
    "indicates": ("INDICATES", False),
    "authored-by": ("DEVELOPED", True),
    "impersonates": ("IMPERSONATED", False),
    "communicates-with": ("INDICATES", True),
    "related-to": ("MENTIONED_WITH", False),
}

_CORPORATE = re.compile(
    r"\b(?:ltd|limited|inc|llc|gmbh|s\.?a|ag|plc|b\.?v|s\.?r\.?l|pte|group|holdings?)\.?$",
    re.IGNORECASE,
)
_COMMERCIAL = re.compile(
    r"\b(?:company|firm|vendor|commercial|business|start-?up|corporation)\b", re.IGNORECASE
)
_KEPT = (
    "description", "created", "modified", "labels", "first_seen", "last_seen", "objective",
    "is_family", "malware_types", "tool_types", "threat_actor_types", "roles", "sectors",
    "identity_class", "indicator_types", "pattern", "valid_from", "valid_until", "region",
    "country", "city", "administrative_area", "x_mitre_platforms",
)  # fmt: skip


@dataclass
class EntitySpec:
    """What one STIX object becomes: an entity, and for a place the country it lies in."""

    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    country: str | None = None


def text(obj: dict[str, Any], key: str) -> str | None:
    """A string field of a STIX object, or None; any other JSON type is an error."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"field {key!r} must be a string, not {type(value).__name__}")
    return value


def strings(obj: dict[str, Any], key: str) -> list[str]:
    """A list-of-strings field of a STIX object ([] when absent)."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"field {key!r} must be a list of strings")
    return value


def skip_reason(otype: str) -> str | None:
    """Why an object type is not read as an entity ("unmapped_type:..."), or None if it is."""
    if otype in FIXED_TYPES or otype in OBSERVABLE_TYPES or otype in {"identity", "location"}:
        return None
    if otype == "indicator":
        return None
    if otype in UNMAPPED_TYPES:
        return f"unmapped_type:{otype}"
    return f"unknown_type:{otype}"


def entity_spec(obj: dict[str, Any]) -> EntitySpec | str:
    """The entity a STIX object maps to, or the reason it is skipped."""
    otype = obj["type"]
    reason = skip_reason(otype)
    if reason:
        return reason
    props = _properties(obj)
    if otype == "indicator":
        return _indicator(obj, props)
    if otype in OBSERVABLE_TYPES:
        found = sco_indicator(obj)
        if found is None:
            return f"no_value:{otype}"
        kind, value, extra = found
        return EntitySpec("Indicator", value, [], {**props, "kind": kind, **extra})
    name = (text(obj, "name") or "").strip()
    if otype == "location" and not name:
        name = text(obj, "city") or text(obj, "administrative_area") or ""
        name = name or country_name(text(obj, "country") or "") or text(obj, "region") or ""
        name = name.replace("-", " ").strip()
    if not name:
        return f"no_name:{otype}"
    aliases = [a for a in strings(obj, "aliases") + strings(obj, "x_mitre_aliases") if a != name]
    if otype == "identity":
        etype = _identity_type(obj, name)
        if etype is None:
            return f"unmapped_identity_class:{obj.get('identity_class')}"
        return EntitySpec(etype, name, aliases, props)
    if otype == "location":
        return _location(obj, name, aliases, props)
    etype = FIXED_TYPES[otype]
    if otype == "threat-actor" and obj.get("resource_level") == "individual":
        etype = "Person"
    return EntitySpec(etype, name, aliases, props)


def _properties(obj: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = {"stix_type": obj["type"]}
    for key in _KEPT:
        value = obj.get(key)
        if value not in (None, "", []):
            props[key.removeprefix("x_mitre_")] = value
    refs = obj.get("external_references")
    if isinstance(refs, list) and refs:
        kept = [
            {k: r[k] for k in ("source_name", "external_id", "url") if isinstance(r.get(k), str)}
            for r in refs
            if isinstance(r, dict)
        ]
        props["external_references"] = [r for r in kept if r]
        attack = [
            r["external_id"]
            for r in kept
            if r.get("source_name", "").startswith("mitre") and "external_id" in r
        ]
        if attack:
            props["external_id"] = attack[0]
    return props


def _indicator(obj: dict[str, Any], props: dict[str, Any]) -> EntitySpec | str:
    pattern = text(obj, "pattern") or ""
    if obj.get("pattern_type", "stix") != "stix":
        return EntitySpec("Indicator", pattern, [], {**props, "kind": obj["pattern_type"]})
    parsed = parse_pattern(pattern)
    if parsed is None:
        if not pattern.strip():
            return "no_pattern:indicator"
        return EntitySpec("Indicator", pattern, [], {**props, "kind": "stix-pattern"})
    kind, value, extra = parsed
    if not value:
        return "no_value:indicator"
    label = text(obj, "name")
    if label:
        extra["stix_name"] = label
    return EntitySpec("Indicator", value, [], {**props, "kind": kind, **extra})


def _identity_type(obj: dict[str, Any], name: str) -> str | None:
    klass = obj.get("identity_class") or "unknown"
    if klass == "individual":
        return "Person"
    if klass == "class":
        return "VictimGroup"
    if klass == "system":
        return None
    if klass == "organization":
        description = text(obj, "description") or ""
        if _CORPORATE.search(name.strip()) or _COMMERCIAL.search(description):
            return "Company"
    return "Organization"


def _location(
    obj: dict[str, Any], name: str, aliases: list[str], props: dict[str, Any]
) -> EntitySpec:
    code = (text(obj, "country") or "").upper()
    country = country_name(code) if code else None
    is_place_in_country = any(obj.get(k) for k in ("city", "administrative_area", "street_address"))
    if not is_place_in_country and (country_code(name) or (country and not obj.get("name"))):
        official = country_name(country_code(name) or code) or name
        extra = [name] if official != name else []
        iso = code or country_code(name)
        return EntitySpec("Country", official, aliases + extra, {**props, "iso_code": iso})
    return EntitySpec("Location", name, aliases, props, country=country)
