"""The CLI on a Neo4j store: --neo4j URI with the password from the environment, exit code 3."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from casegraph.backends.neo4j import Neo4jStore
from casegraph.config import Config
from tests.conftest import Result, run_cli, write_jsonl
from tests.e2e.test_cli_core import CASE

# A user that does not exist, for bad logins (Neo4j locks out a user after failed logins).
NOBODY = "casegraph-test-nobody"


def neo4j_cli(
    config: Config, *args: str, password: str | None = None, user: str = "neo4j"
) -> Result:
    env = {"NEO4J_PASSWORD": password if password is not None else config.neo4j_password or "",
           "NEO4J_USERNAME": user}  # fmt: skip
    return run_cli("--neo4j", config.neo4j_uri or "", *args, env=env)


def test_load_show_stats_on_neo4j(neo: Neo4jStore, neo4j_config: Config, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "case.jsonl", CASE)
    first = neo4j_cli(neo4j_config, "load", str(src), "--json")
    assert first.code == 0, first.stderr
    assert (first.json()["documents_new"], first.json()["entities_new"]) == (1, 4)
    again = neo4j_cli(neo4j_config, "load", str(src), "--json")
    assert again.code == 0 and again.json()["documents_unchanged"] == 1

    show = neo4j_cli(neo4j_config, "show", "nso", "--json")
    assert show.code == 0, show.stderr
    data = show.json()
    assert data["name"] == "NSO Group" and data["aliases"] == ["NSO"]
    assert data["properties"] == {"founded": 2010}
    (rel,) = data["relations"]
    assert rel["other"] == {"id": "product:pegasus", "name": "Pegasus", "type": "Product"}
    (ev,) = rel["evidence"]
    assert (ev["quote"], ev["document"], ev["locator"]) == (
        "NSO's Pegasus.",
        "case.jsonl",
        "line 5",
    )
    human = neo4j_cli(neo4j_config, "show", "NSO Group")
    assert "-[DEVELOPED]->" in human.stdout and human.stderr == ""

    stats = neo4j_cli(neo4j_config, "stats", "--json").json()
    assert (stats["backend"], stats["documents"], stats["entities"], stats["relations"]) == (
        "neo4j",
        1,
        4,
        2,
    )
    assert stats["store"] == neo4j_config.neo4j_uri
    assert neo4j_cli(neo4j_config, "search", "Wienstein", "--json").json()[0]["name"] == (
        "Harvey Weinstein"
    )
    missing = neo4j_cli(neo4j_config, "show", "NSO Grp")
    assert missing.code == 2 and "did you mean 'NSO Group'" in missing.stderr

    out = tmp_path / "graph.json"
    assert neo4j_cli(neo4j_config, "export", str(out)).code == 0
    graph = json.loads(out.read_text(encoding="utf-8"))
    assert len(graph["nodes"]) == 4 and all(e["evidence"] for e in graph["edges"])


def test_uri_from_environment(neo: Neo4jStore, neo4j_config: Config, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "case.jsonl", CASE)
    env = {"CASEGRAPH_NEO4J_URI": neo4j_config.neo4j_uri or "",
           "NEO4J_PASSWORD": neo4j_config.neo4j_password or ""}  # fmt: skip
    assert run_cli("--store", str(tmp_path / "unused.db"), "load", str(src), env=env).code == 0
    assert not (tmp_path / "unused.db").exists()
    assert neo.stats()["entities"] == 4


def test_unreachable_exits_3_without_the_password(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = Config(neo4j_uri=f"bolt://127.0.0.1:{port}")
    for args in (("stats",), ("load", str(write_jsonl(tmp_path / "a.jsonl", CASE)))):
        result = neo4j_cli(config, *args, password="pa55-w0rd-secret")
        assert result.code == 3
        assert result.stdout == ""
        assert result.stderr.startswith(f"error: cannot reach Neo4j at bolt://127.0.0.1:{port}")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert "pa55-w0rd-secret" not in result.stderr


def test_wrong_password_exits_3_without_the_password(neo4j_config: Config) -> None:
    result = neo4j_cli(neo4j_config, "stats", password="not-the-password-42", user=NOBODY)
    assert result.code == 3 and result.stdout == ""
    assert f"refused the credentials of user '{NOBODY}'" in result.stderr
    assert "not-the-password-42" not in result.stderr
    debug = neo4j_cli(neo4j_config, "--debug", "stats", password="not-the-password-42", user=NOBODY)
    assert debug.code != 0 and "not-the-password-42" not in debug.stderr
