"""Deterministic synthetic staffing rosters in the CSV-folder format of formats.md §2.

Two entry points share one community generator (`Generator.community`):

* `write_district` writes the bundled example 崇川区 (~100 named communities on 8 streets);
* `write_synthetic` writes benchmark data of any size over a generated
  province → city → county → street tree.

Everything is drawn from one `random.Random(seed)` in a fixed order and written as it is
drawn, so a given input always gives byte-identical files and 100,000 communities never sit
in memory at once. Defects are planned up front (`plan_defects`) rather than drawn inside a
community, so that the district has a fixed, reportable list and every kind occurs.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
Row = list[str]
# (人员编号, 姓名, 学历, 民警, 政法干警, 月工资, 性别): the columns that must repeat identically.
Person = tuple[str, str, str, str, str, str, str]

HEADERS: dict[str, Row] = {
    "区域": ["区域编码", "区域名称", "层级", "上级编码", "最低工资(元/月)"],
    "社区": ["社区编码", "社区名称", "所属区域编码", "类型", "户数", "人口", "试点", "年度办公活动经费(元)"],
    "人员": ["社区编码", "人员编号", "姓名", "机构", "职务", "专职", "学历", "民警", "政法干警",
             "月工资(元)", "任职开始", "任职结束", "性别"],
    "机构": ["社区编码", "机构", "名称"],
    "关系": ["社区编码", "来自", "指向", "类型"],
    "事项": ["社区编码", "事项编号", "事项名称", "交办单位", "类别", "准入批准", "授权文号", "经费",
             "购买服务合同"],
}

# Unit spellings as rosters write them: (urban, rural) choices, one picked per community.
PARTY = (("社区党组织", "党委", "党总支", "党支部"), ("村党组织", "党总支", "党支部", "党委"))
COMMITTEE = (("居委会", "社区居民委员会"), ("村委会", "村民委员会"))
SUPERVISORY = (("居务监督委员会", "监委会"), ("村监会", "村务监督委员会"))
POLICE = (("驻居民警", "社区民警"), ("驻村民警",))
STATION = ("服务站", "社区服务站", "便民服务站")
GOVERNANCE = ("综治办", "综治中心")
OWNERS = ("业主委员会", "业委会")

# Education pools per kind of post; repeats weight the draw, variants test the readers.
EDU_LEAD = ("本科", "本科", "大学本科", "大专", "硕士", "研究生")
EDU_STAFF = ("大专", "大专", "本科", "大学本科", "中专", "高中")
EDU_WORKER = ("初中及以下", "高中", "高中", "中专", "大专")
EDU_GRADUATE = ("本科", "本科", "大学本科", "大专", "硕士")

ELECTION = ("2021-03-01", "2021-06-01")  # the 2021 两委换届
HIRED = ("2019-07-01", "2020-03-01", "2021-03-01", "2022-01-01", "2022-09-01", "2023-03-01",
         "2024-01-01", "2024-07-01")

SURNAMES = "张王李陈顾朱徐陆季周吴黄刘杨沈施曹孙钱蔡丁范冯姜袁葛汤许邵严金秦缪瞿卢唐宋郭何胡"
GIVEN_M = "伟强军建国华明志刚勇斌健杰峰磊涛超辉鹏宇浩俊海林"
GIVEN_F = "芳丽娟敏静霞燕玲红英梅琴萍慧洁婷雪兰颖琳倩云娜"
PLACE = ("虹桥", "友谊", "和平", "文峰", "北濠", "城港", "五一", "桃园", "建设", "光明", "长桥",
         "天生", "学田", "钟秀", "永兴", "新华", "人民", "跃龙", "青年", "园林", "濠东", "濠西",
         "华兴", "盛和", "秦灶", "观音山", "陈桥", "通源", "启秀", "八一", "易家桥", "东港",
         "南川", "西园", "北郊", "太平", "龙潭", "狼山", "芦泾", "紫琅", "崇文", "永安", "福星",
         "新桥", "中兴", "城西", "幸福", "姚港", "任港", "钟楼", "唐闸", "天宁", "金桥", "江海")
URBAN_SUFFIX = ("社区", "社区", "新村社区", "花园社区", "苑社区", "里社区")
RURAL_SUFFIX = ("家村", "庄村", "圩村", "港村")
WAGES = ("2280", "2070", "1840")  # Jiangsu's three minimum-wage tiers (yuan / month)

# Defects in the order they are handed out; the last ones occur once in the district. Kinds
# that would hide each other (no social worker / unqualified one) are never neighbours, since
# a community that takes two takes neighbours.
DEFECTS = ("mediator_missing", "guard_missing", "rc_small", "no_social_worker", "police_flag",
           "social_worker_school", "station_short", "dual_full_time", "low_pay",
           "mediator_part_time", "party_large", "owners_no_cross", "task_gov_duty",
           "task_unapproved", "task_no_contract", "no_governance_office", "population_blank",
           "budget_low", "households_blank", "task_blank_category")
DEFECT_SHARE = 0.34  # communities with at least one defect
TASK_DEFECTS = frozenset(d for d in DEFECTS if d.startswith("task_"))


def _pick(r: Callable[[], float], seq: Sequence[T]) -> T:
    """rng.choice without its overhead: one float per draw keeps 3 million rows fast."""
    return seq[int(r() * len(seq))]


def _between(r: Callable[[], float], lo: int, hi: int) -> int:
    return lo + int(r() * (hi - lo + 1))


@dataclass
class Street:
    """A street / town and the communities to draw in it (their kinds, in order)."""

    code: str
    name: str
    government: str  # the body that guides its communities, e.g. 和平桥街道办事处
    prefix: str  # county abbreviation used in document numbers (崇)
    kinds: list[str]


@dataclass
class Tree:
    """Regions as 区域.csv rows, the streets to fill, and which community codes are pilots."""

    regions: list[Row] = field(default_factory=list)
    streets: list[Street] = field(default_factory=list)
    pilots: set[str] = field(default_factory=set)


@dataclass
class Draft:
    """One community's rows, collected by the unit generators and then written together."""

    cid: str
    name: str
    rural: bool
    defects: tuple[str, ...]
    party: str
    committee: str
    committee_members: list[Person] = field(default_factory=list)
    people: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    relations: list[Row] = field(default_factory=list)
    tasks: list[Row] = field(default_factory=list)

    def add(self, p: Person, unit: str, role: str, full_time: str, start: str, end: str = "") -> None:
        """One appointment row; person columns always come from the one Person tuple."""
        self.people.append([self.cid, p[0], p[1], unit, role, full_time, p[2], p[3], p[4], p[5],
                            start, end, p[6]])


def plan_defects(kinds: Sequence[str], rng: random.Random) -> list[tuple[str, ...]]:
    """Which defects each community gets, by position in the roster.

    DEFECT_SHARE of the communities are drawn; they take the DEFECTS in turn (every seventh
    takes two), so all kinds occur in a district of 100. The first community never gets one,
    because `dual_full_time` re-appoints a person from the community before. One community
    in a hundred also gets `government_leads` (a street office that 领导s, rule R1).
    """
    n = len(kinds)
    plan: list[tuple[str, ...]] = [() for _ in range(n)]
    turn = itertools.cycle(DEFECTS)
    for k, i in enumerate(rng.sample(range(1, n), round((n - 1) * DEFECT_SHARE))):
        chosen: list[str] = []
        while len(chosen) < (2 if k % 7 == 6 else 1):
            defect = next(turn)
            if not (defect == "owners_no_cross" and kinds[i] == "农村"):  # no 业委会 in villages
                chosen.append(defect)
        plan[i] = tuple(chosen)
    for i in rng.sample(range(n), max(1, n // 100)):
        plan[i] += ("government_leads",)
    return plan


class Generator:
    """Draws communities one after another; holds what crosses communities (ids, X1 person)."""

    def __init__(self, rng: random.Random, id_width: int) -> None:
        self.r, self.width, self.next_id = rng.random, id_width, 1
        self.last_full_timer: Person | None = None  # a station worker to re-appoint for X1

    def person(self, edu: Sequence[str], pay: str = "", police: str = "否", legal: str = "否") -> Person:
        r = self.r
        pid = f"P{self.next_id:0{self.width}d}"
        self.next_id += 1
        female = r() < 0.5
        given = GIVEN_F if female else GIVEN_M
        name = _pick(r, SURNAMES) + _pick(r, given) + (_pick(r, given) if r() < 0.7 else "")
        return (pid, name, _pick(r, edu), police, legal, pay, "女" if female else "男")

    def pay(self, lo: int, hi: int) -> str:
        return str(_between(self.r, lo, hi) // 10 * 10)

    def community(self, street: Street, number: int, name: str, pilot: bool,
                  defects: tuple[str, ...]) -> tuple[Row, Draft]:
        """The 社区.csv row and all other rows of one community."""
        r = self.r
        rural = street.kinds[number - 1] == "农村"
        d = Draft(f"{street.code}{number:03d}", name, rural, defects,
                  _pick(r, PARTY[rural]), _pick(r, COMMITTEE[rural]))
        # many small communities, few large ones: the product of two uniforms skews low
        households = _between(r, 600, 2000) if rural else 1500 + int(3500 * r() * r())
        population = int(households * (2.4 + 0.45 * r()))
        budget = (int(population * (21 + 15 * r())) // 1000 + 1) * 1000
        if "budget_low" in defects:
            budget = population * 15 // 1000 * 1000
        deputy = self._committees(d)
        self._station(d, households, deputy)
        self._governance(d)
        self._optional_units(d)
        self._tasks(d, street)
        self._relations(d, street)
        row = [d.cid, name, street.code, "农村" if rural else "城市",
               "" if "households_blank" in defects else str(households),
               "" if "population_blank" in defects else str(population),
               "是" if pilot else "否", str(budget)]
        return row, d

    def _committees(self, d: Draft) -> Person:
        """一委 and 一居: the secretary is also director (一肩挑), and some party members also
        sit on the residents' committee (交叉任职). Returns the deputy secretary."""
        r, hi = self.r, 7 if d.rural else 9
        secretary = self.person(EDU_LEAD, self.pay(4800, 6000))
        if r() < 0.7:
            d.add(secretary, d.party, "书记兼主任", "是", ELECTION[0])
        else:
            d.add(secretary, d.party, "书记", "是", ELECTION[0])
            d.add(secretary, d.committee, "主任", "是", ELECTION[0])
        deputy = self.person(EDU_LEAD, self.pay(4000, 5500))
        d.add(deputy, d.party, "副书记", "是", ELECTION[0])
        party_size = 10 if "party_large" in d.defects else _between(r, 5, hi)
        members = [self.person(EDU_STAFF, self.pay(3200, 5000)) for _ in range(party_size - 2)]
        for m in members:
            d.add(m, d.party, "委员", "是", ELECTION[0])
        committee_size = 4 if "rc_small" in d.defects else _between(r, 5, hi)
        vice = self.person(EDU_STAFF, "1800" if "low_pay" in d.defects else self.pay(3500, 5000))
        d.add(vice, d.committee, "副主任", "是", ELECTION[1])
        others = d.committee_members  # 交叉任职 party members first, then the committee's own
        others += members[:min(_between(r, 1, 3), committee_size - 2)]
        while len(others) < committee_size - 2:
            others.append(self.person(EDU_STAFF, self.pay(3000, 4500) if r() < 0.7 else ""))
        for m in others:  # the paid ones are full-time 社区工作者, the others volunteers
            d.add(m, d.committee, "委员", "是" if m[5] else _pick(r, ("否", "")), ELECTION[1])
        return deputy

    def _station(self, d: Draft, households: int, head: Person) -> None:
        """一站: full-time persons (head included) ≥ max(1, round-half-up(households / 300))."""
        r = self.r
        unit = _pick(r, STATION)
        required = max(1, (households + 150) // 300)
        d.add(head, unit, "站长", "是", ELECTION[0])
        staff = required - 1 + int(r() < 0.1)
        if "station_short" in d.defects:
            staff = max(0, required - 2 - int(r() < 0.5))
        if "dual_full_time" in d.defects and self.last_full_timer is not None:
            d.add(self.last_full_timer, unit, "专职工作人员", "是", "2024-01-01")
        for k in range(staff):
            p = self.person(EDU_STAFF, self.pay(2800, 4500))
            d.add(p, unit, "专职工作人员", "是", _pick(r, HIRED))
            if k == 0:
                self.last_full_timer = p
        if r() < 0.15:
            d.add(self.person(EDU_WORKER, self.pay(2400, 3200)), unit, "网格员", "是", _pick(r, HIRED))

    def _governance(self, d: Draft) -> None:
        """一办: 专干, police, 2 mediators, 2 guards, graduate social worker, legal envoy."""
        if "no_governance_office" in d.defects:
            return
        r, defects = self.r, d.defects
        unit = _pick(r, GOVERNANCE)
        paid = [m for m in d.committee_members if m[5]]
        # often a committee member (交叉任职)
        specialist = paid[-1] if paid and r() < 0.5 else self.person(EDU_STAFF, self.pay(3000, 4500))
        d.add(specialist, unit, "综治专干", "是", _pick(r, HIRED))
        flag = _pick(r, ("否", "")) if "police_flag" in defects else "是"
        police = self.person(EDU_GRADUATE, "", police=flag, legal="是")
        d.add(police, unit, _pick(r, POLICE[d.rural]), "", _pick(r, HIRED))
        if r() < 0.05:  # a mediator who left; the replacement started the next day
            d.add(self.person(EDU_WORKER, self.pay(2400, 3500)), unit, "专职调解员", "是", "2018-03-01", "2023-12-31")
        for k in range(1 if "mediator_missing" in defects else 2):
            part = k == 0 and "mediator_part_time" in defects
            p = self.person(EDU_WORKER, "" if part else self.pay(2600, 3800))
            d.add(p, unit, "调解员" if part else _pick(r, ("专职调解员", "调解员")), "否" if part else "是", "2024-01-01")
        for _ in range(1 if "guard_missing" in defects else 2):
            guard = self.person(EDU_WORKER, self.pay(2400, 3200))
            d.add(guard, unit, _pick(r, ("专职保安", "保安")), "是", _pick(r, HIRED))
        if "no_social_worker" not in defects:
            edu = ("高中",) if "social_worker_school" in defects else EDU_GRADUATE
            d.add(self.person(edu, self.pay(3000, 4200)), unit, "大学生综治社工", "是", _pick(r, HIRED))
        envoy = self.person(EDU_GRADUATE, "", police=_pick(r, ("否", "是")), legal="是")
        d.add(envoy, unit, "政法干警综治特派员", "", _pick(r, HIRED))

    def _optional_units(self, d: Draft) -> None:
        """村官, 民政服务站, 监委会, 业委会 and posts no rule knows (网格员 is in _station)."""
        r = self.r
        if r() < 0.75:
            official = self.person(EDU_GRADUATE, self.pay(3000, 4000))
            d.add(official, d.committee, "大学生村官", "是", _pick(r, HIRED))
        if r() < 0.25:
            for role in ("站长", "民政协理员"):
                d.add(self.person(EDU_STAFF, self.pay(2800, 4200)), "民政服务站", role, "是", _pick(r, HIRED))
        if r() < 0.3:
            unit = _pick(r, SUPERVISORY[d.rural])
            for role in ("主任", "委员", "委员"):
                d.add(self.person(EDU_WORKER), unit, role, "", ELECTION[1])
        if d.rural and r() < 0.3:
            d.add(self.person(EDU_STAFF, self.pay(2600, 3600)), d.committee, "会计", "是", _pick(r, HIRED))
        if not d.rural and (r() < 0.3 or "owners_no_cross" in d.defects):
            unit = _pick(r, OWNERS)
            d.add(self.person(EDU_STAFF), unit, "主任", "", "2022-09-01")
            for _ in range(_between(r, 1, 3)):
                d.add(self.person(EDU_WORKER), unit, "委员", "", "2022-09-01")
            if "owners_no_cross" not in d.defects and d.committee_members:
                d.add(d.committee_members[-1], unit, "委员", "", "2022-09-01")
        elif not d.rural and r() < 0.04:  # declared, nobody elected yet
            d.units.append([d.cid, "业委会", f"{d.name}业主委员会(筹)"])

    def _tasks(self, d: Draft, street: Street) -> None:
        """The 工作清单 of some communities; the task defects add one bad row each."""
        r, p = self.r, street.prefix
        wanted = [t for t in d.defects if t in TASK_DEFECTS]
        if not wanted and r() >= 0.15:
            return
        n = _between(r, 1, 99)
        rows = [["社区议事协商", street.government, "自治本职", "", "", "", ""],
                ["城乡居民医保参保登记", "医保局", "协助政府", "是", f"{p}医〔2024〕{n}号", "是", ""]]
        if r() < 0.5:
            rows.append(["社区居家养老服务", "民政局", "其他", "", "", "是", f"{p}民购〔2024〕{n}号"])
        bad = {"task_gov_duty": ["违法建设拆除", "城管局", "政府职责", "", "", "", ""],
               "task_unapproved": ["人口普查入户登记", "统计局", "协助政府", _pick(r, ("否", "")), "",
                                   "否", ""],
               "task_no_contract": ["垃圾分类督导", "城管局", "其他", "", "", "是", ""],
               "task_blank_category": ["征兵宣传动员", "人武部", "", "", "", "", ""]}
        rows += [bad[t] for t in wanted]
        d.tasks = [[d.cid, f"T{k}", *row] for k, row in enumerate(rows, 1)]

    def _relations(self, d: Draft, street: Street) -> None:
        """A few communities list their edges; R1's defect is a street office that 领导s."""
        leads = "government_leads" in d.defects
        if leads or self.r() < 0.1:
            d.relations = [[d.cid, f"政府:{street.government}", d.committee, "领导" if leads else "指导"],
                           [d.cid, d.party, d.committee, "领导"]]


def _community_names(r: Callable[[], float], kinds: Sequence[str]) -> list[str]:
    """Names unique within one street: 虹桥社区, 友谊新村社区 for towns, 张家村 for villages."""
    names: list[str] = []
    for kind in kinds:
        while True:
            if kind == "农村":
                stem = _pick(r, SURNAMES) if r() < 0.6 else _pick(r, PLACE)
                name = stem + (_pick(r, RURAL_SUFFIX) if len(stem) == 1 else "村")
            else:
                name = _pick(r, PLACE) + _pick(r, URBAN_SUFFIX)
            if name not in names:
                names.append(name)
                break
    return names


def _write(out_dir: Path, tree: Tree, rng: random.Random) -> None:
    """Stream the tree's communities into the six CSV files (UTF-8, no BOM, \\n endings)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    kinds = [k for s in tree.streets for k in s.kinds]
    plan = plan_defects(kinds, rng)
    gen = Generator(rng, max(5, len(str(len(kinds) * 40))))
    with ExitStack() as stack:
        out = {t: csv.writer(stack.enter_context(open(out_dir / f"{t}.csv", "w", encoding="utf-8", newline="")),
                             lineterminator="\n") for t in HEADERS}
        for table, header in HEADERS.items():
            out[table].writerow(header)
        out["区域"].writerows(tree.regions)
        defects = iter(plan)
        for street in tree.streets:
            for number, name in enumerate(_community_names(rng.random, street.kinds), 1):
                cid = f"{street.code}{number:03d}"
                row, d = gen.community(street, number, name, cid in tree.pilots, next(defects))
                out["社区"].writerow(row)
                out["人员"].writerows(d.people)
                out["机构"].writerows(d.units)
                out["关系"].writerows(d.relations)
                out["事项"].writerows(d.tasks)


def _community_codes(streets: Sequence[Street]) -> list[str]:
    return [f"{s.code}{i:03d}" for s in streets for i in range(1, len(s.kinds) + 1)]


DISTRICT_SEED = 320602
# 崇川区's streets: (code suffix, name, urban communities, rural villages).
DISTRICT_STREETS = (("001", "和平桥街道", 12, 0), ("002", "城东街道", 13, 0), ("003", "任港街道", 12, 0),
                    ("004", "新城桥街道", 11, 0), ("005", "虹桥街道", 12, 0), ("006", "学田街道", 10, 0),
                    ("007", "钟秀街道", 8, 4), ("008", "幸福街道", 2, 16))


def write_district(out_dir: Path) -> None:
    """The bundled example: 崇川区 (320602) in 南通市 (320600), 100 communities on 8 streets,
    20 of them villages, 2 pilots, minimum wage 2280 on the county row. Seed fixed."""
    rng = random.Random(DISTRICT_SEED)
    tree = Tree(regions=[["320600", "南通市", "市", "", ""], ["320602", "崇川区", "区县", "320600", "2280"]])
    for suffix, name, urban, rural in DISTRICT_STREETS:
        code, kinds = "320602" + suffix, ["城市"] * urban + ["农村"] * rural
        tree.regions.append([code, name, "街道乡镇", "320602", ""])
        tree.streets.append(Street(code, name, name + "办事处", "崇", kinds))
    tree.pilots = set(rng.sample(_community_codes(tree.streets), 2))
    _write(out_dir, tree, rng)
    _write_extras(out_dir, random.Random(DISTRICT_SEED + 1), [("320600", "南通市")])


# What the seed asks beyond staffing (issue 13), added to the district with a second generator so
# that every row drawn before stays as it was: the supervision bodies most communities declare (A3),
# their facilities (FC1), last year's pay of the full-time workers (P2), and 南通市's leadership group
# with one deputy missing (LG3).
ROOMS = ("党员活动室", "警务室", "调解室", "图书阅览室", "老年活动室", "多功能活动室", "心理咨询室")
STATIONS = ("卫生计生服务站", "志愿者服务站", "社会组织服务站", "劳动保障服务站")
BOARDS = ("居务公开栏", "党务公开栏", "宣传栏")
VILLAGE_BOARDS = ("村务公开栏", "党务公开栏", "宣传栏")
LEADERSHIP = (("组长", "市委书记"), ("副组长", "市长"), ("副组长", "市委政法委书记"),
              ("成员", "市依治办主任"), ("成员", "市民政局局长"), ("成员", "市司法局局长"), ("成员", "市财政局局长"))
LEADERS = ("陆某", "张某", "顾某", "朱某", "徐某", "季某", "周某")


def _write_extras(out_dir: Path, rng: random.Random, groups: Sequence[tuple[str, str]]) -> None:
    """Add the issue-13 data to a written roster folder: 监委会 declared in 机构.csv, 设施.csv,
    a 上年月工资(元) column in 人员.csv (streamed: a province's roster is millions of lines), and
    领导小组.csv with the group of each (region id, region name) in `groups`, its 市委副书记 missing."""
    r = rng.random
    with open(out_dir / "社区.csv", encoding="utf-8") as f:
        communities = [(row[0], row[1], row[3] == "农村") for row in list(csv.reader(f))[1:]]
    with open(out_dir / "人员.csv", encoding="utf-8") as f:
        supervised = {row[0] for row in csv.reader(f) if "监" in row[3]}
    with open(out_dir / "机构.csv", "a", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        for cid, name, rural in communities:
            if cid not in supervised and r() < 0.9:
                unit = "村务监督委员会" if rural else "居务监督委员会"
                writer.writerow([cid, unit, f"{name}{unit}"])
    with open(out_dir / "设施.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["社区编码", "设施名称", "类别", "面积(平方米)"])  # names repeat across streets
        for cid, _, rural in communities:
            short = r() < 0.15  # a community a category short
            rooms = ROOMS[:_between(r, 3, 4) if short and r() < 0.5 else _between(r, 5, 7)]
            stations = STATIONS[:2 if short and r() < 0.5 else _between(r, 3, 4)]
            facilities = [*rooms, *stations, *(VILLAGE_BOARDS if rural else BOARDS)[:_between(r, 2, 3)]]
            facilities += ["村民学校" if rural else "居民学校", "文体活动场所" if r() < 0.6 else "健身广场"]
            for facility in facilities:
                writer.writerow([cid, facility, "", str(_between(r, 2, 30) * 10)])
    people = out_dir / "人员.csv"
    rewritten = out_dir / "人员.csv.tmp"
    with open(people, encoding="utf-8", newline="") as f, open(rewritten, "w", encoding="utf-8", newline="") as out:
        rows, writer = csv.reader(f), csv.writer(out, lineterminator="\n")
        header = next(rows)
        pay, full_time = header.index("月工资(元)"), header.index("专职")
        writer.writerow([*header, "上年月工资(元)"])
        last_year: dict[str, str] = {}
        for row in rows:
            if row[1] not in last_year:
                figure = ""
                if row[pay] and row[full_time] == "是" and r() < 0.6:
                    chance = r()  # mostly a rise; now and then flat, or a cut
                    change = 0 if chance < 0.01 else -200 if chance < 0.02 else _pick(r, (100, 150, 200, 250, 300, 400, 500))
                    figure = str(max(0, int(row[pay]) - change))
                last_year[row[1]] = figure
            writer.writerow([*row, last_year[row[1]]])
    rewritten.replace(people)
    with open(out_dir / "领导小组.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["区域编码", "小组名称", "姓名", "小组职务", "本职"])
        for region, region_name in groups:
            for name, (role, office) in zip(LEADERS, LEADERSHIP, strict=True):
                writer.writerow([region, f"{region_name}“政社互动”领导小组", name, role, office])


TREE_LEVELS = (("省", ("省",)), ("市", ("市",)), ("区县", ("区", "区", "县")))
PILOTS_PER_COUNTY = (0, 1, 2, 2, 2, 3, 4)  # mostly within C1's 1–3, some counties outside


def _synthetic_tree(communities: int, rng: random.Random) -> Tree:
    """A province → city → county → street tree holding `communities` communities:
    8–12 children per level, 25–35 communities per street, ≈ 23% of streets towns (镇) of
    mostly villages, minimum wage on each county, 0–4 pilots per county (C1 wants 1–3)."""
    r, tree, left = rng.random, Tree(), [communities]

    def add_street(code: str, county: str, prefix: str) -> None:
        town, size = r() < 0.23, min(left[0], _between(r, 25, 35))
        left[0] -= size
        name = _pick(r, PLACE) + ("镇" if town else "街道")
        tree.regions.append([code, name, "街道乡镇", county, ""])
        kinds = ["农村" if town and r() < 0.85 else "城市" for _ in range(size)]
        tree.streets.append(Street(code, name, name + ("人民政府" if town else "办事处"), prefix, kinds))

    def grow(parent: str, depth: int, prefix: str) -> None:
        """Add children under `parent` while communities remain (provinces without end)."""
        for n in itertools.count(11) if depth == 0 else range(1, _between(r, 8, 12) + 1):
            if left[0] <= 0:
                return
            if depth == 3:
                add_street(f"{parent}{n:03d}", parent, prefix)
                continue
            level, suffixes = TREE_LEVELS[depth]
            code, name = f"{parent}{n:02d}", _pick(r, PLACE) + _pick(r, suffixes)
            tree.regions.append([code, name, level, parent, _pick(r, WAGES) if depth == 2 else ""])
            first = len(tree.streets)
            grow(code, depth + 1, name[0])
            if depth == 2:  # each county picks its pilots among its own communities
                codes = _community_codes(tree.streets[first:])
                pilots = min(len(codes), _pick(r, PILOTS_PER_COUNTY))
                tree.pilots.update(rng.sample(codes, pilots))

    grow("", 0, "")
    return tree


def write_synthetic(out_dir: Path, communities: int, seed: int = 1) -> None:
    """Benchmark data of any size: the district's kind of communities and defects over a
    generated region tree. Byte-identical for the same (communities, seed)."""
    if communities < 1:
        raise ValueError("communities must be at least 1")
    rng = random.Random(seed)
    tree = _synthetic_tree(communities, rng)
    _write(out_dir, tree, rng)
    cities = [(row[0], row[1]) for row in tree.regions if row[2] == "市"]
    _write_extras(out_dir, random.Random(seed + 1), cities)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orgmodel.dev.synth", description="Write roster CSV folders (formats.md §2).")
    sub = parser.add_subparsers(dest="command", required=True)
    district = sub.add_parser("district", help="the bundled 崇川区 example")
    district.add_argument("out_dir", type=Path)
    synthetic = sub.add_parser("synthetic", help="benchmark data of any size")
    synthetic.add_argument("out_dir", type=Path)
    synthetic.add_argument("--communities", type=int, required=True)
    synthetic.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.command == "synthetic" and args.communities < 1:
        parser.error("--communities must be at least 1")
    if args.command == "district":
        write_district(args.out_dir)
    else:
        write_synthetic(args.out_dir, args.communities, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
