"""A saved article's metadata block (title, URL, author, outlet, date) and dates read as ISO."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from casegraph.dates import MONTHS

# "## Information:" over "+ Source: X", "+ Link: [article](URL)", "+ Date: ...", "+ Author: ..."
# (pages saved as Markdown by article scrapers), or YAML front matter between "---" lines.
_ITEM = r"[ \t]*[+*-][ \t]+[A-Za-z][\w ]{0,24}:[^\n]*"
_INFO = re.compile(
    rf"^#{{1,6}}[ \t]*(?:Information|Metadata|Article info(?:rmation)?)[ \t]*:?[ \t]*\n"
    rf"(?P<items>{_ITEM}(?:\n{_ITEM})*)",
    re.M | re.I,
)
_LIST = re.compile(rf"(?P<items>{_ITEM}(?:\n{_ITEM})+)", re.M)
_FRONT = re.compile(r"\A---[ \t]*\n(?P<items>(?:[A-Za-z][\w ]{0,24}:[^\n]*\n)+)---[ \t]*(?:\n|\Z)")
_FIELD = re.compile(
    r"^[ \t]*(?:[+*-][ \t]+)?(?P<key>[A-Za-z][\w ]{0,24}):[ \t]*(?P<value>.*)$", re.M
)
_LINK = re.compile(r"\[[^\]\n]*\]\((?P<url>[^)\s]+)\)|(?P<bare>https?://\S+)")
_TITLE = re.compile(r"^#[ \t]+(?P<title>[^\n]*\S)[ \t]*$", re.M)

KEYS = {
    "source": "outlet",
    "outlet": "outlet",
    "publisher": "outlet",
    "site": "outlet",
    "link": "url",
    "url": "url",
    "date": "published",
    "published": "published",
    "author": "author",
    "authors": "author",
    "by": "author",
    "title": "title",
}


@dataclass(frozen=True)
class Metadata:
    """What a saved article's metadata block says about it, and where the block is."""

    start: int = 0
    end: int = 0
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.end > self.start

    def covers(self, start: int, end: int) -> bool:
        """Whether text[start:end] lies inside the metadata block."""
        return self.found and self.start <= start and end <= self.end


def read_metadata(text: str, head_chars: int = 3000) -> Metadata:
    """The metadata block near the top of an article, if it has one: its fields (title, url,
    author, outlet, published as YYYY-MM-DD) and its offsets. Only known keys count, and at
    least two of them must be present, so a list in the prose is never read as metadata."""
    head = text[:head_chars]
    match = _FRONT.match(head) or _INFO.search(head)
    if match is None:
        match = next((m for m in _LIST.finditer(head) if len(_fields(m.group("items"))) >= 2), None)
    if match is None:
        return Metadata()
    fields = _fields(match.group("items"))
    if len(fields) < 2:
        return Metadata()
    if "title" not in fields:
        title = _TITLE.search(head, 0, match.start())
        if title is not None:
            fields["title"] = " ".join(title.group("title").split())
    return Metadata(match.start(), match.end(), fields)


def _fields(items: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _FIELD.finditer(items):
        key = KEYS.get(m.group("key").strip().lower())
        value = " ".join(m.group("value").split())
        if key is None or not value:
            continue
        if key == "url":
            link = _LINK.search(value)
            value = (link.group("url") or link.group("bare")) if link else value
        elif key == "published":
            iso = iso_date(value)
            if iso is None:
                continue
            value = iso
        out.setdefault(key, value)
    return out


_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_SLASHED = re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)")
_MDY = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def iso_date(text: str) -> str | None:
    """The calendar date a date string gives, as YYYY-MM-DD: '2022-01-06T19:48:04+00:00',
    'November 11, 2021  1:48 pm', '8 Nov 2021', '2021/11/08'. None when there is no
    unambiguous date in it (numeric day/month orders such as 03/04/2021 are not guessed)."""
    for pattern in (_ISO, _SLASHED):
        m = pattern.search(text)
        if m:
            return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _MDY.search(text)
    if m and m.group(1).lower() in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _DMY.search(text)
    if m and m.group(2).lower() in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def _valid(year: int, month: int, day: int) -> str | None:
    import datetime

    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
