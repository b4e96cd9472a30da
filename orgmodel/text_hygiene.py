"""Characters no roster text should carry: they are invisible, or they change how the text
around them is shown, so a name that holds one is not the name people read.

Refused (Unicode general categories): controls `Cc` — C0 (NUL, BEL …), DEL and C1 — except
tab and line breaks where a field allows several lines; format characters `Cf` — the bidi
controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), zero-width characters
(U+200B–U+200D, U+2060, U+FEFF) and the other invisible ones (soft hyphen, tags …); lone
surrogates `Cs`; the line and paragraph separators `Zl`/`Zp` (U+2028/U+2029). Private-use
characters (`Co`) are kept: offices type rare characters of names (生僻字) with them.
"""

from __future__ import annotations

import unicodedata

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
LINE_BREAKS = frozenset("\t\n\r")  # allowed where a field holds several lines
_UNNAMED = {"Cc": "control character", "Cs": "lone surrogate"}


def bad_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text` a roster may not hold, each once, in the order they first appear.

    `multiline` allows tab, CR and LF (a free-text cell); a name or a code allows none.
    """
    if text.isprintable():
        return []  # the common case: `isprintable` is False for every C* and Z* character but " "
    found: dict[str, None] = {}
    for ch in text:
        if ch in found or (multiline and ch in LINE_BREAKS):
            continue
        if unicodedata.category(ch) in REFUSED_CATEGORIES:
            found[ch] = None
    return list(found)


def describe(ch: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE`: how a refused character is named in a message."""
    name = unicodedata.name(ch, "")
    if not name:
        name = {"\x07": "BELL", "\x7f": "DELETE", "\x00": "NULL", "\t": "TAB", "\n": "LINE FEED",
                "\r": "CARRIAGE RETURN"}.get(ch) or _UNNAMED.get(unicodedata.category(ch), "unnamed character")
    return f"U+{ord(ch):04X} {name}"
