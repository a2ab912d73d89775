"""What an indicator row's comment names: the actor or the software it belongs to.

Threat-report tables (Meta's) say in a free-text comment what a row is: "Cytrox Domain",
"APT36: C2 for malware", "Arid Viper: Android C2 Domain", "Hosting PluginPhantom malware". The
loader cannot look names up in the store, so a name is taken only where the comment's own
words type it, and becomes an INDICATES target of that type (the store then resolves it to the
entity of that name and type, or creates it):

* "<Name>: ..." (a name before a colon) or else "<Name> [Android|iOS|C2|Malware|...] Domain|URL|
  IP|Hash|Infrastructure|Server" (a name owning infrastructure) name the actor behind the
  indicator: an Organization (as STIX intrusion sets are), or a Company when the name carries a
  corporate designator (Ltd, Inc, Group, ...) or the table is about commercial actors (its file
  name or the comment says surveillance-for-hire, vendor, firm, company, ...).
* "Hosting <Name> [malware]", "C2 for <Name>", "<Name> Malware|Spyware ...", "<Name> Sample"
  name software: a Product.

Not names: countries ("Iran: ..."), placeholders (Unnamed, Unknown, CIB, Multiple), generic words
(Malware, Phishing, ...), anything longer than MAX_WORDS words or not capitalised like a name.
Rows whose indicator is an app (a package name or app id) are left alone: their comment is the
app's own title ("Pixa: Photo Editor"). A comment naming nothing stays the indicator's evidence
quote and a property of it.
"""

from __future__ import annotations

import re

from casegraph.loaders.data import country_code

MAX_WORDS = 4
_PLACEHOLDERS = {
    "unnamed", "unknown", "unattributed", "cib", "multiple", "various", "none", "n/a", "other",
    "misc", "generic", "suspicious", "uncategorized", "malicious", "malware", "phishing",
    "credential", "spam", "hosting", "c2", "domain", "domains", "url", "ip", "hash", "sample",
    "android", "ios", "windows", "macos", "linux", "mobile", "app", "apps", "the", "a", "an",
    "previously", "unreported", "network", "telegram", "facebook", "instagram",
    "site", "sites", "page", "pages", "server", "servers", "infrastructure", "redirect",
}  # fmt: skip
# A name: up to four words, each capitalised or a number (APT36, Arid Viper, APT-C-27); the
# shortest that fits is taken. Cue words around it match in any case.
_NAME = r"[A-Z0-9][\w.&'-]*(?:\s+[A-Z0-9][\w.&'-]*){0,3}?"
_INFRA_MODIFIERS = (
    r"(?i:(?:android|ios|windows|macos|mobile|malware|spyware|phishing|credential\s+theft|c2|"
    r"c&c|first\s+hop|command\s+and\s+control|exploit|watering\s+hole)\s+)*"
)
_INFRA = r"(?i:domains?|urls?|ips?|ip\s+address(?:es)?|hash(?:es)?|infrastructure|servers?)"
_COLON = re.compile(rf"^\s*(?P<name>{_NAME})\s*:\s*(?P<rest>.*)$")
_OWNER = re.compile(
    rf"^\s*(?P<name>{_NAME})(?i:\s+related|-related)?\s+{_INFRA_MODIFIERS}{_INFRA}\s*$"
)
_SOFTWARE = (
    re.compile(r"(?i:\bhosting|\bdistributing|\bc2\s+for|\bcommand\s+and\s+control\s+server\s+for)"
               rf"\s+(?P<name>{_NAME})(?i:\s+(?:malware|spyware|rat|trojan))?\s*(?:$|[,;(])"),
    re.compile(rf"^\s*(?P<name>{_NAME})(?i:\s+(?:malware|spyware))\b"),
    re.compile(rf"^\s*(?P<name>{_NAME})(?i:\s+samples?)\s*$"),
)  # fmt: skip
_CORPORATE = re.compile(
    r"\b(?:ltd|limited|inc|llc|gmbh|s\.?a|ag|plc|b\.?v|pte|group|holdings?|technologies|"
    r"solutions|systems|labs)\.?$",
    re.IGNORECASE,
)
_COMMERCIAL = re.compile(
    r"surveillance[\s_-]+for[\s_-]+hire|hack(?:ers?)?[\s_-]+for[\s_-]+hire|\bvendors?\b|\bfirms?\b|"
    r"\bcompany\b|\bcompanies\b|\bcommercial\b|\bmercenary\b",
    re.IGNORECASE,
)


def names_in_comment(comment: str, context: str = "") -> list[tuple[str, str]]:
    """(name, entity type) of each actor or piece of software the comment names, in order.

    `context` is what else says what the table is about (its file name): a name owning
    infrastructure in a table about commercial actors is a Company.
    """
    found: list[tuple[str, str]] = []
    rest = comment.strip()
    colon = _COLON.match(rest)
    if colon:
        rest = colon["rest"]
        if _is_name(colon["name"]):
            found.append((_clean(colon["name"]), _actor_type(colon["name"], comment, context)))
    owner = None if found else _OWNER.match(rest)  # after "Actor:", the actor owns it
    if owner and _is_name(owner["name"]):
        found.append((_clean(owner["name"]), _actor_type(owner["name"], comment, context)))
    for pattern in _SOFTWARE:
        match = pattern.search(rest)
        if match and _is_name(match["name"]):
            found.append((_clean(match["name"]), "Product"))
            break
    unique: list[tuple[str, str]] = []
    for item in found:
        if item[0].casefold() not in {n.casefold() for n, _ in unique}:
            unique.append(item)
    return unique


def _clean(name: str) -> str:
    return " ".join(name.split()).strip(" .,'")


def _is_name(name: str) -> bool:
    words = _clean(name).split()
    if not words or len(words) > MAX_WORDS:
        return False
    if any(w.casefold().strip(".,'") in _PLACEHOLDERS for w in words):
        return False
    if any(re.search(r"-(?:targeting|based|linked|related)$", w, re.IGNORECASE) for w in words):
        return False
    if country_code(_clean(name)):
        return False
    return any(ch.isalpha() for ch in name) and len(_clean(name)) >= 2


def _actor_type(name: str, comment: str, context: str) -> str:
    if (
        _CORPORATE.search(_clean(name))
        or _COMMERCIAL.search(comment)
        or _COMMERCIAL.search(context)
    ):
        return "Company"
    return "Organization"
