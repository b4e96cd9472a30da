"""facility_counts (FC1): “五室三站两栏一校一场所”, one warning per category short.

Only a roster that records facilities is checked; then a community with none listed is short
of every category. A category is given, or read from the end of the facility's name.
"""

from __future__ import annotations

from orgmodel.rules.testing import SECOND, F, add_community, add_facilities, case

KINDS = ("facility_counts",)

ROOMS = ("警务室", "党员活动室", "图书阅览室", "调解室", "老年活动室")
STATIONS = ("卫生计生服务站", "社区服务站", "志愿者服务站")
BOARDS = ("居务公开栏", "宣传栏")
FULL = (*ROOMS, *STATIONS, *BOARDS, "居民学校", "文体活动场所")
MINIMUMS = {"room": 5, "station": 3, "board": 2, "school": 1, "venue": 1}


def short(category: str, actual: int, community: str | None = None) -> F:
    found = F("FC1", "warning", actual=actual, min=MINIMUMS[category], detail=category)
    return found if community is None else found._replace(community=community)


EVERY_CATEGORY_EMPTY = [short(c, 0) for c in MINIMUMS]

CASES = [
    case("FC1 no facility data at all: not checked", (), []),
    case("FC1 every category present, read from the names", add_facilities(*FULL), []),
    case("FC1 an empty list: every category short", add_facilities(), EVERY_CATEGORY_EMPTY),
    case("FC1 four rooms: one finding, for the rooms", add_facilities(*FULL[1:]), [short("room", 4)]),
    case("FC1 no school and no venue", add_facilities(*FULL[:-2]), [short("school", 0), short("venue", 0)]),
    case("FC1 a category given in the row counts",
         add_facilities(*FULL[:-1], {"name": "健身场地", "category": "场所"}), []),
    case("FC1 a given category wins over the name",
         add_facilities(*FULL[:-1], {"name": "文体活动室", "category": "venue"}), []),
    case("FC1 健身广场 is a venue", add_facilities(*FULL[:-1], "健身广场"), []),
    case("FC1 a name that tells no category counts for none", add_facilities(*FULL[:-1], "阅览角"), [short("venue", 0)]),
    case("FC1 more than the minimum is fine", add_facilities(*FULL, *ROOMS, *STATIONS), []),
    case("FC1 a community with no facilities listed, beside one with all",
         (add_facilities(*FULL), add_community(SECOND, "Q")),
         [short(c, 0, SECOND) for c in MINIMUMS]),
]
