"""The one rule for tests that read ../shared: a skip with one reason in a clone, a failure in CI."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import conftest


def test_without_shared_the_skip_names_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "SHARED", tmp_path / "no-shared")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        conftest.shared_or_skip()
    assert str(skipped.value) == "needs ../shared (real public data, not in a clone)"
    placeholder = conftest.shared_params([tmp_path / "x.json"])
    assert [p.id for p in placeholder] == ["no-shared"]
    assert [m.name for m in placeholder[0].marks] == ["needs_shared"]


def test_without_shared_ci_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(conftest, "SHARED", tmp_path / "no-shared")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"needs \.\./shared .*CI must run"):
        conftest.shared_or_skip()


def test_with_shared_every_file_is_a_marked_parameter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(conftest, "SHARED", tmp_path)
    files = [tmp_path / "a.json", tmp_path / "b.json"]
    params = conftest.shared_params(files)
    assert [p.values for p in params] == [(files[0],), (files[1],)]
    assert all([m.name for m in p.marks] == ["needs_shared"] for p in params)
    assert conftest.shared_or_skip() == tmp_path


def test_every_test_module_reads_shared_through_the_one_mechanism() -> None:
    """No test module builds its own path to ../shared (it would skip, or fail, its own way)."""
    root = Path(conftest.__file__).parent
    own = [
        path.relative_to(root).as_posix()
        for path in sorted(root.rglob("*.py"))
        if path.name not in ("conftest.py", Path(__file__).name)
        and '"shared"' in path.read_text(encoding="utf-8")
    ]
    assert own == [], "read ../shared through tests.conftest (SHARED, needs_shared, shared)"
