"""Plain-text and Markdown articles, read into entities and relations by casegraph.extract.

What the loader decides for awkward input:

* A file with a NUL byte is binary, not text: LoaderError.
* Encoding (casegraph.loaders.encoding): the one given with `--encoding`, else a byte-order mark,
  else UTF-8, else what charset-normalizer detects when it is sure; when it is not, LoaderError
  naming the line and byte, so the user can pass the right encoding. A UTF-8 BOM is dropped, and
  Document.properties["encoding"] records the encoding used.
* An empty or blank file gives a Document with no facts; spaCy is not even loaded.
* Files over MAX_BYTES are refused with a LoaderError (a 50 MB single line would keep spaCy busy
  for many minutes). Below that, long paragraphs and lines without breaks are cut into pieces of
  at most casegraph.extract.nlp.MAX_CHUNK_CHARS characters at sentence ends or spaces, so spaCy
  never sees an overlong input.
* Line ends are normalised to "\\n"; Document.text is that text, and every evidence offset
  indexes it: `doc.text[ev.start:ev.end] == ev.quote`.
* Markdown markup is removed before spaCy reads the text (casegraph.extract.markup keeps a map
  back to the original characters); quotes are the original sentences, markup included.
* A saved article's metadata block ("## Information:" with "+ Source:", "+ Link:", "+ Date:",
  "+ Author:" lines, or YAML front matter) is not read as prose: it gives the Document its
  title, `published` date (YYYY-MM-DD) and the properties `url`, `author` and `outlet`.

Page boilerplate (photo credits, bylines, "Keep Reading" markers) and story splitting are
described in casegraph.extract.stories.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from pathlib import Path

from casegraph.errors import LoaderError
from casegraph.graph.model import Document, Source, content_hash
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.encoding import Decoded, decode

MAX_BYTES = 10_000_000
TITLE_CHARS = 120
DETAILS = ("url", "author", "outlet")


class TextLoader:
    name = "text"
    extensions = (".txt", ".md", ".markdown", ".text")

    def sniff(self, path: Path, head: bytes) -> bool:
        """A text file: one of our extensions and no NUL byte at its start."""
        return path.suffix.lower() in self.extensions and b"\x00" not in head

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        data = read_bytes(path, MAX_BYTES)
        decoded = decode_document(data, path, options.encoding)
        markdown = path.suffix.lower() in (".md", ".markdown")
        source = build_source(
            decoded.text,
            doc_id=content_hash(data),
            path=path,
            loader=self.name,
            model=options.model,
            markdown=markdown,
            fallback_title=path.name,
        )
        props = {**source.document.properties, "encoding": decoded.encoding}
        source.document = dataclasses.replace(source.document, properties=props)
        yield source


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file no bigger than max_bytes and without NUL bytes."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoaderError(
                f"file is {size:,} bytes; text extraction reads at most {max_bytes:,} "
                "(split it into smaller files)",
                path=str(path),
            )
        data = path.read_bytes()
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e
    nul = data.find(b"\x00")
    if nul >= 0:
        raise LoaderError(
            f"binary content (NUL byte at offset {nul}); not a text file",
            path=str(path),
            line=data.count(b"\n", 0, nul) + 1,
        )
    return data


def decode_text(data: bytes, path: Path, encoding: str | None) -> str:
    """The text of the bytes (see decode_document), line ends normalised."""
    return decode_document(data, path, encoding).text


def decode_document(data: bytes, path: Path, encoding: str | None) -> Decoded:
    """The text of the bytes in the given encoding, else by casegraph.loaders.encoding's rule
    (UTF-8, or a sure detection), with the encoding used; BOM dropped, line ends normalised."""
    decoded = decode(data, path, encoding)
    text = decoded.text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return dataclasses.replace(decoded, text=text)


def build_source(
    text: str,
    *,
    doc_id: str,
    path: Path,
    loader: str,
    model: str,
    markdown: bool = False,
    fallback_title: str,
    published: str | None = None,
    title: str | None = None,
    details: Mapping[str, str] | None = None,
) -> Source:
    """A Source for an article's text: its Document and the facts the extractor reads in it.

    details (url, author, outlet) known from elsewhere, such as a page's meta tags, win over
    the text's own metadata block, as do title and published.
    """
    base = {"format": "markdown" if markdown else loader}
    if not text.strip():
        doc = Document(
            doc_id,
            title or fallback_title,
            str(path.resolve()),
            loader,
            published,
            text,
            {**base, "stories": 0},
        )
        return Source(doc, [])
    from casegraph.extract.analysis import analyse_many, to_facts
    from casegraph.extract.stories import story_title

    try:
        analysis = next(analyse_many([text], model=model, markdown=[markdown]))
    except LoaderError as e:
        raise LoaderError(str(e), path=str(path)) from e
    facts = to_facts(analysis, doc_id)
    meta = analysis.meta.fields
    heading = (
        title
        or meta.get("title")
        or story_title(text, analysis.blocks)
        or _first_line(text)
        or fallback_title
    )
    props: dict[str, object] = {**base, "stories": analysis.stories, "model": analysis.model}
    props.update({k: meta[k] for k in DETAILS if k in meta})
    props.update({k: v for k, v in (details or {}).items() if k in DETAILS and v})
    when = published or meta.get("published")
    doc = Document(doc_id, heading, str(path.resolve()), loader, when, text, props)
    return Source(doc, facts)


def _first_line(text: str) -> str | None:
    line = text.strip().split("\n", 1)[0].strip().lstrip("#").strip()
    if not line:
        return None
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


LOADER = TextLoader()
