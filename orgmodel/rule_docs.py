"""The rules explained for people, in Chinese: `orgmodel rules show` and the README's table.

Everything comes from the pack itself (each rule's title, its Chinese `zh` fields — what is
checked, a failing and a passing example — and its citation, the why), so the documentation
cannot drift from what is checked. A pack of one's own without `zh` fields shows its
`description` instead.
"""

from __future__ import annotations

import json

from orgmodel import vocabulary
from orgmodel.report.tables import SEVERITY
from orgmodel.rules.pack import Pack, Rule


def severity_text(rule: Rule) -> str:
    """错误, or 错误(超出上限为警告)."""
    text = SEVERITY[rule.severity]
    if rule.over_max_severity and rule.over_max_severity != rule.severity:
        text += f"(超出上限为{SEVERITY[rule.over_max_severity]})"
    return text


def scope_text(rule: Rule) -> str:
    if not rule.applies_to:
        return "全部社区"
    return "、".join(f"{vocabulary.KINDS.get(k, k)}社区" for k in rule.applies_to)


def pack_heading(pack: Pack) -> str:
    base = f"(在 {pack.extends} 之上)" if pack.extends else ""
    lines = [f"{pack.id} v{pack.version}:{pack.name}{base}"]
    if pack.source:
        lines.append(f"依据文件:{pack.source}")
    lines.append(f"共{len(pack.rules)}条规则。错误:社区不合规;警告:应当注意,或资料不全无法核定;提示:供参考。")
    return "\n".join(lines)


def rule_text(rule: Rule) -> str:
    """One rule as `rules show` prints it: its id and title, then what, why, examples."""
    lines = [f"{rule.id}  {rule.title}  [{rule.name}]"]
    if rule.zh is not None:
        lines += [f"    检查什么:{rule.zh.checks}", f"    依据:{rule.citation}",
                  f"    不合规的例子:{rule.zh.fails}", f"    合规的例子:{rule.zh.passes}"]
    else:
        lines += [f"    依据:{rule.citation}"] + ([f"    说明:{rule.description}"] if rule.description else [])
    lines.append(f"    严重程度:{severity_text(rule)};适用:{scope_text(rule)}")
    lines.append(f"    种类与参数(代码):{rule.kind} {json.dumps(rule.parameters, ensure_ascii=False)}")
    return "\n".join(lines)


def explain(pack: Pack) -> str:
    """The whole pack, rule by rule, a blank line between rules."""
    return "\n\n".join([pack_heading(pack), *(rule_text(r) for r in pack.rules)])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def rules_markdown(pack: Pack) -> str:
    """The README's rule table, made from the pack itself so that the two cannot drift apart."""
    lines = ["| 编号 | 规则 | 检查什么 | 不合规的例子 | 合规的例子 | 严重程度 | 依据 |",
             "|---|---|---|---|---|---|---|"]
    for rule in pack.rules:
        checks, fails, passes = ((rule.zh.checks, rule.zh.fails, rule.zh.passes) if rule.zh is not None
                                 else (rule.description, "", ""))
        severity = severity_text(rule) + ("" if not rule.applies_to else f",仅{scope_text(rule)}")
        cells = [rule.id, rule.title, checks, fails, passes, severity, rule.citation]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)
