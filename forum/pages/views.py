"""Show a legal page to everyone; let admins replace its text."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.extensions import db
from forum.pages import bp
from forum.pages.forms import PageForm
from forum.pages.services import DEFAULT_TEXTS, LEGAL_PAGES, get_page, update_page
from forum.permissions import can_edit_pages, require


@bp.route("/<slug>")
def show(slug: str):
    """Public: Impressum, Datenschutz, Barrierefreiheit and Nutzungsbedingungen need no login."""
    if slug not in LEGAL_PAGES:
        abort(404)
    return render_template("pages/show.html", slug=slug, page=get_page(slug), default_title=LEGAL_PAGES[slug])


@bp.route("/<slug>/edit", methods=["GET", "POST"])
def edit(slug: str):
    if slug not in LEGAL_PAGES:
        abort(404)
    require(can_edit_pages(current_user))
    page = get_page(slug)
    form = PageForm(title=page.title if page else str(LEGAL_PAGES[slug]),
                    body=page.body_source if page else DEFAULT_TEXTS[slug])
    if form.validate_on_submit():
        update_page(slug, title=form.title.data, body=form.body.data, actor=current_user)
        db.session.commit()
        flash(_("Die Seite wurde gespeichert."), "success")
        return redirect(url_for("pages.show", slug=slug))
    return render_template("pages/edit.html", slug=slug, form=form)
