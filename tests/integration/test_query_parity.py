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
                assert {(e.source, e.type, e.target, tuple(sorted(v.quote for v in e.evidence)))
                        for e in mine_n.edges} == {
                    (e.source, e.type, e.target, tuple(sorted(v.quote for v in e.evidence)))
                    for e in theirs_n.edges
                }  # fmt: skip
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
    from casegraph.graph.access import Step

    w = walk.walk(Step.of(("HIRED", "PART_OF"), directed=directed, via_types=("Company",),
                          ends=("a",)))  # fmt: skip
    queries = {
        "step": (walk.STEP.format(match=w.match), {"ids": ["a"], **w.params}),
        "level": (walk.LEVEL.replace("__MATCH__", w.match),
                  {"frontier": ["a"], "seen": ["a"], "ids": True, "k": 5, **w.params}),
        "hops": (w.fill(walk.HOPS), {"pairs": [["a", "b"]], **w.params}),
        "costs": (walk.COSTS, {"ids": ["a"]}),
        "nodes": (walk.NODES, {"ids": ["a"]}),
        "among": (w.fill(walk.AMONG), {"ids": ["a", "b"], **w.params}),
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


def hub_case(path: Path, seed: int = 3) -> tuple[Path, list[str]]:
    """A case with three hubs that most entities are linked to (never to each other) and sparse
    links among the rest: neighbourhoods overflow any limit, many degrees tie, and two hubs are
    joined by far more shortest paths than a question enumerates (64 for the best path)."""
    rng = random.Random(seed)
    names = [f"H{seed}-{i}" for i in range(240)]
    rows: list[dict] = [{"type": "Company", "name": n} for n in names]  # type: ignore[type-arg]
    rels = ["PART_OF", "MENTIONED_WITH", "HIRED"]
    for i, a in enumerate(names[3:]):
        for hub in names[:3]:
            if rng.random() < 0.7:
                rows.append({"source": a, "type": rng.choice(rels), "target": hub,
                             "quote": f"hub fact {i}"})  # fmt: skip
        b = rng.choice(names[3:])
        if b != a:
            rows.append({"source": a, "type": rng.choice(rels), "target": b, "quote": f"fact {i}"})
    return write_jsonl(path, rows), names


def test_hub_questions_agree(neo: Neo4jStore, tmp_path: Path) -> None:
    """Around hubs and between them: neighbourhoods cut by the limit (with the same omitted
    count), all shortest paths beyond the enumeration cap, the best path and --k 3."""
    src, names = hub_case(tmp_path / "hubs.jsonl")
    with SqliteStore(tmp_path / "e.db") as emb:
        load_paths(emb, [src])
        load_paths(neo, [src])
        hubs = [e.name for e in emb.entities(limit=4)]
        assert emb.stats()["relations"] == neo.stats()["relations"] > 500
        rng = random.Random(5)
        centers = hubs + rng.sample(names, 6)
        for center in centers:
            for nopts in (NeighborOptions(depth=1, limit=7), NeighborOptions(depth=2),
                          NeighborOptions(depth=2, limit=3, no_weak=True),
                          NeighborOptions(depth=3, limit=50, rel_types=("PART_OF", "HIRED"))):  # fmt: skip
                mine, theirs = neighbors(emb, center, nopts), neighbors(neo, center, nopts)
                assert [n.id for n in mine.nodes] == [n.id for n in theirs.nodes], (center, nopts)
                assert mine.omitted == theirs.omitted, (center, nopts)
                assert mine.distances == theirs.distances
                assert {e.id for e in mine.edges} == {e.id for e in theirs.edges}
        big = neighbors(emb, hubs[0], NeighborOptions(depth=2, limit=5))
        assert big.omitted > 100  # the limit really cut the neighbourhood
        many = find_paths(emb, hubs[0], hubs[1], PathOptions(mode="all", limit=10_000))
        assert len(many.paths) > 64  # more shortest paths than the best-path search enumerates
        pairs = [
            (hubs[0], hubs[1]),
            (hubs[1], hubs[2]),
            *[tuple(rng.sample(names, 2)) for _ in range(8)],
        ]
        for a, b in pairs:
            for opts in (PathOptions(), PathOptions(mode="all"), PathOptions(mode="k", k=3),
                         PathOptions(mode="all", no_weak=True, max_hops=3)):  # fmt: skip
                mine_p, theirs_p = find_paths(emb, a, b, opts), find_paths(neo, a, b, opts)
                assert [tuple(n.id for n in p.nodes) for p in mine_p.paths] == [
                    tuple(n.id for n in p.nodes) for p in theirs_p.paths
                ], (a, b, opts)
                assert hop_summary(mine_p) == hop_summary(theirs_p)


def test_the_best_connected_of_a_level_go_by_degree_not_by_mentions(
    neo: Neo4jStore, tmp_path: Path
) -> None:
    """The Neo4j level ranks by stored totals and counts MENTIONS only where they can decide:
    entities named in many documents (a high total) but with few relations must not take the
    place of better connected ones, and ties at the cut stay whole."""
    noisy = [f"Noisy {i}" for i in range(5)]  # 2 relations each, named in 9 documents
    strong = [f"Strong {i}" for i in range(4)]  # 4 relations each, named in 1
    rows: list[dict] = [{"type": "Company", "name": n}  # type: ignore[type-arg]
                        for n in ("C", "L1", "L2", *noisy, *strong)]  # fmt: skip
    rows += [{"type": "Company", "name": f"Leaf {n} {j}"} for n in noisy + strong for j in range(3)]
    for i, n in enumerate(noisy + strong):
        rows.append({"source": n, "type": "PART_OF", "target": f"L{1 + i % 2}", "quote": "q"})
        leaves = 1 if n in noisy else 3
        rows += [{"source": n, "type": "PART_OF", "target": f"Leaf {n} {j}", "quote": "q"}
                 for j in range(leaves)]  # fmt: skip
    rows += [{"source": "C", "type": "PART_OF", "target": t, "quote": "q"} for t in ("L1", "L2")]
    files = [write_jsonl(tmp_path / "main.jsonl", rows)]
    for d in range(8):
        named = [{"type": "Company", "name": n, "quote": f"note {d} names {n}"} for n in noisy]
        files.append(write_jsonl(tmp_path / f"note{d}.jsonl", named))
    with SqliteStore(tmp_path / "e.db") as emb:
        load_paths(emb, files)
        load_paths(neo, files)
        kept: dict[int, set[str]] = {}
        for limit in (3, 4, 5, 6, 8):  # 2 on level 1, then 1 to 6 of level 2
            nopts = NeighborOptions(depth=2, limit=limit)
            mine, theirs = neighbors(emb, "C", nopts), neighbors(neo, "C", nopts)
            assert [n.id for n in mine.nodes] == [n.id for n in theirs.nodes], limit
            assert mine.omitted == theirs.omitted, limit
            kept[limit] = {n.name for n in theirs.nodes} - {"C", "L1", "L2"}
        assert kept[6] == set(strong) and len(kept[8] & set(noisy)) == 2
        count = "MATCH (e:Entity {name: $n}) RETURN COUNT { (e)-[:MENTIONS]-() } AS m"
        by_name = {n: neo.client.read(count, {"n": n})[0]["m"] for n in (noisy[0], strong[0])}
        # so by its total count each noisy entity (2 relations + 8 or more) outranks a strong one
        assert by_name[noisy[0]] >= 8 and by_name[strong[0]] <= 1


def test_evidence_is_read_by_the_type_a_walk_saw(neo: Neo4jStore, tmp_path: Path) -> None:
    """Evidence of the relations a question walked is read by their type; a relation whose
    remembered type is wrong, or that no walk saw, is found all the same."""
    src, names = random_case(3, tmp_path / "case.jsonl")
    load_paths(neo, [src])
    neo.rid_types.clear()
    walked = neighbors(neo, names[0], NeighborOptions(depth=2))
    rids = [e.id for e in walked.edges]
    assert rids and set(rids) <= neo.rid_types.keys()
    asked: list[str] = []
    read = neo.client.read
    neo.client.read = lambda q, p=None, **kw: asked.append(q) or read(q, p, **kw)  # type: ignore[method-assign]
    typed = neo.evidence(rids)
    neo.client.read = read  # type: ignore[method-assign]
    assert not any("UNION ALL" in q for q in asked)  # no rid sought under every type
    neo.rid_types.clear()
    assert neo.evidence(rids) == typed  # every type's index
    for e in walked.edges:
        neo.rid_types[e.id] = "PART_OF" if e.type != "PART_OF" else "HIRED"
    assert neo.evidence(rids) == typed
    assert {e.id: e.evidence for e in walked.edges} == {r: tuple(v) for r, v in typed.items()}


def test_neighbourhood_evidence_comes_with_its_relations(neo: Neo4jStore, tmp_path: Path) -> None:
    """A neighbourhood's evidence is read with its relations, not sought again by rid; what was
    read is not kept past the question, so evidence added later is seen."""
    src, names = random_case(4, tmp_path / "case.jsonl")
    load_paths(neo, [src])
    asked: list[str] = []
    read = neo.client.read
    neo.client.read = lambda q, p=None, **kw: asked.append(q) or read(q, p, **kw)  # type: ignore[method-assign]
    try:
        walked = neighbors(neo, names[0], NeighborOptions(depth=2))
    finally:
        neo.client.read = read  # type: ignore[method-assign]
    assert walked.edges
    assert not any("rid: want" in q for q in asked)  # no relation found again by its rid
    assert not neo.read_ahead
    assert {e.id: e.evidence for e in walked.edges} == {
        r: tuple(v) for r, v in neo.evidence(e.id for e in walked.edges).items()
    }
    edge = walked.edges[0]
    source, target = (
        next(n.name for n in walked.nodes if n.id == i) for i in (edge.source, edge.target)
    )
    more = write_jsonl(tmp_path / "more.jsonl",
                       [{"source": source, "type": edge.type, "target": target,
                         "quote": "a later quote"}])  # fmt: skip
    load_paths(neo, [more])
    assert "a later quote" in {v.quote for v in neo.evidence([edge.id])[edge.id]}
    again = neighbors(neo, names[0], NeighborOptions(depth=2))
    quotes = {v.quote for e in again.edges if e.id == edge.id for v in e.evidence}
    assert "a later quote" in quotes
