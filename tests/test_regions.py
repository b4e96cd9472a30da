"""The region tree: cycles, chains of ancestors, subtrees and the roll-up of the report's figures."""

from __future__ import annotations

import copy
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from orgmodel import regions
from orgmodel.errors import RosterInputError
from orgmodel.input import normalize, readers
from orgmodel.input.readers.json_yaml import read_document

ROOT = Path(__file__).parent.parent
GOLDEN = ROOT / "tests" / "golden" / "chongchuan-report.json"
HONGQIAO = json.loads((ROOT / "examples" / "hongqiao.json").read_text(encoding="utf-8"))

# province P ─ city C ─ counties K1, K2; K1 ─ streets S1, S2; K2 ─ street S3
PARENTS = {"P": None, "C": "P", "K1": "C", "K2": "C", "S1": "K1", "S2": "K1", "S3": "K2"}


@pytest.fixture
def tree():
    return regions.from_parents(PARENTS)


def test_each_chain_runs_from_the_region_up_to_the_root(tree):
    chains = regions.chains(tree)
    assert chains["S2"] == ["S2", "K1", "C", "P"]
    assert chains["K2"] == ["K2", "C", "P"]
    assert chains["P"] == ["P"]
    assert set(chains) == set(PARENTS)


def test_a_subtree_holds_the_region_and_all_below_it(tree):
    assert regions.subtree(tree, "K1") == {"K1", "S1", "S2"}
    assert regions.subtree(tree, "C") == {"C", "K1", "K2", "S1", "S2", "S3"}
    assert regions.subtree(tree, "S3") == {"S3"}
    assert regions.subtree(tree, "elsewhere") == set()


def test_common_ancestors_nearest_first(tree):
    assert regions.common_ancestors(tree, ["S1", "S2"]) == ["K1", "C", "P"]
    assert regions.common_ancestors(tree, ["S1", "S3"]) == ["C", "P"]
    assert regions.common_ancestors(tree, ["S3"]) == ["S3", "K2", "C", "P"]
    assert regions.common_ancestors(tree, ["S1", "elsewhere"]) == []
    assert regions.common_ancestors(tree, []) == []


def test_roll_up_sums_each_region_over_its_subtree(tree):
    own = {"S1": {"a": 1}, "S2": {"a": 2, "b": 5}, "S3": {"b": 7}, "K1": {"a": 10}}
    totals = regions.roll_up(tree, own)
    assert totals["K1"] == {"a": 13, "b": 5}
    assert totals["K2"] == {"b": 7}
    assert totals["P"] == totals["C"] == {"a": 13, "b": 12}
    assert totals["S1"] == {"a": 1}
    assert own["K1"] == {"a": 10}  # the figures given are left alone


def test_roll_up_in_columns_gives_the_same_sums(tree):
    own = {"S1": {"a": 1}, "S2": {"a": 2, "b": 5}, "S3": {"b": 7}, "K1": {"a": 10}}
    frame = pl.DataFrame([(r, k, n) for r, figures in own.items() for k, n in figures.items()],
                         schema={"region": pl.String, "key": pl.String, "n": pl.Int64}, orient="row")
    columns: dict[str, dict[str, int]] = {}
    for region, key, n in regions.roll_up_frame(tree, frame, by=["key"]).rows():
        columns.setdefault(region, {})[key] = n
    assert columns == {r: t for r, t in regions.roll_up(tree, own).items() if t}


def test_a_parent_outside_the_tree_gives_no_edge():
    tree = regions.from_parents({"S": "nowhere", "K": None}, also=["X", None])
    assert set(tree) == {"S", "K", "X"}
    assert tree.number_of_edges() == 0


@pytest.mark.parametrize(("parents", "caught"), [
    pytest.param({"A": "B", "B": "A"}, {"A", "B"}, id="two-regions"),
    pytest.param({"A": "A"}, {"A"}, id="own-parent"),
    pytest.param({"R": None, "A": "B", "B": "C", "C": "A", "D": "C", "E": "R"}, {"A", "B", "C", "D"},
                 id="a-region-below-a-cycle"),
])
def test_regions_in_cycles(parents, caught):
    assert regions.regions_in_cycles(regions.from_parents(parents)) == caught


def test_no_cycle_in_a_tree(tree):
    assert regions.regions_in_cycles(tree) == set()


def test_a_cycle_is_the_input_error_region_cycle_of_each_region_caught():
    doc = copy.deepcopy(HONGQIAO)
    doc["regions"][0]["parent"] = "320602001"  # 南通市 under 和平桥街道, which lies under it
    with pytest.raises(RosterInputError) as caught:
        normalize.load(read_document(doc, "case.json"))
    cycles = [e for e in caught.value.errors if e.code == "region_cycle"]
    assert [e.value for e in cycles] == ["320600", "320602", "320602001"]
    assert [e.path for e in cycles] == ["regions[0]", "regions[1]", "regions[2]"]
    assert all("成环" in e.message_zh and "its own ancestor" in e.message_en for e in cycles)


def test_the_roll_up_gives_the_report_region_figures_of_the_example_district():
    """The regions of the golden report (summed by walking each chain by hand, before the tree)
    equal the roll-up of each street's own figures."""
    roster, _ = normalize.load(readers.read_roster(ROOT / "examples" / "chongchuan"))
    report = json.loads(GOLDEN.read_text(encoding="utf-8"))
    street = dict(roster.communities.select("id", "region").iter_rows())
    own: dict[str, Counter[str]] = {}
    for community in roster.communities["id"]:
        own.setdefault(street[community], Counter())["communities"] += 1
    for f in report["findings"]:
        if f["community_id"] is None:
            continue
        figures = own[street[f["community_id"]]]
        figures["over_max"] += f["detail"] == "over_max"
        if f["severity"] == "error" and f["shortfall"] > 0 and f["unit"] and f["waiver"] is None:
            figures[f"{f['unit']}.{f['role'] or ''}"] += f["shortfall"]
    totals = regions.roll_up(regions.region_tree(roster), own)
    assert len(report["regions"]) == len(totals) > len(own)  # the county and city are summed, not given
    for region in report["regions"]:
        total = totals[region["id"]]
        assert total.get("communities", 0) == region["communities"]
        assert total.get("over_max", 0) == region["over_max"]
        assert {k: v for k, v in total.items() if "." in k} == region["shortfall_by_role"], region["id"]
