"""Make the workbook of tests/input/test_seed_tables.py: the seed's newer tables, saved by LibreOffice.

    apt-get install libreoffice-calc-nogui      # once; only this script needs it
    .venv/bin/python scripts/make_seed_fixtures.py

南通市 with its 政社互动 leadership group (领导小组, §三(一)), 崇川区 with one street and two
communities, the communities' facilities (设施, 五室三站两栏一校一场所, keyed by 社区名称 as
offices write them, categories blank where the name tells them) and the workers' last-year pay
(上年月工资(元), typed as people type it). Written as a flat OpenDocument spreadsheet (`.fods`,
committed, so a reader sees each cell) that LibreOffice saves as `.xlsx`; the tests read only
the committed outputs, beside the same roster as JSON (tests/fixtures/seed/nantong.json).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_xlsx_fixtures import Sheet, fods

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "seed"

REGIONS = Sheet("区域", [
    ["区域编码", "区域名称", "层级", "上级编码"],
    ["320600", "南通市", "市", None],
    ["320602", "崇川区", "区县", "320600"],
    ["320602001", "和平桥街道", "街道乡镇", "320602"],
])
COMMUNITIES = Sheet("社区", [
    ["社区编码", "社区名称", "所属区域编码", "类型", "户数", "人口"],
    ["320602001001", "虹桥社区", "320602001", "城市", 3100, 8200],
    ["320602001002", "严家村", "320602001", "农村", "600户", "2,100人"],
])
PEOPLE = Sheet("人员", [
    ["社区编码", "人员编号", "姓名", "机构", "职务", "专职", "月工资(元)", "上年月工资(元)"],
    ["320602001001", "P001", "张三", "党组织", "书记", "是", 4200, 4000],
    ["320602001001", "P002", "李四", "服务站", "专职工作人员", "是", 3600, "3800元"],
    ["320602001001", "P003", "王五", "服务站", "专职工作人员", "是", 3600, "３６００"],
    ["320602001002", "P004", "赵六", "村委会", "主任", "是", 3000, None],
])
FACILITIES = Sheet("设施", [
    ["社区名称", "设施名称", "类别", "面积(平方米)"],
    ["虹桥社区", "警务室", None, 20],
    ["虹桥社区", "党员活动室", None, 60],
    ["虹桥社区", "卫生计生服务站", "站", "60"],
    ["虹桥社区", "居务公开栏", None, None],
    ["虹桥社区", "居民学校", None, 120],
    ["虹桥社区", "健身广场", None, 800],
    ["严家村", "村务公开栏", None, None],
    ["严家村", "文体活动中心", "场所", 300],
])
LEADERSHIP = Sheet("领导小组", [
    ["区域编码", "小组名称", "姓名", "小组职务", "本职"],
    ["320600", "南通市“政社互动”领导小组", "王某", "组长", "市委书记"],
    ["320600", "南通市“政社互动”领导小组", "李某", "副组长", "市长"],
    ["320600", "南通市“政社互动”领导小组", "孙某", "副组长", "市委政法委书记"],
    ["320600", "南通市“政社互动”领导小组", "周某", "成员", "市依治办主任"],
    ["320600", "南通市“政社互动”领导小组", "吴某", "成员", "市民政局局长"],
    ["320600", "南通市“政社互动”领导小组", "郑某", "成员", "市司法局局长"],
    ["320600", "南通市“政社互动”领导小组", "冯某", "成员", "市财政局局长"],
])


def main() -> int:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice is needed: apt-get install libreoffice-calc-nogui")
    OUT.mkdir(parents=True, exist_ok=True)
    source = OUT / "nantong.fods"
    source.write_text(fods([REGIONS, COMMUNITIES, PEOPLE, FACILITIES, LEADERSHIP]), encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                        "xlsx:Calc MS Excel 2007 XML", "--outdir", tmp, str(source)], check=True, capture_output=True)
        shutil.copyfile(Path(tmp) / "nantong.xlsx", OUT / "nantong.xlsx")
    for path in sorted(OUT.glob("nantong.*")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
