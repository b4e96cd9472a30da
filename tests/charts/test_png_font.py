"""Chinese renders as Chinese: the font the code names is the one fontconfig finds, and the one
`dot` itself resolves for every piece of text when it draws a PNG."""

from __future__ import annotations

import re
import struct
import subprocess
from pathlib import Path

from orgmodel.charts import community_chart, region_overview, render
from orgmodel.charts.engine import dot_command, dot_environment, font_file
from orgmodel.charts.style import FONT

from ._charts import DISTRICT, HONGQIAO, checked, hongqiao

RESOLVED = re.compile(r'fontname: "([^"]*)" resolved to: .*?"([^",]*)')


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_fontconfig_finds_the_named_cjk_font() -> None:
    path = Path(font_file())
    assert path.exists() and "NotoSansCJK" in path.name


def test_dot_resolves_every_font_of_the_chart_to_the_cjk_font() -> None:
    source = community_chart(hongqiao(), HONGQIAO)
    done = subprocess.run([*dot_command("png"), "-v"], input=source.encode(), capture_output=True, env=dot_environment(),
                          check=True)
    resolved = RESOLVED.findall(done.stderr.decode("utf-8", "replace"))
    assert resolved, done.stderr.decode()[-2000:]
    assert {asked for asked, _ in resolved} == {FONT}
    assert {found for _, found in resolved} == {FONT}
    width, height = png_size(done.stdout)
    assert 800 < width < 3000 and 1000 < height < 4000


def test_a_large_overview_png_is_scaled_to_a_bounded_size() -> None:
    width, height = png_size(render(region_overview(checked(DISTRICT), "320602"), "png"))
    assert max(width, height) <= 40 * 144
