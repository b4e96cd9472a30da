"""The look shared by every chart: the CJK font, the colours of findings and statuses, short labels.

One place, so that the community chart, the overview and their legends cannot disagree on
what red means.
"""

from __future__ import annotations

from orgmodel import vocabulary

# The font `dot` must find for Chinese to render as Chinese (Debian: fonts-noto-cjk).
FONT = "Noto Sans CJK SC"
FONT_PACKAGE = "fonts-noto-cjk"

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
# (strong colour for text and borders, light fill)
SEVERITY_COLOUR = {"error": ("#c62828", "#ffebee"), "warning": ("#e65100", "#fff3e0"), "info": ("#1565c0", "#e3f2fd")}
OK_COLOUR = ("#2e7d32", "#e8f5e9")
MUTED = "#616161"
MARKER_COLOUR = "#6a1b9a"

# The terminal report's words (text_report.STATUS), so that a chart and the table agree.
STATUS_LABEL = {"compliant": "合规", "incomplete": "资料不全", "with_errors": "存在问题"}
STATUS_COLOUR = {"compliant": ("#2e7d32", "#c8e6c9"), "incomplete": ("#8d6e00", "#fff2b3"),
                 "with_errors": ("#c62828", "#ffcdd2")}

RELATION_STYLE = {"guides": "dashed", "assists": "dashed"}

# Short role names for the overview's "main shortfalls" line, where a box is 10 characters wide.
SHORT_ROLE = {
    "secretary": "书记", "deputy_secretary": "副书记", "director": "主任", "deputy_director": "副主任",
    "station_head": "站长", "staff": "服务站专职", "governance_specialist": "综治专干", "resident_police": "民警",
    "mediator": "调解员", "security_guard": "保安", "student_social_worker": "综治社工", "legal_envoy": "特派员",
    "civil_affairs_assistant": "协理员", "student_official": "村官",
}
SHORT_MEMBER = {"party_org": "党组织成员", "residents_committee": "居委成员", "supervisory_committee": "监委成员",
                "owners_committee": "业委成员"}


def short_post(unit: str, role: str) -> str:
    if role == "member":
        return SHORT_MEMBER.get(unit, "委员")
    return SHORT_ROLE.get(role, vocabulary.role_label(role))


def worst(severities: object) -> str | None:
    """The most severe of some severities (error > warning > info), or None for none."""
    ranked = [s for s in severities if s in SEVERITY_RANK]  # type: ignore[attr-defined]
    return min(ranked, key=SEVERITY_RANK.__getitem__) if ranked else None


def circled(n: int) -> str:
    """①…⑳ for the same-person marker, then (21), (22)…"""
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"
