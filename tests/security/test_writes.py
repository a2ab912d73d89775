"""Every file casegraph writes goes through casegraph.safefile: no other module of the package
opens a file for writing, renames, links or changes the mode of one (a scan of the source).

safefile makes its temporary files with O_EXCL | O_NOFOLLOW under a random name beside the
target and renames them, so a planted file or link is never written through; a write anywhere
else would bypass that. The store file itself is written by SQLite, opened in one module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "casegraph"
# The one module that writes files.
WRITER = "casegraph/safefile.py"
# The modules that open a SQLite file (the store; a check reads it only).
SQLITE_OPENERS = {"casegraph/backends/sqlite/connection.py", "casegraph/backends/sqlite/check.py"}

# Methods that write, whatever object they are called on (pathlib's, mostly).
WRITE_METHODS = {"write_text", "write_bytes", "touch", "symlink_to", "hardlink_to", "link_to",
                 "chmod", "lchmod", "rename"}  # fmt: skip
# Module functions that write or bypass safefile.
WRITE_FUNCTIONS = {
    "os": {"open", "fdopen", "replace", "rename", "renames", "link", "symlink", "chmod", "lchmod",
           "fchmod", "chown", "truncate", "ftruncate", "write", "mkfifo", "mknod", "utime"},
    "shutil": {"copy", "copy2", "copyfile", "copyfileobj", "copytree", "move", "copymode",
               "copystat"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile",
                 "SpooledTemporaryFile", "TemporaryDirectory"},
    "pickle": {"dump"}, "json": {"dump"}, "marshal": {"dump"}, "io": {"open"},
    "sqlite3": {"connect"},
}  # fmt: skip


def _mode(call: ast.Call, position: int) -> str | None:
    """The mode argument of an open() call when it is a literal ('r' when absent)."""
    for keyword in call.keywords:
        if keyword.arg == "mode":
            value = keyword.value
            return (
                value.value
                if isinstance(value, ast.Constant) and isinstance(value.value, str)
                else "?"
            )
    if len(call.args) > position:
        value = call.args[position]
        return (
            value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else "?"
        )
    return "r"


def _in_memory(call: ast.Call) -> bool:
    """sqlite3.connect(":memory:"): a database that is no file."""
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant) and first.value == ":memory:"


def writes(source: str, name: str) -> list[str]:
    """'FILE:LINE: what' for each write in the source that does not go through safefile."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        what = None
        if isinstance(func, ast.Name) and func.id == "open":
            mode = _mode(node, 1)
            if mode is None or any(c in mode for c in "wax+?"):
                what = f"open(..., {mode!r})"
        elif isinstance(func, ast.Attribute):
            owner = func.value.id if isinstance(func.value, ast.Name) else None
            if owner in WRITE_FUNCTIONS and func.attr in WRITE_FUNCTIONS[owner]:
                if not (owner == "sqlite3" and (name in SQLITE_OPENERS or _in_memory(node))):
                    what = f"{owner}.{func.attr}()"
            elif func.attr in WRITE_METHODS:
                what = f".{func.attr}()"
            elif func.attr == "open" and owner not in WRITE_FUNCTIONS:  # Path.open(mode)
                mode = _mode(node, 0)
                if mode is None or any(c in mode for c in "wax+?"):
                    what = f".open({mode!r})"
        if what:
            found.append(f"{name}:{node.lineno}: {what}")
    return found


def package_writes() -> list[str]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE.parent).as_posix()
        if name != WRITER:
            found += writes(path.read_text(encoding="utf-8"), name)
    return found


def test_no_module_but_safefile_writes_a_file() -> None:
    assert package_writes() == []


@pytest.mark.parametrize("code", [
    "p.write_text('x')", "p.write_bytes(b'x')", "open(p, 'w')", "open(p, mode='a')",
    "open(p, 'r+b')", "open(p, m)", "p.open('wb')", "p.open(mode='x')",
    "os.open(p, os.O_WRONLY | os.O_CREAT)", "os.fdopen(fd, 'w')", "os.replace(a, b)",
    "shutil.copyfile(a, b)", "tempfile.mkstemp()", "pickle.dump(x, fh)", "p.chmod(0o600)",
    "p.rename(q)", "os.symlink(a, b)", "sqlite3.connect(p)",
])  # fmt: skip
def test_the_scan_finds_each_kind_of_write(code: str) -> None:
    assert writes(code, "casegraph/x.py"), code


@pytest.mark.parametrize("code", ["open(p)", "open(p, 'rb')", "p.open('rb')", "p.read_bytes()",
                                  "s.replace('a', 'b')", "p.unlink()", "p.mkdir()",
                                  "sqlite3.connect(':memory:')"])  # fmt: skip
def test_the_scan_lets_reads_pass(code: str) -> None:
    assert writes(code, "casegraph/x.py") == []
