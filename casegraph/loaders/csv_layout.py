"""What a CSV table holds: its mapping file, and which column plays which role."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from casegraph.errors import FormatNotRecognised, LoaderError, ValidationError, shown
from casegraph.graph.model import check_endpoints, make_entity
from casegraph.graph.schema import load_schema
from casegraph.loaders.base import LoadOptions
from casegraph.loaders.stix_indicators import hash_algorithm, kind_for

TABLES = ("relations", "entities", "indicators", "indicator_columns", "edges")
# Role -> header names that play it (compared case-insensitively, spaces as underscores).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "source": ("source", "from", "subject", "src", "source_name"),
    "target": ("target", "to", "object", "dst", "target_name"),
    "type": ("type", "relation", "relationship", "rel_type", "relation_type", "predicate"),
    "source_type": ("source_type", "from_type", "subject_type"),
    "target_type": ("target_type", "to_type", "object_type"),
    "source_id": ("source_id", "from_id"),
    "target_id": ("target_id", "to_id"),
    "name": ("name", "entity", "entity_name", "label"),
    "entity_type": ("entity_type", "type"),
    "aliases": ("aliases", "alias", "aka"),
    "id": ("id", "xid", "entity_id"),
    "quote": ("quote", "comment", "evidence", "sentence", "description", "notes", "note"),
    "confidence": ("confidence", "score"),
    "indicator_type": ("indicator_type", "ioc_type"),
    "indicator_value": ("indicator_value", "ioc_value", "ioc", "indicator"),
    "kind": ("kind",),
}
MAPPING_KEYS = {
    "table", "header", "columns", "rel_type", "entity_type", "source_type", "target_type",
    "indicates", "kinds", "alias_separator", "delimiter", "encoding", "properties",
}  # fmt: skip
ROLES_BY_TABLE: dict[str, tuple[str, ...]] = {
    "relations": ("source", "target", "type", "source_type", "target_type", "source_id",
                  "target_id", "quote", "confidence"),
    "edges": ("source", "target", "type"),
    "entities": ("name", "entity_type", "aliases", "id", "quote", "confidence", "kind"),
    "indicators": ("indicator_type", "indicator_value", "quote", "confidence", "target"),
    "indicator_columns": ("quote", "confidence", "target"),
}  # fmt: skip


@dataclass
class Mapping:
    """A mapping file's content (see the csv module docstring), all keys optional."""

    table: str | None = None
    header: bool | None = None
    columns: dict[str, str | int] = field(default_factory=dict)
    rel_type: str | None = None
    entity_type: str | None = None
    source_type: str | None = None
    target_type: str | None = None
    indicates: tuple[str, str] | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    alias_separator: str = ";"
    delimiter: str | None = None
    encoding: str | None = None
    properties: list[str] | None = None


@dataclass
class Layout:
    """The roles of a table's columns, by index, and the fixed values that fill missing ones."""

    table: str
    header: bool
    names: list[str]
    roles: dict[str, int]
    rel_type: str | None = None
    source_type: str | None = None
    target_type: str | None = None
    entity_type: str | None = None
    indicates: tuple[str, str] | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    kind_columns: dict[int, tuple[str, str | None]] = field(default_factory=dict)
    property_columns: list[int] = field(default_factory=list)
    alias_separator: str = ";"


def load_mapping(path: Path | None) -> Mapping:
    """The mapping file at path (an empty Mapping when None); errors name the file and key."""
    if path is None:
        return Mapping()
    where = str(path)
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except OSError as e:
        raise LoaderError(f"cannot read mapping file: {e.strerror or e}", path=where) from e
    except ValueError as e:
        raise LoaderError(f"mapping file is not valid JSON: {e}", path=where) from e
    if not isinstance(raw, dict):
        raise LoaderError("mapping file must hold a JSON object", path=where)
    unknown = sorted(set(raw) - MAPPING_KEYS)
    if unknown:
        valid = ", ".join(sorted(MAPPING_KEYS))
        raise LoaderError(f"unknown mapping key {unknown[0]!r}; valid keys: {valid}", path=where)
    mapping = Mapping()
    for key in ("table", "rel_type", "entity_type", "source_type", "target_type", "delimiter",
                "encoding", "alias_separator"):  # fmt: skip
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise LoaderError(f"mapping key {key!r} must be a string", path=where)
        if value is not None:
            setattr(mapping, key, value)
    if mapping.table is not None and mapping.table not in TABLES:
        raise LoaderError(f"table {mapping.table!r}; valid: {', '.join(TABLES)}", path=where)
    if "header" in raw and not isinstance(raw["header"], bool):
        raise LoaderError("mapping key 'header' must be true or false", path=where)
    mapping.header = raw.get("header")
    for key in ("columns", "kinds"):
        value = raw.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str | int) for v in value.values()):
            raise LoaderError(f"mapping key {key!r} must be an object of names", path=where)
        setattr(mapping, key, dict(value))
    if "properties" in raw:
        props = raw["properties"]
        if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
            raise LoaderError("mapping key 'properties' must be a list of column names", path=where)
        mapping.properties = props
    if "indicates" in raw:
        ind = raw["indicates"]
        if isinstance(ind, str):
            ind = {"name": ind}
        if not isinstance(ind, dict) or not isinstance(ind.get("name"), str):
            raise LoaderError("mapping key 'indicates' must be a name or {name, type}", path=where)
        mapping.indicates = (ind["name"], str(ind.get("type", "Product")))
    return mapping


def _key(label: str) -> str:
    return label.strip().lstrip("\ufeff").casefold().replace(" ", "_").replace("-", "_")


def _role_of(label: str) -> set[str]:
    key = _key(label)
    return {role for role, names in SYNONYMS.items() if key in names}


def is_header(row: list[str], wanted: set[str]) -> bool:
    """Whether a first row names columns: a known role, an indicator kind, or an asked-for name."""
    for cell in row:
        key = _key(cell)
        if key in wanted or _role_of(cell) or kind_for(cell) or hash_algorithm(cell):
            return True
    return False


def _is_relation_type(cell: str) -> bool:
    try:
        load_schema().relation_type(cell.strip())
    except ValidationError:
        return False
    return True


def build_layout(first: list[str], mapping: Mapping, options: LoadOptions, where: str) -> Layout:
    """The layout of a table from its first row, its mapping file and the load options."""
    asked = {
        "source": options.source_col, "target": options.target_col, "type": options.type_col,
    }  # fmt: skip
    columns: dict[str, str | int] = dict(mapping.columns)
    columns.update({role: col for role, col in asked.items() if col})
    wanted = {_key(str(c)) for c in columns.values() if isinstance(c, str) and not c.isdigit()}
    header = mapping.header
    if header is None:
        # 4+ columns or a third column that is no relation type cannot be an edge list.
        header = is_header(first, wanted) or len(first) > 3
        header = header or (len(first) == 3 and not _is_relation_type(first[2]))
    names = [c.strip().lstrip("\ufeff") for c in first] if header else [
        f"column {i + 1}" for i in range(len(first))
    ]  # fmt: skip
    roles: dict[str, int] = {}
    for role, col in columns.items():
        roles[role] = _index(col, names, header, where)
    if header:
        for i, label in enumerate(names):
            for role in _role_of(label):
                roles.setdefault(role, i)
    table = mapping.table or _guess_table(roles, names, header, first, options, where)
    allowed = set(ROLES_BY_TABLE[table])
    if table == "entities" and options.type_col:
        roles["entity_type"] = roles["type"]
    roles = {r: i for r, i in roles.items() if r in allowed or r in mapping.columns}
    if table == "edges" and not header:
        roles = {"source": 0, "target": 1, **({"type": 2} if len(first) > 2 else {})}
        roles.update({r: _index(c, names, header, where) for r, c in columns.items()})
    layout = Layout(table, header, names, roles, alias_separator=mapping.alias_separator)
    layout.rel_type = options.rel_type or mapping.rel_type
    layout.entity_type = options.entity_type or mapping.entity_type
    layout.source_type = mapping.source_type or options.entity_type
    layout.target_type = mapping.target_type or options.entity_type
    layout.kinds = {_key(k): v for k, v in mapping.kinds.items()}
    layout.indicates = mapping.indicates
    if table == "indicator_columns":
        for i, label in enumerate(names):
            kind = layout.kinds.get(_key(label)) or kind_for(label)
            if kind:
                layout.kind_columns[i] = (kind, hash_algorithm(label))
    _check_required(layout, where)
    used = set(roles.values()) | set(layout.kind_columns)
    if mapping.properties is not None:
        layout.property_columns = [_index(c, names, header, where) for c in mapping.properties]
    else:
        layout.property_columns = [i for i in range(len(names)) if i not in used]
    return layout


def _index(col: str | int, names: list[str], header: bool, where: str) -> int:
    if isinstance(col, int) or (isinstance(col, str) and col.isdigit() and not header):
        index = int(col) - 1
        if not 0 <= index < len(names):
            raise LoaderError(
                f"column number {col} is out of range 1..{len(names)}", path=where, line=1
            )
        return index
    keys = [_key(n) for n in names]
    if _key(col) in keys:
        return keys.index(_key(col))
    shown = ", ".join(repr(n) for n in names)
    raise LoaderError(f"column {col!r} is not in the header; columns: {shown}", path=where, line=1)


def _guess_table(
    roles: dict[str, int], names: list[str], header: bool, first: list[str],
    options: LoadOptions, where: str,
) -> str:  # fmt: skip
    if not header:
        if len(first) in (2, 3):
            return "edges"
        if len(first) == 1 and options.entity_type:
            roles["name"] = 0
            return "entities"
        raise LoaderError(
            f"no header and {len(first)} columns: an edge list has 2 or 3 (source, target[, type]);"
            " name the columns in a header, with --source-col/--target-col, or a mapping file",
            path=where, line=1,
        )  # fmt: skip
    if "source" in roles and "target" in roles:
        return "relations"
    if "indicator_type" in roles and "indicator_value" in roles:
        return "indicators"
    if "name" in roles:
        return "entities"
    if any(kind_for(n) or hash_algorithm(n) for n in names):
        return "indicator_columns"
    if "source" in roles or "target" in roles:
        missing = "target" if "source" in roles else "source"
        raise LoaderError(f"relation table without a {missing!r} column; columns: "
                          f"{', '.join(shown(n) for n in names)}", path=where, line=1)  # fmt: skip
    raise FormatNotRecognised(
        f"cannot tell what the columns hold ({', '.join(shown(n) for n in names)}); expected "
        "source,target[,type], "
        "name[,type], indicator_type,indicator_value or indicator columns (domain, ip, sha256, "
        "...), or --source-col/--target-col, or a mapping file",
        path=where, line=1,
    )  # fmt: skip


def _check_required(layout: Layout, where: str) -> None:
    schema = load_schema()
    try:
        for etype in (layout.entity_type, layout.source_type, layout.target_type):
            if etype:
                schema.entity_type(etype)
        if layout.rel_type:
            layout.rel_type = schema.relation_type(layout.rel_type).name
        if layout.indicates:
            name, etype = layout.indicates
            etype = schema.entity_type(etype).name
            make_entity(etype, name)
            check_endpoints("INDICATES", "Indicator", etype, None)
            layout.indicates = (name, etype)
    except ValidationError as e:
        raise LoaderError(str(e), path=where) from e
    if layout.table in ("relations", "edges"):
        for role in ("source", "target"):
            if role not in layout.roles and f"{role}_id" not in layout.roles:
                raise LoaderError(f"no {role!r} column", path=where, line=1)
    if layout.table == "entities" and "name" not in layout.roles:
        raise LoaderError("entity table without a 'name' column", path=where, line=1)
    if layout.table == "indicators":
        for role in ("indicator_type", "indicator_value"):
            if role not in layout.roles:
                raise LoaderError(f"indicator table without an {role!r} column", path=where, line=1)
    if layout.table == "indicator_columns" and not layout.kind_columns:
        raise LoaderError("no column names an indicator kind (domain, ip, url, sha256, ...)",
                          path=where, line=1)  # fmt: skip
