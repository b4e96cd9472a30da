"""No cell of a report becomes a formula because of what a user typed into the roster.

A name such as `=HYPERLINK(...)` or `@SUM(...)` is kept exactly as text. In CSV, which has
no cell types, such a value gets a leading apostrophe, as spreadsheet programs expect
(OWASP's advice for CSV injection); in xlsx it is written as a string cell with Excel's own
"quote prefix" style, so it shows unchanged and stays text even when someone edits the
cell. Numbers are never passed through here: they are written as numbers.
"""

from __future__ import annotations

import polars as pl

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(text: str) -> bool:
    """A value a spreadsheet program could take for a formula."""
    return text.startswith(TRIGGERS)


def neutralise(text: str) -> str:
    """The text for a CSV cell: an apostrophe before a value that could start a formula."""
    return "'" + text if is_dangerous(text) else text


def neutralise_column(expr: pl.Expr) -> pl.Expr:
    """`neutralise` over a text column, in polars."""
    return expr.str.replace(r"^([=+\-@\t\r])", "'$1")
