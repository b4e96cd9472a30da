"""People keep their identity: a public id beside the roster's person id, and the registry's secret

A person keyed by a resident ID number was shown (and looked up) by its masked form, which two
people can share. Every person now has a `public_id` (their person id, or a keyed-hash
pseudonym of a resident ID number: `orgmodel.identity`), copied onto their appointments; the
key is made here, once per database. Rows stored before are given theirs here.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from orgmodel import identity

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

SECRET = "person_id_secret"


def upgrade() -> None:
    settings = op.create_table('registry_settings',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    secret = identity.new_secret()
    op.bulk_insert(settings, [{"name": SECRET, "value": secret}])
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=64), nullable=True))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_public_id', sa.String(length=64), nullable=True))
    _give_public_ids(secret.encode("utf-8"))
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_public_id', ['public_id'], unique=False)
        batch_op.create_index('uq_people_public_current', ['scope', 'public_id'], unique=True,
                              sqlite_where=sa.text('superseded_at IS NULL'),
                              postgresql_where=sa.text('superseded_at IS NULL'))


def _give_public_ids(secret: bytes) -> None:
    """Every stored person id's public id, on people and appointments alike (one UPDATE per
    distinct id that needs a pseudonym; the others are their own)."""
    connection = op.get_bind()
    people = sa.table('people', sa.column('person_id', sa.String), sa.column('public_id', sa.String))
    appointments = sa.table('appointments', sa.column('person_id', sa.String), sa.column('person_public_id', sa.String))
    ids = set(connection.execute(sa.select(people.c.person_id).distinct()).scalars())
    ids |= set(connection.execute(sa.select(appointments.c.person_id).distinct()).scalars())
    renamed = [{"old": person_id, "new": identity.pseudonym(person_id, secret)}
               for person_id in sorted(ids) if identity.needs_pseudonym(person_id)]
    connection.execute(people.update().values(public_id=people.c.person_id))
    connection.execute(appointments.update().values(person_public_id=appointments.c.person_id))
    if renamed:
        connection.execute(people.update().where(people.c.person_id == sa.bindparam("old"))
                           .values(public_id=sa.bindparam("new")), renamed)
        connection.execute(appointments.update().where(appointments.c.person_id == sa.bindparam("old"))
                           .values(person_public_id=sa.bindparam("new")), renamed)


def downgrade() -> None:
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('uq_people_public_current',
                            sqlite_where=sa.text('superseded_at IS NULL'),
                            postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index('ix_people_public_id')
        batch_op.drop_column('public_id')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_column('person_public_id')
    op.drop_table('registry_settings')
