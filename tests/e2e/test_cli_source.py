"""`casegraph source` on both backends: the passage behind an evidence item or an offset, and the
reader page."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.sources_case import write_case


@pytest.fixture
def loaded(backend_cli: Any, tmp_path: Path) -> Any:
    result = backend_cli("load", *map(str, write_case(tmp_path / "case")))
    assert result.code == 0, result.stderr
    return backend_cli


def _doc(cli: Any, name: str) -> dict[str, Any]:
    return next(d for d in cli("sources", "--json").json() if Path(d["path"]).name == name)


def _quoted_evidence(cli: Any, entity: str) -> dict[str, Any]:
    shown = cli("show", entity, "--json").json()
    return next(e for r in shown["relations"] for e in r["evidence"] if e["start"] is not None)


def test_source_of_an_evidence_item(loaded: Any, tmp_path: Path) -> None:
    ev = _quoted_evidence(loaded, "Kestrel Partners")
    result = loaded("source", ev["id"], "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["evidence"]["id"] == ev["id"]
    assert data["cited"] == [ev["start"], ev["end"]]
    assert data["start"] <= ev["start"] and ev["end"] <= data["end"]
    text = (tmp_path / "case" / Path(data["document"]["path"]).name).read_text(encoding="utf-8")
    assert text[data["start"] : data["end"]] == data["passage"]
    assert "Kestrel Partners" in {m["name"] for m in data["marks"]}
    for m in data["marks"]:
        assert text[m["start"] : m["end"]].casefold() in data["passage"].casefold()
    shown = loaded("source", ev["id"])
    assert shown.code == 0 and ev["id"] in shown.stdout and "Kestrel Partners" in shown.stdout


def test_an_evidence_id_of_older_versions_names_the_same_item(loaded: Any) -> None:
    ev = _quoted_evidence(loaded, "Kestrel Partners")
    assert len(ev["id"]) == 36  # ev:<relation id>-<16 hex digits>
    short = ev["id"][:26]  # what casegraph before schema version 6 showed for it
    result = loaded("source", short, "--json")
    assert result.code == 0, result.stderr
    assert result.json()["evidence"]["id"] == ev["id"]
    rejected = loaded("reject", short, "--json")
    assert rejected.code == 0, rejected.stderr
    (decision,) = loaded("decisions", "--json").json()
    assert decision["target"] == ev["id"]  # recorded by its whole id
    assert loaded("source", ev["id"], "--json").json()["evidence"]["status"] == "rejected"


def test_source_at_an_offset_by_id_prefix(loaded: Any) -> None:
    doc = _doc(loaded, "charlie.txt")
    result = loaded("source", doc["id"][:10], "--at", "80", "--json")
    assert result.code == 0, result.stderr
    data = result.json()
    a, b = data["cited"]
    assert a <= 80 <= b and data["passage"].startswith("LONDON")
    assert "spying claims" in data["passage"]


def test_reader_page(loaded: Any, tmp_path: Path) -> None:
    ev = _quoted_evidence(loaded, "Kestrel Partners")
    page = tmp_path / "reader.html"
    result = loaded("source", ev["id"], "--html", str(page))
    assert result.code == 0, result.stderr
    html = page.read_text(encoding="utf-8")
    csp = unescape(re.search(r'Content-Security-Policy" content="([^"]*)"', html).group(1))  # type: ignore[union-attr]
    assert csp.startswith("default-src 'none'")
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'$", csp.split(";")[1].strip())
    assert html.count('id="cited"') == 1 and "scrollIntoView" in html
    assert '<mark class="cg-entity" data-type="Company"' in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script src" not in html
    # an existing file is kept unless --force (like every other output)
    again = loaded("source", ev["id"], "--html", str(page))
    assert (
        again.code == 2 and str(page) in again.stderr and page.read_text(encoding="utf-8") == html
    )
    assert loaded("source", ev["id"], "--html", str(page), "--force").code == 0


def test_reader_page_escapes_source_text(backend_cli: Any, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.txt"
    hostile.write_text("Orion Labs said <script>alert(1)</script> & \"quotes\" here.\n",
                       encoding="utf-8")  # fmt: skip
    assert backend_cli("load", str(hostile)).code == 0
    doc = _doc(backend_cli, "hostile.txt")
    page = tmp_path / "page.html"
    assert backend_cli("source", doc["id"], "--at", "3", "--html", str(page)).code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)" in html


def test_bad_references_are_one_line(loaded: Any) -> None:
    for args, code, says in [
        (("source", "ev:0000000000000000-000000"), 2, "no evidence item"),
        (("source", "ev:0000000000000000-0000000000000000"), 2, "no evidence item"),
        (("source", "zzzzzzzz"), 2, "no document"),
        (("source", "abc"), 2, "too short"),
    ]:
        result = loaded(*args)
        assert result.code == code and says in result.stderr, result.stderr
        assert "no entity" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    doc = _doc(loaded, "delta.txt")
    result = loaded("source", doc["id"], "--at", "100000")
    assert result.code == 2 and "outside the document" in result.stderr
