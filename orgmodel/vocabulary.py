"""The one vocabulary every reader uses: codes, their Chinese labels and the variants rosters write.

Readers never match labels themselves; they ask this module, so a variant learnt here is
understood in JSON, YAML, CSV and Excel alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

UNITS: dict[str, tuple[str, str]] = {
    # code: (urban label, rural label)
    "party_org": ("社区党组织", "村党组织"),
    "residents_committee": ("社区居民委员会", "村民委员会"),
    "service_station": ("社区管理服务站", "社区管理服务站"),
    "governance_office": ("社区综治办", "社区综治办"),
    "supervisory_committee": ("居务监督委员会", "村务监督委员会"),
    "assembly": ("居民会议", "村民会议"),
    "owners_committee": ("业主委员会", "业主委员会"),
    "civil_affairs_station": ("民政服务站", "民政服务站"),
    "social_org": ("其他社会组织", "其他社会组织"),
}
CORE_UNITS = ("party_org", "residents_committee", "service_station", "governance_office")

UNIT_VARIANTS: dict[str, tuple[str, ...]] = {
    "party_org": ("党组织", "党委", "党总支", "党支部", "社区党委", "社区党总支", "社区党支部",
                  "村党委", "村党总支", "村党支部", "党组织委员会", "社区党组织", "村党组织", "支部", "总支",
                  "党总支部", "党总支委员会", "党支部委员会", "党委会"),
    "residents_committee": ("居委会", "村委会", "居民委员会", "社区居委会", "村民委员会",
                            "社区居民委员会", "居委", "村委", "村民委员会", "居民委员会"),
    "service_station": ("服务站", "社区服务站", "便民服务站", "管理服务站", "社区管理服务站",
                        "村服务站", "一站式服务站", "便民服务中心",
                        "党群服务中心", "社区服务中心", "服务中心", "为民服务站"),
    "governance_office": ("综治办", "综治中心", "综治办公室", "社区综治中心", "社区综治办",
                          "村综治办", "综治", "综治工作站", "综治站"),
    "supervisory_committee": ("监委会", "村监会", "监督委员会", "居务监督委员会",
                              "村务监督委员会", "居监会", "居务监督委员会",
                              "村务监委会", "居务监委会"),
    "assembly": ("居民会议", "村民会议", "居民代表会议", "村民代表会议", "居民会议(代表会议)",
                 "村民会议(代表会议)"),
    "owners_committee": ("业委会", "业主委员会"),
    "civil_affairs_station": ("民政服务站", "民政站", "民政"),
    "social_org": ("社会组织", "其他社会组织"),
}

ROLES: dict[str, str] = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "director": "主任",
    "deputy_director": "副主任",
    "member": "委员",
    "station_head": "站长",
    "deputy_station_head": "副站长",
    "staff": "专职工作人员",
    "governance_specialist": "综治专干",
    "resident_police": "驻村(居)民警",
    "mediator": "专职调解员",
    "security_guard": "专职保安",
    "student_social_worker": "大学生综治社工",
    "legal_envoy": "政法干警综治特派员",
    "civil_affairs_assistant": "民政协理员",
    "student_official": "大学生村官",
}
OTHER_ROLE = "other"

# The units a role may sit in; the first is where a compound post's part goes by default.
ROLE_UNITS: dict[str, tuple[str, ...]] = {
    "secretary": ("party_org",),
    "deputy_secretary": ("party_org",),
    "director": ("residents_committee", "supervisory_committee", "owners_committee"),
    "deputy_director": ("residents_committee", "supervisory_committee", "owners_committee"),
    "member": ("party_org", "residents_committee", "supervisory_committee", "owners_committee"),
    "station_head": ("service_station", "civil_affairs_station"),
    "deputy_station_head": ("service_station", "civil_affairs_station"),
    "staff": ("service_station",),
    "governance_specialist": ("governance_office",),
    "resident_police": ("governance_office",),
    "mediator": ("governance_office",),
    "security_guard": ("governance_office",),
    "student_social_worker": ("governance_office",),
    "legal_envoy": ("governance_office",),
    "civil_affairs_assistant": ("civil_affairs_station",),
    "student_official": ("residents_committee",),
}

# Role spellings without their unit: a title's unit prefix (党总支, 居委会 …) is read apart,
# by `read_title_part`, from the unit spellings above.
ROLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "secretary": ("书记", "社区书记", "村书记", "第一书记", "支书"),
    "deputy_secretary": ("副书记", "社区副书记", "村副书记"),
    "director": ("主任", "社区主任", "村主任"),
    "deputy_director": ("副主任", "社区副主任", "村副主任"),
    "member": ("委员", "成员", "支委"),
    "station_head": ("站长", "服务站长"),
    "deputy_station_head": ("副站长",),
    "staff": ("专职工作人员", "工作人员", "专职人员", "社工", "专职社工", "办事员"),
    "governance_specialist": ("综治专干", "专干", "综治专职干部", "综治干部"),
    "resident_police": ("驻村(居)民警", "驻村民警", "驻居民警", "社区民警", "民警", "驻社区民警", "社区辅警", "辅警",
                        "驻村辅警"),
    "mediator": ("专职调解员", "调解员", "人民调解员", "专职人民调解员", "调委会调解员"),
    "security_guard": ("专职保安", "保安", "保安员", "专职保安员"),
    "student_social_worker": ("大学生综治社工", "综治社工", "大学生社工"),
    "legal_envoy": ("政法干警综治特派员", "综治特派员", "政法特派员", "特派员", "政法干警特派员"),
    "civil_affairs_assistant": ("民政协理员", "协理员"),
    "student_official": ("大学生村官", "村官", "大学生村官(社区)", "大学生村干部"),
}
# Whole titles that name their unit in a word of their own: 支委 is a member of the 党支部, 服务站长 heads the 服务站.
TITLE_UNITS: dict[str, str] = {"支委": "party_org", "支书": "party_org", "服务站长": "service_station"}

KINDS = {"urban": "城市", "rural": "农村"}
RURAL_NAME_ENDING = "村"  # a community named 严家村 is a village when nothing else says
KIND_VARIANTS = {"urban": ("城市", "城市社区", "城镇", "社区", "城"), "rural": ("农村", "农村社区", "村", "乡村")}

LEVELS = {"province": "省", "city": "市", "county": "区县", "street": "街道乡镇"}
LEVEL_ORDER = ("province", "city", "county", "street")
LEVEL_VARIANTS = {
    "province": ("省", "省级", "自治区", "直辖市"),
    "city": ("市", "地级市", "市级"),
    "county": ("区县", "区", "县", "县级市", "县区", "区/县"),
    "street": ("街道乡镇", "街道", "乡镇", "镇", "乡", "街道/乡镇"),
}

EDUCATION = {
    "none": "初中及以下", "secondary": "高中/中专", "associate": "大专",
    "bachelor": "本科", "master": "硕士", "doctorate": "博士",
}
EDUCATION_VARIANTS = {
    "none": ("初中及以下", "初中", "小学", "无", "文盲", "小学及以下"),
    "secondary": ("高中", "中专", "职高", "技校", "高中/中专", "中技", "中职", "高中(中专)"),
    "associate": ("大专", "专科", "高职", "大学专科", "大专(全日制)", "大专(在职)"),
    "bachelor": ("本科", "大学本科", "学士", "大学", "本科(全日制)", "本科(在职)"),
    "master": ("硕士", "研究生", "硕士研究生"),
    "doctorate": ("博士", "博士研究生"),
}

GENDERS = {"male": "男", "female": "女"}
GENDER_VARIANTS = {"male": ("男", "m", "男性", "男士"), "female": ("女", "f", "女性", "女士")}

RELATION_TYPES = {
    "leads": "领导", "manages": "管理", "supervises": "监督",
    "decides": "决策", "guides": "指导", "assists": "协助",
}
RELATION_VARIANTS = {code: (label,) for code, label in RELATION_TYPES.items()}

TASK_CATEGORIES = {
    "own_duty": "自治本职", "assist": "协助政府",
    "government_duty": "政府职责", "other": "其他(法律未赋予)",
}
TASK_CATEGORY_VARIANTS = {
    "own_duty": ("自治本职", "本职", "自治事项"),
    "assist": ("协助政府", "协助", "协助事项"),
    "government_duty": ("政府职责", "政府事项"),
    "other": ("其他", "法律未赋予", "其他(法律未赋予)"),
}

# The facilities of §二(一)2 “五室三站两栏一校一场所”, and how a facility's name tells its category:
# by the end of the name (警务室 → room, 村务公开栏 → board), longest ending first.
FACILITY_CATEGORIES = {"room": "室", "station": "站", "board": "栏", "school": "校", "venue": "场所"}
FACILITY_CATEGORY_VARIANTS = {
    "room": ("室", "房间", "活动室"), "station": ("站", "服务站"), "board": ("栏", "公开栏", "宣传栏"),
    "school": ("校", "学校"), "venue": ("场所", "场地", "广场"),
}
FACILITY_NAME_ENDINGS = (
    ("场所", "venue"), ("广场", "venue"), ("场地", "venue"), ("活动场", "venue"), ("球场", "venue"), ("公园", "venue"),
    ("学校", "school"), ("学堂", "school"), ("课堂", "school"), ("校", "school"),
    ("栏", "board"), ("墙", "board"), ("橱窗", "board"),
    ("站", "station"), ("驿站", "station"),
    ("室", "room"), ("中心", "room"), ("之家", "room"), ("书屋", "room"), ("馆", "room"),
)

# The region's leadership group (§三(一), domain.md §2): its posts, and the officials' offices (本职).
LEADERSHIP_ROLES = {"leader": "组长", "deputy_leader": "副组长", "member": "成员"}
LEADERSHIP_ROLE_VARIANTS = {
    "leader": ("组长", "小组组长"), "deputy_leader": ("副组长", "常务副组长", "小组副组长"),
    "member": ("成员", "组员", "小组成员", "委员"),
}
OFFICES = {
    "party_secretary": "市委书记", "government_head": "市长", "deputy_party_secretary": "市委副书记",
    "political_legal_secretary": "政法委书记", "rule_of_law_office_head": "依治办主任",
    "civil_affairs_head": "民政局局长", "legal_affairs_head": "法制办主任", "other": "其他",
}
# Office titles as written (市委政法委书记, 市政府法制办主任 …): the level word in front (市/区/县, 市委/市政府 …)
# is dropped first, then the rest is looked up; anything else is `other`.
OFFICE_VARIANTS = {
    "party_secretary": ("书记", "委书记", "党委书记"),
    "government_head": ("长", "市长", "区长", "县长", "政府市长", "政府区长", "政府县长"),
    "deputy_party_secretary": ("副书记", "委副书记", "党委副书记"),
    "political_legal_secretary": ("政法委书记", "委政法委书记", "政法委员会书记"),
    "rule_of_law_office_head": ("依治办主任", "依法治市办主任", "依法治区办主任", "依法治县办主任",
                                "委依法治市办主任", "委依治办主任", "依法治市领导小组办公室主任"),
    "civil_affairs_head": ("民政局局长", "民政局长", "政府民政局局长"),
    "legal_affairs_head": ("法制办主任", "政府法制办主任", "法制办公室主任", "司法局局长", "司法局长",
                           "政府司法局局长"),
}
OFFICE_LEVEL_PREFIXES = ("省", "市", "区", "县")

YES_NO_VARIANTS = {
    True: ("是", "y", "yes", "true", "1", "√", "有", "专职", "t"),
    False: ("否", "n", "no", "false", "0", "×", "无", "兼职", "f"),
}

# A row whose first filled cell starts with one of these is not data (a workbook's or a CSV's
# footer). Totals may sit between blocks of data and are skipped; a signature block ends the table.
FOOTER_TOTAL_WORDS = ("合计", "总计", "小计", "共计")
FOOTER_END_WORDS = ("填表人", "填报人", "制表人", "审核人", "审批人", "负责人", "单位负责人", "分管领导", "填表日期",
                    "填报日期", "制表日期", "填表单位", "填报单位", "注:", "注：", "说明:", "说明：", "备注:",
                    "备注：")

GOVERNMENT_PREFIXES = ("政府:", "government:")
COMPOUND_SEPARATORS = re.compile(r"[兼、/,;，；]|及")


def clean(text: str) -> str:
    """Canonical spelling of a cell: full-width forms folded, spaces dropped, ASCII lower-cased."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


Variants = Mapping[str, tuple[str, ...]] | Mapping[bool, tuple[str, ...]]


def _lookup(codes: Iterable[object], variants: Variants) -> dict[str, object]:
    table: dict[str, object] = {clean(str(code)): code for code in codes}
    for code, spellings in variants.items():
        for spelling in spellings:
            table[clean(spelling)] = code
    return table


_UNIT = _lookup(UNITS, UNIT_VARIANTS)
_ROLE = _lookup(ROLES, ROLE_VARIANTS)
_KIND = _lookup(KINDS, KIND_VARIANTS)
_LEVEL = _lookup(LEVELS, LEVEL_VARIANTS)
_EDUCATION = _lookup(EDUCATION, EDUCATION_VARIANTS)
_GENDER = _lookup(GENDERS, GENDER_VARIANTS)
_RELATION = _lookup(RELATION_TYPES, RELATION_VARIANTS)
_TASK_CATEGORY = _lookup(TASK_CATEGORIES, TASK_CATEGORY_VARIANTS)
_YES_NO = _lookup((), YES_NO_VARIANTS)
_FACILITY_CATEGORY = _lookup(FACILITY_CATEGORIES, FACILITY_CATEGORY_VARIANTS)
_LEADERSHIP_ROLE = _lookup(LEADERSHIP_ROLES, LEADERSHIP_ROLE_VARIANTS)
_OFFICE = _lookup(OFFICES, OFFICE_VARIANTS)


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of codes: how to read one, and what to tell a user who wrote something else."""

    name: str
    table: Mapping[str, object]
    expected: str

    def parse(self, text: str) -> object | None:
        return self.table.get(clean(text))


UNIT = Vocabulary("unit", _UNIT, "一个机构代码或名称 / a unit: " + "、".join(u[0] for u in UNITS.values()))
KIND = Vocabulary("kind", _KIND, "城市/农村 (urban/rural)")
LEVEL = Vocabulary("level", _LEVEL, "省/市/区县/街道乡镇 (province/city/county/street)")
EDUCATION_VOCAB = Vocabulary("education", _EDUCATION, "初中及以下/高中/中专/大专/本科/硕士/博士")
GENDER = Vocabulary("gender", _GENDER, "男/女 (male/female)")
RELATION = Vocabulary("relation", _RELATION, "领导/管理/监督/决策/指导/协助")
TASK_CATEGORY = Vocabulary("category", _TASK_CATEGORY, "自治本职/协助政府/政府职责/其他")
YES_NO = Vocabulary("yes_no", _YES_NO, "是/否 (Y/N, 1/0)")
FACILITY_CATEGORY = Vocabulary("facility_category", _FACILITY_CATEGORY, "室/站/栏/校/场所 (room/station/board/school/venue)")
LEADERSHIP_ROLE = Vocabulary("leadership_role", _LEADERSHIP_ROLE, "组长/副组长/成员 (leader/deputy_leader/member)")


def facility_category(name: str) -> str | None:
    """A facility's category read from the end of its name (卫生计生服务站 → station), or None."""
    text = clean(name)
    for ending, category in FACILITY_NAME_ENDINGS:
        if text.endswith(ending):
            return category
    return None


def parse_office(title: str) -> str:
    """An official's office (本职) from its title as written: 市委政法委书记 → political_legal_secretary,
    市政府法制办主任 / 市司法局局长 → legal_affairs_head; a code is itself; any other title is `other`."""
    text = clean(title)
    if text in OFFICES:
        return text
    found = _OFFICE.get(text)
    if found is None and text[:1] in OFFICE_LEVEL_PREFIXES:
        found = _OFFICE.get(text[1:])
    return str(found) if found is not None else "other"


def unit_label(unit: str, rural: bool = False) -> str:
    labels = UNITS.get(unit)
    return unit if labels is None else labels[1 if rural else 0]


def role_label(role: str) -> str:
    return ROLES.get(role, role)


def post_label(unit: str, role: str) -> str:
    """综治办专职调解员: how messages name a post."""
    return UNIT_SHORT[unit] + role_label(role)


@dataclass(frozen=True)
class Post:
    """One post of a roster cell after splitting: where it sits and what it is."""

    unit: str
    role: str  # a code of ROLES, or OTHER_ROLE


# Roles a title may name without its unit only when the row's 机构 says which: 委员 sits in four bodies.
NEEDS_UNIT = frozenset({"member"})

# Qualifications a post title establishes (domain.md §3): 社区民警 is a police officer, 辅警 is not.
TITLE_QUALIFICATIONS: tuple[tuple[str, str, bool], ...] = (
    # (the title contains, attribute, value); the first that matches an attribute wins
    ("辅警", "police_officer", False),
    ("民警", "police_officer", True),
    ("政法干警", "political_legal_officer", True),
)
# A unit prefix may carry the community's own word in front: 社区居委会, 村党支部.
UNIT_PREFIX_LEADS = ("社区", "村")


@dataclass(frozen=True)
class TitlePart:
    """One part of a post title: the unit its own prefix names (if any) and its role (None: unknown)."""

    unit: str | None
    role: str | None


def _unit_prefix(text: str) -> str | None:
    unit = _UNIT.get(text)
    if unit is None:
        for lead in UNIT_PREFIX_LEADS:
            if text.startswith(lead) and len(text) > len(lead):
                unit = _UNIT.get(text[len(lead):])
                if unit is not None:
                    break
    return None if unit is None else str(unit)


@lru_cache(maxsize=65536)
def read_title_part(part: str) -> TitlePart:
    """村党支部书记 → (party_org, secretary); 调解员 → (None, mediator); 网格员 → (None, None).

    A title is an optional unit prefix (any spelling of a unit, with or without 社区/村 in
    front) followed by a role spelling; the longest prefix that leaves a role wins.
    """
    role = _ROLE.get(part)
    if role is not None:
        return TitlePart(TITLE_UNITS.get(part), str(role))
    for cut in range(len(part) - 1, 0, -1):
        role = _ROLE.get(part[cut:])
        if role is not None:
            if part[:cut] in UNIT_PREFIX_LEADS:  # 村支书: the community's own word, no unit of its own
                return TitlePart(TITLE_UNITS.get(part[cut:]), str(role))
            unit = _unit_prefix(part[:cut])
            if unit is not None:
                return TitlePart(unit, str(role))
    return TitlePart(None, None)


def title_parts(role_text: str) -> tuple[TitlePart, ...]:
    """A title split into its parts (兼, 、, /, 及 …), each read on its own."""
    text = clean(role_text)
    whole = read_title_part(text)
    if whole.role is not None:
        return (whole,)
    parts = tuple(read_title_part(p) for p in COMPOUND_SEPARATORS.split(text) if p)
    return parts if len(parts) > 1 else (whole,)


@lru_cache(maxsize=65536)
def title_qualifications(role_text: str) -> tuple[tuple[str, bool], ...]:
    """What a title says of its holder: 社区民警 → police_officer true; 辅警 → false."""
    text = clean(role_text)
    found: dict[str, bool] = {}
    for word, attribute, value in TITLE_QUALIFICATIONS:
        if word in text and attribute not in found:
            found[attribute] = value
    return tuple(found.items())


@lru_cache(maxsize=65536)
def parse_post(unit_text: str | None, role_text: str) -> tuple[Post, ...] | str:
    """Read a (机构, 职务) pair into posts, or return the error code that explains why not.

    Follows domain.md §3: a part's own unit prefix wins; otherwise the part before it when
    the role belongs there, otherwise the row's 机构, otherwise the unit the role belongs to.
    Compound posts (书记兼主任) give one post per part; posts no rule knows become `other`
    in the unit that can be told (none at all: an empty result, listed as a notice).
    """
    row_unit: str | None = None
    if unit_text is not None and clean(unit_text):
        found = _UNIT.get(clean(unit_text))
        row_unit = None if found is None else str(found)
        unknown_row_unit = found is None
    else:
        unknown_row_unit = False
    parts = title_parts(role_text)
    named = next((p.unit for p in parts if p.unit is not None), None)
    posts: list[Post] = []
    previous: str | None = None
    for index, part in enumerate(parts):
        if part.role is None:
            unit = previous or row_unit or named
            if unit is None and unknown_row_unit:
                return "unknown_unit"
            if unit is not None:
                posts.append(Post(unit, OTHER_ROLE))
            continue
        homes = ROLE_UNITS[part.role]
        if part.unit is not None:
            if part.unit not in homes:
                return "role_not_in_unit"
            unit = part.unit
        elif previous is not None and previous in homes:
            unit = previous
        elif unknown_row_unit:
            return "unknown_unit"
        elif row_unit is not None and (row_unit in homes or len(parts) == 1 or index == 0):
            if row_unit not in homes:
                if len(parts) > 1:  # 书记兼主任 in the 居委会 row: the part goes where it belongs
                    unit = homes[0]
                else:
                    return "role_not_in_unit"
            else:
                unit = row_unit
        elif part.role in NEEDS_UNIT and len(parts) == 1:
            return "unit_needed"
        else:
            unit = homes[0]
        posts.append(Post(unit, part.role))
        previous = unit
    return tuple(dict.fromkeys(posts))


def role_homes(role_text: str) -> str:
    """Where a post belongs, for the message of an error that put it elsewhere: 调解员 → 社区综治办."""
    parts = title_parts(role_text)
    homes = dict.fromkeys(unit for part in parts if part.role is not None for unit in ROLE_UNITS[part.role])
    zh = "、".join(UNITS[u][0] for u in homes)
    en = ", ".join(homes)
    return f"“{role_text}”属于{zh} / {role_text} belongs to: {en}" if homes else "一个机构 / a unit"


def parse_government(text: str) -> str | None:
    """`政府:和平桥街道办事处` → the body's name; anything else is not a government body."""
    norm = unicodedata.normalize("NFKC", text).strip()
    for prefix in GOVERNMENT_PREFIXES:
        if norm.lower().startswith(prefix):
            return norm[len(prefix):].strip() or None
    return None


# Headers of the roster tables: canonical column → the headings rosters use for it.
TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "communities": ("社区", "communities", "社区表"),
    "appointments": ("人员", "appointments", "people", "人员表", "花名册"),
    "regions": ("区域", "regions", "区域表"),
    "units": ("机构", "units", "机构表"),
    "relations": ("关系", "relations", "关系表"),
    "tasks": ("事项", "tasks", "事项表", "工作清单"),
    "facilities": ("设施", "facilities", "设施表", "阵地设施"),
    "leadership": ("领导小组", "leadership_group", "leadership", "领导小组成员"),
    "waivers": ("豁免", "waivers"),
}

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "communities": {
        "id": ("社区编码", "id", "社区代码", "编码", "社区(村)编码", "村(社区)编码"),
        "name": ("社区名称", "name", "名称", "社区", "村(社区)", "村(社区)名称", "社区(村)名称", "村名", "社区名"),
        "region": ("所属区域编码", "region", "所属区域", "区域编码"),
        "kind": ("类型", "kind", "社区类型", "城乡类型"),
        "households": ("户数", "households", "总户数", "居民户数", "户数(户)"),
        "population": ("人口", "population", "人口数", "总人口", "常住人口", "人口(人)"),
        "pilot": ("试点", "pilot", "是否试点"),
        "office_activity_yuan": ("年度办公活动经费(元)", "office_activity_yuan", "办公活动经费",
                                 "年度办公活动经费", "办公经费(元)"),
    },
    "appointments": {
        "community": ("社区编码", "community", "社区代码", "所在社区编码"),
        "community_name": ("所在社区", "社区", "社区名称", "村(社区)", "所属社区", "单位", "所在村(社区)",
                           "村(社区)名称", "社区(村)", "所在单位", "工作单位", "村居", "所在村居"),
        "person": ("人员编号", "person", "身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"),
        "name": ("姓名", "name", "名字"),
        "unit": ("机构", "unit", "所在机构", "所在组织", "部门", "所在部门"),
        "role": ("职务", "role", "岗位", "现任职务", "职务(岗位)", "担任职务", "现职务", "岗位名称", "职位", "现任岗位"),
        "full_time": ("专职", "full_time", "是否专职", "专兼职", "用工性质", "专职/兼职", "专职或兼职"),
        "education": ("学历", "education", "文化程度", "最高学历", "全日制学历", "学历(学位)"),
        "police_officer": ("民警", "police_officer", "是否民警"),
        "political_legal_officer": ("政法干警", "political_legal_officer", "是否政法干警"),
        "monthly_pay_yuan": ("月工资(元)", "monthly_pay_yuan", "月工资", "工资(元/月)", "月薪", "月薪(元)",
                             "工资", "月收入(元)", "月工资(元/月)", "工资待遇(元/月)"),
        "start": ("任职开始", "start", "任职开始日期", "任职时间", "任现职时间", "任职日期", "到岗时间", "任职起始时间"),
        "end": ("任职结束", "end", "任职结束日期", "离任时间", "任职截止时间"),
        "gender": ("性别", "gender"),
        "previous_monthly_pay_yuan": ("上年月工资(元)", "previous_monthly_pay_yuan", "上年月工资", "上年度月工资",
                                      "上年度月工资(元)", "去年月工资", "上年工资(元/月)"),
    },
    "regions": {
        "id": ("区域编码", "id"),
        "name": ("区域名称", "name"),
        "level": ("层级", "level"),
        "parent": ("上级编码", "parent"),
        "min_wage_monthly_yuan": ("最低工资(元/月)", "min_wage_monthly_yuan", "最低工资"),
    },
    "units": {
        "community": ("社区编码", "community"),
        "unit": ("机构", "unit"),
        "name": ("名称", "name"),
    },
    "relations": {
        "community": ("社区编码", "community"),
        "from": ("来自", "from"),
        "to": ("指向", "to"),
        "type": ("类型", "type"),
    },
    "tasks": {
        "community": ("社区编码", "community"),
        "id": ("事项编号", "id"),
        "name": ("事项名称", "name"),
        "assigned_by": ("交办单位", "assigned_by"),
        "category": ("类别", "category"),
        "approved": ("准入批准", "approved"),
        "authorization": ("授权文号", "authorization"),
        "funded": ("经费", "funded"),
        "purchase_contract": ("购买服务合同", "purchase_contract"),
    },
    "facilities": {
        "community": ("社区编码", "community"),
        "community_name": ("社区名称", "社区", "所在社区", "村(社区)"),
        "name": ("设施名称", "name", "名称", "设施"),
        "category": ("类别", "category", "设施类别", "类型"),
        "area_m2": ("面积(平方米)", "area_m2", "面积", "面积(㎡)", "建筑面积"),
    },
    "leadership": {
        "region": ("区域编码", "region"),
        "group_name": ("小组名称", "group_name", "领导小组"),
        "name": ("姓名", "name"),
        "role": ("小组职务", "role", "组内职务", "小组中职务"),
        "office_title": ("本职", "office_title", "现任职务", "职务", "工作单位及职务"),
        "office": ("本职代码", "office"),
    },
    "waivers": {
        "rule": ("规则", "rule"),
        "community": ("社区编码", "community"),
        "reason": ("理由", "reason"),
        "approved_by": ("批准人", "approved_by"),
        "document": ("批准文号", "document"),
        "expires": ("有效期至", "expires"),
    },
}
# Columns an office's own layout has that the template does not: the template keeps codes.
NATURAL_ONLY: dict[str, frozenset[str]] = {"appointments": frozenset({"community_name"}),
                                           "facilities": frozenset({"community_name"}), "leadership": frozenset({"office"})}
# Header decorations that say nothing of the column: a required-field star, a line break.
_HEADER_NOISE = re.compile(r"[*＊※\n]")
ID_NUMBER_HEADERS = frozenset(clean(h) for h in ("身份证号", "身份证号码", "公民身份号码"))

_TABLE = {clean(spelling): table for table, spellings in TABLE_NAMES.items() for spelling in spellings}


def table_for(name: str) -> str | None:
    """The table a sheet or CSV file name stands for (`人员.csv` → appointments)."""
    return _TABLE.get(clean(name))


def template_columns(table: str) -> list[str]:
    """The columns of a table as the template lays them out (codes, not an office's own words)."""
    return [c for c in HEADERS[table] if c not in NATURAL_ONLY.get(table, ())]


_COLUMN = {table: {clean(s): column for column, spellings in columns.items() for s in reversed(spellings)}
           for table, columns in HEADERS.items()}


def column_for(table: str, header: str) -> str | None:
    """The canonical column a header names, or None for a column we keep and ignore."""
    return _COLUMN[table].get(_HEADER_NOISE.sub("", clean(header)))


def accepted_headers(table: str, column: str) -> str:
    """The spellings a column may be headed with, for a message about a missing column."""
    return "、".join(HEADERS[table][column][:6])


def header_label(table: str, column: str) -> str:
    """The Chinese header of a column, for messages about a table the user did not write."""
    return HEADERS[table][column][0]

# Short unit names for messages (综治办专职调解员应不少于2名 …).
UNIT_SHORT = {
    "party_org": "党组织", "residents_committee": "居(村)委会", "service_station": "服务站",
    "governance_office": "综治办", "supervisory_committee": "监委会", "assembly": "居(村)民会议",
    "owners_committee": "业委会", "civil_affairs_station": "民政服务站", "social_org": "社会组织",
}


def post_reading_label(code: str) -> str:
    """`party_org.member` → 党组织·委员, as the 读取说明 shows how a title was read."""
    unit, _, role = code.partition(".")
    return f"{UNIT_SHORT.get(unit, unit)}·{ROLES.get(role, '其他')}"


def mapping_messages(table: str, header_row: int, columns: Mapping[str, str], unused: Iterable[str],
                     community: str | None, titles: list[dict[str, object]]) -> tuple[str, str]:
    """The 读取说明 of one sheet, in Chinese and in English."""
    read = "、".join(h if header_label(table, c) == h else f"{h}→{header_label(table, c)}" for h, c in columns.items())
    unused_list = list(unused)
    zh = f"第{header_row}行为表头,读取{TABLE_NAMES[table][0]}表:{read}"
    en = f"header in row {header_row}, read as table {table}: " + ", ".join(f"{h} → {c}" for h, c in columns.items())
    if community:
        zh += f";本表各行属于“{community}”"
        en += f"; every row belongs to {community}"
    if unused_list:
        zh += ";未使用的列:" + "、".join(unused_list)
        en += "; columns not used: " + ", ".join(unused_list)
    if titles:
        def read_as(t: dict[str, object]) -> list[str]:
            return [str(code) for code in t["read_as"]]  # type: ignore[attr-defined]
        zh += ";按机构前缀或拆分读取的职务:" + "、".join(
            f"{t['title']} → {' + '.join(post_reading_label(c) for c in read_as(t))} ×{t['rows']}" for t in titles)
        en += "; post titles read through a unit prefix or split: " + ", ".join(
            f"{t['title']} → {' + '.join(read_as(t))} x{t['rows']}" for t in titles)
    return zh, en
