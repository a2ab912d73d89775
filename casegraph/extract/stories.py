"""Splitting a scraped page into blocks and stories, and setting page boilerplate aside.

A page is cut into blocks at blank lines. Blocks that are not story text are kept in the
document (so evidence offsets stay exact) but never analysed:

* markers such as "Keep ReadingShow less" or "Read more" (a marker also ends a story),
* photo and image credits ("Photo: Kaur Kristjan/Unsplash", "... via Getty Images"),
* bylines ("By Jane Doe", "By Jane Doe, Senior Writer | May 3, 2022", a bare name right after a
  marker, a name over a date line, "Jane Doe in Paris" over a date line),
* wire credits ("(Reporting by Jane Doe; editing by John Roe)"),
* navigation labels ("Latest Stories", "Advertisement", "Subscribe ...", "Related: <link>"),
  date lines ("Sun 18 Jul 2021 17.00 BST") and a first paragraph's wire dateline
  ("WASHINGTON, Nov 3 (Reuters) - "), which is cut off the paragraph it opens.

A new story starts at a headline-like block (one short line without closing punctuation) that
follows two or more blank lines or ends a trailer, after every marker, and around author bio
paragraphs ("Jane Doe (@jd) is a reporter at ..." after a byline or marker, or with a social
handle), which form stories of their own. Image
captions and standfirsts stay with their story. Relations are only ever read inside one story.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from casegraph.extract.gazetteer import Gazetteer, load_gazetteer
from casegraph.extract.meta import Metadata, read_metadata

BOILERPLATE = frozenset({"marker", "credit", "navigation", "byline", "blank", "metadata", "promo"})

_SEPARATOR = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NAME_LINE = re.compile(r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}")
_BIO_START = re.compile(
    r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3}(?:\s*\([^)]{0,60}\))?(?:\s*,[^,]{0,60},)?"
    r"\s+(?:is|was|has been|covers|writes)\b"
)
HEADLINE_MAX_WORDS = 16
HEADLINE_MAX_CHARS = 130
SHORT_LINE_CHARS = 200


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph-like run of text: its offsets in the document, its kind and its story."""

    start: int
    end: int
    kind: str  # text, headline, bio, or one of BOILERPLATE
    story: int

    @property
    def analysed(self) -> bool:
        """Whether the block is story text that the extractor reads (an author's bio is not:
        it keeps a story of its own, but says nothing about the story's cast)."""
        return self.kind not in BOILERPLATE and self.kind != "bio"


def split_blocks(
    text: str, gaz: Gazetteer | None = None, meta: Metadata | None = None
) -> list[Block]:
    """The blocks of a text, each with its kind and the index of the story it belongs to.

    A saved article with a metadata block (see casegraph.extract.meta) is one story: its
    section headings do not open new ones; the block itself is kind "metadata".
    """
    gaz = gaz or load_gazetteer()
    meta = meta if meta is not None else read_metadata(text)
    raw = list(_raw_blocks(text, gaz))
    blocks: list[Block] = []
    story = 0
    started = False
    segment = "story"  # kind of the running story: story, trailer or bio
    pending: str | None = None  # why the next analysed block opens a new story
    previous = "text"
    for n, (start, end, gap, after_marker, preset) in enumerate(raw):
        body = text[start:end]
        if meta.covers(start, end):
            kind = "metadata"
        else:
            kind = preset or _classify(body, gaz, after_marker, previous)
        if kind == "headline" and n + 1 < len(raw) and _NAME_PLACE.fullmatch(body.strip()):
            nxt = raw[n + 1]
            if _is_dateline(text[nxt[0] : nxt[1]]):
                kind = "byline"  # "Jane Doe in Paris" above "Sun 18 Jul 2021 17.00 BST"
        previous = kind
        if kind in BOILERPLATE:
            if kind == "marker" and not meta.found:
                pending = "trailer"
            blocks.append(Block(start, end, kind, story if started else 0))
            continue
        suffix = _SITE_SUFFIX.search(body) if kind == "headline" else None
        if suffix is not None and _site_name(suffix.group(1), meta):
            cut = start + suffix.start()  # "Microsoft seizes domains ... | ZDNet"
            blocks.append(Block(cut, end, "navigation", story if started else 0))
            end = cut
        dateline = _DATELINE.match(body) if kind == "text" else None
        if dateline is not None:  # "WASHINGTON, Nov 3 (Reuters) - The ...": the place line
            blocks.append(Block(start, start + dateline.end(), "navigation", story))
            start += dateline.end()
        headline_break = (
            kind == "headline" and not meta.found and (gap >= 2 or segment in ("trailer", "bio"))
        )
        new = started and (pending is not None or kind == "bio" or headline_break)
        if new:
            story += 1
            segment = "bio" if kind == "bio" else (pending or "story")
        elif not started:
            segment = "bio" if kind == "bio" else "story"
        if kind == "headline" and new:
            segment = "story"
        started = True
        pending = "story" if kind == "bio" else None
        blocks.append(Block(start, end, kind, story))
    return blocks


_SITE_SUFFIX = re.compile(r"\s+[|–—]\s+([A-Z][\w.&' -]{1,40}?)\s*$")


def _site_name(name: str, meta: Metadata) -> bool:
    """Whether the end of a headline after '|' names the site: its outlet, or a short name."""
    outlet = meta.fields.get("outlet", "")
    return name.strip().lower() == outlet.lower() or len(name.split()) <= 2


def story_title(text: str, blocks: list[Block]) -> str | None:
    """The headline of the first story, when the text opens with one."""
    for block in blocks:
        if block.kind == "headline" and block.story == 0:
            return _plain(text[block.start : block.end]) or None
        if block.analysed:
            return None
    return None


RawBlock = tuple[int, int, int, bool, str | None]


def _raw_blocks(text: str, gaz: Gazetteer) -> list[RawBlock]:
    """(start, end, blank lines before, follows a marker, kind if known from the line alone)
    for every non-empty block."""
    out: list[tuple[int, int, int, str | None]] = []
    pos = 0
    gap = 99
    for match in [*_SEPARATOR.finditer(text), None]:
        end = match.start() if match else len(text)
        out.extend(_split_lines(text, pos, end, gap, gaz))
        if match:
            gap = match.group().count("\n") - 1
            pos = match.end()
    marked: list[RawBlock] = []
    after = False
    for start, end, g, preset in out:
        marked.append((start, end, g, after, preset))
        if preset not in ("blank", "credit"):
            after = preset == "marker"
    return marked


# Lines that are page furniture whatever surrounds them.
_IMAGE_LINE = re.compile(r"(?:\s*\[?!\[[^\]\n]*\]\([^)\n]*\)(?:\]\([^)\n]*\))?)+\s*")
_TAG_LINE = re.compile(r"(?:\s*\[\[[^\]\n]*\]\])+\s*")
_LINK_LINE = re.compile(r"\s*(?:[-*+]\s+)?\[[^\]\n]+\]\([^)\n]*\)\s*")
_CODE_LINE = re.compile(r"\s*[\w$]+(?:\.[\w$]+)+\(.*\)\s*;?\s*")
_RULE_LINE = re.compile(r"\s*(?:-{3,}|={3,}|\*{3,}|_{3,})\s*")
_HEADING = re.compile(r"\s{0,3}#{1,6}(?:\s+(?P<text>.*?))?\s*#*\s*")
_CAPTION_WORDS = 8


def _split_lines(
    text: str, start: int, end: int, gap: int, gaz: Gazetteer
) -> list[tuple[int, int, int, str | None]]:
    """A block cut around lines that are furniture on their own: markers, headings, images and
    their captions, tag lists, link-only lines, script lines and setext underlines. Each part
    comes with the kind its line gives it (None for ordinary text, to be classified)."""
    lines: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        line_end = end if nl < 0 else nl
        if text[pos:line_end].strip():
            lines.append((pos, line_end))
        pos = line_end + 1
    kinds: list[str | None] = [_line_kind(text[s:e], gaz) for s, e in lines]
    for i, (s, e) in enumerate(lines):
        if kinds[i] is None and i + 1 < len(lines) and kinds[i + 1] == "underline":
            kinds[i] = "headline"  # "Romanian Arrests" over "-----": a setext heading
        if kinds[i] == "headline" and i + 1 < len(lines) and kinds[i + 1] == "tags":
            kinds[i] = "navigation"  # "#### CVE's" over "[[CVE-2017-0199]]"
        if kinds[i] is None and i and kinds[i - 1] == "image":
            words = text[s:e].split()
            if len(words) <= _CAPTION_WORDS and not text[s:e].rstrip().endswith((".", "!", "?")):
                kinds[i] = "credit"  # " Microsoft" under a figure: its caption or credit
    parts: list[tuple[int, int, int, str | None]] = []
    seg_start: int | None = None
    seg_end = start
    for (s, e), kind in zip(lines, kinds, strict=True):
        if kind is None:
            if seg_start is None:
                seg_start = s
            seg_end = e
            continue
        if seg_start is not None:
            parts.append((*_trim(text, seg_start, seg_end), gap, None))
            gap, seg_start = 0, None
        parts.append((*_trim(text, s, e), gap, _PRESET.get(kind, kind)))
        gap = 0
    if seg_start is not None:
        parts.append((*_trim(text, seg_start, seg_end), gap, None))
    return parts


_PRESET = {"underline": "blank", "image": "credit", "tags": "navigation", "link": "navigation"}


def _line_kind(raw: str, gaz: Gazetteer) -> str | None:
    """What one line is when it is furniture, else None."""
    line = raw.strip()
    if any(p.fullmatch(line) for p in gaz.markers):
        return "marker"
    if _RULE_LINE.fullmatch(line):
        return "underline"
    if _IMAGE_LINE.fullmatch(line):
        return "image"
    if _TAG_LINE.fullmatch(line):
        return "tags"
    if _LINK_LINE.fullmatch(line) or _CODE_LINE.fullmatch(line):
        return "link"
    heading = _HEADING.fullmatch(raw)
    if heading is not None:
        words = _plain(heading.group("text") or "")
        if not words or words.endswith(":") or _navigation(words, gaz):
            return "navigation"  # "## Article:", "#### Tags:", "### Related coverage"
        return "headline"
    return None


_EMPHASIS = re.compile(r"[*_~`]+")


def _plain(line: str) -> str:
    """A line without heading marks, emphasis and surrounding blanks: '**Naming Names**'."""
    line = re.sub(r"^\s{0,3}#{1,6}\s*", "", line)
    return " ".join(_EMPHASIS.sub("", line).split())


def _navigation(line: str, gaz: Gazetteer) -> bool:
    return len(line) <= 60 and any(p.fullmatch(line) for p in gaz.navigation)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _classify(body: str, gaz: Gazetteer, after_marker: bool, previous: str) -> str:
    """The kind of one block from its text, whether a marker precedes it and the kind before."""
    line = " ".join(body.split())
    if not line:
        return "blank"
    if any(p.fullmatch(line) for p in gaz.markers):
        return "marker"
    single = "\n" not in body.strip()
    if not single:  # "By Jane Doe, Staff Writer" over "Published November 23, 2021"
        lines = [x.strip() for x in body.strip().split("\n") if x.strip()]
        kinds = [_classify(x, gaz, after_marker and i == 0, previous) for i, x in enumerate(lines)]
        first_is_name = bool(_NAME_LINE.fullmatch(lines[0]))
        if all(k in BOILERPLATE or _is_dateline(x) for k, x in zip(kinds, lines, strict=True)) or (
            len(lines) <= 3 and first_is_name and all(_is_dateline(x) for x in lines[1:])
        ):
            return "byline" if kinds[0] == "byline" or first_is_name else kinds[0]
    if _is_dateline(line):
        return "navigation"
    if len(line) <= SHORT_LINE_CHARS:
        if any(p.fullmatch(line) for p in gaz.credits):
            return "credit"
        if len(line) <= 60 and any(p.fullmatch(line) for p in gaz.navigation):
            return "navigation"
        if any(p.fullmatch(line) for p in gaz.link_lines):
            return "navigation"  # "Related: How a text message exposed ..."
        if gaz.byline.fullmatch(line) or (after_marker and _NAME_LINE.fullmatch(line)):
            return "byline"
    if _is_bio(line, gaz) and (
        previous in ("byline", "marker") or "@" in line[:80] or _media_bio(line, gaz)
    ):
        return "bio"
    if _is_promo(body, gaz):
        return "promo"
    if single and _is_headline(_plain(line)):
        return "headline"
    return "text"


_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_EMPHASISED = re.compile(r"(\*{1,3}|_{1,3})(?=\S)(.+?)(?<=\S)\1", re.S)
PROMO_SHARE = 0.8


def _is_promo(body: str, gaz: Gazetteer) -> bool:
    """A call to action set in bold or italics from end to end: 'Join us at a free, LIVE
    event', 'Register NOW', 'Check out our upcoming webinars'."""
    text = _LINK_TARGET.sub("]", body).replace("[", "").replace("]", "")
    letters = sum(c.isalpha() for c in text)
    if letters < 12:
        return False
    inside = sum(sum(c.isalpha() for c in m.group(2)) for m in _EMPHASISED.finditer(text))
    if inside < PROMO_SHARE * letters:
        return False
    low = text.lower()
    return any(cue in low for cue in gaz.trigger("promo_cues"))


_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|january|february|march|april|june|"
    "july|august|september|october|november|december"
)
_DATE_WORD = re.compile(
    rf"(?i)(?:{_MONTHS}|mon|tue|wed|thu|fri|sat|sun|monday|tuesday|wednesday|thursday|friday|"
    r"saturday|sunday|am|pm|a\.m\.|p\.m\.|gmt|utc|bst|cet|cest|est|edt|et|pt|pst|pdt|"
    r"published|updated|posted|last|modified|on|at|\d{1,4}(?:[.:/]\d{1,4}){0,2}(?:am|pm)?)\.?"
)
# The wire dateline that opens a story's first paragraph: "ATHENS —", "WASHINGTON, Nov 3 (AP) -".
_DATELINE = re.compile(
    r"[A-Z][A-Z.'’-]+(?: [A-Z][A-Z.'’-]+){0,3}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?"
    r"(?: \([A-Za-z ]{2,30}\))? ?[-—–]{1,2} (?=[A-Z“\"])"
)
_NAME_PLACE = re.compile(r"[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3} in [A-Z][\w.'’-]+(?: [A-Z]\w+)?")


def _is_dateline(line: str) -> bool:
    """A line that only dates the page: 'Sun 18 Jul 2021 17.00 BST', 'Published May 3, 2022'."""
    words = [w for w in re.split(r"[\s,|·•–—-]+", line.strip()) if w]
    if not words or len(words) > 10 or not any(ch.isdigit() for ch in line):
        return False
    return all(_DATE_WORD.fullmatch(w) for w in words)


def _is_headline(line: str) -> bool:
    words = line.split()
    return (
        0 < len(words) <= HEADLINE_MAX_WORDS
        and len(line) <= HEADLINE_MAX_CHARS
        and (line[0].isupper() or line[0].isdigit() or line[0] in "‘'\"“")
        and line[-1] not in ".,;:!”\"'’)"
    )


BIO_CHARS = 300


def _media_bio(line: str, gaz: Gazetteer) -> bool:
    """A short paragraph introducing a writer: "Jane Doe is Patchline's security editor."."""
    head = _BIO_START.match(line)
    if head is None or len(line) > BIO_CHARS:
        return False
    rest = line[head.end() : head.end() + 80].lower().split()
    return any(w.strip(".,;") in gaz.media_titles for w in rest[:6])


def _is_bio(line: str, gaz: Gazetteer) -> bool:
    if not _BIO_START.match(line):
        return False
    head = line[:300].lower()
    return any(cue in head for cue in gaz.bio_cues)
