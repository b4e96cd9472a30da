"""Every command `orgmodel --help` lists, the service's from their entry points included, helps in
Chinese first, then English (tests/excel/test_terminal.py walks the library's own)."""

from __future__ import annotations

import re

import click
from click.testing import CliRunner

from orgmodel.cli import main

CJK = re.compile(r"[\u4e00-\u9fff]")


def _bilingual(text: str) -> bool:
    chinese, _, english = text.partition(" / ")
    return bool(CJK.search(chinese)) and bool(re.search(r"[A-Za-z]{3,}", english))


def _listed(group: click.Group, ctx: click.Context, prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found: list[tuple[tuple[str, ...], click.Command]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        found.append(((*prefix, name), command))
        if isinstance(command, click.Group):
            found += _listed(command, click.Context(command, parent=ctx), (*prefix, name))
    return found


def test_every_listed_command_and_option_helps_in_chinese_then_english() -> None:
    listed = _listed(main, click.Context(main))
    names = {path for path, _ in listed}
    assert {("serve",), ("regions", "add"), ("keys", "create"), ("keys", "list"), ("check",)} <= names
    for path, command in listed:
        assert _bilingual((command.help or "").split("\n\n", 1)[0]), path
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help and _bilingual(param.help), (path, param.name)


def test_the_service_commands_help_pages_are_bilingual() -> None:
    for args in (["serve"], ["regions", "add"], ["keys", "create"]):
        shown = CliRunner().invoke(main, [*args, "--help"], prog_name="orgmodel")
        assert shown.exit_code == 0, shown.output
        assert shown.output.startswith("用法 / Usage: orgmodel " + " ".join(args))
        assert "选项 / Options:" in shown.output and "显示本帮助并退出 / show this message and exit" in shown.output
