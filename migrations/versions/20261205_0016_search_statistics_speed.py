"""Speed: search visibility flag and monthly activity for the statistics.

- search_documents.audience: who may find a document ("all" active members, "some", "none"), stored so that a
  search checks the visible_* filters only for the few documents of audience "some" (forum/search/index.py).
  Existing rows get "some", which is exact (checked per person as before) but slower: `flask --app forum reindex`
  stores the real audience. The column is added without a table copy, so SQLite keeps the FTS5 triggers.
- post_months: posts per person and Berlin calendar month (forum/discussion/monthly.py), counted here from the
  posts (thread_id 0 for threads every member sees; the discussions of submitted ideas under their own thread),
  so the statistics of a year read about 12 rows per person instead of every post.
- PostgreSQL: partial indexes on the ids of the posts' and the ideas' search documents (the newest matches first).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 12:30:00

"""
from collections import Counter
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

_BERLIN = ZoneInfo("Europe/Berlin")
WALKED_KINDS = ("post", "idea")  # as forum/search/models.py in 0016


def _month_of(moment: datetime) -> datetime:
    """The first moment (UTC) of the Berlin month (as forum/discussion/monthly.py month_of; months begin at
    midnight, which always exists in Berlin)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone(_BERLIN)
    return datetime.combine(date(local.year, local.month, 1), time(0), _BERLIN).astimezone(timezone.utc)


def upgrade():
    op.add_column('search_documents', sa.Column('audience', sa.String(length=4), server_default='some',
                                                nullable=False))
    if op.get_bind().dialect.name == 'postgresql':  # the newest documents of one kind first (search/models.py)
        for kind in WALKED_KINDS:
            op.execute(f"CREATE INDEX ix_search_documents_id_{kind} ON search_documents (id) WHERE kind = '{kind}'")
    post_months = op.create_table(
        'post_months',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.DateTime(timezone=True), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('posts', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_post_months_author_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_post_months')),
        sa.UniqueConstraint('month', 'author_id', 'thread_id', name=op.f('uq_post_months_month_author_id_thread_id')),
    )
    op.create_index(op.f('ix_post_months_author_id'), 'post_months', ['author_id'], unique=False)
    connection = op.get_bind()
    apart = {row[0] for row in connection.execute(sa.text(
        "SELECT threads.id FROM threads JOIN ideas ON ideas.id = threads.idea_id WHERE ideas.status = 'submitted'"))}
    counts = Counter()
    for author_id, created_at, thread_id in connection.execute(sa.text(
            "SELECT author_id, created_at, thread_id FROM posts")):
        if isinstance(created_at, str):  # SQLite without the column's type
            created_at = datetime.fromisoformat(created_at)
        counts[(_month_of(created_at), author_id, thread_id if thread_id in apart else 0)] += 1
    rows = [{"month": month, "author_id": author_id, "thread_id": thread_id, "posts": posts}
            for (month, author_id, thread_id), posts in counts.items()]
    for start in range(0, len(rows), 10_000):
        op.bulk_insert(post_months, rows[start:start + 10_000])


def downgrade():
    op.drop_index(op.f('ix_post_months_author_id'), table_name='post_months')
    op.drop_table('post_months')
    if op.get_bind().dialect.name == 'postgresql':
        for kind in WALKED_KINDS:
            op.execute(f"DROP INDEX ix_search_documents_id_{kind}")
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE search_documents DROP COLUMN audience')  # no table copy: the triggers stay
    else:
        op.drop_column('search_documents', 'audience')
