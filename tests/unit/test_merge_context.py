"""The product-merge guard on its own: a vendor's listed product against described records."""

from __future__ import annotations

from casegraph.graph.context import apart

LISTED = {"listed_by": ["Quillfeather"]}


def test_a_description_that_never_names_the_vendor_keeps_them_apart() -> None:
    other = {"description": "A framework that rewrites the logic of safety controllers."}
    assert apart(LISTED, other)
    assert apart(other, LISTED)  # either side may be the one already stored


def test_a_description_or_a_name_that_names_the_vendor_joins() -> None:
    assert not apart(LISTED, {"description": "The phone implant Quillfeather sells."})
    assert not apart(LISTED, {"description": "An implant."}, ["Quillfeather Lantern"])
    # whole words only: "Quillfeathers" is not the vendor
    assert apart(LISTED, {"description": "Made by the Quillfeathers collective."})


def test_nothing_to_disagree_on_joins() -> None:
    assert not apart(LISTED, {})  # another list, or a bare name
    assert not apart({}, {"description": "A framework."})  # neither is a listed product
    described = {**LISTED, "description": "A framework."}  # described since: not list-only
    assert not apart(described, {"description": "Another framework."})
