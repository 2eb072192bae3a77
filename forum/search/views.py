"""GET /search: the search page (also the target of the search field in every page's header)."""
from __future__ import annotations

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.permissions import can_search, require
from forum.queries import page_number
from forum.search import bp, engine
from forum.search.forms import SearchForm, SimilarIdeasForm
from forum.search.services import KIND_LABELS, filter_options, within_search_limit
from forum.search.text import any_of, parse


@bp.route("/")
def index():
    """Results of every kind the user may see, with counts per kind (tabs), filters, order and pages."""
    require(can_search(current_user))
    form = SearchForm()
    options = filter_options(current_user, event_id=_id(form.event.raw_data), author_id=_id(form.author.raw_data))
    form.offer(options)
    chosen = form.chosen()
    kind = form.kind.data if form.kind.data in KIND_LABELS and not form.kind.errors else None
    sort = form.sort.data if form.sort.data == "date" else "relevance"
    query = parse(form.q.data or "")
    results, message, status = None, None, 200
    if form.q.data and not form.q.errors:
        if query.is_empty:
            message = _("Bitte geben Sie mindestens ein Wort ein, das vorkommen soll (nicht nur Wörter mit Minus).")
        elif not within_search_limit(current_user):
            message, status = _("Sie haben in kurzer Zeit sehr oft gesucht. Bitte warten Sie eine Minute."), 429
        else:
            filters = engine.Filters(
                board_id=chosen.get("board"), event_id=chosen.get("event"), topic_id=chosen.get("topic"),
                land=chosen.get("land"), organisation_id=chosen.get("organisation"),
                author_id=chosen.get("author"), date_from=chosen.get("date_from"), date_to=chosen.get("date_to"))
            results = engine.search(current_user, query, kind=kind, filters=filters, sort=sort, page=page_number())
    return render_template("search/index.html", form=form, results=results, message=message, kind=kind,
                           kinds=KIND_LABELS, link=_link_with(form), options=options, sort=sort,
                           filtered=bool(chosen or form.date_from.errors or form.date_to.errors) or sort == "date",
                           per_page=engine.PER_PAGE), status


@bp.route("/similar-ideas")
def similar_ideas():
    """Ideas similar to a title and summary being written, as a piece of HTML for the idea form (its script asks
    while the person types; without JavaScript the form's own button shows the same list)."""
    require(can_search(current_user))
    form = SimilarIdeasForm()
    leave_out = _id(form.idea.raw_data)
    if not within_search_limit(current_user):
        return "", 429
    query = any_of(f"{form.title.data or ''} {form.summary.data or ''}")
    ideas = engine.similar_ideas(current_user, query, leave_out=leave_out)
    return render_template("search/_similar_ideas.html", ideas=ideas, asked=not query.is_empty)


def _id(raw: list[str] | None) -> int | None:
    value = (raw or [""])[0]
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


def _link_with(form: SearchForm):
    """url_for the search page with the form's current values and some replaced (tabs, pages)."""
    current = {field.name: field.raw_data[0] for field in form if field.raw_data and field.raw_data[0]}

    def link(**changes) -> str:
        values = {**current, **{key: value for key, value in changes.items()}}
        return url_for("search.index", **{key: value for key, value in values.items() if value not in (None, "")})
    return link
