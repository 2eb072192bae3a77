"""Speed: search visibility flag and monthly activity for the statistics.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 12:30:00

"""
from alembic import op  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
