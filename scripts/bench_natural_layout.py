"""Is an office's own 花名册 read as fast as the template's tables? (issue 9: natural ≤ 1.3× template)

    .venv/bin/python scripts/bench_natural_layout.py [--rows 600000] [--repeat 5] [--xlsx] [--workdir DIR]
                                                     [--layouts utf8 gb18030 xlsx]

Builds a province-size one-sheet 花名册 (600,000 lines: a merged title line, 序号, the office's
own headers, communities named, units inside the post titles — 党总支书记兼居委会主任, 村党支部委员,
便民服务站工作人员 …, a 合计 line and a 填表人 footer) and the same people in the template's tables
(社区.csv + 人员.csv: codes, one row per post, 机构 and 职务 apart), from the street of
scripts/make_natural_fixtures.py repeated with new people: 20,000 communities of about 30 lines.
Then times `orgmodel.input.readers.read_roster` + `orgmodel.input.normalize.load` on each, each run in a
fresh process (so no cache of one run helps the next), natural and template runs interleaved,
and prints the medians and their ratio.

Layouts: the 花名册 as one CSV file against the template's CSV folder, both in UTF-8 and both in
GB18030 (as Excel on Chinese Windows saves them); with --xlsx also both as workbooks written
by xlsxwriter (the 花名册 as one sheet, the template as 社区 and 人员 sheets).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_natural_fixtures as street

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
            "钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华飞玉萍红建国志海波斌宇浩凯鑫晶晓东林亮琳雪梅婷"
BLOCKS = [[line for line in street.LINES if line.community == c] for c in street.ORDER]


def people(rows: int) -> list[tuple[str, str, street.Line, str, str]]:
    """(community code, community name, the street's line it copies, person id, name), `rows` of them."""
    out: list[tuple[str, str, street.Line, str, str]] = []
    serial = itertools.count(1)
    i = 0
    while len(out) < rows:
        kind = "村" if i % 3 == 2 else "社区"
        code, name = f"32{i // 1000:04d}{i % 1000:06d}", f"第{i + 1}{kind}"
        persons: dict[str, tuple[str, str]] = {}
        for b in range(3):  # three of the street's blocks: about 30 lines a community
            for j, line in enumerate(BLOCKS[(i + b) % len(BLOCKS)]):
                key = f"{b}:{line.name}" if line.name != "孙颖" else "孙颖"  # one person on two lines, as in the street
                if key not in persons:
                    persons[key] = (f"320{next(serial):015d}",  # 18 digits, one person each
                                    SURNAMES[(i * 7 + b * 3 + j) % len(SURNAMES)] + GIVEN[(i + j * 5 + b) % len(GIVEN)]
                                    + GIVEN[(i * 3 + j + b * 11) % len(GIVEN)])
                out.append((code, name, line, *persons[key]))
        i += 1
    return out[:rows]


def natural_rows(lines: list[tuple[str, str, street.Line, str, str]]) -> list[list[object]]:
    rows: list[list[object]] = [["全省社区工作者花名册"] + [""] * 11, [street.UNIT_LINE] + [""] * 11, list(street.HEADER)]
    for n, (_code, community, line, pid, name) in enumerate(lines, start=1):
        rows.append([n, name, line.gender, line.born, line.party, line.education, community, line.title,
                     "专职" if line.full_time else "兼职", 13900000000 + n, pid, line.note])
    rows.append(["合计", f"共{len(lines)}人"] + [""] * 10)
    rows.append([street.FOOTER] + [""] * 11)
    return rows


def template_tables(lines: list[tuple[str, str, street.Line, str, str]]) -> dict[str, list[list[object]]]:
    communities: list[list[object]] = [["社区编码", "社区名称", "类型"]]
    seen: set[str] = set()
    people_rows: list[list[object]] = [
        ["社区编码", "身份证号", "姓名", "机构", "职务", "专职", "学历", "民警", "政法干警", "性别"]]
    for code, community, line, pid, name in lines:
        if code not in seen:
            seen.add(code)
            communities.append([code, community, "农村" if community.endswith("村") else "城市"])
        for unit, role in line.posts:
            people_rows.append([code, pid, name, unit, role, "是" if line.full_time else "否", line.education,
                                line.police, "", line.gender])
    return {"社区": communities, "人员": people_rows}


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> None:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerows(rows)


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]], merged_title: bool = False) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            if merged_title and r == 0:
                sheet.merge_range(0, 0, 0, len(row) - 1, str(row[0]))
                continue
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, int):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, str(value))
    book.close()


LAYOUTS = {"utf8": "CSV (UTF-8)", "gb18030": "CSV (GB18030)", "xlsx": "xlsx (xlsxwriter)"}


def build(folder: Path, rows: int, xlsx: bool) -> dict[str, tuple[Path, Path]]:
    """The layouts to compare: name → (natural, template). A --workdir that holds them, built for
    as many rows, is used again."""
    pairs = {"CSV (UTF-8)": (folder / "花名册.csv", folder / "template"),
             "CSV (GB18030)": (folder / "花名册-gb18030.csv", folder / "template-gb18030")}
    if xlsx:
        pairs["xlsx (xlsxwriter)"] = (folder / "花名册.xlsx", folder / "template.xlsx")
    marker = folder / "rows.txt"
    if marker.exists() and marker.read_text() == str(rows) and all(p.exists() for pair in pairs.values() for p in pair):
        print(f"using the files of {folder}", flush=True)
        return pairs
    started = time.perf_counter()
    lines = people(rows)
    natural, tables = natural_rows(lines), template_tables(lines)
    (folder / "template").mkdir(parents=True, exist_ok=True)
    write_csv(folder / "花名册.csv", natural)
    write_csv(folder / "花名册-gb18030.csv", natural, "gb18030")
    (folder / "template-gb18030").mkdir(exist_ok=True)
    for name, table in tables.items():
        write_csv(folder / "template" / f"{name}.csv", table)
        write_csv(folder / "template-gb18030" / f"{name}.csv", table, "gb18030")
    if xlsx:
        write_xlsx(folder / "花名册.xlsx", {"花名册": natural}, merged_title=True)
        write_xlsx(folder / "template.xlsx", tables)
    marker.write_text(str(rows))
    print(f"built {len(natural) - 5:,} 花名册 lines, {len(tables['人员']) - 1:,} template rows, "
          f"{len(tables['社区']) - 1:,} communities in {time.perf_counter() - started:.0f} s", flush=True)
    return pairs


def time_one(path: Path) -> dict[str, float]:
    """One read + load, in this process (called in a fresh one by `measure`)."""
    from orgmodel.input import normalize, readers

    started = time.perf_counter()
    raw = readers.read_roster(path)
    read = time.perf_counter() - started
    roster, _ = normalize.load(raw)
    return {"read": read, "total": time.perf_counter() - started, "appointments": roster.appointments.height,
            "communities": roster.communities.height}


def measure(path: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--time-one", str(path)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=600_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--xlsx", action="store_true", help="also as workbooks written by xlsxwriter")
    parser.add_argument("--layouts", nargs="+", choices=list(LAYOUTS), help="time only these (default: all built)")
    parser.add_argument("--workdir", type=Path, help="where to build the files (default: a temporary folder)")
    parser.add_argument("--time-one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.time_one:
        print(json.dumps(time_one(args.time_one)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.workdir or Path(tmp)
        pairs = build(folder, args.rows, args.xlsx or "xlsx" in (args.layouts or ()))
        if args.layouts:
            pairs = {LAYOUTS[k]: pairs[LAYOUTS[k]] for k in args.layouts}
        print(f"{'layout':<20} {'natural s (read+load)':>24} {'template s (read+load)':>24} {'ratio':>6}")
        for layout, (natural, template) in pairs.items():
            runs: dict[str, list[dict[str, float]]] = {"natural": [], "template": []}
            for _ in range(args.repeat):
                runs["natural"].append(measure(natural))
                runs["template"].append(measure(template))
            n, t = runs["natural"], runs["template"]
            assert n[0]["appointments"] == t[0]["appointments"] and n[0]["communities"] == t[0]["communities"], (n, t)
            med = {k: statistics.median(r["total"] for r in v) for k, v in runs.items()}
            reads = {k: statistics.median(r["read"] for r in v) for k, v in runs.items()}
            print(f"{layout:<20} {med['natural']:>12.2f} ({reads['natural']:.2f}+{med['natural'] - reads['natural']:.2f})"
                  f" {med['template']:>12.2f} ({reads['template']:.2f}+{med['template'] - reads['template']:.2f})"
                  f" {med['natural'] / med['template']:>6.2f}", flush=True)
            print(f"{'':<20} runs: natural {[round(r['total'], 2) for r in n]}, template {[round(r['total'], 2) for r in t]}; "
                  f"{int(n[0]['appointments']):,} appointments, {int(n[0]['communities']):,} communities", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
