"""Technical observables: indicator kinds, value normalisation and STIX pattern parsing."""

from __future__ import annotations

import re
from typing import Any

# Column names and indicator_type values (as Meta, Amnesty and others write them) -> kind.
# Hash algorithms map to kind "hash" and keep the algorithm as a property.
KIND_ALIASES: dict[str, str] = {
    "domain": "domain", "domain_name": "domain", "domains": "domain", "hostname": "domain",
    "fqdn": "domain", "domain-name": "domain",
    "ip": "ip", "ip_address": "ip", "ips": "ip", "ipv4": "ip", "ipv6": "ip", "ip_addr": "ip",
    "ipv4-addr": "ip", "ipv6-addr": "ip",
    "url": "url", "urls": "url", "uri": "url", "phishing_url": "url", "cib_url": "url",
    "telegram_url": "url",
    "email": "email", "emails": "email", "email_address": "email", "email-addr": "email",
    "md5": "hash", "sha1": "hash", "sha256": "hash", "sha512": "hash", "hash": "hash",
    "android_package_name": "app", "package_name": "app", "ios_app_id": "app", "app_id": "app",
    "file_name": "filename", "filename": "filename", "file_path": "filepath",
    "process": "process", "process_name": "process", "asn": "asn", "mutex": "mutex",
}  # fmt: skip
HASH_ALGORITHMS = {"md5", "sha1", "sha256", "sha512", "sha-1", "sha-256", "sha-512", "ssdeep"}

# STIX cyber-observable (type, property path) -> kind; hashes are handled separately.
STIX_PATHS: dict[tuple[str, str], str] = {
    ("domain-name", "value"): "domain",
    ("ipv4-addr", "value"): "ip",
    ("ipv6-addr", "value"): "ip",
    ("url", "value"): "url",
    ("email-addr", "value"): "email",
    ("email-message", "from_ref.value"): "email",
    ("email-message", "sender_ref.value"): "email",
    ("mac-addr", "value"): "mac",
    ("autonomous-system", "number"): "asn",
    ("mutex", "name"): "mutex",
    ("windows-registry-key", "key"): "registry-key",
    ("file", "name"): "filename",
    ("file", "path"): "filepath",
    ("directory", "path"): "filepath",
    ("process", "name"): "process",
    ("app", "id"): "app",
}
# The value property of each observable type read as an Indicator (SCO objects in a bundle).
SCO_VALUE = {
    "domain-name": "value", "ipv4-addr": "value", "ipv6-addr": "value", "url": "value",
    "email-addr": "value", "mac-addr": "value", "autonomous-system": "number", "mutex": "name",
    "windows-registry-key": "key", "directory": "path",
}  # fmt: skip
HASHED_SCOS = {"file", "artifact", "x509-certificate"}

_DEFANG = (("[.]", "."), ("(.)", "."), ("[dot]", "."), ("[:]", ":"), ("[@]", "@"))
_COMPARISON = re.compile(
    r"\[\s*(?P<type>[a-z0-9][a-z0-9-]*):(?P<path>[A-Za-z0-9_.'-]+)\s*=\s*'(?P<value>(?:\\.|[^'\\])*)'"
)


def kind_for(label: str) -> str | None:
    """The indicator kind a column name or indicator_type value stands for, if any."""
    key = label.strip().casefold().replace(" ", "_")
    return KIND_ALIASES.get(key)


def hash_algorithm(label: str) -> str | None:
    """The normalised hash algorithm a label names (SHA-256 -> sha256), if it names one."""
    key = label.strip().strip("'\"").casefold()
    return key.replace("-", "") if key in HASH_ALGORITHMS else None


def normalize_value(kind: str, value: str) -> str:
    """The matching form of an observable: refanged, trimmed; domains, emails, hashes lowercased."""
    text = str(value).strip()
    if kind in {"domain", "url", "email", "ip"}:
        for old, new in _DEFANG:
            text = text.replace(old, new)
        if text[:4].casefold() == "hxxp":
            text = "http" + text[4:]
    if kind == "domain":
        text = text.rstrip(".").casefold()
    elif kind in {"email", "hash", "cert-hash", "mac"}:
        text = text.casefold()
    return text


def parse_pattern(pattern: str) -> tuple[str, str, dict[str, Any]] | None:
    """(kind, value, extra properties) of a STIX pattern's first equality comparison, or None."""
    match = _COMPARISON.search(pattern)
    if match is None:
        return None
    otype, path = match["type"], match["path"]
    value = match["value"].replace("\\'", "'").replace("\\\\", "\\")
    extra: dict[str, Any] = {}
    if ".hashes." in f".{path}" or path.startswith("hashes."):
        algo = path.split("hashes.", 1)[1]
        extra["hash_algorithm"] = hash_algorithm(algo) or algo.strip("'").casefold()
        kind = "cert-hash" if otype == "x509-certificate" else "hash"
    elif otype == "app" and path.startswith("cert."):
        kind = "cert-hash"
        extra["hash_algorithm"] = hash_algorithm(path[5:]) or path[5:]
    else:
        kind = STIX_PATHS.get((otype, path), otype)
    if kind == otype:
        extra["observable"] = f"{otype}:{path}"
    if " OR " in pattern or " AND " in pattern or pattern.count("[") > 1:
        extra["compound_pattern"] = True
    return kind, normalize_value(kind, value), extra


def sco_indicator(obj: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(kind, value, extra properties) of a STIX cyber-observable object, or None if it has none."""
    otype = obj.get("type")
    if otype in SCO_VALUE:
        value = obj.get(SCO_VALUE[otype])
        if value is None or value == "":
            return None
        kind = STIX_PATHS.get((otype, SCO_VALUE[otype]), otype)
        return kind, normalize_value(kind, str(value)), {}
    if otype in HASHED_SCOS:
        hashes = obj.get("hashes") or {}
        if isinstance(hashes, dict):
            ordered = sorted(hashes, key=lambda a: (hash_algorithm(a) != "sha256", a))
            for algo in ordered:
                if isinstance(hashes[algo], str) and hashes[algo]:
                    kind = "cert-hash" if otype == "x509-certificate" else "hash"
                    props = {"hash_algorithm": hash_algorithm(algo) or algo.casefold()}
                    return kind, normalize_value(kind, hashes[algo]), props
        name = obj.get("name")
        if otype == "file" and isinstance(name, str) and name.strip():
            return "filename", name.strip(), {}
    return None
