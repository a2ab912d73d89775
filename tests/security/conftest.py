"""Fixtures of the security suites: the real-browser ones are shared with tests/e2e."""

from tests.e2e.test_html_browser import browser, open_view  # noqa: F401 (pytest fixtures)
