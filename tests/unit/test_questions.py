"""neighbors, common and explain on a small case of our own: order, limits, filters, the brief."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import UsageError
from casegraph.graph import decisions
from casegraph.pipeline import load_paths
from casegraph.queries.common import common
from casegraph.queries.explain import explain
from casegraph.queries.neighbors import neighbors
from casegraph.queries.options import CommonOptions, NeighborOptions, PathOptions
from casegraph.views.markdown import brief
from tests.conftest import write_jsonl

# Hub Holdings owns three firms; Alpha and Beta both hired Ann; Ann works for Gamma, which is
# based in Freedonia; Alpha and Beta are weakly linked; a stray entity knows nobody.
ROWS = [
    {"type": "Company", "name": "Hub Holdings"},
    {"type": "Company", "name": "Alpha"},
    {"type": "Company", "name": "Beta"},
    {"type": "Company", "name": "Gamma"},
    {"type": "Person", "name": "Ann Example"},
    {"type": "Country", "name": "Freedonia"},
    {"type": "Company", "name": "Stray Ltd"},
    {"source": "Hub Holdings", "type": "OWNS", "target": "Alpha", "quote": "Hub owns Alpha."},
    {"source": "Hub Holdings", "type": "OWNS", "target": "Beta", "quote": "Hub owns Beta."},
    {"source": "Hub Holdings", "type": "OWNS", "target": "Gamma", "quote": "Hub owns Gamma."},
    {"source": "Alpha", "type": "HIRED", "target": "Ann Example", "quote": "Alpha hired Ann."},
    {"source": "Beta", "type": "HIRED", "target": "Ann Example", "quote": "Beta hired Ann."},
    {"source": "Beta", "type": "HIRED", "target": "Ann Example", "quote": "Ann joined [Beta]*."},
    {"source": "Beta", "type": "HIRED", "target": "Ann Example", "quote": "Beta took Ann on."},
    {"source": "Ann Example", "type": "WORKS_FOR", "target": "Gamma", "quote": "Ann works at Gamma."},
    {"source": "Gamma", "type": "BASED_IN", "target": "Freedonia", "quote": "Gamma, of Freedonia."},
    {"source": "Alpha", "type": "MENTIONED_WITH", "target": "Beta", "quote": "Alpha and Beta."},
]  # fmt: skip


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    with SqliteStore(tmp_path / "q.db") as s:
        load_paths(s, [write_jsonl(tmp_path / "case.jsonl", ROWS)])
        yield s


def names(sub) -> list[str]:  # type: ignore[no-untyped-def]
    return [n.name for n in sub.nodes]


def test_neighbors_nearest_first_then_best_connected(store: SqliteStore) -> None:
    sub = neighbors(store, "Alpha", NeighborOptions(depth=2))
    assert sub.nodes[0].name == "Alpha" and sub.centers == ("company:alpha",)
    first = [n.name for n in sub.nodes if sub.distances[n.id] == 1]
    assert first == ["Ann Example", "Beta", "Hub Holdings"]  # all of degree 3: by name
    assert set(names(sub)) == {"Alpha", "Hub Holdings", "Beta", "Ann Example", "Gamma"}
    assert "Stray Ltd" not in names(sub) and sub.omitted == 0


def test_neighbors_limit_counts_what_is_left_out(store: SqliteStore) -> None:
    sub = neighbors(store, "Alpha", NeighborOptions(depth=2, limit=2))
    assert len(sub.nodes) == 3 and sub.omitted == 2
    assert all(sub.distances[n.id] <= 1 for n in sub.nodes)
    kept = {n.id for n in sub.nodes}
    assert all(e.source in kept and e.target in kept for e in sub.edges)


def test_neighbors_filters(store: SqliteStore) -> None:
    assert names(neighbors(store, "Alpha", NeighborOptions(no_weak=True)))[1:] == [
        "Ann Example", "Hub Holdings"]  # fmt: skip
    only_people = neighbors(store, "Alpha", NeighborOptions(depth=2, types=("Person",)))
    assert names(only_people) == ["Alpha", "Ann Example"]
    owned = neighbors(store, "Hub Holdings", NeighborOptions(rel_types=("owns",)))
    assert set(names(owned)) == {"Hub Holdings", "Alpha", "Beta", "Gamma"}
    assert {e.type for e in owned.edges} == {"OWNS"}
    with pytest.raises(UsageError, match="--depth must be a whole number from 1 to 4"):
        neighbors(store, "Alpha", NeighborOptions(depth=5))


def test_neighbors_carry_evidence_and_aliases(store: SqliteStore) -> None:
    decisions.alias(store, "Alpha", "Alpha Corp")
    sub = neighbors(store, "Alpha")
    assert sub.nodes[0].aliases == ("Alpha Corp",)
    hired = next(e for e in sub.edges if e.type == "HIRED")
    assert [ev.quote for ev in hired.evidence] == ["Alpha hired Ann."]


def test_common_closest_and_most_specific_first(store: SqliteStore) -> None:
    result = common(store, ["Alpha", "Beta"])
    assert [s.node.name for s in result.shared] == ["Ann Example", "Hub Holdings"]
    ann = result.shared[0]
    assert [(p.nodes[0].name, p.nodes[-1].name, p.length) for p in ann.links] == [
        ("Alpha", "Ann Example", 1), ("Beta", "Ann Example", 1)]  # fmt: skip
    assert [ev.quote for ev in ann.links[1].edges[0].evidence] == [
        "Beta hired Ann.", "Ann joined [Beta]*.", "Beta took Ann on."]  # by line  # fmt: skip
    deeper = common(store, ["Alpha", "Freedonia"], CommonOptions(depth=2))
    # all three at a total distance of 3 and of degree 3: by name
    assert [s.node.name for s in deeper.shared] == ["Ann Example", "Gamma", "Hub Holdings"]


def test_common_refuses_what_is_not_a_question(store: SqliteStore) -> None:
    with pytest.raises(UsageError, match="at least two entities"):
        common(store, ["Alpha"])
    with pytest.raises(UsageError, match="named twice"):
        common(store, ["Alpha", "company:alpha"])
    assert common(store, ["Alpha", "Stray Ltd"]).shared == ()


def test_explain_gives_the_k_best_paths_and_a_quoted_brief(store: SqliteStore) -> None:
    result = explain(store, "Alpha", "Freedonia")
    assert [p.length for p in result.paths] == [3, 3, 4]
    assert [n.name for n in result.paths[0].nodes] == ["Alpha", "Ann Example", "Gamma", "Freedonia"]
    text = brief(result)
    assert text.startswith("# How is Alpha connected to Freedonia?")
    assert "“Gamma, of Freedonia.”" in text
    assert "**Gamma** -\\[BASED\\_IN\\]-\\> **Freedonia**" in text  # Markdown specials escaped
    beta = explain(store, "Beta", "Ann Example", PathOptions(mode="shortest", no_weak=True))
    text = brief(beta)
    assert "Ann joined \\[Beta\\]\\*." in text and "and 1 more source\n" in text
    lonely = brief(explain(store, "Alpha", "Stray Ltd"))
    assert "No path joins Alpha (Company) and Stray Ltd (Company)" in lonely
