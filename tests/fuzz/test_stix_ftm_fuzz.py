"""Fuzzing the STIX and FollowTheMoney loaders: generated objects in every container shape."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casegraph.loaders import LoadOptions
from tests.fuzz.conftest import (
    base_store,
    check_load,
    fuzz_settings,
    json_scalar,
    json_value,
    nasty_text,
)

STIX_TYPES = ["intrusion-set", "threat-actor", "campaign", "malware", "tool", "identity",
              "location", "indicator", "domain-name", "ipv4-addr", "url", "file", "email-addr",
              "autonomous-system", "x509-certificate", "attack-pattern", "x-custom", "bundle",
              "relationship", ""]  # fmt: skip
VERBS = ["uses", "targets", "attributed-to", "located-at", "indicates", "authored-by",
         "communicates-with", "related-to", "mitigates", "impersonates", ""]  # fmt: skip
PATTERNS = ["[domain-name:value = 'a.example']", "[file:hashes.'SHA-256' = 'AB']",
            "[ipv4-addr:value = '10.0.0.1'] OR [url:value = 'hxxp://x']", "[x:y = '\\\\'']",
            "[app:cert.md5 = 'x']", "[", "'", ""]  # fmt: skip
stix_id = st.one_of(
    st.builds(lambda t, n: f"{t}--{n:08d}-0000-4000-8000-000000000000",
              st.sampled_from(STIX_TYPES), st.integers(0, 6)),
    nasty_text,
)  # fmt: skip
field_value = st.one_of(nasty_text, json_scalar, json_value)


@st.composite
def stix_object(draw: st.DrawFn) -> dict[str, Any]:
    otype = draw(st.sampled_from(STIX_TYPES))
    obj: dict[str, Any] = {"type": otype, "id": draw(stix_id)}
    choices = {
        "name": nasty_text, "aliases": st.lists(nasty_text, max_size=2), "description": nasty_text,
        "identity_class": st.sampled_from(["individual", "class", "organization", "group",
                                           "system", "x"]),
        "country": st.sampled_from(["MK", "il", "ZZ", "", "Israel"]), "city": nasty_text,
        "pattern": st.sampled_from(PATTERNS), "pattern_type": st.sampled_from(["stix", "yara"]),
        "value": nasty_text, "hashes": st.dictionaries(st.sampled_from(["MD5", "SHA-256", "x"]),
                                                       field_value, max_size=2),
        "relationship_type": st.sampled_from(VERBS), "source_ref": stix_id, "target_ref": stix_id,
        "confidence": st.one_of(st.integers(-5, 120), json_scalar), "revoked": st.booleans(),
        "x_mitre_deprecated": st.booleans(), "resource_level": st.just("individual"),
        "external_references": st.lists(st.dictionaries(
            st.sampled_from(["source_name", "external_id", "url"]),
            st.one_of(st.sampled_from(["mitre-attack", "T1"]), field_value), max_size=3),
            max_size=2),
        "x_mitre_aliases": field_value, "number": field_value, "objects": json_value,
    }  # fmt: skip
    for key in draw(st.lists(st.sampled_from(sorted(choices)), max_size=6, unique=True)):
        obj[key] = draw(choices[key])
    return obj


def _container(draw: st.DrawFn, objects: list[Any], key: str) -> str:
    shape = draw(st.sampled_from(["bundle", "array", "lines", "one"]))
    if shape == "bundle":
        return json.dumps({"type": "bundle", "id": "bundle--1", key: objects})
    if shape == "array":
        return json.dumps(objects, indent=draw(st.sampled_from([None, 1])))
    if shape == "lines":
        return "".join(json.dumps(o) + "\n" for o in objects)
    return json.dumps(objects[0] if objects else {})


@st.composite
def stix_file(draw: st.DrawFn) -> bytes:
    objects: list[Any] = draw(st.lists(stix_object(), max_size=8))
    if draw(st.integers(0, 4)) == 0:
        objects.append(draw(json_value))
    data = _container(draw, objects, "objects").encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(max_size=3)) + data[pos + draw(st.integers(0, 3)) :]
    return data


FTM_SCHEMATA = ["Person", "Company", "Organization", "LegalEntity", "PublicBody", "CourtCase",
                "Ownership", "Directorship", "Employment", "Membership", "Family", "Sanction",
                "CourtCaseParty", "Payment", "Address", "Thing", ""]  # fmt: skip
FTM_PROPS = ["name", "alias", "weakAlias", "previousName", "country", "jurisdiction", "parent",
             "owner", "asset", "director", "organization", "employee", "employer", "member",
             "person", "relative", "entity", "authority", "party", "case", "role", "reason",
             "startDate", "endDate", "percentage", "payer", "beneficiary"]  # fmt: skip
ftm_ref = st.one_of(st.sampled_from(["p1", "c1", "c2", "k1", "zz"]), nasty_text)


@st.composite
def ftm_record(draw: st.DrawFn) -> Any:
    props = {
        key: draw(st.one_of(st.lists(st.one_of(ftm_ref, st.sampled_from(["us", "il", "gr"])),
                                     max_size=3), field_value))
        for key in draw(st.lists(st.sampled_from(FTM_PROPS), max_size=5, unique=True))
    }  # fmt: skip
    record: dict[str, Any] = {"id": draw(ftm_ref), "schema": draw(st.sampled_from(FTM_SCHEMATA)),
                              "properties": props}  # fmt: skip
    for key in draw(st.lists(st.sampled_from(["caption", "datasets", "first_seen", "target"]),
                             max_size=2, unique=True)):  # fmt: skip
        record[key] = draw(field_value)
    if draw(st.integers(0, 9)) == 0:
        del record[draw(st.sampled_from(["id", "schema", "properties"]))]
    return record


@st.composite
def ftm_file(draw: st.DrawFn) -> bytes:
    records = draw(st.lists(ftm_record(), min_size=1, max_size=8))
    data = _container(draw, records, "entities").encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 3)) == 0:
        pos = draw(st.integers(0, len(data)))
        data = data[:pos] + draw(st.binary(max_size=3)) + data[pos + draw(st.integers(0, 3)) :]
    return data


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_store(tmp_path_factory.mktemp("stixftm") / "s.db")


def _write(store_path: Path, data: bytes, suffix: str) -> Path:
    file = store_path.parent / f"{hashlib.sha1(data).hexdigest()}{suffix}"
    file.write_bytes(data)
    return file


@fuzz_settings(120)
@given(data=stix_file())
def test_any_stix_file_loads_or_is_refused_leaving_the_store_intact(
    store_path: Path, data: bytes
) -> None:
    check_load(store_path, _write(store_path, data, ".json"), LoadOptions(format="stix"))


@fuzz_settings(120)
@given(data=ftm_file())
def test_any_ftm_stream_loads_or_is_refused_leaving_the_store_intact(
    store_path: Path, data: bytes
) -> None:
    check_load(store_path, _write(store_path, data, ".ftm"), LoadOptions(format="ftm"))


@fuzz_settings(60)
@given(data=st.one_of(stix_file(), ftm_file(), st.binary(max_size=200)),
       suffix=st.sampled_from([".json", ".ftm", ".stix", ".ijson"]))  # fmt: skip
def test_detection_then_loading_of_any_json(store_path: Path, data: bytes, suffix: str) -> None:
    """Without --format the content decides; whatever is chosen loads or refuses cleanly."""
    check_load(store_path, _write(store_path, data, suffix))
