"""Fuzzing the text and HTML loaders through their public read() API (fewer examples: spaCy
is slow): any bytes give Sources whose evidence offsets index the document text, or a LoaderError."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.errors import CasegraphError
from casegraph.graph.model import EntityFact, RelationFact
from casegraph.loaders import LoadOptions, get_loader
from tests.fuzz.conftest import NASTY, fuzz_settings

WORDS = ["NSO Group", "Pegasus", "hired", "Black Cube", "Harvey Weinstein", "sued", "the company",
         "Israeli firm", "Meta's", "spyware", ".", ",", "\n\n", "Keep Reading", "Photo: AP",
         "# Title\n", "*", "[link](http://x)", "<b>", "</p>", "&amp;", "\r\n"]  # fmt: skip
prose = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(NASTY)), max_size=40).map(
    " ".join
)


def _read(loader: str, file: Path) -> None:
    try:
        for source in get_loader(loader).read(file, LoadOptions()):
            text = source.document.text or ""
            for fact in source.facts:
                evidence = (
                    fact.evidence
                    if isinstance(fact, RelationFact)
                    else (
                        (fact.evidence,) if isinstance(fact, EntityFact) and fact.evidence else ()
                    )
                )
                for ev in evidence:  # fmt: skip
                    if ev.start is not None and ev.end is not None:
                        assert text[ev.start : ev.end] == ev.quote
    except CasegraphError as e:
        assert str(e) and "\n" not in str(e).strip()


@fuzz_settings(30)
@given(text=prose, suffix=st.sampled_from([".txt", ".md"]),
       encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))  # fmt: skip
def test_any_text_file_reads_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, text: str, suffix: str, encoding: str
) -> None:
    data = text.encode(encoding, "replace")
    file = tmp_path_factory.mktemp("t") / f"{hashlib.sha1(data).hexdigest()}{suffix}"
    file.write_bytes(data)
    _read("text", file)


@fuzz_settings(20)
@given(body=prose, title=st.sampled_from(NASTY))
def test_any_html_page_reads_or_is_refused(
    tmp_path_factory: pytest.TempPathFactory, body: str, title: str
) -> None:
    page = f"<html><head><title>{title}</title></head><body><article><p>{body}</p></article>"
    file = tmp_path_factory.mktemp("h") / "page.html"
    file.write_text(page, encoding="utf-8", errors="surrogatepass")
    _read("html", file)


@fuzz_settings(20)
@given(data=st.binary(max_size=200), suffix=st.sampled_from([".txt", ".html", ".md"]))
def test_binary_junk_as_text_is_refused_or_read(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    file = tmp_path_factory.mktemp("b") / f"junk{suffix}"
    file.write_bytes(b"\x00" + data)  # a NUL byte: binary, refused before spaCy is loaded
    with pytest.raises(CasegraphError):
        _read_strict("html" if suffix == ".html" else "text", file)


def _read_strict(loader: str, file: Path) -> None:
    for source in get_loader(loader).read(file, LoadOptions()):
        list(source.facts)
