"""Rule packs: YAML files that say which rules, with which numbers, severities and citations.

A pack is validated when it loads (an unknown kind or a bad parameter is a `PackError`
naming the pack and the key). A pack may `extends` another, then `overrides` some of its
rules' fields, `disable`s some, and adds `rules` of its own.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from orgmodel.errors import PackError
from orgmodel.rules.kinds import KINDS, Params, RuleSpec, Severity

PACKS_DIR = Path(__file__).parent / "packs"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader when PyYAML has it


class RuleText(BaseModel):
    """A rule explained for the people it is checked for, in Chinese: what is checked, a
    failing and a passing example (the source clause is the rule's `citation`).
    `orgmodel rules show` and the README's rule table print it."""

    model_config = ConfigDict(extra="forbid")

    checks: str = Field(min_length=1, description="检查什么:what is checked and how it is counted")
    fails: str = Field(min_length=1, description="不合规的例子:a case that fails")
    passes: str = Field(min_length=1, description="合规的例子:a case that passes")


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.-]*$")
    name: str
    title: str = Field(description="the rule in one line of Chinese")
    kind: str
    severity: Severity
    over_max_severity: Severity | None = None
    applies_to: list[str] | None = None
    parameters: dict[str, Any] = {}
    citation: str
    description: str = ""
    zh: RuleText | None = Field(None, description="the rule explained in Chinese (every packaged rule has it)")
    tags: list[str] = []

    def spec(self) -> RuleSpec:
        return RuleSpec(self.id, self.severity, self.over_max_severity or self.severity, self.applies_to)


class Pack(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    version: str
    extends: str | None = None
    source: str = ""
    rules: list[Rule]

    def params(self, rule: Rule) -> Params:
        return _params(self.id, rule)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)


def _params(pack: str, rule: Rule) -> Params:
    kind = KINDS.get(rule.kind)
    if kind is None:
        raise PackError(f"{pack}: rules[{rule.id}].kind: unknown kind {rule.kind!r}; known: {', '.join(sorted(KINDS))}")
    try:
        return kind.params.model_validate(rule.parameters)
    except ValidationError as exc:
        problems = "; ".join(
            f"rules[{rule.id}].parameters.{'.'.join(map(str, e['loc'])) or '(all)'}: {e['msg']}" for e in exc.errors())
        raise PackError(f"{pack}: {problems}") from exc


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        raise PackError(f"{path}: cannot read the pack: {exc}") from exc
    if not isinstance(data, dict):
        raise PackError(f"{path}: a pack is a mapping with id, name, version and rules")
    return data


def _resolve(name: str) -> Path:
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return path
    packaged = PACKS_DIR / f"{name}.yaml"
    if packaged.exists():
        return packaged
    raise PackError(f"no rule pack {name!r}: give a packaged pack ({', '.join(available())}) or a .yaml file")


def _merge(base: Pack, data: dict[str, Any], where: str) -> list[dict[str, Any]]:
    rules = {r.id: r.model_dump() for r in base.rules}
    for rule_id, fields in (data.pop("overrides", None) or {}).items():
        if rule_id not in rules:
            raise PackError(f"{where}: overrides.{rule_id}: {base.id} has no rule {rule_id}")
        if not isinstance(fields, dict):
            raise PackError(f"{where}: overrides.{rule_id}: expected a mapping of fields")
        merged = dict(rules[rule_id])
        for key, value in fields.items():
            if key == "parameters":
                merged["parameters"] = {**merged["parameters"], **value}
            else:
                merged[key] = value
        rules[rule_id] = merged
    for rule_id in data.pop("disable", None) or []:
        if rules.pop(rule_id, None) is None:
            raise PackError(f"{where}: disable: {base.id} has no rule {rule_id}")
    own = data.get("rules") or []
    for rule in own:
        if isinstance(rule, dict) and rule.get("id") in rules:
            raise PackError(f"{where}: rules[{rule['id']}]: already in {base.id}; use overrides")
    return [*rules.values(), *own]


def _load(path: Path, seen: tuple[Path, ...]) -> Pack:
    if path in seen:
        raise PackError(f"{path}: extends itself through {' → '.join(map(str, seen))}")
    data = _read(path)
    where = str(data.get("id") or path)
    if data.get("extends"):
        base = _load(_resolve(str(data["extends"])), (*seen, path))
        data["rules"] = _merge(base, data, where)
    try:
        pack = Pack.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise PackError(f"{where}: {problems}") from exc
    ids = [r.id for r in pack.rules]
    if len(ids) != len(set(ids)):
        raise PackError(f"{where}: rule ids repeat: {sorted({i for i in ids if ids.count(i) > 1})}")
    for rule in pack.rules:
        _params(pack.id, rule)
    return pack


@cache
def load_pack(name: str) -> Pack:
    """A packaged pack by id (`nantong`, `cn-law`) or a pack file by path; validated."""
    return _load(_resolve(name).resolve(), ())


def available() -> list[str]:
    return sorted(p.stem for p in PACKS_DIR.glob("*.yaml"))
