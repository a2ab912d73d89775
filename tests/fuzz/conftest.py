"""Property-based fuzzing: hostile values, the load invariant, and Hypothesis profiles.

The invariant (README "A load is one SQLite transaction"): loading any file ends in success or
a CasegraphError with a one-line message, never another exception; a load that fails leaves the
store exactly as it was (counts, revision and content digest), and the file stays undamaged.

The default number of examples keeps the whole tests/fuzz run near a minute;
HYPOTHESIS_PROFILE=thorough tries twenty times as many (CASEGRAPH_FUZZ_SCALE=N: N times).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import CasegraphError
from casegraph.graph.records import LoadSummary
from casegraph.loaders import LoadOptions
from casegraph.pipeline import load_paths
from fuzz.harness import BASE
from tests.security.storecheck import integrity, snapshot

# HYPOTHESIS_PROFILE=thorough (or CASEGRAPH_FUZZ_SCALE=N) tries many more inputs per test.
SCALE = int(os.environ.get("CASEGRAPH_FUZZ_SCALE") or (20 if os.environ.get(
    "HYPOTHESIS_PROFILE") == "thorough" else 1))  # fmt: skip


def fuzz_settings(examples: int) -> settings:
    """Settings of one fuzz test: its number of examples (times SCALE), no deadline."""
    return settings(
        max_examples=examples * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
    )  # fmt: skip


# Strings chosen to break things: markup, Cypher and SQL syntax, escapes, odd Unicode.
NASTY = [
    "", " ", "\t\n", "\x00", "\x7f", "\u2028", "\u2029", "\ufeff", "\ufffd", "\U0001f600",
    "'", '"', "`", "\\", "\\u0060", "%", "_", "[", "]", "{", "}", "{{7*7}}", "{% x %}",
    "</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "' OR 1=1 --",
    "`) DETACH DELETE n //", "*/", "/*", "//", "\u02bc", "\uff07", "ǅ", "İ", "ß", "ﬃ",
    "the ", "'s", "Ltd.", "NSO Group", "nso group", "NSO", "Pegasus", "company:nso-group",
    "Company:NSO Group", ":", "a" * 300, "e\u0301", "\u200b", "\u202e",
]  # fmt: skip
nasty_text = st.one_of(st.sampled_from(NASTY), st.text(max_size=40))
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), nasty_text,
)  # fmt: skip
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(nasty_text, inner, max_size=4)
    ),
    max_leaves=12,
)
ENTITY_TYPES = ["Company", "Person", "Organization", "Product", "Platform", "Country",
                "Lawsuit", "Indicator", "VictimGroup", "Location", "company", "Nope", ""]  # fmt: skip
RELATION_TYPES = ["DEVELOPED", "HIRED", "MENTIONED_WITH", "OWNS", "WORKS_FOR", "BASED_IN",
                  "USED", "mentioned_with", "NOPE", ""]  # fmt: skip


def dumps(value: Any) -> str:
    """JSON text of a value; NaN and huge numbers are written as Python's json writes them."""
    return json.dumps(value, ensure_ascii=False)


def base_store(path: Path) -> Path:
    """A store holding a few well-known entities (NSO Group, Pegasus, ...)."""
    src = path.parent / "base.jsonl"
    src.write_bytes(BASE)
    with SqliteStore(path) as store:
        load_paths(store, [src])
    return path


def check_load(store_path: Path, file: Path, options: LoadOptions | None = None) -> str:
    """Load file; 'ok' or 'refused'. Fails the test on any other exception, on a refused load
    that changed the store, and on a damaged store."""
    before = snapshot(store_path)
    outcome = "ok"
    summary: LoadSummary | None = None
    try:
        with SqliteStore(store_path) as store:
            summary = load_paths(store, [file], options)
    except CasegraphError as e:
        outcome = "refused"
        message = str(e)
        assert message and "\n" not in message.strip(), f"not a one-line message: {message!r}"
        assert "Traceback" not in message
        assert snapshot(store_path) == before, f"a refused load changed the store: {message}"
    assert integrity(store_path) == "ok"
    if summary is not None and summary.documents_new == 0:
        assert snapshot(store_path) == before, "a load that added nothing changed the store"
    return outcome
