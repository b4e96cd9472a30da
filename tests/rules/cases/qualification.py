"""qualification: Q1 (社工 has 大专 or higher), Q2 (民警 is a police officer), Q3 (特派员 is 政法干警).

A wrong value is an error per person, a blank one a missing-data warning; the holder still
counts for G2/G5/G6 (no G finding).
"""

from __future__ import annotations

from orgmodel.rules.testing import F, appoint, case, change_person, change_post

SOCIAL_WORKER = ("governance_office", "student_social_worker")
POLICE = ("governance_office", "resident_police")
ENVOY = ("governance_office", "legal_envoy")


def unqualified(rule: str, post: tuple[str, str], pid: str) -> F:
    return F(rule, "error", *post, pid)


def blank(rule: str, post: tuple[str, str], pid: str, field: str) -> F:
    return F(rule, "warning", *post, pid, missing=field)


KINDS = ("qualification",)

CASES = [
    # Q1
    case("Q1 高中 is not college", change_person("P26", education="高中"), [unqualified("Q1", SOCIAL_WORKER, "P26")]),
    case("Q1 secondary code is not college", change_person("P26", education="secondary"),
         [unqualified("Q1", SOCIAL_WORKER, "P26")]),
    case("Q1 初中 is not college", change_person("P26", education="初中"), [unqualified("Q1", SOCIAL_WORKER, "P26")]),
    case("Q1 大专 is the lowest that qualifies", change_person("P26", education="大专"), []),
    case("Q1 associate code qualifies", change_person("P26", education="associate"), []),
    case("Q1 博士 qualifies", change_person("P26", education="博士"), []),
    case("Q1 blank education: missing-data warning", change_person("P26", education=None),
         [blank("Q1", SOCIAL_WORKER, "P26", "education")]),
    case("Q1 each of two social workers is checked",
         (appoint("N01", "governance_office", "student_social_worker"), change_person("N01", education="高中")),
         [unqualified("Q1", SOCIAL_WORKER, "N01")]),
    case("Q1 only the social worker's education matters", change_person("P20", education="高中"), []),
    case("Q1 a social worker whose post has ended is not checked",
         (change_post("P26", end="2026-01-01"), change_person("P26", education="高中"),
          appoint("N01", "governance_office", "student_social_worker")), []),
    # Q2
    case("Q2 police_officer false", change_person("P21", police_officer=False), [unqualified("Q2", POLICE, "P21")]),
    case("Q2 police_officer 否", change_person("P21", police_officer="否"), [unqualified("Q2", POLICE, "P21")]),
    case("Q2 police_officer 是", change_person("P21", police_officer="是"), []),
    case("Q2 police_officer blank: missing-data warning", change_person("P21", police_officer=None),
         [blank("Q2", POLICE, "P21", "police_officer")]),
    # Q3
    case("Q3 political_legal_officer false", change_person("P27", political_legal_officer=False),
         [unqualified("Q3", ENVOY, "P27")]),
    case("Q3 political_legal_officer blank: missing-data warning", change_person("P27", political_legal_officer=None),
         [blank("Q3", ENVOY, "P27", "political_legal_officer")]),
]

