"""Search and "Neu seit Ihrem letzten Besuch": users.news_read_at (when the user last marked everything as read),
an index of posts by time (what is new since then),
and the search index table, with PostgreSQL's generated tsvector column and a GIN index per kind, or SQLite's FTS5 table
and the triggers that keep it equal (the same objects as forum/search/models.py creates with the table).

The index is filled by `flask --app forum reindex` (run by `make db` when the index is empty); migrations never
import application code, and the terms are made by the application's German stemmer.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

POSTGRESQL = (
    "ALTER TABLE search_documents ADD COLUMN vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || setweight(to_tsvector('simple', body_terms), 'B')"
    ") STORED",
    *(f"CREATE INDEX ix_search_documents_vector_{kind} ON search_documents USING gin (vector) WHERE kind = '{kind}'"
      for kind in ("post", "thread", "idea", "event", "document", "organisation")),
)
SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title_terms, body_terms, kind, "
    "tokenize = 'unicode61 remove_diacritics 0')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts_vocab USING fts5vocab(search_fts, row)",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts (rowid, title_terms, body_terms, kind) "
    "VALUES (new.id, new.title_terms, new.body_terms, new.kind); END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_documents_au AFTER UPDATE OF title_terms, body_terms ON search_documents "
    "BEGIN UPDATE search_fts SET title_terms = new.title_terms, body_terms = new.body_terms WHERE rowid = old.id; "
    "END",
)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('news_read_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index('ix_posts_created_at', ['created_at'], unique=False)
    op.create_table(
        'search_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('title_terms', sa.Text(), nullable=False),
        sa.Column('body_terms', sa.Text(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_search_documents_author_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
        sa.UniqueConstraint('kind', 'object_id', name=op.f('uq_search_documents_kind_object_id')),
    )
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_documents_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_search_documents_kind_created_at', ['kind', 'created_at'], unique=False)
        batch_op.create_index('ix_search_documents_kind_id', ['kind', 'id'], unique=False)
    statements = POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_fts_vocab")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_documents')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('news_read_at')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index('ix_posts_created_at')
