"""Personal data (PIPL): resident ID numbers and mobile numbers never leave orgmodel unmasked.

ID numbers show their first 6 and last 4 characters, mobiles their first 3 and last 4.
"""

from __future__ import annotations

import re

import polars as pl

_ID_NUMBER = r"(?<![0-9])([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])(?![0-9Xx])"
_MOBILE = r"(?<![0-9])(1[3-9][0-9])[0-9]{4}([0-9]{4})(?![0-9])"
_ID_RE = re.compile(_ID_NUMBER)
_MOBILE_RE = re.compile(_MOBILE)
_WHOLE_ID = r"([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])"
_WHOLE_MOBILE = r"(1[3-9][0-9])[0-9]{4}([0-9]{4})"
_WHOLE_ID_RE = re.compile(_WHOLE_ID)
_WHOLE_MOBILE_RE = re.compile(_WHOLE_MOBILE)


def mask_text(text: str) -> str:
    """Mask every ID or mobile number inside a free text."""
    if len(text) < 11:
        return text
    return _MOBILE_RE.sub(r"\1****\2", _ID_RE.sub(r"\1********\2", text))


def mask_value(text: str) -> str:
    """`mask_column` for one value (`orgmodel.small`): only a whole value is masked."""
    if len(text) == 18 and (match := _WHOLE_ID_RE.fullmatch(text)):
        return f"{match[1]}********{match[2]}"
    if len(text) == 11 and (match := _WHOLE_MOBILE_RE.fullmatch(text)):
        return f"{match[1]}****{match[2]}"
    return text


def mask_column(expr: pl.Expr) -> pl.Expr:
    """The same masking in columns, for the national-scale path.

    The regex engine under polars has no look-around, so whole values are matched: person ids
    are the only column that carries these numbers in bulk.
    """
    return (
        expr.str.replace(f"^{_WHOLE_ID}$", "${1}********${2}")
        .str.replace(f"^{_WHOLE_MOBILE}$", "${1}****${2}")
    )
