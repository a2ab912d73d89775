"""An investigator's decisions: confirm, reject, retype, split, drop, note, merge, alias, undo.

Each decision is checked against the store, turned into one Change (casegraph.graph.change) and
applied in one transaction; it is recorded with who made it, when and why, and what it changed,
so `undo` can take it back. Decisions are data in the store: statuses live on the facts (a re-load
adds evidence but never a status), names live in the resolution index (a re-load resolves to
what was decided), so re-loading never resurrects, re-merges or re-types what was decided.
"""

from __future__ import annotations

import getpass
import secrets
from dataclasses import replace
from typing import Any

from casegraph.errors import EntityNotFound, UsageError, ValidationError
from casegraph.graph.access import CONFIRMED, DROPPED, REJECTED
from casegraph.graph.change import Change, EvidenceMove
from casegraph.graph.ids import base_id, now, numbered_id, relation_id, second_id
from casegraph.graph.keys import match_key
from casegraph.graph.model import clean_name, normalize_name
from casegraph.graph.plan import NameRec, NewEntity
from casegraph.graph.records import DecisionRow, EntityRow, EvidenceRow, RelationInfo
from casegraph.graph.schema import WEAK, load_schema
from casegraph.graph.store import Store

ACTIONS = ("confirm", "reject", "retype", "split", "drop", "note", "merge", "alias", "undo")


def who(by: str | None) -> str:
    """Who makes a decision: --by, else the user's login."""
    if by and by.strip():
        return by.strip()
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name (a container without a user entry)
        return "unknown"


def _record(action: str, target: str, why: str | None, by: str | None,
            payload: dict[str, Any]) -> DecisionRow:  # fmt: skip
    return DecisionRow("d:" + secrets.token_hex(8), now(), who(by), action, target,
                       why.strip() if why and why.strip() else None, payload)  # fmt: skip


def _relation(store: Store, rid: str) -> RelationInfo:
    found = store.relations_by_id([rid]).get(rid)
    if found is None:
        raise UsageError(
            f"no relation {rid!r} (relation ids are shown by show, path --json and exports)"
        )
    return found


def _evidence(store: Store, eid: str) -> tuple[RelationInfo, EvidenceRow]:
    """The relation and the item an evidence id names (a short id of older versions too)."""
    item = store.evidence_item(eid)
    if item is None:
        raise UsageError(f"no evidence item {eid!r}")
    return _relation(store, item.id[3:19]), item  # the relation id is inside the item id


# ------------------------------------------------------------------------- relations
def confirm(
    store: Store, target: str, *, why: str | None = None, by: str | None = None
) -> DecisionRow:
    """Mark a relation checked against its evidence: it ranks above unreviewed hops."""
    rel = _relation(store, target)
    if rel.status == CONFIRMED:
        raise UsageError(f"relation {target} is already confirmed")
    record = _record("confirm", target, why, by, {"before": rel.status})
    store.apply(Change(record, relation_status={target: CONFIRMED}))
    return record


def reject(
    store: Store, target: str, *, why: str | None = None, by: str | None = None
) -> DecisionRow:
    """Mark a relation (or one evidence item, `ev:...`) as unsupported by its evidence: questions
    and views leave it out unless asked to include what was rejected."""
    if target.startswith("ev:"):
        rel, item = _evidence(store, target)
        if item.status == REJECTED:
            raise UsageError(f"evidence item {item.id} is already rejected")
        record = _record("reject", item.id, why, by, {"relation": rel.id, "before": item.status})
        store.apply(Change(record, evidence_status={item.id: REJECTED}))
        return record
    rel = _relation(store, target)
    if rel.status == REJECTED:
        raise UsageError(f"relation {target} is already rejected")
    record = _record("reject", target, why, by, {"before": rel.status})
    store.apply(Change(record, relation_status={target: REJECTED}))
    return record


def note(store: Store, target: str, text: str, *, why: str | None = None,
         by: str | None = None) -> DecisionRow:  # fmt: skip
    """A free-text note on an entity, a relation or an evidence item."""
    if not text.strip():
        raise UsageError("a note cannot be empty")
    if target.startswith("ev:"):
        subject = _evidence(store, target)[1].id  # refused when there is no such item
    elif store.relations_by_id([target]):
        subject = target
    else:
        subject = store.resolve(target).id
    record = _record("note", subject, why, by, {"text": text.strip()})
    store.apply(Change(record))
    return record


# ------------------------------------------------------------------------- entities
def _unfit(store: Store, entity: EntityRow, new_type: str) -> list[RelationInfo]:
    """The relations of an entity that an entity of new_type could not hold (not yet rejected)."""
    schema = load_schema()
    out = []
    for rel in store.relations_of(entity.id):
        if rel.status == REJECTED:
            continue
        spec = schema.relation_type(rel.type)
        ok = (spec.allows(new_type, rel.other.type) if rel.direction == "out"
              else spec.allows(rel.other.type, new_type))  # fmt: skip
        if not ok:
            source, target = ((entity.id, rel.other.id) if rel.direction == "out"
                              else (rel.other.id, entity.id))  # fmt: skip
            out.append(RelationInfo(rel.id, source, rel.type, target, rel.status))
    return out


def _retyping(store: Store, entity: EntityRow, new_type: str, force: bool,
              change: Change, payload: dict[str, Any]) -> None:  # fmt: skip
    """Add to change what giving entity the type new_type writes (refused when names clash, or
    when relations cannot hold the new type and force is not given)."""
    unfit = _unfit(store, entity, new_type)
    if unfit and not force:
        listed = "; ".join(f"{r.id} {r.source} -[{r.type}]-> {r.target}" for r in unfit[:10])
        more = f" and {len(unfit) - 10} more" if len(unfit) > 10 else ""
        raise UsageError(
            f"{len(unfit)} relation{'s' if len(unfit) != 1 else ''} of {entity.id} cannot hold a "
            f"{new_type}: {listed}{more}; --force rejects them"
        )
    for rec in store.names_of(entity.id):
        owner = store.name_owner(new_type, rec.key)
        if owner and owner != entity.id:
            raise UsageError(
                f"{rec.name!r} already names {owner} ({new_type}); merge the two instead"
            )
        change.names_delete.append((rec.type, rec.key))
        change.names_put.append(NameRec(new_type, rec.key, match_key(rec.name, new_type), entity.id,
                                        rec.name))  # fmt: skip
    change.entity_updates.setdefault(entity.id, {}).update(
        {"type": new_type, "type_source": "decision"}
    )
    change.relation_status.update({r.id: REJECTED for r in unfit})
    payload.setdefault("retyped", {})[entity.id] = {
        "type": entity.type, "type_source": entity.type_source,
        "rejected": {r.id: r.status for r in unfit},
    }  # fmt: skip


def _type_name(name: str) -> str:
    try:
        return load_schema().entity_type(name).name
    except ValidationError as e:
        raise UsageError(str(e)) from None


def retype(store: Store, entity: str, new_type: str, *, force: bool = False,
           why: str | None = None, by: str | None = None) -> DecisionRow:  # fmt: skip
    """Give an entity another type; it keeps it across loads (a decision outranks any loader)."""
    row = store.resolve(entity)
    type_ = _type_name(new_type)
    if type_ == row.type:
        raise UsageError(f"{row.id} is already a {type_}")
    payload: dict[str, Any] = {}
    record = _record("retype", row.id, why, by, payload)
    change = Change(record)
    _retyping(store, row, type_, force, change, payload)
    store.apply(change)
    return record


def drop(
    store: Store, entity: str, *, why: str | None = None, by: str | None = None
) -> DecisionRow:
    """Mark an entity as not an entity (junk): it and its relations leave the questions."""
    row = store.resolve(entity)
    if row.status == DROPPED:
        raise UsageError(f"{row.id} is already dropped")
    rels = {r.id: r.status for r in store.relations_of(row.id) if r.status != REJECTED}
    record = _record("drop", row.id, why, by, {"before": row.status, "rejected": rels})
    store.apply(Change(record, entity_updates={row.id: {"status": DROPPED}},
                       relation_status={rid: REJECTED for rid in rels}))  # fmt: skip
    return record


def _free_id(store: Store, type_: str, key: str, wanted: str | None = None) -> str:
    candidates = [wanted] if wanted else []
    candidates += [base_id(type_, key), second_id(type_, key)]
    candidates += [numbered_id(type_, key, n) for n in range(2, 1000)]
    taken = store.entities_by_id(candidates)
    return next(c for c in candidates if c not in taken)


def split(store: Store, entity: str, names: list[str], *, why: str | None = None,
          by: str | None = None, new_id: str | None = None,
          new_type: str | None = None) -> tuple[DecisionRow, EntityRow]:  # fmt: skip
    """Take names (and the evidence that came with them) off an entity into an entity of their
    own: what undoes a wrong merge or alias."""
    row = store.resolve(entity)
    change, payload = _split_change(store, row, names, why, by, new_id, new_type, "split")
    store.apply(change)
    assert change.record is not None
    return change.record, store.entity(payload["new"])


def _split_change(store: Store, row: EntityRow, names: list[str], why: str | None,
                  by: str | None, new_id: str | None, new_type: str | None,
                  action: str) -> tuple[Change, dict[str, Any]]:  # fmt: skip
    if not names:
        raise UsageError("name at least one name to split off")
    own = {rec.key: rec for rec in store.names_of(row.id)}
    keys = []
    for name in names:
        key = normalize_name(name)
        if key not in own:
            raise UsageError(
                f"{name!r} is not a name of {row.id} ({', '.join(sorted(own)) or 'none'})"
            )
        keys.append(key)
    if normalize_name(row.name) in keys:
        raise UsageError(f"{row.name!r} is {row.id}'s own name: split off its other names instead")
    type_ = new_type or row.type
    first = own[keys[0]]
    new = _free_id(store, type_, first.key, new_id)
    payload: dict[str, Any] = {"entity": row.id, "new": new, "names": [own[k].name for k in keys]}
    change = Change(_record(action, row.id, why, by, payload))
    change.new_entities.append(NewEntity(new, type_, clean_name(first.name), first.key, "{}",
                                         store.next_seq(), "decision"))  # fmt: skip
    for key in keys:
        rec = own[key]
        change.names_delete.append((rec.type, rec.key))
        change.names_put.append(NameRec(type_, key, match_key(rec.name, type_), new, rec.name))
    moved: dict[str, str] = {}
    split_keys = set(keys)
    for rel in store.relations_of(row.id):
        here = [
            e
            for e in rel.evidence
            if (e.source_key if rel.direction == "out" else e.target_key) in split_keys
        ]
        if not here:
            continue
        s, o = (new, rel.other.id) if rel.direction == "out" else (rel.other.id, new)
        if rel.type == WEAK and o < s:
            s, o = o, s
        if s == o:
            continue
        rid = relation_id(s, rel.type, o)
        moved[rel.id] = rid
        change.moves.append(EvidenceMove([e.id for e in here], rel.id, rid, rel.type, s, o,
                                         status=rel.status))  # fmt: skip
        change.mentions += [(e.document_id, new) for e in here]
    payload["moved"] = moved
    return change, payload


def merge(store: Store, keep: str, drop_: str, *, as_type: str | None = None,
          force: bool = False, why: str | None = None, by: str | None = None) -> EntityRow:  # fmt: skip
    """Fold entity drop_ into keep: names, ids, relations and mentions move; recorded. Two types
    only with as_type (both end as that type; relations it cannot hold are refused, or rejected
    with force)."""
    a, b = store.resolve(keep), store.resolve(drop_)
    if a.id == b.id:
        raise ValidationError(f"{keep!r} and {drop_!r} are already one entity ({a.id})")
    if a.type != b.type and as_type is None:
        raise ValidationError(
            f"cannot merge a {b.type} into a {a.type} ({b.name!r} -> {a.name!r}); "
            "--across-types TYPE merges them as TYPE"
        )
    payload: dict[str, Any] = {
        "keep": a.id, "drop": b.id, "drop_name": b.name, "drop_type": b.type,
        "drop_names": [rec.name for rec in store.names_of(b.id)],
    }  # fmt: skip
    change = Change(_record("merge", a.id, why, by, payload))
    if as_type is not None:
        type_ = _type_name(as_type)
        for row in (a, b):
            if row.type != type_:
                _retyping(store, row, type_, force, change, payload)
    change.fold = (a.id, b.id)
    change.fold_props = {**b.properties, **a.properties}
    store.apply(change)
    return store.entity(a.id)


def alias(store: Store, entity: str, name: str, *, why: str | None = None,
          by: str | None = None) -> EntityRow:  # fmt: skip
    """Give an entity another name it answers to; refused if another entity has that name."""
    row = store.resolve(entity)
    key = normalize_name(name)
    if not key:
        raise ValidationError("an alias cannot be empty")
    owner = store.name_owner(row.type, key)
    if owner and owner != row.id:
        raise ValidationError(f"{name!r} already names {owner}; use 'casegraph merge' to join them")
    rec = NameRec(row.type, key, match_key(name, row.type), row.id, name.strip())
    payload = {"entity": row.id, "name": name, "type": row.type, "key": key, "new": owner is None}
    store.apply(Change(_record("alias", row.id, why, by, payload), names_put=[rec]))
    return store.entity(row.id)


# ------------------------------------------------------------------------- undo
def find(store: Store, ref: str) -> DecisionRow:
    """The decision a user names: its uid, or its number in `casegraph decisions` (from 1)."""
    rows = store.decisions()
    ref = ref.strip()
    if ref.isdigit() and 1 <= int(ref) <= len(rows):
        return rows[int(ref) - 1]
    for row in rows:
        if row.uid == ref:
            return row
    raise UsageError(f"no decision {ref!r} ({len(rows)} recorded; see 'casegraph decisions')")


def undo(store: Store, ref: str, *, why: str | None = None, by: str | None = None) -> DecisionRow:
    """Take a decision back; recorded as a decision of its own."""
    done = find(store, ref)
    if done.undone_at:
        raise UsageError(
            f"decision {done.uid} was already undone ({done.undone_at} by {done.undone_by})"
        )
    if done.action == "undo":
        raise UsageError(f"decision {done.uid} is itself an undo; make the decision again instead")
    p = done.payload
    record = _record("undo", done.uid, why, by, {"action": done.action, "target": done.target})
    change = Change(record, undone=done.uid)
    if done.action in ("confirm", "reject") and not done.target.startswith("ev:"):
        _relation(store, done.target)  # refused if the relation no longer exists
        change.relation_status[done.target] = p.get("before")
    elif done.action == "reject":
        item = store.evidence_item(done.target)
        if item is None:
            raise UsageError(
                f"decision {done.uid} is about evidence {done.target}, which no longer exists"
            )
        change.evidence_status[item.id] = p.get("before")
    elif done.action == "drop":
        _entity_still(store, done, done.target)
        change.entity_updates[done.target] = {"status": p.get("before")}
        live = store.relations_by_id(p.get("rejected", {}))
        change.relation_status.update({rid: before for rid, before in p.get("rejected", {}).items()
                                       if rid in live})  # fmt: skip
    elif done.action == "retype":
        _untype(store, done, change)
    elif done.action == "split":
        keep = _entity_still(store, done, p["entity"])
        gone = _entity_still(store, done, p["new"])
        change.fold = (keep.id, gone.id)
        change.fold_props = {**gone.properties, **keep.properties}
    elif done.action == "merge":
        keep = _entity_still(store, done, p["keep"])
        names = [n for n in p.get("drop_names", [p.get("drop_name")]) if n
                 and normalize_name(n) != normalize_name(keep.name)]  # fmt: skip
        back, _ = _split_change(store, keep, names, why, by, p["drop"], p.get("drop_type"), "undo")
        _untype(store, done, back)
        back.record, back.undone = record, done.uid
        back.xids_delete.append(p["drop"])
        change = back
    elif (
        done.action == "alias"
        and p.get("new")
        and (store.name_owner(p["type"], p["key"]) == p["entity"])
    ):
        change.names_delete.append((p["type"], p["key"]))
    store.apply(change)
    return record


def _entity_still(store: Store, done: DecisionRow, entity_id: str) -> EntityRow:
    try:
        return store.entity(entity_id)
    except EntityNotFound:
        raise UsageError(
            f"decision {done.uid} is about {entity_id}, which no longer exists"
        ) from None


def _untype(store: Store, done: DecisionRow, change: Change) -> None:
    """Give back the types a retype (or an across-types merge) took, and what it rejected."""
    for entity_id, before in done.payload.get("retyped", {}).items():
        if done.action == "merge" and entity_id == done.payload.get("drop"):
            continue  # the split-off entity is made with its old type
        row = _entity_still(store, done, entity_id)
        for rec in store.names_of(row.id):
            owner = store.name_owner(before["type"], rec.key)
            if owner and owner != row.id:
                raise UsageError(f"{rec.name!r} now names {owner} ({before['type']}); cannot undo")
            change.names_delete.append((rec.type, rec.key))
            change.names_put.append(replace(rec, type=before["type"],
                                            mkey=match_key(rec.name, before["type"])))  # fmt: skip
        change.entity_updates.setdefault(row.id, {}).update(
            {"type": before["type"], "type_source": before.get("type_source", "source")}
        )
        live = store.relations_by_id(before.get("rejected", {}))
        change.relation_status.update(
            {rid: s for rid, s in before.get("rejected", {}).items() if rid in live}
        )
