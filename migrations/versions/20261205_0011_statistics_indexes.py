"""Statistics: indexes for counting votes and registrations per period.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 10:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index('ix_idea_votes_created_at', ['created_at'], unique=False)
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_event_registrations_queued_at', ['queued_at'], unique=False)


def downgrade():
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_event_registrations_queued_at')
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_votes_created_at')
