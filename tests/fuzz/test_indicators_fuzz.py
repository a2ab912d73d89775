"""Fuzzing the indicator-list loader: lines of values, defanged or hostile, under list names."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz.conftest import NASTY, base_store, check_load, fuzz_settings

VALUES = ["evil.example", "EVIL[.]example.", "hxxps://x[.]example/a", "10.0.0.1", "2001:db8::1",
          "a@b.example", "x[@]y.example", "d41d8cd98f00b204e9800998ecf8427e", "/private/var/x",
          "com.example.app", "glasshost", "# comment", "// comment", "value  # note", ""]  # fmt: skip
line = st.one_of(st.sampled_from(VALUES), st.sampled_from(NASTY), st.text(max_size=30))
NAMES = ["domains.txt", "processes.txt", "package_cert_hashes.txt", "ip-addresses.txt",
         "file_paths.txt", "list.txt", "sha256.txt"]  # fmt: skip


@fuzz_settings(60)
@given(lines=st.lists(line, max_size=30), name=st.sampled_from(NAMES),
       ending=st.sampled_from(["\n", "\r\n"]))  # fmt: skip
def test_any_list_loads_or_is_refused_and_a_refusal_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], name: str, ending: str
) -> None:
    work = tmp_path_factory.mktemp("l")
    store = base_store(work / "s.db")
    data = ending.join(lines).encode("utf-8", "surrogatepass")
    folder = work / hashlib.sha1(data).hexdigest()
    folder.mkdir()
    path: Path = folder / name
    path.write_bytes(data)
    assert check_load(store, path) in ("ok", "refused")
