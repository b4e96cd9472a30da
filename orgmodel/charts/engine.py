"""Running graphviz: DOT source in, svg / png / pdf bytes out, never a hang, never a silent box.

`dot` is an outside program, so everything that can go wrong with it is turned into a
`ChartError` that says what to do: `MissingProgram` (install graphviz or the CJK font; the
CLI's exit code 3), `RenderFailed` (dot crashed or ran past its timeout), `ChartTooLarge`
(refused before dot is even started). DOT output needs none of this and always works.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from orgmodel.charts.style import FONT, FONT_PACKAGE

FORMATS = ("svg", "png", "pdf", "dot")
DEFAULT_TIMEOUT = 60.0
PNG_DPI = 144  # a notice-board print: 2× a screen's 72 points per inch
# A PNG larger than this (inches, at PNG_DPI) is scaled down: a county's overview would
# otherwise need a gigabyte of pixels and minutes; 40 in is 5,760 px.
PNG_MAX_INCHES = 40

INSTALL = f"apt-get install graphviz {FONT_PACKAGE}  (或 make system / or `make system`)"


class ChartError(Exception):
    """A chart that cannot be made; the message says why and what to do, in Chinese and English."""


class MissingProgram(ChartError):
    """`dot` or the CJK font is not installed."""


class RenderFailed(ChartError):
    """`dot` exited with an error or ran out of time."""


class ChartTooLarge(ChartError):
    """More nodes than a chart may hold: refused at once rather than left to run for minutes."""


class NotInRoster(ChartError):
    """The community or region asked for is not in the roster."""


@functools.cache
def dot_program() -> str:
    found = shutil.which("dot")
    if found is None:
        raise MissingProgram(f"未找到 graphviz 的 dot 程序,无法生成图片;请安装:{INSTALL}\n"
                             f"graphviz's `dot` is not installed; install it: {INSTALL}. "
                             "(--format dot works without it.)")
    return found


@functools.cache
def font_file() -> str:
    """Where fontconfig finds the chart font; a fallback (DejaVu…) would draw every 汉字 as a box."""
    fc_match = shutil.which("fc-match")
    found = ""
    if fc_match is not None:
        probe = subprocess.run([fc_match, "-f", "%{family}\t%{file}", FONT], capture_output=True, text=True, timeout=10)
        family, _, path = probe.stdout.partition("\t")
        found = path if FONT in family.split(",") else ""
    if not found:
        raise MissingProgram(f"未找到中文字体 {FONT},图中汉字会显示为方框;请安装:apt-get install {FONT_PACKAGE}\n"
                             f"the CJK font {FONT!r} is not installed, Chinese would render as boxes; "
                             f"install it: apt-get install {FONT_PACKAGE}. (--format dot works without it.)")
    return found


def require_graphviz() -> None:
    """Raise `MissingProgram` unless `dot` and the CJK font are both installed."""
    dot_program()
    font_file()


def dot_environment() -> dict[str, str]:
    """`dot`'s environment with file loading disabled: graphviz refuses every image file when
    SERVER_NAME is set and GV_FILE_PATH is not (a second wall behind `escape.html_text`)."""
    env = {k: v for k, v in os.environ.items() if k != "GV_FILE_PATH"}
    env["SERVER_NAME"] = "orgmodel"
    return env


def dot_command(fmt: str, *, output_pattern: bool = False, page: str | None = None) -> list[str]:
    """The `dot` command line for a format. `-n2` keeps the positions of a graph that says
    `layout=neato` and carries `pos` (the overview); the `dot` engine ignores it."""
    command = [dot_program(), "-n2", f"-T{fmt}"]
    if fmt == "png":
        command += [f"-Gdpi={PNG_DPI}", f"-Gsize={PNG_MAX_INCHES},{PNG_MAX_INCHES}"]
    if page is not None:  # scale down (never up) to fit a printed page, "width,height" in inches
        command.append(f"-Gsize={page}")
    if output_pattern:  # one file per graph of the input: NAME.pdf, NAME.2.pdf, …
        command.append("-O")
    return command


def _failure(what: str, stderr: bytes) -> RenderFailed:
    detail = stderr.decode("utf-8", "replace").strip()[-2000:]
    return RenderFailed(f"graphviz 生成图片失败 / {what}" + (f":\n{detail}" if detail else ""))


def run_dot(command: list[str], source: bytes, timeout: float, cwd: Path | None = None) -> bytes:
    """Run a `dot` command on `source`; its stdout, or a `RenderFailed` (also on timeout)."""
    try:
        done = subprocess.run(command, input=source, capture_output=True, timeout=timeout, env=dot_environment(), cwd=cwd)
    except subprocess.TimeoutExpired as exc:
        raise RenderFailed(f"graphviz 超过 {timeout:g} 秒仍未完成,已停止;请缩小范围(如按街道绘制)\n"
                           f"graphviz ran past its {timeout:g} s timeout and was stopped; draw a smaller region") from exc
    if done.returncode != 0:
        raise _failure(f"dot exited with code {done.returncode}", done.stderr)
    return done.stdout


def render(source: str, fmt: str, *, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """A chart's DOT source (from `community_chart` or `region_overview`) as bytes of `fmt`:
    svg, png, pdf, or dot (the source itself, which needs neither graphviz nor the font)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown chart format {fmt!r}; known: {', '.join(FORMATS)}")
    data = source.encode("utf-8")
    if fmt == "dot":
        return data
    require_graphviz()
    return run_dot(dot_command(fmt), data, timeout)
