"""Text encodings: UTF-8 and byte-order marks, detection when it is sure, refusal when it is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.errors import LoaderError
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.encoding import decode
from casegraph.loaders.text import LOADER as TEXT

README = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "loaders"
    / "indicator_lists"
    / "2024-05-01_glasshouse"
    / "README.md"
)


def test_utf8_and_byte_order_marks_need_no_detection(tmp_path: Path) -> None:
    text = "Café — Société\n"
    for encoding, expected in (("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"),
                               ("utf-16", "utf-16"), ("utf-32", "utf-32")):  # fmt: skip
        got = decode(text.encode(encoding), tmp_path / "x.txt")
        assert (got.text.removeprefix("\ufeff"), got.encoding, got.detected) == (
            text, expected, False,
        )  # fmt: skip


def test_a_windows_1252_readme_is_detected_and_decoded() -> None:
    data = README.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    got = decode(data, README)
    assert got.detected and got.encoding == "cp1252"
    assert got.text == data.decode("cp1252")
    assert "**glasshouse.stix2** — the indicators" in got.text


def test_when_the_detector_is_unsure_the_file_is_refused_naming_line_and_byte(
    tmp_path: Path,
) -> None:
    # one byte that is an em dash in Windows-1252, a letter in KOI8-R: no way to tell
    path = tmp_path / "short.txt"
    for data in (b"first line\nabc \x97 def\n", b"Caf\xe9\n", bytes(range(128, 256)) * 3):
        with pytest.raises(LoaderError, match=r"short\.txt:\d+: not valid UTF-8 \(byte 0x[0-9a-f]{2}"
                           r" at offset \d+\) and its encoding cannot be told reliably; pass "
                           r"--encoding"):  # fmt: skip
            decode(data, path)
    with pytest.raises(
        LoaderError, match=r"short\.txt:2: not valid UTF-8 \(byte 0x97 at offset 15"
    ):
        decode(b"first line\nabc \x97 def\n", path)


def test_a_given_encoding_wins_and_a_wrong_one_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    assert decode("Zürich\n".encode("cp1252"), path, "cp1252").encoding == "cp1252"
    assert decode("Zürich\n".encode(), path, "latin-1").text == "ZÃ¼rich\n"
    with pytest.raises(LoaderError, match=r"x\.txt:2: not valid utf-8 \(byte 0xfc"):
        decode("ok\nZürich\n".encode("cp1252"), path, "utf-8")
    with pytest.raises(LoaderError, match="unknown encoding 'no-such-codec'"):
        decode(b"x", path, "no-such-codec")
    with pytest.raises(LoaderError, match="'rot13' is not a text encoding"):
        decode(b"x", path, "rot13")


def test_the_text_loader_records_the_encoding_it_used(tmp_path: Path) -> None:
    (source,) = TEXT.read(README, LoadOptions())
    assert source.document.properties["encoding"] == "cp1252"
    assert source.document.text is not None and "— the indicators" in source.document.text
    plain = tmp_path / "plain.md"
    plain.write_text("", encoding="utf-8")
    (empty,) = TEXT.read(plain, LoadOptions())
    assert empty.document.properties["encoding"] == "utf-8"
