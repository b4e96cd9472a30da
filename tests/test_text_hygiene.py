"""Issue 14, text hygiene: `bad_characters` names the control, bidi and zero-width characters no
roster text may hold, and nothing else."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orgmodel.text_hygiene import REFUSED_CATEGORIES, bad_characters, describe

REFUSED = {
    "NUL": "\x00", "BEL": "\x07", "ESC": "\x1b", "DEL": "\x7f", "C1 NEL": "\x85", "C1 CSI": "\x9b",
    "LRE": "\u202a", "RLE": "\u202b", "PDF": "\u202c", "LRO": "\u202d", "RLO": "\u202e",
    "LRI": "\u2066", "RLI": "\u2067", "FSI": "\u2068", "PDI": "\u2069", "LRM": "\u200e", "RLM": "\u200f",
    "ALM": "\u061c", "ZWSP": "\u200b", "ZWNJ": "\u200c", "ZWJ": "\u200d", "BOM": "\ufeff", "WJ": "\u2060",
    "soft hyphen": "\u00ad", "tag": "\U000e0041", "line separator": "\u2028", "paragraph separator": "\u2029",
    "lone surrogate": "\ud800",
}
KEPT = ["张三", "欧阳 娜娜", "Zhang San", "王\u3000五", "\ue000丰", "李 ㈱", "🙂", "Ｐ００１", "O'Brien-Smith", "Ñandú", ""]


@pytest.mark.parametrize("ch", REFUSED.values(), ids=REFUSED.keys())
def test_each_refused_character_is_named(ch: str) -> None:
    assert bad_characters(f"张{ch}三") == [ch]
    assert bad_characters(f"张{ch}三", multiline=True) == [ch]
    assert describe(ch).startswith(f"U+{ord(ch):04X} ")


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_names_are_kept(text: str) -> None:
    assert bad_characters(text) == []


@pytest.mark.parametrize("ch", ["\t", "\n", "\r"])
def test_tab_and_line_breaks_only_where_several_lines_are_allowed(ch: str) -> None:
    assert bad_characters(f"第一行{ch}第二行") == [ch]
    assert bad_characters(f"第一行{ch}第二行", multiline=True) == []


def test_each_character_once_in_the_order_it_first_appears() -> None:
    assert bad_characters("\u202e张\x07三\u202e\u200b\x07") == ["\u202e", "\x07", "\u200b"]


def test_messages_name_the_character() -> None:
    assert describe("\u202e") == "U+202E RIGHT-TO-LEFT OVERRIDE"
    assert describe("\x07") == "U+0007 BELL" and describe("\x7f") == "U+007F DELETE"
    assert describe("\x85") == "U+0085 control character"


_ALLOWED = st.characters(exclude_categories=tuple(REFUSED_CATEGORIES))


@given(st.text(alphabet=_ALLOWED, max_size=50))
def test_text_of_allowed_characters_passes(text: str) -> None:
    assert bad_characters(text) == []


@given(st.text(alphabet=_ALLOWED, max_size=20), st.characters(categories=tuple(REFUSED_CATEGORIES)),
       st.text(alphabet=_ALLOWED, max_size=20))
def test_one_refused_character_anywhere_is_found(before: str, ch: str, after: str) -> None:
    assert unicodedata.category(ch) in REFUSED_CATEGORIES
    assert bad_characters(before + ch + after) == [ch]
