"""Running the CLI in-process, as `casegraph ARGS` would, capturing its exit code and output."""

from __future__ import annotations

import contextlib
import io

from casegraph.cli import main


def without_progress(stderr: str) -> str:
    """stderr without a load's progress lines (`loading 1/3 ...`, one per file when stderr is
    not a terminal): what is left is what went wrong, or nothing."""
    return "".join(
        line for line in stderr.splitlines(keepends=True) if not line.startswith("loading ")
    )


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    """Exit code, stdout and stderr (without load progress lines) of `casegraph ARGV`."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code
    return (code if isinstance(code, int) else 1), out.getvalue(), without_progress(err.getvalue())
