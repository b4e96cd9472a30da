"""The README's claims that code can check: its rule table is the pack's, its commands exist."""

from __future__ import annotations

from pathlib import Path

from orgmodel.cli import rules_markdown
from orgmodel.rules.pack import load_pack

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_rule_table_is_the_nantong_pack() -> None:
    """Regenerate with `orgmodel rules show nantong --format markdown` when the pack changes."""
    assert rules_markdown(load_pack("nantong")) in README


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.split("```sh", 1)[1].split("```", 1)[0]
    assert "make demo" in first_block and "make test" in first_block
