"""casegraph.dates: the days sources and users write, read as ISO; windows and their bounds."""

from __future__ import annotations

import pytest

from casegraph.dates import Window, first_date, parse_bound, parse_date, text_date, window
from casegraph.errors import UsageError


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2021-03-03", "2021-03-03"),
        ("2021-3-3", "2021-03-03"),
        ("2017-05-31T21:31:53.197Z", "2017-05-31"),
        ("2022-01-06T19:48:04+00:00", "2022-01-06"),
        ("2021-12-06 23:14:11", "2021-12-06"),
        ("Wed, 03 Mar 2021 10:00:00 +0000", "2021-03-03"),
        ("3 Mar 2021 10:00 GMT", "2021-03-03"),
        ("March 3, 2021", "2021-03-03"),
        ("3 March 2021", "2021-03-03"),
        ("Sept. 30, 2020", "2020-09-30"),
    ],
)
def test_days_are_read(text: str, day: str) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize("text", ["", "2021", "2021-13-01", "2021-02-30", "03/04/2021", "soon",
                                  "Foo 3, 2021"])  # fmt: skip
def test_non_days_are_none(text: str) -> None:
    assert parse_date(text) is None


def test_bounds_of_years_and_months() -> None:
    assert parse_bound("2021", end=False) == "2021-01-01"
    assert parse_bound("2021", end=True) == "2021-12-31"
    assert parse_bound("2024-02", end=True) == "2024-02-29"
    assert parse_bound("2021-12", end=True) == "2021-12-31"
    assert parse_bound("2021-02", end=False) == "2021-02-01"
    assert parse_bound("2021-00", end=False) is None


def test_window_holds_only_dated_items_inside() -> None:
    w = window("2021", "2021")
    assert w == Window("2021-01-01", "2021-12-31")
    assert w.holds("2021-12-31T23:59:59Z") and w.holds("2021-01-01")
    assert not w.holds("2022-01-01") and not w.holds("2020-12-31") and not w.holds(None)
    assert Window().holds(None) and window().open
    assert window(since="2021-06").holds("2030-01-01")


def test_bad_windows_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="--since 'last week' is not a date"):
        window("last week")
    with pytest.raises(UsageError, match=r"--until 2020 .* is before --since 2021"):
        window("2021", "2020")


def test_dates_in_article_heads() -> None:
    assert text_date("Title\n\nDate: August 25, 2021 -- 00:31 GMT\n\nBody") == "2021-08-25"
    assert text_date("Title\n\nWASHINGTON, March 3, 2021 — The firm said") == "2021-03-03"
    assert text_date("LONDON (Reuters) 3 March 2021 - Officials") == "2021-03-03"
    assert text_date("No date here. In March 3, 2021 nothing.") is None
    assert first_date("posted on 8 Nov 2021 at noon") == "2021-11-08"
