"""Documents' dates from structured sources: a STIX file's publication day, a MISP event's date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from casegraph.loaders.base import LoadOptions
from casegraph.loaders.stix import LOADER as STIX
from casegraph.loaders.stix import bundle_published
from tests.conftest import SHARED, shared_params


def _bundle(tmp_path: Path, objects: list[dict[str, Any]], name: str = "b.json") -> Path:
    path = tmp_path / name
    bundle = {
        "type": "bundle",
        "id": "bundle--0a5c3d5e-8f3c-4f00-9a39-0d2a1b1e0001",
        "objects": objects,
    }
    path.write_text(json.dumps(bundle, indent=1), encoding="utf-8")
    return path


def _tool(n: int, created: str, modified: str | None = None, **more: Any) -> dict[str, Any]:
    obj = {"type": "tool", "spec_version": "2.1", "id": f"tool--0a5c3d5e-8f3c-4f00-9a39-0d2a1b1e{n:04d}",
           "name": f"Tool {n}", "created": created, **more}  # fmt: skip
    if modified:
        obj["modified"] = modified
    return obj


def _published(path: Path) -> str | None:
    (source,) = list(STIX.read(path, LoadOptions()))
    return source.document.published


def test_a_stix_report_gives_its_published_day(tmp_path: Path) -> None:
    report = {"type": "report", "spec_version": "2.1", "id": "report--0a5c3d5e-8f3c-4f00-9a39-0d2a1b1e0009",
              "name": "R", "created": "2021-07-01T00:00:00Z", "modified": "2023-05-05T00:00:00Z",
              "published": "2021-07-18T09:00:00.000Z", "object_refs": []}  # fmt: skip
    path = _bundle(tmp_path, [_tool(1, "2020-01-01T00:00:00Z", "2024-02-02T00:00:00Z"), report])
    assert _published(path) == "2021-07-18"


def test_without_a_report_the_latest_modified_or_created_day(tmp_path: Path) -> None:
    fooled = 'it says "modified": "2031-01-01" in prose'
    objects = [_tool(1, "2019-03-03T00:00:00Z", "2020-06-30T23:59:59Z"),
               _tool(2, "2020-08-01T10:00:00Z", description=fooled),
               _tool(3, "2018-01-01T00:00:00Z")]  # fmt: skip
    path = _bundle(tmp_path, objects)
    assert "2031" in path.read_text()  # the escaped key is in the file, inside a string
    assert _published(path) == "2020-08-01"


def test_a_bundle_without_dates_has_none_and_a_date_across_chunks_is_read(tmp_path: Path) -> None:
    assert _published(_bundle(tmp_path, [{"type": "tool", "id": "tool--x", "name": "T"}])) is None
    many = [_tool(i, "2015-01-01T00:00:00Z", description="x" * 3000) for i in range(1, 700)]
    many.append(_tool(999, "2016-01-01T00:00:00Z", "2022-12-31T00:00:00Z"))
    path = _bundle(tmp_path, many, "big.json")
    assert path.stat().st_size > 2 * (1 << 20)
    assert bundle_published(path) == "2022-12-31"


def _stix_files() -> list[Path]:
    found = sorted((SHARED / "data").glob("mvt_indicators/**/*.stix2"))
    return found + sorted((SHARED / "data" / "mitre_attack_stix21").glob("*/*.json"))


@pytest.mark.parametrize("path", shared_params(_stix_files() if SHARED.is_dir() else []))
def test_real_stix_files_are_dated_by_their_latest_object(path: Path) -> None:
    objects = json.loads(path.read_text(encoding="utf-8")).get("objects", [])
    reports = [
        o["published"][:10] for o in objects if o.get("type") == "report" and o.get("published")
    ]
    stated = [(o.get("modified") or o.get("created") or "")[:10] for o in objects]
    expected = max(reports) if reports else max(stated)
    assert _published(path) == expected
