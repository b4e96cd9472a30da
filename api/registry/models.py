"""The registry's tables (SQLAlchemy 2 declarative).

Two kinds of time. Valid time is the roster's own: an appointment's `start`/`end`.
Transaction time is the registry's: every versioned row records when it was written
(`recorded_at`, `recorded_by`) and when a later version replaced it (`superseded_at`).
A row is never updated except to set `superseded_at`, so every past state stays readable;
the current state is the rows whose `superseded_at` is null.

Logical identities are not row keys: a community is its `id`, a person is
(`scope`, `person_id`) — `scope` being the region the roster was imported into, since two
street offices may both number people P001 — and an appointment is its `appointment_id`.
References between tables use these logical identities, so a new version of a person does
not orphan their appointments.

A person is shown and looked up by `public_id` (`orgmodel.identity`): their `person_id` when it
holds no personal number, a pseudonym when it is a resident ID number. It is fixed when the
person is first stored and carried by every later version (and by their appointments, as
`person_public_id`), so it never changes, whatever the secret later becomes.

Every text column has a length cap, the same on every database: the declared length of a
`String`, `NOTE` for the one `Text` column (`text_caps`). PostgreSQL enforces it, SQLite would
not, so the registry's write path checks it first on both.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

CODE = 40  # unit, role, level, kind codes
ID = 64  # region, community, person, task ids
NAME = 200
NOTE = 500  # api_keys.note: `Text` in the database, capped by the write path
MAX_INTEGER_ID = 2**31 - 1  # api keys and audit entries: their integer ids are 32-bit on every database


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A moment in UTC, aware on the way out on every database (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry times are aware datetimes (UTC)")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


def _current_unique(name: str, *columns: str) -> Index:
    """At most one current (not superseded) row per logical identity."""
    where = text("superseded_at IS NULL")
    return Index(name, *columns, unique=True, sqlite_where=where, postgresql_where=where)


class Versioned:
    """Transaction-time columns shared by every versioned table."""

    version: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    recorded_by: Mapped[str] = mapped_column(String(NAME))
    superseded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)


class Region(Versioned, Base):
    __tablename__ = "regions"
    __table_args__ = (
        _current_unique("uq_regions_current", "id"),
        Index("ix_regions_parent", "parent_id"),
        CheckConstraint("min_wage_monthly_yuan >= 0", name="ck_regions_min_wage"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(ID))
    parent_id: Mapped[str | None] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(NAME))
    level: Mapped[str | None] = mapped_column(String(CODE))
    min_wage_monthly_yuan: Mapped[float | None] = mapped_column(Float)


class Community(Versioned, Base):
    __tablename__ = "communities"
    __table_args__ = (
        _current_unique("uq_communities_current", "id"),
        Index("ix_communities_region", "region_id"),
        CheckConstraint("households >= 0", name="ck_communities_households"),
        CheckConstraint("population >= 0", name="ck_communities_population"),
        CheckConstraint("office_activity_yuan >= 0", name="ck_communities_budget"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(CODE))
    households: Mapped[float | None] = mapped_column(Float)
    population: Mapped[float | None] = mapped_column(Float)
    pilot: Mapped[bool] = mapped_column(default=False)
    office_activity_yuan: Mapped[float | None] = mapped_column(Float)


class Person(Versioned, Base):
    __tablename__ = "people"
    __table_args__ = (
        _current_unique("uq_people_current", "scope", "person_id"),
        _current_unique("uq_people_public_current", "scope", "public_id"),
        Index("ix_people_public_id", "public_id"),
        CheckConstraint("monthly_pay_yuan >= 0", name="ck_people_pay"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(ID))
    person_id: Mapped[str] = mapped_column(String(ID))  # as the roster gives it; never shown
    public_id: Mapped[str | None] = mapped_column(String(ID))  # the id shown and looked up (set on every row)
    home_community: Mapped[str | None] = mapped_column(String(ID))  # where the roster listed them
    name: Mapped[str | None] = mapped_column(String(NAME))
    education: Mapped[str | None] = mapped_column(String(CODE))
    police_officer: Mapped[bool | None]
    political_legal_officer: Mapped[bool | None]
    monthly_pay_yuan: Mapped[float | None] = mapped_column(Float)
    gender: Mapped[str | None] = mapped_column(String(CODE))
    previous_monthly_pay_yuan: Mapped[float | None] = mapped_column(Float)  # last year's (上年月工资), for P2


class Appointment(Versioned, Base):
    """One version of a post held by a person; vacating sets `end`, a correction is a new version."""

    __tablename__ = "appointments"
    __table_args__ = (
        _current_unique("uq_appointments_current", "appointment_id"),
        Index("uq_appointments_version", "appointment_id", "version", unique=True),
        Index("ix_appointments_community", "community_id"),
        Index("ix_appointments_region", "region_id"),
        CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name="ck_appointments_dates"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    appointment_id: Mapped[str] = mapped_column(String(36))
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))  # the community's, so isolation needs no join
    scope: Mapped[str] = mapped_column(String(ID))
    person_id: Mapped[str] = mapped_column(String(ID))
    person_public_id: Mapped[str | None] = mapped_column(String(ID))  # the person's `public_id`
    unit: Mapped[str] = mapped_column(String(CODE))
    role: Mapped[str] = mapped_column(String(CODE))
    label: Mapped[str | None] = mapped_column(String(NAME))  # the post as written, when `role` is `other`
    full_time: Mapped[bool] = mapped_column(default=False)
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)


class Unit(Versioned, Base):
    __tablename__ = "units"
    __table_args__ = (Index("ix_units_community", "community_id"),)

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    unit: Mapped[str] = mapped_column(String(CODE))
    name: Mapped[str | None] = mapped_column(String(NAME))


class Relation(Versioned, Base):
    __tablename__ = "relations"
    __table_args__ = (Index("ix_relations_community", "community_id"),)

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    from_unit: Mapped[str | None] = mapped_column(String(CODE))
    from_government: Mapped[str | None] = mapped_column(String(NAME))
    to_unit: Mapped[str | None] = mapped_column(String(CODE))
    to_government: Mapped[str | None] = mapped_column(String(NAME))
    type: Mapped[str | None] = mapped_column(String(CODE))


class Task(Versioned, Base):
    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_community", "community_id"),)

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    task_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(NAME))
    assigned_by: Mapped[str | None] = mapped_column(String(NAME))
    category: Mapped[str | None] = mapped_column(String(CODE))
    category_text: Mapped[str | None] = mapped_column(String(NAME))
    approved: Mapped[bool | None]
    authorization: Mapped[str | None] = mapped_column(String(NAME))
    funded: Mapped[bool | None]
    purchase_contract: Mapped[str | None] = mapped_column(String(NAME))


class LeadershipGroup(Versioned, Base):
    """A region's leadership group (领导小组, §三(一)) as a whole: its name, and the version that is
    its ETag. Its members are `LeadershipMember` rows of the same region (api.registry.groups)."""

    __tablename__ = "leadership_groups"
    __table_args__ = (_current_unique("uq_leadership_groups_current", "region_id"),)

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(NAME))


class LeadershipMember(Versioned, Base):
    """One official of a region's group, effective-dated like a post: `start`/`end` is when they
    sat in it (valid time); the group's set is replaced as a whole (transaction time)."""

    __tablename__ = "leadership_members"
    __table_args__ = (
        Index("ix_leadership_members_region", "region_id"),
        CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name="ck_leadership_members_dates"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str | None] = mapped_column(String(NAME))
    role: Mapped[str] = mapped_column(String(CODE))  # leader, deputy_leader, member
    office: Mapped[str | None] = mapped_column(String(CODE))  # a code of vocabulary.OFFICES
    office_title: Mapped[str | None] = mapped_column(String(NAME))  # as written: 市委政法委书记
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)


class FacilityList(Versioned, Base):
    """That a community's facilities are recorded at all (a current row) — its list may be empty,
    "none" — and the version that is the list's ETag. No current row: not recorded (FC1 is silent)."""

    __tablename__ = "facility_lists"
    __table_args__ = (_current_unique("uq_facility_lists_current", "community_id"),
                      Index("ix_facility_lists_region", "region_id"))

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))


class Facility(Versioned, Base):
    """One facility of a community (五室三站两栏一校一场所), with the days it existed (`start`/`end`)."""

    __tablename__ = "facilities"
    __table_args__ = (
        Index("ix_facilities_community", "community_id"),
        Index("ix_facilities_region", "region_id"),
        CheckConstraint("area_m2 >= 0", name="ck_facilities_area"),
        CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name="ck_facilities_dates"),
    )

    key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    community_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    name: Mapped[str] = mapped_column(String(NAME))
    category: Mapped[str | None] = mapped_column(String(CODE))  # room, station, board, school, venue
    area_m2: Mapped[float | None] = mapped_column(Float)
    start: Mapped[dt.date | None] = mapped_column(Date)
    end: Mapped[dt.date | None] = mapped_column(Date)


class AuditEntry(Base):
    """One row per committed change: written in the change's own transaction, so a rollback takes it too."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_region", "region_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(NAME))
    action: Mapped[str] = mapped_column(String(CODE))
    object_kind: Mapped[str] = mapped_column(String(CODE))
    object_id: Mapped[str] = mapped_column(String(ID))
    region_id: Mapped[str] = mapped_column(String(ID))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ApiKey(Base):
    """An API key, stored only as the SHA-256 of its text: checking one is a single indexed lookup."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # shown in listings so a key can be recognised
    region_id: Mapped[str] = mapped_column(String(ID))
    role: Mapped[str] = mapped_column(String(CODE))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    created_by: Mapped[str] = mapped_column(String(NAME))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    note: Mapped[str | None] = mapped_column(Text, info={"max_length": NOTE})


class Job(Base):
    """Long work (a province-size upload) run in the background: any instance can report its
    progress and hand out its result, whichever instance runs it.

    A running job is leased (api.services.jobs): `owner` runs it until `lease_expires_at`,
    renewed with `heartbeat_at`; a lease that runs out means the instance was lost, and another
    one recovers the job. The upload (`payload`) and what to do with it (`params`) stay until
    the job ends, so that it can be run again; `side_effects_at` is written in the same
    transaction as an import's writes, so a lost import says whether it committed."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_lease", "status", "lease_expires_at"),
                      Index("ix_jobs_expires_at", "expires_at"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(CODE))
    region_id: Mapped[str | None] = mapped_column(String(ID))  # the submitting key's region; None: trusted network
    status: Mapped[str] = mapped_column(String(CODE))  # queued, running, done, failed, cancelled, expired
    step: Mapped[str | None] = mapped_column(String(NAME))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    media_type: Mapped[str | None] = mapped_column(String(NAME))
    result: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    owner: Mapped[str | None] = mapped_column(String(NAME), default=None)  # the instance running it
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # starts, the first included
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)  # its result is removed then
    side_effects_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, default=None)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary, default=None, deferred=True)
    queue_job_id: Mapped[int | None] = mapped_column(BigInteger, default=None)  # procrastinate's id (PostgreSQL)
    submitted_by: Mapped[str | None] = mapped_column(String(NAME), default=None)  # the key's actor; it may cancel


class RegistrySetting(Base):
    """The registry's own values, made when the schema is: `person_id_secret`, the key of the
    pseudonyms when ORGMODEL_ID_SECRET is not set (one per database, shared by its instances)."""

    __tablename__ = "registry_settings"

    name: Mapped[str] = mapped_column(String(CODE), primary_key=True)
    value: Mapped[str] = mapped_column(String(NAME))


PERSON_ID_SECRET = "person_id_secret"


def text_caps(model: type[Base]) -> dict[str, int]:
    """Every text column of the model → the most characters it holds (on every database)."""
    caps = {}
    for column in model.__table__.columns:
        if isinstance(column.type, String):  # Text too
            cap = column.type.length or column.info.get("max_length")
            assert cap is not None, f"{model.__tablename__}.{column.key} has no length cap"
            caps[column.key] = int(cap)
    return caps


class IdempotentRequest(Base):
    """A creating POST sent with an `Idempotency-Key` (api.idempotency): its first answer, kept for
    the window so that the same request sent again is answered the same and creates nothing.
    `status` is null while the first request runs."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (Index("ix_idempotent_requests_created_at", "created_at"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the caller's key and the key sent
    request: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, query, content type and body
    status: Mapped[int | None] = mapped_column(Integer, default=None)
    headers: Mapped[dict[str, str] | None] = mapped_column(JSON, default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)  # enciphered (api.idempotency)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
