"""Idempotency keys: the first answer of a creating POST sent with an Idempotency-Key

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('idempotent_requests',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('request', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key'))
    op.create_index('ix_idempotent_requests_created_at', 'idempotent_requests', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_idempotent_requests_created_at', table_name='idempotent_requests')
    op.drop_table('idempotent_requests')
