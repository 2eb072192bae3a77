"""Events (registrations, attachments, calendar feeds), ideas (terms, votes, adoptions, revisions), threads.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 07:22:20.079322

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reference_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reference_terms')),
    sa.UniqueConstraint('kind', 'name', name=op.f('uq_reference_terms_kind_name'))
    )
    with op.batch_alter_table('reference_terms', schema=None) as batch_op:
        batch_op.create_index('ix_reference_terms_kind_position', ['kind', 'position'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token', name=op.f('uq_calendar_feeds_token'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('online_url', sa.String(length=500), nullable=False),
    sa.Column('land', sa.String(length=2), nullable=True),
    sa.Column('description_source', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('agenda_source', sa.Text(), nullable=False),
    sa.Column('agenda_html', sa.Text(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_deadline', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('documentation_source', sa.Text(), nullable=False),
    sa.Column('documentation_html', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('capacity IS NULL OR capacity >= 0', name=op.f('ck_events_capacity_not_negative')),
    sa.CheckConstraint('ends_at >= starts_at', name=op.f('ck_events_ends_after_start')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_events_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_land'), ['land'], unique=False)
        batch_op.create_index(batch_op.f('ix_events_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index('ix_events_status_starts_at', ['status', 'starts_at'], unique=False)

    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('description_source', sa.Text(), nullable=False),
    sa.Column('description_html', sa.Text(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('contact', sa.String(length=200), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ideas_author_id_users')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_ideas_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ideas_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_ideas_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index('ix_ideas_status_last_activity_at', ['status', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_ideas_status_vote_count', ['status', 'vote_count'], unique=False)

    op.create_table('event_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_attachments_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_event_attachments_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_event_attachments_stored_name'))
    )
    with op.batch_alter_table('event_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_attachments_event_id'), ['event_id'], unique=False)

    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_registrations_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'user_id', name=op.f('uq_event_registrations_event_id_user_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index('ix_event_registrations_event_status_queued', ['event_id', 'status', 'queued_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('idea_adoptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_adoptions_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_idea_adoptions_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idea_adoptions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_adoptions')),
    sa.UniqueConstraint('idea_id', 'organisation_id', name=op.f('uq_idea_adoptions_idea_id_organisation_id'))
    )
    with op.batch_alter_table('idea_adoptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_adoptions_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_adoptions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('idea_events',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_idea_events_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_events_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['users.id'], name=op.f('fk_idea_events_linked_by_id_users')),
    sa.PrimaryKeyConstraint('idea_id', 'event_id', name=op.f('pk_idea_events'))
    )
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_events_event_id'), ['event_id'], unique=False)

    op.create_table('idea_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('description_source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_idea_revisions_editor_id_users')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_revisions_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_revisions'))
    )
    with op.batch_alter_table('idea_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_revisions_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_terms',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_terms_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['term_id'], ['reference_terms.id'], name=op.f('fk_idea_terms_term_id_reference_terms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'term_id', name=op.f('pk_idea_terms'))
    )
    with op.batch_alter_table('idea_terms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_terms_term_id'), ['term_id'], unique=False)

    op.create_table('idea_votes',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_votes_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_idea_votes_user_id_users')),
    sa.PrimaryKeyConstraint('idea_id', 'user_id', name=op.f('pk_idea_votes'))
    )
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_votes_user_id'), ['user_id'], unique=False)

    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('idea_id', sa.Integer(), nullable=True),
    sa.Column('follow_up_event_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_activity_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('pinned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('locked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_threads_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_threads_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follow_up_event_id'], ['events.id'], name=op.f('fk_threads_follow_up_event_id_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_threads_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads')),
    sa.UniqueConstraint('event_id', name=op.f('uq_threads_event_id')),
    sa.UniqueConstraint('idea_id', name=op.f('uq_threads_idea_id'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_follow_up_event_id_created_at', ['follow_up_event_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_last_activity_at'), ['last_activity_at'], unique=False)



def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_threads_last_activity_at'))
        batch_op.drop_index('ix_threads_follow_up_event_id_created_at')

    op.drop_table('threads')
    with op.batch_alter_table('idea_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_votes_user_id'))

    op.drop_table('idea_votes')
    with op.batch_alter_table('idea_terms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_terms_term_id'))

    op.drop_table('idea_terms')
    with op.batch_alter_table('idea_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_revisions_idea_id'))

    op.drop_table('idea_revisions')
    with op.batch_alter_table('idea_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_events_event_id'))

    op.drop_table('idea_events')
    with op.batch_alter_table('idea_adoptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_adoptions_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_idea_adoptions_idea_id'))

    op.drop_table('idea_adoptions')
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_registrations_user_id'))
        batch_op.drop_index('ix_event_registrations_event_status_queued')

    op.drop_table('event_registrations')
    with op.batch_alter_table('event_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_attachments_event_id'))

    op.drop_table('event_attachments')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_status_vote_count')
        batch_op.drop_index('ix_ideas_status_last_activity_at')
        batch_op.drop_index('ix_ideas_status_created_at')
        batch_op.drop_index(batch_op.f('ix_ideas_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_ideas_author_id'))

    op.drop_table('ideas')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_status_starts_at')
        batch_op.drop_index(batch_op.f('ix_events_starts_at'))
        batch_op.drop_index(batch_op.f('ix_events_land'))

    op.drop_table('events')
    op.drop_table('calendar_feeds')
    with op.batch_alter_table('reference_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_reference_terms_kind_position')

    op.drop_table('reference_terms')
