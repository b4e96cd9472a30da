"""Issue 14, PII: resident ID and mobile numbers are masked in every spelling people type —
full-width digits, a lower-case or full-width check character, groups split by spaces or
hyphens, mobiles with +86 / 0086 / 86 — by `mask_text`, `mask_value` and `mask_column` alike,
wherever in a text they stand (property-tested with hypothesis)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgmodel.masking import mask_column, mask_text, mask_value

FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
TO_ASCII = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
SEPARATORS = ["", " ", "-", "  ", " - ", "\u3000", "\uff0d", "\u00a0", "\u2013"]
_NOT_DIGITS = "[0-9０-９]"


def mask_all(texts: list[str]) -> list[list[str]]:
    """Each text as each of the three functions masks it."""
    column = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(mask_column(pl.col("t")))["t"].to_list()
    return [[mask_text(t), mask_value(t), c] for t, c in zip(texts, column, strict=True)]


def ascii_digits(text: str) -> str:
    """Digits as ASCII, X upper-case: a full-width number is the same number."""
    return text.translate(TO_ASCII)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, str, str]:
    """(the number as digits, as written, the masked form as written)."""
    number = (draw(st.sampled_from("123456789")) + draw(_digits(5)) + draw(_digits(8)) + draw(_digits(3))
              + draw(st.sampled_from("0123456789Xx")))
    first, middle, last = number[:6], number[6:14], number[14:]
    widths = draw(st.sampled_from(["ascii", "full", "mixed"]))
    if widths == "full":
        first, middle, last = (part.translate(FULL_WIDTH) for part in (first, middle, last))
    elif widths == "mixed":
        first, last = first.translate(FULL_WIDTH), last
    gap1, gap2 = draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(SEPARATORS))
    return number.upper(), f"{first}{gap1}{middle}{gap2}{last}", f"{first}{gap1}********{gap2}{last}"


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + draw(_digits(9))
    first, middle, last = number[:3], number[3:7], number[7:]
    if draw(st.booleans()):
        first, middle, last = (part.translate(FULL_WIDTH) for part in (first, middle, last))
    prefix = draw(st.sampled_from(["", "+86", "+86 ", "86", "0086", "0086-", "＋８６ ", "(+86) "]))
    gap1, gap2 = draw(st.sampled_from(SEPARATORS)), draw(st.sampled_from(SEPARATORS))
    return number, f"{prefix}{first}{gap1}{middle}{gap2}{last}", f"{first}{gap1}****{gap2}{last}"


# Text around a number: anything (digits too), but what touches the number is no digit — a digit
# there would make it part of a longer number (a bank card), which is not masked.
_ANY = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_EDGE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Nd")), min_size=1, max_size=3)
_BEFORE = st.builds(lambda a, b: a + b, _ANY, _EDGE)
_AFTER = st.builds(lambda a, b: a + b, _EDGE, _ANY)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(id_numbers(), mobiles(), _BEFORE, st.text(max_size=10).map(lambda t: f" {t} "), _AFTER)
def test_no_number_survives_in_any_spelling_anywhere(id_number: tuple[str, str, str], mobile: tuple[str, str, str],
                                                     before: str, between: str, after: str) -> None:
    number, written, masked = id_number
    phone, dialled, phone_masked = mobile
    text = f"{before}{written}{between}{dialled}{after}"
    for result in mask_all([text])[0]:
        assert written not in result and dialled not in result  # neither survives as written …
        assert number not in ascii_digits(result) and phone not in ascii_digits(result)  # … nor in other digits
        assert masked in result  # first 6 and last 4 kept as written, the 8 between hidden
        assert phone_masked in result  # first 3 and last 4 kept as written


@settings(max_examples=300, deadline=None)
@given(id_numbers())
def test_a_number_alone_is_its_masked_form(id_number: tuple[str, str, str]) -> None:
    _, written, masked = id_number
    assert mask_all([written])[0] == [masked] * 3


@settings(max_examples=300, deadline=None)
@given(mobiles())
def test_a_mobile_alone_keeps_its_prefix_and_is_masked(mobile: tuple[str, str, str]) -> None:
    _, dialled, masked = mobile
    for result in mask_all([dialled])[0]:
        assert result.endswith(masked) and dialled.startswith(result[: len(result) - len(masked)])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=20))
def test_the_three_functions_agree_on_any_text(texts: list[str]) -> None:
    for text_masked, value_masked, column_masked in mask_all(texts):
        assert text_masked == value_masked == column_masked


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Nd")), max_size=60))
def test_text_without_digits_is_left_alone(text: str) -> None:
    assert mask_all([text])[0] == [text] * 3


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("+8613812345678", "+86138****5678", id="+86"),
    pytest.param("+86 138 1234 5678", "+86 138 **** 5678", id="+86-spaced"),
    pytest.param("0086-138-1234-5678", "0086-138-****-5678", id="0086-hyphenated"),
    pytest.param("8613812345678", "86138****5678", id="86"),
    pytest.param("138-1234-5678", "138-****-5678", id="hyphenated"),
    pytest.param("138 1234 5678", "138 **** 5678", id="spaced"),
    pytest.param("电话:１３８１２３４５６７８。", "电话:１３８****５６７８。", id="full-width-mobile"),
    pytest.param("３２０６０２１９８００１０１１２３４", "３２０６０２********１２３４", id="full-width-id"),
    pytest.param("32060219800101123ｘ", "320602********123ｘ", id="full-width-x"),
    pytest.param("身份证32060219800101123x号", "身份证320602********123x号", id="x-in-text"),
    pytest.param("320602198001011234xyz", "320602********1234xyz", id="id-then-letters"),
    pytest.param("320602 19800101 1234", "320602 ******** 1234", id="id-spaced"),
    pytest.param("0513-83512345", "0513-83512345", id="landline"),
    pytest.param("6222021234567890123", "6222021234567890123", id="19-digit-card"),
    pytest.param("2026-11-25 12:00", "2026-11-25 12:00", id="a-date"),
])
def test_each_spelling_of_the_issue(text: str, expected: str) -> None:
    assert mask_all([text])[0] == [expected] * 3


def test_mask_column_keeps_nulls_and_categoricals() -> None:
    frame = pl.DataFrame({"p": ["13812345678", None, "P001"]}).with_columns(pl.col("p").cast(pl.Categorical))
    assert frame.select(mask_column(pl.col("p")))["p"].to_list() == ["138****5678", None, "P001"]
