"""Admin pages of the reference lists: add, rename, reorder, deactivate and reactivate entries."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.extensions import db
from forum.forms import ConfirmForm, MoveForm, attempt
from forum.ideas import bp, terms
from forum.ideas.forms import TermForm
from forum.ideas.models import REFERENCE_KINDS, ReferenceTerm
from forum.permissions import can_manage_reference_lists, require


def _back(term_kind: str):
    return redirect(url_for("ideas.reference_lists", _anchor=f"liste-{term_kind}"))


@bp.route("/reference-lists")
def reference_lists():
    """The three lists in their order, with the inactive entries marked."""
    require(can_manage_reference_lists(current_user))
    return _render_lists()


def _render_lists(forms: dict[str, TermForm] | None = None):
    add_forms = {kind: TermForm(prefix=kind, formdata=None) for kind in REFERENCE_KINDS} | (forms or {})
    for kind, form in add_forms.items():
        form.name.label.text = _("Neuer Eintrag: %(list)s", list=REFERENCE_KINDS[kind])
    return render_template("ideas/reference_lists.html", lists=terms.terms_by_kind(), kinds=REFERENCE_KINDS,
                           add_forms=add_forms)


@bp.route("/reference-lists/<kind>/add", methods=["POST"])
def add_term(kind: str):
    """Append an entry to a list; a name the list already has is refused with a message."""
    require(can_manage_reference_lists(current_user))
    if kind not in REFERENCE_KINDS:
        abort(404)
    form = TermForm(prefix=kind)
    if form.validate_on_submit():
        done, term = attempt(form.name, lambda: terms.add_term(kind, form.name.data, actor=current_user))
        if done:
            db.session.commit()
            flash(_("„%(name)s“ wurde hinzugefügt.", name=term.name), "success")
            return _back(kind)
    return _render_lists({kind: form})


@bp.route("/reference-lists/terms/<int:term_id>/rename", methods=["GET", "POST"])
def rename_term(term_id: int):
    """Rename an entry; ideas that carry it show the new name."""
    term = db.get_or_404(ReferenceTerm, term_id)
    require(can_manage_reference_lists(current_user))
    form = TermForm(obj=term)
    if form.validate_on_submit():
        done, _result = attempt(form.name, lambda: terms.rename_term(term, form.name.data, actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Bezeichnung wurde gespeichert."), "success")
            return _back(term.kind)
    return render_template("ideas/rename_term.html", term=term, form=form)


@bp.route("/reference-lists/terms/<int:term_id>/move", methods=["POST"])
def move_term(term_id: int):
    """One place up or down in the list (the order in which forms offer the entries)."""
    term = db.get_or_404(ReferenceTerm, term_id)
    require(can_manage_reference_lists(current_user))
    form = MoveForm()
    if form.validate_on_submit() and terms.move_term(term, -1 if form.direction.data == "up" else 1,
                                                     actor=current_user):
        db.session.commit()
        flash(_("„%(name)s“ steht jetzt an Position %(position)s.", name=term.name, position=term.position),
              "success")
    return _back(term.kind)


@bp.route("/reference-lists/terms/<int:term_id>/deactivate", methods=["POST"], defaults={"active": False})
@bp.route("/reference-lists/terms/<int:term_id>/activate", methods=["POST"], defaults={"active": True})
def set_term_active(term_id: int, active: bool):
    """Stop offering an entry (it stays on the ideas that have it) or offer it again."""
    term = db.get_or_404(ReferenceTerm, term_id)
    require(can_manage_reference_lists(current_user))
    if ConfirmForm().validate_on_submit() and terms.set_term_active(term, active, actor=current_user):
        db.session.commit()
        flash(_("„%(name)s“ wird wieder angeboten.", name=term.name) if active else
              _("„%(name)s“ wird nicht mehr angeboten; Ideen, die es schon tragen, behalten es.", name=term.name),
              "success")
    return _back(term.kind)
