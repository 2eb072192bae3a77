"""Moderation: reports (one open per member and post), hidden notes, redaction marks, lock reasons,
suspension end dates, notification details, and an index for the audit log's action filter.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 20:50:34.440086

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('resolution_note', sa.String(length=1000), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_reports_post_id_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_reports_reporter_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_reports_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_reporter_id_created_at', ['reporter_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_resolved_at_post_id_created_at', ['resolved_at', 'post_id', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_post_id_created_at', ['post_id', 'created_at'], unique=False)
        batch_op.create_index('uq_reports_open_post_id_reporter_id', ['post_id', 'reporter_id'], unique=True, sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_action_created_at', ['action', 'created_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('detail', sa.String(length=20), server_default='', nullable=False))

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_note', sa.String(length=500), server_default='', nullable=False))
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_posts_thread_id_pinned_at', ['thread_id', 'pinned_at'], unique=False)

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lock_reason', sa.String(length=500), server_default='', nullable=False))
        batch_op.create_foreign_key(batch_op.f('fk_threads_locked_by_id_users'), 'users', ['locked_by_id'], ['id'])

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_until', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('suspended_until')

    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_threads_locked_by_id_users'), type_='foreignkey')
        batch_op.drop_column('lock_reason')
        batch_op.drop_column('locked_by_id')

    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_thread_id_pinned_at')
        batch_op.drop_column('redacted_at')
        batch_op.drop_column('hidden_note')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('detail')

    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_action_created_at')

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('uq_reports_open_post_id_reporter_id', sqlite_where=sa.text('resolved_at IS NULL'), postgresql_where=sa.text('resolved_at IS NULL'))
        batch_op.drop_index('ix_reports_resolved_at_post_id_created_at')
        batch_op.drop_index('ix_reports_post_id_created_at')
        batch_op.drop_index('ix_reports_reporter_id_created_at')

    op.drop_table('reports')
