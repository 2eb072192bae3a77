"""Names and titles stored before input cleaning lose bidirectional override, embedding and isolate characters
(U+202A–U+202E, U+2066–U+2069), which made "Erika \u202eretsuM" display reversed. New input is cleaned by the
base form (forum/forms.py); this cleans what is already stored. Post bodies keep them (they may be quoted text).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 17:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

BIDI_CONTROLS = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
ONE_LINE_COLUMNS = {
    "users": ("display_name", "function"),
    "organisations": ("name",),
    "boards": ("title",),
    "threads": ("title",),
    "events": ("title", "location"),
    "ideas": ("title", "summary", "contact"),
    "idea_revisions": ("title", "summary"),
    "reference_terms": ("name",),
    "site_pages": ("title",),
}


def upgrade():
    for table, columns in ONE_LINE_COLUMNS.items():
        for column in columns:
            for character in BIDI_CONTROLS:
                op.execute(f"UPDATE {table} SET {column} = REPLACE({column}, '{character}', '') "
                           f"WHERE {column} LIKE '%{character}%'")


def downgrade():
    pass  # the characters are gone; nothing to restore
