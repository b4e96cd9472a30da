"""Issue 13: a region's leadership group and its members, a community's facilities (and whether
they are recorded), a person's last-year pay

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

CURRENT = sa.text('superseded_at IS NULL')


def _versioned() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column('version', sa.Integer(), nullable=False),
            sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('recorded_by', sa.String(length=200), nullable=False),
            sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True)]


def upgrade() -> None:
    op.create_table('leadership_groups',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    *_versioned(),
    sa.PrimaryKeyConstraint('key'))
    op.create_index('uq_leadership_groups_current', 'leadership_groups', ['region_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.create_table('leadership_members',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('office', sa.String(length=40), nullable=True),
    sa.Column('office_title', sa.String(length=200), nullable=True),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    *_versioned(),
    sa.CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name='ck_leadership_members_dates'),
    sa.PrimaryKeyConstraint('key'))
    op.create_index('ix_leadership_members_region', 'leadership_members', ['region_id'])
    op.create_table('facility_lists',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    *_versioned(),
    sa.PrimaryKeyConstraint('key'))
    op.create_index('uq_facility_lists_current', 'facility_lists', ['community_id'], unique=True,
                    sqlite_where=CURRENT, postgresql_where=CURRENT)
    op.create_index('ix_facility_lists_region', 'facility_lists', ['region_id'])
    op.create_table('facilities',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    *_versioned(),
    sa.CheckConstraint('area_m2 >= 0', name='ck_facilities_area'),
    sa.CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name='ck_facilities_dates'),
    sa.PrimaryKeyConstraint('key'))
    op.create_index('ix_facilities_community', 'facilities', ['community_id'])
    op.create_index('ix_facilities_region', 'facilities', ['region_id'])
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_monthly_pay_yuan', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('previous_monthly_pay_yuan')
    op.drop_index('ix_facilities_region', table_name='facilities')
    op.drop_index('ix_facilities_community', table_name='facilities')
    op.drop_table('facilities')
    op.drop_index('ix_facility_lists_region', table_name='facility_lists')
    op.drop_index('uq_facility_lists_current', table_name='facility_lists')
    op.drop_table('facility_lists')
    op.drop_index('ix_leadership_members_region', table_name='leadership_members')
    op.drop_table('leadership_members')
    op.drop_index('uq_leadership_groups_current', table_name='leadership_groups')
    op.drop_table('leadership_groups')
