"""Parity: the link questions answered by networkx (embedded) and by Cypher (Neo4j) agree."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from casegraph.backends.neo4j import Neo4jStore
from casegraph.backends.sqlite import SqliteStore
from casegraph.pipeline import load_paths
from casegraph.queries.common import CommonOptions, common
from casegraph.queries.neighbors import NeighborOptions, neighbors
from casegraph.queries.options import PathOptions
from casegraph.queries.paths import find_paths
from tests.conftest import write_jsonl

TYPES = ["Person", "Company", "Organization"]
RELS = ["HIRED", "PART_OF", "MENTIONED_WITH", "DISRUPTED"]


def random_case(seed: int, path: Path) -> tuple[Path, list[str]]:
    """A random typed graph as JSONL; relation types valid for the entity types drawn."""
    rng = random.Random(seed)
    names = [f"E{seed}-{i}" for i in range(rng.randint(8, 16))]
    types = {n: rng.choice(TYPES[1:]) for n in names}  # Company/Organization: every RELS fits
    rows: list[dict] = [{"type": types[n], "name": n} for n in names]  # type: ignore[type-arg]
    for i in range(rng.randint(10, 30)):
        a, b = rng.sample(names, 2)
        rel = rng.choice(RELS)
        if rel == "HIRED" and types[b] != "Company":
            rel = "PART_OF"
        rows.append({"source": a, "type": rel, "target": b, "quote": f"fact {i}: {a} {rel} {b}"})
    return write_jsonl(path, rows), names


def path_set(result) -> set[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return {tuple(n.id for n in p.nodes) for p in result.paths}


def hop_summary(result) -> list[list[tuple[str, str, str, tuple[str, ...]]]]:  # type: ignore[no-untyped-def]
    return [
        [(e.source, e.type, e.target, tuple(ev.quote for ev in e.evidence)) for e in p.edges]
        for p in result.paths
    ]


@pytest.mark.parametrize("seed", range(6))
def test_questions_agree_on_random_graphs(seed: int, neo: Neo4jStore, tmp_path: Path) -> None:
    src, names = random_case(seed, tmp_path / f"case{seed}.jsonl")
    with SqliteStore(tmp_path / "e.db") as emb:
        load_paths(emb, [src])
        load_paths(neo, [src])
        rng = random.Random(seed + 100)
        option_sets = [
            PathOptions(mode="all"),
            PathOptions(mode="all", no_weak=True),
            PathOptions(mode="all", rel_types=("PART_OF", "HIRED")),
            PathOptions(mode="all", directed=True),
            PathOptions(mode="all", via_types=("Company",)),
            PathOptions(mode="shortest"),
            PathOptions(mode="k", k=3),
        ]
        for _ in range(6):
            a, b = rng.sample(names, 2)
            for opts in option_sets:
                mine, theirs = find_paths(emb, a, b, opts), find_paths(neo, a, b, opts)
                assert path_set(mine) == path_set(theirs), (a, b, opts)
                assert [p.length for p in mine.paths] == [p.length for p in theirs.paths]
                if opts.mode == "shortest":  # the same best path, citing the same evidence
                    assert hop_summary(mine) == hop_summary(theirs)
                    assert [p.score for p in mine.paths] == pytest.approx(
                        [p.score for p in theirs.paths]
                    )
            excluded = rng.choice([n for n in names if n not in (a, b)])
            opts = PathOptions(mode="all", exclude=(excluded,))
            assert path_set(find_paths(emb, a, b, opts)) == path_set(find_paths(neo, a, b, opts))
        for name in rng.sample(names, 3):
            for nopts in (NeighborOptions(depth=1), NeighborOptions(depth=2, no_weak=True),
                          NeighborOptions(depth=2, types=("Company",), limit=4)):  # fmt: skip
                mine_n, theirs_n = neighbors(emb, name, nopts), neighbors(neo, name, nopts)
                assert [(n.id, n.degree) for n in mine_n.nodes] == [
                    (n.id, n.degree) for n in theirs_n.nodes
                ]
                assert mine_n.distances == theirs_n.distances
                assert mine_n.omitted == theirs_n.omitted
                assert {(e.source, e.type, e.target) for e in mine_n.edges} == {
                    (e.source, e.type, e.target) for e in theirs_n.edges
                }
        a, b = rng.sample(names, 2)
        for copts in (CommonOptions(depth=1), CommonOptions(depth=2)):
            mine_c, theirs_c = common(emb, [a, b], copts), common(neo, [a, b], copts)
            assert [s.node.id for s in mine_c.shared] == [s.node.id for s in theirs_c.shared]
            assert [[tuple(n.id for n in p.nodes) for p in s.links] for s in mine_c.shared] == [
                [tuple(n.id for n in p.nodes) for p in s.links] for s in theirs_c.shared
            ]


@pytest.mark.parametrize("directed", [False, True])
def test_walk_queries_seek_entities_by_index(neo: Neo4jStore, directed: bool) -> None:
    """Each statement a question walks with starts from index seeks on the entity ids it is
    given: no statement scans all entities, whatever the filters."""
    from casegraph.backends.neo4j import access as walk
    from casegraph.backends.neo4j import cypher as cy

    types = walk.type_expression(frozenset({"HIRED", "PART_OF"}))
    arrows = ("-", "->") if directed else ("-", "-")
    queries = {
        "step": (walk.walk_query(walk.STEP, types=types, left=arrows[0], right=arrows[1]),
                 {"ids": ["a"], "via": ["Company"], "ends": ["a"], "all": False}),
        "hops": (walk.walk_query(walk.HOPS, types=types, left=arrows[0], right=arrows[1]),
                 {"pairs": [["a", "b"]], "all": False}),
        "costs": (cy.with_rtypes(walk.COSTS), {"ids": ["a"]}),
        "nodes": (cy.with_rtypes(walk.NODES), {"ids": ["a"]}),
        "among": (walk.walk_query(walk.AMONG, types=types), {"ids": ["a", "b"], "all": False}),
    }  # fmt: skip
    for name, (query, params) in queries.items():

        def explain(tx, query=query, params=params):  # type: ignore[no-untyped-def]
            return tx.run("EXPLAIN " + query, params).consume().plan

        ops = _operators_from_dict(neo.client.read_tx(explain))
        assert any("IndexSeek" in op for op in ops), (name, ops)
        assert not {"AllNodesScan", "NodeByLabelScan"} & set(ops), (name, ops)


def _operators_from_dict(plan: dict) -> list[str]:  # type: ignore[type-arg]
    return [plan["operatorType"].split("@")[0]] + [
        op for child in plan.get("children", []) for op in _operators_from_dict(child)
    ]
