"""Indicator lists (domains.txt, ips.txt, sha256.txt, processes.txt, ...): one indicator per line.

Recognised by content: a `.txt` (or `.list`, `.ioc`) file whose every line that is not blank and
not a comment (`#`, `//`) is one indicator of a kind its content shows (URL, e-mail, IP address,
md5/sha1/sha256/sha512 hash by length, file path, domain; defanged values such as
`evil[.]example` count) or that the file's name gives every line (processes.txt -> process,
package_names.txt -> app, package_cert_hashes.txt -> cert-hash, file_names.txt -> filename,
config_profiles.txt -> configuration-profile, android_properties.txt -> android-property; see
casegraph.loaders.indicator_kinds). It is tried before the text loader, so such lists are not
read as prose. A file named like a list (domains.txt, ips.txt, ...) that is empty is an empty
list. Kinds are those the STIX loader uses; values are normalised the same way (refanged,
domains, e-mails and hashes lower-cased), the line as written kept as `value_raw` when it differs.

Each distinct value becomes an Indicator (evidence: the line as written, locator "line N");
repeats are counted on Document.properties["duplicates"]. When the folder says what its lists
are about (casegraph.loaders.indicator_subject: the one thing its STIX bundle indicates, else the
name its README title gives), every indicator INDICATES that entity, typed as the bundle types it
(so it is the bundle's own entity once both are loaded), with a quote saying where the subject
was read and confidence 0.9 (bundle) or 0.8 (README title). A line that is no indicator after
the first lines looked like a list is an error naming the line and value.
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from casegraph.errors import LoaderError, shown
from casegraph.graph.model import (
    Document,
    EntityRef,
    Fact,
    Source,
    fs_text,
    make_entity,
    make_evidence,
    make_relation,
)
from casegraph.loaders.base import SNIFF_BYTES, LoadOptions, hash_file, read_lines
from casegraph.loaders.encoding import refuse_surrogates, text_codec
from casegraph.loaders.indicator_kinds import CONTENT_KINDS, ListName, classify, list_name
from casegraph.loaders.indicator_subject import Subject, describe, folder_subject

EXTRACTOR = "indicators"
COMMENTS = ("#", "//")


class IndicatorListLoader:
    name = "indicators"
    extensions = (".txt", ".list", ".ioc", ".iocs")
    owns_extensions = False  # a .txt file that is no list is the text loader's to explain

    def sniff(self, path: Path, head: bytes) -> bool:
        """A list: every line of the head that is not blank or a comment is one indicator."""
        if path.suffix.lower() not in self.extensions or b"\x00" in head:
            return False
        try:
            text = head.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            if len(head) < SNIFF_BYTES or e.start < len(head) - 3:
                return False
            text = head[: e.start].decode("utf-8-sig")  # a character cut by the head's end
        lines = text.splitlines()
        if len(head) >= SNIFF_BYTES and lines:
            lines = lines[:-1]  # the last line may be cut
        name = list_name(fs_text(path.stem))
        values = [v for v in (_value(line) for line in lines) if v]
        if not values:
            return name.is_list
        return all(classify(v, name) is not None for v in values)

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        name = list_name(fs_text(path.stem))
        subject = folder_subject(path.parent)
        props: dict[str, Any] = {
            "format": "indicator-list", "encoding": options.encoding or "utf-8",
            "kind": name.kind or "by content", "indicators": 0, "kinds": {}, "duplicates": 0,
            **(describe(subject) if subject else {}),
        }  # fmt: skip
        doc = Document(
            id=hash_file(path), title=fs_text(f"{path.parent.name}/{path.name}"),
            path=str(path.resolve()), loader=self.name, properties=props,
        )  # fmt: skip
        yield Source(doc, _facts(path, doc.id, name, subject, options.encoding, props))


def _value(line: str) -> str:
    """The indicator on a line: comments and a trailing ` # comment` removed, space trimmed."""
    text = line.strip().lstrip("\ufeff")
    if not text or text.startswith(COMMENTS):
        return ""
    for mark in (" #", "\t#"):
        if mark in text:
            text = text.split(mark, 1)[0].rstrip()
    return text


def _facts(
    path: Path, doc_id: str, list_kind: ListName, subject: Subject | None, encoding: str | None,
    props: dict[str, Any],
) -> Iterator[Fact]:  # fmt: skip
    kinds: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    if subject is not None:
        where = f"{subject.source}"
        evidence = make_evidence(doc_id, f"{fs_text(path.name)} is about {subject.name} ({where})",
                                 extractor=EXTRACTOR, locator="line 1")  # fmt: skip
        yield make_entity(subject.type, subject.name, evidence=evidence, locator="line 1")
    for lineno, line in _lines(path, encoding):
        value = _value(line)
        if not value:
            continue
        found = classify(value, list_kind)
        if found is None:
            expected = list_kind.kind or ", ".join(CONTENT_KINDS)
            raise LoaderError(
                f"{shown(value[:80])} is not an indicator ({expected}); a list holds one per line",
                path=str(path), line=lineno,
            )  # fmt: skip
        vkind, name, extra = found
        if (vkind, name) in seen:
            props["duplicates"] += 1
            continue
        seen.add((vkind, name))
        kinds[vkind] += 1
        props["indicators"] += 1
        props["kinds"] = dict(kinds)
        locator = f"line {lineno}"
        properties: dict[str, Any] = {"kind": vkind, **extra, "list": fs_text(path.name)}
        if name != value:
            properties["value_raw"] = value
        evidence = make_evidence(doc_id, value, extractor=EXTRACTOR, locator=locator)
        yield make_entity("Indicator", name, properties=properties, evidence=evidence,
                          locator=locator)  # fmt: skip
        if subject is not None:
            quote = (
                f"{value}: listed in {fs_text(path.name)}; the folder's {subject.source} is about "
                + (subject.name)
            )
            yield make_relation(
                EntityRef(name=name, type="Indicator"), "INDICATES",
                EntityRef(name=subject.name, type=subject.type),
                evidence=make_evidence(doc_id, quote, extractor=EXTRACTOR,
                                       confidence=subject.confidence, locator=locator),
                properties={"subject_from": subject.source}, locator=locator,
            )  # fmt: skip


def _lines(path: Path, encoding: str | None) -> Iterator[tuple[int, str]]:
    """(line number, text) of each line, decoded as UTF-8 (or the given encoding)."""
    codec = text_codec(encoding, path) if encoding else "utf-8-sig"
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        fh = path.open("rb")
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    with fh:
        for lineno, raw in read_lines(fh, path, "one indicator"):
            try:
                yield lineno, refuse_surrogates(decoder.decode(raw), path, lineno)
            except UnicodeDecodeError as e:
                raise LoaderError(
                    f"not valid {encoding or 'UTF-8'} (byte {e.start + 1} of the line); an "
                    "indicator list is plain ASCII or UTF-8 (or pass --encoding)",
                    path=str(path), line=lineno,
                ) from e  # fmt: skip
            except UnicodeError as e:  # punycode, utf-16 without a byte-order mark, ...
                raise LoaderError(f"not valid {encoding or 'UTF-8'} ({e})", path=str(path),
                                  line=lineno) from e  # fmt: skip


LOADER = IndicatorListLoader()
