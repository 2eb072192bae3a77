"""Admin pages for user accounts; the changes themselves are accounts.services.change_user."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.accounts import second_factor
from forum.accounts import services as account_services
from forum.accounts.forms import SecondFactorResetForm, UserAdminForm, UserFilterForm
from forum.accounts.models import ROLE_LABELS, STATUS_LABELS, User
from forum.admin import bp
from forum.extensions import db
from forum.forms import choices
from forum.organisations.models import Organisation
from forum.organisations.services import organisation_choices
from forum.permissions import can_change_user, can_manage_users, can_reset_second_factor, require
from forum.queries import paginate

PER_PAGE = 50


@bp.route("/users")
def users():
    """All accounts, newest first, filtered by status, role and a search in name, e-mail and organisation."""
    require(can_manage_users(current_user))
    selected = UserFilterForm(options={"status": STATUS_LABELS, "role": ROLE_LABELS}).chosen()
    status, role, search = selected.get("status", ""), selected.get("role", ""), selected.get("q", "")
    query = account_services.users_query(status=status, role=role, search=search)
    page = paginate(query, per_page=PER_PAGE)
    return render_template("admin/users.html", page=page, status=status, role=role, search=search,
                           roles=ROLE_LABELS, statuses=STATUS_LABELS)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    """Change one account's role, status and organisation (audited)."""
    user = db.get_or_404(User, user_id)
    require(can_manage_users(current_user))
    form = UserAdminForm(obj=user)
    form.organisation_id.choices = choices(organisation_choices())
    may_change = can_change_user(current_user, user)
    if form.validate_on_submit():
        require(may_change)
        organisation = db.get_or_404(Organisation, form.organisation_id.data)
        changed = account_services.change_user(user, actor=current_user, role=form.role.data,
                                               status=form.status.data, organisation=organisation,
                                               reason=form.reason.data.strip())
        db.session.commit()
        flash(_("Die Änderungen wurden gespeichert.") if changed else _("Es gab nichts zu ändern."), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/edit_user.html", user=user, form=form, may_change=may_change,
                           reset_form=SecondFactorResetForm())


@bp.route("/users/<int:user_id>/second-factor/reset", methods=["POST"])
def reset_second_factor(user_id: int):
    """Turn off the second factor of someone who lost their device and recovery codes (audited; their sessions
    end, and a moderator or admin must set it up again at the next login)."""
    user = db.get_or_404(User, user_id)
    require(can_reset_second_factor(current_user, user))
    reset_form = SecondFactorResetForm()
    if reset_form.validate_on_submit():
        second_factor.reset_second_factor(user, actor=current_user, reason=reset_form.reason.data)
        db.session.commit()
        flash(_("Der zweite Faktor von %(name)s ist zurückgesetzt.", name=user.display_name), "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    form = UserAdminForm(obj=user)
    form.organisation_id.choices = choices(organisation_choices())
    return render_template("admin/edit_user.html", user=user, form=form, reset_form=reset_form,
                           may_change=can_change_user(current_user, user))
