"""What one cell means: a date, a term's end, an amount, as offices write them.

The one parser of cell text. The normaliser maps it over every distinct spelling of a column,
the small engine calls it per value, the registry reads an edit's dates with it: a spelling
learnt here is learnt by all three.
"""

from __future__ import annotations

import datetime as dt
import re

from orgmodel import vocabulary

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]00:00(?::00)?(?:\.0+)?)?$")
_MONTH = re.compile(r"^(\d{4})(?:[-/.年](\d{1,2})月?|(\d{2}))$")  # 2021.06, 2021年6月, 2021-6, 202106
# A date typed into a cell without a date format shows its serial number: 45292 is 2024-01-01.
EXCEL_EPOCH = dt.date(1899, 12, 30)
SERIAL_DATES = (20000, 80000)  # 1954 … 2119


def parse_date(text: str, end: bool = False) -> dt.date | None:
    """2024-01-01, 2024/1/1, 2024.1.1, 2024年1月1日, 20240101, an Excel serial (45292), or a
    month alone (2021.06, 2021年6月, 2021-6): its first day, or its last when it ends a term."""
    text = vocabulary.clean(text).replace("t", "T")
    match = _DATE.match(text)
    parts = match.groups() if match else (text[:4], text[4:6], text[6:]) if re.fullmatch(r"\d{8}", text) else None
    if parts is None:
        if re.fullmatch(r"\d{5}", text) and SERIAL_DATES[0] <= int(text) < SERIAL_DATES[1]:
            return EXCEL_EPOCH + dt.timedelta(days=int(text))
        return _month(text, end)
    try:
        return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _month(text: str, end: bool) -> dt.date | None:
    match = _MONTH.match(text)
    if match is None:
        return None
    year, month = int(match.group(1)), int(match.group(2) or match.group(3))
    if not 1 <= month <= 12 or year < 1900:
        return None
    if not end:
        return dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def parse_end_date(text: str) -> dt.date | None:
    return parse_date(text, end=True)


# Units people write after a figure (2400户, 4,100人, 3800元, 18万元) and what they multiply it by.
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(户|人|元|元/月|元/人|元/年|万元|万)?$")
_SCALE = {"万元": 10000.0, "万": 10000.0}


def parse_amount(text: str) -> float | None:
    try:
        value = float(text)  # most cells: a plain figure
        return value if value >= 0 and value != float("inf") else None
    except ValueError:
        pass
    match = _AMOUNT.match(vocabulary.clean(text).replace(",", "").replace("，", ""))
    if match is None:
        try:  # 1e3, inf and the like: what Python reads as a float
            value = float(vocabulary.clean(text))
        except ValueError:
            return None
    else:
        value = float(match.group(1)) * _SCALE.get(match.group(2) or "", 1.0)
    return value if value >= 0 and value != float("inf") else None
