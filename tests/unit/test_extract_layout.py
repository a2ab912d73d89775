"""Saved articles: the metadata block, page furniture and stories, on texts written for the tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import LoaderError
from casegraph.extract.meta import iso_date, read_metadata
from casegraph.extract.stories import split_blocks
from casegraph.graph.model import EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions


def _model_missing() -> bool:
    try:
        from casegraph.extract.nlp import load_nlp

        load_nlp()
    except (LoaderError, ImportError):
        return True
    return False


needs_model = pytest.mark.skipif(_model_missing(), reason="spaCy model not installed")

SAVED = """# Lantern Spyware Maker Hit With Fresh Sanctions
### The Cypriot vendor Ardent Labs sold its Lantern implant to police forces in three countries.

## Information:
+ Source: Wire Desk
+ Link: [article](https://example.org/news/ardent-labs-lantern)
+ Date: March 9, 2023  4:15 pm
+ Author: Petra Lindqvist


## Article:
![Article Image](https://example.org/img/lantern.jpg)
The Cypriot firm Ardent Labs sold its Lantern implant to police forces in three countries, researchers said on Thursday.


**Sold Through Resellers**
--------------------------


Investigators said Ardent Labs used resellers in Malta to reach new buyers.


![](https://example.org/img/chart.png)
 Graphic Desk


***Want to learn how to defend your fleet of phones? Join Omar Haddad, chief analyst at Brightwell, for a free LIVE webinar on Thursday.*** [***Register NOW***](https://example.org/webinar)


###  Previous and related coverage

* [Ardent Labs accused of selling Lantern to Kestrel Group](https://example.org/older)
* [How Lantern reached phones in Malta](https://example.org/older2)


#### Tags:
[[Lantern]] [[Ardent Labs]] [[Wire Desk]]

#### Location:
[[victim.country.name=Malta]] [[victim.continent.name=Europe]]
"""


def _kinds(text: str) -> dict[str, str]:
    return {text[b.start : b.end].split("\n")[0][:24].rstrip(): b.kind for b in split_blocks(text)}


def test_metadata_block_is_read_not_analysed() -> None:
    meta = read_metadata(SAVED)
    assert meta.found
    assert meta.fields == {
        "outlet": "Wire Desk",
        "url": "https://example.org/news/ardent-labs-lantern",
        "published": "2023-03-09",
        "author": "Petra Lindqvist",
        "title": "Lantern Spyware Maker Hit With Fresh Sanctions",
    }
    kinds = _kinds(SAVED)
    assert kinds["## Information:"] == "metadata"
    assert kinds["+ Source: Wire Desk"] == "metadata"
    assert kinds["## Article:"] == "navigation"


def test_page_furniture_is_set_aside_and_the_article_is_one_story() -> None:
    blocks = split_blocks(SAVED)
    kinds = _kinds(SAVED)
    assert kinds["# Lantern Spyware Maker"] == "headline"
    assert kinds["### The Cypriot vendor A"] == "headline"
    assert kinds["![Article Image](https:/"] == "credit"
    assert kinds["**Sold Through Resellers"] == "headline"  # a setext section heading
    assert kinds["Graphic Desk"] == "credit"  # the caption under a figure
    assert kinds["***Want to learn how to"] == "promo"
    assert kinds["###  Previous and relate"] == "navigation"
    assert kinds["* [Ardent Labs accused o"] == "navigation"
    assert kinds["#### Tags:"] == "navigation"
    assert kinds["[[Lantern]] [[Ardent Lab"] == "navigation"
    assert kinds["[[victim.country.name=Ma"] == "navigation"
    assert {b.story for b in blocks} == {0}  # section headings do not open stories


def test_a_list_in_prose_is_not_metadata() -> None:
    text = "Shopping list:\n+ Bread: two loaves\nThe firm Ardent Labs was fined.\n"
    assert not read_metadata(text).found
    front = "---\ntitle: Ardent Labs fined\ndate: 2023-03-09\nauthor: Ann Lee\n---\nBody text.\n"
    meta = read_metadata(front)
    assert meta.fields["published"] == "2023-03-09" and meta.fields["title"] == "Ardent Labs fined"
    assert split_blocks(front)[0].kind == "metadata"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022-01-06T19:48:04+00:00", "2022-01-06"),
        ("November 11, 2021  1:48 pm", "2021-11-11"),
        ("July 19, 2021 -- 15:14 GMT (16:14 BST)", "2021-07-19"),
        ("8 Nov 2021", "2021-11-08"),
        ("Sept. 3, 2020", "2020-09-03"),
        ("2021/11/08", "2021-11-08"),
        ("03/04/2021", None),  # day and month order unknown
        ("February 30, 2021", None),
        ("last week", None),
    ],
)
def test_dates_are_read_as_iso(text: str, iso: str | None) -> None:
    assert iso_date(text) == iso


@needs_model
def test_saved_article_gives_its_document_the_metadata(tmp_path: Path) -> None:
    path = tmp_path / "saved.md"
    path.write_text(SAVED, "utf-8")
    source = next(detect(path).read(path, LoadOptions()))
    doc, facts = source.document, list(source.facts)
    assert doc.title == "Lantern Spyware Maker Hit With Fresh Sanctions"
    assert doc.published == "2023-03-09"
    assert doc.properties["url"] == "https://example.org/news/ardent-labs-lantern"
    assert doc.properties["author"] == "Petra Lindqvist"
    assert doc.properties["outlet"] == "Wire Desk"
    names = {f.name for f in facts if isinstance(f, EntityFact)}
    assert "Ardent Labs" in names and "Lantern" in names
    for absent in ("Petra Lindqvist", "Wire Desk", "Omar Haddad", "Brightwell", "Kestrel Group"):
        assert absent not in names, absent  # byline, outlet, promo and related links
    assert not any(n in names for n in ("Thursday", "Article Image", "Graphic Desk"))
    rels = {(r.source.name, r.type, r.target.name) for r in facts if isinstance(r, RelationFact)}
    assert ("Ardent Labs", "BASED_IN", "Cyprus") in rels
    assert doc.text is not None
    for rel in (f for f in facts if isinstance(f, RelationFact)):
        for ev in rel.evidence:
            assert ev.start is not None and doc.text[ev.start : ev.end] == ev.quote
