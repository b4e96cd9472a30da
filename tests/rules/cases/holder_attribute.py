"""holder_attribute: L1 of cn-law, a villagers' committee has a woman member (rural only).

Blank genders that could make up the number are missing data. The baseline's committee is
P01 主任, P06 副主任 (the only woman), P07–P09 委员; the 大学生村官 P28 is no member.
"""

from __future__ import annotations

from orgmodel.rules.testing import F, case, change_person, rural

MEMBERS = ("P01", "P06", "P07", "P08", "P09")
NO_WOMAN = F("L1", "warning", "residents_committee", actual=0, min=1)
GENDER_MISSING = F("L1", "warning", "residents_committee", actual=0, missing="gender")


def genders(value: str | None, *people: str) -> tuple:
    return tuple(change_person(p, gender=value) for p in people)


KINDS = ("holder_attribute",)

CASES = [
    case("L1 a woman 副主任 is enough", rural(), [], pack="cn-law"),
    case("L1 no woman on the villagers' committee", (rural(), change_person("P06", gender="male")), [NO_WOMAN],
         pack="cn-law"),
    case("L1 女 written in Chinese counts", (rural(), change_person("P06", gender="male"), change_person("P07", gender="女")),
         [], pack="cn-law"),
    case("L1 a woman 大学生村官 is no member",
         (rural(), change_person("P06", gender="male"), change_person("P28", gender="female")), [NO_WOMAN], pack="cn-law"),
    case("L1 a woman on the party_org only does not count",
         (rural(), change_person("P06", gender="male"), change_person("P02", gender="female")), [NO_WOMAN], pack="cn-law"),
    case("L1 every gender blank: missing-data warning", (rural(), *genders(None, *MEMBERS)), [GENDER_MISSING],
         pack="cn-law"),
    case("L1 men and one blank: missing-data warning", (rural(), *genders("male", *MEMBERS), change_person("P09", gender=None)),
         [GENDER_MISSING], pack="cn-law"),
    case("L1 a woman and blanks: fine", (rural(), *genders(None, "P01", "P07", "P08", "P09")), [], pack="cn-law"),
    case("L1 does not apply to an urban community", change_person("P06", gender="male"), [], pack="cn-law"),
    case("L1 is not in nantong", (rural(), change_person("P06", gender="male")), []),
]

