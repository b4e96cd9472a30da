"""The small engine's view of the rule kinds: each kind's per-community evaluation and
whether it reproduces the columnar one for given parameters.

The evaluations themselves live beside their columnar twins, one module per kind in
`orgmodel.rules.kinds`; this module only looks them up for `orgmodel.small.plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from orgmodel.rules.kinds import KINDS as RULE_KINDS
from orgmodel.rules.kinds import Finding, Params
from orgmodel.rules.kinds.base import EvaluateOne as Evaluate

__all__ = ["KINDS", "Evaluate", "Finding", "Kind"]


class Kind(NamedTuple):
    evaluate: Evaluate
    supports: Callable[[Params], bool]  # parameters this engine reproduces exactly (see `RuleKind.small_declines`)


def _supports(name: str) -> Callable[[Params], bool]:
    return lambda params: RULE_KINDS[name].small_declines(params) is None


KINDS: dict[str, Kind] = {name: Kind(k.per_community, _supports(name))
                          for name, k in RULE_KINDS.items() if k.per_community is not None}
