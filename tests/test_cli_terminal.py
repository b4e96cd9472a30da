"""What people read at a terminal is Chinese throughout (issue 11): counts without `.0`, the
hiring plan by post name only, `--help` and every option's help Chinese first, English second."""

from __future__ import annotations

import json
import re

import click
from click.testing import CliRunner

from orgmodel.cli import main
from orgmodel.report.tables import REGIONAL_HEADING
from orgmodel.report.text import WORKLOAD_HEADING
from orgmodel.rules.messages import readable
from tests.helpers.workbooks import DISTRICT_CSV

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_terminal_counts_without_decimal_point_and_plan_in_chinese() -> None:
    """The district stores 户数 and 人口 as decimals for a few communities (1508.0 in the JSON
    report's messages, which stay as they are); the terminal reads 1508户."""
    result = CliRunner().invoke(main, ["check", str(DISTRICT_CSV), "--as-of", "2026-11-25"])
    assert result.exit_code == 1, result.output
    assert "服务站按1508户应配备" in result.output and "×7925人=" in result.output
    assert not re.search(r"\d\.0[户人名个元]", result.output)
    plan = result.output.split("招聘需求", 1)[1].split("分区域汇总", 1)[0]
    assert "综治办·专职调解员" in plan and "代码" not in plan
    assert not re.search(r"[a-z]+_[a-z]+\.[a-z_]+", plan)  # no governance_office.mediator


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = [(prefix, group)]
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append(((*prefix, name), command))
    return found


def _bilingual(text: str) -> bool:
    chinese, _, english = text.partition(" / ")
    return bool(CJK.search(chinese)) and bool(re.search(r"[A-Za-z]{3,}", english))


def test_every_command_and_option_helps_in_chinese_then_english() -> None:
    for path, command in _commands(main):
        short = (command.help or "").split("\n\n", 1)[0]
        assert _bilingual(short), (path, short)
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and _bilingual(param.help), (path, param.name, param.help)


def test_help_pages_headings_and_help_option_in_chinese() -> None:
    for args in ([], ["check"], ["rules", "show"], ["diff"]):
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0
        assert result.output.startswith("用法 / Usage:")
        assert "选项 / Options:" in result.output and "显示本帮助并退出 / show this message and exit" in result.output
    assert "命令 / Commands:" in CliRunner().invoke(main, ["--help"]).output


def test_usage_errors_chinese_first() -> None:
    result = CliRunner().invoke(main, ["check", str(DISTRICT_CSV), "--format", "xlsx"])
    assert result.exit_code == 2 and "--format xlsx 生成工作簿,请用 -o 指定文件" in result.output
    result = CliRunner().invoke(main, ["check", str(DISTRICT_CSV), "--as-of", "明天"])
    assert result.exit_code == 2 and "“明天”不是日期" in result.output


def test_terminal_region_level_section_and_workload() -> None:
    """LG3 of 南通市 sits under 区域级问题 with the region's name, after every community; the
    分区域汇总 gives each region's 工作事项数 (min/median/max of the roll-up)."""
    report = json.loads(CliRunner().invoke(main, ["check", str(DISTRICT_CSV), "--as-of", "2026-11-25",
                                                  "--format", "json"]).stdout)
    output = CliRunner().invoke(main, ["check", str(DISTRICT_CSV), "--as-of", "2026-11-25"]).output
    names = {r["id"]: r["name"] for r in report["regions"]}
    regional = [f for f in report["findings"] if f["community_id"] is None]
    assert regional
    section = output.split(f"\n{REGIONAL_HEADING}\n", 1)[1].split("读取说明", 1)[0]
    for f in regional:
        assert f"【{f['region_id']} {names[f['region_id']]}】" in section
        assert readable(f["message"]) in section
    before = output.split(f"\n{REGIONAL_HEADING}\n", 1)[0]
    assert not any(readable(f["message"]) in before for f in regional)
    table = output.split("分区域汇总", 1)[1].split("问题清单", 1)[0]
    assert WORKLOAD_HEADING in table
    for region in report["regions"]:
        figures = "/".join(str(region["tasks_per_community"][k]) for k in ("min", "median", "max"))
        row = next(line for line in table.splitlines() if f" {region['id']} " in line)
        assert row.rstrip(" │").endswith(figures), (row, figures)
