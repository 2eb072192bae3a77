"""After an event: attendance (registrations.attended_at), walk-ins, the closing report (Abschlussbericht),
reminder days per event and when each reminder was queued (registrations.reminded_at).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_days', sa.Integer(), server_default='3', nullable=False))
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'event_walk_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_event_walk_ins_created_by_id_users')),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_walk_ins_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_event_walk_ins_organisation_id_organisations')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_walk_ins')),
    )
    with op.batch_alter_table('event_walk_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_walk_ins_event_id'), ['event_id'], unique=False)
    op.create_table(
        'event_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('summary_source', sa.Text(), nullable=False),
        sa.Column('summary_html', sa.Text(), nullable=False),
        sa.Column('results_source', sa.Text(), nullable=False),
        sa.Column('results_html', sa.Text(), nullable=False),
        sa.Column('next_steps_source', sa.Text(), nullable=False),
        sa.Column('next_steps_html', sa.Text(), nullable=False),
        sa.Column('attendees_override', sa.Integer(), nullable=True),
        sa.Column('jobcenters_override', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_reports_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_event_reports_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_event_reports')),
        sa.UniqueConstraint('event_id', name=op.f('uq_event_reports_event_id')),
    )


def downgrade():
    op.drop_table('event_reports')
    with op.batch_alter_table('event_walk_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_walk_ins_event_id'))
    op.drop_table('event_walk_ins')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('attended_at')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('reminder_days')
