"""`check --format html`: one self-contained Chinese page to mail or put on an intranet.

No external request of any kind (no fonts, scripts or styles from elsewhere): the page must
open on an office computer without internet. It shows the summary, the per-region table,
the hiring plan and the findings per community, with a filter box that hides the
communities whose id, name or findings do not match. Every value is HTML-escaped; the
chart issue adds each community's chart inline beside its findings (`community_extra`).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import IO, Any

import polars as pl

from orgmodel.check import CheckResult
from orgmodel.report.figures import community_status
from orgmodel.report.json import ReportParts
from orgmodel.report.tables import (
    REGIONAL_HEADING,
    SEVERITY,
    STATUS,
    findings_table,
    hiring_plan,
    reading_notes,
    regional_findings,
    report_scope,
    summary_table,
)

CommunityExtra = Callable[[str], str]  # community id → trusted HTML to show with its findings

STYLE = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC",sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:2px solid #4472c4}
table{border-collapse:collapse;margin:.5em 0;font-size:.9em}
th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#d9e1f2}td.n{text-align:right}tr.total td{font-weight:bold}
.error td.sev{background:#f8cbad}.warning td.sev{background:#ffe699}.info td.sev{background:#ddebf7}
.cards span{display:inline-block;margin-right:1.5em;padding:.4em .8em;background:#f2f2f2;border-radius:4px}
.community,.regional{margin:.8em 0;padding:.2em .8em;border-left:4px solid #4472c4}
.regional{border-color:#7030a0}
.community.with_errors{border-color:#c00000}.community.incomplete{border-color:#bf8f00}.community.compliant{border-color:#70ad47}
#filter{font-size:1em;padding:.3em;width:24em}.hidden{display:none}.dim{color:#777}
.chart svg{max-width:100%;height:auto}.k{white-space:nowrap}
.community th:nth-child(-n+2),.community td:nth-child(-n+2),.community td:nth-child(4){white-space:nowrap}
.community td:nth-child(3){width:42%}
"""

# How the page prints (A4, as an office sends a report up): the filter controls go, tables keep
# their header on every page and rows whole, headings stay with what follows, a community's
# block is not split unless it is longer than a page, and the 问题清单 starts on a new page.
PRINT_STYLE = """
@page{size:A4 portrait;margin:14mm 12mm 16mm 12mm;
  @top-left{content:TITLE;font-size:8pt;color:#555}
  @bottom-center{content:"第 " counter(page) " 页 共 " counter(pages) " 页";font-size:8pt;color:#555}}
@media print{
  body{margin:0;font-size:9.5pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .controls{display:none}
  h1{font-size:15pt;margin:0 0 .3em}h2{font-size:12pt;margin-top:1em}
  h1,h2,h3{break-after:avoid;page-break-after:avoid}
  h2.findings{break-before:page;page-break-before:always}
  table{width:100%;font-size:8.5pt}
  thead{display:table-header-group}tr,td,th{break-inside:avoid;page-break-inside:avoid}
  .cards span{border:1px solid #bbb;background:none;padding:.2em .5em;margin:0 .6em .3em 0}
  .community{break-inside:avoid;page-break-inside:avoid;margin:.5em 0}
  .community h3{margin:.3em 0}
  .chart{break-inside:avoid}
}
"""


def css_string(text: str) -> str:
    """Text as a CSS string: anything but letters, digits and CJK as an escape, so that no
    roster text can end the string, the rule or the style element."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'

SCRIPT = """
function applyFilter(){
  var q=document.getElementById('filter').value.trim().toLowerCase();
  var sev={};document.querySelectorAll('input.sev').forEach(function(b){sev[b.value]=b.checked;});
  var shown=0;
  document.querySelectorAll('div.community').forEach(function(c){
    var rows=c.querySelectorAll('tbody tr'),any=false;
    rows.forEach(function(r){
      var ok=sev[r.dataset.severity]&&(!q||c.dataset.key.indexOf(q)>=0||r.textContent.toLowerCase().indexOf(q)>=0);
      r.classList.toggle('hidden',!ok);if(ok)any=true;});
    var match=any||(!q&&rows.length===0);c.classList.toggle('hidden',!match);if(match)shown++;
  });
  document.getElementById('count').textContent=shown;
}
"""


def _e(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.4g}"
    return html.escape(str(value))


def _table(frame: pl.DataFrame, *, percent: Sequence[str] = (), total_first: str | None = None,
           unbroken: int = 0) -> str:
    """A table; the first `unbroken` columns (codes and names) do not wrap."""
    head = "".join(f'<th class="k">{_e(c)}</th>' if j < unbroken else f"<th>{_e(c)}</th>"
                   for j, c in enumerate(frame.columns))
    body = []
    for row in frame.iter_rows():
        cells = []
        for j, (column, value) in enumerate(zip(frame.columns, row, strict=True)):
            numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
            shown = f"{value:.1%}" if column in percent and value is not None else _e(value)
            cells.append(f'<td class="n">{shown}</td>' if numeric else
                         f'<td class="k">{shown}</td>' if j < unbroken else f"<td>{shown}</td>")
        total = total_first is not None and row[0] == total_first
        body.append(("<tr class=\"total\">" if total else "<tr>") + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _communities(result: CheckResult, parts: ReportParts, extra: CommunityExtra | None) -> Iterable[str]:
    table = findings_table(result, parts)
    severity_code = {zh: code for code, zh in SEVERITY.items()}
    status = dict(community_status(result).select("community_id", "status").iter_rows())
    names = dict(result.roster.communities.select("id", "name").iter_rows())
    by_community: dict[str | None, list[dict[str, Any]]] = {}
    for record in table.iter_rows(named=True):
        by_community.setdefault(record["社区编码"], []).append(record)
    columns = ("规则", "严重程度", "问题描述", "人员编号", "豁免", "依据")
    for community in names:
        rows = by_community.get(community, [])
        state = status.get(community, "with_errors")
        title = f"{_e(community)} {_e(names.get(community))}"
        key = _e(f"{community} {names.get(community) or ''}".lower())
        findings = _findings_rows(rows, columns, severity_code) if rows else '<p class="dim">没有发现问题。</p>'
        yield (f'<div class="community {state}" data-key="{key}"><h3>{title} <small class="dim">'
               f'{_e(STATUS.get(state, ""))}</small></h3>{findings}'
               f'{extra(community) if extra else ""}</div>')


def _findings_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], severity_code: dict[str, str]) -> str:
    body = "".join(
        f'<tr class="{severity_code.get(r["严重程度"], "")}" data-severity="{severity_code.get(r["严重程度"], "")}">'
        + "".join(f'<td class="sev">{_e(r[c])}</td>' if c == "严重程度" else f"<td>{_e(r[c])}</td>" for c in columns)
        + "</tr>" for r in rows)
    return f"<table><thead><tr>{''.join(f'<th>{c}</th>' for c in columns)}</tr></thead><tbody>{body}</tbody></table>"


def _regional(result: CheckResult, parts: ReportParts) -> list[str]:
    """区域级问题 (LG1–LG4, C1): no community's, so a section of their own, one block per region."""
    regions = regional_findings(result, parts)
    if not regions:
        return []
    severity_code = {zh: code for code, zh in SEVERITY.items()}
    columns = ("规则", "严重程度", "问题描述", "情形", "依据")
    blocks = [f'<h2 class="regional-findings">{REGIONAL_HEADING}</h2>']
    for region, name, rows in regions:
        blocks.append(f'<div class="regional" data-region="{_e(region)}"><h3>{_e(REGIONAL_HEADING)} · {_e(name)} '
                      f'<small class="dim">{_e(region)}</small></h3>'
                      f'{_findings_rows(list(rows.iter_rows(named=True)), columns, severity_code)}</div>')
    return blocks


def _reading(parts: ReportParts) -> list[str]:
    notes = reading_notes(parts)
    return ["<h2>读取说明</h2>", _table(notes)] if notes.height else []


def render_html(result: CheckResult, parts: ReportParts, community_extra: CommunityExtra | None = None) -> str:
    head = parts.head
    summary: dict[str, Any] = head["summary"]  # type: ignore[assignment]
    ruleset: dict[str, Any] = head["ruleset"]  # type: ignore[assignment]
    f = summary["findings"]
    scope = report_scope(result)
    title = f"{scope}社区配备检查报告"
    cards = (f"<span>社区 {summary['communities']}</span><span>合规 {summary['compliant']}</span>"
             f"<span>资料不全 {summary['incomplete']}</span><span>存在问题 {summary['with_errors']}</span>"
             f"<span>错误 {f['error']} · 警告 {f['warning']} · 提示 {f['info']}</span>")
    boxes = "".join(f'<label><input type="checkbox" class="sev" value="{code}" checked onchange="applyFilter()"> {zh}</label> '
                    for code, zh in SEVERITY.items())
    parts_html = [
        "<!DOCTYPE html>", '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{STYLE}{PRINT_STYLE.replace('TITLE', css_string(title + ' · 检查日期 ' + str(head['as_of'])))}</style>",
        f"<script>{SCRIPT}</script></head><body>",
        f"<h1>{_e(scope)}社区“一委一居一站一办”配备检查报告</h1>",
        f'<p class="dim">规则包 {_e(ruleset["id"])} v{_e(ruleset["version"])} · 检查日期 {_e(head["as_of"])}</p>',
        f'<div class="cards">{cards}</div>',
        "<h2>汇总</h2>", _table(summary_table(result, parts), percent=("合规率",), total_first="全部", unbroken=4),
        "<h2>招聘需求</h2>", _table(hiring_plan(result), total_first="合计", unbroken=3),
        '<h2 class="findings">问题清单(按社区)</h2>',
        '<p class="controls"><input id="filter" type="search" placeholder="筛选:社区编码、名称、规则或问题" '
        'oninput="applyFilter()"> '
        f'{boxes} 显示 <span id="count">{result.roster.communities.height}</span> 个社区</p>',
        *_communities(result, parts, community_extra),
        *_regional(result, parts),
        *_reading(parts),
        "</body></html>\n",
    ]
    return "\n".join(parts_html)


def write_html_report(result: CheckResult, parts: ReportParts, out: Path | IO[bytes],
                      community_extra: CommunityExtra | None = None) -> None:
    data = render_html(result, parts, community_extra).encode("utf-8")
    if isinstance(out, Path):
        out.write_bytes(data)
    else:
        out.write(data)
