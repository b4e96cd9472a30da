"""Post titles as rosters write them (domain.md §3, issue 9): every example of the spec and the
spellings offices use, each with the posts it must read as. A title is (row's 机构 or None, 职务)."""

from __future__ import annotations

import pytest

from orgmodel.vocabulary import Post, parse_post, title_qualifications

PO, RC, SS, GO = "party_org", "residents_committee", "service_station", "governance_office"
SC, OC, CA = "supervisory_committee", "owners_committee", "civil_affairs_station"

Expected = list[tuple[str, str]] | str  # the posts (unit, role), or the error code

TITLES: list[tuple[str | None, str, Expected]] = [
    # --- domain.md §3, titles that carry their unit ------------------------------------------
    (None, "村党支部书记", [(PO, "secretary")]),
    (None, "党总支委员", [(PO, "member")]),
    (None, "社区党委副书记", [(PO, "deputy_secretary")]),
    (None, "社区居委会委员", [(RC, "member")]),
    (None, "村委会主任", [(RC, "director")]),
    (None, "便民服务站工作人员", [(SS, "staff")]),
    (None, "服务站副站长", [(SS, "deputy_station_head")]),
    (None, "综治中心专干", [(GO, "governance_specialist")]),
    (None, "民政服务站协理员", [(CA, "civil_affairs_assistant")]),
    # --- §3, compound titles: each part its own prefix, else the part before, else its home --
    (None, "党总支委员、居委会委员", [(PO, "member"), (RC, "member")]),
    (None, "居委会主任兼党委委员", [(RC, "director"), (PO, "member")]),
    (None, "党总支书记兼居委会主任", [(PO, "secretary"), (RC, "director")]),
    (None, "书记兼主任", [(PO, "secretary"), (RC, "director")]),
    (None, "书记、主任", [(PO, "secretary"), (RC, "director")]),
    (None, "书记/主任", [(PO, "secretary"), (RC, "director")]),
    (None, "书记／主任", [(PO, "secretary"), (RC, "director")]),
    (None, "书记及主任", [(PO, "secretary"), (RC, "director")]),
    ("党组织", "书记兼主任", [(PO, "secretary"), (RC, "director")]),
    ("居委会", "书记兼主任", [(PO, "secretary"), (RC, "director")]),
    # --- §3, the short forms rosters use are spellings too ------------------------------------
    (None, "调解员", [(GO, "mediator")]),
    (None, "人民调解员", [(GO, "mediator")]),
    (None, "专职调解员", [(GO, "mediator")]),
    (None, "保安", [(GO, "security_guard")]),
    (None, "专职保安", [(GO, "security_guard")]),
    (None, "综治社工", [(GO, "student_social_worker")]),
    (None, "大学生综治社工", [(GO, "student_social_worker")]),
    (None, "综治特派员", [(GO, "legal_envoy")]),
    (None, "特派员", [(GO, "legal_envoy")]),
    (None, "政法干警综治特派员", [(GO, "legal_envoy")]),
    (None, "社区民警", [(GO, "resident_police")]),
    (None, "驻村民警", [(GO, "resident_police")]),
    (None, "驻居民警", [(GO, "resident_police")]),
    (None, "驻村(居)民警", [(GO, "resident_police")]),
    (None, "驻村（居）民警", [(GO, "resident_police")]),
    (None, "辅警", [(GO, "resident_police")]),
    ("服务站", "工作人员", [(SS, "staff")]),
    ("服务站", "专职人员", [(SS, "staff")]),
    ("服务站", "社工", [(SS, "staff")]),
    (None, "村官", [(RC, "student_official")]),
    (None, "大学生村官", [(RC, "student_official")]),
    (None, "副站长", [(SS, "deputy_station_head")]),
    # --- §3, without a prefix the row's 机构 decides; a part's own prefix wins over it --------
    ("居委会", "委员", [(RC, "member")]),
    ("党支部", "委员", [(PO, "member")]),
    ("村委会", "主任", [(RC, "director")]),
    ("综治中心", "专干", [(GO, "governance_specialist")]),
    ("服务站", "居委会委员", [(RC, "member")]),
    ("党委", "社区居委会副主任", [(RC, "deputy_director")]),
    # --- §3, errors: 委员 alone, a role outside its row's unit, an unknown unit ---------------
    (None, "委员", "unit_needed"),
    ("服务站", "调解员", "role_not_in_unit"),
    ("财务室", "会计", "unknown_unit"),
    (None, "综治办主任", "role_not_in_unit"),
    # --- §3, posts no rule counts: kept as `other` in the unit that can be told, else a notice -
    (None, "网格员", []),
    (None, "会计", []),
    (None, "治保主任", []),
    (None, "社区工作者", []),
    ("居委会", "网格员", [(RC, "other")]),
    (None, "居委会委员、网格员", [(RC, "member"), (RC, "other")]),
    # --- spellings offices use ------------------------------------------------------------------
    (None, "党委书记", [(PO, "secretary")]),
    (None, "党支部副书记", [(PO, "deputy_secretary")]),
    (None, "村党总支副书记", [(PO, "deputy_secretary")]),
    (None, "社区党总支书记", [(PO, "secretary")]),
    (None, "党总支部委员", [(PO, "member")]),
    (None, "村党支部委员", [(PO, "member")]),
    (None, "支委", [(PO, "member")]),
    (None, "支书", [(PO, "secretary")]),
    (None, "第一书记", [(PO, "secretary")]),
    (None, "村支书", [(PO, "secretary")]),  # 村/社区 alone in front is the community's word, not a unit
    (None, "村支委", [(PO, "member")]),
    (None, "村民警", [(GO, "resident_police")]),
    (None, "社区专干", [(GO, "governance_specialist")]),
    (None, "村调解员", [(GO, "mediator")]),
    (None, "村委员", "unit_needed"),
    (None, "居委会副主任", [(RC, "deputy_director")]),
    (None, "村委会副主任", [(RC, "deputy_director")]),
    (None, "村民委员会委员", [(RC, "member")]),
    (None, "社区居民委员会主任", [(RC, "director")]),
    (None, "村委会委员", [(RC, "member")]),
    (None, "便民服务站站长", [(SS, "station_head")]),
    (None, "服务站长", [(SS, "station_head")]),
    (None, "社区服务站长", [(SS, "station_head")]),
    (None, "社区服务站站长", [(SS, "station_head")]),
    (None, "便民服务站副站长", [(SS, "deputy_station_head")]),
    (None, "服务站专职人员", [(SS, "staff")]),
    (None, "社区服务站工作人员", [(SS, "staff")]),
    (None, "村便民服务站工作人员", [(SS, "staff")]),
    (None, "党群服务中心工作人员", [(SS, "staff")]),
    (None, "综治专干", [(GO, "governance_specialist")]),
    (None, "综治中心调解员", [(GO, "mediator")]),
    (None, "专职人民调解员", [(GO, "mediator")]),
    (None, "保安员", [(GO, "security_guard")]),
    (None, "大学生社工", [(GO, "student_social_worker")]),
    (None, "民政协理员", [(CA, "civil_affairs_assistant")]),
    (None, "民政服务站站长", [(CA, "station_head")]),
    (None, "村监会主任", [(SC, "director")]),
    (None, "村务监督委员会委员", [(SC, "member")]),
    (None, "居务监督委员会主任", [(SC, "director")]),
    (None, "业委会主任", [(OC, "director")]),
    (None, "业主委员会委员", [(OC, "member")]),
    (None, "社区党委书记、居委会主任", [(PO, "secretary"), (RC, "director")]),
    (None, "村党支部书记、村委会主任", [(PO, "secretary"), (RC, "director")]),
    (None, "党总支书记兼村委会主任", [(PO, "secretary"), (RC, "director")]),
    (None, "党委副书记、居委会副主任", [(PO, "deputy_secretary"), (RC, "deputy_director")]),
    (None, "副书记兼副主任", [(PO, "deputy_secretary"), (RC, "deputy_director")]),
    (None, "居委会副主任兼党委委员", [(RC, "deputy_director"), (PO, "member")]),
    (None, "社区党委委员兼居委会副主任", [(PO, "member"), (RC, "deputy_director")]),
    (None, "村党支部委员、村委会委员", [(PO, "member"), (RC, "member")]),
    (None, "村委会委员兼村便民服务站工作人员", [(RC, "member"), (SS, "staff")]),
    (None, "党委委员/综治专干", [(PO, "member"), (GO, "governance_specialist")]),
    ("居委会", "委员兼调解员", [(RC, "member"), (GO, "mediator")]),
    (None, "党总支 书记", [(PO, "secretary")]),
    (None, " 居委会主任 ", [(RC, "director")]),
]


def _id(case: tuple[str | None, str, Expected]) -> str:
    unit, title, _ = case
    return f"{unit}|{title}" if unit else title


@pytest.mark.parametrize("case", TITLES, ids=[_id(c) for c in TITLES])
def test_title_reads_as_its_posts(case: tuple[str | None, str, Expected]) -> None:
    unit, title, expected = case
    got = parse_post(unit, title)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert got == tuple(Post(u, r) for u, r in expected)


def test_table_holds_sixty_titles() -> None:
    assert len({(unit, title) for unit, title, _ in TITLES}) >= 60


QUALIFICATIONS: list[tuple[str, dict[str, bool]]] = [
    ("社区民警", {"police_officer": True}),
    ("驻村民警", {"police_officer": True}),
    ("辅警", {"police_officer": False}),
    ("社区辅警", {"police_officer": False}),
    ("政法干警综治特派员", {"political_legal_officer": True}),
    ("综治特派员", {}),  # the title says nothing: the attribute is missing (Q3 warns)
    ("综治专干", {}),
]


@pytest.mark.parametrize(("title", "expected"), QUALIFICATIONS, ids=[t for t, _ in QUALIFICATIONS])
def test_title_establishes_qualifications(title: str, expected: dict[str, bool]) -> None:
    assert dict(title_qualifications(title)) == expected
