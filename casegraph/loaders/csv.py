"""CSV and TSV tables (entities, relations, indicators, plain edge lists) read row by row.

Tables, told apart by the header (names compared case-insensitively):
- relations: `source` and `target` columns (or from/to, subject/object; or --source-col and
  --target-col), an optional `type` column (else --rel-type, else MENTIONED_WITH, the weak link),
  optional `source_type`/`target_type` (else --entity-type for both ends), `source_id`/`target_id`
  (xids), `quote` (or comment, evidence, description, notes), `confidence`. Ends with a known type
  are also emitted as entities, once per file, before their first relation.
- entities: a `name` column, `type` (else --entity-type), `aliases` (split on ";"), `id`, `quote`.
- indicators (Meta's threat-research CSVs): `indicator_type` and `indicator_value`; each row is an
  Indicator whose kind comes from indicator_type (domain_name -> domain, ip -> ip, md5/sha256 ->
  hash with hash_algorithm, url/phishing_url/cib_url/telegram_url -> url, android_package_name
  and ios_app_id -> app, else the label itself) and whose name is the normalised value; the
  `comment` column is the evidence quote and is kept as a property. A mapping's "indicates" (or
  a --target-col column) makes every row INDICATES that entity; without one, what the comment
  names ("Cytrox Domain", "APT36: C2 for malware", "Hosting PluginPhantom malware") is
  INDICATES-linked, typed by the comment's words and the table's file name as
  casegraph.loaders.csv_comments says (a mapping's "target_type" overrides the type), with
  confidence 0.8 and property named_in "comment"; a comment naming nothing links nothing.
- indicator columns (Amnesty's domain_name,ip_address or sha256,Description): every non-empty
  cell of a column named by a kind (domain, ip_address, sha256, url, email, ...) is an Indicator.
- edges: no header and 2 or 3 columns: source, target[, type] (type as for relations).
Every other column becomes a property of the row's entity or relation. Evidence: locator
"line N" (the line the record starts on), quote the quote column or "", extractor "csv".

Mapping file (options.mapping, JSON; every key optional, load options win over it):
    {"table": "relations" | "entities" | "indicators" | "indicator_columns" | "edges",
     "header": true | false,
     "columns": {"<role>": "<column name>" or <1-based column number>, ...},
     "rel_type": "USED", "entity_type": "Company", "source_type": "Company",
     "target_type": "Product", "indicates": {"name": "Predator", "type": "Product"},
     "kinds": {"<indicator_type or column name>": "<kind>"}, "alias_separator": ";",
     "properties": ["<column kept as a property>", ...], "delimiter": ";", "encoding": "cp1252"}
Roles: source, target, type, source_type, target_type, source_id, target_id, name, entity_type,
aliases, id, quote, confidence, indicator_type, indicator_value, kind.

Encoding: options.encoding (or the mapping's) if given; else a UTF-8 or UTF-16 byte-order mark;
else UTF-8 if the first 64 KiB decode as UTF-8; else cp1252 if they decode as cp1252; else
latin-1. A later line that does not decode raises LoaderError naming the line. Delimiter:
options.delimiter, else tab for .tsv, else csv.Sniffer over the first 64 KiB among , ; tab |,
else a comma.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from casegraph.errors import LoaderError, ValidationError
from casegraph.graph.model import Document, Fact, Source, fs_text
from casegraph.loaders.base import MAX_LINE_BYTES, LoadOptions, hash_file, read_lines
from casegraph.loaders.csv_layout import Layout, Mapping, build_layout, load_mapping
from casegraph.loaders.csv_rows import RowReader
from casegraph.loaders.encoding import refuse_surrogates

SAMPLE_BYTES = 1 << 16
# Text given to csv.Sniffer: its regular expressions take time quadratic in it (64 KiB of
# ",'" lines took 35 s), so only the first lines are sniffed.
SNIFF_CHARS = 8192
DELIMITERS = ",;\t|"
_NAMED_DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


class CsvLoader:
    name = "csv"
    extensions = (".csv", ".tsv")

    def sniff(self, path: Path, head: bytes) -> bool:
        """A CSV file is text whose first lines split into the same number (2+) of fields."""
        text = _decode_sample(head)
        if text is None or text.lstrip()[:1] in ("{", "[", "<", ""):
            return False
        lines = [line for line in text.splitlines()[:6] if line.strip()][:5]
        if len(lines) < 2:
            return False
        try:
            dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS)
        except csv.Error:
            return False
        widths = {len(row) for row in csv.reader(lines, dialect)}
        return len(widths) == 1 and min(widths) >= 2

    def read(self, path: Path, options: LoadOptions) -> Iterator[Source]:
        mapping = load_mapping(options.mapping)
        sample = _sample(path)
        encoding = detect_encoding(sample, options.encoding or mapping.encoding, str(path))
        dialect = _dialect(path, sample, encoding, options.delimiter or mapping.delimiter)
        layout = _layout(path, encoding, dialect, mapping, options)
        props: dict[str, Any] = {
            "encoding": encoding, "delimiter": dialect.delimiter, "table": layout.table,
            "header": layout.header, "rows": 0,
            "columns": {role: layout.names[i] for role, i in layout.roles.items()},
        }  # fmt: skip
        doc = Document(
            id=hash_file(path), title=path.name, path=str(path.resolve()), loader=self.name,
            properties=props,
        )  # fmt: skip
        yield Source(doc, _facts(path, doc.id, encoding, dialect, layout, props))


def detect_encoding(sample: bytes, forced: str | None, where: str) -> str:
    """The encoding to read a file with, by the rule in the module docstring."""
    if forced:
        try:
            info = codecs.lookup(forced)
        except LookupError:
            raise LoaderError(f"unknown encoding {forced!r}", path=where) from None
        if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib: transforms
            raise LoaderError(f"{forced!r} is not a text encoding", path=where)
        try:
            codecs.getincrementaldecoder(info.name)(errors="replace").decode(sample, final=False)
        except UnicodeError as e:  # e.g. utf-16 without a byte-order mark
            raise LoaderError(f"cannot read as {info.name}: {e}", path=where) from None
        return info.name
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _decode_sample(sample: bytes) -> str | None:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
    return None


def _sample(path: Path) -> bytes:
    try:
        with path.open("rb") as fh:
            return fh.read(SAMPLE_BYTES)
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e


def _dialect(path: Path, sample: bytes, encoding: str, delimiter: str | None) -> type[csv.Dialect]:
    if delimiter:
        delimiter = _NAMED_DELIMITERS.get(delimiter.casefold(), delimiter)
        if len(delimiter) != 1:
            raise LoaderError(f"delimiter {delimiter!r} must be one character", path=str(path))
    elif path.suffix.lower() == ".tsv":
        delimiter = "\t"
    if delimiter:
        return type("Given", (csv.excel,), {"delimiter": delimiter})
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)
    if len(sample) == SAMPLE_BYTES or len(text) > SNIFF_CHARS:
        text = text[:SNIFF_CHARS]
        text = text[: text.rfind("\n") + 1] or text
    try:
        sniffed = csv.Sniffer().sniff(text, delimiters=DELIMITERS)
    except csv.Error:
        return csv.excel
    return type("Sniffed", (csv.excel,), {
        "delimiter": sniffed.delimiter, "quotechar": sniffed.quotechar or '"',
        "skipinitialspace": sniffed.skipinitialspace,
    })  # fmt: skip


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except OSError as e:
        raise LoaderError(f"cannot read: {e.strerror or e}", path=str(path)) from e


def _lines(fh: IO[bytes], encoding: str, path: Path) -> Iterator[str]:
    """The file's decoded lines; a line that does not decode is an error naming it."""
    if encoding.startswith("utf-16"):
        text = io.TextIOWrapper(fh, encoding=encoding, newline="")
        lineno = 0
        while True:
            try:
                line = text.readline(MAX_LINE_BYTES // 2 + 1)
            except UnicodeError as e:
                raise LoaderError(  # the decoder reads ahead: the fault is at or after here
                    f"not valid {encoding} after line {lineno} ({getattr(e, 'reason', e)}); "
                    "pass the file's encoding", path=str(path),
                ) from e  # fmt: skip
            if not line:
                return
            lineno += 1
            refuse_surrogates(line, path, lineno)
            if len(line) > MAX_LINE_BYTES // 2 and not line.endswith(("\n", "\r")):
                raise LoaderError(f"line longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB",
                                  path=str(path), line=lineno)  # fmt: skip
            yield line
    decoder = codecs.getincrementaldecoder(encoding)()
    lineno = 0
    for lineno, raw in read_lines(fh, path):
        try:
            yield refuse_surrogates(decoder.decode(raw), path, lineno)
        except UnicodeDecodeError as e:
            byte = f" is {raw[e.start]:#04x}" if e.start < len(raw) else ""
            raise LoaderError(
                f"not valid {encoding} (byte {e.start + 1} of the line{byte}); "
                "pass the file's encoding, e.g. cp1252",
                path=str(path),
                line=lineno,
            ) from e
        except UnicodeError as e:  # a decoder's other complaints (punycode, utf-16 without BOM)
            raise LoaderError(f"not valid {encoding} ({e}); pass the file's encoding",
                              path=str(path), line=lineno) from e  # fmt: skip
    try:
        decoder.decode(b"", final=True)
    except UnicodeError as e:
        raise LoaderError(
            f"not valid {encoding}: the file ends inside a character", path=str(path), line=lineno
        ) from e


def _records(
    path: Path, encoding: str, dialect: type[csv.Dialect]
) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) for each non-blank record."""
    with _open(path) as fh:
        reader = csv.reader(_lines(fh, encoding, path), dialect)
        start = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                hint = " (an unclosed quote?)" if "field limit" in str(e) else ""
                raise LoaderError(f"malformed CSV: {e}{hint}", path=str(path), line=start) from e
            if any(cell.strip() for cell in row):
                yield start, row
            start = reader.line_num + 1


def _layout(
    path: Path, encoding: str, dialect: type[csv.Dialect], mapping: Mapping, options: LoadOptions
) -> Layout:
    for _, first in _records(path, encoding, dialect):
        return build_layout(first, mapping, options, str(path))
    raise LoaderError("empty table: no rows", path=str(path))


def _facts(
    path: Path, doc_id: str, encoding: str, dialect: type[csv.Dialect], layout: Layout,
    props: dict[str, Any],
) -> Iterator[Fact]:  # fmt: skip
    rows = RowReader(layout, doc_id, context=fs_text(path.stem))
    records = _records(path, encoding, dialect)
    if layout.header:
        next(records, None)
    for lineno, row in records:
        props["rows"] += 1
        try:
            yield from rows.facts(row, lineno)
        except ValidationError as e:
            message = str(e).removeprefix(f"line {lineno}: ")
            raise LoaderError(message, path=str(path), line=lineno) from e


LOADER = CsvLoader()
