"""Running the relation rules sentence by sentence, checking them against the schema."""

from __future__ import annotations

from collections.abc import Callable

from casegraph.extract import (
    rules_acts,
    rules_attack,
    rules_np,
    rules_people,
    rules_place,
    rules_report,
    rules_roles,
    rules_target,
    rules_verb,
)
from casegraph.extract.context import Ctx
from casegraph.extract.coref import Coreference
from casegraph.extract.gazetteer import Gazetteer
from casegraph.extract.spans import Candidate, Entity, Sent
from casegraph.graph.schema import WEAK, load_schema

Rule = Callable[[Ctx], None]

RULES: tuple[Rule, ...] = (
    rules_np.demonym_modifier,
    rules_np.demonym_of_noun,
    rules_np.based_in_phrase,
    rules_place.based_modifier,
    rules_place.city_region,
    rules_np.based_after,
    rules_np.introducer_list,
    rules_np.possessive,
    rules_np.possessive_named,
    rules_np.titles,
    rules_roles.appositive_role,
    rules_roles.role_after_name,
    rules_roles.role_list,
    rules_roles.membership,
    rules_np.part_of,
    rules_np.hosted_at,
    rules_np.parent_company,
    rules_np.demonym_name,
    rules_np.operated_on,
    rules_verb.hire,
    rules_verb.sue,
    rules_attack.disrupt,
    rules_report.report,
    rules_report.report_noun,
    rules_report.according_to,
    rules_report.report_clause,
    rules_attack.impersonate,
    rules_attack.target,
    rules_acts.attacks,
    rules_acts.seizures,
    rules_acts.platforms_used,
    rules_acts.product_users,
    rules_acts.court,
    rules_acts.named_defendants,
    rules_acts.eponymous,
    rules_acts.publisher_of,
    rules_acts.units,
    rules_target.with_tool,
    rules_target.target_nouns,
    rules_target.under_surveillance,
    rules_verb.use,
    rules_verb.develop,
    rules_verb.sanction,
    rules_verb.sanction_nouns,
    rules_verb.works_for,
    rules_people.founders,
    rules_people.leaders,
    rules_people.unit_employer,
    rules_verb.own,
)

# Co-mention links are drawn between at most this many entities of one sentence.
MAX_COMENTIONED = 12
FALLBACK_CONFIDENCE = 0.3
COMENTION_CONFIDENCE = 0.5


def extract_relations(
    sents: list[Sent], entities: list[Entity], resolver: Coreference, gaz: Gazetteer, model: str
) -> list[Candidate]:
    """Typed relations the rules read, then co-mentions where no typed relation was read.

    Relations never cross a sentence, so never a story. A typed relation whose ends the schema
    does not allow becomes a MENTIONED_WITH link.
    """
    found: list[Candidate] = []
    lawsuits: dict[str, int] = {}
    for sent in sents:
        ctx = Ctx(sent, resolver, gaz, entities, found, lawsuits)
        for rule in RULES:
            rule(ctx)
    schema = load_schema()
    checked: list[Candidate] = []
    for c in found:
        spec = schema.relation_type(c.type)
        if spec.allows(entities[c.source].type, entities[c.target].type):
            checked.append(c)
        else:
            checked.append(
                Candidate(
                    c.source, WEAK, c.target, f"{c.rule}:fallback", FALLBACK_CONFIDENCE, c.sent
                )
            )
    return checked + _comentions(sents, resolver, checked, model)


def _comentions(
    sents: list[Sent], resolver: Coreference, typed: list[Candidate], model: str
) -> list[Candidate]:
    linked: dict[int, set[frozenset[int]]] = {}
    for c in typed:
        linked.setdefault(c.sent, set()).add(frozenset((c.source, c.target)))
    out: list[Candidate] = []
    for sent in sents:
        order = list(dict.fromkeys(m.entity for m in resolver.by_sent.get(sent.index, [])))
        order = order[:MAX_COMENTIONED]
        done = linked.get(sent.index, set())
        for i, a in enumerate(order):
            for b in order[i + 1 :]:
                if frozenset((a, b)) in done:
                    continue
                if resolver.type_of(a) == resolver.type_of(b) == "VictimGroup":
                    continue
                out.append(Candidate(a, WEAK, b, model, COMENTION_CONFIDENCE, sent.index))
    return out
