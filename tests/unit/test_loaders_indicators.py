"""Indicator lists: one indicator per line, its kind, and what the folder says it indicates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import LoaderError
from casegraph.graph.model import Document, EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.indicator_kinds import classify, list_name
from casegraph.loaders.indicators import LOADER
from casegraph.pipeline import load_paths
from tests.conftest import SHARED, needs_shared

LISTS = Path(__file__).resolve().parents[1] / "data" / "loaders" / "indicator_lists"
GLASS = LISTS / "2024-05-01_glasshouse"  # a bundle and lists, like Amnesty's and MVT's folders
NIGHTJAR = LISTS / "2023-02-10_nightjar"  # a README title and a list
PHISHING = LISTS / "2022-01-01_phishing"  # a list alone


def load(path: Path) -> tuple[Document, list[EntityFact], list[RelationFact]]:
    (source,) = LOADER.read(path, LoadOptions())
    facts = list(source.facts)
    return (source.document, [f for f in facts if isinstance(f, EntityFact)],
            [f for f in facts if isinstance(f, RelationFact)])  # fmt: skip


def indicators(facts: list[EntityFact]) -> dict[str, dict[str, Any]]:
    return {f.name: dict(f.properties) for f in facts if f.type == "Indicator"}


def test_lists_are_detected_before_the_text_loader_and_prose_is_not() -> None:
    for name in ("domains.txt", "processes.txt", "package_names.txt", "sha256.txt",
                 "emails.txt", "ip-addresses.txt", "file_paths.txt"):  # fmt: skip
        assert detect(GLASS / name).name == "indicators", name
    assert detect(PHISHING / "domains.txt").name == "indicators"


def test_prose_and_yaml_stay_text(tmp_path: Path) -> None:
    prose = tmp_path / "notes.txt"
    prose.write_text("The lab found two servers.\nBoth were in Skopje.\n", encoding="utf-8")
    yaml = tmp_path / "index_entry.txt"
    yaml.write_text("  -\n    type: github\n    name: Example indicators\n", encoding="utf-8")
    one_word = tmp_path / "todo.txt"
    one_word.write_text("Pegasus\n", encoding="utf-8")
    for path in (prose, yaml, one_word):
        assert detect(path).name == "text", path.name


def test_domains_are_normalised_deduplicated_and_kinds_come_from_content() -> None:
    doc, entities, _ = load(GLASS / "domains.txt")
    got = indicators(entities)
    assert {name: p["kind"] for name, p in got.items()} == {
        "cdn-glass.example": "domain", "update-glass.example": "domain",
        "mail.glass-sync.example": "domain", "203.0.113.77": "ip", "glasshost": "domain",
    }  # fmt: skip
    assert got["update-glass.example"]["value_raw"] == "Update-Glass[.]example."
    assert "value_raw" not in got["cdn-glass.example"]
    assert got["glasshost"]["kind_from"] == "file name"  # one token the content cannot place
    assert doc.properties["duplicates"] == 1 and doc.properties["indicators"] == 5
    assert doc.properties["kinds"] == {"domain": 4, "ip": 1}
    first = next(f for f in entities if f.name == "cdn-glass.example")
    assert first.evidence is not None and first.evidence.locator == "line 2"
    assert first.evidence.quote == "cdn-glass.example"
    assert doc.title == "2024-05-01_glasshouse/domains.txt" and doc.loader == "indicators"


def test_the_list_name_gives_kinds_the_content_cannot_show() -> None:
    kinds = {name: {p["kind"] for p in indicators(load(GLASS / name)[1]).values()}
             for name in ("processes.txt", "package_names.txt", "file_paths.txt")}  # fmt: skip
    assert kinds == {"processes.txt": {"process"}, "package_names.txt": {"app"},
                     "file_paths.txt": {"filepath"}}  # fmt: skip
    hashes = indicators(load(GLASS / "sha256.txt")[1])
    assert {n: (p["kind"], p["hash_algorithm"]) for n, p in hashes.items()} == {
        "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592": ("hash", "sha256"),
        "9e107d9d372bb6826bd81d3542a419d6": ("hash", "md5"),
        "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12": ("hash", "sha1"),
    }
    emails = indicators(load(GLASS / "emails.txt")[1])
    assert set(emails) == {"operator.glass@mail-verify.example", "alerts@glass-sync.example"}


def test_a_folder_bundle_names_what_the_lists_indicate() -> None:
    doc, entities, relations = load(GLASS / "domains.txt")
    assert doc.properties["subject"] == "Glasshouse"
    assert doc.properties["subject_from"] == "STIX bundle glasshouse.stix2"
    assert [(f.type, f.name) for f in entities if f.type != "Indicator"] == [
        ("Product", "Glasshouse")
    ]
    assert len(relations) == 5
    assert {(r.type, r.target.name, r.target.type) for r in relations} == {
        ("INDICATES", "Glasshouse", "Product")
    }
    rel = next(r for r in relations if r.source.name == "mail.glass-sync.example")
    assert rel.locator == rel.evidence[0].locator == "line 5"
    assert rel.evidence[0].quote == (
        "mail.glass-sync.example: listed in domains.txt; the folder's STIX bundle "
        "glasshouse.stix2 is about Glasshouse"
    )
    assert rel.evidence[0].confidence == pytest.approx(0.9)


def test_a_readme_title_names_the_subject_when_there_is_no_bundle() -> None:
    doc, _, relations = load(NIGHTJAR / "domains.txt")
    assert doc.properties["subject"] == "Nightjar"
    assert doc.properties["subject_from"] == "README title 'Nightjar Indicators of Compromise'"
    assert {(r.target.name, r.target.type) for r in relations} == {("Nightjar", "Product")}
    assert relations[0].evidence[0].confidence == pytest.approx(0.8)
    assert {r.source.name for r in relations} == {
        "nightjar-updates.example", "https://nightjar-updates.example/payload",
    }  # fmt: skip


def test_a_list_alone_indicates_nothing() -> None:
    doc, entities, relations = load(PHISHING / "domains.txt")
    assert relations == [] and "subject" not in doc.properties
    assert set(indicators(entities)) == {"login-verify.example", "secure-mail-check.example"}


def test_an_empty_list_named_as_a_list_is_an_empty_list() -> None:
    assert detect(GLASS / "ip-addresses.txt").name == "indicators"
    doc, entities, relations = load(GLASS / "ip-addresses.txt")
    assert doc.properties["indicators"] == 0
    assert [f.name for f in entities] == ["Glasshouse"] and relations == []


def test_loaded_with_its_bundle_the_lists_indicate_the_bundles_own_entity(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [LISTS])
        assert summary.errors == []
        products = [e for e in store.entities(type="Product")]
        assert sorted(p.name for p in products) == ["Glasshouse", "Nightjar"]
        glass = store.resolve("product:glasshouse")
        indicated = {r.other.name: r for r in store.relations_of(glass.id) if r.type == "INDICATES"}
        assert set(indicated) == {
            "cdn-glass.example", "update-glass.example", "mail.glass-sync.example",
            "203.0.113.77", "glasshost", "glassd", "com.apple.glassagent",
            "com.example.glass.viewer", "com.example.glass.sync",
            "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
            "9e107d9d372bb6826bd81d3542a419d6", "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12",
            "operator.glass@mail-verify.example", "alerts@glass-sync.example",
            "/private/var/tmp/glassd", "Library/Caches/com.example.glass/cache.db",
        }  # fmt: skip
        # the bundle's relation and the list's are one relation with two pieces of evidence
        extractors = sorted(e.extractor for e in indicated["cdn-glass.example"].evidence)
        assert extractors == ["indicators", "stix"]
        loaders = sorted(d.loader for d in store.documents())
        assert loaders.count("indicators") == 9 and loaders.count("stix") == 1


def test_a_line_that_is_no_indicator_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "domains.txt"
    body = "".join(f"host-{i}.example\n" for i in range(400))  # more than the sniffed head
    path.write_text(body + "this is a sentence\n", encoding="utf-8")
    assert detect(path).name == "indicators"  # the first lines look like a list
    with pytest.raises(LoaderError, match=r"domains\.txt:401: this is a sentence is not an "
                       r"indicator \(url, email, ip, hash, filepath, domain\)"):  # fmt: skip
        load(path)
    procs = tmp_path / "processes.txt"
    procs.write_text("agentd\nnot one token\n", encoding="utf-8")
    assert detect(procs).name == "text"


def test_classify_rules() -> None:
    assert classify("hxxp://bad[.]example/x") == ("url", "http://bad.example/x", {})
    assert classify("2001:db8::1") == ("ip", "2001:db8::1", {})
    assert classify("10.0.0.1[.]") is None
    assert classify("C:\\Users\\x\\evil.exe") == ("filepath", "C:\\Users\\x\\evil.exe", {})
    assert classify("abc123") is None and classify("e.g") is None
    assert list_name("v4_validation_domains").default == "domain"
    assert list_name("package_cert_hashes").kind == "cert-hash"
    assert list_name("ip-addresses").is_list and not list_name("notes").is_list


@needs_shared
def test_every_list_in_amnesty_and_mvt_folders_reads_as_indicators() -> None:
    lists = sorted([*(SHARED / "data" / "amnesty_investigations").rglob("*.txt"),
                    *(SHARED / "data" / "mvt_indicators").rglob("*.txt")])  # fmt: skip
    read = {p.relative_to(SHARED / "data").as_posix(): p for p in lists
            if detect(p).name == "indicators"}  # fmt: skip
    not_lists = sorted(set(p.relative_to(SHARED / "data").as_posix() for p in lists) - set(read))
    assert not_lists == ["mvt_indicators/2026-03-03_coruna_cryptowaters/indicators_yaml_entry.txt"]
    total = 0
    for path in read.values():
        doc, entities, _ = load(path)
        total += doc.properties["indicators"]
        assert all(f.properties["kind"] for f in entities if f.type == "Indicator")
    assert len(read) == 76 and total > 7500
    cytrox = load(SHARED / "data" / "amnesty_investigations" / "2021-12-16_cytrox" / "domains.txt")
    assert cytrox[0].properties["subject"] == "Predator"
    assert {(r.target.name, r.target.type) for r in cytrox[2]} == {("Predator", "Product")}
    assert "2y4nothing.xyz" in {r.source.name for r in cytrox[2]}
    novispy = SHARED / "data" / "amnesty_investigations" / "2024-12-16_serbia_novispy"
    assert load(novispy / "domains.txt")[0].properties["kinds"] == {"ip": 7}  # IPs in domains.txt
