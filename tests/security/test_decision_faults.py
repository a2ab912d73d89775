"""A decision is one transaction: killed at any moment, the store is as before or as after."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

from tests.conftest import run_cli, start_cli
from tests.security.storecheck import digest, integrity
from tests.security.test_faults import SEED


def hub_case(path: Path, n: int) -> Path:
    """One hub firm with n people working for it: dropping it rejects n relations."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({"type": "Company", "name": "Hub Firm"}) + "\n")
        for i in range(n):
            fh.write(json.dumps({
                "source": f"Person {i}", "source_type": "Person", "type": "WORKS_FOR",
                "target": "Hub Firm", "quote": f"Person {i} works for Hub Firm.",
            }) + "\n")  # fmt: skip
    return path


def test_a_decision_killed_midway_leaves_the_store_as_before(tmp_path: Path) -> None:
    store = tmp_path / "case.db"
    assert (
        run_cli("--store", str(store), "load", str(hub_case(tmp_path / "h.jsonl", 6_000))).code == 0
    )
    before = digest(store)
    rnd = random.Random(SEED)
    outcomes = set()
    for _ in range(4):
        proc = start_cli("--store", str(store), "drop", "Hub Firm")
        time.sleep(rnd.uniform(0.3, 1.5))  # start-up, reading the 6,000 relations, writing
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        assert integrity(store) == "ok"
        now = digest(store)
        if now != before:  # the kill came after the commit: the decision is whole
            shown = run_cli("--store", str(store), "show", "Hub Firm", "--json").json()
            assert shown["status"] == "dropped"
            assert {r["status"] for r in shown["relations"]} == {"rejected"}
            outcomes.add("after")
            break
        outcomes.add("before")
        decisions = run_cli("--store", str(store), "decisions", "--json").json()
        assert decisions == []
    assert outcomes  # every kill left one of the two whole states
