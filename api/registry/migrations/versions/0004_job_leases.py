"""Jobs survive their instance: a lease (owner, expiry, heartbeat), attempts, cancellation, expiry, and the input kept

A job row now names the instance running it (`owner`) until `lease_expires_at`, renewed with
`heartbeat_at` while it runs; an instance that finds a lease run out recovers the job
(api.services.jobs). `attempts` counts the starts, `cancel_requested` asks the running worker
to stop, `expires_at` says when a finished job's result is removed. The upload itself
(`payload`) and what to do with it (`params`) are kept until the job ends, so that another
instance can run it again; `side_effects_at` is set inside an import's own transaction, so a
job that lost its instance says whether its writes committed. `queue_job_id` is the job's id in
procrastinate's queue (PostgreSQL); `submitted_by` the key that sent it (it may cancel it).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as jobs:
        jobs.add_column(sa.Column('owner', sa.String(length=200), nullable=True))
        jobs.add_column(sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True))
        jobs.add_column(sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=True))
        jobs.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        jobs.add_column(sa.Column('cancel_requested', sa.Boolean(), nullable=False, server_default=sa.false()))
        jobs.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
        jobs.add_column(sa.Column('side_effects_at', sa.DateTime(timezone=True), nullable=True))
        jobs.add_column(sa.Column('params', sa.JSON(), nullable=True))
        jobs.add_column(sa.Column('payload', sa.LargeBinary(), nullable=True))
        jobs.add_column(sa.Column('queue_job_id', sa.BigInteger(), nullable=True))
        jobs.add_column(sa.Column('submitted_by', sa.String(length=200), nullable=True))
    op.create_index('ix_jobs_status_lease', 'jobs', ['status', 'lease_expires_at'])
    op.create_index('ix_jobs_expires_at', 'jobs', ['expires_at'])
    # rows of the runner before leases: one left running or queued had lost its instance for good
    jobs_table = sa.table('jobs', sa.column('status', sa.String()), sa.column('step', sa.String()),
                          sa.column('finished_at', sa.DateTime(timezone=True)), sa.column('problem', sa.JSON()))
    op.execute(jobs_table.update().where(jobs_table.c.status.in_(['queued', 'running'])).values(
        status='failed', step='failed', finished_at=sa.func.current_timestamp(),
        problem={'type': 'about:blank', 'title': 'Service Unavailable', 'status': 503,
                 'detail': '任务所在的实例已丢失(升级前);请重新提交 / the instance of this job was lost '
                           '(before the upgrade); send it again'}))


def downgrade() -> None:
    op.drop_index('ix_jobs_expires_at', table_name='jobs')
    op.drop_index('ix_jobs_status_lease', table_name='jobs')
    with op.batch_alter_table('jobs') as jobs:
        for column in ('submitted_by', 'queue_job_id', 'payload', 'params', 'side_effects_at', 'expires_at', 'cancel_requested',
                       'attempts', 'heartbeat_at', 'lease_expires_at', 'owner'):
            jobs.drop_column(column)
