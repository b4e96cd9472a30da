"""Hypothesis strategies for roster documents, shared by the property tests
(tests/test_properties.py) and the small path's (tests/rules/test_small_path.py)."""

from __future__ import annotations

from hypothesis import strategies as st

from orgmodel import vocabulary

POSTS = [(unit, role) for role, units in vocabulary.ROLE_UNITS.items() for unit in units]
EDUCATION = list(vocabulary.EDUCATION)


@st.composite
def communities(draw: st.DrawFn) -> dict:
    """One community with a random staff: any post, any number, full-time or not, any qualification."""
    kind = draw(st.sampled_from(["urban", "rural"]))
    people, appointments = [], []
    for i in range(draw(st.integers(0, 30))):
        unit, role = draw(st.sampled_from(POSTS))
        person = {
            "id": f"P{i:03d}", "name": draw(st.text(min_size=1, max_size=6)),
            "education": draw(st.sampled_from([*EDUCATION, None])),
            "police_officer": draw(st.sampled_from([True, False, None])),
            "political_legal_officer": draw(st.sampled_from([True, False, None])),
            "monthly_pay_yuan": draw(st.sampled_from([1800, 2280, 4000, None])),
        }
        people.append({k: v for k, v in person.items() if v is not None})
        appointments.append({"person": person["id"], "unit": unit, "role": role, "full_time": draw(st.booleans())})
    community = {
        "id": "C1", "name": draw(st.text(min_size=1, max_size=8)), "region": "R1", "kind": kind,
        "households": draw(st.sampled_from([None, 100, 450, 750, 3000])),
        "population": draw(st.sampled_from([None, 2000, 9000])),
        "budget": {"office_activity_yuan": draw(st.sampled_from([10_000, 200_000]))},
        "people": people, "appointments": appointments,
    }
    return {"format": "orgmodel.roster/1",
            "regions": [{"id": "R1", "name": "测试街道", "level": "street", "min_wage_monthly_yuan": 2280}],
            "communities": [community]}
