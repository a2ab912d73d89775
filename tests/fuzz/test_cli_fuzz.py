"""Fuzzing the command line: any ENTITY argument and option values end in a documented exit
code with a message, never a traceback or an internal error (exit 70)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import run_cli
from tests.fuzz.cli_helpers import run_in_process
from tests.fuzz.conftest import ENTITY_TYPES, NASTY, RELATION_TYPES, base_store, fuzz_settings

DOCUMENTED = {0, 1, 2, 3}
entity = st.one_of(
    st.sampled_from(["NSO Group", "nso", "company:nso-group", "Company:NSO Group",
                     "product:Pegasus", "PEGASUS", " Pegasus ", "Black Cube", "nope"]),
    st.sampled_from(NASTY),
    st.builds(lambda t, n: f"{t}:{n}", st.sampled_from(ENTITY_TYPES), st.sampled_from(NASTY)),
    st.text(max_size=20),
)  # fmt: skip
number = st.one_of(
    st.integers(-3, 12).map(str),
    st.sampled_from(["", "x", "1.5", "1e9", "-0", "99999999999999999999"]),
)
type_value = st.one_of(st.sampled_from(ENTITY_TYPES + RELATION_TYPES), st.sampled_from(NASTY))


@st.composite
def command(draw: st.DrawFn) -> list[str]:
    which = draw(
        st.sampled_from(
            [
                "show",
                "path",
                "neighbors",
                "common",
                "explain",
                "search",
                "entities",
                "alias",
                "export",
                "stats",
                "sources",
                "load",
            ]
        )
    )
    args = [which]
    if which in ("show", "neighbors", "search", "alias"):
        args.append(draw(entity))
    if which in ("path", "explain", "alias"):
        args += [draw(entity), draw(entity)] if which != "alias" else [draw(entity)]
    if which == "common":
        args += draw(st.lists(entity, min_size=0, max_size=3))
    if which == "export":
        args += ["OUT", "--format", draw(st.sampled_from(["json", "html", "cypher", "csv", "x"]))]
        if draw(st.booleans()):
            args += ["--entity", draw(entity)]
    if which == "load":
        args += [draw(st.sampled_from(["MISSING", "OUT"]))]
    options = {
        "path": ["--max-hops", "--k", "--limit", "--rel", "--via-type", "--exclude", "--all",
                 "--directed", "--no-weak"],
        "neighbors": ["--depth", "--type", "--rel", "--limit", "--no-weak"],
        "common": ["--depth", "--rel", "--limit"],
        "explain": ["--k", "--max-hops"],
        "entities": ["--type", "--limit"],
        "search": ["--limit"],
        "export": ["--depth", "--max-nodes"],
        "load": ["--format", "--type", "--entity-type", "--delimiter", "--encoding"],
    }.get(which, [])  # fmt: skip
    for option in draw(st.lists(st.sampled_from(options), max_size=3)) if options else []:
        if option in ("--all", "--directed", "--no-weak"):
            args.append(option)
        elif option in ("--rel", "--type", "--via-type", "--entity-type", "--format"):
            args += [option, draw(type_value)]
        elif option in ("--exclude", "--delimiter", "--encoding"):
            args += [option, draw(entity)]
        else:
            args += [option, draw(number)]
    if draw(st.booleans()):
        args.append("--json")
    return args


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_store(tmp_path_factory.mktemp("cli") / "s.db")


@fuzz_settings(200)
@given(args=command())
def test_any_command_line_ends_in_a_documented_exit_code(store_path: Path, args: list[str]) -> None:
    args = [str(store_path.parent / "out.json") if a == "OUT" else a for a in args]
    args = [str(store_path.parent / "missing") if a == "MISSING" else a for a in args]
    code, _, stderr = run_in_process(["--store", str(store_path), *args])
    assert code in DOCUMENTED, f"exit {code}: {stderr}"
    assert "Traceback" not in stderr and "internal error" not in stderr
    if code in (2, 3):
        assert stderr.strip(), "an error exit without a message"


@fuzz_settings(40)
@given(store=st.one_of(st.sampled_from(NASTY), st.text(max_size=10)),
       cmd=st.sampled_from(["stats", "entities", "sources"]))  # fmt: skip
def test_any_store_path_ends_in_a_documented_exit_code(
    tmp_path_factory: pytest.TempPathFactory, store: str, cmd: str
) -> None:
    base = tmp_path_factory.getbasetemp()
    code, _, stderr = run_in_process(["--store", str(base / "stores" / store), cmd])
    assert code in DOCUMENTED and "Traceback" not in stderr, (code, stderr)


@pytest.mark.parametrize("args", [
    ["show", "<script>alert(1)</script>"],
    ["path", "NSO Group", "`) MATCH (n) DETACH DELETE n //", "--rel", "HIRED`]->() //"],
    ["neighbors", "nso", "--depth", "99999999999999999999999"],
    ["search", "%_\\'"],
    ["common", "NSO Group"],
])  # fmt: skip
def test_hostile_arguments_in_a_real_process(store_path: Path, args: list[str]) -> None:
    proc = run_cli("--store", str(store_path), *args)
    assert proc.code in DOCUMENTED, proc.stderr
    assert "Traceback" not in proc.stderr
    if proc.code in (2, 3):
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
