"""The three kinds of problem, kept apart: a bad pack, a bad roster, a non-compliant community.

Only the first two are here; a non-compliant community is a `Finding`, which is data.
"""

from __future__ import annotations

from pydantic import BaseModel

from orgmodel.masking import mask_text


class InputError(BaseModel):
    """A located problem in a roster: where (file, sheet, row, column), what was found, what to do."""

    code: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    message_zh: str
    message_en: str
    path: str | None = None  # where in a JSON/YAML document, e.g. communities[2].appointments[5].role
    community_id: str | None = None  # the community the error belongs to, for --skip-invalid


class RosterInputError(Exception):
    """A roster that cannot be checked; carries every error of the input, not only the first."""

    def __init__(self, errors: list[InputError]):
        super().__init__(f"{len(errors)} input error(s)")
        self.errors = errors


class PackError(Exception):
    """A rule pack that cannot be loaded; the message names the pack and the key."""


_MESSAGES: dict[str, tuple[str, str]] = {
    # code: (Chinese, English); {where} is 第N行 / a document path, {column} the header as written
    "unreadable_file": ("无法读取文件:{value}", "cannot read the file: {value}"),
    "unknown_format": ("无法识别的花名册格式:{value}", "not a roster format orgmodel reads: {value}"),
    "bad_document": ("{where} 文档结构有误:{expected}{value_zh}", "{where}: the document is malformed: {expected}{value_en}"),
    "missing_table": ("缺少{column}表(每行一人一职,至少有“姓名”和“职务”两列);找到的是:{value}。"
                      "可用 orgmodel template 生成填写模板",
                      "the table {column} is missing (one row per post, with at least a name and a post column); "
                      "found: {value}. `orgmodel template` writes a workbook to fill in"),
    "missing_column": ("{file}缺少列“{column}”(可写作:{expected});表中的列为:{value}。可用 orgmodel template 生成填写模板",
                       "{file}: column {column} is missing (headed e.g. {expected}); the sheet's columns are: {value}. "
                       "`orgmodel template` writes a workbook to fill in"),
    "unit_needed": ("{where} 职务“{value}”未写明机构:请填写“机构”列,或写成“党委委员”“居委会委员”等",
                    "{where}: post {value} does not say its unit: fill in the unit column, or write e.g. 党委委员 / 居委会委员"),
    "required_value": ("{where} {column} 不能为空", "{where}: {column} is blank"),
    "invalid_value": ("{where} {column} 的值“{value}”无法识别,应为:{expected}",
                      "{where}: {column} {value!r} is not one of: {expected}"),
    "invalid_number": ("{where} {column} 的值“{value}”不是非负数", "{where}: {column} {value!r} is not a non-negative number"),
    "invalid_date": ("{where} {column} 的值“{value}”不是日期(如2024-01-01)",
                     "{where}: {column} {value!r} is not a date (e.g. 2024-01-01)"),
    "unknown_unit": ("{where} 机构“{value}”不是已知机构", "{where}: unit {value} is not a known unit"),
    "role_not_in_unit": ("{where} 职务“{value}”不属于该机构", "{where}: post {value} does not belong to its unit"),
    "unknown_person": ("{where} {column} {value} 未在人员表中出现", "{where}: person {value} is not listed"),
    "unknown_community": ("{where} {column} {value} 未在社区表中出现", "{where}: community {value} is not listed"),
    "unknown_region": ("{where} {column} {value} 未在区域表中出现", "{where}: region {value} is not listed"),
    "duplicate_id": ("{where} {column} {value} 重复出现", "{where}: {column} {value} appears more than once"),
    "conflicting_person": ("{where} 人员 {value} 的“{column}”与{expected}不一致",
                           "{where}: person {value} has a different {column} than {expected}"),
    "region_cycle": ("{where} 区域 {value} 的上级关系成环", "{where}: region {value} is its own ancestor"),
    "no_communities": ("花名册中没有任何社区", "the roster lists no community"),
    "unknown_rule": ("{where} {column} {value} 不是规则包中的规则", "{where}: {column} {value} is not a rule of the pack"),
    "number_lost_digits": ("{where} {column} 的值“{value}”已被Excel存成数字并丢失了位数,请把该列设置为“文本”格式后重新录入",
                           "{where}: {column} {value} was stored as a number and lost digits; "
                           "format the column as text and type the values again"),
    "formula_without_value": ("{where} {column} 是没有保存计算结果的公式“{value}”,请在Excel或WPS中打开并保存一次,或直接填写数值",
                              "{where}: {column} holds a formula with no saved result ({value}); "
                              "open and save the file in Excel or WPS, or type the value"),
    "too_costly": ("读取代价超过上限:{value},上限为{expected};请删去多余的行、列和内容,或把文件拆开后分别提交",
                   "too costly to read: {value}, more than the limit of {expected}; "
                   "remove the unused rows, columns and content, or split the file"),
}

def sorted_errors(errors: list[InputError], column_order: dict[tuple[str | None, str | None, str], int] | None = None
                  ) -> list[InputError]:
    """Each error once, sorted by file, sheet, row and column (formats.md §3)."""
    order = column_order or {}
    unique: dict[tuple[object, ...], InputError] = {}
    for error in errors:
        key = (error.code, error.file, error.sheet, error.row, error.path, error.column, error.value)
        unique.setdefault(key, error)

    def position(e: InputError) -> tuple[object, ...]:
        column = order.get((e.file, e.sheet, e.column or ""), len(order) + 1) if e.column else -1
        return (e.file or "", e.sheet or "", e.row if e.row is not None else -1, e.path or "", column, e.column or "", e.code)

    return sorted(unique.values(), key=position)


def _languages(text: str) -> tuple[str, str]:
    """`中文 / English` → each half for the message in its language (a text without both is both)."""
    zh, sep, en = text.partition(" / ")
    return (zh, en) if sep else (text, text)


def where_text(row: int | None, path: str | None) -> tuple[str, str]:
    """`第17行` / `row 17`, or the document path; the location prefix of a message."""
    if row is not None:
        return f"第{row}行", f"row {row}"
    if path:
        return path, path
    return "", ""


def input_error(
    code: str,
    *,
    file: str | None = None,
    sheet: str | None = None,
    row: int | None = None,
    path: str | None = None,
    column: str | None = None,
    value: object = None,
    expected: str | None = None,
    community_id: str | None = None,
) -> InputError:
    """Build an InputError with its messages; values are masked (ID and mobile numbers) here, once."""
    shown = None if value is None else mask_text(str(value))
    where_zh, where_en = where_text(row, path)
    zh, en = _MESSAGES[code]
    expected_zh, expected_en = _languages(expected or "")
    fields = {"file": file or "", "column": column or "", "value": shown or "",
              "value_zh": f"(值:{shown})" if shown else "", "value_en": f" ({shown})" if shown else ""}
    message_zh = zh.format(where=where_zh, expected=expected_zh, **fields).strip()
    message_en = en.format(where=where_en, expected=expected_en, **fields).strip(" :")
    if file and code not in ("missing_column", "unreadable_file", "missing_table"):
        message_zh = f"{file}“{sheet}”表 {message_zh}" if sheet else f"{file} {message_zh}"
        message_en = f"{file} [{sheet}]: {message_en}" if sheet else f"{file}: {message_en}"
    return InputError(
        code=code, file=file, sheet=sheet, row=row, column=column, value=shown, expected=expected,
        message_zh=message_zh, message_en=message_en, path=path, community_id=community_id,
    )
