"""Printing as an office prints: LibreOffice headless for workbooks, Chromium headless for
pages, and the PDF read back with poppler's `pdfinfo` and pypdf.

`make system` installs the three programs (libreoffice-calc-nogui, chromium, poppler-utils);
where one is missing the tests that need it skip and say so, once, past pytest's capture.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

A4_LANDSCAPE = (841.89, 595.28)  # points; poppler prints 841.89 x 595.304
A4_PORTRAIT = A4_LANDSCAPE[::-1]
_SHOWN: set[str] = set()


def need(program: str, package: str) -> str:
    """The program's path, or a skip naming the Debian package that provides it."""
    found = shutil.which(program)
    if found is None:
        reason = f"{program} is not installed (apt-get install {package}, or `make system`)"
        if reason not in _SHOWN:
            _SHOWN.add(reason)
            sys.__stderr__.write(f"\nSKIPPING the print tests that need {program}: {reason}\n")
        pytest.skip(reason)
    return found


def soffice_pdf(workbooks: list[Path], outdir: Path) -> list[Path]:
    """Each workbook printed to PDF by LibreOffice, with a profile of its own (other sessions'
    soffice processes on the machine must not share or lock it)."""
    soffice = need("soffice", "libreoffice-calc-nogui")
    profile = outdir / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), *map(str, workbooks)], check=True, capture_output=True, timeout=300)
    pdfs = [outdir / f"{w.stem}.pdf" for w in workbooks]
    for pdf in pdfs:
        assert pdf.exists(), f"LibreOffice made no {pdf.name}"
    return pdfs


def chromium_pdf(page: Path, pdf: Path) -> Path:
    """The HTML page printed to PDF by Chromium as a browser's print dialog would (no header
    and footer of the browser's own)."""
    chromium = need("chromium", "chromium")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={pdf.parent / 'chromium-profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                   check=True, capture_output=True, timeout=300)
    assert pdf.exists(), "Chromium made no PDF"
    return pdf


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    """Every page's size in points, as `pdfinfo` reports it."""
    pdfinfo = need("pdfinfo", "poppler-utils")
    count = pdf_pages(pdf)
    out = subprocess.run([pdfinfo, "-f", "1", "-l", str(count), str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    sizes = [(float(w), float(h)) for w, h in re.findall(r"Page +\d+ size: +([\d.]+) x ([\d.]+) pts", out)]
    assert len(sizes) == count, out
    return sizes


def pdf_pages(pdf: Path) -> int:
    pdfinfo = need("pdfinfo", "poppler-utils")
    out = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages: +(\d+)", out, re.M).group(1))  # type: ignore[union-attr]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text, as pypdf extracts it."""
    return [page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages]


def poppler_texts(pdf: Path) -> list[str]:
    """Each page's text, as poppler's `pdftotext` extracts it: Chromium's PDFs map some CJK
    glyphs to radicals (⻚ for 页) for pypdf, not for poppler."""
    pdftotext = need("pdftotext", "poppler-utils")
    out = subprocess.run([pdftotext, str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return out.split("\f")[: pdf_pages(pdf)]


def squeezed(text: str) -> str:
    """The text without white space: wrapped cells come apart at their line ends."""
    return re.sub(r"\s+", "", text)


def is_size(size: tuple[float, float], expected: tuple[float, float]) -> bool:
    return all(abs(a - b) < 1.0 for a, b in zip(size, expected, strict=True))
