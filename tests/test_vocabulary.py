"""The vocabulary (domain.md §2–§3): the labels and variants rosters write, read as codes."""

from __future__ import annotations

import copy
from pathlib import Path

import polars as pl
import pytest

from orgmodel import vocabulary
from orgmodel.input import cells, normalize, readers
from orgmodel.vocabulary import Post, parse_post
from tests.helpers.roster import APPOINTMENTS, input_errors, report_of, roster_document, roster_tables, write_folder, write_json


@pytest.mark.parametrize(("text", "code"), [
    *[pytest.param(t, "party_org", id=t) for t in ("党组织", "党委", "党总支", "党支部", "社区党组织", "村党组织", "社区党委",
                                                    "party_org")],
    *[pytest.param(t, "residents_committee", id=t) for t in ("居委会", "村委会", "社区居民委员会", "村民委员会",
                                                              "residents_committee")],
    *[pytest.param(t, "service_station", id=t) for t in ("服务站", "社区服务站", "便民服务站", "社区管理服务站")],
    *[pytest.param(t, "governance_office", id=t) for t in ("综治办", "综治中心", "社区综治办")],
    *[pytest.param(t, "supervisory_committee", id=t) for t in ("监委会", "村监会", "居务监督委员会", "村务监督委员会")],
    *[pytest.param(t, "assembly", id=t) for t in ("居民会议", "村民会议(代表会议)", "居民会议（代表会议）")],
    *[pytest.param(t, "owners_committee", id=t) for t in ("业委会", "业主委员会", "owners_committee")],
    pytest.param("民政服务站", "civil_affairs_station", id="民政服务站"),
    pytest.param("其他社会组织", "social_org", id="其他社会组织"),
    pytest.param(" 居委会 ", "residents_committee", id="spaces"),
    pytest.param("PARTY_ORG", "party_org", id="upper-case-code"),
])
def test_unit_labels(text: str, code: str) -> None:
    assert vocabulary.UNIT.parse(text) == code


@pytest.mark.parametrize(("unit", "role", "posts"), [
    pytest.param("综治办", "调解员", [("governance_office", "mediator")], id="调解员"),
    pytest.param("综治办", "专职调解员", [("governance_office", "mediator")], id="专职调解员"),
    pytest.param("综治办", "人民调解员", [("governance_office", "mediator")], id="人民调解员"),
    pytest.param("综治办", "社区民警", [("governance_office", "resident_police")], id="社区民警"),
    pytest.param("综治办", "驻村民警", [("governance_office", "resident_police")], id="驻村民警"),
    pytest.param("综治办", "驻居民警", [("governance_office", "resident_police")], id="驻居民警"),
    pytest.param("综治办", "驻村(居)民警", [("governance_office", "resident_police")], id="驻村(居)民警"),
    pytest.param("综治办", "驻村（居）民警", [("governance_office", "resident_police")], id="full-width-parentheses"),
    pytest.param("综治办", "保安", [("governance_office", "security_guard")], id="保安"),
    pytest.param("综治办", "综治专干", [("governance_office", "governance_specialist")], id="综治专干"),
    pytest.param("综治办", "大学生综治社工", [("governance_office", "student_social_worker")], id="大学生综治社工"),
    pytest.param("综治办", "政法干警综治特派员", [("governance_office", "legal_envoy")], id="政法干警综治特派员"),
    pytest.param("党委", "书记", [("party_org", "secretary")], id="书记"),
    pytest.param("党支部", "副书记", [("party_org", "deputy_secretary")], id="副书记"),
    pytest.param("党总支", "委员", [("party_org", "member")], id="党委委员"),
    pytest.param("居委会", "委员", [("residents_committee", "member")], id="居委委员"),
    pytest.param("村委会", "主任", [("residents_committee", "director")], id="村主任"),
    pytest.param("业委会", "主任", [("owners_committee", "director")], id="业委会主任"),
    pytest.param("服务站", "站长", [("service_station", "station_head")], id="站长"),
    pytest.param("服务站", "专职工作人员", [("service_station", "staff")], id="专职工作人员"),
    pytest.param("民政服务站", "民政协理员", [("civil_affairs_station", "civil_affairs_assistant")], id="民政协理员"),
    pytest.param("居委会", "大学生村官", [("residents_committee", "student_official")], id="大学生村官"),
    pytest.param("governance_office", "mediator", [("governance_office", "mediator")], id="codes"),
])
def test_post_labels(unit: str, role: str, posts: list[tuple[str, str]]) -> None:
    assert parse_post(unit, role) == tuple(Post(u, r) for u, r in posts)


COMPOUND = (Post("party_org", "secretary"), Post("residents_committee", "director"))


@pytest.mark.parametrize(("unit", "role", "posts"), [
    pytest.param("党组织", "书记兼主任", COMPOUND, id="书记兼主任"),
    pytest.param("党组织", "书记、主任", COMPOUND, id="书记、主任"),
    pytest.param("党组织", "书记/主任", COMPOUND, id="书记/主任"),
    pytest.param("党委", "书记兼居委会主任", COMPOUND, id="书记兼居委会主任"),
    pytest.param("社区党组织", "书记／主任", COMPOUND, id="full-width-slash"),
    pytest.param("居委会", "书记兼主任", (Post("party_org", "secretary"), Post("residents_committee", "director")),
                 id="in-居委会"),
    pytest.param("村委会", "主任兼书记", (Post("residents_committee", "director"), Post("party_org", "secretary")),
                 id="主任兼书记"),
    pytest.param("党总支", "副书记兼副主任", (Post("party_org", "deputy_secretary"),
                                       Post("residents_committee", "deputy_director")), id="副书记兼副主任"),
    pytest.param("党组织", "委员兼委员", (Post("party_org", "member"),), id="the-same-post-twice"),
])
def test_compound_posts_are_split(unit: str, role: str, posts: tuple[Post, ...]) -> None:
    assert parse_post(unit, role) == posts


@pytest.mark.parametrize("role", ["网格员", "会计", "治保主任", "社区工作者", "妇女主任"])
def test_unknown_posts_become_other(role: str) -> None:
    assert parse_post("居委会", role) == (Post("residents_committee", vocabulary.OTHER_ROLE),)


@pytest.mark.parametrize(("unit", "role", "code"), [
    pytest.param("财务室", "会计", "unknown_unit", id="unknown-unit"),
    pytest.param("财务室", "书记", "unknown_unit", id="unknown-unit-known-role"),
    pytest.param("服务站", "调解员", "role_not_in_unit", id="调解员-in-服务站"),
    pytest.param("党组织", "站长", "role_not_in_unit", id="站长-in-党组织"),
    pytest.param("综治办", "主任", "role_not_in_unit", id="主任-in-综治办"),
])
def test_post_errors(unit: str, role: str, code: str) -> None:
    assert parse_post(unit, role) == code


@pytest.mark.parametrize(("text", "value"), [
    *[pytest.param(t, True, id=f"yes-{t}") for t in ("是", "Y", "y", "yes", "YES", "1", "true", "Ｙ", " 是 ")],
    *[pytest.param(t, False, id=f"no-{t}") for t in ("否", "N", "n", "no", "0", "false", "Ｎ")],
])
def test_yes_no(text: str, value: bool) -> None:
    assert vocabulary.YES_NO.parse(text) is value


@pytest.mark.parametrize("text", ["maybe", "2", "是的吧"])
def test_not_yes_no(text: str) -> None:
    assert vocabulary.YES_NO.parse(text) is None


@pytest.mark.parametrize(("text", "code"), [
    ("本科", "bachelor"), ("大学本科", "bachelor"), ("bachelor", "bachelor"), ("大专", "associate"),
    ("专科", "associate"), ("高中", "secondary"), ("中专", "secondary"), ("初中及以下", "none"), ("硕士", "master"),
    ("研究生", "master"), ("博士", "doctorate"),
])
def test_education(text: str, code: str) -> None:
    assert vocabulary.EDUCATION_VOCAB.parse(text) == code


@pytest.mark.parametrize(("vocab", "text", "code"), [
    pytest.param(vocabulary.KIND, "城市", "urban", id="城市"),
    pytest.param(vocabulary.KIND, "农村", "rural", id="农村"),
    pytest.param(vocabulary.KIND, "Urban", "urban", id="Urban"),
    pytest.param(vocabulary.LEVEL, "街道乡镇", "street", id="街道乡镇"),
    pytest.param(vocabulary.LEVEL, "区县", "county", id="区县"),
    pytest.param(vocabulary.LEVEL, "省", "province", id="省"),
    pytest.param(vocabulary.GENDER, "女", "female", id="女"),
    pytest.param(vocabulary.GENDER, "male", "male", id="male"),
    pytest.param(vocabulary.RELATION, "指导", "guides", id="指导"),
    pytest.param(vocabulary.RELATION, "leads", "leads", id="leads"),
])
def test_other_vocabularies(vocab: vocabulary.Vocabulary, text: str, code: str) -> None:
    assert vocab.parse(text) == code


@pytest.mark.parametrize(("text", "day"), [
    ("2024-01-01", "2024-01-01"), ("2024/1/1", "2024-01-01"), ("2024.1.1", "2024-01-01"), ("2024年1月1日", "2024-01-01"),
    ("20240101", "2024-01-01"), ("2024-02-29", "2024-02-29"), ("2024-13-45", None), ("2023-02-29", None), ("明年", None),
])
def test_dates(text: str, day: str | None) -> None:
    parsed = cells.parse_date(text)
    assert (parsed.isoformat() if parsed else None) == day


@pytest.mark.parametrize(("table", "header", "column"), [
    ("communities", "社区编码", "id"), ("communities", "id", "id"), ("communities", "类型", "kind"),
    ("communities", "年度办公活动经费(元)", "office_activity_yuan"),
    ("communities", "年度办公活动经费（元）", "office_activity_yuan"),
    ("appointments", "人员编号", "person"), ("appointments", "身份证号", "person"), ("appointments", "person", "person"),
    ("appointments", "专职", "full_time"), ("appointments", "full_time", "full_time"), ("appointments", "Full_Time", "full_time"),
    ("appointments", "月工资（元）", "monthly_pay_yuan"), ("regions", "最低工资(元/月)", "min_wage_monthly_yuan"),
    ("appointments", "备注", None), ("appointments", "联系电话", None),
])
def test_headers(table: str, header: str, column: str | None) -> None:
    assert vocabulary.column_for(table, header) == column


# --- in a roster --------------------------------------------------------------------------------


def _appointments_of(path: Path) -> pl.DataFrame:
    roster, _ = normalize.load(readers.read_roster(path))
    return roster.appointments


@pytest.mark.parametrize("role", ["书记兼主任", "书记、主任", "书记/主任"])
def test_compound_post_in_a_roster_gives_two_appointments(tmp_path: Path, role: str) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[0]["role"] = role
    posts = _appointments_of(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    p01 = posts.filter(pl.col("person") == "P01").select(pl.col("unit").cast(pl.String), pl.col("role").cast(pl.String))
    assert sorted(p01.rows()) == [("party_org", "secretary"), ("residents_committee", "director")]


def test_variant_spellings_count_like_the_codes(tmp_path: Path) -> None:
    """专职 Y/1 and 调解员/专职调解员 count as full-time mediators: G3 is satisfied."""
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[4].update(role="专职调解员", full_time="Y")
    appointments[5].update(role="调解员", full_time="1")
    report = report_of(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    assert [f for f in report["findings"] if f["rule_id"] == "G3" and f["community_id"] == "C1"] == []


def test_blank_full_time_means_part_time(tmp_path: Path) -> None:
    appointments = copy.deepcopy(APPOINTMENTS)
    appointments[4]["full_time"] = ""
    report = report_of(write_folder(tmp_path / "roster", roster_tables(appointments=appointments)))
    g3 = [f for f in report["findings"] if f["rule_id"] == "G3" and f["community_id"] == "C1" and f["person_id"] is None]
    assert [(f["severity"], f["actual"], f["shortfall"]) for f in g3] == [("error", 0, 2)]


UNKNOWN_POSTS = {1: ("党委", "网格员"), 2: ("居委会", "会计"), 5: ("综治办", "治保主任"), 7: ("服务站", "社区工作者")}


def _with_unknown_posts() -> list[dict[str, str]]:
    appointments = copy.deepcopy(APPOINTMENTS)
    for index, (unit, role) in UNKNOWN_POSTS.items():
        appointments[index].update(unit=unit, role=role)
    return appointments


def test_unknown_posts_are_notices_not_errors(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "roster", roster_tables(appointments=_with_unknown_posts()))
    assert input_errors(folder) == []
    report = report_of(folder)
    posts = [n for n in report["notices"] if n["code"] == "unknown_post"]
    notices = [(n["code"], n["file"], n["row"], n["column"], n["value"]) for n in posts]
    assert notices == [("unknown_post", "人员.csv", index + 2, "职务", role) for index, (_, role) in UNKNOWN_POSTS.items()]
    for notice in posts:
        assert notice["value"] in notice["message_zh"] and notice["value"] in notice["message_en"]


def test_unknown_posts_count_for_no_rule(tmp_path: Path) -> None:
    """P02 was a party_org 委员; as 网格员 in 党委 the party organisation is one member shorter."""
    before = report_of(write_folder(tmp_path / "before", roster_tables()))
    after = report_of(write_folder(tmp_path / "after", roster_tables(appointments=_with_unknown_posts())))

    def s2(report: dict) -> tuple:
        return next((f["actual"], f["shortfall"]) for f in report["findings"]
                    if f["rule_id"] == "S2" and f["community_id"] == "C1")
    assert s2(before) == (2, 3)
    assert s2(after) == (1, 4)


def test_unknown_posts_in_a_document(tmp_path: Path) -> None:
    document = roster_document(appointments=_with_unknown_posts())
    path = write_json(tmp_path / "roster.json", document)
    assert input_errors(path) == []
    notices = report_of(path)["notices"]
    assert sorted(n["value"] for n in notices) == sorted(role for _, role in UNKNOWN_POSTS.values())
    assert {n["file"] for n in notices} == {"roster.json"}
