"""Rough edges a new user met on a fresh clone, each kept from coming back (issue 11, parts 5-6)."""

from __future__ import annotations

import errno
import importlib.metadata
import json
import os
from pathlib import Path

import pytest

from casegraph.backends.sqlite import SqliteStore
from casegraph.errors import LoaderError
from casegraph.pipeline import load_paths
from tests.conftest import ROOT, run_cli, write_jsonl

LONG = ("NSO Group, the spyware vendor behind Pegasus, was sued by Meta's WhatsApp in a federal "
        "court in California over attacks through its video calling system.")  # fmt: skip
ROWS = [
    {"type": "Company", "name": "NSO Group", "id": "nso"},
    {"type": "Platform", "name": "WhatsApp"},
    {"type": "Product", "name": "Pegasus"},
    {"type": "Company", "name": "Meta"},
    {"type": "Company", "name": "WhatsApp"},  # a firm of the same name as the platform
    {"source": "NSO Group", "type": "DEVELOPED", "target": "Pegasus", "quote": LONG},
    {"source": "Meta", "type": "OWNS", "target": "WhatsApp", "target_type": "Platform",
     "quote": "Meta owns WhatsApp."},
    {"source": "NSO Group", "type": "MENTIONED_WITH", "target": "Meta", "quote": LONG},
]  # fmt: skip


@pytest.fixture
def case(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = tmp_path / "case.db"
    loaded = run_cli("--store", str(store), "load", str(write_jsonl(tmp_path / "c.jsonl", ROWS)))
    assert loaded.code == 0, loaded.stderr

    def run(*args: str):  # type: ignore[no-untyped-def]
        return run_cli("--store", str(store), *args)

    return run


def test_a_name_of_several_entities_answers_and_says_which_others_exist(case) -> None:  # type: ignore[no-untyped-def]
    shown = case("show", "WhatsApp", "--json")
    assert shown.code == 0, shown.stderr
    data = shown.json()
    assert data["id"] == "platform:whatsapp"  # the one with a relation
    assert data["also"] == [{"id": "company:whatsapp", "name": "WhatsApp", "type": "Company"}]
    assert "note: 'WhatsApp' names 2 entities; answered for Platform:WhatsApp" in shown.stderr
    assert "Company:WhatsApp (company:whatsapp)" in shown.stderr
    plain = case("show", "Pegasus")
    assert plain.code == 0 and plain.stderr == ""


def test_a_folder_file_that_cannot_be_read_is_reported_as_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", ROWS[:1])
    write_jsonl(folder / "b.jsonl", ROWS[1:2])
    import casegraph.loaders as loaders

    real = loaders.read_head

    def denied(path: Path) -> bytes:  # as if the file were mode 000 for a user who is not root
        if path.name == "b.jsonl":
            error = PermissionError(errno.EACCES, "Permission denied")
            raise LoaderError(f"cannot read: {error.strerror}", path=str(path)) from error
        return real(path)

    monkeypatch.setattr(loaders, "read_head", denied)
    with SqliteStore(tmp_path / "s.db") as store:
        summary = load_paths(store, [folder])
    assert [(Path(e["path"]).name, e["reason"]) for e in summary.errors] == [
        ("b.jsonl", "cannot read: Permission denied")
    ]
    assert not any("unrecognised" in r for r in summary.skipped)


def test_a_named_pipe_is_named_as_such(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.jsonl"
    os.mkfifo(pipe)
    result = run_cli("--store", str(tmp_path / "s.db"), "load", str(pipe))
    assert result.code == 2
    assert (
        result.stderr == f"error: {pipe}: a named pipe, not a file casegraph can read\n"
    )  # before any file
    assert not (tmp_path / "s.db").exists()  # a first load that fails leaves no store behind


def test_csv_export_says_which_files_it_wrote(case, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = case("export", str(tmp_path / "csvdir"), "--format", "csv")
    nodes, rels = tmp_path / "csvdir_nodes.csv", tmp_path / "csvdir_relationships.csv"
    assert result.code == 0 and nodes.is_file() and rels.is_file()
    assert result.stdout == f"wrote 5 nodes and 3 edges to {nodes} and {rels}\n"
    as_json = case("export", str(tmp_path / "again"), "--format", "csv", "--json").json()
    assert as_json["files"] == [str(tmp_path / "again_nodes.csv"),
                                str(tmp_path / "again_relationships.csv")]  # fmt: skip


def test_undirected_links_read_undirected_in_one_group(case) -> None:  # type: ignore[no-untyped-def]
    shown = case("show", "NSO Group").stdout
    assert "-[MENTIONED_WITH]- (1)" in shown
    assert "-[MENTIONED_WITH]->" not in shown and "<-[MENTIONED_WITH]-" not in shown
    around = case("neighbors", "Meta").stdout
    assert "-[MENTIONED_WITH]-" in around and "-[MENTIONED_WITH]->" not in around
    assert "Meta -[OWNS]-> WhatsApp" in around


def test_a_search_without_a_match_says_so_on_stderr(case) -> None:  # type: ignore[no-untyped-def]
    result = case("search", "zzzzqqq")
    assert (result.code, result.stdout) == (1, "")
    assert result.stderr == "no entity matches 'zzzzqqq'\n"
    no_path = case("path", "Pegasus", "company:whatsapp")
    assert no_path.code == 1 and "no path joins 'Pegasus' and 'WhatsApp'" in no_path.stderr


def test_output_that_is_not_a_terminal_is_never_wrapped(case) -> None:  # type: ignore[no-untyped-def]
    shown = case("show", "Pegasus").stdout
    assert any(LONG in line for line in shown.splitlines()), shown
    table = case("entities").stdout
    assert any("NSO Group" in line for line in table.splitlines())


def test_a_bad_line_is_named_once(tmp_path: Path) -> None:
    bad = write_jsonl(tmp_path / "bad.jsonl", [
        {"type": "Company", "name": "A"}, {"source": "A", "type": "HIRRED", "target": "A"},
    ])  # fmt: skip
    result = run_cli("--store", str(tmp_path / "s.db"), "load", str(bad))
    assert result.code == 2
    (error,) = [line for line in result.stderr.splitlines() if not line.startswith("loading ")]
    assert error.startswith(f"error: {bad}:2: unknown relation type 'HIRRED'")
    assert "line 2" not in error


@pytest.mark.parametrize("where", ["store", "name"])
def test_a_nul_byte_passed_in_process_is_bad_input_and_touches_nothing(
    tmp_path: Path, where: str
) -> None:
    from tests.fuzz.cli_helpers import run_in_process

    store = tmp_path / ("s\x00.db" if where == "store" else "s.db")
    argv = ["--store", str(store), *(["stats"] if where == "store" else ["show", "A\x00B"])]
    code, out, err = run_in_process(argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: argument ") and "NUL byte" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_help_reads_plainly() -> None:
    path_help = run_cli("path", "--help").stdout
    assert "casegraph path [OPTIONS] A B" in path_help
    for placeholder in ("{", "<bool>", "<list[str]>", "<str>"):
        assert placeholder not in path_help, placeholder
    assert "A B [C...]" in run_cli("common", "--help").stdout
    assert "PATH..." in run_cli("load", "--help").stdout
    main_help = run_cli("--help").stdout
    assert "Embedded store file (env CASEGRAPH_STORE; default" in main_help
    assert "store file ." not in main_help and "URI ;" not in main_help
    load_help = run_cli("load", "--help").stdout
    assert "misp" in load_help and "indicators" in load_help


def test_installing_casegraph_asks_for_no_extra_that_does_not_exist() -> None:
    """jusText (under trafilatura) asks for lxml[html_clean]: the lxml installed must offer it."""
    wanted = [r for r in importlib.metadata.requires("justext") or () if r.startswith("lxml")]
    assert any("html_clean" in r for r in wanted), wanted
    extras = importlib.metadata.metadata("lxml").get_all("Provides-Extra") or []
    assert {"html-clean", "html_clean"} & set(extras), extras


def test_the_demo_view_is_ignored_and_the_readme_tour_works_on_the_demo(tmp_path: Path) -> None:
    assert "casegraph-demo.html" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    store = tmp_path / "demo.db"
    assert run_cli("--store", str(store), "demo").code == 0
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in ('casegraph merge activists "human rights activists"',
                 'casegraph path "Harvey Weinstein" Israel --k 3 --via-type Company --rel HIRED '
                 "--rel BASED_IN --directed"):  # fmt: skip
        assert line in readme
    merged = run_cli("--store", str(store), "merge", "activists", "human rights activists")
    assert merged.code == 0, merged.stderr
    path = run_cli("--store", str(store), "path", "Harvey Weinstein", "Israel", "--k", "3",
                   "--via-type", "Company", "--rel", "HIRED", "--rel", "BASED_IN", "--directed",
                   "--json")  # fmt: skip
    assert path.code == 0 and path.json()["paths"][0]["nodes"][1]["name"] == "Black Cube"


def test_a_load_says_one_line_per_file_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", ROWS[:1])
    b = write_jsonl(tmp_path / "b.jsonl", ROWS[1:2])
    result = run_cli("--store", str(tmp_path / "s.db"), "load", str(a), str(b), "--json")
    assert result.code == 0
    lines = result.stderr.splitlines()
    assert [line.split(" (")[0] for line in lines] == ["loading 1/2", "loading 2/2"]
    assert lines[0].endswith(str(a)) and lines[1].endswith(str(b))
    assert json.loads(result.stdout)["documents_new"] == 2
