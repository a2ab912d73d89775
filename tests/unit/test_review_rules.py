"""The review queue's name checks: weekdays and months are junk, names that start like one are not."""

from __future__ import annotations

import pytest

from casegraph.graph.records import EntityRow
from casegraph.queries.review import looks_like_junk


def row(name: str, type_: str = "Company", source: str = "text") -> EntityRow:
    return EntityRow(id=f"x:{name}", name=name, type=type_, aliases=(), properties={},
                     type_source=source)  # fmt: skip


@pytest.mark.parametrize("name", ["Wednesday", "Thursday", "Sept", "November", "Sat"])
def test_weekdays_and_months_are_junk(name: str) -> None:
    assert looks_like_junk(row(name)) == "a weekday or month"
    assert looks_like_junk(row(name, source="source")) == "a weekday or month"


@pytest.mark.parametrize("name", ["NoviSpy", "Marriott", "Octagon Labs", "Decathlon", "Mayday"])
def test_names_that_begin_like_a_month_are_not(name: str) -> None:
    assert looks_like_junk(row(name)) is None


def test_a_long_name_from_a_source_is_not_a_fragment() -> None:
    name = "Verband der Metall und Elektroindustrie Baden Wurttemberg e.V."
    assert looks_like_junk(row(name, "Organization", "source")) is None
    assert looks_like_junk(row(name, "Organization", "text")) == "a sentence fragment"
    assert looks_like_junk(row("203.0.113.7", "Indicator", "source")) is None
