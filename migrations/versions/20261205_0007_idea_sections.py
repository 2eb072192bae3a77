"""Ideas: one column per section of the structured description (Ausgangslage, Ziel, Umsetzung, Ergebnisse,
Übertragbarkeit). Existing descriptions are split by their headings (German or English, any level) without loss:
text before the first known heading goes to the first section, unknown headings stay as text of their section.
`description_source` and `description_html` are left as they are (the whole, as it was written and rendered).

The splitting is a frozen copy of forum/ideas/sections.py's `split_description` at the time of writing, so this
migration does the same whatever that module becomes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 10:00:00

"""
import re

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

KEYS = ("situation", "goal", "implementation", "results", "transferability")
HEADING_NAMES = {
    "ausgangslage": "situation", "starting point": "situation",
    "ziel": "goal", "ziele": "goal", "goal": "goal", "goals": "goal",
    "umsetzung": "implementation", "implementation": "implementation",
    "ergebnisse": "results", "ergebnis": "results", "results": "results",
    "übertragbarkeit": "transferability", "transferability": "transferability",
}
ATX_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$")
FENCE = re.compile(r"^ {0,3}(```|~~~)")
BATCH = 500


def _trim(text):
    return re.sub(r"\A(?:[ \t]*\n)+", "", text).rstrip()


def split_description(text):
    found = {key: [] for key in KEYS}
    current, fenced = KEYS[0], None
    for line in (text or "").replace("\r\n", "\n").split("\n"):
        fence = FENCE.match(line)
        if fence and (fenced is None or fence.group(1) == fenced):
            fenced = fence.group(1) if fenced is None else None
        heading = ATX_HEADING.match(line) if fenced is None and not fence else None
        key = HEADING_NAMES.get(heading.group(1).rstrip(":").strip().casefold()) if heading else None
        if key is not None:
            if found[key] and found[key][-1].strip():
                found[key].append("")
            current = key
            continue
        found[current].append(line)
    return {key: _trim("\n".join(lines)) for key, lines in found.items()}


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        for key in KEYS:
            batch_op.add_column(sa.Column(f'{key}_source', sa.Text(), server_default='', nullable=False))

    ideas = sa.table('ideas', sa.column('id', sa.Integer), sa.column('description_source', sa.Text),
                     *(sa.column(f'{key}_source', sa.Text) for key in KEYS))
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(sa.select(ideas.c.id, ideas.c.description_source)
                                  .where(ideas.c.id > last_id).order_by(ideas.c.id).limit(BATCH)).all()
        if not rows:
            break
        for idea_id, description in rows:
            sections = split_description(description)
            connection.execute(ideas.update().where(ideas.c.id == idea_id)
                               .values(**{f'{key}_source': text for key, text in sections.items()}))
        last_id = rows[-1][0]


def downgrade():
    # description_source keeps the whole description: nothing is lost by dropping the sections.
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        for key in reversed(KEYS):
            batch_op.drop_column(f'{key}_source')
