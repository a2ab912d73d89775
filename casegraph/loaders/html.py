"""Web pages: the main text (with title and publication date) extracted by trafilatura,
then read into entities and relations like a text article.

The Document's text is the page title followed by the extracted paragraphs, separated by blank
lines; evidence offsets index that text. The page's publication date (from its meta tags, as
found by trafilatura) becomes Document.published as YYYY-MM-DD; its URL, author and site name
become the properties url, author and outlet. Navigation, footers and comments are left out by
trafilatura; within the main text, photo credits, bylines and "Keep reading" markers are handled
as in casegraph.extract.stories. A page without any extractable text gives a Document without
facts. Files with NUL bytes, bigger than MAX_BYTES, or with more than MAX_TAGS tags (markup
that takes trafilatura minutes and gigabytes) are refused with a LoaderError.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casegraph.errors import LoaderError
from casegraph.extract.meta import iso_date
from casegraph.graph.model import Source, content_hash
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.text import build_source, read_bytes

# As for text files: a page over 10 MB is refused.
MAX_BYTES = 10_000_000
# Tags ('<' characters) a page may have before extraction: 100,000 (some 50,000 elements, far
# above a long article) took trafilatura 10 s and 170 MB; 400,000 took over 300 s and 2 GB.
MAX_TAGS = 100_000
INSTALL_HINT = "pip install 'trafilatura>=2.0,<3' 'lxml_html_clean>=0.4'"


class HtmlLoader:
    name = "html"
    extensions = (".html", ".htm", ".xhtml")

    def sniff(self, path: Path, head: bytes) -> bool:
        """An HTML page: a doctype or <html> tag near the start."""
        low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        return low.startswith((b"<!doctype html", b"<html")) or b"<html" in low[:1024]

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        data = read_bytes(path, MAX_BYTES)
        tags = data.count(b"<")
        if tags > MAX_TAGS:
            raise LoaderError(
                f"a page of {tags:,} tags; at most {MAX_TAGS:,} are read (save the article "
                "alone, or its text as .txt)",
                path=str(path),
            )
        page = read_page(data, path)
        yield build_source(
            page.text,
            doc_id=content_hash(data),
            path=path,
            loader=self.name,
            model=options.model,
            fallback_title=path.name,
            published=page.published,
            title=page.title,
            details=page.details,
        )


@dataclass(frozen=True)
class Page:
    """What a web page gives: title, publication date (YYYY-MM-DD), url/author/outlet, text."""

    title: str | None
    published: str | None
    details: dict[str, str]
    text: str


def read_page(data: bytes, path: Path) -> Page:
    """A page's main text (title first, paragraphs split by blank lines) and its metadata."""
    try:
        import trafilatura
    except ImportError as e:
        raise LoaderError(
            f"HTML extraction needs trafilatura: {INSTALL_HINT}", path=str(path)
        ) from e
    try:
        result: Any = trafilatura.bare_extraction(
            data, with_metadata=True, include_comments=False, include_tables=False
        )
        body = str(getattr(result, "text", "") or "") if result is not None else ""
        if not body.strip():
            body = trafilatura.html2txt(data) or ""
    except (ValueError, TypeError, AttributeError) as e:
        raise LoaderError(f"cannot parse HTML: {e}", path=str(path)) from e
    title = _clean(getattr(result, "title", None))
    date = _clean(getattr(result, "date", None))
    published = iso_date(date) if date else None
    details = {
        key: value
        for key, attr in (("url", "url"), ("author", "author"), ("outlet", "sitename"))
        if (value := _clean(getattr(result, attr, None)))
    }
    paragraphs = [" ".join(p.split()) for p in body.replace("\r", "\n").split("\n")]
    paragraphs = [p for p in paragraphs if p]
    if title and (not paragraphs or paragraphs[0] != title):
        paragraphs.insert(0, title)
    return Page(title, published, details, "\n\n".join(paragraphs))


def _clean(value: object) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


LOADER = HtmlLoader()
