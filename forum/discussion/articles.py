"""What the thread page shows around each post, worked out once per page instead of once per post: the viewer,
the translated labels, the links by post id, and which actions the viewer has on each post (by the predicates of
forum/permissions.py, called with the viewer itself rather than through the `current_user` proxy)."""
from __future__ import annotations

from flask import url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup

from forum import permissions
from forum.languages import lang_attribute

_ID = 1_987_654_321  # no row has this id (below inputs.MAX_ID, so the URL converters build it)


_LABELS: dict[str, dict[str, Markup]] = {}  # language -> labels (the catalogues do not change while running)


def _labels(language: str) -> dict[str, Markup]:
    """The post's labels in the page's language. Markup, like Jinja's `_()`: `%` escapes what is put into them."""
    if language not in _LABELS:
        _LABELS[language] = _translated()
    return _LABELS[language]


def _translated() -> dict[str, Markup]:
    """gettext() with each text written out, so that `make extract-messages` finds them."""
    return {key: Markup(text) for key, text in {
        "by": gettext("Beitrag %(number)s von"),
        "link": gettext("Link zu diesem Beitrag"),
        "edited": gettext("bearbeitet am %(date)s"),
        "number": gettext("Nr. %(number)s"),
        "pinned": gettext("angeheftet"),
        "hidden": gettext("ausgeblendet"),
        "withdrawn": gettext("Dieser Beitrag wurde von der verfassenden Person zurückgezogen."),
        "hidden_notice": gettext("Dieser Beitrag wurde von der Moderation ausgeblendet."),
        "reason": gettext("Grund: %(reason)s"),
        "hidden_for_author": gettext("Nur Sie als verfassende Person und die Moderation sehen den Text noch."),
        "hidden_for_moderation": gettext("Mitglieder sehen nur diesen Hinweis; Sie sehen den Text als Moderation."),
        "redacted": gettext("Die Moderation hat Teile dieses Beitrags entfernt (Datenschutz)."),
        "which": gettext("Beitrag %(number)s"),
        "quote": gettext("Zitieren"),
        "edit": gettext("Bearbeiten"),
        "withdraw": gettext("Zurückziehen"),
        "revisions": gettext("Frühere Fassungen"),
        "report": gettext("Melden"),
        "moderation": gettext("Moderation"),
        "moderation_of": gettext("Moderation: %(which)s"),
        "hide": gettext("Ausblenden …"),
        "unhide": gettext("Wieder einblenden"),
        "pin": gettext("Anheften"),
        "unpin": gettext("Nicht mehr anheften"),
        "redact": gettext("Schwärzen …"),
    }.items()}


class PostArticles:
    """`articles` on the thread page: `articles.label.quote`, `articles.url("edit", post.id)`,
    `articles.may(post)`; one per page (see templates/discussion/_macros.html `post_article`)."""

    def __init__(self, thread):
        self.viewer = current_user._get_current_object()
        self.language = get_locale().language  # the page's language (select_locale(), as Flask-Babel keeps it)
        self.label = _labels(self.language)
        self._urls = {name: url_for(endpoint, **{key: _ID}).replace(str(_ID), "{}") for name, (endpoint, key) in {
            "post": ("discussion.post", "post_id"),
            "organisation": ("organisations.show", "organisation_id"),
            "member": ("organisations.member", "user_id"),
            "edit": ("discussion.edit_post", "post_id"),
            "withdraw": ("discussion.withdraw_post", "post_id"),
            "revisions": ("discussion.post_revisions", "post_id"),
            "report": ("moderation.report_post", "post_id"),
            "case": ("moderation.case", "post_id"),
            "hide": ("moderation.hide_post", "post_id"),
            "unhide": ("moderation.unhide_post", "post_id"),
            "pin": ("moderation.pin_post", "post_id"),
            "unpin": ("moderation.unpin_post", "post_id"),
            "redact": ("moderation.redact_post", "post_id"),
        }.items()}
        self._urls["quote"] = url_for("discussion.reply", thread_id=thread.id, quote=_ID,
                                      _anchor="beitrag-schreiben").replace(str(_ID), "{}")
        self._members: dict[int, bool] = {}

    def url(self, name: str, id: int) -> str:
        return self._urls[name].format(id)

    def lang(self, written) -> Markup:
        """The `lang` filter with the page's language."""
        return lang_attribute(written, self.language)

    def view_member(self, person) -> bool:
        """permissions.can_view_member, once per author of the page."""
        if person.id not in self._members:
            self._members[person.id] = permissions.can_view_member(self.viewer, person)
        return self._members[person.id]

    def shown_as(self, post) -> str:
        return permissions.post_shown_as(self.viewer, post)

    def may(self, post) -> dict[str, bool]:
        """The viewer's actions on the post, each by its predicate; "any" when one of them is allowed."""
        user, p = self.viewer, permissions
        moderation = {"hide": p.can_hide_post(user, post), "unhide": p.can_unhide_post(user, post),
                      "pin": p.can_pin_post(user, post), "unpin": p.can_unpin_post(user, post),
                      "redact": p.can_redact_post(user, post)}
        may = {"quote": p.can_quote_post(user, post), "edit": p.can_edit_post(user, post),
               "withdraw": p.can_withdraw_post(user, post),
               "revisions": bool(post.edited_at) and p.can_view_post_revisions(user, post),
               "report": p.can_report_post(user, post), "moderate": any(moderation.values()), **moderation}
        may["any"] = any(may.values())
        return may
