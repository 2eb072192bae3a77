"""Language of parts: the language each user text was written in.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 12:30:00

Existing texts were written in the German-first extranet: they become 'de'.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TABLES = ("threads", "posts", "ideas", "events", "event_reports", "announcements", "site_pages")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("language", sa.String(length=2), server_default="de", nullable=False))


def downgrade():
    for table in reversed(TABLES):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("language")
