"""Rule packs: a wrong pack is a PackError naming the rule and the key; cn-law extends nantong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from orgmodel.errors import PackError
from orgmodel.rules.pack import load_pack
from orgmodel.rules.testing import F, apply, assert_findings, baseline, dismiss, run

NANTONG_IDS = ["S1", "S2", "S3", "S4", "S5", "G1", "G2", "G3", "G4", "G5", "G6", "Q1", "Q2", "Q3",
               "X1", "X2", "R1", "F1", "P1", "T1", "T2", "T3", "T4", "C1", "A1", "A2", "A3", "FC1", "P2", "T5",
               "LG1", "LG2", "LG3", "LG4"]


def rule(rule_id: str = "Z9", kind: str = "role_holders", **parameters: Any) -> dict[str, Any]:
    parameters = parameters or {"posts": ["governance_office.mediator"], "min": 2}
    return {"id": rule_id, "name": "test.rule", "title": "测试规则", "kind": kind, "severity": "error",
            "parameters": parameters, "citation": "测试"}


def write(tmp_path: Path, name: str = "test", **pack: Any) -> Path:
    content = {"id": name, "name": "测试", "version": "1", **pack}
    content.setdefault("rules", [])
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return path


BAD_PACKS = [
    pytest.param({"rules": [rule(kind="no_such_kind")]}, ["Z9", "kind", "no_such_kind"], id="unknown kind"),
    pytest.param({"rules": [rule(posts=["governance_office.mediator"], min="two")]}, ["Z9", "parameters.min"],
                 id="min is not a number"),
    pytest.param({"rules": [rule(posts=["governance_office.mediator"], min=-1)]}, ["Z9", "parameters.min"],
                 id="negative min"),
    pytest.param({"rules": [rule(kind="unit_exists", units=["party_org", "no_such_unit"])]},
                 ["Z9", "parameters.units", "no_such_unit"], id="unknown unit code"),
    pytest.param({"rules": [rule(posts=["service_station.mediator"], min=1)]}, ["Z9", "parameters.posts", "mediator"],
                 id="role not in its unit"),
    pytest.param({"rules": [rule(posts=["governance_office.no_such_role"], min=1)]}, ["Z9", "parameters.posts"],
                 id="unknown role code"),
    pytest.param({"rules": [rule(posts=["governance_office.mediator"], min=1, mini=2)]}, ["Z9", "parameters.mini"],
                 id="unknown parameter"),
    pytest.param({"rules": [rule(kind="body_size", unit="party_org", counted_roles=["member"],
                                 sizes={"urban": {"min": "five"}})]}, ["Z9", "parameters.sizes"], id="bad nested size"),
    pytest.param({"rules": [{**rule(), "severity": "fatal"}]}, ["severity"], id="unknown severity"),
    pytest.param({"rules": [rule(), rule()]}, ["Z9"], id="rule id repeated"),
    pytest.param({"extends": "nantong", "overrides": {"Z9": {"title": "x"}}}, ["overrides", "Z9"],
                 id="overrides an unknown rule id"),
    pytest.param({"extends": "nantong", "overrides": {"G3": {"parameters": {"min": "two"}}}}, ["G3", "parameters.min"],
                 id="override with a bad parameter"),
    pytest.param({"extends": "nantong", "overrides": {"S3": {"parameters": {"sizes": {"town": {"min": 3, "max": 7}}}}}},
                 ["S3", "parameters.sizes"], id="override with an unknown community kind"),
    pytest.param({"extends": "nantong", "disable": ["Z9"]}, ["disable", "Z9"], id="disables an unknown rule id"),
    pytest.param({"extends": "nantong", "rules": [rule("G3")]}, ["G3", "overrides"], id="adds a rule id of the base"),
    pytest.param({"extends": "no-such-pack"}, ["no-such-pack"], id="extends an unknown pack"),
]


@pytest.mark.parametrize(("pack", "named"), BAD_PACKS)
def test_a_bad_pack_is_a_pack_error_naming_the_rule_and_key(tmp_path: Path, pack: dict[str, Any], named: list[str]) -> None:
    with pytest.raises(PackError) as raised:
        load_pack(str(write(tmp_path, **pack)))
    for text in named:
        assert text in str(raised.value)


def test_a_pack_that_extends_itself(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    write(tmp_path, "loop", extends=str(path))
    with pytest.raises(PackError, match="extends"):
        load_pack(str(path))


def test_two_packs_that_extend_each_other(tmp_path: Path) -> None:
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    write(tmp_path, "first", extends=str(second))
    write(tmp_path, "second", extends=str(first))
    with pytest.raises(PackError, match="extends"):
        load_pack(str(first))


def test_nantong_has_the_catalogue_ids_in_order() -> None:
    assert [r.id for r in load_pack("nantong").rules] == NANTONG_IDS


def test_every_nantong_rule_cites_the_seed() -> None:
    assert all(r.citation and r.title for r in load_pack("nantong").rules)


def test_cn_law_keeps_nantong_in_order_overrides_s3_and_adds_l1() -> None:
    nantong, law = load_pack("nantong"), load_pack("cn-law")
    assert [r.id for r in law.rules] == [*NANTONG_IDS, "L1"]
    assert law.rule("S3").parameters["sizes"] == {"urban": {"min": 5, "max": 9}, "rural": {"min": 3, "max": 7}}
    assert law.rule("S3").parameters["unit"] == "residents_committee"
    assert law.rule("L1").kind == "holder_attribute" and law.rule("L1").applies_to == ["rural"]
    for rule_id in NANTONG_IDS:
        if rule_id != "S3":
            assert law.rule(rule_id) == nantong.rule(rule_id), rule_id


def test_a_pack_changes_numbers_without_code(tmp_path: Path) -> None:
    path = write(tmp_path, "three-mediators", extends="nantong",
                 overrides={"G3": {"parameters": {"min": 3}}}, disable=["A2"])
    report = run(apply([dismiss("P28")]), str(path))
    assert report.ruleset.id == "three-mediators"
    assert_findings(report, [F("G3", "error", "governance_office", "mediator", actual=2, min=3, shortfall=1)])


def test_a_pack_adds_a_rule(tmp_path: Path) -> None:
    path = write(tmp_path, "extra", extends="nantong", rules=[rule("Z9", posts=["governance_office.mediator"], min=3)])
    assert_findings(run(baseline(), str(path)),
                    [F("Z9", "error", "governance_office", "mediator", actual=2, min=3, shortfall=1)])
