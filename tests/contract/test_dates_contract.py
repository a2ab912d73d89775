"""Dates on both backends: evidence carries its date, date windows narrow walks alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.dates import window
from casegraph.graph.store import Store
from casegraph.pipeline import load_paths
from casegraph.queries.neighbors import neighbors
from casegraph.queries.options import NeighborOptions, PathOptions
from casegraph.queries.paths import find_paths
from tests.conftest import write_jsonl

# A small case of our own writing with known dates: A-B in 2019, B-C in 2021 (and undated),
# A-D undated, D-C in 2021.
ROWS = [
    {"type": "Company", "name": "Alpha"},
    {"type": "Company", "name": "Bravo"},
    {"type": "Company", "name": "Charlie"},
    {"type": "Company", "name": "Delta"},
    {"source": "Alpha", "type": "OWNS", "target": "Bravo", "quote": "Alpha bought Bravo.",
     "date": "2019-05-01"},
    {"source": "Bravo", "type": "OWNS", "target": "Charlie", "quote": "Bravo owns Charlie.",
     "date": "2021-02-03"},
    {"source": "Bravo", "type": "OWNS", "target": "Charlie", "quote": "Bravo still owns it."},
    {"source": "Alpha", "type": "OWNS", "target": "Delta", "quote": "Alpha owns Delta."},
    {"source": "Delta", "type": "OWNS", "target": "Charlie", "quote": "Delta owns Charlie.",
     "date": "2021-11-30"},
]  # fmt: skip


@pytest.fixture
def dated(store: Store, tmp_path: Path) -> Store:
    load_paths(store, [write_jsonl(tmp_path / "case.jsonl", ROWS)])
    return store


def test_evidence_keeps_its_date(dated: Store) -> None:
    (rel,) = [r for r in dated.relations_of("company:charlie") if r.other.name == "Bravo"]
    assert sorted((e.quote, e.date) for e in rel.evidence) == [
        ("Bravo owns Charlie.", "2021-02-03"),
        ("Bravo still owns it.", None),
    ]


def _path(store: Store, since: str | None, until: str | None) -> list[list[str]]:
    opts = PathOptions(mode="all", window=window(since, until))
    return [[n.name for n in p.nodes] for p in find_paths(store, "Alpha", "Charlie", opts).paths]


def test_path_without_window_uses_every_hop(dated: Store) -> None:
    assert sorted(_path(dated, None, None)) == [
        ["Alpha", "Bravo", "Charlie"],
        ["Alpha", "Delta", "Charlie"],
    ]


def test_window_drops_hops_without_dated_evidence(dated: Store) -> None:
    # 2019-2021: A-B (2019) and B-C (2021) are dated in it; A-D is undated, so not used
    assert _path(dated, "2019", "2021") == [["Alpha", "Bravo", "Charlie"]]
    # 2021 alone: A-B is out, A-D undated: no path
    assert _path(dated, "2021", None) == []
    # until 2020: B-C's only dated item is 2021: no path
    assert _path(dated, None, "2020-12-31") == []


def test_window_keeps_only_evidence_in_it(dated: Store) -> None:
    opts = PathOptions(mode="all", window=window("2019", "2021"))
    (path,) = find_paths(dated, "Alpha", "Charlie", opts).paths
    quotes = [[e.quote for e in edge.evidence] for edge in path.edges]
    assert quotes == [["Alpha bought Bravo."], ["Bravo owns Charlie."]]


def test_neighbors_in_a_window(dated: Store) -> None:
    names = {n.name for n in neighbors(dated, "Charlie", NeighborOptions(depth=1)).nodes}
    assert names == {"Charlie", "Bravo", "Delta"}
    sub = neighbors(dated, "Charlie", NeighborOptions(depth=1, window=window("2021-06", "2021")))
    assert {n.name for n in sub.nodes} == {"Charlie", "Delta"}
    assert [e.evidence[0].quote for e in sub.edges] == ["Delta owns Charlie."]


def test_rejected_evidence_does_not_date_a_hop(dated: Store) -> None:
    from casegraph.graph import decisions

    (rel,) = [r for r in dated.relations_of("company:delta") if r.other.name == "Charlie"]
    decisions.reject(dated, rel.evidence[0].id, why="misread")
    assert _path(dated, "2021", "2021") == []


@pytest.mark.needs_shared
def test_real_stix_bundle_dates_its_evidence(store: Store, shared: Path) -> None:
    import json

    from casegraph.queries.timeline import timeline

    bundle = shared / "data" / "amnesty_investigations" / "2021-12-16_cytrox" / "cytrox.stix2"
    objects = json.loads(bundle.read_text(encoding="utf-8"))["objects"]
    stated = {o["id"]: (o.get("modified") or o["created"])[:10] for o in objects}
    load_paths(store, [bundle])
    dated = 0
    for rid, *_ in store.iter_relations():
        for ev in store.evidence([rid])[rid]:
            assert ev.locator in stated and ev.date == stated[ev.locator], ev
            dated += 1
    assert dated > 0
    from collections import Counter

    ends = Counter(end for _, s, _, o, _ in store.iter_relations() for end in (s, o))
    subject = ends.most_common(1)[0][0]  # what the bundle's indicators indicate (Predator)
    line = timeline(store, subject)
    assert line.dated and not line.undated
    assert [m.date for m in line.dated] == sorted(m.date for m in line.dated)
    first = min(m.date for m in line.dated if m.date)
    before = window(until=str(int(first[:4]) - 1))
    assert neighbors(store, subject, NeighborOptions(window=before)).edges == ()
    assert neighbors(store, subject, NeighborOptions(window=window(since=first))).edges
