"""`orgmodel rules show` explains each rule in Chinese from the pack's own fields (issue 11):
what is checked, why (the citation), a failing and a passing example."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from orgmodel.cli import main
from orgmodel.rule_docs import rule_text
from orgmodel.rules.kinds import BodySizeParams, FundingParams, HouseholdsRatioParams, RoleHoldersParams
from orgmodel.rules.pack import load_pack


@pytest.mark.parametrize("name", ["nantong", "cn-law"])
def test_every_packaged_rule_is_explained_in_chinese(name: str) -> None:
    for rule in load_pack(name).rules:
        assert rule.zh is not None, rule.id
        for text in (rule.zh.checks, rule.zh.fails, rule.zh.passes):
            assert sum("\u4e00" <= ch <= "\u9fff" for ch in text) >= 5, (rule.id, text)


@pytest.mark.parametrize("name", ["nantong", "cn-law"])
def test_the_chinese_says_the_packs_numbers(name: str) -> None:
    """An override of the numbers must override the explanation too (cn-law's S3: 村委会3-7人)."""
    pack = load_pack(name)
    for rule in pack.rules:
        params, checks = pack.params(rule), rule.zh.checks  # type: ignore[union-attr]
        if isinstance(params, BodySizeParams):
            assert all(f"{s.min}-{s.max}" in checks for s in params.sizes.values()), (rule.id, checks)
        elif isinstance(params, HouseholdsRatioParams):
            assert f"{params.households_per_worker}" in checks, rule.id
        elif isinstance(params, RoleHoldersParams) and params.min > 0:
            assert f"{params.min}名" in checks, (rule.id, checks)
        elif isinstance(params, FundingParams):
            assert f"{params.yuan_per_resident:g}元" in checks, rule.id


def test_rules_show_in_chinese() -> None:
    result = CliRunner().invoke(main, ["rules", "show", "nantong"])
    assert result.exit_code == 0
    g3 = load_pack("nantong").rule("G3")
    block = next(b for b in result.output.split("\n\n") if b.startswith("G3  "))
    assert block.splitlines()[1:5] == [f"    检查什么:{g3.zh.checks}", f"    依据:{g3.citation}",  # type: ignore[union-attr]
                                       f"    不合规的例子:{g3.zh.fails}", f"    合规的例子:{g3.zh.passes}"]  # type: ignore[union-attr]
    assert "    严重程度:错误;适用:全部社区" in block
    assert "Fails:" not in result.output and "severity:" not in result.output


def test_a_pack_of_ones_own_without_chinese_fields_shows_its_description(tmp_path: Path) -> None:
    pack = tmp_path / "city.yaml"
    pack.write_text(yaml.safe_dump({"id": "city", "name": "某市", "version": "1", "extends": "nantong", "rules": [
        {"id": "Z1", "name": "own.rule", "title": "自定规则", "kind": "role_holders", "severity": "warning",
         "parameters": {"posts": ["governance_office.mediator"], "min": 3}, "citation": "某市文件",
         "description": "three mediators"}]}, allow_unicode=True), encoding="utf-8")
    text = rule_text(load_pack(str(pack)).rule("Z1"))
    assert "    依据:某市文件" in text and "    说明:three mediators" in text and "严重程度:警告" in text
