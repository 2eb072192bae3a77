"""Speed: the search documents of audience "some" get indexes of their own (PostgreSQL), ideas an index of what
visible_ideas() asks, and post_months one that holds all the statistics read.

- PostgreSQL: a GIN index on the vector of the documents of audience "some", and one on (kind, id) of them. The
  engine reads the newest matches of audience "all" and of audience "some" apart (forum/search/engine.py), so
  the per-person checks never weigh on the plan of the million other documents.
- ideas (status, author_id, id): the ideas a member may see, read from the index alone.
- post_months (month, author_id, thread_id, posts): a period's rows read from the index alone.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 18:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':  # as forum/search/models.py POSTGRESQL_DDL
        op.execute("CREATE INDEX ix_search_documents_vector_some ON search_documents USING gin (vector) "
                   "WHERE audience = 'some'")
        op.execute("CREATE INDEX ix_search_documents_some ON search_documents (kind, id) WHERE audience = 'some'")
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_status_author_id_id', ['status', 'author_id', 'id'], unique=False)
    with op.batch_alter_table('post_months', schema=None) as batch_op:
        batch_op.create_index('ix_post_months_month_author_id_thread_id_posts',
                              ['month', 'author_id', 'thread_id', 'posts'], unique=False)


def downgrade():
    with op.batch_alter_table('post_months', schema=None) as batch_op:
        batch_op.drop_index('ix_post_months_month_author_id_thread_id_posts')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index('ix_ideas_status_author_id_id')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_search_documents_some")
        op.execute("DROP INDEX ix_search_documents_vector_some")
