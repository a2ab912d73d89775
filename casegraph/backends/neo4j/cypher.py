"""The Neo4j store's Cypher, as named constants: each states its question, $parameters and columns."""

from __future__ import annotations

import re

from casegraph.errors import ValidationError
from casegraph.graph.schema import load_schema

# Templates name a label or relationship type with a placeholder that only the helpers below
# replace, with a schema name checked against the allow-list and backtick-quoted. Values never
# enter Cypher text: they travel as $parameters.
LABEL = "__LABEL__"
RTYPE = "__RTYPE__"
RTYPES = "__RTYPES__"

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quoted(name: str) -> str:
    if not _IDENT.fullmatch(name):  # schema names are plain identifiers; refuse anything else
        raise ValidationError(f"{name!r} cannot be used as a Cypher label or type")
    return f"`{name}`"


def relation_types() -> tuple[str, ...]:
    """Every relationship type of the schema (the allow-list), in schema order."""
    return tuple(load_schema().relation_types)


def entity_types() -> tuple[str, ...]:
    """Every entity type of the schema (the allow-list of labels), in schema order."""
    return tuple(load_schema().entity_types)


def with_label(template: str, entity_type: str) -> str:
    """The template with its label placeholder replaced by a schema entity type."""
    name = load_schema().entity_type(entity_type).name
    return template.replace(LABEL, quoted(name))


def with_rtype(template: str, relation_type: str) -> str:
    """The template with its relationship-type placeholder replaced by a schema relation type."""
    name = load_schema().relation_type(relation_type).name
    return template.replace(RTYPE, quoted(name))


def degree(var: str) -> str:
    """The degree both backends rank and list by: relations of schema types, so a document's
    MENTIONS do not count. An entity's relationships in casegraph's database are of schema types
    or MENTIONS, so this is every relationship less the MENTIONS: Neo4j keeps a node's total
    count with the node (read in one step even for a small node), where a count over the list
    of schema types walks a small node's relationships once per type (a level of 45,000
    entities: 0.3 s against 1.0 s). Counted by relationship type, not by the label at the other
    end, so a hub's neighbours are never visited."""
    return "({} - {})".format(*degree_parts(var))


def degree_parts(var: str) -> tuple[str, str]:
    """`degree`'s two counts: the node's stored total (never below its degree), its MENTIONS."""
    if not var.isidentifier():
        raise ValueError(f"unexpected variable name {var!r}")
    return f"COUNT {{ ({var})--() }}", f"COUNT {{ ({var})-[:MENTIONS]-() }}"


def with_rtypes(template: str) -> str:
    """The template with its type-disjunction placeholder replaced by every schema relation type.
    A template without the placeholder is a caller's mistake (a dead call), so it raises."""
    if RTYPES not in template:
        raise ValueError("template has no relation-type placeholder")
    return template.replace(RTYPES, "|".join(quoted(t) for t in relation_types()))


# ---------------------------------------------------------------------------------- schema
# Schema objects created on first use (IF NOT EXISTS, so idempotent), by name. One uniqueness
# constraint per relationship type on r.rid is added by schema_statements().
SCHEMA = {
    "cg_entity_id": "CREATE CONSTRAINT cg_entity_id IF NOT EXISTS "
    "FOR (e:Entity) REQUIRE e.id IS UNIQUE",
    "cg_document_id": "CREATE CONSTRAINT cg_document_id IF NOT EXISTS "
    "FOR (d:Document) REQUIRE d.id IS UNIQUE",
    "cg_pending_document_id": "CREATE CONSTRAINT cg_pending_document_id IF NOT EXISTS "
    "FOR (d:PendingDocument) REQUIRE d.id IS UNIQUE",
    "cg_name_type_key": "CREATE CONSTRAINT cg_name_type_key IF NOT EXISTS "
    "FOR (n:Name) REQUIRE (n.type, n.key) IS UNIQUE",
    "cg_xid": "CREATE CONSTRAINT cg_xid IF NOT EXISTS FOR (x:Xid) REQUIRE x.xid IS UNIQUE",
    "cg_meta_key": "CREATE CONSTRAINT cg_meta_key IF NOT EXISTS FOR (m:Meta) REQUIRE m.key IS UNIQUE",
    "cg_decision_uid": "CREATE CONSTRAINT cg_decision_uid IF NOT EXISTS "
    "FOR (d:Decision) REQUIRE d.uid IS UNIQUE",
    "cg_name_key": "CREATE INDEX cg_name_key IF NOT EXISTS FOR (n:Name) ON (n.key)",
    "cg_name_key_text": "CREATE TEXT INDEX cg_name_key_text IF NOT EXISTS FOR (n:Name) ON (n.key)",
    "cg_name_mkey": "CREATE INDEX cg_name_mkey IF NOT EXISTS FOR (n:Name) ON (n.type, n.mkey)",
    "cg_name_block": "CREATE INDEX cg_name_block IF NOT EXISTS FOR (n:Name) ON (n.type, n.block)",
    "cg_name_entity": "CREATE INDEX cg_name_entity IF NOT EXISTS FOR (n:Name) ON (n.entity)",
    "cg_xid_entity": "CREATE INDEX cg_xid_entity IF NOT EXISTS FOR (x:Xid) ON (x.entity)",
    "cg_entity_type": "CREATE INDEX cg_entity_type IF NOT EXISTS FOR (e:Entity) ON (e.type)",
    "cg_entity_type_source": "CREATE INDEX cg_entity_type_source IF NOT EXISTS "
    "FOR (e:Entity) ON (e.type_source)",
    "cg_entity_names": "CREATE FULLTEXT INDEX cg_entity_names IF NOT EXISTS "
    "FOR (e:Entity) ON EACH [e.name, e.aliases]",
    # documents by their words: casegraph.fulltext's own tokens, split only at spaces
    "cg_document_search": "CREATE FULLTEXT INDEX cg_document_search IF NOT EXISTS "
    "FOR (d:Document) ON EACH [d.search_tokens] "
    "OPTIONS {indexConfig: {`fulltext.analyzer`: 'whitespace'}}",
}
RELATION_RID = (
    f"CREATE CONSTRAINT cg_rid_{RTYPE} IF NOT EXISTS FOR ()-[r:{RTYPE}]-() REQUIRE r.rid IS UNIQUE"
)


def schema_statements() -> dict[str, str]:
    """Every schema statement by the name of the object it creates."""
    out = dict(SCHEMA)
    for rtype in relation_types():
        name = f"cg_rid_{rtype}"
        out[name] = RELATION_RID.replace(f"cg_rid_{RTYPE}", name).replace(RTYPE, quoted(rtype))
    return out


# Which schema objects exist?  Columns: name.
SHOW_SCHEMA_NAMES = "SHOW INDEXES YIELD name RETURN name"

# Give decisions recorded before they had uids one. No parameters.
DECISION_UIDS = """
MATCH (d:Decision) WHERE d.uid IS NULL
SET d.uid = 'd:' + substring(replace(randomUUID(), '-', ''), 0, 16)
"""

# Wait until new indexes are online. $seconds: how long at most.
AWAIT_INDEXES = "CALL db.awaitIndexes($seconds)"

# The store's bookkeeping node, made once. $uuid, $now. Columns: revision, uuid.
ENSURE_META = """
MERGE (m:Meta {key: 'store'})
ON CREATE SET m.revision = 0, m.uuid = $uuid, m.created_at = $now
RETURN m.revision AS revision, m.uuid AS uuid
"""

# The bookkeeping node's revision and store uuid. Columns: revision, uuid.
META = "MATCH (m:Meta {key: 'store'}) RETURN m.revision AS revision, m.uuid AS uuid"

# The next entity creation number (entities keep theirs in e.seq: list order for ties, as the
# embedded store's insertion order). Columns: seq. SET_SEQ stores it: $seq.
NEXT_SEQ = "MATCH (m:Meta {key: 'store'}) RETURN coalesce(m.seq, 0) AS seq"
SET_SEQ = "MATCH (m:Meta {key: 'store'}) SET m.seq = $seq"

# The revision counter (grows with every committed change). Columns: revision.
REVISION = "MATCH (m:Meta {key: 'store'}) RETURN m.revision AS revision"

# ---------------------------------------------------------------------------------- resolution reads
# Name nodes are the resolution index: one per (entity type, normalised key), pointing at an entity.
# Which of these (type, key) pairs name an entity? $pairs: [[type, key]]. Columns: type, key, mkey,
# entity, name.
NAMES_BY_TYPE_KEY = """
UNWIND $pairs AS p
MATCH (n:Name {type: p[0], key: p[1]}) USING INDEX n:Name(type, key)
RETURN n.type AS type, n.key AS key, n.mkey AS mkey, n.entity AS entity, n.name AS name
"""

# Which names, of any type, have these keys? $keys: [key]. Columns as NAMES_BY_TYPE_KEY.
NAMES_BY_KEY = """
UNWIND $keys AS k
MATCH (n:Name {key: k}) USING INDEX n:Name(key)
RETURN n.type AS type, n.key AS key, n.mkey AS mkey, n.entity AS entity, n.name AS name
"""

# Which names have these (type, match key) pairs? $pairs: [[type, mkey]]. Columns as above.
NAMES_BY_MKEY = """
UNWIND $pairs AS p
MATCH (n:Name) USING INDEX n:Name(type, mkey) WHERE n.type = p[0] AND n.mkey = p[1]
RETURN n.type AS type, n.key AS key, n.mkey AS mkey, n.entity AS entity, n.name AS name
"""

# Which names of a type lie in these fuzzy-match blocks (first letters and length of the match
# key)? $pairs: [[type, block]]. Columns as above.
NAMES_BY_BLOCK = """
UNWIND $pairs AS p
MATCH (n:Name {type: p[0], block: p[1]}) USING INDEX n:Name(type, block)
RETURN n.type AS type, n.key AS key, n.mkey AS mkey, n.entity AS entity, n.name AS name
"""

# Which of these external ids are known, and to which entity? $xids: [xid]. Columns: xid, entity.
XIDS = """
UNWIND $xids AS x
MATCH (n:Xid {xid: x}) USING INDEX n:Xid(xid)
RETURN n.xid AS xid, n.entity AS entity
"""

# Which of these entity ids exist, with their type and properties? $ids: [id].
# Columns: id, type, properties_json.
ENTITY_INFO = """
UNWIND $ids AS i
MATCH (e:Entity {id: i}) USING INDEX e:Entity(id)
RETURN e.id AS id, e.type AS type, e.properties_json AS properties_json,
       coalesce(e.type_source, 'source') AS type_source, e.status AS status
"""

# Which of these relation ids of one type exist? $rids: [rid]. Columns: rid. (Per type, with an
# index hint: a plan cached while a type had no relations must not fall back to a scan.)
RELATIONS_EXIST = f"""
UNWIND $rids AS rid
MATCH ()-[r:{RTYPE} {{rid: rid}}]->()
USING INDEX r:{RTYPE}(rid)
RETURN r.rid AS rid
"""

# Which of these documents are loaded (complete)? $ids: [id]. Columns: id.
KNOWN_DOCUMENTS = """
UNWIND $ids AS i
MATCH (d:Document {id: i})
RETURN d.id AS id
"""

# ---------------------------------------------------------------------------------- writes
# Start a document: a PendingDocument node, relabelled Document only when all its facts are in.
# $id. No columns.
BEGIN_DOCUMENT = "MERGE (d:PendingDocument {id: $id})"

# Create entities of one type (label from the schema), leaving existing ones untouched; the
# summary's nodes_created counts the new ones. Rows are lists (less to encode than maps):
# $rows: [[id, type, name, key, props JSON, seq, type source]].
CREATE_ENTITIES = f"""
UNWIND $rows AS row
MERGE (e:Entity {{id: row[0]}})
ON CREATE SET e:{LABEL}, e.type = row[1], e.name = row[2], e.key = row[3],
              e.aliases = [], e.keys = [], e.mkeys = [], e.properties_json = row[4],
              e.seq = row[5], e.type_source = row[6]
"""

# Replace the properties of entities (their JSON, merged client-side). $rows: [{id, props}].
SET_ENTITY_PROPERTIES = """
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.properties_json = row.props
"""

# Give entities names they answer to, unless that (type, key) already names an entity (then the
# name is left alone, like INSERT OR IGNORE). Only names created here join the entity's keys,
# mkeys and aliases lists, in the same transaction, so a retried batch adds nothing twice.
# $rows: [[entity id, [[type, key, mkey, block, name]]]].
ADD_NAMES = """
UNWIND $rows AS row
MATCH (e:Entity {id: row[0]})
CALL (e, row) {
  UNWIND row[1] AS nm
  MERGE (n:Name {type: nm[0], key: nm[1]})
  ON CREATE SET n.mkey = nm[2], n.block = nm[3], n.name = nm[4], n.entity = row[0],
                n.fresh = true
  WITH nm, n WHERE n.fresh
  REMOVE n.fresh
  RETURN collect(nm) AS added
}
SET e.keys = e.keys + [x IN added | x[1]],
    e.mkeys = e.mkeys + [x IN added | x[2]],
    e.aliases = e.aliases + [x IN added WHERE x[1] <> e.key | x[4]]
"""

# Record external ids of entities (first writer wins). $rows: [[xid, entity id]].
ADD_XIDS = """
UNWIND $rows AS row
MERGE (x:Xid {xid: row[0]})
ON CREATE SET x.entity = row[1]
"""

# Record that documents (pending or complete) mention entities. $rows: [[doc id, entity id]].
ADD_MENTIONS = """
UNWIND $rows AS row
OPTIONAL MATCH (p:PendingDocument {id: row[0]})
OPTIONAL MATCH (c:Document {id: row[0]})
WITH row, coalesce(p, c) AS d
WHERE d IS NOT NULL
MATCH (e:Entity {id: row[1]})
MERGE (d)-[:MENTIONS]->(e)
"""

# Record that the document being loaded (still pending) mentions entities, with how it typed
# each (JSON, or null): one document a statement, found once. $doc, $rows: [[entity id, typing]].
ADD_DOC_MENTIONS = """
MATCH (d:PendingDocument {id: $doc})
UNWIND $rows AS row
MATCH (e:Entity {id: row[0]})
MERGE (d)-[m:MENTIONS]->(e)
SET m.typing = coalesce(row[1], m.typing)
"""

# Write relations of one type with their evidence: created when new (the summary's
# relationships_created counts them), evidence appended unless an item with the same key
# (document, locator, offsets, extractor) is already there.
# $rows: [[rid, source id, target id, props JSON, [[key, doc, quote, start, end, extractor,
# confidence, locator, source key, target key, date]]]]. Columns: added. (The source and target
# keys are the names the item wrote its ends as; date '' when unknown; a new item's review
# status is ''. Lists written before those four existed are padded to line up.)
MERGE_RELATIONS = f"""
UNWIND $rows AS row
MATCH (s:Entity {{id: row[1]}}), (t:Entity {{id: row[2]}})
USING INDEX s:Entity(id) USING INDEX t:Entity(id)
MERGE (s)-[r:{RTYPE} {{rid: row[0]}}]->(t)
ON CREATE SET r.properties_json = row[3], r.ev_keys = [], r.quotes = [], r.document_ids = [],
              r.starts = [], r.ends = [], r.extractors = [], r.confidences = [], r.locators = []
WITH r, [e IN row[4] WHERE NOT e[0] IN r.ev_keys] AS add,
     [x IN r.ev_keys | ''] AS pad
SET r.ev_skeys = coalesce(r.ev_skeys, pad) + [e IN add | e[8]],
    r.ev_tkeys = coalesce(r.ev_tkeys, pad) + [e IN add | e[9]],
    r.ev_dates = coalesce(r.ev_dates, pad) + [e IN add | e[10]],
    r.ev_status = coalesce(r.ev_status, pad) + [e IN add | ''],
    r.ev_keys = r.ev_keys + [e IN add | e[0]],
    r.quotes = r.quotes + [e IN add | e[2]],
    r.document_ids = r.document_ids + [e IN add | e[1]],
    r.starts = r.starts + [e IN add | e[3]],
    r.ends = r.ends + [e IN add | e[4]],
    r.extractors = r.extractors + [e IN add | e[5]],
    r.confidences = r.confidences + [e IN add | e[6]],
    r.locators = r.locators + [e IN add | e[7]]
RETURN coalesce(sum(size(add)), 0) AS added
"""

# Create relations of one type that resolution found new in the store, with their (already
# de-duplicated) evidence: CREATE skips MERGE's look-up and locking; should one exist after all
# (a retried commit), the rid uniqueness constraint refuses the batch and a re-run completes.
# Each row carries its evidence as ready columns (the property lists as stored), so the server
# only copies them. $rows: [[rid, source id, target id, props JSON, ev_keys, quotes,
# document_ids, starts, ends, extractors, confidences, locators, ev_skeys, ev_tkeys, ev_dates,
# ev_status]]. No columns.
CREATE_NEW_RELATIONS = f"""
UNWIND $rows AS row
MATCH (s:Entity {{id: row[1]}}), (t:Entity {{id: row[2]}})
USING INDEX s:Entity(id) USING INDEX t:Entity(id)
CREATE (s)-[:{RTYPE} {{
  rid: row[0], properties_json: row[3], ev_keys: row[4], quotes: row[5], document_ids: row[6],
  starts: row[7], ends: row[8], extractors: row[9], confidences: row[10], locators: row[11],
  ev_skeys: row[12], ev_tkeys: row[13], ev_dates: row[14], ev_status: row[15]
}}]->(t)
"""

# Finish a document: its properties set, relabelled Document, the store revision bumped.
# $id, $props: {title, path, loader, published, loaded_at, text, properties_json, relations}.
COMPLETE_DOCUMENT = """
MATCH (d:PendingDocument {id: $id})
SET d += $props
REMOVE d:PendingDocument
SET d:Document
WITH d
MATCH (m:Meta {key: 'store'})
SET m.revision = m.revision + 1
"""

# Bump the revision (after a merge or alias). No parameters.
BUMP_REVISION = "MATCH (m:Meta {key: 'store'}) SET m.revision = m.revision + 1"

# The names of entities typed by a decision: key -> entity. Columns: key, entity.
DECIDED_NAMES = """
MATCH (e:Entity {type_source: 'decision'})
MATCH (n:Name {entity: e.id})
RETURN n.key AS key, n.entity AS entity
"""

# The names an entity answers to. $id. Columns: type, key, mkey, entity, name.
NAMES_OF = """
MATCH (n:Name {entity: $id})
RETURN n.type AS type, n.key AS key, n.mkey AS mkey, n.entity AS entity, n.name AS name
ORDER BY n.name
"""

# ---------------------------------------------------------------------------------- reads
# How well supported each entity of $ids is. Columns: id, degree, documents.
SUPPORT = f"""
UNWIND $ids AS i
MATCH (e:Entity {{id: i}})
RETURN e.id AS id, {degree("e")} AS degree, COUNT {{ (:Document)-[:MENTIONS]->(e) }} AS documents
"""

# The entities with these ids. $ids: [id]. Columns: id, name, type, aliases, properties_json.
ENTITIES_BY_ID = """
UNWIND $ids AS i
MATCH (e:Entity {id: i})
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases,
       e.properties_json AS properties_json, e.status AS status,
       coalesce(e.type_source, 'source') AS type_source
"""

# Which entity has this external id? $xid. Columns: entity.
ENTITY_BY_XID = "MATCH (x:Xid {xid: $xid}) RETURN x.entity AS entity"

# Which entities answer to this key (any type)? $key. Columns: entity.
IDS_BY_KEY = "MATCH (n:Name {key: $key}) RETURN DISTINCT n.entity AS entity"

# Which entity of this type answers to this key? $type, $key. Columns: entity.
IDS_BY_TYPE_KEY = "MATCH (n:Name {type: $type, key: $key}) RETURN DISTINCT n.entity AS entity"

# Names whose key contains a text (the substring search). $key, $cap. Columns: entity, key.
NAMES_CONTAINING = """
MATCH (n:Name) WHERE n.key CONTAINS $key
RETURN n.entity AS entity, n.key AS key
LIMIT $cap
"""

# How many names are there? Columns: n.
COUNT_NAMES = "MATCH (n:Name) RETURN count(n) AS n"

# Every name key (for the fuzzy search on small stores). Columns: type, key, entity.
ALL_NAME_KEYS = "MATCH (n:Name) RETURN n.type AS type, n.key AS key, n.entity AS entity"

# Entities whose names or aliases match a Lucene query (fuzzy candidates on large stores).
# $query, $limit. Columns: id, type, keys.
FULLTEXT_CANDIDATES = """
CALL db.index.fulltext.queryNodes('cg_entity_names', $query, {limit: $limit}) YIELD node
RETURN node.id AS id, node.type AS type, node.keys AS keys
"""

# The degree of the n-th most connected entity (relations of schema types only).
# $skip (n - 1). Columns: degree.
NTH_DEGREE = f"""
MATCH (e:Entity) WHERE e.status IS NULL
WITH {degree("e")} AS degree
RETURN degree ORDER BY degree DESC SKIP $skip LIMIT 1
"""
NTH_DEGREE_OF_TYPE = f"""
MATCH (e:Entity {{type: $type}}) WHERE e.status IS NULL
WITH {degree("e")} AS degree
RETURN degree ORDER BY degree DESC SKIP $skip LIMIT 1
"""

# Entities with at least $min relations (all of them when $min is 0). $min.
# Columns: id, name, type, aliases, properties_json, degree, seq.
ENTITIES_BY_DEGREE = f"""
MATCH (e:Entity) WHERE e.status IS NULL
WITH e, {degree("e")} AS degree
WHERE degree >= $min
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases,
       e.properties_json AS properties_json, e.status AS status,
       coalesce(e.type_source, 'source') AS type_source, degree, e.seq AS seq
"""
ENTITIES_OF_TYPE_BY_DEGREE = f"""
MATCH (e:Entity {{type: $type}}) WHERE e.status IS NULL
WITH e, {degree("e")} AS degree
WHERE degree >= $min
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases,
       e.properties_json AS properties_json, e.status AS status,
       coalesce(e.type_source, 'source') AS type_source, degree, e.seq AS seq
"""

# The evidence lists of a relation, as columns shared by the relation reads below.
_EVIDENCE_COLUMNS = """r.quotes AS quotes, r.document_ids AS document_ids, r.starts AS starts,
       r.ends AS ends, r.extractors AS extractors, r.confidences AS confidences,
       r.locators AS locators, r.ev_keys AS ev_keys, r.ev_status AS ev_status,
       r.ev_dates AS ev_dates, r.ev_skeys AS ev_skeys, r.ev_tkeys AS ev_tkeys,
       r.status AS status"""

# Every relation of an entity, both directions, with its evidence lists. $id.
# Columns: rid, type, direction, other, properties_json, quotes, document_ids, starts, ends,
# extractors, confidences, locators.
RELATIONS_OF = f"""
MATCH (e:Entity {{id: $id}})-[r:{RTYPES}]-(o:Entity)
RETURN r.rid AS rid, type(r) AS type,
       CASE WHEN startNode(r) = e THEN 'out' ELSE 'in' END AS direction,
       o.id AS other, r.properties_json AS properties_json,
       {_EVIDENCE_COLUMNS}
"""

# The evidence lists of these relations (of any type). $rids. Columns: rid and the evidence lists.
# Built by by_rid(): one hinted index seek per schema type.
EVIDENCE_OF_COLUMNS = f"r.rid AS rid, {_EVIDENCE_COLUMNS}"


def by_rid(columns: str) -> str:
    """UNWIND $rids and find each relation, whatever its schema type, by its rid: one index seek
    per type (hinted, so cached plans never scan), returning `columns` of `r`."""
    parts = [
        f"MATCH ()-[r:{quoted(t)} {{rid: want}}]->() USING INDEX r:{quoted(t)}(rid) "
        f"RETURN {columns}"
        for t in relation_types()
    ]
    return (
        "UNWIND $rids AS want\nCALL (want) {\n  "
        + "\n  UNION ALL\n  ".join(parts)
        + "\n}\nRETURN *"
    )


# Titles of loaded documents. $ids. Columns: id, title.
DOCUMENT_TITLES = """
UNWIND $ids AS i
MATCH (d:Document {id: i})
RETURN d.id AS id, d.title AS title
"""

# The documents that mention an entity. $id. Columns: id, title, path.
DOCUMENTS_OF = """
MATCH (d:Document)-[m:MENTIONS]->(:Entity {id: $id})
RETURN d.id AS id, d.title AS title, d.path AS path, m.typing AS typing
"""

# Every loaded document with how many entities it mentions and relations it evidences.
# Columns: id, title, path, loader, published, loaded_at, entities, relations, properties_json.
DOCUMENTS = """
MATCH (d:Document)
RETURN d.id AS id, d.title AS title, d.path AS path, d.loader AS loader,
       d.published AS published, d.loaded_at AS loaded_at,
       COUNT { (d)-[:MENTIONS]->() } AS entities, d.relations AS relations,
       d.properties_json AS properties_json
"""

# The text of a document. $id. Columns: text.
DOCUMENT_TEXT = "MATCH (d:Document {id: $id}) RETURN d.text AS text"

# How many complete documents? Columns: n.
COUNT_DOCUMENTS = "MATCH (d:Document) RETURN count(d) AS n"

# How many entities of one type (label)? Columns: n.
COUNT_LABEL = f"MATCH (e:{LABEL}) RETURN count(e) AS n"

# How many relations of one type? Columns: n.
COUNT_RTYPE = f"MATCH ()-[r:{RTYPE}]->() RETURN count(r) AS n"

# How many evidence items in all? Columns: n.
COUNT_EVIDENCE = f"MATCH ()-[r:{RTYPES}]->() RETURN coalesce(sum(size(r.quotes)), 0) AS n"

# A page of entities in id order, after $after. $after, $limit.
# Columns: id, name, type, aliases, properties_json.
ENTITIES_PAGE = """
MATCH (e:Entity) WHERE e.id > $after
RETURN e.id AS id, e.name AS name, e.type AS type, e.aliases AS aliases,
       e.properties_json AS properties_json, e.status AS status,
       coalesce(e.type_source, 'source') AS type_source
ORDER BY e.id LIMIT $limit
"""

# A page of relations of one type in rid order, after $after. $after, $limit.
# Columns: rid, source, target, properties_json.
RELATIONS_PAGE = f"""
MATCH (s:Entity)-[r:{RTYPE}]->(t:Entity) WHERE r.rid > $after
RETURN r.rid AS rid, s.id AS source, t.id AS target, r.properties_json AS properties_json
ORDER BY r.rid LIMIT $limit
"""

# Every external id. Columns: xid, entity.
ALL_XIDS = "MATCH (x:Xid) RETURN x.xid AS xid, x.entity AS entity"

# Every (document, entity) mention of complete documents. Columns: doc, entity.
ALL_MENTIONS = "MATCH (d:Document)-[m:MENTIONS]->(e:Entity) RETURN d.id AS doc, e.id AS entity, m.typing AS typing"

# ---------------------------------------------------------------------------------- merge / alias
# Which entity of a type answers to a key? $type, $key. Columns: entity.
NAME_OWNER = "MATCH (n:Name {type: $type, key: $key}) RETURN n.entity AS entity"

# Every relation of an entity with all its properties. $id.
# Columns: rid, type, source, target, props.
RELATIONS_WITH_PROPS = f"""
MATCH (e:Entity {{id: $id}})-[r:{RTYPES}]-(:Entity)
RETURN r.rid AS rid, type(r) AS type, startNode(r).id AS source, endNode(r).id AS target,
       properties(r) AS props
"""

# The full property maps of relations by rid: by_rid(RELATION_PROPS_COLUMNS). $rids.
# Columns: rid, props.
RELATION_PROPS_COLUMNS = "r.rid AS rid, properties(r) AS props"

# Delete relations of one type. $rids.
DELETE_RELATIONS = f"""
UNWIND $rids AS rid
MATCH ()-[r:{RTYPE} {{rid: rid}}]->()
DELETE r
"""

# Replace all properties of relations of one type. $rows: [{rid, props}].
REPLACE_RELATION_PROPS = f"""
UNWIND $rows AS row
MATCH ()-[r:{RTYPE} {{rid: row.rid}}]->()
SET r = row.props
"""

# Create relations of one type with given properties. $rows: [{s, t, props}].
CREATE_RELATIONS = f"""
UNWIND $rows AS row
MATCH (s:Entity {{id: row.s}}), (t:Entity {{id: row.t}})
CREATE (s)-[r:{RTYPE}]->(t)
SET r = row.props
"""

# Fold entity $drop into $keep: names, external ids and mentions move to $keep, $keep takes
# $props (merged JSON) and $drop's names as aliases; $drop is deleted (its relations were moved).
FOLD_ENTITY = """
MATCH (k:Entity {id: $keep}), (d:Entity {id: $drop})
CALL () { MATCH (n:Name {entity: $drop}) SET n.entity = $keep }
CALL () { MATCH (x:Xid {entity: $drop}) SET x.entity = $keep }
MERGE (dx:Xid {xid: $drop})
ON CREATE SET dx.entity = $keep
WITH k, d
CALL (k, d) { MATCH (doc)-[:MENTIONS]->(d) MERGE (doc)-[:MENTIONS]->(k) }
SET k.keys = k.keys + d.keys, k.mkeys = k.mkeys + d.mkeys,
    k.aliases = k.aliases + [d.name] + d.aliases, k.properties_json = $props
DETACH DELETE d
"""

# Lower the relation counts of documents after relations were folded. $rows: [{doc, n}].
LOWER_DOCUMENT_COUNTS = """
UNWIND $rows AS row
MATCH (d:Document {id: row.doc})
SET d.relations = d.relations - row.n
"""
