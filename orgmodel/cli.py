"""The `orgmodel` command: a thin shell over the library (formats.md §5)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
import polars as pl

from orgmodel import rule_docs
from orgmodel.errors import InputError, PackError, RosterInputError
from orgmodel.input import cells
from orgmodel.pipeline import build_report, check_roster, load_pack, load_roster
from orgmodel.report.json import ReportParts
from orgmodel.rules.pack import Pack, available

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_PROGRAM = 3

XLSX_NEEDS_OUTPUT = ("--format xlsx 生成工作簿,请用 -o 指定文件,如 -o 检查结果.xlsx / "
                     "--format xlsx writes a workbook: give -o FILE.xlsx")
PACK_HELP = "规则包:内置规则包名(nantong、cn-law)或 .yaml 文件 / a packaged pack or a .yaml file"
HELP_OPTION = "显示本帮助并退出 / show this message and exit"
HEADINGS = {"Options": "选项 / Options", "Commands": "命令 / Commands", "Arguments": "参数 / Arguments"}


class BilingualFormatter(click.HelpFormatter):
    """Click's own headings in Chinese first, as every help text here."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法 / Usage: ")

    def section(self, name: str) -> Any:
        return super().section(HEADINGS.get(name, name))


class BilingualContext(click.Context):
    formatter_class = BilingualFormatter


class BilingualCommand(click.Command):
    context_class = BilingualContext

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option


class BilingualGroup(click.Group):
    context_class = BilingualContext
    command_class = BilingualCommand
    group_class: type[click.Group] | type[type] | None = type  # subgroups are bilingual too

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION
        return option


COMMANDS_GROUP = "orgmodel.commands"  # entry points naming the commands of other packages (the service's api/cli.py)
SERVER_MISSING = ("此命令属于HTTP服务,须先安装:pip install \"orgmodel[server]\" / "
                  "this command belongs to the HTTP service: install it with pip install \"orgmodel[server]\"")


class CommandsGroup(BilingualGroup):
    """The library's commands, and those other packages declare in the `orgmodel.commands`
    entry-point group (the service's `serve`, `regions`, `keys` in api/cli.py): the library
    never imports the service; each of its commands loads when it is named or listed."""

    group_class = BilingualGroup  # the top level alone gathers other packages' commands

    def _entry_points(self) -> dict[str, metadata.EntryPoint]:
        return {point.name: point for point in metadata.entry_points(group=COMMANDS_GROUP)}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._entry_points()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            return command
        point = self._entry_points().get(cmd_name)
        if point is None:
            return None
        try:
            command = point.load()
        except ImportError as exc:
            command = server_missing(cmd_name, exc)
        self.add_command(command, cmd_name)
        return command


def server_missing(name: str, exc: ImportError) -> click.Command:
    """A command whose package cannot load: it says how to install it, and exits 3."""

    def explain() -> None:
        click.echo(f"{SERVER_MISSING} ({exc.name or exc})", err=True)
        sys.exit(EXIT_MISSING_PROGRAM)

    return BilingualCommand(name, callback=explain, help="未安装HTTP服务 / the HTTP service is not installed.",
                            context_settings={"ignore_unknown_options": True, "allow_extra_args": True})

# Writers for people's formats, imported only when asked for (the JSON path starts faster).
REPORT_WRITERS = {"csv": ("orgmodel.report.csv", "write_csv_report"), "xlsx": ("orgmodel.report.xlsx", "write_xlsx_report"),
                  "html": ("orgmodel.report.html", "write_html_report")}


def _report_writer(fmt: str) -> Callable[..., None]:
    module, name = REPORT_WRITERS[fmt]
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


class StageProgress:
    """A one-line progress bar on stderr, only when stderr is a terminal."""

    def __init__(self, stream: IO[str] | None = None):
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.started = time.monotonic()

    def stage(self, text: str) -> None:
        if self.enabled:
            self.stream.write(f"\r\x1b[2K{text} ({time.monotonic() - self.started:.1f}s)")
            self.stream.flush()

    def rules(self, what: str, done: int, total: int) -> None:
        width = 24
        filled = width * done // max(total, 1)
        self.stage(f"检查 [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {what}")

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


@click.group(cls=CommandsGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """orgmodel:社区“一委一居一站一办”配备检查 / community staffing checks.

    每个命令的说明与选项先中文、后英文;`orgmodel 命令 -h` 查看详情。

    Each command and option is explained in Chinese, then English; `orgmodel COMMAND -h` for details.
    """


def _as_of(value: str | None, param_hint: str = "--as-of") -> dt.date | None:
    if value is None:
        return None
    date = cells.parse_date(value)
    if date is None:
        raise click.BadParameter(f"“{value}”不是日期,应如 2026-01-01 / {value!r} is not a date such as 2026-01-01",
                                 param_hint=param_hint)
    return date


@main.command("check")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--rules", "pack_name", default="nantong", show_default=True, help=PACK_HELP)
@click.option("--as-of", "as_of", help="按此日期检查(默认:中国当天) / check as of this date (default: today in China)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html"]), default="table",
              show_default=True,
              help="table:终端报告;json:报告全文;csv:问题清单;xlsx:汇总/招聘需求/问题清单/社区明细/读取说明;"
                   "html:单个网页 / "
                   "table: the terminal report; json: the whole report; csv: the findings; xlsx: the workbook; "
                   "html: one page")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="报告写入此文件 / write the report here")
@click.option("--skip-invalid", is_flag=True,
              help="只检查无误的社区,列出跳过的社区 / check the valid communities; list the skipped ones")
@click.option("--waivers", "waivers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="豁免的YAML文件(花名册中的“豁免”表之外) / a YAML file of waivers, besides any 豁免 sheet of the roster")
def check_command(roster: Path, pack_name: str, as_of: str | None, fmt: str, output: Path | None,
                  skip_invalid: bool, waivers_file: Path | None) -> None:
    """检查花名册的每个社区 / check every community of a roster.

    ROSTER:.xlsx/.xls/.ods、JSON、YAML,或CSV表格的文件夹、.zip。退出码:0 全部合规;1 有问题;2 输入有误。

    ROSTER: .xlsx/.xls/.ods, JSON, YAML, a folder or .zip of CSV tables. Exit codes: 0 all compliant;
    1 findings; 2 bad input.
    """
    if fmt == "xlsx" and output is None:
        raise click.UsageError(XLSX_NEEDS_OUTPUT)
    progress = StageProgress()
    try:
        pack = load_pack(pack_name)
        day = _as_of(as_of)
        progress.stage(f"读取 {roster.name}")
        progress.stage("校验花名册")
        loaded = load_roster(roster, skip_invalid=skip_invalid)
        result = check_roster(loaded, pack, day, waivers_file=waivers_file, progress=progress.rules)
    except PackError as exc:
        progress.close()
        _console(stderr=True).print(f"规则包有误 / rule pack error: {exc}", markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except RosterInputError as exc:
        progress.close()
        if fmt == "json":
            payload = {"input_errors": [e.model_dump(mode="json") for e in exc.errors]}
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            _print_input_errors(exc.errors)
        sys.exit(EXIT_BAD_INPUT)
    progress.stage("生成报告")
    parts = build_report(result)
    if fmt in REPORT_WRITERS:
        progress.close()
        _report_writer(fmt)(result, parts, output or sys.stdout.buffer)
    elif fmt == "json":
        if output:
            with output.open("wb") as f:
                parts.write(f)
        else:
            parts.write(sys.stdout.buffer)
    else:
        from orgmodel.report.text import print_report

        names = dict(loaded.roster.communities.select("id", pl.col("name").fill_null("")).iter_rows())
        progress.close()
        if output:
            with output.open("w", encoding="utf-8") as f:
                print_report(parts, _console(file=f, width=120), names)
        else:
            print_report(parts, _console(width=None if sys.stdout.isatty() else 120), names)
    progress.close()
    _end(exit_code(parts))


END_AT_ONCE = "end_at_once"  # the context's obj when `orgmodel` runs as a program (see `run`)


def _end(code: int) -> None:
    """End a check with its exit code. Run as a program, the process ends as soon as its output
    is flushed: the frames of a national roster (over a gigabyte) are not freed one by one on
    the way out, which took a third of a second at 100,000 communities. Called from Python
    (a test's CliRunner, another program), an ordinary SystemExit."""
    if click.get_current_context().find_root().obj == END_AT_ONCE:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def _console(stderr: bool = False, file: IO[str] | None = None, width: int | None = None) -> Console:
    """A rich console for people; rich loads only when something is printed for people."""
    from rich.console import Console

    return Console(stderr=stderr, file=file, width=width, highlight=False, soft_wrap=True)


def _print_input_errors(errors: list[InputError]) -> None:
    from orgmodel.report.text import print_input_errors

    print_input_errors(errors, _console(stderr=True))


def exit_code(parts: ReportParts) -> int:
    """0 every community compliant; 1 findings (or a region-level error); 2 communities skipped."""
    summary: dict[str, Any] = parts.head["summary"]  # type: ignore[assignment]
    if parts.head["skipped"]:
        return EXIT_BAD_INPUT
    region_errors = parts.findings.filter(
        pl.col("community_id").is_null() & (pl.col("severity") == "error") & pl.col("waiver").is_null())
    if summary["compliant"] < summary["communities"] or not region_errors.is_empty():
        return EXIT_FINDINGS
    return EXIT_OK


@main.command("render")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--community", "community_id", help="画此社区的组织结构图 / draw this community's org chart")
@click.option("--region", "region_id",
              help="画此区域的总览图(加 --book:整本图册) / draw this region's overview (with --book: the whole book)")
@click.option("--book", is_flag=True, help="与 --region 同用:一个PDF,先总览,再每社区一页 / "
                                           "with --region: one PDF, the overview then a page per community")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "pdf", "dot"]),
              help="默认取 -o 的扩展名,否则 svg / default: the suffix of -o when it is one of these, else svg")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="图写入此文件 / write the chart here")
@click.option("--rules", "pack_name", default="nantong", show_default=True, help=PACK_HELP)
@click.option("--as-of", "as_of", help="按此日期(默认:中国当天) / as of this date (default: today in China)")
def render_command(roster: Path, community_id: str | None, region_id: str | None, book: bool, fmt: str | None,
                   output: Path, pack_name: str, as_of: str | None) -> None:
    """画组织结构图 / draw an org chart.

    画花名册 ROSTER 中一个社区(--community)的结构图,或一个区域的总览(--region)。

    Draw the chart of a community of ROSTER (--community) or a region's overview (--region).
    """
    from orgmodel import charts

    if (community_id is None) == (region_id is None):
        raise click.UsageError("请给出 --community 社区编码 或 --region 区域编码,二者之一 / "
                               "give either --community ID or --region ID")
    suffix = output.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in charts.FORMATS else ("pdf" if book else "svg"))
    if book and (region_id is None or fmt != "pdf"):
        raise click.UsageError("--book 须与 --region 同用,生成PDF(--format pdf) / "
                               "--book needs --region and makes a PDF (--format pdf)")
    try:
        if fmt != "dot":
            charts.require_graphviz()
        pack = load_pack(pack_name)
        result = check_roster(load_roster(roster), pack, _as_of(as_of), waivers=False)
        if book:
            content = charts.region_book(result, str(region_id))
        else:
            source = (charts.community_chart(result, community_id) if community_id is not None
                      else charts.region_overview(result, str(region_id)))
            content = charts.render(source, fmt)
    except charts.MissingProgram as exc:
        _console(stderr=True).print(str(exc), markup=False)
        sys.exit(EXIT_MISSING_PROGRAM)
    except (charts.ChartError, PackError) as exc:
        _console(stderr=True).print(str(exc), markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except RosterInputError as exc:
        _print_input_errors(exc.errors)
        sys.exit(EXIT_BAD_INPUT)
    output.write_bytes(content)


@main.command("diff")
@click.argument("old", type=click.Path(exists=True, path_type=Path))
@click.argument("new", type=click.Path(exists=True, path_type=Path))
@click.option("--rules", "pack_name", default="nantong", show_default=True, help=PACK_HELP)
@click.option("--as-of", "as_of", help="两期花名册都按此日期检查(默认:中国当天) / "
                                       "check both rosters as of this date (default: today in China)")
@click.option("--old-as-of", "old_as_of", help="OLD 按此日期检查,如上季度末(默认:--as-of) / "
                                               "check OLD as of this date, e.g. last quarter's end (default: --as-of)")
@click.option("--new-as-of", "new_as_of", help="NEW 按此日期检查(默认:--as-of) / check NEW as of this date "
                                               "(default: --as-of)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True,
              help="table:终端表格;json:变化全文;xlsx:工作簿 / table: for the terminal; json: every change; "
                   "xlsx: a workbook")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="变化写入此文件 / write the diff here")
def diff_command(old: Path, new: Path, pack_name: str, as_of: str | None, old_as_of: str | None,
                 new_as_of: str | None, fmt: str, output: Path | None) -> None:
    """两期花名册的变化 / what changed between two rosters.

    从 OLD 到 NEW(任意两种花名册格式):人员、岗位、合规、问题,以及工资、户数、人口、经费、事项的变化;
    两期各按自己的日期检查(--old-as-of、--new-as-of)。

    From OLD to NEW (any two roster formats): people, posts, compliance, findings, and changes of pay,
    households, population, budget and tasks; each checked as of its own date.
    """
    from orgmodel import diff

    if fmt == "xlsx" and output is None:
        raise click.UsageError(XLSX_NEEDS_OUTPUT)
    try:
        pack = load_pack(pack_name)
        day = _as_of(as_of)
        days = [_as_of(old_as_of, "--old-as-of") or day, _as_of(new_as_of, "--new-as-of") or day]
        results = [check_roster(load_roster(path), pack, when, waivers=False)
                   for path, when in zip((old, new), days, strict=True)]
    except PackError as exc:
        _console(stderr=True).print(f"规则包有误 / rule pack error: {exc}", markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except RosterInputError as exc:
        _print_input_errors(exc.errors)
        sys.exit(EXIT_BAD_INPUT)
    changes = diff.diff_results(*results)
    if fmt == "xlsx":
        diff.write_xlsx(changes, output or sys.stdout.buffer)
    elif fmt == "json":
        _write_bytes(diff.to_json(changes), output)
    elif output:
        output.write_text(diff.to_text(changes), encoding="utf-8")
    else:
        diff.print_diff(changes, _console())


def _write_bytes(data: bytes, output: Path | None) -> None:
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(data)


@main.command("export")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["popolo"]), default="popolo", show_default=True,
              help="popolo:Popolo(W3C ORG)格式的JSON(区域、机构、岗位、人员、任职) / "
                   "popolo: Popolo / W3C ORG JSON (areas, organizations, posts, persons, memberships)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="导出写入此文件 / write the export here")
def export_command(roster: Path, fmt: str, output: Path | None) -> None:
    """导出花名册,供其他工具使用 / export a roster for other tools.

    以身份证号为编号的人员导出为化名:设置 ORGMODEL_ID_SECRET(与服务相同的设置)则每次导出化名不变,
    否则按花名册顺序编号。

    People keyed by a resident ID number get pseudonyms as ids: set ORGMODEL_ID_SECRET (the
    service's setting) for pseudonyms that stay the same across exports; without it they are
    numbered in roster order.
    """
    from orgmodel import popolo

    try:
        data = load_roster(roster).roster
    except RosterInputError as exc:
        _print_input_errors(exc.errors)
        sys.exit(EXIT_BAD_INPUT)
    _write_bytes(popolo.to_json(data, os.environ.get("ORGMODEL_ID_SECRET") or None), output)


@main.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="要写入的工作簿,如 花名册.xlsx / the workbook to write, e.g. roster.xlsx")
def template_command(output: Path) -> None:
    """生成空白花名册工作簿 / write an empty roster workbook.

    每张表的表头、下拉选项和“填表说明”表。

    Every sheet with its headers, drop-downs and a 填表说明 sheet.
    """
    from orgmodel.template import write_template

    write_template(output)


@main.group("rules")
def rules_group() -> None:
    """规则包 / rule packs.

    列出全部(list),或逐条说明一个规则包(show)。

    List them, or show one rule by rule.
    """


@rules_group.command("list")
def rules_list() -> None:
    """内置的规则包。 / The packaged rule packs."""
    for name in available():
        try:
            pack = load_pack(name)
        except PackError as exc:
            click.echo(f"{name}\t(有误 / broken: {exc})")
            continue
        base = f"(在 {pack.extends} 之上)" if pack.extends else ""
        click.echo(f"{pack.id}\tv{pack.version}\t{len(pack.rules)}条规则\t{pack.name}{base}")


@rules_group.command("show")
@click.argument("pack_name")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True,
              help="table:中文说明;json:规则包全文;markdown:README 的规则表 / "
                   "table: the rules explained in Chinese; json: the whole pack; markdown: the README's table")
def rules_show(pack_name: str, fmt: str) -> None:
    """逐条说明规则包 PACK 的规则 / every rule of a pack.

    每条规则:编号、名称、检查什么、依据、不合规与合规的例子、严重程度和参数。

    Each rule: id, name, what is checked, the source clause, a failing and a passing example, severity
    and parameters.
    """
    try:
        pack = load_pack(pack_name)
    except PackError as exc:
        click.echo(f"规则包有误 / rule pack error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "json":
        click.echo(pack.model_dump_json(indent=2))
        return
    if fmt == "markdown":
        click.echo(rules_markdown(pack))
        return
    click.echo(rule_docs.explain(pack))


def rules_markdown(pack: Pack) -> str:
    """The README's rule table (`orgmodel.rule_docs`), which tests/test_readme.py keeps current."""
    return rule_docs.rules_markdown(pack)


def run() -> None:
    """The `orgmodel` program (the console script, `python -m orgmodel.cli`)."""
    main(obj=END_AT_ONCE)


if __name__ == "__main__":
    run()
