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
                  "村党委", "村党总支", "村党支部", "党组织委员会", "社区党组织", "村党组织"),
    "residents_committee": ("居委会", "村委会", "居民委员会", "社区居委会", "村民委员会",
                            "社区居民委员会"),
    "service_station": ("服务站", "社区服务站", "便民服务站", "管理服务站", "社区管理服务站",
                        "村服务站", "一站式服务站"),
    "governance_office": ("综治办", "综治中心", "综治办公室", "社区综治中心", "社区综治办",
                          "村综治办"),
    "supervisory_committee": ("监委会", "村监会", "监督委员会", "居务监督委员会",
                              "村务监督委员会", "居监会"),
    "assembly": ("居民会议", "村民会议", "居民代表会议", "村民代表会议", "居民会议(代表会议)",
                 "村民会议(代表会议)"),
    "owners_committee": ("业委会", "业主委员会"),
    "civil_affairs_station": ("民政服务站", "民政站"),
    "social_org": ("社会组织", "其他社会组织"),
}

ROLES: dict[str, str] = {
    "secretary": "书记",
    "deputy_secretary": "副书记",
    "director": "主任",
    "deputy_director": "副主任",
    "member": "委员",
    "station_head": "站长",
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

ROLE_VARIANTS: dict[str, tuple[str, ...]] = {
    "secretary": ("书记", "党委书记", "党总支书记", "党支部书记", "支部书记", "社区书记", "村书记",
                  "党组织书记", "第一书记"),
    "deputy_secretary": ("副书记", "党委副书记", "党总支副书记", "党支部副书记", "支部副书记"),
    "director": ("主任", "居委会主任", "村委会主任", "社区主任", "村主任", "监委会主任",
                 "村监会主任", "业委会主任"),
    "deputy_director": ("副主任", "居委会副主任", "村委会副主任", "社区副主任", "村副主任",
                        "业委会副主任", "监委会副主任"),
    "member": ("委员", "成员", "党委委员", "支委", "支部委员", "居委会委员", "村委会委员",
               "居委委员", "村委委员", "监委会委员", "业委会委员"),
    "station_head": ("站长", "服务站站长", "民政服务站站长"),
    "staff": ("专职工作人员", "工作人员", "服务站工作人员", "专职人员", "服务站专职人员"),
    "governance_specialist": ("综治专干", "专干", "综治专职干部"),
    "resident_police": ("驻村(居)民警", "驻村民警", "驻居民警", "社区民警", "民警", "驻社区民警"),
    "mediator": ("专职调解员", "调解员", "人民调解员", "专职人民调解员"),
    "security_guard": ("专职保安", "保安", "保安员", "专职保安员"),
    "student_social_worker": ("大学生综治社工", "综治社工", "大学生社工"),
    "legal_envoy": ("政法干警综治特派员", "综治特派员", "政法特派员", "特派员"),
    "civil_affairs_assistant": ("民政协理员", "协理员"),
    "student_official": ("大学生村官", "村官", "大学生村官(社区)"),
}

KINDS = {"urban": "城市", "rural": "农村"}
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
    "none": ("初中及以下", "初中", "小学", "无"),
    "secondary": ("高中", "中专", "职高", "技校", "高中/中专", "中技"),
    "associate": ("大专", "专科", "高职", "大学专科"),
    "bachelor": ("本科", "大学本科", "学士", "大学"),
    "master": ("硕士", "研究生", "硕士研究生"),
    "doctorate": ("博士", "博士研究生"),
}

GENDERS = {"male": "男", "female": "女"}
GENDER_VARIANTS = {"male": ("男", "m"), "female": ("女", "f")}

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

YES_NO_VARIANTS = {
    True: ("是", "y", "yes", "true", "1", "√", "有", "专职", "t"),
    False: ("否", "n", "no", "false", "0", "×", "无", "兼职", "f"),
}

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
            table[clean(spelling)] = code  # type: ignore[has-type]
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


@lru_cache(maxsize=65536)
def parse_post(unit_text: str, role_text: str) -> tuple[Post, ...] | str:
    """Read a (机构, 职务) pair into posts, or return the error code that explains why not.

    Compound posts (书记兼主任) are split; each part stays in the row's unit when it belongs
    there, else goes to the unit its role belongs to. Posts no rule knows become `other`.
    """
    unit = _UNIT.get(clean(unit_text))
    if unit is None:
        return "unknown_unit"
    role = _ROLE.get(clean(role_text))
    if role is not None:
        if unit not in ROLE_UNITS[str(role)]:
            return "role_not_in_unit"
        return (Post(str(unit), str(role)),)
    parts = [p for p in COMPOUND_SEPARATORS.split(clean(role_text)) if p]
    roles = [_ROLE.get(p) for p in parts]
    if len(parts) < 2 or all(r is None for r in roles):
        return (Post(str(unit), OTHER_ROLE),)
    posts = []
    for part_role in roles:
        if part_role is None:  # 书记兼网格员: the 书记 part counts, the rest is a post no rule knows
            posts.append(Post(str(unit), OTHER_ROLE))
            continue
        homes = ROLE_UNITS[str(part_role)]
        posts.append(Post(str(unit) if unit in homes else homes[0], str(part_role)))
    return tuple(dict.fromkeys(posts))


def role_homes(role_text: str) -> str:
    """Where a post belongs, for the message of an error that put it elsewhere: 调解员 → 社区综治办."""
    parts = [_ROLE.get(p) for p in COMPOUND_SEPARATORS.split(clean(role_text)) if p] or [_ROLE.get(clean(role_text))]
    homes = dict.fromkeys(unit for role in parts if role is not None for unit in ROLE_UNITS[str(role)])
    labels = "、".join(f"{UNITS[u][0]} ({u})" for u in homes)
    return f"“{role_text}”属于 / belongs to: {labels}" if labels else "一个机构 / a unit"


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
    "waivers": ("豁免", "waivers"),
}

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "communities": {
        "id": ("社区编码", "id", "社区代码", "编码"),
        "name": ("社区名称", "name", "名称"),
        "region": ("所属区域编码", "region", "所属区域", "区域编码"),
        "kind": ("类型", "kind", "社区类型"),
        "households": ("户数", "households"),
        "population": ("人口", "population", "人口数"),
        "pilot": ("试点", "pilot"),
        "office_activity_yuan": ("年度办公活动经费(元)", "office_activity_yuan", "办公活动经费",
                                 "年度办公活动经费"),
    },
    "appointments": {
        "community": ("社区编码", "community", "社区代码"),
        "person": ("人员编号", "person", "身份证号", "身份证号码", "公民身份号码"),
        "name": ("姓名", "name"),
        "unit": ("机构", "unit", "所在机构"),
        "role": ("职务", "role", "岗位"),
        "full_time": ("专职", "full_time", "是否专职"),
        "education": ("学历", "education"),
        "police_officer": ("民警", "police_officer", "是否民警"),
        "political_legal_officer": ("政法干警", "political_legal_officer", "是否政法干警"),
        "monthly_pay_yuan": ("月工资(元)", "monthly_pay_yuan", "月工资"),
        "start": ("任职开始", "start", "任职开始日期"),
        "end": ("任职结束", "end", "任职结束日期"),
        "gender": ("性别", "gender"),
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
    "waivers": {
        "rule": ("规则", "rule"),
        "community": ("社区编码", "community"),
        "reason": ("理由", "reason"),
        "approved_by": ("批准人", "approved_by"),
        "document": ("批准文号", "document"),
        "expires": ("有效期至", "expires"),
    },
}
ID_NUMBER_HEADERS = frozenset(clean(h) for h in ("身份证号", "身份证号码", "公民身份号码"))

_TABLE = {clean(spelling): table for table, spellings in TABLE_NAMES.items() for spelling in spellings}


def table_for(name: str) -> str | None:
    """The table a sheet or CSV file name stands for (`人员.csv` → appointments)."""
    return _TABLE.get(clean(name))


def column_for(table: str, header: str) -> str | None:
    """The canonical column a header names, or None for a column we keep and ignore."""
    wanted = clean(header)
    for column, spellings in HEADERS[table].items():
        if any(clean(s) == wanted for s in spellings):
            return column
    return None


def header_label(table: str, column: str) -> str:
    """The Chinese header of a column, for messages about a table the user did not write."""
    return HEADERS[table][column][0]

# Short unit names for messages (综治办专职调解员应不少于2名 …).
UNIT_SHORT = {
    "party_org": "党组织", "residents_committee": "居(村)委会", "service_station": "服务站",
    "governance_office": "综治办", "supervisory_committee": "监委会", "assembly": "居(村)民会议",
    "owners_committee": "业委会", "civil_affairs_station": "民政服务站", "social_org": "社会组织",
}
