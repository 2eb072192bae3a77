"""Stored files: the bytes of documentation files and data copies in the database (forum/storage.py,
FORUM_FILE_STORAGE=database, the default), so every app server reads the same files. Files already in the folders
are copied in by `flask --app forum move-files` (not here: a migration does not know the servers' folders, and
copying gigabytes does not belong in a schema change).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 02:04:21

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_files',
        sa.Column('area', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('area', 'name', name=op.f('pk_stored_files')),
    )


def downgrade():
    op.drop_table('stored_files')
