"""The docs are tested: every command has help text and appears in the README."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer.main

from casegraph.cli import app
from tests.conftest import ROOT


def commands() -> dict[str, object]:
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = commands()
    assert len(found) >= 10
    for name, command in found.items():
        assert (command.help or "").strip(), f"{name} has no help text"
        assert f"casegraph {name}" in readme, f"README does not show `casegraph {name}`"


def test_readme_names_the_two_setup_commands_and_ci_runs_the_test_one() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "scripts/demo" in readme and "scripts/test" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_changelog_has_an_unreleased_section() -> None:
    assert "## [Unreleased]" in (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, casegraph.cli\n"
        "heavy = {'networkx', 'neo4j', 'pyvis', 'spacy', 'rapidfuzz', 'sqlite3'} & set(sys.modules)\n"
        "print(','.join(sorted(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"imported at start-up: {out.stdout.strip()}"
    result = subprocess.run([sys.executable, "-m", "casegraph", "--help"], capture_output=True)
    assert result.returncode == 0


def test_a_command_parses_its_options_without_pydantic(tmp_path: Path) -> None:
    """What a cold question pays at start: typer 0.29 coerced every option through pydantic
    (about 0.13 s a process), so the pin below it must hold."""
    code = (
        "import sys\n"
        "from casegraph.cli import main\n"
        "try:\n"
        f"    main(['--store', {str(tmp_path)!r} + '/s.db', 'stats', '--json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout.write('\\n' + ','.join(m for m in ('pydantic', 'spacy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "", f"imported to parse options: {out.stdout}"
