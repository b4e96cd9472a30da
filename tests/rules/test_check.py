"""The baseline, the report's status of a community, and a rule that crashes."""

from __future__ import annotations

import pytest

from orgmodel.rules import kinds
from orgmodel.rules.testing import (
    BASE,
    COUNTY,
    FOURTH,
    SECOND,
    THIRD,
    F,
    add_community,
    add_task,
    apply,
    appoint,
    assert_findings,
    baseline,
    change_community,
    change_person,
    change_region,
    dismiss,
    dismiss_unit,
    run,
    rural,
)


@pytest.mark.parametrize("pack", ["nantong", "cn-law"])
def test_baseline_has_no_findings(pack: str) -> None:
    report = run(baseline(), pack)
    assert report.findings == []
    assert (report.summary.communities, report.summary.compliant) == (1, 1)


def test_two_baseline_communities_have_no_findings() -> None:
    assert run(apply([add_community(SECOND, "Q")])).findings == []


def test_blank_households_make_the_community_incomplete() -> None:
    summary = run(apply([change_community(households=None)])).summary
    assert (summary.compliant, summary.incomplete, summary.with_errors) == (0, 1, 0)
    assert summary.shortfall_by_role == {}


MISSING_DATA = [
    pytest.param([change_person("P26", education=None)], "nantong", id="Q1 blank education"),
    pytest.param([change_person("P21", police_officer=None)], "nantong", id="Q2 blank police_officer"),
    pytest.param([change_community(population=None)], "nantong", id="F1 blank population"),
    pytest.param([change_region(COUNTY, min_wage_monthly_yuan=None)], "nantong", id="P1 no minimum wage"),
    pytest.param([add_task("assist", approved=None)], "nantong", id="T3 blank approved"),
    pytest.param([rural(), *(change_person(p, gender=None) for p in ("P01", "P06", "P07", "P08", "P09"))], "cn-law",
                 id="L1 blank genders"),
]


@pytest.mark.parametrize(("edits", "pack"), MISSING_DATA)
def test_missing_data_makes_the_community_incomplete(edits: list, pack: str) -> None:
    summary = run(apply(edits), pack).summary
    assert (summary.compliant, summary.incomplete, summary.with_errors) == (0, 1, 0)


RECOMMENDATIONS = [
    pytest.param([appoint("N01", "governance_office", "mediator", full_time=False)], id="G3 extra part-time mediator"),
    pytest.param([appoint("N01", "业委会", "主任", full_time=False)], id="X2 no cross-appointment"),
    pytest.param([dismiss("P28")], id="A2 no 大学生村官"),
    pytest.param([appoint(f"N{n:02d}", "party_org", "member") for n in range(5)], id="S2 above max"),
]


@pytest.mark.parametrize("edits", RECOMMENDATIONS)
def test_warnings_without_missing_data_leave_the_community_compliant(edits: list) -> None:
    report = run(apply(edits))
    assert {f.severity for f in report.findings} == {"warning"}
    assert report.summary.compliant == 1


def test_findings_are_sorted_by_community_then_pack_order_region_level_last() -> None:
    edits = [add_community(SECOND, "Q"), add_community(THIRD, "R"), add_community(FOURTH, "S"),
             *(change_community(c, pilot=True) for c in (BASE, SECOND, THIRD, FOURTH)),
             dismiss_unit("governance_office", community=SECOND), dismiss("P28"), dismiss("P05")]
    order = [(f.community_id, f.rule_id) for f in run(apply(edits)).findings]
    assert order == [(BASE, "S2"), (BASE, "A2"), (SECOND, "S1"), *((SECOND, f"G{n}") for n in range(1, 7)), (None, "C1")]


def test_errors_book_the_hiring_plan_and_warnings_do_not() -> None:
    # S2 short by one member, G3 short by one mediator, A2 (a warning) short by one 大学生村官
    report = run(apply([dismiss("P05"), dismiss("P22"), dismiss("P28")]))
    assert report.summary.shortfall_by_role == {"governance_office.mediator": 1, "party_org.member": 1}
    assert (report.summary.compliant, report.summary.with_errors) == (0, 1)


def test_a_rule_that_crashes_becomes_an_error_finding_and_the_run_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise RuntimeError("boom")

    original = kinds.KINDS["funding_per_resident"]
    monkeypatch.setitem(kinds.KINDS, "funding_per_resident",
                        kinds.RuleKind(original.name, original.params, explode, original.doc))
    report = run(apply([dismiss("P20")]))
    crashed = [f for f in report.findings if f.rule_id == "F1"]
    assert len(crashed) == 1
    assert crashed[0].severity == "error"
    assert "F1" in crashed[0].message
    assert "boom" in (crashed[0].detail or "")
    others = [f for f in report.findings if f.rule_id != "F1"]
    assert_findings(report.model_copy(update={"findings": others}), [
        F("G1", "error", "governance_office", "governance_specialist", actual=0, min=1, shortfall=1)])
    assert BASE in {f.community_id for f in report.findings}
