"""The report for people at a terminal, in Chinese: summary, hiring plan, findings by community.

Chinese only: the hiring plan by post name (the `unit.role` codes stay in the JSON report),
figures as counts (3100户, not 3100.0户).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import polars as pl
from rich.console import Console
from rich.table import Table

from orgmodel.errors import InputError
from orgmodel.report.json import ReportParts
from orgmodel.report.tables import (
    REGIONAL_HEADING,
    WORKLOAD_COLUMNS,
    plan_label,
    plan_order,
    workload_by_region,
)
from orgmodel.rules.messages import readable
from orgmodel.vocabulary import LEVELS

LEVEL_LABELS = LEVELS
SEVERITY_MARK = {"error": "[red]✗ 错误[/red]", "warning": "[yellow]! 警告[/yellow]", "info": "[cyan]i 提示[/cyan]"}
# The workload figures in one column, as narrow as a terminal needs (the xlsx gives each its own).
WORKLOAD_HEADING = "工作事项数(最少/中位/最多)"
STATUS = {"compliant": "[green]合规[/green]", "incomplete": "[yellow]资料不全[/yellow]", "with_errors": "[red]存在问题[/red]"}


def _plan_table(title: str, plan: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("机构·岗位", no_wrap=True)
    table.add_column("缺额(人)", justify="right")
    for key, n in sorted(plan.items(), key=lambda item: plan_order(item[0])):
        table.add_row(plan_label(key), str(n))
    table.add_row("[bold]合计[/bold]", f"[bold]{sum(plan.values())}[/bold]")
    return table


def _figure(value: float | None) -> str:
    """A median halfway between two counts stays x.5; a whole one has no decimal point."""
    return "" if value is None else str(int(value)) if float(value).is_integer() else f"{value:g}"


def print_report(parts: ReportParts, console: Console, community_names: dict[str, str]) -> None:
    head = parts.head
    s: dict[str, Any] = head["summary"]  # type: ignore[assignment]
    ruleset: dict[str, Any] = head["ruleset"]  # type: ignore[assignment]
    console.print(f"[bold]社区配备检查报告[/bold]  规则包 {ruleset['id']} v{ruleset['version']}  检查日期 {head['as_of']}")
    console.print(
        f"共 {s['communities']} 个社区:{STATUS['compliant']} {s['compliant']},"
        f"{STATUS['incomplete']} {s['incomplete']},{STATUS['with_errors']} {s['with_errors']}"
        + (f",豁免后合规 {s['waived']}" if s["waived"] else "")
    )
    f = s["findings"]
    console.print(f"问题:错误 {f['error']},警告 {f['warning']},提示 {f['info']}\n")
    if s["shortfall_by_role"]:
        console.print(_plan_table("招聘需求(全部社区合计)", s["shortfall_by_role"]))
    if not parts.regions.is_empty():
        workload = workload_by_region(parts)  # only when the roster carries tasks
        table = Table(title="分区域汇总", title_justify="left")
        for column in ("区域", "编码", "层级", "社区", "合规", "资料不全", "存在问题", "缺额(人)",
                       *((WORKLOAD_HEADING,) if workload else ())):
            table.add_column(column, justify="left" if column in ("区域", "编码", "层级") else "right", no_wrap=True)
        for r in parts.regions.iter_rows(named=True):
            figures = workload.get(r["id"], {})
            table.add_row(r["name"] or "", r["id"], LEVEL_LABELS.get(r["level"], ""), str(r["communities"]),
                          str(r["compliant"]), str(r["incomplete"]), str(r["with_errors"]), str(r["shortfall_total"]),
                          *(["/".join(_figure(figures.get(key)) for key in WORKLOAD_COLUMNS)] if workload else []))
        console.print(table)
    _print_findings(parts.findings.filter(pl.col("community_id").is_not_null()), console, community_names,
                    regional=parts.findings.filter(pl.col("community_id").is_null()).height)
    _print_regional(parts, console, dict(parts.regions.select("id", "name").iter_rows()))
    _print_notices(parts.notices, console)
    skipped: list[dict[str, Any]] = head["skipped"]  # type: ignore[assignment]
    if skipped:
        console.print(f"\n[red]因输入错误跳过 {len(skipped)} 个社区:[/red]")
        for item in skipped:
            for error in item["errors"]:
                console.print(f"  {item['community_id']}: {error['message_zh']}", markup=False)


def _print_regional(parts: ReportParts, console: Console, names: dict[str, str]) -> None:
    """区域级问题: the findings of no community (LG1–LG4, C1), under each region's name."""
    regional = parts.findings.filter(pl.col("community_id").is_null())
    if regional.is_empty():
        return
    console.print(f"\n[bold]{REGIONAL_HEADING}[/bold]")
    current: object = ()
    for row in regional.select("region_id", "rule_id", "severity", "message").iter_rows(named=True):
        if row["region_id"] != current:
            current = row["region_id"]
            name = names.get(str(current)) or ""
            console.print(f"\n[bold]【{current} {name}】[/bold]" if name else f"\n[bold]【{current}】[/bold]")
        console.print(f"  {SEVERITY_MARK[row['severity']]} {row['rule_id']:<3} ", end="")
        console.print(readable(row["message"]), markup=False)


def _print_findings(findings: pl.DataFrame, console: Console, names: dict[str, str], regional: int = 0) -> None:
    if findings.is_empty():
        if not regional:
            console.print("\n[green]没有发现问题。[/green]")
        else:
            console.print("\n[green]各社区没有发现问题。[/green]")
        return
    console.print("\n[bold]问题清单(按社区)[/bold]")
    current: object = ()
    for row in findings.select("community_id", "rule_id", "severity", "message", "waiver").iter_rows(named=True):
        if row["community_id"] != current:
            current = row["community_id"]
            name = names.get(str(current), "")
            header = str(current) if name in ("", current) else f"{current} {name}"  # a community known by its name
            console.print(f"\n[bold]【{header}】[/bold]")
        waived = " [dim](已豁免)[/dim]" if row["waiver"] else ""
        console.print(f"  {SEVERITY_MARK[row['severity']]} {row['rule_id']:<3} ", end="")
        console.print(readable(row["message"]), markup=False, end="")
        console.print(waived)


def _print_notices(notices: pl.DataFrame, console: Console) -> None:
    mappings = notices.filter(pl.col("code") == "column_mapping")
    if mappings.height:
        console.print("\n[bold]读取说明[/bold]")
        for file, sheet, text in mappings.select("file", "sheet", "message_zh").iter_rows():
            console.print(f"  {file}" + (f"“{sheet}”" if sheet else "") + f":{text}", markup=False)
    posts = notices.filter(pl.col("code") == "unknown_post")
    if posts.is_empty():
        return
    tally = Counter(posts["value"].to_list())
    listed = "、".join(f"{post} {n}" for post, n in tally.most_common(10))
    console.print(f"\n[dim]说明:{posts.height} 处职务不在配备要求之列,不计入任何规则({listed})[/dim]")


def print_input_errors(errors: Iterable[InputError], console: Console) -> None:
    errors = list(errors)
    console.print(f"[red bold]输入有误,未作检查 / the roster has {len(errors)} input error(s); nothing was checked:[/red bold]")
    for e in errors:
        console.print(f"  • {e.message_zh}", markup=False)
        expected = (e.expected.partition(" / ")[2] or e.expected) if e.expected else None  # its English half
        console.print(f"    {e.message_en}" + (f" (expected: {expected})" if expected else ""), markup=False,
                      style="dim")
