"""The form to replace a legal page's text."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from forum.forms import Form
from forum.markup import MAX_SOURCE_CHARS


class PageForm(Form):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Bitte geben Sie einen Titel an.")),
                                                 Length(max=200, message=_l("Höchstens 200 Zeichen."))])
    body = TextAreaField(_l("Text (Markdown)"), validators=[
        DataRequired(_l("Bitte geben Sie einen Text an.")),
        Length(max=MAX_SOURCE_CHARS, message=_l("Der Text darf höchstens %(count)s Zeichen lang sein.",
                                                count=MAX_SOURCE_CHARS))],
        render_kw={"rows": 20, "data-markdown": True})
