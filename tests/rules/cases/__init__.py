"""One table of cases per rule kind (the work list's three kinds share `tasks`).

Each module has `KINDS` (the kinds its cases exercise) and `CASES` (`orgmodel.rules.testing.case`
rows); `tests/rules/test_cases.py` runs every case through both engines.
"""

from types import ModuleType

from . import (
    body_size,
    cross_appointment,
    exclusive_full_time,
    facility_counts,
    forbidden_relation,
    funding_per_resident,
    holder_attribute,
    households_ratio,
    leadership_group,
    pay_floor,
    pay_growth,
    pilot_count,
    qualification,
    role_holders,
    task_count,
    tasks,
    unit_exists,
)

TABLES: list[ModuleType] = [body_size, cross_appointment, exclusive_full_time, facility_counts, forbidden_relation,
                            funding_per_resident, holder_attribute, households_ratio, leadership_group, pay_floor,
                            pay_growth, pilot_count, qualification, role_holders, task_count, tasks, unit_exists]
