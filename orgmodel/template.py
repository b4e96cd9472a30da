"""`orgmodel template`: the empty roster workbook a street office fills in (formats.md §2).

The template prevents the mistakes the reader otherwise has to report: id columns are
formatted as text before anyone types into them (so an 18-digit 身份证号 never becomes
1.10105E+17), date columns as dates, and coded columns offer their labels in a drop-down.
Drop-downs of 机构 and 职务 only warn, because rosters legitimately write variants (党委,
调解员) and compound posts (书记兼主任); yes/no columns refuse anything else. Everything
here comes from `orgmodel.vocabulary`, so the template and the reader cannot disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from orgmodel import vocabulary
from orgmodel.input.normalize import TEMPLATE_REQUIRED as REQUIRED

SHEETS = ("communities", "appointments", "regions", "units", "relations", "tasks", "facilities", "leadership", "waivers")
GUIDE_SHEET = "填表说明"
LAST_ROW = 1_048_575  # drop-downs and formats reach the bottom of the sheet

YES_NO = ["是", "否"]
UNIT_LABELS = list(dict.fromkeys(label for labels in vocabulary.UNITS.values() for label in labels))
ROLE_LABELS = list(vocabulary.ROLES.values())
EDUCATION_LABELS = ["初中及以下", "高中", "中专", "大专", "本科", "硕士", "博士"]

# (table, column) → (what the column holds, drop-down choices, strict drop-down)
Choices = tuple[str, list[str] | None, bool]
COLUMNS: dict[tuple[str, str], Choices] = {
    ("communities", "id"): ("社区的唯一编码,建议用统计用区划代码(12位),请勿改为数字格式", None, False),
    ("communities", "name"): ("社区(村)名称", None, False),
    ("communities", "region"): ("所属街道(乡镇)的区域编码,须在“区域”表中列出", None, False),
    ("communities", "kind"): ("城市社区或农村社区,决定党组织、居(村)委会的人数要求", list(vocabulary.KINDS.values()), True),
    ("communities", "households"): ("户数,服务站专职人员按每300户左右1名配备", None, False),
    ("communities", "population"): ("常住人口,办公活动经费按每人不少于20元核算", None, False),
    ("communities", "pilot"): ("是否为“政社互动”试点社区", YES_NO, True),
    ("communities", "office_activity_yuan"): ("年度办公和活动经费预算(元)", None, False),
    ("appointments", "community"): ("任职所在社区的编码,须在“社区”表中列出", None, False),
    ("appointments", "person"): ("人员编号或身份证号(列名写“身份证号”时在所有输出中打码);同一人在多行须一致", None, False),
    ("appointments", "name"): ("姓名", None, False),
    ("appointments", "unit"): ("任职机构;可写简称,如党委、居委会、服务站、综治办", UNIT_LABELS, False),
    ("appointments", "role"): ("职务;可写“书记兼主任”;网格员等其他岗位照写,不计入配备要求", ROLE_LABELS, False),
    ("appointments", "full_time"): ("是否专职;留空视为兼职", YES_NO, True),
    ("appointments", "education"): ("最高学历", EDUCATION_LABELS, False),
    ("appointments", "police_officer"): ("是否为民警(驻村(居)民警须为民警)", YES_NO, True),
    ("appointments", "political_legal_officer"): ("是否为政法干警(综治特派员须为政法干警)", YES_NO, True),
    ("appointments", "monthly_pay_yuan"): ("月工资(元),专职人员不得低于当地最低工资标准", None, False),
    ("appointments", "start"): ("任职开始日期,如2024-01-01", None, False),
    ("appointments", "end"): ("任职结束日期;仍在任留空", None, False),
    ("appointments", "gender"): ("性别", list(vocabulary.GENDERS.values()), True),
    ("appointments", "previous_monthly_pay_yuan"): ("上一年度的月工资(元),用于检查工资是否逐年提高;不详留空", None, False),
    ("regions", "id"): ("区域编码,建议用行政区划代码", None, False),
    ("regions", "name"): ("区域名称", None, False),
    ("regions", "level"): ("层级", list(vocabulary.LEVELS.values()), True),
    ("regions", "parent"): ("上级区域的编码;最高一级留空", None, False),
    ("regions", "min_wage_monthly_yuan"): ("当地月最低工资标准(元),下级区域自动沿用", None, False),
    ("units", "community"): ("社区编码", None, False),
    ("units", "unit"): ("已成立但暂无人员的机构(如业委会)", UNIT_LABELS, False),
    ("units", "name"): ("机构全称", None, False),
    ("relations", "community"): ("社区编码", None, False),
    ("relations", "from"): ("发出关系的一方:本社区机构,或“政府:名称”", None, False),
    ("relations", "to"): ("接受关系的一方:本社区机构", None, False),
    ("relations", "type"): ("关系类型;政府对社区只能是指导、协助", list(vocabulary.RELATION_TYPES.values()), True),
    ("tasks", "community"): ("社区编码", None, False),
    ("tasks", "id"): ("事项编号,社区内唯一", None, False),
    ("tasks", "name"): ("事项名称", None, False),
    ("tasks", "assigned_by"): ("交办单位", None, False),
    ("tasks", "category"): ("事项类别", ["自治本职", "协助政府", "政府职责", "其他"], True),
    ("tasks", "approved"): ("协助政府事项是否经准入批准", YES_NO, True),
    ("tasks", "authorization"): ("协助政府事项的授权文号", None, False),
    ("tasks", "funded"): ("协助政府事项是否拨付经费", YES_NO, True),
    ("tasks", "purchase_contract"): ("“其他”事项的购买服务合同编号", None, False),
    ("facilities", "community"): ("社区编码,须在“社区”表中列出", None, False),
    ("facilities", "name"): ("设施名称,如警务室、卫生计生服务站、村务公开栏、居民学校、文体活动场所", None, False),
    ("facilities", "category"): ("室、站、栏、校或场所;留空时按名称末尾判断(…室、…站、…栏、…学校、…场所/广场)",
                                 list(vocabulary.FACILITY_CATEGORIES.values()), True),
    ("facilities", "area_m2"): ("面积(平方米)", None, False),
    ("leadership", "region"): ("领导小组所在区域(如市)的编码,须在“区域”表中列出", None, False),
    ("leadership", "group_name"): ("小组名称,如南通市“政社互动”领导小组", None, False),
    ("leadership", "name"): ("姓名", None, False),
    ("leadership", "role"): ("在小组中的职务", list(vocabulary.LEADERSHIP_ROLES.values()), True),
    ("leadership", "office_title"): ("本职,如市委书记、市长、市委副书记、市委政法委书记、市依治办主任、市民政局局长、"
                                     "市司法局局长", None, False),
    ("waivers", "rule"): ("豁免的规则编号,如G3", None, False),
    ("waivers", "community"): ("社区编码", None, False),
    ("waivers", "reason"): ("豁免理由", None, False),
    ("waivers", "approved_by"): ("批准人", None, False),
    ("waivers", "document"): ("批准文号", None, False),
    ("waivers", "expires"): ("有效期至,如2026-12-31;过期后该问题重新计入并提示W1", None, False),
}
TEXT_COLUMNS = {("communities", "id"), ("communities", "region"), ("appointments", "community"),
                ("appointments", "person"), ("regions", "id"), ("regions", "parent"), ("units", "community"),
                ("relations", "community"), ("tasks", "community"), ("tasks", "id"), ("waivers", "community"),
                ("facilities", "community"), ("leadership", "region")}
DATE_COLUMNS = {("appointments", "start"), ("appointments", "end"), ("waivers", "expires")}
TABLE_NOTES = {
    "communities": "每个社区一行(必填)。",
    "appointments": "每个任职一行:一人兼任多个职务时写多行,或在职务中写“书记兼主任”(必填)。",
    "regions": "区域树:省、市、区县、街道乡镇,用上级编码连成树(选填)。",
    "units": "已成立但暂无人员的机构(选填)。",
    "relations": "机构之间及政府与社区之间的关系(选填)。",
    "tasks": "交办社区的事项清单(选填)。",
    "facilities": "社区的“五室三站两栏一校一场所”,每个设施一行(选填;填写本表即检查所有社区的设施)。",
    "leadership": "市(区、县)“政社互动”领导小组成员,每人一行:组长、副组长、成员及其本职(选填)。",
    "waivers": "经批准豁免的问题:被豁免的问题仍列出,但不影响社区是否合规(选填)。",
}


def _width(text: str) -> float:
    """Column width in Excel's units: a Chinese character is two."""
    return sum(2.1 if ord(ch) > 0x2E7F else 1.1 for ch in text) + 2


def _table_sheet(book: Workbook, table: str, formats: dict[str, Any]) -> None:
    sheet: Worksheet = book.add_worksheet(vocabulary.TABLE_NAMES[table][0])
    for j, column in enumerate(vocabulary.template_columns(table)):
        header = vocabulary.header_label(table, column)
        note, choices, strict = COLUMNS[(table, column)]
        required = column in REQUIRED.get(table, ())
        sheet.write_string(0, j, header, formats["required" if required else "header"])
        cell_format = formats["text"] if (table, column) in TEXT_COLUMNS else \
            formats["date"] if (table, column) in DATE_COLUMNS else None
        sheet.set_column(j, j, max(_width(header), 10 if choices else 8, 14 if cell_format else 0), cell_format)
        sheet.write_comment(0, j, note, {"x_scale": 2, "y_scale": 1.2})
        if choices:
            sheet.data_validation(1, j, LAST_ROW, j, {
                "validate": "list", "source": choices, "ignore_blank": True,
                "error_type": "stop" if strict else "warning",
                "error_title": header, "error_message": f"请从下拉列表中选择:{'、'.join(choices)}"[:255],
                "input_title": header[:32], "input_message": note[:255],
            })
    sheet.freeze_panes(1, 0)


def _guide_sheet(book: Workbook, formats: dict[str, Any]) -> None:
    sheet: Worksheet = book.add_worksheet(GUIDE_SHEET)
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 24)
    sheet.set_column(3, 3, 8)
    sheet.set_column(4, 4, 70)
    row = 0
    sheet.write_string(row, 0, "社区工作人员花名册 填表说明", formats["title"])
    row += 1
    lines = [
        "1. 每张工作表一张表,表头(第1行)请勿修改;可以增加其他列,检查时忽略。",
        "2. 编码、人员编号、身份证号等列已设为“文本”格式:请勿改为数字,否则Excel会把长编号改成1.10105E+17这样的数。",
        "3. 日期写成2024-01-01;是/否列填“是”或“否”;有下拉列表的列请从中选择(机构、职务也可按习惯写简称)。",
        "4. 用 orgmodel check 花名册.xlsx 检查;orgmodel check 花名册.xlsx --format xlsx -o 检查结果.xlsx 得到检查结果工作簿。",
    ]
    for line in lines:
        sheet.write_string(row, 0, line)
        row += 1
    row += 1
    for j, header in enumerate(("工作表", "列名", "英文列名", "必填", "说明与可选值")):
        sheet.write_string(row, j, header, formats["header"])
    sheet.freeze_panes(row + 1, 0)
    row += 1
    for table in SHEETS:
        sheet_name = vocabulary.TABLE_NAMES[table][0]
        sheet.write_string(row, 0, sheet_name, formats["bold"])
        sheet.write_string(row, 4, TABLE_NOTES[table], formats["bold"])
        row += 1
        for column in vocabulary.template_columns(table):
            note, choices, _ = COLUMNS[(table, column)]
            sheet.write_string(row, 0, sheet_name)
            sheet.write_string(row, 1, vocabulary.header_label(table, column))
            sheet.write_string(row, 2, column)
            sheet.write_string(row, 3, "是" if column in REQUIRED.get(table, ()) else "")
            sheet.write_string(row, 4, note + (f"。可选:{'、'.join(choices)}" if choices else ""))
            row += 1
    row += 1
    row = _code_table(sheet, row, formats, "机构代码", ("名称(城市/农村)", "代码", "也可写作"), [
        ("/".join(dict.fromkeys(labels)), code, "、".join(vocabulary.UNIT_VARIANTS.get(code, ())))
        for code, labels in vocabulary.UNITS.items()])
    row = _code_table(sheet, row, formats, "职务代码", ("名称", "代码", "所属机构 · 也可写作"), [
        (label, code, "、".join(vocabulary.UNITS[u][0] for u in vocabulary.ROLE_UNITS[code]) + " · "
         + "、".join(vocabulary.ROLE_VARIANTS.get(code, ()))) for code, label in vocabulary.ROLES.items()])
    _code_table(sheet, row, formats, "学历代码", ("名称", "代码", "也可写作"), [
        (label, code, "、".join(vocabulary.EDUCATION_VARIANTS.get(code, ()))) for code, label in vocabulary.EDUCATION.items()])


def _code_table(sheet: Worksheet, row: int, formats: dict[str, Any], title: str, headers: tuple[str, str, str],
                rows: list[tuple[str, str, str]]) -> int:
    sheet.write_string(row, 0, title, formats["bold"])
    row += 1
    for j, header in enumerate(headers):
        sheet.write_string(row, [1, 2, 4][j], header, formats["header"])
    row += 1
    for label, code, more in rows:
        sheet.write_string(row, 1, label)
        sheet.write_string(row, 2, code)
        sheet.write_string(row, 4, more)
        row += 1
    return row + 1


def write_template(path: Path) -> None:
    """Write the empty roster workbook: 填表说明 first, then one sheet per table."""
    book = xlsxwriter.Workbook(str(path))
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "required": book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1, "text_wrap": True}),
        "text": book.add_format({"num_format": 49}),  # Excel's built-in 文本 (@) format
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "bold": book.add_format({"bold": True}),
    }
    _guide_sheet(book, formats)
    for table in SHEETS:
        _table_sheet(book, table, formats)
    book.close()
