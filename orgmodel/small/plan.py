"""What the small path needs of a rule pack, worked out once per pack (id and version).

A pack the small engine cannot reproduce exactly (a kind or a parameter it does not cover)
has no plan: every document then goes the full way.
"""

from __future__ import annotations

from dataclasses import dataclass

from orgmodel.rules.kinds import Params, RuleSpec
from orgmodel.rules.pack import Pack
from orgmodel.small.evaluate import KINDS, Evaluate


@dataclass(frozen=True)
class PlannedRule:
    order: int  # the rule's place in the pack: findings sort by it
    id: str
    citation: str
    spec: RuleSpec
    params: Params
    evaluate: Evaluate


@dataclass(frozen=True)
class Plan:
    pack: Pack
    rules: tuple[PlannedRule, ...]


_PLANS: dict[tuple[str, str], tuple[Pack, Plan | None]] = {}


def plan_for(pack: Pack) -> Plan | None:
    """The pack's plan, or None when the small engine does not cover it. Cached by id and
    version; a different pack under the same id and version (a pack file being edited) is
    planned anew."""
    key = (pack.id, pack.version)
    cached = _PLANS.get(key)
    if cached is not None and (cached[0] is pack or cached[0] == pack):
        return cached[1]
    plan = _plan(pack)
    _PLANS[key] = (pack, plan)
    return plan


def _plan(pack: Pack) -> Plan | None:
    rules = []
    for order, rule in enumerate(pack.rules):
        kind = KINDS.get(rule.kind)
        params = pack.params(rule)
        if kind is None or not kind.supports(params):  # each kind's module says what it declines, and why
            return None
        rules.append(PlannedRule(order, rule.id, rule.citation, rule.spec(), params, kind.evaluate))
    return Plan(pack, tuple(rules))

