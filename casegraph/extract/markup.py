"""Markdown without its markup, for spaCy, with a map back to the original characters."""

from __future__ import annotations

import re

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\([^)\n]*\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[^\n]*$", re.M)
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]", re.M)
_QUOTE = re.compile(r"^ {0,3}>[ \t]?", re.M)
_BULLET = re.compile(r"^ {0,3}[-*+][ \t]", re.M)
_EMPHASIS = re.compile(r"(?<!\w)(\*\*|__|\*|_|~~)(?=\S)|(?<=\S)(\*\*|__|\*|_|~~)(?!\w)")
_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_CODE = re.compile(r"`+")


def _blank(match: re.Match[str]) -> str:
    return "".join("\n" if c == "\n" else " " for c in match.group())


_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
# A link text of this many words, most of the longer ones capitalised, is a title of another work.
TITLE_WORDS = 4


def is_title(text: str) -> bool:
    """Whether a link text reads as the title of an article or report ("Predator Spyware
    Operators Rebuild Infrastructure to Target Mobile Devices", or any quoted text): its words
    are not the page's own statements."""
    text = text.strip()
    if text[:1] in "\"“‘'" and len(text) > 2:
        return True
    words = _WORD.findall(text)
    long = [w for w in words if len(w) >= 4]
    if len(words) < TITLE_WORDS or not long:
        return False
    return sum(w[0].isupper() for w in long) >= 0.75 * len(long)


def _keep_group(match: re.Match[str]) -> str:
    """Blank a link or image but keep its visible text in place (a title's too is blanked)."""
    whole, text = match.group(), match.group(1)
    if is_title(text):
        return _blank(match)
    start = whole.index(text)
    return " " * start + text + " " * (len(whole) - start - len(text))


def mask_markdown(text: str) -> str:
    """The text with Markdown markup replaced by spaces; same length, same line breaks."""
    out = _FENCE.sub(_blank, text)
    out = _REF_DEF.sub(_blank, out)
    out = _IMAGE.sub(_blank, out)
    out = _LINK.sub(_keep_group, out)
    for pattern in (_HEADING, _QUOTE, _BULLET, _TAG, _CODE, _EMPHASIS):
        out = pattern.sub(_blank, out)
    assert len(out) == len(text)
    return out


_RUN = re.compile(r"[ \t]{2,}|^[ \t]+", re.M)


def clean_markdown(text: str) -> tuple[str, list[int]]:
    """The prose of a Markdown text, and for each of its characters the index it came from.

    Markup is blanked, then runs of blanks are squeezed to one space (spaCy would otherwise
    read them as tokens of their own and break up phrases such as 'the Spanish firm X').
    """
    masked = mask_markdown(text)
    keep: list[int] = []
    pos = 0
    for run in _RUN.finditer(masked):
        keep.extend(range(pos, run.start()))
        if run.start() > 0 and masked[run.start() - 1] != "\n":
            keep.append(run.start())  # one space stands for the run
        pos = run.end()
    keep.extend(range(pos, len(masked)))
    return "".join(masked[i] for i in keep), keep
