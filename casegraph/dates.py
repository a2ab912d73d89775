"""Dates as casegraph keeps them: ISO YYYY-MM-DD text read from what sources and users write."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from casegraph.errors import UsageError

# Month names and abbreviations, lower case -> month number (also read by extract/meta.py).
MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_YEAR = re.compile(r"\s*(\d{4})\s*")
_YEAR_MONTH = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")
_ISO = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.,]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*")
# RFC 2822, as in <meta> tags and mail headers: "Wed, 03 Mar 2021 10:00:00 +0000"
_RFC2822 = re.compile(
    r"\s*(?:[A-Za-z]{3},\s*)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})"
    r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*(?:[+-]\d{4}|[A-Z]{1,5}))?)?\s*"
)
_MDY = re.compile(r"\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b.*", re.S)
_DMY = re.compile(r"\s*(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b.*", re.S)
# A "Date:" line near the top of a saved article, and a news dateline ("WASHINGTON, March 3,
# 2021 —" or "LONDON (Reuters) 3 March 2021 -").
_DATE_LINE = re.compile(r"^[ \t>*+-]*(?:date|published|posted)[ \t]*:[ \t]*(?P<value>[^\n]+)$",
                        re.M | re.I)  # fmt: skip
_DATELINE = re.compile(
    r"^[ \t]*[A-Z][A-Z .'-]{1,40}(?:\([^)\n]{1,30}\))?,?[ \t]+"
    r"(?P<value>(?:[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2},?[ \t]+\d{4})|(?:\d{1,2}[ \t]+[A-Z][a-z]{2,8}"
    r"[ \t]+\d{4}))[ \t]*(?:[-\u2013\u2014:]|\(|$)",
    re.M,
)
HEAD_CHARS = 3000


def _valid(year: int, month: int, day: int) -> str | None:
    try:
        return datetime.date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> str | None:
    """The calendar day a whole date string names, as YYYY-MM-DD, or None when it names none:
    ISO dates and datetimes ('2021-03-03', '2021-03-03T10:00:00Z'), RFC 2822 ('Wed, 03 Mar 2021
    10:00:00 +0000'), 'March 3, 2021', '3 March 2021'. A year or year-month alone is not a day
    (see parse_bound)."""
    if not isinstance(text, str):
        return None
    m = _ISO.fullmatch(text)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _RFC2822.fullmatch(text) or _DMY.fullmatch(text)
    if m and m.group(2).lower().rstrip(".") in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)))
    m = _MDY.fullmatch(text)
    if m and m.group(1).lower() in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    return None


def parse_bound(text: str, *, end: bool) -> str | None:
    """A window bound as YYYY-MM-DD: a day as parse_date reads it, or a year ('2021': from
    2021-01-01, or through 2021-12-31 when end) or a month ('2021-03': from the 1st or through
    the last day). None when the text is none of these."""
    m = _YEAR.fullmatch(text)
    if m:
        year = int(m.group(1))
        return _valid(year, 12, 31) if end else _valid(year, 1, 1)
    m = _YEAR_MONTH.fullmatch(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        if not end:
            return _valid(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        return (following - datetime.timedelta(days=1)).isoformat()
    return parse_date(text)


@dataclass(frozen=True)
class Window:
    """A date window, both ends included, as ISO days; None at an open end."""

    since: str | None = None
    until: str | None = None

    @property
    def open(self) -> bool:
        """Whether the window lets everything through (no bound at all)."""
        return self.since is None and self.until is None

    def holds(self, date: str | None) -> bool:
        """Whether a date (ISO, possibly a full timestamp) lies in the window; an undated item
        never does, unless the window is open."""
        if self.open:
            return True
        if not date:
            return False
        day = date[:10]
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )

    def as_dict(self) -> dict[str, str | None]:
        return {"since": self.since, "until": self.until}


def window(since: str | None = None, until: str | None = None) -> Window:
    """The window of --since / --until as a user gives them; a bad date or a window that ends
    before it starts is a UsageError naming it."""
    lo = hi = None
    if since is not None:
        lo = parse_bound(since, end=False)
        if lo is None:
            raise UsageError(f"--since {since!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    if until is not None:
        hi = parse_bound(until, end=True)
        if hi is None:
            raise UsageError(f"--until {until!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    if lo is not None and hi is not None and hi < lo:
        raise UsageError(f"--until {until} ({hi}) is before --since {since} ({lo})")
    return Window(lo, hi)


def published_option(text: str | None) -> str | None:
    """The day of `load --published` (a day, or a year / month taken from its first day)."""
    if text is None:
        return None
    day = parse_bound(text, end=False)
    if day is None:
        raise UsageError(f"--published {text!r} is not a date (use YYYY-MM-DD, YYYY-MM or YYYY)")
    return day


_ISO_IN = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_MDY_IN = re.compile(r"\b([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b")
_DMY_IN = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")


def first_date(text: str) -> str | None:
    """The first unambiguous day written inside a longer text ('August 25, 2021 -- 00:31 GMT')."""
    m = _ISO_IN.search(text)
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _MDY_IN.search(text)
    if m and m.group(1).lower() in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(1).lower()], int(m.group(2)))
    m = _DMY_IN.search(text)
    if m and m.group(2).lower() in MONTHS:
        return _valid(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
    return None


def text_date(text: str, head_chars: int = HEAD_CHARS) -> str | None:
    """The date an article states near its top: a "Date:" line, else a news dateline."""
    head = text[:head_chars]
    for m in _DATE_LINE.finditer(head):
        value = m.group("value").strip()
        found = parse_date(value) or first_date(value)
        if found:
            return found
    line = _DATELINE.search(head)
    return parse_date(line.group("value")) if line else None
