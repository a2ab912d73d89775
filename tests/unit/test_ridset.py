"""RidSet, the resolver's compact set of relation ids, answers as a plain set of strings."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casegraph.graph.known import RidSet

HEX16 = st.text(alphabet="0123456789abcdef", min_size=16, max_size=16)
# mostly relation ids, a few of other shapes (kept as strings), from a small pool so ids recur
IDS = st.lists(st.one_of(HEX16, HEX16, HEX16, st.text(max_size=17)), min_size=1, max_size=40)


class SmallRidSet(RidSet):
    MERGE = 3  # merged into the sorted array every few ids


@given(batches=st.lists(st.lists(st.integers(0, 39)), max_size=12), pool=IDS)
def test_a_ridset_is_the_set_of_what_was_added(batches: list[list[int]], pool: list[str]) -> None:
    rids, plain = SmallRidSet(), set()
    for batch in batches:
        added = [pool[i % len(pool)] for i in batch]
        rids.update(added)
        plain.update(added)
        assert rids.contains(pool) == [r in plain for r in pool]
        edges = ["0" * 16, "f" * 16]
        assert rids.contains(edges) == [r in plain for r in edges]
    assert len(rids) == len(plain)
