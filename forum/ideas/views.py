"""Pages of the Ideenbörse: the list with filters, submit, the idea page, edit, status, votes, adoptions, events.

The admin pages of the reference lists are in `forum/ideas/term_views.py`.
"""
from __future__ import annotations

from functools import partial

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from forum.forms import ConfirmForm, attempt
from forum import guard
from forum.events.models import Event
from forum.extensions import db
from forum.ideas import bp, services
from forum.ideas.forms import AdoptForm, EventLinkForm, IdeaFilterForm, IdeaForm, StatusForm
from forum.ideas.models import IDEA_STATUSES, REFERENCE_KINDS, Idea, IdeaAdoption, ReferenceTerm
from forum.ideas.terms import terms_by_kind
from forum.organisations.models import LAENDER, Organisation
from forum.organisations.services import grouped_organisations
from forum.permissions import (can_adopt_idea, can_edit_idea, can_link_idea_to_event, can_set_idea_status,
                               can_submit_idea, can_submit_idea_for_others, can_view_idea,
                               can_view_idea_revisions, can_vote, can_withdraw_adoption, require)
from forum.queries import paginate
from forum.search.engine import similar_ideas
from forum.search.text import any_of

PER_PAGE = 20
SORT_LABELS = {"active": _l("zuletzt aktiv"), "votes": _l("meiste Stimmen"), "newest": _l("neueste zuerst")}


@bp.app_template_global()
def vote_summary(votes: int, jobcenters: int) -> str:
    """ "N Stimmen aus M Jobcentern", as the idea page, the cards and the vote script show it."""
    if not votes:
        return _("Noch keine Stimmen")
    return _("%(votes)s aus %(jobcenters)s", votes=ngettext("%(num)s Stimme", "%(num)s Stimmen", votes),
             jobcenters=ngettext("%(num)s Jobcenter", "%(num)s Jobcentern", jobcenters))


@bp.route("/")
def index():
    """The ideas the user may see: filter by the lists, Land, status and event; sort; paginated cards.

    Filter values the page does not know are ignored, so an old or mistyped link still shows a list.
    """
    terms, events = terms_by_kind(), services.events_with_ideas()
    event_titles = {str(key): title for key, title in events.items()}
    offered = {kind: {str(term.id): term.name for term in terms[kind]} for kind in REFERENCE_KINDS}
    form = IdeaFilterForm(options={**offered, "land": LAENDER, "status": IDEA_STATUSES,
                                                 "event": event_titles, "sort": SORT_LABELS})
    selected = form.chosen()
    sort = form.sort.data if form.sort.data in SORT_LABELS and not form.sort.errors else "active"
    query = services.ideas_query(
        current_user, term_ids=[int(selected[kind]) for kind in REFERENCE_KINDS if kind in selected],
        land=selected.get("land"), status=selected.get("status"),
        event_id=int(selected["event"]) if "event" in selected else None, sort=sort)
    page = paginate(query, per_page=PER_PAGE)
    term_options = {kind: {str(term.id): term.name for term in terms[kind]
                           if term.active or selected.get(kind) == str(term.id)} for kind in REFERENCE_KINDS}
    return render_template("ideas/index.html", page=page, selected=selected, sort=sort, sorts=SORT_LABELS,
                           jobcenters=services.voting_jobcenters([idea.id for idea in page.items]),
                           term_options=term_options, laender=LAENDER, statuses=IDEA_STATUSES,
                           events=event_titles)


# --- submit and edit ----------------------------------------------------------------------------------------

def _organisation_options() -> dict[str, dict[int, str]]:
    return {group: {o.id: o.name for o in members} for group, members in grouped_organisations()}


def _data(form: IdeaForm, terms: dict[str, list[ReferenceTerm]]) -> services.IdeaData:
    by_id = {term.id: term for kind_terms in terms.values() for term in kind_terms}
    return services.IdeaData(title=form.title.data, summary=form.summary.data, sections=form.sections,
                             contact=form.contact.data, terms=[by_id[term_id] for term_id in form.term_ids])


def _held_back(form: IdeaForm, render):
    """The client-data guard on the idea's texts (guard.hold_back): the form again with the marks, or None."""
    return guard.hold_back([(field.label.text, field.data) for field in (form.title, form.summary,
                                                                          *form.section_fields)],
                           confirmed=form.confirm_client_data.data, context="idea", render=render)


def _similar(form: IdeaForm, idea: Idea | None) -> dict:
    """The ideas similar to the title and summary typed so far, for the form's list (nothing is validated or
    saved: the button only looks)."""
    query = any_of(f"{form.title.data or ''} {form.summary.data or ''}")
    return {"similar": similar_ideas(current_user, query, leave_out=idea.id if idea else None),
            "similar_asked": not query.is_empty}


@bp.route("/new", methods=["GET", "POST"])
def submit():
    """Present an approach: title, summary, structured description, Jobcenter, contact and the three lists."""
    require(can_submit_idea(current_user))
    terms = terms_by_kind(active_only=True)
    for_others = can_submit_idea_for_others(current_user)
    form = IdeaForm(terms=terms, organisations=_organisation_options() if for_others else None)
    if request.method == "GET":
        form.contact.data = f"{current_user.display_name}, {current_user.email}"
        if for_others:
            form.organisation_id.data = current_user.organisation_id
    render = partial(render_template, "ideas/form.html", form=form, idea=None)
    if form.is_submitted() and form.similar.data:
        return render(**_similar(form, None))
    if not form.validate_on_submit():
        return render()
    answer = _held_back(form, render)
    if answer is not None:
        return answer
    organisation = db.get_or_404(Organisation, form.organisation_id.data) if for_others else current_user.organisation
    idea = services.submit_idea(_data(form, terms), author=current_user, organisation=organisation)
    db.session.commit()
    flash(_("Vielen Dank! Ihr Ansatz wurde eingereicht. Die Servicestelle prüft ihn und veröffentlicht ihn "
            "dann in der Ideenbörse."), "success")
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/<int:idea_id>/edit", methods=["GET", "POST"])
def edit(idea_id: int):
    """The author or a moderator changes the idea; the previous text is kept as a revision."""
    idea = _load(idea_id)
    require(can_edit_idea(current_user, idea))
    terms = terms_by_kind(active_only=True)
    for_others = can_submit_idea_for_others(current_user)
    form = IdeaForm(terms=terms, organisations=_organisation_options() if for_others else None)
    if request.method == "GET":
        form.title.data, form.summary.data = idea.title, idea.summary
        form.contact.data = idea.contact
        for field in form.section_fields:
            field.data = idea.sections[field.name]
        form.topics.data = [term.id for term in idea.terms_of("topic")]
        form.target_groups.data = [term.id for term in idea.terms_of("target_group")]
        form.partner_types.data = [term.id for term in idea.terms_of("partner_type")]
        if for_others:
            form.organisation_id.data = idea.organisation_id
    render = partial(render_template, "ideas/form.html", form=form, idea=idea,
                     retired_terms=[term for term in idea.terms if not term.active])
    if form.is_submitted() and form.similar.data:
        return render(**_similar(form, idea))
    if not form.validate_on_submit():
        return render()
    answer = _held_back(form, render)
    if answer is not None:
        return answer
    organisation = db.get_or_404(Organisation, form.organisation_id.data) if for_others else None
    if services.edit_idea(idea, _data(form, terms), editor=current_user, organisation=organisation):
        db.session.commit()
        flash(_("Die Änderungen wurden gespeichert."), "success")
    else:
        flash(_("Sie haben nichts geändert."), "info")
    return redirect(url_for("ideas.show", idea_id=idea.id))


@bp.route("/<int:idea_id>/revisions")
def revisions(idea_id: int):
    """Earlier versions of the text: who changed it when, and what it said before."""
    idea = _load(idea_id)
    require(can_view_idea_revisions(current_user, idea))
    return render_template("ideas/revisions.html", idea=idea, revisions=services.revisions_of(idea))


# --- the idea page ------------------------------------------------------------------------------------------

def _load(idea_id: int) -> Idea:
    """The idea with its Jobcenter and author, or 404; 403 when the user may not see it."""
    idea = db.get_or_404(Idea, idea_id, options=[joinedload(Idea.organisation), joinedload(Idea.author)])
    require(can_view_idea(current_user, idea))
    return idea


@bp.route("/<int:idea_id>")
def show(idea_id: int):
    """One idea: description, lists, Jobcenter and contact, status, events, adoptions, votes and discussion."""
    return _render_show(_load(idea_id))


def _render_show(idea: Idea, *, status_form: StatusForm | None = None, adopt_form: AdoptForm | None = None,
                 event_form: EventLinkForm | None = None):
    """The idea page, also after a rejected form on it (the form keeps the input and shows its errors)."""
    user = current_user
    adoptions = services.adoptions_of(idea)
    if can_set_idea_status(user, idea) and status_form is None:
        status_form = StatusForm(statuses=services.allowed_statuses(idea), formdata=None)
    if can_link_idea_to_event(user, idea) and event_form is None:
        event_form = EventLinkForm(events=services.linkable_events(idea), formdata=None)
    return render_template(
        "ideas/show.html", idea=idea, adoptions=adoptions, events=services.events_of(idea),
        own_adoption=next((a for a in adoptions if a.organisation_id == user.organisation_id), None),
        jobcenters=services.voting_jobcenters([idea.id]).get(idea.id, 0),
        voted=services.has_voted(idea, user) if can_vote(user, idea) else False,
        revision_count=services.count_revisions(idea) if can_view_idea_revisions(user, idea) else 0,
        status_form=status_form, adopt_form=adopt_form or AdoptForm(formdata=None), event_form=event_form,
        reference_kinds=REFERENCE_KINDS)


@bp.route("/<int:idea_id>/status", methods=["POST"])
def set_status(idea_id: int):
    """A moderator moves the idea along the workflow, with a reason (audited, the author is notified)."""
    idea = _load(idea_id)
    require(can_set_idea_status(current_user, idea))
    form = StatusForm(statuses=services.allowed_statuses(idea))
    if form.validate_on_submit():
        done, _result = attempt(form.status, lambda: services.set_idea_status(idea, form.status.data,
                                                                              actor=current_user,
                                                                              reason=form.reason.data))
        if done:
            db.session.commit()
            flash(_("Der Status ist jetzt „%(status)s“. Die einreichende Person wird benachrichtigt.",
                    status=idea.status_label), "success")
            return redirect(url_for("ideas.show", idea_id=idea.id))
    return _render_show(idea, status_form=form)


# --- votes --------------------------------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _vote_answer(idea: Idea, *, voted: bool, message: str):
    """JSON for the vote script (new count, the button's next action), else back to the idea page.

    Built before the commit, so the count is read in the same transaction that changed it.
    """
    if not _wants_json():
        flash(message, "success")
        return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="stimmen"))
    summary = vote_summary(idea.vote_count, services.voting_jobcenters([idea.id]).get(idea.id, 0))
    return jsonify(voted=voted, vote_count=idea.vote_count, summary=summary, message=f"{message} {summary}.",
                   action=url_for("ideas.vote", idea_id=idea.id, withdraw=voted),
                   button=_("Stimme zurückziehen") if voted else _("Für diesen Ansatz stimmen"))


@bp.route("/<int:idea_id>/vote", methods=["POST"], defaults={"withdraw": False})
@bp.route("/<int:idea_id>/vote/withdraw", methods=["POST"], defaults={"withdraw": True})
def vote(idea_id: int, withdraw: bool):
    """Give the idea one's vote or take it back; a repeated request changes nothing."""
    idea = _load(idea_id)
    require(can_vote(current_user, idea))
    confirmed = ConfirmForm().validate_on_submit()
    if withdraw:
        changed = confirmed and services.withdraw_vote(idea, current_user)
        message = (_("Ihre Stimme wurde zurückgezogen.") if changed
                   else _("Sie hatten nicht für diesen Ansatz gestimmt."))
    else:
        changed = confirmed and services.vote(idea, current_user)
        message = _("Ihre Stimme wurde gezählt.") if changed else _("Sie haben bereits für diesen Ansatz gestimmt.")
    answer = _vote_answer(idea, voted=not withdraw, message=message)
    db.session.commit()
    return answer


# --- adoptions ----------------------------------------------------------------------------------------------

@bp.route("/<int:idea_id>/adopt", methods=["POST"])
def adopt(idea_id: int):
    """A member records that their Jobcenter adopted the idea, with an optional note."""
    idea = _load(idea_id)
    require(can_adopt_idea(current_user, idea))
    form = AdoptForm()
    if not form.validate_on_submit():
        return _render_show(idea, adopt_form=form)
    if services.adopt_idea(idea, user=current_user, note=form.note.data or ""):
        db.session.commit()
        flash(_("Eingetragen: %(organisation)s hat diesen Ansatz übernommen.",
                organisation=current_user.organisation.name), "success")
    else:
        flash(_("%(organisation)s ist bereits als übernehmendes Jobcenter eingetragen.",
                organisation=current_user.organisation.name), "info")
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="uebernommen"))


@bp.route("/<int:idea_id>/adoptions/<int:organisation_id>/withdraw", methods=["POST"])
def withdraw_adoption(idea_id: int, organisation_id: int):
    """Remove a Jobcenter's "übernommen" entry (its staff or a moderator)."""
    idea = _load(idea_id)
    adoption = db.first_or_404(select(IdeaAdoption).options(joinedload(IdeaAdoption.organisation)).where(
        IdeaAdoption.idea_id == idea.id, IdeaAdoption.organisation_id == organisation_id))
    require(can_withdraw_adoption(current_user, adoption))
    name = adoption.organisation.name
    if ConfirmForm().validate_on_submit() and services.withdraw_adoption(idea, organisation=adoption.organisation):
        db.session.commit()
        flash(_("Der Eintrag „übernommen von %(organisation)s“ wurde entfernt.", organisation=name), "success")
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="uebernommen"))


# --- presented at events ------------------------------------------------------------------------------------

@bp.route("/<int:idea_id>/events", methods=["POST"])
def link_event(idea_id: int):
    """An organiser or moderator records an event where the idea was presented (audited)."""
    idea = _load(idea_id)
    require(can_link_idea_to_event(current_user, idea))
    form = EventLinkForm(events=services.linkable_events(idea))
    if not form.validate_on_submit():
        return _render_show(idea, event_form=form)
    event = db.get_or_404(Event, form.event_id.data)
    if services.link_event(idea, event, actor=current_user):
        db.session.commit()
        flash(_("Verknüpft: vorgestellt bei „%(event)s“.", event=event.title), "success")
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="veranstaltungen"))


@bp.route("/<int:idea_id>/events/<int:event_id>/unlink", methods=["POST"])
def unlink_event(idea_id: int, event_id: int):
    """Remove a "presented at" link (audited)."""
    idea = _load(idea_id)
    require(can_link_idea_to_event(current_user, idea))
    event = db.get_or_404(Event, event_id)
    if ConfirmForm().validate_on_submit() and services.unlink_event(idea, event, actor=current_user):
        db.session.commit()
        flash(_("Die Verknüpfung mit „%(event)s“ wurde entfernt.", event=event.title), "success")
    return redirect(url_for("ideas.show", idea_id=idea.id, _anchor="veranstaltungen"))
