"""What one line of an indicator list is: its kind by content, or by what the list's name says."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from casegraph.loaders.stix_indicators import normalize_value

_DEFANG = (("[.]", "."), ("(.)", "."), ("[dot]", "."), ("[:]", ":"), ("[@]", "@"))
_URL = re.compile(r"^[a-z][a-z0-9+.-]{1,15}://\S+$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_DOMAIN = re.compile(
    r"^(?=.{4,253}$)(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$"
)
_PATH = re.compile(r"^(?:/|~/|[A-Za-z]:\\)")
_TOKEN = re.compile(r"^\S+$")
HASH_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256", 128: "sha512"}

# The end of a list's file name (stem, case-folded, "-" and " " as "_") -> the kind every line
# has, for kinds the content alone cannot show (a package name reads like a domain). Longer
# endings are tried first.
NAMED_KINDS: dict[str, str] = {
    "package_cert_hashes": "cert-hash", "cert_hashes": "cert-hash", "certificate_hashes": "cert-hash",
    "package_names": "app", "packages": "app", "package_ids": "app", "app_ids": "app",
    "bundle_ids": "app", "processes": "process", "process_names": "process",
    "file_names": "filename", "filenames": "filename", "files": "filename",
    "file_paths": "filepath", "filepaths": "filepath", "paths": "filepath",
    "config_profiles": "configuration-profile", "configuration_profiles": "configuration-profile",
    "android_properties": "android-property", "properties": "android-property",
    "mutexes": "mutex",
}  # fmt: skip
# File-name endings that name a list whose kinds the content shows (so an empty one is a list),
# with the kind a line that is one token but no recognisable value is taken for: the list's own
# word for it (Amnesty's and MVT's bundles file such a line in domains.txt as a domain too).
LIST_NAMES: dict[str, str | None] = {
    "domains": "domain", "hostnames": "domain", "ips": "ip", "ip_addresses": "ip",
    "ipv4": "ip", "ipv6": "ip", "ipv4_addresses": "ip", "emails": "email",
    "email_addresses": "email", "urls": "url", "hashes": "hash", "md5": "hash", "sha1": "hash",
    "sha256": "hash", "sha512": "hash", "samples": "hash", "iocs": None, "indicators": None,
}  # fmt: skip
CONTENT_KINDS = ("url", "email", "ip", "hash", "filepath", "domain")


@dataclass(frozen=True)
class ListName:
    """What a list's file name says: the kind of every line, or the kind its word names."""

    kind: str | None = None  # every line is of this kind (processes.txt)
    default: str | None = None  # a line that shows no kind is of this one (domains.txt)
    is_list: bool = False  # the name is a list's, so an empty file is an empty list


def list_name(stem: str) -> ListName:
    """What a list's file name (its stem) says about its lines."""
    key = re.sub(r"[\s-]+", "_", stem.casefold())

    def ends(word: str) -> bool:
        return key == word or key.endswith("_" + word)

    for ending in sorted(NAMED_KINDS, key=len, reverse=True):
        if ends(ending):
            return ListName(kind=NAMED_KINDS[ending], is_list=True)
    for ending in sorted(LIST_NAMES, key=len, reverse=True):
        if ends(ending):
            return ListName(default=LIST_NAMES[ending], is_list=True)
    return ListName()


def refanged(value: str) -> str:
    """A value with the usual defanging undone ([.] -> ., hxxp -> http)."""
    text = value
    for old, new in _DEFANG:
        text = text.replace(old, new)
    return "http" + text[4:] if text[:4].casefold() == "hxxp" else text


def classify(value: str, name: ListName | None = None) -> tuple[str, str, dict[str, str]] | None:
    """(kind, normalised value, extra properties) of one list line, or None if it is none.

    When the list's name gives every line a kind, the line must fit it; else the content
    decides (URL, e-mail, IP address, hash (md5, sha1, sha256 or sha512 by length), file path,
    domain), and a single token it cannot place takes the kind the list's name uses (a domain
    or URL list), marked kind_from "file name".
    """
    name = name or ListName()
    text = value.strip()
    if not text:
        return None
    if name.kind is not None:
        return _named(text, name.kind)
    plain = refanged(text)
    if _URL.match(plain):
        return "url", normalize_value("url", text), {}
    if _EMAIL.match(plain):
        return "email", normalize_value("email", text), {}
    if _is_ip(plain):
        return "ip", normalize_value("ip", text), {}
    if _HEX.match(text) and len(text) in HASH_LENGTHS:
        return "hash", text.casefold(), {"hash_algorithm": HASH_LENGTHS[len(text)]}
    if _PATH.match(text):
        return "filepath", text, {}
    if _DOMAIN.match(plain.rstrip(".").casefold()):
        return "domain", normalize_value("domain", text), {}
    if name.default in ("domain", "url") and _TOKEN.match(text):
        return name.default, normalize_value(name.default, text), {"kind_from": "file name"}
    return None


def _named(text: str, kind: str) -> tuple[str, str, dict[str, str]] | None:
    if kind == "cert-hash":
        if _HEX.match(text) and len(text) in HASH_LENGTHS:
            return kind, text.casefold(), {"hash_algorithm": HASH_LENGTHS[len(text)]}
        return None
    if kind == "filepath":  # absolute, or relative with a separator (Library/Preferences/x)
        return (kind, text, {}) if _PATH.match(text) or "/" in text or "\\" in text else None
    return (kind, text, {}) if _TOKEN.match(text) else None


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
