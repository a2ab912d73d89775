"""The real articles and public data of ../shared in one case: one entity per actor, no junk
companies from dates or titles, and a review queue that puts planted problems first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from casegraph.queries.review import review_queue
from tests.conftest import needs_shared, shared_or_skip, write_jsonl

pytestmark = needs_shared

DATES = re.compile(
    r"^(mon|tues|wednes|thurs|fri|satur|sun)day$|^(january|february|march|april|may|june|july|"
    r"august|september|october|november|december)$|(dollars?|euros?|pounds?|shekels?|yuan)$",
    re.I,
)


@pytest.fixture(scope="module")
def real_case(tmp_path_factory: pytest.TempPathFactory) -> SqliteStore:
    shared = shared_or_skip()
    folder = tmp_path_factory.mktemp("real")
    store = SqliteStore(folder / "case.db")
    load_paths(store, [shared / "corpus", shared / "data"])
    return store


def test_candiru_is_one_entity_with_its_names(real_case: SqliteStore) -> None:
    firms = [e for e, _ in real_case.search("Candiru") if e.type in ("Company", "Organization")]
    owners = {e.id for e in firms if "candiru" in {n.lower() for n in (e.name, *e.aliases)}}
    assert owners == {"company:candiru"}
    names = {n.lower() for n in real_case.entity("company:candiru").aliases}
    assert {"sourgum", "caramel tsunami"} <= names
    assert not any(e.type == "Person" for e, _ in real_case.search("Candiru"))


def test_no_company_named_after_a_date_a_currency_or_a_title(real_case: SqliteStore) -> None:
    companies = [e for e in real_case.iter_entities() if e.type == "Company"]
    assert [e.name for e in companies if DATES.search(e.name)] == []
    # a title of another report, quoted as a link, is not read as the page's own statements
    titles = {"presidential ambitions", "target mobile devices", "predator - dissident"}
    assert [e.name for e in companies if e.name.lower() in titles] == []


def test_review_puts_planted_problems_in_the_first_ten(
    real_case: SqliteStore, tmp_path: Path
) -> None:
    planted = write_jsonl(tmp_path / "planted.jsonl", [
        {"type": "Person", "name": "Intellexa"},  # a firm of the case, again as a person
        {"type": "Company", "name": "Wednesday"},  # junk
        {"source": "Wednesday", "type": "MENTIONED_WITH", "target": "Intellexa",
         "source_type": "Company", "target_type": "Company", "quote": "On Wednesday, Intellexa."},
    ])  # fmt: skip
    copy = SqliteStore(tmp_path / "copy.db")
    from casegraph.graph.sync import sync

    sync(real_case, copy)
    load_paths(copy, [planted])
    items = review_queue(copy, limit=10)
    kinds = {(i.kind, i.subject) for i in items}
    assert ("junk", "company:wednesday") in kinds
    assert any(
        i.kind == "type-clash" and "person:intellexa" in {i.subject, *i.also} for i in items
    ), [(i.kind, i.subject) for i in items]


def test_a_vendors_triton_is_not_the_ics_malware(real_case: SqliteStore) -> None:
    # Intellexa's listed product "Triton" and the TRITON/TRISIS malware of ATT&CK ICS and the
    # MISP tool galaxy are two things; merged, Intellexa had a cited link to TEMP.Veles
    made = {
        r.other.id for r in real_case.relations_of("company:intellexa") if r.type == "DEVELOPED"
    }
    (actor,) = [e for e, _ in real_case.search("TEMP.Veles") if e.name == "TEMP.Veles"]
    used = {r.other.id for r in real_case.relations_of(actor.id) if r.type == "USED"}
    assert used and not made & used
    assert any(real_case.entity(i).name == "Triton" for i in made)
