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


def mask_text(text: str) -> str:
    """Mask every ID or mobile number inside a free text."""
    if len(text) < 11:
        return text
    return _MOBILE_RE.sub(r"\1****\2", _ID_RE.sub(r"\1********\2", text))


def mask_column(expr: pl.Expr) -> pl.Expr:
    """The same masking in columns, for the national-scale path.

    The regex engine under polars has no look-around, so whole values are matched: person ids
    are the only column that carries these numbers in bulk.
    """
    return (
        expr.str.replace(r"^([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])$", "${1}********${2}")
        .str.replace(r"^(1[3-9][0-9])[0-9]{4}([0-9]{4})$", "${1}****${2}")
    )
