"""A catalogue of hostile inputs, generated systematically: for every format, malformed
structure, hostile strings, encodings, sizes and numbers. Each kind is loaded through the
command line (in this process, as `casegraph load FILE` runs): it ends in exit 0 or exit 2 with
one line naming the file, never exit 70; a refused load leaves the store exactly as it was, and
a store that took the file stays sound and prints strict JSON.

The property-based fuzzers beside this file try random inputs; this one names each kind, so a
failure says which, and none is left to chance.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.fuzz.cli_helpers import run_in_process
from tests.fuzz.conftest import base_store
from tests.security.storecheck import integrity, snapshot

STIX_ID = "--00000000-0000-4000-8000-00000000000"


class Kind(NamedTuple):
    id: str
    name: str  # the file's name (its extension picks the loader unless args force one)
    data: bytes
    args: tuple[str, ...] = ()


# Strings that have broken parsers, terminals, stores or views somewhere.
STRINGS = {
    "nul": "a\x00b", "escape": "Evil\x1b[2J\x1b[31mCorp", "osc": "t\x1b]0;pwned\x07x",
    "bidi": "Co \u202eevil", "zero-width": "N\u200bS\u200dO", "line-sep": "a\u2028b\u2029c",
    "newline": "forged\nerror: fine", "cr": "a\rb", "bom": "\ufeffName", "nonchar": "x\uffffy",
    "private": "\ue000\U000f0000", "emoji": "Ca\U0001f600t", "combining": "e\u0301\u0301\u0301",
    "fullwidth": "\uff2e\uff33\uff2f", "markup": "<img src=x onerror=alert(1)>",
    "script": "</script><script>alert(1)</script>", "template": "{{7*7}}${x}{% x %}",
    "sql": "x'); DROP TABLE entities; --", "cypher": "`}) DETACH DELETE n //",
    "formula": "=HYPERLINK(\"http://x\")", "long": "L" * 100_000, "only-symbols": "?!*",
    "spaces": " \t ", "quotes": "\"'`\u2019", "backslashes": "\\\\\\", "percent": "%_%",
}  # fmt: skip
# JSON number texts: ones a store cannot keep, and odd but valid ones.
NUMBERS = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 22, "9223372036854775808",
           "-9223372036854775809", "1e-400", "-0", "1.5e308", "0.0000001", "9" * 5000]  # fmt: skip
# Encodings given with --encoding: text ones that make lone surrogates, transforms, nonsense.
ENCODINGS = ["utf-7", "unicode_escape", "raw_unicode_escape", "utf-16", "utf-32", "utf-16-le",
             "rot13", "base64", "zlib", "hex", "no-such-codec", "latin-1", "punycode", "idna",
             "cp037"]  # fmt: skip
# Byte strings no text should be: invalid, overlong, surrogate and truncated UTF-8, binary.
BAD_BYTES = {
    "invalid-utf8": b"\xff\xfe\xfa", "overlong": b"\xc0\x80\xe0\x80\x80", "cesu-surrogate":
    b"\xed\xa0\x80", "truncated": b"Caf\xc3", "png": b"\x89PNG\r\n\x1a\n\x00\x00", "nuls": b"\x00" * 64,
}  # fmt: skip


def j(value: Any) -> str:
    """JSON text; lone surrogates written as \\u escapes (as another program would)."""
    return json.dumps(value, ensure_ascii=True)


# ---------------------------------------------------------------------------- per format
def jsonl(name: str, extra: str = "") -> bytes:
    return (f'{{"type": "Company", "name": {j(name)}{extra}}}\n'
            f'{{"source": {j(name)}, "type": "OWNS", "target": "Pegasus", "source_type": "Company",'
            f' "quote": {j("quote " + name)}}}\n').encode("utf-8", "surrogatepass")  # fmt: skip


def csv_rows(name: str) -> bytes:
    cell = '"' + name.replace('"', '""') + '"'
    return f"source,target,type,quote\n{cell},Pegasus,OWNS,{cell}\n".encode(
        "utf-8", "surrogatepass"
    )


def text(name: str) -> bytes:
    return f"NSO Group hired {name} in 2019.\n\n{name} sued Meta.\n".encode(
        "utf-8", "surrogatepass"
    )


def html(name: str) -> bytes:
    return (f"<!doctype html><html><head><title>{name}</title></head><body><article>"
            f"<p>NSO Group hired {name} in 2019, the report says.</p></article></body></html>"
            ).encode("utf-8", "surrogatepass")  # fmt: skip


def stix(name: str, extra: str = "") -> bytes:
    return ('{"type": "bundle", "id": "bundle' + STIX_ID + '1", "objects": [\n'
            '{"type": "malware", "id": "malware' + STIX_ID + '1", "name": ' + j(name) + extra + '},\n'
            '{"type": "intrusion-set", "id": "intrusion-set' + STIX_ID + '2", "name": "Set"},\n'
            '{"type": "relationship", "id": "relationship' + STIX_ID + '3", "relationship_type":'
            ' "uses", "source_ref": "intrusion-set' + STIX_ID + '2", "target_ref": "malware'
            + STIX_ID + '1"}]}\n').encode("utf-8", "surrogatepass")  # fmt: skip


def ftm(name: str, extra: str = "") -> bytes:
    return ('{"id": "p1", "schema": "Person", "properties": {"name": [' + j(name) + ']}' + extra
            + '}\n{"id": "c1", "schema": "Company", "properties": {"name": ["Firm"]}}\n'
            '{"id": "d1", "schema": "Directorship", "properties": {"director": ["p1"],'
            ' "organization": ["c1"]}}\n').encode("utf-8", "surrogatepass")  # fmt: skip


def misp(name: str, extra: str = "") -> bytes:
    return ('{"type": "surveillance-vendor", "name": "Vendors", "uuid": "u", "category": "c",'
            ' "authors": ["a"], "source": "s", "values": [{"value": ' + j(name) + ', "uuid": "1",'
            ' "meta": {"synonyms": [' + j(name + " Ltd") + '], "products": ["Tool"]}' + extra
            + '}]}\n').encode("utf-8", "surrogatepass")  # fmt: skip


def indicators(name: str) -> bytes:
    return f"evil.example\n{name}\n10.0.0.1\n".encode("utf-8", "surrogatepass")


FORMATS: dict[str, tuple[str, Callable[[str], bytes], tuple[str, ...]]] = {
    "jsonl": ("x.jsonl", jsonl, ()), "csv": ("x.csv", csv_rows, ()), "text": ("x.txt", text, ()),
    "html": ("x.html", html, ()), "stix": ("x.json", stix, ("--format", "stix")),
    "ftm": ("x.ftm", ftm, ("--format", "ftm")), "misp": ("x.json", misp, ("--format", "misp")),
    "indicators": ("domains.txt", indicators, ("--format", "indicators")),
}  # fmt: skip


# ---------------------------------------------------------------------------- the kinds
def structure() -> Iterator[Kind]:
    for fmt, (name, _, args) in FORMATS.items():
        for kind, data in {"empty": b"", "blank": b" \n\t\n", "bom-only": b"\xef\xbb\xbf",
                           "garbage": b"\x13\x37 not this format at all \x01",
                           "nul-bytes": b"\x00" * 200}.items():  # fmt: skip
            yield Kind(f"{fmt}-{kind}", name, data, args)
    json_broken = {
        "truncated": b'{"type": "Company", "name": "Cut', "trailing": b'{"type": "Company", "name":'
        b' "A"} trailing', "array-top": b"[1, 2, 3]\n", "string-top": b'"just a string"\n',
        "deep": b'{"type": "Company", "name": "D", "properties": ' + b"[" * 200 + b"]" * 200 + b"}\n",
        "dup-keys": b'{"type": "Company", "type": "Person", "name": "Twice"}\n',
        "wrong-types": b'{"type": ["Company"], "name": {"a": 1}}\n',
        "relation-no-ends": b'{"type": "OWNS", "quote": "q"}\n',
        "unknown-field": b'{"type": "Company", "name": "A", "evil": true}\n',
        "cr-only": b'{"type": "Company", "name": "A"}\r{"type": "Company", "name": "B"}\r',
    }  # fmt: skip
    for kind, data in json_broken.items():
        yield Kind(f"jsonl-{kind}", "x.jsonl", data)
    yield from (
        Kind("stix-no-objects", "x.json", b'{"type": "bundle", "id": "bundle' + STIX_ID.encode()
             + b'1"}', ("--format", "stix")),
        Kind("stix-objects-not-list", "x.json", b'{"type": "bundle", "id": "b", "objects": 7}',
             ("--format", "stix")),
        Kind("stix-dangling-ref", "x.json", stix("M").replace(b"malware" + STIX_ID.encode() + b'1"}]',
             b'malware--ffffffff-0000-4000-8000-000000000001"}]'), ("--format", "stix")),
        Kind("stix-deep", "x.json", b'[{"type": "malware", "id": "malware' + STIX_ID.encode()
             + b'1", "name": "M", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}]", ("--format", "stix")),
        Kind("ftm-no-schema", "x.ftm", b'{"id": "p", "properties": {"name": ["P"]}}\n',
             ("--format", "ftm")),
        Kind("ftm-unknown-schema", "x.ftm", b'{"id": "p", "schema": "Spaceship", "properties":'
             b' {"name": ["P"]}}\n', ("--format", "ftm")),
        Kind("ftm-properties-not-lists", "x.ftm", b'{"id": "p", "schema": "Person", "properties":'
             b' {"name": "P"}}\n', ("--format", "ftm")),
        Kind("misp-values-not-list", "x.json", misp("A").replace(b'"values": [', b'"values": {"a": [')
             .replace(b"}]}\n", b"}]}}\n"), ("--format", "misp")),
        Kind("misp-value-not-string", "x.json", misp("A").replace(b'"value": "A"', b'"value": 7'),
             ("--format", "misp")),
        Kind("csv-unclosed-quote", "x.csv", b'name,type\n"Never closed,Company\nB,Company\n'),
        Kind("csv-header-only", "x.csv", b"source,target,type\n"),
        Kind("csv-duplicate-columns", "x.csv", b"name,name,type\nA,B,Company\n"),
        Kind("csv-ragged", "x.csv", b"source,target,type\nA\nA,B,OWNS,extra,more\n"),
        Kind("csv-no-known-columns", "x.csv", b"alpha,beta\n1,2\n"),
        Kind("csv-delimiter-soup", "x.csv", b"a;b,c\td|e\n1;2,3\t4|5\n"),
        Kind("html-unclosed", "x.html", b"<!doctype html><html><body><p>NSO Group hired"
             b" <b><i><u>Black Cube"),
        Kind("html-nested-deep", "x.html", b"<!doctype html><html><body>" + b"<div>" * 20_000
             + b"NSO Group hired Black Cube." + b"</div>" * 20_000 + b"</body></html>"),
        Kind("html-script-only", "x.html", b"<!doctype html><html><body><script>"
             + b"var x = 1;" * 1000 + b"</script></body></html>"),
        Kind("text-markdown-noise", "x.md", b"# " * 5000 + b"\n" + b"* [x](y) " * 5000),
    )  # fmt: skip
    # Character references and declared charsets an HTML parser decodes itself.
    for kind, ref in {"surrogate": "&#xd800;", "surrogate-pair-split": "&#xd83d;&#xde00;",
                      "beyond-unicode": "&#x110000;", "nul": "&#0;", "huge": "&#99999999999;",
                      "control": "&#x1b;[2J", "unterminated": "&#x41", "named-unknown": "&bogus;",
                      "bidi": "&#x202e;"}.items():  # fmt: skip
        yield Kind(f"html-charref-{kind}", "x.html", html(f"Ev{ref}il Corp"))
    for charset in ("utf-7", "utf-16", "x-no-such", "unicode_escape", "rot13", "base64"):
        head = f'<meta charset="{charset}">'.encode()
        yield Kind(f"html-meta-charset-{charset}", "x.html",
                   html("Caf\u00e9 +AGQ- Ltd").replace(b"<head>", b"<head>" + head))  # fmt: skip


def hostile_strings() -> Iterator[Kind]:
    chosen = {
        "jsonl": STRINGS, "csv": STRINGS, "stix": STRINGS, "ftm": STRINGS, "misp": STRINGS,
        "text": {k: STRINGS[k] for k in ("escape", "bidi", "markup", "nul", "long", "emoji",
                                          "newline", "formula", "line-sep")},
        "html": {k: STRINGS[k] for k in ("script", "escape", "bidi", "template", "long", "nul")},
        "indicators": {k: STRINGS[k] for k in ("escape", "bidi", "long", "nul", "sql")},
    }  # fmt: skip
    for fmt, strings in chosen.items():
        name, make, args = FORMATS[fmt]
        for kind, value in strings.items():
            yield Kind(f"{fmt}-string-{kind}", name, make(value), args)
    for fmt in ("jsonl", "stix", "ftm", "misp"):
        name, make, args = FORMATS[fmt]
        for kind, value in {"lone-high": "A\ud800B", "lone-low": "\udc00", "reversed-pair":
                            "\ude00\ud83d", "high-at-end": "Z\udbff"}.items():  # fmt: skip
            yield Kind(f"{fmt}-surrogate-{kind}", name, make(value), args)


def encodings() -> Iterator[Kind]:
    for fmt in ("csv", "text", "indicators", "jsonl"):
        name, make, args = FORMATS[fmt]
        sample = make("Caf\u00e9 +2AA- \\ud800 Ltd")
        for encoding in ENCODINGS:
            yield Kind(f"{fmt}-encoding-{encoding}", name, sample, (*args, "--encoding", encoding))
    for fmt in ("jsonl", "csv", "text", "html", "stix", "ftm", "indicators"):
        name, make, args = FORMATS[fmt]
        good = make("NSO Group")
        for kind, bad in BAD_BYTES.items():
            yield Kind(f"{fmt}-bytes-{kind}", name, good[:20] + bad + good[20:], args)
        yield Kind(f"{fmt}-utf16-bom", name, good.decode("utf-8").encode("utf-16"), args)
        yield Kind(f"{fmt}-utf16-no-bom", name, good.decode("utf-8").encode("utf-16-le"), args)


def sizes() -> Iterator[Kind]:
    for fmt, (name, _, args) in FORMATS.items():
        yield Kind(f"{fmt}-one-byte", name, b"{", args)
    yield from (
        Kind("text-over-10MB", "x.txt", b"NSO Group hired Black Cube. " * 400_000),
        Kind("html-over-10MB", "x.html", b"<!doctype html><html><body><p>" + b"x" * 10_100_000
             + b"</p></body></html>"),
        Kind("html-many-tags", "x.html", b"<!doctype html><html><body>" + b"<p>a</p>" * 60_000
             + b"</body></html>"),
        Kind("csv-wide", "x.csv", b",".join(b"c%d" % i for i in range(20_000)) + b"\n"
             + b",".join(b"v" for _ in range(20_000)) + b"\n"),
        Kind("csv-huge-field", "x.csv", b'name,type\n"' + b"f" * 300_000 + b'",Company\n'),
        Kind("jsonl-many-aliases", "x.jsonl", j({"type": "Company", "name": "Many",
             "aliases": [f"alias {i}" for i in range(20_000)]}).encode() + b"\n"),
        Kind("jsonl-wide-properties", "x.jsonl", j({"type": "Company", "name": "Wide",
             "properties": {f"k{i}": i for i in range(20_000)}}).encode() + b"\n"),
        Kind("jsonl-5000-lines", "x.jsonl", b"".join(j({"type": "Person", "name": f"P {i}"}).encode()
             + b"\n" for i in range(5000))),
        Kind("stix-5000-objects", "x.json", ("[" + ",".join(j({"type": "malware", "id": "malware--"
             f"00000000-0000-4000-8000-{i:012d}", "name": f"M {i}"}) for i in range(5000))
             + "]").encode(), ("--format", "stix")),
        Kind("indicators-long-line", "domains.txt", b"a" * 2_000_000 + b".example\n",
             ("--format", "indicators")),
    )  # fmt: skip


def numbers() -> Iterator[Kind]:
    for number in NUMBERS:
        tag = number if len(number) < 24 else f"{number[:3]}...({len(number)})"
        yield Kind(f"jsonl-property-{tag}", "x.jsonl", jsonl("N", f', "properties": {{"n": {number}}}')
                   .split(b"\n")[0] + b"\n")  # fmt: skip
        yield Kind(
            f"misp-description-{tag}",
            "x.json",
            misp("N", f', "description": {number}'),
            ("--format", "misp"),
        )
        yield Kind(
            f"stix-confidence-{tag}",
            "x.json",
            stix("N", f', "confidence": {number}'),
            ("--format", "stix"),
        )
        yield Kind(
            f"ftm-extra-{tag}", "x.ftm", ftm("N", f', "datasets": [{number}]'), ("--format", "ftm")
        )
    for field, values in {"confidence": ["-1", "2", "1e400", '"high"', "NaN"],
                          "start": ["-5", "1e30", "2.5", '"0"', "99999999999999999999"],
                          "end": ["-1", "0"]}.items():  # fmt: skip
        for value in values:
            extra = ', "start": 0, "end": 3' if field == "confidence" else ""
            body = (f'{{"type": "Company", "name": "A"}}\n{{"type": "Company", "name": "B"}}\n'
                    f'{{"source": "A", "type": "OWNS", "target": "B", "quote": "q", '
                    f'"{field}": {value}{extra}}}\n')  # fmt: skip
            yield Kind(f"jsonl-{field}-{value}", "x.jsonl", body.encode())


def all_kinds() -> list[Kind]:
    kinds = [*structure(), *hostile_strings(), *encodings(), *sizes(), *numbers()]
    ids = [k.id for k in kinds]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    return kinds


KINDS = all_kinds()


def test_the_catalogue_is_large_and_covers_every_format() -> None:
    assert len(KINDS) >= 150, len(KINDS)
    for fmt in FORMATS:
        assert sum(k.id.startswith(fmt + "-") for k in KINDS) >= 10, fmt


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return base_store(tmp_path_factory.mktemp("hostile") / "base.db")


def strict_json(text: str) -> Any:
    def refuse(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("kind", KINDS, ids=[k.id for k in KINDS])
def test_a_hostile_input_is_loaded_or_refused_never_crashed(
    template: Path, tmp_path: Path, kind: Kind
) -> None:
    store = tmp_path / "case.db"
    shutil.copyfile(template, store)
    src = tmp_path / kind.name
    src.write_bytes(kind.data)
    before = snapshot(store)
    code, out, err = run_in_process(["--store", str(store), "load", str(src), *kind.args])
    assert code in (0, 2), f"exit {code}: {err[:500]}"
    assert "Traceback" not in err and "internal error" not in err, err[:500]
    assert integrity(store) == "ok"
    if code == 2:
        assert err.startswith("error: ") and err.count("\n") == 1, err[:500]
        assert kind.name in err or "--encoding" in " ".join(kind.args), err[:500]
        assert len(err) < 1200, len(err)
        assert snapshot(store) == before, "a refused load changed the store"
        return
    code, out, err = run_in_process(["--store", str(store), "entities", "--limit", "500", "--json"])
    assert code == 0, err[:500]
    strict_json(out)
    code, out, err = run_in_process(["--store", str(store), "check", "--json"])
    assert code == 0 and strict_json(out)["sound"], out[:500]
