"""Cypher templates: the relation-type placeholder is filled with every schema type, quoted, and a
call on a template without it (a dead call, left after a template changed) raises."""

from __future__ import annotations

import pytest

from casegraph.backends.neo4j import cypher as cy


def test_with_rtypes_fills_every_schema_type_quoted() -> None:
    filled = cy.with_rtypes(cy.COUNT_EVIDENCE)
    assert cy.RTYPES not in filled
    disjunction = "|".join(cy.quoted(t) for t in cy.relation_types())
    assert f"[r:{disjunction}]" in filled
    assert "MENTIONS" not in filled


@pytest.mark.parametrize("template", ["RELATIONS_OF", "COUNT_EVIDENCE", "RELATIONS_WITH_PROPS"])
def test_templates_filled_by_the_store_carry_the_placeholder(template: str) -> None:
    assert cy.RTYPES not in cy.with_rtypes(getattr(cy, template))


@pytest.mark.parametrize("template", ["SUPPORT", "NTH_DEGREE", "ENTITIES_BY_DEGREE"])
def test_a_template_without_the_placeholder_raises(template: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        cy.with_rtypes(getattr(cy, template))
