"""The `orgmodel` command: a thin shell over the library (formats.md §5)."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click
import polars as pl

from orgmodel import normalize, readers
from orgmodel.check import CheckResult, check
from orgmodel.errors import InputError, PackError, RosterInputError
from orgmodel.raw import RawTable
from orgmodel.report import ReportParts, build_report
from orgmodel.roster import Roster
from orgmodel.rules.kinds import KINDS
from orgmodel.rules.pack import Pack, available, load_pack

if TYPE_CHECKING:
    from rich.console import Console
    from sqlalchemy.orm import Session

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_PROGRAM = 3

# Writers for people's formats, imported only when asked for (the JSON path starts faster).
REPORT_WRITERS = {"csv": ("orgmodel.csv_report", "write_csv_report"), "xlsx": ("orgmodel.xlsx_report", "write_xlsx_report"),
                  "html": ("orgmodel.html_report", "write_html_report")}


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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """orgmodel: 社区“一委一居一站一办”配备检查 / community staffing checks."""


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    date = normalize.parse_date(value)
    if date is None:
        raise click.BadParameter(f"{value!r} is not a date such as 2026-01-01", param_hint="--as-of")
    return date


@main.command("check")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--rules", "pack_name", default="nantong", show_default=True, help="a packaged pack or a .yaml file")
@click.option("--as-of", "as_of", help="check as of this date (default: today in China)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "xlsx", "html"]), default="table",
              show_default=True, help="csv: the findings; xlsx: 汇总/招聘需求/问题清单/社区明细; html: one page")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the report here")
@click.option("--skip-invalid", is_flag=True, help="check the valid communities; list the skipped ones")
@click.option("--waivers", "waivers_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="a YAML file of waivers (豁免), besides any 豁免 sheet of the roster")
def check_command(roster: Path, pack_name: str, as_of: str | None, fmt: str, output: Path | None,
                  skip_invalid: bool, waivers_file: Path | None) -> None:
    """Check every community of ROSTER (.xlsx/.xls/.ods, JSON, YAML, a folder or .zip of CSV tables)."""
    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    progress = StageProgress()
    try:
        pack = load_pack(pack_name)
        day = _as_of(as_of)
        progress.stage(f"读取 {roster.name}")
        progress.stage("校验花名册")
        raw = readers.read_roster(roster)
        waiver_tables = [t for t in (raw.tables.get("waivers"),) if t is not None]
        data, skipped = normalize.load(raw, skip_invalid=skip_invalid)
        del raw  # a province's raw cells need not stay in memory while it is checked
        apply_waivers = _waivers(waiver_tables, waivers_file, pack, data, skipped)
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
    result = check(data, pack, day, skipped=skipped, progress=progress.rules)
    if apply_waivers is not None:
        result = apply_waivers(result)
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
        from orgmodel.text_report import print_report

        names = dict(data.communities.select("id", pl.col("name").fill_null("")).iter_rows())
        progress.close()
        if output:
            with output.open("w", encoding="utf-8") as f:
                print_report(parts, _console(file=f, width=120), names)
        else:
            print_report(parts, _console(width=None if sys.stdout.isatty() else 120), names)
    progress.close()
    sys.exit(exit_code(parts))


def _waivers(tables: list[RawTable], file: Path | None, pack: Pack, data: Roster,
             skipped: dict[str, list[InputError]]) -> Callable[[CheckResult], CheckResult] | None:
    """Validate the roster's 豁免 sheet and the --waivers file; None when there are none."""
    if not tables and file is None:
        return None
    from orgmodel import waivers

    if file is not None:
        tables = [*tables, waivers.read_waivers_file(file)]
    validated = waivers.validate(tables, pack, data, skipped)
    return lambda result: waivers.apply_waivers(result, validated)


def _console(stderr: bool = False, file: IO[str] | None = None, width: int | None = None) -> Console:
    """A rich console for people; rich loads only when something is printed for people."""
    from rich.console import Console

    return Console(stderr=stderr, file=file, width=width, highlight=False, soft_wrap=True)


def _print_input_errors(errors: list[InputError]) -> None:
    from orgmodel.text_report import print_input_errors

    print_input_errors(errors, _console(stderr=True))


def exit_code(parts: ReportParts) -> int:
    """0 every community compliant; 1 findings (or a region-level error); 2 communities skipped."""
    summary: dict = parts.head["summary"]  # type: ignore[assignment]
    if parts.head["skipped"]:
        return EXIT_BAD_INPUT
    region_errors = parts.findings.filter(
        pl.col("community_id").is_null() & (pl.col("severity") == "error") & pl.col("waiver").is_null())
    if summary["compliant"] < summary["communities"] or not region_errors.is_empty():
        return EXIT_FINDINGS
    return EXIT_OK


@main.command("render")
@click.argument("roster", type=click.Path(exists=True, path_type=Path))
@click.option("--community", "community_id", help="draw this community's org chart")
@click.option("--region", "region_id", help="draw this region's overview (with --book: the whole book)")
@click.option("--book", is_flag=True, help="with --region: one PDF, the overview then a page per community")
@click.option("--format", "fmt", type=click.Choice(["svg", "png", "pdf", "dot"]),
              help="default: the suffix of -o when it is one of these, else svg")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="write the chart here")
@click.option("--rules", "pack_name", default="nantong", show_default=True, help="a packaged pack or a .yaml file")
@click.option("--as-of", "as_of", help="as of this date (default: today in China)")
def render_command(roster: Path, community_id: str | None, region_id: str | None, book: bool, fmt: str | None,
                   output: Path, pack_name: str, as_of: str | None) -> None:
    """Draw an org chart of ROSTER: a community's (--community) or a region's overview (--region)."""
    from orgmodel import charts

    if (community_id is None) == (region_id is None):
        raise click.UsageError("give either --community ID or --region ID")
    suffix = output.suffix.lower().lstrip(".")
    fmt = fmt or (suffix if suffix in charts.FORMATS else ("pdf" if book else "svg"))
    if book and (region_id is None or fmt != "pdf"):
        raise click.UsageError("--book needs --region and makes a PDF (--format pdf)")
    try:
        if fmt != "dot":
            charts.require_graphviz()
        pack = load_pack(pack_name)
        data, _ = normalize.load(readers.read_roster(roster))
        result = check(data, pack, _as_of(as_of))
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
@click.option("--rules", "pack_name", default="nantong", show_default=True, help="a packaged pack or a .yaml file")
@click.option("--as-of", "as_of", help="check both rosters as of this date (default: today in China)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "xlsx"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the diff here")
def diff_command(old: Path, new: Path, pack_name: str, as_of: str | None, fmt: str, output: Path | None) -> None:
    """What changed from OLD to NEW (any two roster formats): people, posts, compliance, findings."""
    from orgmodel import diff

    if fmt == "xlsx" and output is None:
        raise click.UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    try:
        pack = load_pack(pack_name)
        day = _as_of(as_of)
        results = [check(normalize.load(readers.read_roster(path))[0], pack, day) for path in (old, new)]
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
              help="popolo: Popolo / W3C ORG JSON (areas, organizations, posts, persons, memberships)")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the export here")
def export_command(roster: Path, fmt: str, output: Path | None) -> None:
    """Export ROSTER (any roster format) for other tools.

    People keyed by a resident ID number get pseudonyms as ids: set ORGMODEL_ID_SECRET (the
    service's setting) for pseudonyms that stay the same across exports; without it they are
    numbered in roster order.
    """
    from orgmodel import popolo

    try:
        data, _ = normalize.load(readers.read_roster(roster))
    except RosterInputError as exc:
        _print_input_errors(exc.errors)
        sys.exit(EXIT_BAD_INPUT)
    _write_bytes(popolo.to_json(data, os.environ.get("ORGMODEL_ID_SECRET") or None), output)


@main.command("template")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="the workbook to write, e.g. roster.xlsx")
def template_command(output: Path) -> None:
    """Write an empty roster workbook: every sheet with its headers, drop-downs and a 填表说明 sheet."""
    from orgmodel.template import write_template

    write_template(output)


DATABASE_OPTION = click.option("--database", "database_url", envvar="ORGMODEL_DATABASE_URL",
                               help="the registry's database URL (default: a SQLite file in this folder; "
                                    "or ORGMODEL_DATABASE_URL), e.g. postgresql://user@host/orgmodel")


@main.command("serve")
@click.option("--host", help="the address to listen on (default 127.0.0.1, or ORGMODEL_HOST)")
@click.option("--port", type=int, help="the port (default 8000, or ORGMODEL_PORT)")
@click.option("--workers", type=int, help="worker processes (default 1, or ORGMODEL_WORKERS); "
                                          "more than one needs PostgreSQL or shares the SQLite file")
@DATABASE_OPTION
def serve_command(host: str | None, port: int | None, workers: int | None, database_url: str | None) -> None:
    """Run the HTTP service (the API) on 127.0.0.1:8000 unless told otherwise."""
    import os

    import uvicorn

    from api.registry import db
    from api.settings import Settings  # the service is a shell over orgmodel, never the reverse

    given: dict[str, object] = {"host": host, "port": port, "database_url": database_url, "workers": workers}
    settings = Settings.model_validate({k: v for k, v in given.items() if v is not None})
    db.upgrade(db.make_engine(settings.database_url))  # once, before the workers start
    os.environ["ORGMODEL_DATABASE_URL"] = settings.database_url  # the workers build their app from the environment
    click.echo(f"orgmodel serve: http://{settings.host}:{settings.port}/docs  "
               f"(database {db.shown_url(settings.database_url)}, {settings.workers} worker(s))", err=True)
    uvicorn.run("api.main:app_from_environment", factory=True, host=settings.host, port=settings.port,
                workers=settings.workers, log_level="warning", access_log=False)


@main.group("regions")
def regions_group() -> None:
    """The registry's regions (the tree that API keys are scoped to)."""


@regions_group.command("add")
@click.argument("region_id")
@click.option("--parent", help="the region above it (none: a root)")
@click.option("--name", help="e.g. 崇川区")
@click.option("--level", help="province, city, county or street (省/市/区县/街道)")
@DATABASE_OPTION
def regions_add(region_id: str, parent: str | None, name: str | None, level: str | None, database_url: str | None) -> None:
    """Add REGION_ID to the registry."""
    from api.registry import repository

    with _registry(database_url) as session:
        try:
            view = repository.create_region(session, region_id, "cli", parent_id=parent, name=name, level=level)
        except repository.RegistryError as exc:
            click.echo(f"区域未添加 / region not added: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(f"{view.id}\t{view.name or ''}\t{view.level or ''}\tparent={view.parent or '-'}")


@main.group("keys")
def keys_group() -> None:
    """API keys: each sees and changes only its region's subtree."""


@keys_group.command("create")
@click.option("--region", "region_id", required=True, help="the key's region (it must exist: `orgmodel regions add`)")
@click.option("--role", type=click.Choice(["viewer", "editor", "admin"]), required=True,
              help="viewer reads, editor also writes, admin also manages keys and reads the audit log")
@click.option("--note", help="what the key is for, shown in listings")
@DATABASE_OPTION
def keys_create(region_id: str, role: str, note: str | None, database_url: str | None) -> None:
    """Make a key and print it once (only its SHA-256 is stored)."""
    from api.registry import repository

    with _registry(database_url) as session:
        try:
            plaintext, info = repository.create_key(session, region_id, role, "cli", note)  # type: ignore[arg-type]
        except repository.RegistryError as exc:
            click.echo(f"未生成密钥 / no key made: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    click.echo(plaintext)
    click.echo(f"key {info.id} ({info.prefix}…): {info.role} of region {info.region}; "
               "keep it now, it is not shown again", err=True)


@keys_group.command("list")
@click.option("--region", "region_id", required=True, help="list the keys of this region's subtree")
@DATABASE_OPTION
def keys_list(region_id: str, database_url: str | None) -> None:
    """The live keys of a region's subtree (prefixes only)."""
    from api.registry import repository

    with _registry(database_url) as session:
        for info in repository.list_keys(session, region_id):
            click.echo(f"{info.id}\t{info.prefix}…\t{info.role}\t{info.region}\t{info.created_at:%Y-%m-%d %H:%M}")


def _registry(database_url: str | None) -> Session:
    """A session on the registry (migrated first), for the administration commands."""
    from api.registry import db

    engine = db.make_engine(database_url or db.DEFAULT_URL)
    db.upgrade(engine)
    return db.session_factory(engine)()


@main.group("rules")
def rules_group() -> None:
    """The rule packs: list them, or show one rule by rule."""


@rules_group.command("list")
def rules_list() -> None:
    """The packaged rule packs."""
    for name in available():
        try:
            pack = load_pack(name)
        except PackError as exc:
            click.echo(f"{name}\t(broken: {exc})")
            continue
        base = f" (extends {pack.extends})" if pack.extends else ""
        click.echo(f"{pack.id}\tv{pack.version}\t{len(pack.rules)} rules\t{pack.name}{base}")


@rules_group.command("show")
@click.argument("pack_name")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def rules_show(pack_name: str, fmt: str) -> None:
    """Every rule of PACK: id, name, severity, parameters, citation."""
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
    click.echo(f"{pack.id} v{pack.version}: {pack.name}" + (f" (extends {pack.extends})" if pack.extends else ""))
    for rule in pack.rules:
        severity = rule.severity + (f" (over max: {rule.over_max_severity})" if rule.over_max_severity else "")
        click.echo(f"\n{rule.id}  {rule.title}  [{rule.name}]")
        click.echo(f"    kind: {rule.kind} — {KINDS[rule.kind].doc.splitlines()[0]}")
        click.echo(f"    severity: {severity}" + (f"; applies to: {', '.join(rule.applies_to)}" if rule.applies_to else ""))
        click.echo(f"    parameters: {json.dumps(rule.parameters, ensure_ascii=False)}")
        click.echo(f"    citation: {rule.citation}")
        if rule.description:
            click.echo(f"    {rule.description}")


def rules_markdown(pack: Pack) -> str:
    """The README's rule table, made from the pack itself so that the two cannot drift apart."""
    lines = ["| id | rule | kind | severity | parameters | citation |", "|---|---|---|---|---|---|"]
    for rule in pack.rules:
        severity = rule.severity + (f" (over max: {rule.over_max_severity})" if rule.over_max_severity else "")
        params = json.dumps(rule.parameters, ensure_ascii=False).replace("|", "\\|")
        lines.append(f"| {rule.id} | {rule.title} | `{rule.kind}` | {severity} | `{params}` | {rule.citation} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
