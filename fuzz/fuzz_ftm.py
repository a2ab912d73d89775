"""atheris harness: arbitrary bytes through the ftm loader into a store (see fuzz/harness.py).

Run: .venv/bin/python fuzz/fuzz_ftm.py fuzz/corpus/ftm -max_total_time=60  (or scripts/fuzz)
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

with atheris.instrument_imports(include=["casegraph"]):
    from fuzz.harness import Harness

HARNESS = Harness()


def test_one_input(data: bytes) -> None:
    HARNESS.check("ftm", data)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
