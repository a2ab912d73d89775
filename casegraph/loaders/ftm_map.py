"""FollowTheMoney schemata mapped to the ontology, and FtM property values made plain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from casegraph.errors import ValidationError

# Thing schemata read as entities.
ENTITY_SCHEMATA = {
    "Person": "Person",
    "Company": "Company",
    "Organization": "Organization",
    "LegalEntity": "Organization",
    "PublicBody": "Organization",
    "CourtCase": "Lawsuit",
}


@dataclass(frozen=True)
class Link:
    """How an interval schema becomes a relation: its end properties and the relation types
    to try in order (the first one the schema allows for the ends' types wins)."""

    source: str
    target: str
    relations: tuple[str, ...]


# Interval schemata read as relations (Sanction and CourtCaseParty are handled on their own).
LINKS: dict[str, Link] = {
    "Ownership": Link("owner", "asset", ("OWNS",)),
    "Directorship": Link("director", "organization", ("WORKS_FOR",)),
    "Employment": Link("employee", "employer", ("WORKS_FOR",)),
    "Membership": Link("member", "organization", ("PART_OF", "MENTIONED_WITH")),
    "Family": Link("person", "relative", ("MENTIONED_WITH",)),
    "Associate": Link("person", "associate", ("MENTIONED_WITH",)),
    "Representation": Link("agent", "client", ("MENTIONED_WITH",)),
    "Payment": Link("payer", "beneficiary", ("MENTIONED_WITH",)),
    "UnknownLink": Link("subject", "object", ("MENTIONED_WITH",)),
    "Succession": Link("predecessor", "successor", ("MENTIONED_WITH",)),
}
SPECIAL_LINKS = {"Sanction", "CourtCaseParty"}
# Entity-valued properties of things that are not kept as plain properties.
REFERENCES = {"addressEntity", "proof", "parent", "holder", "ownershipAsset"}
NAME_PROPS = ("name", "alias", "weakAlias", "previousName")
COUNTRY_PROPS = ("country", "jurisdiction")
TOP_LEVEL = ("datasets", "first_seen", "last_seen", "target")
QUOTE_PROPS = ("reason", "summary", "description", "program", "role", "relationship")
PLAINTIFF_ROLES = ("plaintiff", "claimant", "applicant", "petitioner", "appellant", "complainant")
DEFENDANT_ROLES = ("defendant", "respondent", "accused", "appellee")


def values(props: dict[str, Any], key: str) -> list[str]:
    """The values of an FtM property, always a list of strings (FtM writes lists)."""
    value = props.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(f"property {key!r} must be a list of strings")
    return value


def plain(props: dict[str, Any], skip: set[str] | frozenset[str]) -> dict[str, Any]:
    """FtM properties as casegraph properties: one value as a scalar, several as a list;
    startDate / listingDate keep the earliest value, endDate the latest."""
    out: dict[str, Any] = {}
    for key in props:
        if key in skip:
            continue
        found = values(props, key)
        if not found:
            continue
        if key in ("startDate", "listingDate"):
            out[key] = min(found)
        elif key == "endDate":
            out[key] = max(found)
        else:
            out[key] = found[0] if len(found) == 1 else list(found)
    return out


def entity_name(obj: dict[str, Any], props: dict[str, Any]) -> tuple[str, list[str]]:
    """The display name of an FtM entity (its caption, else first name) and its other names."""
    names: list[str] = []
    for key in NAME_PROPS:
        names.extend(values(props, key))
    caption = obj.get("caption")
    name = caption if isinstance(caption, str) and caption.strip() else (names[0] if names else "")
    return name, [n for n in names if n != name]


def quote_of(props: dict[str, Any]) -> str:
    """The text that best states an interval: its reason, summary, program or role."""
    for key in QUOTE_PROPS:
        found = values(props, key)
        if found and found[0].strip():
            return found[0].strip()
    return ""


def court_role(role: str) -> str:
    """PLAINTIFF_IN, DEFENDANT_IN or CONCERNS for a court case party's role."""
    text = role.casefold()
    if any(word in text for word in PLAINTIFF_ROLES):
        return "PLAINTIFF_IN"
    if any(word in text for word in DEFENDANT_ROLES):
        return "DEFENDANT_IN"
    return "CONCERNS"
