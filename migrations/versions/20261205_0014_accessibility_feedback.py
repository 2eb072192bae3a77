"""Accessibility: barrier reports (Barriere melden, BITV 2.0 § 7) with their status.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 12:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'barrier_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('page_url', sa.String(length=500), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_barrier_reports_user_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_barrier_reports')),
    )
    with op.batch_alter_table('barrier_reports', schema=None) as batch_op:
        batch_op.create_index('ix_barrier_reports_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_barrier_reports_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('barrier_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_barrier_reports_user_id'))
        batch_op.drop_index('ix_barrier_reports_status_created_at')
    op.drop_table('barrier_reports')
