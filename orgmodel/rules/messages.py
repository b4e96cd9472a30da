"""What the texts of findings and notices share, for both engines that write them.

A kind's own texts live in its module (`orgmodel.rules.kinds.<kind>`); here are the
templates no kind owns (a crashed rule, an unknown post) and how a template is read:
`kinds.base.message` fills it in columns, `fill` for one finding in plain Python, and both
must give the same characters. `{name}` is a constant the rule gives, else a column of the
finding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

FIELD = re.compile(r"\{(\w+)\}")
# Read as figures (3100, 2.5), never as a float's text (3100.0户): the counts and the amounts.
NUMBER_FIELDS = frozenset({"actual", "required_min", "required_max", "shortfall", "over", "households", "population"})

RULE_CRASHED = "规则{rule}执行出错,未能检查:{detail}"

# A count written as a decimal (3100.0户) in a message of an older report or another pack's
# template: what people read drops `.0` (the report's own figures are written as figures).
WHOLE_COUNT = re.compile(r"(\d)\.0(?=[户人名个元])")
WHOLE_COUNT_REPLACE = (r"(\d)\.0([户人名个元])", "${1}${2}")  # the same for polars (no look-ahead)


def readable(text: str) -> str:
    """`服务站按3100.0户` → `服务站按3100户`, `每人20元×8000.0人` → `每人20元×8000人`."""
    return WHOLE_COUNT.sub(r"\1", text)


UNKNOWN_POST_ZH = "职务“{value}”不在配备要求之列,不计入任何规则"
UNKNOWN_POST_EN = "post {value} is counted by no rule"


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
