"""Announcements (Mitteilungen) of the service office: the announcement, one row per recipient (claimed when
sent), notifications of kind "announcement", extra headers of outbox mails (List-Unsubscribe) and the users'
"announcements by e-mail" preference.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'announcements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body_source', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('segment', sa.String(length=30), nullable=False),
        sa.Column('segment_value', sa.String(length=10), server_default='', nullable=False),
        sa.Column('segment_target_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=10), server_default='draft', nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('queued_by_id', sa.Integer(), nullable=True),
        sa.Column('recipients_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('recipient_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('mailed_count', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_announcements_created_by_id_users')),
        sa.ForeignKeyConstraint(['queued_by_id'], ['users.id'], name=op.f('fk_announcements_queued_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcements')),
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_status_created_at', ['status', 'created_at'], unique=False)
    op.create_table(
        'announcement_recipients',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('announcement_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['announcement_id'], ['announcements.id'],
                                name=op.f('fk_announcement_recipients_announcement_id_announcements'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_announcement_recipients_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_announcement_recipients')),
        sa.UniqueConstraint('announcement_id', 'user_id',
                            name=op.f('uq_announcement_recipients_announcement_id_user_id')),
    )
    with op.batch_alter_table('announcement_recipients', schema=None) as batch_op:
        batch_op.create_index('ix_announcement_recipients_pending', ['claimed_at', 'announcement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_announcement_recipients_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notifications_announcement_id_announcements'), 'announcements',
                                    ['announcement_id'], ['id'], ondelete='CASCADE')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('headers', sa.JSON(), server_default='{}', nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('announcement_emails', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('announcement_emails')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('headers')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_announcement_id_announcements'), type_='foreignkey')
        batch_op.drop_column('announcement_id')
    with op.batch_alter_table('announcement_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_announcement_recipients_user_id'))
        batch_op.drop_index('ix_announcement_recipients_pending')
    op.drop_table('announcement_recipients')
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.drop_index('ix_announcements_status_created_at')
    op.drop_table('announcements')
