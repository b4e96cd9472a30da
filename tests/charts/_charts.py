"""What the chart tests share: rosters to draw (the bundled examples, edited per case) and a
reader of graphviz's SVG that sees what a person sees — the rows of text inside each unit."""

from __future__ import annotations

import copy
import datetime as dt
import json
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orgmodel.charts.escape import NAME_LIMIT
from orgmodel.check import CheckResult, check
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_document
from orgmodel.rules.pack import load_pack

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HONGQIAO_PATH = EXAMPLES / "hongqiao.json"
DISTRICT = EXAMPLES / "chongchuan"
HONGQIAO = "320602001001"
AS_OF = dt.date(2026, 11, 25)
SVG = "{http://www.w3.org/2000/svg}"


def hongqiao(edit: Callable[[dict[str, Any]], object] | None = None) -> CheckResult:
    """The one-community example, checked, after `edit` changed its document (community 0)."""
    doc = json.loads(HONGQIAO_PATH.read_text(encoding="utf-8"))
    if edit is not None:
        edit(doc["communities"][0])
    roster, _ = normalize.load(read_document(copy.deepcopy(doc), "case.json"))
    return check(roster, load_pack("nantong"), AS_OF)


def checked(path: Path) -> CheckResult:
    roster, _ = normalize.load(readers.read_roster(path))
    return check(roster, load_pack("nantong"), AS_OF)


def shown_as(text: str, limit: int = NAME_LIMIT) -> str:
    """How a chart shows a user's text: control characters and runs of white space as one
    space, trimmed, cut to `limit` with an ellipsis."""
    spaced = "".join(" " if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff" else ch
                     for ch in text)
    cleaned = " ".join(spaced.split(" ")).strip()
    cleaned = " ".join(part for part in cleaned.split(" ") if part)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def parse(svg: bytes) -> ET.Element:
    return ET.fromstring(svg)


def group(root: ET.Element, element_id: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("id") == element_id]
    assert len(found) == 1, f"expected one <g id={element_id!r}>, found {len(found)}"
    return found[0]


def groups(root: ET.Element, prefix: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(prefix)]


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def rows(element: ET.Element, tolerance: float = 6.0) -> list[list[str]]:
    """The lines of text of an element, top to bottom, each left to right: a unit's table rows.
    Cells of one row differ in baseline by a point or two (fonts differ); rows are ≥ 20 apart."""
    placed = sorted((float(t.get("y", "0")), float(t.get("x", "0")), (t.text or "").strip())
                    for t in element.iter(f"{SVG}text"))
    lines: list[list[tuple[float, float, str]]] = []
    for item in placed:
        if lines and item[0] - lines[-1][0][0] <= tolerance:
            lines[-1].append(item)
        else:
            lines.append([item])
    return [[text for _, _, text in sorted(line, key=lambda i: i[1])] for line in lines]


def fills(element: ET.Element) -> set[str]:
    return {e.get("fill", "") for e in element.iter() if e.tag in (f"{SVG}polygon", f"{SVG}path")}
