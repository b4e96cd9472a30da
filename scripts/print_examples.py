"""Print the reports as an office would and keep one page of each as a PNG (examples/print/).

    .venv/bin/python scripts/print_examples.py [--out examples/print]

The example district (examples/chongchuan, as of 2026-11-25) is checked; its xlsx report is
printed by LibreOffice headless, its HTML report by Chromium headless, and the diff of last
quarter's roster against this one (the district with a few changes: a pay cut, more
households, a worker taking a post in a second community) as an xlsx by LibreOffice; the book
of a street (`render --book`) is drawn by graphviz. Each PDF's page count and size is
printed, and one page of it rendered at 50 dpi by `pdftoppm`. Needs soffice, chromium,
graphviz and poppler-utils (`make system`).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from orgmodel import diff
from orgmodel.charts import region_book
from orgmodel.check import check
from orgmodel.input import normalize, readers
from orgmodel.report.figures import build_report
from orgmodel.report.html import write_html_report
from orgmodel.report.xlsx import write_xlsx_report
from orgmodel.rules.pack import load_pack

ROOT = Path(__file__).resolve().parents[1]
DISTRICT = ROOT / "examples" / "chongchuan"
AS_OF = dt.date(2026, 11, 25)
LAST_QUARTER = dt.date(2026, 9, 30)


def soffice(book: Path, work: Path) -> Path:
    subprocess.run(["soffice", f"-env:UserInstallation=file://{work / 'lo-profile'}", "--headless", "--convert-to",
                    "pdf", "--outdir", str(work), str(book)], check=True, capture_output=True, timeout=300)
    return work / f"{book.stem}.pdf"


def chromium(page: Path, work: Path) -> Path:
    pdf = work / f"{page.stem}.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={work / 'chromium-profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=300)
    return pdf


def keep_page(pdf: Path, page: int, png: Path) -> None:
    """Page `page` of the PDF as a 50-dpi PNG; its page count and size printed."""
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    pages = next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:"))
    size = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Page size:"))
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(png.with_suffix(""))], check=True)
    print(f"{png.name}: {pdf.name} {pages} pages, {size}, {pdf.stat().st_size:,} bytes; page {page} kept "
          f"({png.stat().st_size:,} bytes)")


def page_of(pdf: Path, text: str) -> int:
    """The first page whose text holds `text`."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return next(i for i, page in enumerate(out.split("\f"), start=1) if text in page)


def this_quarter(folder: Path) -> Path:
    """The district with a few changes since last quarter, as CSV tables."""
    shutil.copytree(DISTRICT, folder)
    people = folder / "人员.csv"
    rows = list(csv.reader(people.open(encoding="utf-8-sig")))
    header, body = rows[0], rows[1:]
    pay, community, person = header.index("月工资(元)"), header.index("社区编码"), header.index("人员编号")
    cut = body[1][person]
    for row in body:
        if row[person] == cut:
            row[pay] = str(int(row[pay]) - 600)  # a deputy secretary's pay cut (on each of her rows)
    other = next(r for r in body if r[community] != body[2][community])
    second = [other[community], *body[2][1:]]  # the third worker also sits on another community's committee
    second[header.index("机构")], second[header.index("职务")], second[header.index("专职")] = "居委会", "委员", "否"
    body.append(second)
    with people.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, *body])
    communities = folder / "社区.csv"
    rows = list(csv.reader(communities.open(encoding="utf-8-sig")))
    rows[1][rows[0].index("户数")] = str(int(rows[1][rows[0].index("户数")]) + 120)
    with communities.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "examples" / "print")
    args = parser.parse_args()
    missing = [p for p in ("soffice", "chromium", "dot", "pdfinfo", "pdftoppm") if shutil.which(p) is None]
    if missing:
        sys.exit(f"missing {', '.join(missing)}: run `make system`")
    args.out.mkdir(parents=True, exist_ok=True)
    pack = load_pack("nantong")
    roster = normalize.load(readers.read_roster(DISTRICT))[0]
    result = check(roster, pack, AS_OF)
    parts = build_report(result)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        book = work / "崇川区检查结果.xlsx"
        write_xlsx_report(result, parts, book, written=AS_OF)
        pdf = soffice(book, work)
        keep_page(pdf, page_of(pdf, "问题清单"), args.out / "xlsx-report.png")
        page = work / "崇川区检查结果.html"
        write_html_report(result, parts, page)
        keep_page(chromium(page, work), 1, args.out / "html-report.png")
        new = check(normalize.load(readers.read_roster(this_quarter(work / "本季度")))[0], pack, AS_OF)
        changes = diff.diff_results(check(roster, pack, LAST_QUARTER), new)
        book = work / "花名册变化.xlsx"
        diff.write_xlsx(changes, book, written=AS_OF)
        pdf = soffice(book, work)
        keep_page(pdf, page_of(pdf, "数值变化"), args.out / "xlsx-diff.png")
        book = work / "和平桥街道.pdf"
        book.write_bytes(region_book(result, "320602001"))
        keep_page(book, 3, args.out / "book.png")  # page 1: the overview, 2: the key (规则说明), 3: a community
        keep_page(book, 2, args.out / "book-key.png")


if __name__ == "__main__":
    main()
