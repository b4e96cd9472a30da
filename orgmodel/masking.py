"""Personal data (PIPL): resident ID numbers and mobile numbers never leave orgmodel unmasked.

ID numbers show their first 6 and last 4 characters, mobiles their first 3 and last 4, in
every spelling people type: full-width digits (３２０６…), a lower-case or full-width check
character (x, Ｘ), groups split by spaces or hyphens (138-1234-5678, 320602 19800101 1234) and
mobiles with the country code (+86 138…, 0086…, 86138…). The digits kept and the separators
stay as they were written; only the hidden digits become `*`.

The three functions agree: `mask_value` (one value, `orgmodel.small`) and `mask_column` (a
polars column, the national-scale path) mask exactly as `mask_text` does, anywhere in the text.
"""

from __future__ import annotations

import re

import polars as pl

_DIGIT = "[0-9０-９]"
_NONZERO = "[1-9１-９]"
_CHECK = "[0-9０-９XxＸｘ]"  # an ID number's last character
# between groups: spaces (also no-break and ideographic) and hyphens or dashes, up to three of them
_GAP = "[ \u00a0\u3000\\-\u2010\u2011\u2012\u2013\uff0d]{0,3}"
_COUNTRY = f"(?:(?:\\+|＋|00|００)?(?:86|８６){_GAP})?"

_ID_RE = re.compile(
    f"(?<!{_DIGIT})({_NONZERO}{_DIGIT}{{5}})({_GAP}){_DIGIT}{{8}}({_GAP}{_DIGIT}{{3}}{_CHECK})(?!{_DIGIT})")
_MOBILE_RE = re.compile(
    f"(?<!{_DIGIT})({_COUNTRY}[1１][3-9３-９]{_DIGIT})({_GAP}){_DIGIT}{{4}}({_GAP}{_DIGIT}{{4}})(?!{_DIGIT})")
_SHORTEST = 11  # a mobile's digits: nothing shorter holds a number to mask
# For polars (the Rust regex engine, no look-around): the usual whole values, masked in columns,
# and the digits counted, to find the few values that need `mask_text`.
_WHOLE_ID = "^([1-9][0-9]{5})[0-9]{8}([0-9]{3}[0-9Xx])$"
_WHOLE_MOBILE = "^(1[3-9][0-9])[0-9]{4}([0-9]{4})$"
_DIGITS = "[0-9０-９]"


def mask_text(text: str) -> str:
    """Mask every ID or mobile number inside a free text."""
    if len(text) < _SHORTEST:
        return text
    text = _ID_RE.sub(r"\1\2********\3", text)
    return _MOBILE_RE.sub(r"\1\2****\3", text)


def mask_value(text: str) -> str:
    """`mask_column` for one value (`orgmodel.small`): the same as `mask_text`."""
    return mask_text(text)


def _mask_series(series: pl.Series) -> pl.Series:
    # a whole value that is an ID or mobile number as mask_text would mask it, in columns …
    given = series.cast(pl.String)
    text = given.str.replace(_WHOLE_ID, "${1}********${2}").str.replace(_WHOLE_MOBILE, "${1}****${2}")
    # … and any other value with 11 digits or more (another spelling, a number inside text) by mask_text
    rest = text.filter((text == given) & (text.str.len_chars() >= _SHORTEST))
    candidates = rest.filter(rest.str.count_matches(_DIGITS) >= _SHORTEST).unique()
    changed = {value: masked for value in candidates if (masked := mask_text(value)) != value}
    if not changed:
        return text
    return text.replace(changed)


def mask_column(expr: pl.Expr) -> pl.Expr:
    """The same masking in columns, for the national-scale path: the usual whole values (an
    18-character ID number, an 11-digit mobile) in columns; anything else that has 11 digits or
    more through `mask_text`, once per distinct value."""
    return expr.map_batches(_mask_series, return_dtype=pl.String)
