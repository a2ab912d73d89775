"""A linked title of another report is not read as the page's statements; a linked name is."""

from __future__ import annotations

from casegraph.extract.markup import is_title, mask_markdown


def test_title_case_and_quoted_link_texts_are_titles() -> None:
    assert is_title("Spyware Operators Rebuild Infrastructure to Target Mobile Devices")
    assert is_title("“Hacked Phones Reveal a Vendor’s Playbook”")
    assert not is_title("Amnesty International")
    assert not is_title("the report published on Tuesday by the lab")
    assert not is_title("MITRE Engage Framework")


def test_a_linked_title_is_blanked_and_a_linked_name_kept() -> None:
    text = (
        "See [Spyware Operators Rebuild Infrastructure to Target Mobile Devices](https://e.x/a)"
        " by [Recorded Future](https://e.x/b)."
    )
    masked = mask_markdown(text)
    assert len(masked) == len(text)
    assert "Target Mobile Devices" not in masked
    assert "Recorded Future" in masked
