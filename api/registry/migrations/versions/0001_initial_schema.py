"""The initial schema: versioned roster tables, the audit log, API keys

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key_hash')
    )
    op.create_table('appointments',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('appointment_id', sa.String(length=36), nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=True),
    sa.Column('full_time', sa.Boolean(), nullable=False),
    sa.Column('start', sa.Date(), nullable=True),
    sa.Column('end', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('start IS NULL OR "end" IS NULL OR start <= "end"', name='ck_appointments_dates'),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_community', ['community_id'], unique=False)
        batch_op.create_index('ix_appointments_region', ['region_id'], unique=False)
        batch_op.create_index('uq_appointments_current', ['appointment_id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.create_index('uq_appointments_version', ['appointment_id', 'version'], unique=True)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('object_kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_region', ['region_id', 'at'], unique=False)

    op.create_table('communities',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('households', sa.Float(), nullable=True),
    sa.Column('population', sa.Float(), nullable=True),
    sa.Column('pilot', sa.Boolean(), nullable=False),
    sa.Column('office_activity_yuan', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('households >= 0', name='ck_communities_households'),
    sa.CheckConstraint('office_activity_yuan >= 0', name='ck_communities_budget'),
    sa.CheckConstraint('population >= 0', name='ck_communities_population'),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.create_index('ix_communities_region', ['region_id'], unique=False)
        batch_op.create_index('uq_communities_current', ['id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('people',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('home_community', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('education', sa.String(length=40), nullable=True),
    sa.Column('police_officer', sa.Boolean(), nullable=True),
    sa.Column('political_legal_officer', sa.Boolean(), nullable=True),
    sa.Column('monthly_pay_yuan', sa.Float(), nullable=True),
    sa.Column('gender', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('monthly_pay_yuan >= 0', name='ck_people_pay'),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('uq_people_current', ['scope', 'person_id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('regions',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('level', sa.String(length=40), nullable=True),
    sa.Column('min_wage_monthly_yuan', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('min_wage_monthly_yuan >= 0', name='ck_regions_min_wage'),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.create_index('ix_regions_parent', ['parent_id'], unique=False)
        batch_op.create_index('uq_regions_current', ['id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))

    op.create_table('relations',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('from_unit', sa.String(length=40), nullable=True),
    sa.Column('from_government', sa.String(length=200), nullable=True),
    sa.Column('to_unit', sa.String(length=40), nullable=True),
    sa.Column('to_government', sa.String(length=200), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.create_index('ix_relations_community', ['community_id'], unique=False)

    op.create_table('tasks',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('task_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('assigned_by', sa.String(length=200), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('category_text', sa.String(length=200), nullable=True),
    sa.Column('approved', sa.Boolean(), nullable=True),
    sa.Column('authorization', sa.String(length=200), nullable=True),
    sa.Column('funded', sa.Boolean(), nullable=True),
    sa.Column('purchase_contract', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_community', ['community_id'], unique=False)

    op.create_table('units',
    sa.Column('key', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('community_id', sa.String(length=64), nullable=False),
    sa.Column('region_id', sa.String(length=64), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index('ix_units_community', ['community_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index('ix_units_community')

    op.drop_table('units')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_community')

    op.drop_table('tasks')
    with op.batch_alter_table('relations', schema=None) as batch_op:
        batch_op.drop_index('ix_relations_community')

    op.drop_table('relations')
    with op.batch_alter_table('regions', schema=None) as batch_op:
        batch_op.drop_index('uq_regions_current',
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index('ix_regions_parent')

    op.drop_table('regions')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('uq_people_current',
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))

    op.drop_table('people')
    with op.batch_alter_table('communities', schema=None) as batch_op:
        batch_op.drop_index('uq_communities_current',
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index('ix_communities_region')

    op.drop_table('communities')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_region')

    op.drop_table('audit_log')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('uq_appointments_version')
        batch_op.drop_index('uq_appointments_current',
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index('ix_appointments_region')
        batch_op.drop_index('ix_appointments_community')

    op.drop_table('appointments')
    op.drop_table('api_keys')
