"""Names that are never a firm, body, person or product: dates, times, money, file names,
technical terms, hashes and CVE ids (the last two are read as Indicators instead)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from casegraph.extract.gazetteer import Gazetteer

if TYPE_CHECKING:
    from spacy.tokens import Doc

# spaCy labels of spans that are values, not names.
VALUE_LABELS = frozenset({"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"})
CVE = re.compile(r"CVE-\d{4}-\d{4,7}", re.I)
HASH = re.compile(r"(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64})")
_FILE = re.compile(
    r"(?:[\w.-]*[/\\])+[\w.-]*|[\w-]+(?:\.[\w-]+)*\.(?:exe|dll|sys|js|json|txt|pdf|docx?|xlsx?|"
    r"pptx?|zip|rar|7z|apk|ipa|sh|py|bat|ps1|vbs|plist|so|bin|jar|dmg|msi|lnk|iso|img|html?|php)",
    re.I,
)
_NUMBER = re.compile(r"[\d.,:/%$€£¥-]+(?:st|nd|rd|th|s|m|bn|k)?", re.I)


def indicator_kind(text: str) -> str | None:
    """'cve' or 'hash' when a name is a vulnerability id or a file hash, else None."""
    if CVE.fullmatch(text):
        return "cve"
    if HASH.fullmatch(text) and any(c.isdigit() for c in text):
        return "hash"
    return None


def is_value(doc: Doc, start: int, end: int, gaz: Gazetteer) -> bool:
    """Whether tokens start..end name a value or a technical term rather than an entity:
    'Thursday', 'Early October', 'Tues', 'December 2', '7 p.m. GMT', 'Hong Kong Dollars',
    'SHA-256', 'JSON', 'C:\\Windows\\evil.dll', 'CVE-2021-30860'."""
    words = [doc[i].text for i in range(start, end)]
    text = doc[start:end].text
    low = [w.lower().rstrip(".") for w in words]
    if not words or indicator_kind(text) is not None or _FILE.fullmatch(text):
        return True
    if text.upper() in gaz.tech_terms or text.rstrip("s") in gaz.tech_terms:
        return True
    if low[-1] in gaz.currencies or (len(low) == 1 and low[0] in gaz.currency_codes):
        return True
    values = gaz.date_words
    return all(w in values or _NUMBER.fullmatch(w) or w in ("-", "–", ",", "of") for w in low) or (
        all(doc[i].ent_type_ in VALUE_LABELS for i in range(start, end))
        and not any(doc[i].ent_type_ in ("ORG", "PERSON") for i in range(start, end))
    )


def not_a_name(doc: Doc, start: int, end: int, gaz: Gazetteer) -> bool:
    """Whether tokens start..end cannot name an entity: a value (see is_value), a job title
    ('CEO'), or one word of the extractor's own vocabulary used as a common noun, capitalised
    at the start of a sentence or alone ('Ransomware', 'Department', 'Journalists')."""
    if is_value(doc, start, end, gaz):
        return True
    text = " ".join(doc[i].text for i in range(start, end))
    low = text.lower()
    if low in gaz.titles or text.rstrip(".").upper() in gaz.trigger("legal_forms"):
        return True  # "CEO", "Inc."
    if doc[start].text in gaz.trigger("operation_words") and end - start > 1:
        return True  # "Operation Cyclone": the ontology has no type for operations
    if end - start == 1 and not text.isupper():
        if low.endswith("s") and (p := gaz.place(text[:-1])) is not None and p.kind == "demonym":
            return True  # "Bahrainis", "Israelis": people of a country, not the country
        return text in gaz.org_cues or low in gaz.common_nouns
    return False
