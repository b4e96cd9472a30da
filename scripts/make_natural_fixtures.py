"""Make the rosters of tests/natural: one street's people, as offices keep them, saved by LibreOffice.

    apt-get install libreoffice-calc-nogui      # once; only this script needs it
    .venv/bin/python scripts/make_natural_fixtures.py

The street (城东街道, five communities, two of them villages) and its 49 roster lines are
the data below. Each layout is first written as a flat OpenDocument spreadsheet (`.fods`,
committed beside its outputs, so a reader can see exactly which cell is text, which is a
number and which is merged); LibreOffice headless then saves it the way an office saves its
roster. WPS's quirks are made from LibreOffice's own `.xlsx` by rewriting its XML, as
scripts/make_xlsx_fixtures.py does. The tests read only the committed outputs.

Written to tests/fixtures/natural/:

* huamingce.xlsx/.xls/.ods — the one-sheet 花名册: a merged title row, a 填报单位 line,
  序号, 姓名/性别/出生年月/政治面貌/学历/所在社区/职务/是否专职/联系电话/身份证号/备注 (no 机构
  column, the unit is in the post title), 所在社区 merged down each community's block, a 合计
  row and a 填表人/审核人 footer. Also copied to examples/花名册.xlsx.
* per-community.xlsx — one sheet per community, named after it, no community column.
* per-community-sheet1.xlsx — the same with sheets Sheet1…Sheet5; the title row names the community.
* huamingce-gb18030.csv — the 花名册 saved by LibreOffice as one CSV file in GB18030, title,
  合计 and footer lines included (no merged cells: a CSV keeps only a merge's first cell).
* with-communities.xlsx — the 花名册 plus a 社区 sheet keyed by 社区名称, 户数/人口 typed as
  people type them (2400户, “4,100”, full-width digits).
* ids-as-numbers.xlsx — the 花名册 with 身份证号 typed into General cells: LibreOffice (like
  Excel) keeps 15 significant digits; the two ids ending in X stay text.
* wps.xlsx — huamingce.xlsx as WPS writes it (`<dimension ref="A1:A1"/>`, inline strings).
* template/ and template-households/ — the same people in the template's tables (社区.csv,
  人员.csv with community codes, one row per post, 机构 and 职务 apart, 民警 as a column),
  without and with 户数/人口: the equivalence tests compare every layout with them.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_xlsx_fixtures import Cell, Sheet, fods, rewrite_xlsx, wps_sheet

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "natural"
EXAMPLE = ROOT / "examples" / "花名册.xlsx"
STREET = "城东街道"
AREA = "320602"


@dataclass(frozen=True)
class Community:
    name: str
    code: str  # the template's 社区编码; codes ascend as the names do, so both layouts sort alike
    households: int
    population: int
    households_typed: Cell  # as the 社区 sheet of with-communities.xlsx holds it
    population_typed: Cell


COMMUNITIES = [
    Community("东港社区", "320602011001", 900, 2600, 900, 2600),
    Community("严家村", "320602011002", 600, 2100, "６００户", "2,100人"),
    Community("幸福里社区", "320602011003", 1500, 5200, "1500", "５２００"),
    Community("桂花苑社区", "320602011004", 2400, 4100, "2400户", "4,100"),
    Community("陈桥村", "320602011005", 450, 1500, 450, "1500人"),
]
BY_NAME = {c.name: c for c in COMMUNITIES}


@dataclass(frozen=True)
class Line:
    """One line of the 花名册, and the template rows (机构, 职务, 民警) it stands for."""

    community: str
    name: str
    gender: str
    born: str  # 出生年月 as typed: 1975.03
    party: str  # 政治面貌
    education: str
    title: str  # 职务 as the office writes it
    full_time: bool
    posts: tuple[tuple[str, str], ...]  # the template's (机构, 职务) rows
    police: str = ""  # the template's 民警 column (the title says it in the 花名册)
    note: str = ""
    x_check: bool = False  # an id ending in X: typed as text even where the others became numbers


def L(community: str, name: str, gender: str, born: str, party: str, education: str, title: str, full_time: bool,
      *posts: tuple[str, str], police: str = "", note: str = "", x_check: bool = False) -> Line:
    return Line(community, name, gender, born, party, education, title, full_time, posts, police, note, x_check)


P, M, G, Q = "中共党员", "群众", "桂花苑社区", "幸福里社区"
LINES = [
    # 桂花苑社区 (urban, 2,400 households): party 5, committee 4, station 3 full-time, one mediator, one guard
    L(G, "张建国", "男", "1972.05", P, "本科", "党总支书记兼居委会主任", True, ("党组织", "书记"), ("居委会", "主任"),
      note="一肩挑"),
    L(G, "李秀英", "女", "1978.11", P, "本科", "党总支副书记", True, ("党组织", "副书记")),
    L(G, "王伟", "男", "1983.02", P, "大专", "党总支委员、居委会委员", True, ("党组织", "委员"), ("居委会", "委员")),
    L(G, "刘芳", "女", "1986.07", P, "本科", "党总支委员", False, ("党组织", "委员")),
    L(G, "郑海", "男", "1969.09", P, "高中", "党总支委员", False, ("党组织", "委员"), note="退休返聘"),
    L(G, "陈静", "女", "1990.04", M, "本科", "社区居委会委员", True, ("居委会", "委员")),
    L(G, "杨磊", "男", "1981.12", P, "大专", "居委会副主任", True, ("居委会", "副主任")),
    L(G, "赵敏", "女", "1984.03", P, "本科", "便民服务站站长", True, ("服务站", "站长")),
    L(G, "黄丽", "女", "1993.08", M, "大专", "便民服务站工作人员", True, ("服务站", "工作人员"), x_check=True),
    L(G, "周强", "男", "1988.10", M, "本科", "副站长", True, ("服务站", "副站长")),
    L(G, "吴婷", "女", "1991.06", P, "本科", "综治中心专干", True, ("综治办", "专干")),
    L(G, "徐军", "男", "1979.01", P, "大专", "社区民警", False, ("综治办", "社区民警"), police="是",
      note="派出所派驻"),
    L(G, "孙颖", "女", "1987.05", M, "大专", "专职调解员", True, ("综治办", "调解员"), note="同时在幸福里社区任职"),
    L(G, "马超", "男", "1975.04", M, "高中", "保安", True, ("综治办", "保安")),
    L(G, "朱丽娟", "女", "1989.02", M, "大专", "网格员", True, ("", "网格员")),
    # 幸福里社区 (urban, 1,500 households): the mediator of 桂花苑社区 again, a 辅警, a part-time guard
    L(Q, "钱志明", "男", "1970.08", P, "本科", "社区党委书记、居委会主任", True, ("党组织", "书记"), ("居委会", "主任")),
    L(Q, "何雪梅", "女", "1982.01", P, "本科", "党委委员", True, ("党组织", "委员")),
    L(Q, "林涛", "男", "1985.06", P, "大专", "居委会副主任兼党委委员", True, ("居委会", "副主任"), ("党组织", "委员")),
    L(Q, "郭晓燕", "女", "1992.09", M, "本科", "社区居委会委员", False, ("居委会", "委员")),
    L(Q, "罗斌", "男", "1980.03", P, "大专", "服务站站长", True, ("服务站", "站长")),
    L(Q, "梁静", "女", "1995.12", M, "本科", "服务站专职人员", True, ("服务站", "专职人员")),
    L(Q, "宋建华", "男", "1974.07", P, "高中", "综治专干", False, ("综治办", "综治专干")),
    L(Q, "孙颖", "女", "1987.05", M, "大专", "专职调解员", True, ("综治办", "专职调解员")),
    L(Q, "韩磊", "男", "1990.11", M, "高中", "辅警", False, ("综治办", "辅警"), police="否"),
    L(Q, "唐伟", "男", "1968.02", M, "初中", "保安", False, ("综治办", "保安")),
    L(Q, "冯丽", "女", "1983.05", M, "大专", "会计", False, ("", "会计")),
    # 东港社区 (urban, 900 households): no 综治办 at all
    L("东港社区", "曹国庆", "男", "1971.10", P, "本科", "党支部书记", True, ("党组织", "书记")),
    L("东港社区", "彭小红", "女", "1980.06", P, "大专", "支委", False, ("党支部", "委员")),
    L("东港社区", "曾凡", "男", "1977.03", P, "本科", "居委会主任", True, ("居委会", "主任")),
    L("东港社区", "谢娟", "女", "1989.01", M, "大专", "居委会委员", True, ("居委会", "委员"), x_check=True),
    L("东港社区", "邓佳", "女", "1996.04", M, "本科", "社区服务站工作人员", True, ("服务站", "专职工作人员")),
    L("东港社区", "许丹", "女", "1994.07", M, "大专", "网格员", False, ("", "网格员")),
    # 严家村 (rural, 600 households): a 大学生村官, a part-time mediator
    L("严家村", "严卫东", "男", "1968.12", P, "高中", "村党支部书记", True, ("党组织", "书记")),
    L("严家村", "严丽萍", "女", "1979.04", P, "中专", "村党支部委员", False, ("党组织", "委员")),
    L("严家村", "陆建平", "男", "1976.08", P, "高中", "村党支部委员、村委会委员", True, ("党组织", "委员"),
      ("村委会", "委员")),
    L("严家村", "周海燕", "女", "1981.02", P, "大专", "村委会主任", True, ("村委会", "主任")),
    L("严家村", "严志刚", "男", "1973.05", M, "初中", "村委会委员", False, ("村委会", "委员")),
    L("严家村", "施晓东", "男", "1997.09", P, "本科", "大学生村官", True, ("村委会", "大学生村官")),
    L("严家村", "陆敏", "女", "1990.03", M, "大专", "村便民服务站工作人员", True, ("服务站", "工作人员")),
    L("严家村", "顾云", "男", "1984.06", P, "本科", "驻村民警", False, ("综治办", "驻村民警"), police="是"),
    L("严家村", "严春兰", "女", "1972.11", M, "高中", "专职调解员", False, ("综治办", "调解员"), note="兼职"),
    L("严家村", "黄海", "男", "1986.01", P, "大专", "综治中心专干", False, ("综治中心", "专干")),
    # 陈桥村 (rural, 450 households): no 服务站, a 大学生综治社工 without a degree
    L("陈桥村", "陈国华", "男", "1966.04", P, "高中", "党总支书记兼村委会主任", True, ("党组织", "书记"), ("村委会", "主任")),
    L("陈桥村", "陈美玲", "女", "1975.09", P, "中专", "党总支委员", False, ("党总支", "委员")),
    L("陈桥村", "沈磊", "男", "1982.12", M, "高中", "村委会委员", True, ("村委会", "委员")),
    L("陈桥村", "陈建", "男", "1978.07", P, "大专", "综治专干", False, ("综治办", "综治专干")),
    L("陈桥村", "王涛", "男", "1980.10", P, "本科", "综治特派员", False, ("综治办", "综治特派员"), note="区司法局派驻"),
    L("陈桥村", "李娜", "女", "1998.03", M, "高中", "大学生综治社工", True, ("综治办", "大学生综治社工")),
    L("陈桥村", "蒋勇", "男", "1970.01", M, "初中", "专职保安", True, ("综治办", "专职保安")),
]
ORDER = [G, Q, "东港社区", "严家村", "陈桥村"]  # the 花名册's order of communities


def _check_character(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]


def id_number(line: Line, index: int) -> str:
    """A well-formed 18-digit resident ID: area, birth date, sequence (odd for men), check character."""
    year, month = line.born.split(".")
    day = 1 + index % 28
    seq = 100 + 10 * (index % 80)
    while True:
        seq += 1
        if (seq % 2 == 1) != (line.gender == "男"):
            continue
        first17 = f"{AREA}{year}{month}{day:02d}{seq:03d}"
        check = _check_character(first17)
        if (check == "X") == line.x_check:
            return first17 + check


def mobile(index: int) -> int:
    return 13900000000 + 7919 * (index + 1) * 131 % 100000000


PERSON_IDS: dict[tuple[str, str], str] = {}
for _i, _line in enumerate(LINES):
    PERSON_IDS.setdefault((_line.name, _line.born), id_number(_line, _i))


assert len(set(PERSON_IDS.values())) == len(PERSON_IDS), "two people share an id"


def person_id(line: Line) -> str:
    return PERSON_IDS[(line.name, line.born)]


# --- the layouts -----------------------------------------------------------------------------

HEADER = ["序号", "姓名", "性别", "出生年月", "政治面貌", "学历", "所在社区", "职务", "是否专职", "联系电话", "身份证号", "备注"]
TITLE = f"{STREET}社区工作者花名册"
UNIT_LINE = "填报单位:城东街道办事处(盖章)\u3000\u3000\u3000\u3000填报日期:2024年9月30日"
FOOTER = "填表人:张敏\u3000\u3000\u3000\u3000审核人:王立新\u3000\u3000\u3000\u3000联系电话:0513-85551234"


def ordered_lines() -> list[Line]:
    return sorted(LINES, key=lambda line: ORDER.index(line.community))


def _row(n: int, line: Line, *, community: bool = True, ids_as_numbers: bool = False) -> list[Cell]:
    pid: Cell = person_id(line)
    if ids_as_numbers and not str(pid).endswith("X"):
        pid = int(str(pid))
    cells: list[Cell] = [n, line.name, line.gender, line.born, line.party, line.education]
    if community:
        cells.append(line.community)
    cells += [line.title, "专职" if line.full_time else "兼职", mobile(LINES.index(line)), pid, line.note or None]
    return cells


def huamingce(*, merged_communities: bool = True, ids_as_numbers: bool = False, name: str = "花名册") -> Sheet:
    """The one-sheet roster (see the module docstring)."""
    width = len(HEADER)
    rows: list[list[Cell]] = [[TITLE] + [None] * (width - 1), [UNIT_LINE] + [None] * (width - 1), list[Cell](HEADER)]
    merges = [(0, 0, 0, width - 1), (1, 0, 1, width - 1)]
    column = HEADER.index("所在社区")
    block_start = len(rows)
    lines = ordered_lines()
    for n, line in enumerate(lines, start=1):
        rows.append(_row(n, line, ids_as_numbers=ids_as_numbers))
        last_of_block = n == len(lines) or lines[n].community != line.community
        if merged_communities and last_of_block:
            end = len(rows) - 1
            if end > block_start:
                for r in range(block_start + 1, end + 1):
                    rows[r][column] = None
                merges.append((block_start, column, end, column))
            block_start = end + 1
    rows.append(["合计", f"共{len(lines)}人"] + [None] * (width - 2))
    rows.append([FOOTER] + [None] * (width - 1))
    merges.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    return Sheet(name, rows, merges)


def community_sheet(community: str, sheet_name: str) -> Sheet:
    """One community's sheet: a title naming it, the header without 所在社区, its lines, a footer."""
    header = [h for h in HEADER if h != "所在社区"]
    width = len(header)
    rows: list[list[Cell]] = [[f"{STREET}{community}社区工作者花名册"] + [None] * (width - 1), list[Cell](header)]
    lines = [line for line in ordered_lines() if line.community == community]
    rows += [_row(n, line, community=False) for n, line in enumerate(lines, start=1)]
    rows.append([f"填表人:{lines[0].name}"] + [None] * (width - 1))
    return Sheet(sheet_name, rows, [(0, 0, 0, width - 1)])


def communities_sheet() -> Sheet:
    """社区 keyed by 社区名称 (no code, no 类型: the kind comes from the name), figures as typed."""
    rows: list[list[Cell]] = [[f"{STREET}各社区(村)基本情况", None, None, None], ["社区名称", "户数", "人口", "备注"]]
    rows += [[c.name, c.households_typed, c.population_typed, None] for c in COMMUNITIES]
    return Sheet("社区", rows, [(0, 0, 0, 3)])


# --- the template layout ---------------------------------------------------------------------

def template_tables(households: bool) -> dict[str, str]:
    """社区.csv and 人员.csv as `orgmodel template` lays them out: codes, one row per post."""
    def text(rows: list[list[str]]) -> str:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        return out.getvalue()

    communities = [["社区编码", "社区名称", "类型", "户数", "人口"]]
    for c in COMMUNITIES:
        kind = "农村" if c.name.endswith("村") else "城市"
        communities.append([c.code, c.name, kind, str(c.households) if households else "",
                            str(c.population) if households else ""])
    people = [["社区编码", "身份证号", "姓名", "机构", "职务", "专职", "学历", "民警", "政法干警", "性别"]]
    for line in ordered_lines():
        for unit, role in line.posts:
            people.append([BY_NAME[line.community].code, person_id(line), line.name, unit, role,
                           "是" if line.full_time else "否", line.education, line.police, "", line.gender])
    return {"社区.csv": text(communities), "人员.csv": text(people)}


# --- LibreOffice -----------------------------------------------------------------------------

FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "xls": "xls:MS Excel 97",
    "ods": "ods",
    # comma, double quote, GB18030 (LibreOffice's text encoding 85), from line 1
    "csv": "csv:Text - txt - csv (StarCalc):44,34,85,1",
}


def libreoffice(sheets: list[Sheet], stem: str, formats: tuple[str, ...], workdir: Path) -> None:
    """Write the `.fods` into OUT and have LibreOffice save it in each format beside it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    source = OUT / f"{stem}.fods"
    source.write_text(fods(sheets), encoding="utf-8")
    for fmt in formats:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{workdir}/profile", "--convert-to",
                        FILTERS[fmt], "--outdir", str(workdir), str(source)], check=True, capture_output=True)
        shutil.copyfile(workdir / f"{stem}.{fmt}", OUT / f"{stem}.{fmt}")


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        libreoffice([huamingce()], "huamingce", ("xlsx", "xls", "ods"), work)
        libreoffice([community_sheet(c, c) for c in ORDER], "per-community", ("xlsx",), work)
        libreoffice([community_sheet(c, f"Sheet{i}") for i, c in enumerate(ORDER, start=1)], "per-community-sheet1",
                    ("xlsx",), work)
        libreoffice([huamingce(merged_communities=False)], "huamingce-gb18030", ("csv",), work)
        libreoffice([huamingce(), communities_sheet()], "with-communities", ("xlsx",), work)
        libreoffice([huamingce(ids_as_numbers=True)], "ids-as-numbers", ("xlsx",), work)
    rewrite_xlsx(OUT / "huamingce.xlsx", OUT / "wps.xlsx", wps_sheet)
    for folder, households in (("template", False), ("template-households", True)):
        (OUT / folder).mkdir(exist_ok=True)
        for file, text in template_tables(households).items():
            (OUT / folder / file).write_text(text, encoding="utf-8")
    EXAMPLE.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OUT / "huamingce.xlsx", EXAMPLE)
    for path in sorted([*OUT.rglob("*.*"), EXAMPLE]):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
