"""The CSV loader on the project's own indicator tables, on Meta's and Amnesty's real ones, and on broken tables."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from casegraph.errors import LoaderError
from casegraph.graph.model import Document, EntityFact, RelationFact
from casegraph.loaders import detect
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.csv import LOADER, detect_encoding
from casegraph.loaders.stix import LOADER as STIX
from tests.conftest import SHARED, needs_shared, shared_params

DATA = SHARED / "data"
OWN = Path(__file__).resolve().parents[1] / "data" / "loaders"
OWN_META = OWN / "csv" / "meta_indicators.csv"
OWN_VENDOR = OWN / "csv" / "2021_12_surveillance_for_hire.csv"  # a table about vendors
OWN_COLUMNS = OWN / "csv" / "indicator_columns.csv"
OWN_DONATIONS = OWN / "csv" / "donations.csv"
META = DATA / "meta_threat_research" / "indicators" / "csv"
META_FILES = sorted(META.glob("*.csv"))
SURVEILLANCE = META / "2021_12_taking_action_against_surveillance_for_hire.csv"
AMNESTY_NSO = DATA / "amnesty_investigations" / "2018-08-01_nso" / "indicators.csv"
DONATIONS = DATA / "ftm_opensanctions" / "nomenklatura" / "tests" / "fixtures" / "donations.csv"


def load(path: Path, **options: Any) -> tuple[Document, list[Any]]:
    sources = list(LOADER.read(path, LoadOptions(**options)))
    assert len(sources) == 1
    return sources[0].document, list(sources[0].facts)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def entities(facts: list[Any]) -> list[EntityFact]:
    return [f for f in facts if isinstance(f, EntityFact)]


def relations(facts: list[Any]) -> list[RelationFact]:
    return [f for f in facts if isinstance(f, RelationFact)]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- the project's own tables, shaped like Meta's and Amnesty's --------------------------------


def test_meta_style_rows_become_indicators_quoting_the_comment() -> None:
    doc, facts = load(OWN_META)
    table = rows(OWN_META)
    indicators = [f for f in entities(facts) if f.type == "Indicator"]
    assert len(indicators) == len(table) == doc.properties["rows"] == 12
    for fact, row in zip(indicators, table, strict=True):
        assert fact.evidence is not None and fact.evidence.quote == row["comment"]
        assert fact.properties["comment"] == row["comment"]  # kept where the store keeps it
        assert fact.properties["indicator_type"] == row["indicator_type"]
        assert fact.properties["ds"] == row["ds"]
    assert indicators[0].evidence is not None and indicators[0].evidence.locator == "line 2"
    assert indicators[-1].evidence is not None and indicators[-1].evidence.locator == "line 13"
    assert doc.properties["table"] == "indicators" and doc.properties["encoding"] == "utf-8"


def test_meta_style_indicator_kinds_and_normalised_values() -> None:
    by_type = {f.properties["indicator_type"]: f for f in entities(load(OWN_META)[1])
               if f.type == "Indicator"}  # fmt: skip
    kinds = {label: f.properties["kind"] for label, f in by_type.items()}
    assert kinds == {
        "domain_name": "domain", "ip": "ip", "md5": "hash", "sha256": "hash", "url": "url",
        "phishing_url": "url", "telegram_url": "url", "android_package_name": "app",
        "ios_app_id": "app",
    }  # fmt: skip
    assert by_type["md5"].properties["hash_algorithm"] == "md5"
    assert by_type["md5"].name == "9e107d9d372bb6826bd81d3542a419d6"
    assert by_type["sha256"].properties["hash_algorithm"] == "sha256"
    names = {f.name for f in by_type.values()}
    assert "https://short-link.example/a1" in names  # hxxps and [.] refanged


def test_meta_style_defanged_and_trailing_dot_values_keep_the_raw_value() -> None:
    facts = [f for f in entities(load(OWN_META)[1]) if f.type == "Indicator"]
    raw = {f.name: f.properties.get("value_raw") for f in facts}
    assert raw["update-check.example"] == "update-check[.]example"
    assert raw["secure-login.example"] == "Secure-Login.example."
    assert raw["news-brief.example"] is None  # unchanged values keep no raw copy
    assert all("[.]" not in f.name for f in facts)


def test_mapping_file_makes_every_row_indicate_one_entity(tmp_path: Path) -> None:
    mapping = write(
        tmp_path, "m.json", json.dumps({"indicates": {"name": "Predator", "type": "Product"}})
    )
    _, facts = load(OWN_META, mapping=mapping)
    assert [f.name for f in entities(facts) if f.type == "Product"] == ["Predator"]
    rels = relations(facts)
    assert len(rels) == len(rows(OWN_META))
    assert {(r.type, r.target.name, r.target.type) for r in rels} == {
        ("INDICATES", "Predator", "Product")
    }
    assert rels[0].evidence[0].quote == "Nightowl Domain"


def test_a_comment_naming_an_actor_or_software_links_the_indicator_to_it() -> None:
    _, facts = load(OWN_META)
    got = [(r.locator, r.source.name, r.target.name, r.target.type) for r in relations(facts)]
    assert got == [
        ("line 2", "news-brief.example", "Nightowl", "Organization"),  # "Nightowl Domain"
        ("line 3", "secure-login.example", "Nightowl", "Organization"),
        ("line 4", "update-check.example", "Example Bear", "Organization"),  # "Example Bear: ..."
        ("line 5", "198.51.100.7", "Example Bear", "Organization"),
        ("line 6", "9e107d9d372bb6826bd81d3542a419d6", "Example Bear", "Organization"),
        ("line 6", "9e107d9d372bb6826bd81d3542a419d6", "Glasshouse", "Product"),  # "Hosting G. Malware"
        ("line 7", "5d41402abc4b2a76b9719d911017c5925d41402abc4b2a76b9719d911017c592",
         "Glasshouse", "Product"),  # "Glasshouse Sample"
        ("line 13", "sandcat-mail.example", "Sandcat", "Organization"),  # "Iran: Sandcat related"
    ]  # fmt: skip
    # no link from "Unnamed: ...", "Credential phishing page", "...-targeting CIB ...", or an
    # app's own title ("Flashlight Pro: Torch and Light")
    named = [f for f in entities(facts) if f.type != "Indicator"]
    assert [(f.type, f.name) for f in named] == [
        ("Organization", "Nightowl"), ("Organization", "Example Bear"), ("Product", "Glasshouse"),
        ("Organization", "Sandcat"),
    ]  # fmt: skip
    rel = relations(facts)[0]
    assert rel.type == "INDICATES" and rel.properties == {"named_in": "comment"}
    assert rel.evidence[0].quote == "Nightowl Domain" and rel.evidence[0].locator == "line 2"
    assert rel.evidence[0].confidence == pytest.approx(0.8)


def test_in_a_table_about_vendors_a_named_owner_is_a_company(tmp_path: Path) -> None:
    _, facts = load(OWN_VENDOR)
    assert {(r.type, r.target.name, r.target.type) for r in relations(facts)} == {
        ("INDICATES", "Cytrox", "Company")
    }
    assert len(relations(facts)) == 3
    # the same rows in a file whose name says nothing of vendors: an Organization
    plain = write(tmp_path, "indicators.csv", OWN_VENDOR.read_text(encoding="utf-8"))
    assert {r.target.type for r in relations(load(plain)[1])} == {"Organization"}
    # a mapping's target_type decides instead
    mapping = write(tmp_path, "m.json", json.dumps({"target_type": "Company"}))
    assert {r.target.type for r in relations(load(plain, mapping=mapping)[1])} == {"Company"}


def test_comment_links_resolve_to_the_entity_already_in_the_store(tmp_path: Path) -> None:
    from casegraph.backends.sqlite import SqliteStore
    from casegraph.pipeline import load_paths

    vendors = write(tmp_path, "vendors.jsonl", '{"type": "Company", "name": "Cytrox"}\n')
    with SqliteStore(tmp_path / "s.db") as store:
        load_paths(store, [vendors, OWN_VENDOR])
        cytrox = store.resolve("Cytrox")
        assert cytrox.id == "company:cytrox" and len(store.entities(type="Company")) == 1
        indicated = [r for r in store.relations_of(cytrox.id) if r.type == "INDICATES"]
        assert sorted(r.other.name for r in indicated) == [
            "quick-news-update.example", "shorten-link.example", "weather-today.example",
        ]  # fmt: skip
        assert indicated[0].evidence[0].quote == "Cytrox Domain"


def test_wide_table_reads_every_indicator_cell() -> None:
    doc, facts = load(OWN_COLUMNS)
    assert doc.properties["table"] == "indicator_columns"
    got = [(f.properties["kind"], f.name, f.locator) for f in entities(facts)]
    assert got == [
        ("domain", "tracking-news.example", "line 2"), ("ip", "203.0.113.5", "line 2"),
        ("domain", "sms-alerts.example", "line 3"), ("ip", "203.0.113.9", "line 4"),
        ("domain", "mobile-update.example", "line 5"), ("ip", "203.0.113.12", "line 5"),
    ]  # fmt: skip


def test_unrecognised_table_says_what_it_expected_and_column_options_read_it() -> None:
    with pytest.raises(LoaderError, match=r"donations\.csv:1: cannot tell what the columns hold "
                       r"\(Donor, Party, DonationEUR, Year\); expected"):  # fmt: skip
        load(OWN_DONATIONS)
    _, facts = load(OWN_DONATIONS, source_col="Donor", target_col="Party",
                    rel_type="MENTIONED_WITH")  # fmt: skip
    table = rows(OWN_DONATIONS)
    rels = relations(facts)
    assert [(r.source.name, r.target.name) for r in rels] == [
        (row["Donor"], row["Party"]) for row in table
    ]
    assert rels[0].properties == {"DonationEUR": "15000", "Year": "2019"}


def test_detection_of_own_tables() -> None:
    assert detect(OWN_META).name == "csv"
    assert LOADER.sniff(OWN_META, OWN_META.read_bytes()[:4096])
    ftm = OWN / "ftm" / "entities.ftm.json"
    assert not LOADER.sniff(ftm, ftm.read_bytes()[:4096])


# --- real data -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", shared_params(META_FILES), ids=lambda p: p.name[:30])
def test_meta_rows_become_indicators_quoting_the_comment(path: Path) -> None:
    doc, facts = load(path)
    table = rows(path)
    indicators = [f for f in entities(facts) if f.type == "Indicator"]
    assert len(indicators) == len(table) == doc.properties["rows"]
    for fact, row in zip(indicators, table, strict=True):
        assert fact.evidence is not None and fact.evidence.quote == row["comment"]
        assert fact.properties["comment"] == row["comment"]
        assert fact.properties["indicator_type"] == row["indicator_type"]
        assert fact.properties["ds"] == row["ds"]
    assert indicators[0].evidence is not None and indicators[0].evidence.locator == "line 2"
    assert doc.properties["table"] == "indicators" and doc.properties["encoding"] == "utf-8"
    # what a row's comment names, it INDICATES; the rest names nothing
    for rel in relations(facts):
        assert rel.type == "INDICATES" and rel.properties == {"named_in": "comment"}
        assert rel.target.name in rel.evidence[0].quote


@needs_shared
def test_meta_comments_name_the_actors_and_software_of_the_rows() -> None:
    by_file = {}
    for path in META_FILES:
        targets = Counter((r.target.name, r.target.type) for r in relations(load(path)[1]))
        by_file[path.stem[:7]] = targets
    assert by_file["2021_12"] == {("Cytrox", "Company"): 313}  # every row: "Cytrox Domain"
    assert by_file["2020_12"] == {("APT32", "Organization"): 10}
    assert by_file["2021_07"] == {("Tortoiseshell", "Organization"): 187}  # "Iran: T... related"
    assert by_file["2021_04"][("Arid Viper", "Organization")] > 150
    assert by_file["2021_04"][("PSS", "Organization")] > 30
    assert by_file["2022_08"][("Dracarys", "Product")] == 8
    assert by_file["2022_09"] == {}  # "Germany-targeting CIB domain" names no one
    names = {name for targets in by_file.values() for name, _ in targets}
    assert not names & {"Unnamed", "CIB", "Iran", "Pakistan", "Site", "Pixa", "Snap"}


@needs_shared
def test_meta_indicator_kinds() -> None:
    kinds: Counter[tuple[str, str]] = Counter()
    for path in META_FILES:
        for fact in entities(load(path)[1]):
            if fact.type == "Indicator":
                kinds[(fact.properties["indicator_type"], fact.properties["kind"])] += 1
    by_label = {label: kind for label, kind in kinds}
    assert by_label["domain_name"] == "domain" and by_label["ip"] == "ip"
    assert by_label["md5"] == by_label["sha256"] == "hash"
    assert by_label["phishing_url"] == by_label["telegram_url"] == by_label["url"] == "url"
    assert by_label["android_package_name"] == by_label["ios_app_id"] == "app"


@needs_shared
def test_meta_defanged_values_are_refanged() -> None:
    path = META / "2022_09_removing_coordinated_inauthentic_behavior_from_china_and_russia.csv"
    defanged = [r for r in rows(path) if "[.]" in r["indicator_value"]]
    facts = entities(load(path)[1])
    refanged = [f for f in facts if "value_raw" in f.properties]
    assert defanged and len(refanged) == len(defanged)
    assert all("[.]" not in f.name for f in facts)


@needs_shared
def test_mapping_file_makes_meta_rows_indicate_an_entity(tmp_path: Path) -> None:
    mapping = write(
        tmp_path, "m.json", json.dumps({"indicates": {"name": "Cytrox", "type": "Company"}})
    )
    _, facts = load(SURVEILLANCE, mapping=mapping)
    cytrox = [f for f in entities(facts) if f.type == "Company"]
    assert [f.name for f in cytrox] == ["Cytrox"]
    rels = relations(facts)
    assert len(rels) == len(rows(SURVEILLANCE))
    assert {(r.type, r.target.name, r.target.type) for r in rels} == {
        ("INDICATES", "Cytrox", "Company")
    }
    assert rels[0].evidence[0].quote == "Cytrox Domain"


@needs_shared
def test_cytrox_domains_recur_as_predator_indicators_in_amnesty_and_mvt() -> None:
    meta = {f.name for f in entities(load(SURVEILLANCE)[1])}
    predator: list[set[str]] = []
    for path in (DATA / "amnesty_investigations" / "2021-12-16_cytrox" / "cytrox.stix2",
                 DATA / "mvt_indicators" / "intellexa_predator" / "predator.stix2"):  # fmt: skip
        facts = list(next(iter(STIX.read(path, LoadOptions()))).facts)
        names = {f.xid: f.name for f in facts if isinstance(f, EntityFact)}
        indicates = [r for r in relations(facts) if r.type == "INDICATES"]
        predator.append(
            {names[r.source.xid] for r in indicates if names[r.target.xid] == "Predator"}
        )
    shared = meta & predator[0] & predator[1]
    assert len(shared) > 300
    assert "2y4nothing.xyz" in shared


@needs_shared
def test_amnesty_wide_table_reads_every_indicator_cell() -> None:
    doc, facts = load(AMNESTY_NSO)
    table = rows(AMNESTY_NSO)
    cells = sum(bool(r["domain_name"].strip()) + bool(r["ip_address"].strip()) for r in table)
    assert len(entities(facts)) == cells
    kinds = Counter(f.properties["kind"] for f in entities(facts))
    assert set(kinds) == {"domain", "ip"}
    assert doc.properties["table"] == "indicator_columns"


@needs_shared
def test_donations_with_column_options() -> None:
    _, facts = load(DONATIONS, source_col="Donor", target_col="Party", rel_type="MENTIONED_WITH")
    table = rows(DONATIONS)
    rels = relations(facts)
    assert len(rels) == len(table)
    assert (rels[0].source.name, rels[0].target.name) == (table[0]["Donor"], table[0]["Party"])
    assert rels[0].properties["DonationEUR"] == table[0]["DonationEUR"]


@needs_shared
def test_unrecognised_real_table_says_what_it_expected() -> None:
    with pytest.raises(LoaderError, match=r"donations\.csv:1: cannot tell what the columns hold "
                       r"\(Party, DonationEUR"):  # fmt: skip
        load(DONATIONS)


@needs_shared
def test_detection() -> None:
    assert detect(SURVEILLANCE).name == "csv"
    assert LOADER.sniff(SURVEILLANCE, SURVEILLANCE.read_bytes()[:4096])
    ftm = DATA / "ftm_opensanctions" / "yente" / "tests" / "fixtures" / "dataset" / "t1"
    assert not LOADER.sniff(ftm / "entities.ftm.json", (ftm / "entities.ftm.json").read_bytes())


# --- layouts, options and mapping files ------------------------------------------------------


def test_relation_table_with_types_quotes_and_multiline_cells(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv",
                 "source,source_type,type,target,target_type,quote,date\n"
                 "NSO Group,Company,DEVELOPED,Pegasus,Product,"
                 '"NSO Group, whose\nPegasus spyware",2021\n'
                 "\n"
                 "NSO Group,Company,developed,Phantom,Product,,\n")  # fmt: skip
    _, facts = load(path)
    assert [(type(f).__name__, getattr(f, "name", None)) for f in facts] == [
        ("EntityFact", "NSO Group"), ("EntityFact", "Pegasus"), ("RelationFact", None),
        ("EntityFact", "Phantom"), ("RelationFact", None),
    ]  # fmt: skip
    first, second = relations(facts)
    assert first.evidence[0].quote == "NSO Group, whose\nPegasus spyware"
    assert first.locator == "line 2" and second.locator == "line 5"
    assert second.type == "DEVELOPED" and first.properties == {"date": "2021"}


def test_edge_lists_without_header(tmp_path: Path) -> None:
    two = write(tmp_path, "e2.csv", "Harvey Weinstein,Black Cube\nMeta,BellTroX\n")
    _, facts = load(two, rel_type="HIRED", entity_type="Company")
    assert [r.type for r in relations(facts)] == ["HIRED", "HIRED"]
    _, facts = load(two)
    assert {r.type for r in relations(facts)} == {"MENTIONED_WITH"}
    three = write(tmp_path, "e3.tsv", "Meta\tBellTroX\tDISRUPTED\n")
    _, facts = load(three)
    assert [(r.source.name, r.type, r.target.name) for r in facts] == [
        ("Meta", "DISRUPTED", "BellTroX")
    ]


def test_entity_table_with_aliases(tmp_path: Path) -> None:
    path = write(tmp_path, "ents.csv", "name;type;aliases;founded\n"
                                       "NSO Group;Company;Q Cyber Technologies;2010\n"
                                       "Citizen Lab;Organization;;\n")  # fmt: skip
    doc, facts = load(path)
    assert doc.properties["delimiter"] == ";"
    assert [(f.name, f.type, f.aliases) for f in facts] == [
        ("NSO Group", "Company", ("Q Cyber Technologies",)),
        ("Citizen Lab", "Organization", ()),
    ]
    assert facts[0].properties == {"founded": "2010"}


def test_mapping_file_renames_columns(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "client|firm|why\nHarvey Weinstein|Black Cube|hired\n")
    mapping = write(tmp_path, "map.json", json.dumps({
        "columns": {"source": "client", "target": "firm", "quote": "why"},
        "rel_type": "HIRED", "source_type": "Person", "target_type": "Company",
    }))  # fmt: skip
    _, facts = load(path, mapping=mapping)
    assert [(f.name, f.type) for f in entities(facts)] == [
        ("Harvey Weinstein", "Person"),
        ("Black Cube", "Company"),
    ]
    (hired,) = relations(facts)
    assert hired.type == "HIRED" and hired.evidence[0].quote == "hired"


def test_bad_mapping_file(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "source,target\na,b\n")
    mapping = write(tmp_path, "map.json", json.dumps({"colums": {}}))
    with pytest.raises(LoaderError, match=r"map\.json: unknown mapping key 'colums'; valid keys"):
        load(path, mapping=mapping)
    mapping = write(tmp_path, "map.json", "{not json")
    with pytest.raises(LoaderError, match=r"map\.json: mapping file is not valid JSON"):
        load(path, mapping=mapping)


# --- encodings -------------------------------------------------------------------------------


def test_encodings_are_detected(tmp_path: Path) -> None:
    text = "name,type\nCafé Société,Company\n"
    for encoding, expected in (
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("cp1252", "cp1252"),
    ):
        path = write(tmp_path, f"{encoding}.csv", text.encode(encoding))
        doc, facts = load(path)
        assert doc.properties["encoding"] == expected
        assert facts[0].name == "Café Société"
    assert detect_encoding(b"\x81\x8d caf\xe9", None, "x") == "latin-1"


def test_wrong_forced_encoding_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "name,type\nNSO,Company\nCaf\xe9,Company\n".encode("cp1252"))
    with pytest.raises(LoaderError, match=r"w\.csv:3: not valid utf-8 .*pass the file's encoding"):
        load(path, encoding="utf-8")


def test_bad_byte_after_the_sample_names_its_line(tmp_path: Path) -> None:
    body = "".join(f"Firm {i},Company\n" for i in range(5000))  # > 64 KiB of plain UTF-8
    path = write(tmp_path, "late.csv", ("name,type\n" + body).encode() + b"Caf\xe9,Company\n")
    with pytest.raises(LoaderError, match=r"late\.csv:5002: not valid utf-8"):
        load(path)


# --- broken tables ---------------------------------------------------------------------------


def test_missing_column_named_by_option(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "a,b\nx,y\n")
    with pytest.raises(
        LoaderError, match=r"m\.csv:1: column 'from' is not in the header; columns: 'a', 'b'"
    ):
        load(path, source_col="from", target_col="b")


def test_short_row_names_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "short.csv", "source,target,type\na,b,USED\nc\n")
    with pytest.raises(
        LoaderError, match=r"short\.csv:3: column 'target' is empty \(the row has 1 of 3"
    ):
        load(path)


def test_unknown_relation_type_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", "source,target,type\na,b,USED\na,b,FUNDED\n")
    with pytest.raises(LoaderError, match=r"u\.csv:3: unknown relation type 'FUNDED'; valid: "):
        load(path)


def test_refused_endpoint_types_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "x.csv", "source,source_type,type,target,target_type\n"
                                    "Israel,Country,DEVELOPED,Pegasus,Product\n")  # fmt: skip
    with pytest.raises(LoaderError, match=r"x\.csv:2: DEVELOPED cannot join Country -> Product"):
        load(path)


def test_entity_table_without_type(tmp_path: Path) -> None:
    path = write(tmp_path, "n.csv", "name,founded\nNSO Group,2010\n")
    with pytest.raises(LoaderError, match=r"n\.csv:2: no entity type"):
        load(path)
    _, facts = load(path, entity_type="Company")
    assert facts[0].type == "Company"


def test_unquoted_wide_table_without_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "wide.csv", "1,2,3,4,5\n6,7,8,9,10\n")
    with pytest.raises(LoaderError, match=r"wide\.csv:1: cannot tell what the columns hold"):
        load(path)


def test_malformed_quotes_name_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", 'source,target\na,b\n"c,d\n')
    with pytest.raises(LoaderError, match=r"q\.csv:3: "):
        load(path)
