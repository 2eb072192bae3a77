"""The Jobcenter directory, organisation pages, and admin pages to create, edit and import organisations."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from forum.accounts.models import User
from forum.extensions import db
from forum.forms import attempt
from forum.organisations import bp, members as profiles
from forum.organisations.forms import MAX_IMPORT_BYTES, ImportForm, OrganisationFilterForm, OrganisationForm
from forum.organisations.models import KIND_LABELS, LAENDER, Organisation
from forum.organisations.services import (OrganisationData, import_organisations,
                                          parse_domains, save_organisation)
from forum.permissions import (can_manage_organisations, can_view_member, can_view_organisation, require,
                               visible_members)
from forum.queries import contains, paginate

PER_PAGE = 50


@bp.route("/")
def index():
    """The directory: every organisation with its Land, type and number of members; filter and search."""
    selected = OrganisationFilterForm(options={"kind": KIND_LABELS, "land": LAENDER}).chosen()
    kind, land, search = selected.get("kind", ""), selected.get("land", ""), selected.get("q", "")
    query = select(Organisation).order_by(Organisation.kind != "jobcenter", Organisation.name)
    if kind:
        query = query.where(Organisation.kind == kind)
    if land:
        query = query.where(Organisation.land == land)
    if search:
        query = query.where(contains(Organisation.name, search))
    page = paginate(query, per_page=PER_PAGE)
    ids = [organisation.id for organisation in page.items]
    counts = {organisation_id: count for organisation_id, count in db.session.execute(visible_members(
        current_user, select(User.organisation_id, func.count(User.id)).where(User.organisation_id.in_(ids))
    ).group_by(User.organisation_id))} if ids else {}
    rows = [(organisation, counts.get(organisation.id, 0)) for organisation in page.items]
    return render_template("organisations/index.html", page=page, rows=rows, kind=kind, land=land,
                           search=search, kinds=KIND_LABELS, laender=LAENDER)


@bp.route("/<int:organisation_id>")
def show(organisation_id: int):
    """One organisation: name, Land, region, type, and its members."""
    organisation = db.get_or_404(Organisation, organisation_id)
    require(can_view_organisation(current_user, organisation))
    members = db.session.scalars(visible_members(current_user, select(User).where(
        User.organisation_id == organisation.id)).order_by(User.display_name)).all()
    return render_template("organisations/show.html", organisation=organisation, members=members)


@bp.route("/members/<int:user_id>")
def member(user_id: int):
    """A member's profile: name, function, organisation, and their newest posts and ideas the viewer may read.
    An account the viewer may not see (pending, suspended, rejected, deleted) answers 404 like a missing one."""
    person = profiles.load_member(user_id)
    if person is None or not can_view_member(current_user, person):
        abort(404)
    return render_template("organisations/member.html", person=person,
                           posts=profiles.recent_posts(current_user, person),
                           ideas=profiles.recent_ideas(current_user, person))


@bp.route("/new", methods=["GET", "POST"])
def create():
    """Admins add an organisation."""
    require(can_manage_organisations(current_user))
    form = OrganisationForm()
    if form.validate_on_submit():
        done, organisation = attempt(form.name, lambda: save_organisation(None, _data(form), actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Organisation „%(name)s“ wurde angelegt.", name=organisation.name), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=None)


@bp.route("/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit(organisation_id: int):
    """Admins change an organisation's data and e-mail domains."""
    organisation = db.get_or_404(Organisation, organisation_id)
    require(can_manage_organisations(current_user))
    form = OrganisationForm(obj=organisation)
    if request.method == "GET":
        form.land.data = organisation.land or ""
        form.jobcenter_type.data = organisation.jobcenter_type or ""
        form.domains.data = "\n".join(organisation.domain_names)
    if form.validate_on_submit():
        done, _result = attempt(form.name, lambda: save_organisation(organisation, _data(form), actor=current_user))
        if done:
            db.session.commit()
            flash(_("Die Änderungen wurden gespeichert."), "success")
            return redirect(url_for("organisations.show", organisation_id=organisation.id))
    return render_template("organisations/form.html", form=form, organisation=organisation)


def _data(form: OrganisationForm) -> OrganisationData:
    domains, _invalid = parse_domains(form.domains.data or "")
    return OrganisationData(name=" ".join(form.name.data.split()), kind=form.kind.data, land=form.land.data or None,
                            region=(form.region.data or "").strip(), jobcenter_type=form.jobcenter_type.data or None,
                            domains=domains)


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    """Admins import organisations from CSV: every line is checked first; with one bad line nothing is saved."""
    require(can_manage_organisations(current_user))
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            form.file.errors.append(_("Die Datei ist größer als 2 MB."))
        else:
            report = import_organisations(raw, actor=current_user)
            if report.ok:
                db.session.commit()
                flash(_("Import abgeschlossen: %(created)s neu angelegt, %(updated)s aktualisiert.",
                        created=len(report.created), updated=len(report.updated)), "success")
                return redirect(url_for("organisations.index"))
            db.session.rollback()
    return render_template("organisations/import.html", form=form, report=report)
