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


EVENT = {
    "Event": {
        "uuid": "5f0c0000-0000-4000-8000-000000000001", "info": "Orion Labs spyware infrastructure",
        "date": "2021-07-18", "timestamp": "1700000000", "publish_timestamp": "1626600000",
        "Tag": [{"name": 'misp-galaxy:surveillance-vendor="Orion Labs"'}, {"name": "tlp:white"},
                {"name": 'misp-galaxy:tool="Nightjar"'}],
        "Attribute": [
            {"uuid": "a1", "type": "domain", "category": "Network activity",
             "value": "update-check.example.com", "timestamp": "1626700000",
             "first_seen": "2021-05-02T10:00:00.000000+00:00",
             "last_seen": "2021-07-01T00:00:00.000000+00:00"},
            {"uuid": "a2", "type": "domain|ip", "value": "cdn.example.net|203.0.113.7",
             "timestamp": "1626800000"},
            {"uuid": "a3", "type": "text", "value": "not an indicator at all", "timestamp": "1626800000"},
        ],
        "Object": [{"name": "file", "Attribute": [
            {"uuid": "a4", "type": "sha256", "value": "ab" * 32, "timestamp": "1627000000"}]}],
    }
}  # fmt: skip


def _event_file(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def test_a_misp_event_is_a_dated_document_of_dated_indicators(tmp_path: Path) -> None:
    from casegraph.backends.sqlite import SqliteStore
    from casegraph.loaders.misp import LOADER as MISP
    from casegraph.pipeline import load_paths

    path = _event_file(tmp_path, EVENT)
    assert MISP.sniff(path, path.read_bytes()[:4096])
    with SqliteStore(tmp_path / "s.db", create=True) as store:
        load_paths(store, [path])
        ((doc_id, published, loader, title),) = store.db.execute(
            "SELECT id, published, loader, title FROM documents").fetchall()  # fmt: skip
        assert (published, loader, title) == (
            "2021-07-18",
            "misp",
            "Orion Labs spyware infrastructure",
        )
        rows = store.db.execute(
            "SELECT s.name, r.type, t.name, e.date, r.properties FROM evidence e"
            " JOIN relations r ON r.id = e.relation_id JOIN entities s ON s.id = r.source_id"
            " JOIN entities t ON t.id = r.target_id ORDER BY s.name, t.name"
        ).fetchall()
        found = {(s, rel, t, date) for s, rel, t, date, _ in rows}
        assert found == {
            ("update-check.example.com", "INDICATES", "Orion Labs", "2021-05-02"),
            ("update-check.example.com", "INDICATES", "Nightjar", "2021-05-02"),
            ("cdn.example.net", "INDICATES", "Orion Labs", "2021-07-20"),
            ("cdn.example.net", "INDICATES", "Nightjar", "2021-07-20"),
            ("203.0.113.7", "INDICATES", "Orion Labs", "2021-07-20"),
            ("203.0.113.7", "INDICATES", "Nightjar", "2021-07-20"),
            ("ab" * 32, "INDICATES", "Orion Labs", "2021-07-23"),
            ("ab" * 32, "INDICATES", "Nightjar", "2021-07-23"),
        }
        validity = {json.dumps(json.loads(p), sort_keys=True) for s, _, _, _, p in rows
                    if s == "update-check.example.com"}  # fmt: skip
        assert validity == {'{"first_seen": "2021-05-02", "last_seen": "2021-07-01"}'}
        types = dict(store.db.execute("SELECT name, type FROM entities").fetchall())
        assert types["Orion Labs"] == "Company" and types["Nightjar"] == "Product"
        assert doc_id
    (source,) = list(MISP.read(path, LoadOptions()))
    assert len(list(source.facts)) == 2 + 4 + 8  # subjects, indicators, relations
    assert source.document.properties["skipped"] == {"unmapped_attribute:text": 1}


def test_misp_event_dates_fall_back_to_its_timestamps(tmp_path: Path) -> None:
    from casegraph.loaders.misp import LOADER as MISP
    from casegraph.loaders.misp_events import day, event_published

    assert event_published({"publish_timestamp": "1626600000"}) == "2021-07-18"
    assert event_published({"publish_timestamp": "0", "timestamp": "1700000000"}) == "2023-11-14"
    assert event_published({"info": "undated"}) is None
    assert day("not a date") is None and day("99999999999999999999") is None
    many = {"response": [{"Event": {**EVENT["Event"], "uuid": str(i), "date": f"202{i}-01-0{i}"}}
                         for i in (1, 2)]}  # fmt: skip
    path = _event_file(tmp_path, many)
    assert MISP.sniff(path, path.read_bytes()[:4096])
    docs = [s.document for s in MISP.read(path, LoadOptions())]
    assert [d.published for d in docs] == ["2021-01-01", "2022-01-02"]
    assert len({d.id for d in docs}) == 2


def _misp_clusters() -> list[Path]:
    return sorted((SHARED / "data" / "misp_galaxy" / "clusters").glob("*.json"))


@pytest.mark.parametrize("path", shared_params(_misp_clusters() if SHARED.is_dir() else []))
def test_real_galaxy_cluster_files_are_still_cluster_files(path: Path) -> None:
    from casegraph.loaders.misp import LOADER as MISP

    assert MISP.sniff(path, path.read_bytes()[:4096])
    (source,) = list(MISP.read(path, LoadOptions()))
    assert source.document.loader == "misp" and source.document.properties.get("cluster_type")
