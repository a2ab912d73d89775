"""The encoding of a text file: UTF-8 or a byte-order mark, else detection that must be sure.

Rule, in order:

1. An encoding given by the user (`--encoding`) is used as is; bytes that do not decode in it
   are an error naming the line and byte.
2. A byte-order mark names the encoding (UTF-8, UTF-16 or UTF-32); bytes that decode as UTF-8
   are UTF-8.
3. Otherwise charset-normalizer is asked, among the encodings a text file plausibly has
   (PLAUSIBLE: the Windows code pages, the common ISO 8859 parts, KOI8 and the CJK multi-byte
   encodings; the DOS and classic Mac OS code pages are left out). Its answer is taken only
   when it is sure: the best candidate reads as language (coherence at least MIN_COHERENCE), is
   not messy (chaos at most MAX_CHAOS), decodes without control characters, and no candidate
   that decodes the bytes to a *different* text comes close (within COHERENCE_MARGIN of its
   coherence and CHAOS_MARGIN of its chaos). Candidates that give the same text are one answer,
   named by the first of them in PLAUSIBLE (so cp1252 rather than cp1250 for Western text).
4. When it is not sure, the file is refused with the first byte that is not UTF-8, its line,
   and the advice to pass `--encoding`: a wrong guess would put mojibake into names and quotes.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from casegraph.errors import LoaderError

# Encodings detection may answer with; the first of identical decodings names the answer.
PLAUSIBLE = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_5", "iso8859_7", "iso8859_9", "iso8859_15", "latin_1", "koi8_r",
    "koi8_u", "cp874", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949",
    "gb18030", "big5",
)  # fmt: skip
MIN_COHERENCE = 0.2
MAX_CHAOS = 0.1
COHERENCE_MARGIN = 0.1
CHAOS_MARGIN = 0.05
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
_WHITE = frozenset("\t\n\r\f\v")
_SURROGATE = re.compile("[\ud800-\udfff]")


def refuse_surrogates(text: str, path: Path, line: int = 1) -> str:
    """The decoded text, or a LoaderError naming the line when it holds a lone UTF-16 surrogate
    (decoders such as utf-7 and unicode_escape make them; no store can keep one)."""
    if not text.isascii():
        found = _SURROGATE.search(text)
        if found:
            at = line + text.count("\n", 0, found.start())
            raise LoaderError(
                f"decodes to a lone UTF-16 surrogate {found.group()!r} (not valid Unicode); "
                "pass the file's real encoding",
                path=str(path),
                line=at,
            )
    return text


def text_codec(encoding: str, path: Path) -> str:
    """The canonical name of a text encoding given by the user, or a LoaderError (an unknown
    name, or a transform such as rot13, base64 or zlib)."""
    return _name(encoding, path)


@dataclass(frozen=True)
class Decoded:
    """A file's text and the encoding it was read with (`detected` when detection chose it)."""

    text: str
    encoding: str
    detected: bool = False


def decode(data: bytes, path: Path, forced: str | None = None) -> Decoded:
    """The text of a file's bytes by the rule in the module docstring; LoaderError when unsure."""
    if forced:
        return Decoded(_strict(data, path, forced, given=True), _name(forced, path))
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data, path, encoding, given=False), encoding)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as e:
        first_bad = e
    found = detect(data)
    if found is None:
        line = data.count(b"\n", 0, first_bad.start) + 1
        raise LoaderError(
            f"not valid UTF-8 (byte 0x{data[first_bad.start]:02x} at offset {first_bad.start})"
            " and its encoding cannot be told reliably; pass --encoding with the file's encoding",
            path=str(path),
            line=line,
        )
    encoding, text = found
    return Decoded(text, encoding, detected=True)


def detect(data: bytes) -> tuple[str, str] | None:
    """(encoding, text) when charset-normalizer is sure of the bytes' encoding, else None."""
    from charset_normalizer import from_bytes

    logging.getLogger("charset_normalizer").setLevel(logging.ERROR)
    readable: list[tuple[float, float, str, str]] = []  # (chaos, coherence, encoding, text)
    for match in from_bytes(data, cp_isolation=list(PLAUSIBLE)):
        try:
            text = data.decode(match.encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if any(not ch.isprintable() and ch not in _WHITE for ch in set(text)):
            continue  # C0/C1 controls: not how a text file reads
        readable.append((match.chaos, match.coherence, match.encoding, text))
        for other in match.could_be_from_charset:  # encodings said to give the same text
            if other != match.encoding and _decodes_to(data, other, text):
                readable.append((match.chaos, match.coherence, other, text))
    if not readable:
        return None
    chaos, coherence, _, text = min(readable, key=lambda m: (m[0], -m[1]))
    if coherence < MIN_COHERENCE or chaos > MAX_CHAOS:
        return None
    for other_chaos, other_coherence, _, other_text in readable:
        if other_text != text and (
            other_coherence >= coherence - COHERENCE_MARGIN and other_chaos <= chaos + CHAOS_MARGIN
        ):
            return None  # another reading is about as likely: not sure
    same = {enc for _, _, enc, t in readable if t == text}
    return next(enc for enc in PLAUSIBLE if enc in same), text


def _decodes_to(data: bytes, encoding: str, text: str) -> bool:
    try:
        return data.decode(encoding) == text
    except (UnicodeDecodeError, LookupError):
        return False


def _name(encoding: str, path: Path) -> str:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise LoaderError(
            f"unknown encoding {encoding!r}; valid: e.g. utf-8, latin-1, cp1252", path=str(path)
        ) from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: transforms
        raise LoaderError(f"{encoding!r} is not a text encoding", path=str(path))
    return info.name


def _strict(data: bytes, path: Path, encoding: str, *, given: bool) -> str:
    _name(encoding, path)
    try:
        return refuse_surrogates(data.decode(encoding), path)
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        what = encoding if given else f"{encoding} (as its byte-order mark says)"
        raise LoaderError(
            f"not valid {what} (byte 0x{data[e.start]:02x} at offset {e.start}); "
            "pass --encoding with the file's encoding",
            path=str(path),
            line=line,
        ) from e
    except UnicodeError as e:  # a decoder's other complaints (punycode, utf-16 without BOM)
        raise LoaderError(
            f"not valid {encoding} ({e}); pass --encoding with the file's encoding", path=str(path)
        ) from e
