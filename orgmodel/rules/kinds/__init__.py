"""The kinds of rule. Code knows *how* to check; packs say *what* (units, roles, numbers).

One module per kind (the work list's three kinds share `tasks`); `base` holds what they
share. Importing this package registers every kind in `KINDS`: a new kind is a new module
listed below (see CONTRIBUTING.md, "Adding a rule kind").
"""

from orgmodel.rules.kinds import (  # noqa: F401  (importing a kind's module registers it)
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
from orgmodel.rules.kinds.base import (
    FINDING_SCHEMA,
    KINDS,
    DetailColumns,
    DetailCount,
    Finding,
    Params,
    RuleKind,
    RuleSpec,
    Severity,
    findings,
    message,
    number_text,
)
from orgmodel.rules.kinds.body_size import BodySizeParams, SizeRange
from orgmodel.rules.kinds.cross_appointment import CrossAppointmentParams
from orgmodel.rules.kinds.exclusive_full_time import ExclusiveParams
from orgmodel.rules.kinds.facility_counts import FacilityCountsParams
from orgmodel.rules.kinds.forbidden_relation import ForbiddenRelationParams
from orgmodel.rules.kinds.funding_per_resident import FundingParams
from orgmodel.rules.kinds.holder_attribute import HolderAttributeParams
from orgmodel.rules.kinds.households_ratio import HouseholdsRatioParams
from orgmodel.rules.kinds.leadership_group import GroupExistsParams, GroupOfficesParams
from orgmodel.rules.kinds.pay_floor import PayFloorParams
from orgmodel.rules.kinds.pay_growth import PayGrowthParams
from orgmodel.rules.kinds.pilot_count import PilotCountParams
from orgmodel.rules.kinds.qualification import QualificationParams
from orgmodel.rules.kinds.role_holders import RoleHoldersParams
from orgmodel.rules.kinds.task_count import TaskCountParams
from orgmodel.rules.kinds.tasks import TaskCategoriesParams, TaskRequirementsParams
from orgmodel.rules.kinds.unit_exists import UnitExistsParams

__all__ = [
    "FINDING_SCHEMA", "KINDS", "BodySizeParams", "CrossAppointmentParams", "DetailColumns", "DetailCount",
    "ExclusiveParams", "FacilityCountsParams", "Finding", "ForbiddenRelationParams", "FundingParams",
    "GroupExistsParams", "GroupOfficesParams", "HolderAttributeParams", "HouseholdsRatioParams", "Params",
    "PayFloorParams", "PayGrowthParams", "PilotCountParams", "QualificationParams", "RoleHoldersParams", "RuleKind",
    "RuleSpec", "Severity", "SizeRange", "TaskCategoriesParams", "TaskCountParams", "TaskRequirementsParams",
    "UnitExistsParams", "findings", "message", "number_text",
]
