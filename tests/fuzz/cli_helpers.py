"""Running the CLI in-process, as `casegraph ARGS` would, capturing its exit code and output."""

from __future__ import annotations

import contextlib
import io

from casegraph.cli import main


def run_in_process(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code
    return (code if isinstance(code, int) else 1), out.getvalue(), err.getvalue()
