"""The texts of findings and notices, shared by both engines that write them.

`orgmodel.rules.kinds` fills these templates in columns (`kinds.message`), `orgmodel.small`
for one community in plain Python (`fill`); both must give the same characters, so the
texts live here once. `{name}` is a constant the rule gives, else a column of the finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

FIELD = re.compile(r"\{(\w+)\}")
NUMBER_FIELDS = frozenset({"actual", "required_min", "required_max", "shortfall", "over"})  # read as figures

RULE_CRASHED = "规则{rule}执行出错,未能检查:{detail}"

UNIT_MISSING = "缺少{label}"

BODY_SHORT = "{label}成员应为{required_min}-{required_max}名,现有{actual}名,缺{shortfall}名"
BODY_OVER = "{label}成员应为{required_min}-{required_max}名,现有{actual}名,超出{over}名(辖区人口较多、任务较重的社区可适当增加)"

HOLDERS_EXACT = "{label}应为{required_min}名,现有{actual}名"
HOLDERS_AT_LEAST = "{label}应不少于{required_min}名,现有{actual}名"
HOLDERS_SHORTFALL = ",缺{shortfall}名"
HOLDERS_OVER = "{label}应不多于{required_max}名,现有{actual}名"
HOLDER_PART_TIME = "{label}{name}非专职,不计入专职人数"

RATIO_SHORT = "{label}按{households}户应配备专职工作人员{required_min}名,现有{actual}名,缺{shortfall}名"
RATIO_NO_HOUSEHOLDS = "未填写户数,无法核定服务站专职工作人员数"

QUALIFICATION_FAILED = "{label}{name}不符合要求:应为{requirement}"

EXCLUSIVE = "{name}同时在{actual}个社区专职任职({detail})"

CROSSED = "{label}成员中有{actual}名与{partner}交叉任职"
NOT_CROSSED = "{label}成员无人与{partner}交叉任职"

FORBIDDEN_RELATION = "{detail}与{label}的关系为“{relation}”,政府对社区应为指导与协助,不是领导"

FUNDING_SHORT = "年度办公活动经费{actual}元,低于每人{rate}元×{population}人={required_min}元"
FUNDING_NO_POPULATION = "未填写人口,无法核定办公活动经费"
FUNDING_NO_BUDGET = "未填写年度办公活动经费"

PAY_BELOW = "专职人员{name}月工资{actual}元,低于当地最低工资{required_min}元"
PAY_BLANK = "专职人员{name}未填写月工资"
PAY_NO_MIN_WAGE = "所属区域未设定最低工资标准,无法核对专职人员工资"

TASK_CATEGORY_UNCLEAR = "事项{detail}“{name}”类别“{category_text}”不明确"
TASK_FORBIDDEN = "事项{detail}“{name}”属于{category_label},不得转嫁给社区"
TASK_LACKS = "事项{detail}“{name}”缺少{item}"
TASK_FIELDS = {"approved": "准入批准", "funded": "经费", "authorization": "授权文号", "purchase_contract": "购买服务合同"}
BLANK_CATEGORY = "(空)"

PILOTS = "{name}试点社区应为{lo}-{hi}个,现有{actual}个"

HOLDER_ATTRIBUTE_SHORT = "{label}应有{requirement},现有{actual}名"

# A count of households or residents that the roster stored as a decimal (3100.0户): the
# report's JSON keeps the text as the check wrote it (a contract), what people read drops `.0`.
WHOLE_COUNT = re.compile(r"(\d)\.0(?=[户人名个元])")
WHOLE_COUNT_REPLACE = (r"(\d)\.0([户人名个元])", "${1}${2}")  # the same for polars (no look-ahead)


def readable(text: str) -> str:
    """`服务站按3100.0户` → `服务站按3100户`, `每人20元×8000.0人` → `每人20元×8000人`."""
    return WHOLE_COUNT.sub(r"\1", text)


UNKNOWN_POST_ZH = "职务“{value}”不在配备要求之列,不计入任何规则"
UNKNOWN_POST_EN = "post {value} is counted by no rule"


def qualification_blank(label: str, header: str, requirement: str) -> str:
    return f"{label}{{name}}未填写{header},无法核实是否为{requirement}"


def task_blank(item: str) -> str:
    return f"事项{{detail}}“{{name}}”未填写{TASK_FIELDS[item]}"


def holder_attribute_blank(label: str, header: str, requirement: str) -> str:
    return f"{label}成员未填写{header},无法核实是否有{requirement}"


def partner_label(unit_labels: list[str]) -> str:
    return "或".join(unit_labels)


# --- the same texts, one finding at a time (orgmodel.small) ------------------------------------

class NotWritable(ValueError):
    """A figure the columnar writer might print otherwise than Python (see `figure`)."""


def float_text(value: float) -> str:
    """A float as polars casts it to text, where that is Python's repr (3100.0, 2280.5)."""
    if value != 0 and not 1e-4 <= abs(value) < 1e15:
        raise NotWritable(value)
    return repr(value)


def figure(value: float) -> int | float:
    """A figure as the report shows it (`kinds.number_text`): integers without a decimal point,
    others rounded to two decimals. Values with more decimals are refused, because polars and
    Python round some halves differently."""
    if value == int(value):
        if abs(value) >= 1e15:
            raise NotWritable(value)
        return int(value)
    if round(value, 2) != value:
        raise NotWritable(value)
    float_text(value)
    return value


@lru_cache(maxsize=1024)
def _pieces(template: str) -> tuple[tuple[str, str | None], ...]:
    """(text, field after it) pairs of a template; the last field is None."""
    split = FIELD.split(template)
    return tuple(zip(split[::2], [*split[1::2], None], strict=True))


def fill(template: str, values: Mapping[str, object]) -> str | None:
    """`kinds.message` for one finding: figures as the report shows them, other values as text,
    blanks as nothing; None (as polars gives) when a figure in the text is blank."""
    parts = []
    for text, piece in _pieces(template):
        parts.append(text)
        if piece is None:
            continue
        value = values.get(piece)
        if piece in NUMBER_FIELDS and not isinstance(value, str):
            if value is None:
                return None
            parts.append(str(figure(value)))  # type: ignore[arg-type]
        elif value is not None:
            parts.append(cell_text(value))
    return "".join(parts)


def cell_text(value: object) -> str:
    """A value as polars casts it to text: true/false, 3100.0, the text itself."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_text(value)
    return str(value)
