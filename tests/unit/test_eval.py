"""Scoring against gold annotations: the acceptance targets, the matching rules and the CLI."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from casegraph.errors import LoaderError
from casegraph.eval import EvalReport, evaluate, evaluate_many, main
from tests.conftest import SHARED, needs_shared

GOLD = SHARED / "eval" / "protocol-2021-12-16-surveillance-for-hire.gold.json"


HELD_OUT = Path(__file__).resolve().parents[1] / "data" / "eval"


def _model_missing() -> bool:
    try:
        from casegraph.extract.nlp import load_nlp

        load_nlp()
    except (LoaderError, ImportError):
        return True
    return False


pytestmark = pytest.mark.skipif(_model_missing(), reason="spaCy model not installed")
needs_gold = needs_shared


@lru_cache(maxsize=1)
def report() -> EvalReport:
    return evaluate(GOLD, story=0)  # its gold annotates the first story of the page only


@needs_gold
@pytest.mark.slow
def test_sample_article_stays_perfect() -> None:
    r = report()
    assert r.entities.f1 == 1.0, r.render()
    assert r.relations.f1 == 1.0, r.render()
    gold = json.loads(GOLD.read_text("utf-8"))
    required_relations = sum(1 for g in gold["relations"] if g.get("required", True))
    assert r.relations.tp + r.relations.fn == required_relations
    assert r.story == 0 and r.document == gold["document"]


REAL = sorted(
    g for g in (SHARED / "eval").glob("*.gold.json") if not g.name.startswith("protocol-")
)


@pytest.mark.skipif(len(REAL) < 10, reason="needs ../shared/eval with the ten real articles")
@pytest.mark.slow
def test_real_articles_meet_the_acceptance_targets() -> None:
    """Issue 14's acceptance on the ten real articles, whole files: macro entity F1 >= 0.85,
    macro relation F1 >= 0.55 with macro relation precision >= 0.85."""
    result = evaluate_many(REAL)
    table = result.render()
    assert result.macro_entities.f1 >= 0.85, table
    assert result.macro_relations.f1 >= 0.55, table
    assert result.macro_relations.precision >= 0.85, table


@needs_gold
@pytest.mark.slow
def test_whole_document_is_scored_by_default() -> None:
    """Without --story every fact of the page counts: the other stories of the sample page are
    not annotated, so what is read there shows up as false positives."""
    whole = evaluate(GOLD)
    assert whole.story is None
    assert whole.entities.fp > report().entities.fp
    assert whole.relations.tp == report().relations.tp


@needs_gold
@pytest.mark.slow
def test_cli_prints_scores_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(GOLD), "--story", "0", "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["entities"]["f1"] == 1.0 and "relation_misses" in data and err == ""
    assert data["story"] == 0
    assert main([str(GOLD)]) == 0
    out, _ = capsys.readouterr()
    assert "(whole document," in out.splitlines()[0]
    assert out.splitlines()[1].startswith("entities") and "relation false positives" in out


def test_held_out_articles_keep_their_floors() -> None:
    """Six articles written and annotated for evaluation (tests/data/eval), scored as whole
    documents: the extractor must keep generalising. Floors sit a little below the scores
    reached (micro entity F1 0.97, relation F1 0.80), so a regression fails."""
    golds = sorted(HELD_OUT.glob("*.gold.json"))
    assert len(golds) >= 6
    result = evaluate_many(golds)
    table = result.render()
    assert result.entities.f1 >= 0.95, table
    assert result.relations.f1 >= 0.78, table
    assert result.relations.precision >= 0.93, table
    for r in result.reports:
        assert r.entities.f1 >= 0.90, table
        assert r.relations.f1 >= 0.60, table
        assert r.story is None and (HELD_OUT / Path(r.document).name).is_file()


def test_articles_written_for_issue_14_keep_their_floors() -> None:
    """Four articles (tests/data/eval/constructions) written around the constructions of
    issue 14 and annotated before the extractor was run on them (first scored: entity F1 0.93,
    relation P 0.79 R 0.33 F1 0.46); the rules were then developed on them."""
    result = evaluate_many(sorted((HELD_OUT / "constructions").glob("*.gold.json")))
    table = result.render()
    assert len(result.reports) == 4
    assert result.entities.f1 >= 0.95, table
    assert result.relations.f1 >= 0.78 and result.relations.precision >= 0.95, table


def test_blind_articles_keep_looser_floors() -> None:
    """Two articles (tests/data/eval/blind) written and annotated after the rules were tuned on
    the six above and scored without further tuning: a rough, honest view of unseen text
    (entity F1 0.93, relation F1 0.28 when first scored)."""
    result = evaluate_many(sorted((HELD_OUT / "blind").glob("*.gold.json")))
    table = result.render()
    assert len(result.reports) >= 2
    assert result.entities.f1 >= 0.88, table
    assert result.relations.f1 >= 0.22 and result.relations.precision >= 0.8, table


def test_cli_prints_micro_averages_for_several_gold_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    golds = [str(g) for g in sorted(HELD_OUT.glob("*.gold.json"))[:2]]
    assert main([*golds, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["documents"]) == 2 and set(data["micro"]) == {"entities", "relations"}
    micro = data["micro"]["relations"]
    assert micro["tp"] == sum(d["relations"]["tp"] for d in data["documents"])
    macro = data["macro"]["entities"]["f1"]
    assert macro == pytest.approx(sum(d["entities"]["f1"] for d in data["documents"]) / 2, abs=1e-3)
    assert main(golds) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2].startswith("micro-average") and lines[-1].startswith("macro-average")


def test_cli_refuses_a_negative_story(capsys: pytest.CaptureFixture[str]) -> None:
    golds = [str(g) for g in sorted(HELD_OUT.glob("*.gold.json"))[:1]]
    assert main([*golds, "--story", "-1"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "story -1 is not valid" in err


def test_cli_reports_a_missing_gold_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "none.gold.json")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "cannot read" in err


ARTICLE = """Spyware vendor sued

The Greek firm Orion Labs sold its Moth spyware to two governments. Samsung sued Orion Labs
over the Moth exploit. Peter Kim, a researcher at Citizen Lab, said the tool was used to spy on
journalists. The weather in Athens was mild.
"""


def write_gold(
    root: Path, entities: list[dict[str, object]], relations: list[dict[str, object]]
) -> Path:
    (root / "corpus").mkdir()
    (root / "eval").mkdir()
    (root / "corpus" / "story.txt").write_text(ARTICLE, "utf-8")
    gold = root / "eval" / "story.gold.json"
    gold.write_text(
        json.dumps({"document": "corpus/story.txt", "entities": entities, "relations": relations}),
        "utf-8",
    )
    return gold


def test_matching_rules_on_a_small_gold(tmp_path: Path) -> None:
    ents = [
        {"name": "Orion Labs", "type": "Company", "aliases": ["Orion"], "required": True},
        {"name": "greece", "type": "Country", "required": True},
        {"name": "Moth", "type": "Product", "required": True},
        {"name": "Samsung Electronics", "type": "Company", "aliases": ["Samsung"]},
        {"name": "Citizen Lab", "type": "Organization", "required": False},
        {"name": "Peter Kim", "type": "Person", "required": True},
        {"name": "journalists", "type": "VictimGroup", "required": True},
        {"name": "Samsung v. Orion Labs", "type": "Lawsuit", "required": True},
        {"name": "Athens", "type": "Location", "required": True},
        {"name": "Cognyte", "type": "Company", "required": True},
    ]
    rels = [
        {"source": "Orion Labs", "type": "BASED_IN", "target": "Greece", "required": True},
        {"source": "Orion", "type": "DEVELOPED", "target": "Moth", "required": True},
        {"source": "Samsung", "type": "PLAINTIFF_IN", "target": "Samsung v. Orion Labs"},
        {"source": "Peter Kim", "type": "WORKS_FOR", "target": "Citizen Lab", "required": False},
        {"source": "Cognyte", "type": "HIRED", "target": "Orion Labs", "required": True},
    ]
    r = evaluate(write_gold(tmp_path, ents, rels))
    assert "Cognyte (Company)" in r.entity_misses  # never in the text
    assert "Citizen Lab (Organization)" not in r.entity_misses  # required: false
    assert "Cognyte HIRED Orion Labs" in r.relation_misses
    assert r.relations.tp >= 3 and r.relations.fn == 1
    fps = " ".join(r.relation_false_positives)
    assert "WORKS_FOR" not in fps  # optional gold facts are not false positives
    assert all(not line.startswith("Orion Labs BASED_IN") for line in r.relation_false_positives)
    assert r.as_dict()["relations"]["recall"] == round(r.relations.recall, 4)
    json.dumps(r.as_dict())


def test_corpus_root_overrides_the_gold_location(tmp_path: Path) -> None:
    gold = write_gold(tmp_path, [{"name": "Moth", "type": "Product"}], [])
    moved = tmp_path / "elsewhere.gold.json"
    moved.write_text(gold.read_text("utf-8"), "utf-8")
    r = evaluate(moved, corpus_root=tmp_path)
    assert r.entities.tp == 1 and r.entities.fn == 0
    with pytest.raises(LoaderError, match="gold document not found"):
        evaluate(moved)
