"""Leaf clusters of HTML views, and how they count toward the drawing's limits."""

from __future__ import annotations

from pathlib import Path

from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from casegraph.queries.overview import DrawFilters, drawing
from casegraph.queries.results import Edge, Node
from casegraph.views.html import page_data
from casegraph.views.html_cluster import CLUSTER_MIN, leaf_groups, plural
from tests.conftest import write_jsonl
from tests.e2e.test_html_browser import INDICATORS, hub_rows


def test_plural_names_of_types() -> None:
    assert [plural(t, 2) for t in ("Indicator", "Country", "Company", "VictimGroup")] == [
        "indicators", "countries", "companies", "victimgroups"]  # fmt: skip
    assert plural("Indicator", 1) == "indicator"


def test_leaves_of_one_hub_collapse_from_the_threshold_up() -> None:
    hub = Node("h", "Hub", "Product")
    other = Node("o", "Other", "Company")
    leaves = [Node(f"l{i}", f"L{i}", "Indicator") for i in range(CLUSTER_MIN)]
    nodes = {n.id: n for n in [hub, other, *leaves]}
    edges = [Edge(f"e{i}", n.id, "h", "INDICATES") for i, n in enumerate(leaves)]
    edges.append(Edge("x", "o", "h", "DEVELOPED"))
    groups = leaf_groups(nodes, edges, keep=set())
    assert set(groups) == {n.id for n in leaves}  # one Company leaf is not a cluster
    assert all(groups[n.id] == ("h", "Indicator") for n in leaves)
    assert leaf_groups(nodes, edges[1:], keep=set()) == {}  # one short of the threshold
    assert leaf_groups(nodes, edges, keep={"l0"}) == {}  # an asked entity never collapses


def test_leaves_count_once_toward_the_limit(tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "hub.jsonl", hub_rows())
    with SqliteStore(tmp_path / "s.db") as s:
        load_paths(s, [src])
        sub = drawing(s, entity="NSO Group", depth=2, limit=12)
        assert sub.omitted == 0 and len(sub.nodes) == INDICATORS + 9
        small = drawing(s, entity="NSO Group", depth=2, limit=3)
        assert small.omitted > 0 and len(small.nodes) < 10
        no_leaves = drawing(s, entity="NSO Group", depth=2,
                            filters=DrawFilters(types=("Company", "Person", "Product")))  # fmt: skip
        assert {n.type for n in no_leaves.nodes} == {"Company", "Person", "Product"}
    data = page_data(sub, title="t", max_nodes=12)
    assert data["counts"]["clusters"] == 1 and data["counts"]["collapsed"] == INDICATORS
    assert data["counts"]["cuts"] == []
    capped = page_data(sub, title="t", max_nodes=5, cut_by="--limit 12")
    assert capped["counts"]["cuts"] == [{"count": capped["counts"]["omitted"],
                                         "by": "--max-nodes 5"}]  # fmt: skip
