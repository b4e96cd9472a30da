"""The `orgmodel` command: a thin shell over the library (formats.md §5)."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path
from typing import IO

import click
import polars as pl
from rich.console import Console

from orgmodel import normalize, readers
from orgmodel.check import check
from orgmodel.errors import PackError, RosterInputError
from orgmodel.report import ReportParts, build_report
from orgmodel.rules.kinds import KINDS
from orgmodel.rules.pack import Pack, available, load_pack
from orgmodel.text_report import print_input_errors, print_report

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_BAD_INPUT = 2
EXIT_MISSING_PROGRAM = 3


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
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="write the report here")
@click.option("--skip-invalid", is_flag=True, help="check the valid communities; list the skipped ones")
def check_command(roster: Path, pack_name: str, as_of: str | None, fmt: str, output: Path | None,
                  skip_invalid: bool) -> None:
    """Check every community of ROSTER (JSON, YAML, a folder or .zip of CSV tables)."""
    out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 120)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    progress = StageProgress()
    try:
        pack = load_pack(pack_name)
        day = _as_of(as_of)
        progress.stage(f"读取 {roster.name}")
        progress.stage("校验花名册")
        data, skipped = normalize.load(readers.read_roster(roster), skip_invalid=skip_invalid)
    except PackError as exc:
        progress.close()
        err.print(f"规则包有误 / rule pack error: {exc}", markup=False)
        sys.exit(EXIT_BAD_INPUT)
    except RosterInputError as exc:
        progress.close()
        if fmt == "json":
            payload = {"input_errors": [e.model_dump(mode="json") for e in exc.errors]}
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            print_input_errors(exc.errors, err)
        sys.exit(EXIT_BAD_INPUT)
    result = check(data, pack, day, skipped=skipped, progress=progress.rules)
    progress.stage("生成报告")
    parts = build_report(result)
    if fmt == "json":
        if output:
            with output.open("wb") as f:
                parts.write(f)
        else:
            parts.write(sys.stdout.buffer)
    else:
        names = dict(data.communities.select("id", pl.col("name").fill_null("")).iter_rows())
        progress.close()
        if output:
            with output.open("w", encoding="utf-8") as f:
                print_report(parts, Console(file=f, width=120, highlight=False, soft_wrap=True), names)
        else:
            print_report(parts, out, names)
    progress.close()
    sys.exit(exit_code(parts))


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
