"""Every authorisation rule of the extranet: can_<verb>(user, obj) predicates and visible_<things>() filters.

Views call `require(can_…(current_user, obj))`; templates get the same predicates as `can.<verb>`. No other
module decides who may do what.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, false, or_, select

from forum.accounts.models import User
from forum.clock import utcnow
from forum.discussion.models import Post, Thread
from forum.events.models import Event
from forum.ideas.models import VOTABLE_STATUSES, Idea
from forum.notifications.models import Notification

STAFF_ROLES = frozenset({"moderator", "admin"})


def _is_member(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active


def _is_admin(user) -> bool:
    return _is_member(user) and user.role == "admin"


def _is_moderator(user) -> bool:
    return _is_member(user) and user.role in STAFF_ROLES


class StandIn:
    """A viewer of a role who owns nothing (id 0 is no account, of no organisation): what the rules here let it
    see, they let every active account of that role see, because they grant more only for what one wrote or
    submitted. The search stores per document whether ANY_MEMBER finds it (forum/search/index.py)."""

    is_authenticated = True
    is_active = True
    id = organisation_id = 0

    def __init__(self, role: str):
        self.role = role


ANY_MEMBER, ANY_MODERATOR = StandIn("member"), StandIn("moderator")


def can_view_dashboard(user) -> bool:
    """Every active account has a home page."""
    return _is_member(user)


def can_view_organisation(user, organisation) -> bool:
    """The Jobcenter directory is open to every active member (networking is the point of the programme)."""
    return _is_member(user)


def visible_organisations(user, query: Select) -> Select:
    """The same rule as can_view_organisation() in SQL: the whole directory for active members."""
    return query if _is_member(user) else query.where(false())


def can_search(user) -> bool:
    """Every active member searches; what they find passes the visible_* filters of each kind."""
    return _is_member(user)


def can_approve_registrations(user) -> bool:
    """Moderators and admins decide registrations whose e-mail domain did not match the organisation."""
    return _is_moderator(user)


def can_decide_registration(user, applicant) -> bool:
    """Only confirmed, still pending applicants can be approved or rejected."""
    return can_approve_registrations(user) and applicant.awaits_approval


def can_view_audit_log(user) -> bool:
    """The Moderationsprotokoll (and its CSV export) is for the service office's moderators and admins."""
    return _is_moderator(user)


def can_view_statistics(user) -> bool:
    """The programme statistics (and their exports) are for the service office: organisers, moderators, admins."""
    return _is_member(user) and user.role in ("organiser", "moderator", "admin")


def can_manage_users(user) -> bool:
    """Only admins see the user administration."""
    return _is_admin(user)


def can_change_user(user, target) -> bool:
    """Admins change other people's role, status and organisation, never their own (no self-lock-out)."""
    return _is_admin(user) and target.id != user.id and target.status != "deleted"


def needs_second_factor_setup(user) -> bool:
    """Moderators and admins must set up the second factor before any page beyond their account settings
    (security.require_login sends them to the set-up page); members and organisers may choose to."""
    return _is_moderator(user) and not user.has_second_factor


def can_turn_off_second_factor(user) -> bool:
    """Members and organisers may turn their second factor off again; moderators and admins may only renew it."""
    return _is_member(user) and user.has_second_factor and user.role not in STAFF_ROLES


def can_reset_second_factor(user, target) -> bool:
    """Admins turn off the second factor of someone who lost their device and recovery codes (not their own:
    an admin who can log in does it on their own page)."""
    return _is_admin(user) and target.id != user.id and target.has_second_factor


def can_manage_organisations(user) -> bool:
    """Admins create, edit and import organisations."""
    return _is_admin(user)


def can_edit_pages(user) -> bool:
    """Admins replace the texts of the legal pages."""
    return _is_admin(user)


def can_manage_barrier_reports(user) -> bool:
    """Admins read the reported barriers (with the senders' names and addresses) and set their status."""
    return _is_admin(user)


def can_request_data_export(user) -> bool:
    """Every active account may ask for a copy of its own data (Art. 15/20 DSGVO)."""
    return _is_member(user)


def can_delete_own_account(user) -> bool:
    """Every active account may delete itself (Art. 17 DSGVO); the last admin is refused by the service."""
    return _is_member(user)


def can_delete_account(user, target) -> bool:
    """Admins delete other people's accounts (their own through the self-service page, like everyone)."""
    return _is_admin(user) and target.id != user.id and target.status != "deleted"


# --- events -------------------------------------------------------------------------------------------------

def _is_organiser(user) -> bool:
    return _is_member(user) and user.role in ("organiser", "admin")


def can_view_event(user, event) -> bool:
    """Every active member reads every event (planned, open, done or cancelled)."""
    return _is_member(user)


def visible_events(user, query: Select) -> Select:
    """The same rule as can_view_event() in SQL (lists, search): every event for every active member."""
    return query if _is_member(user) else query.where(false())


def visible_attachments(user, query: Select) -> Select:
    """The same rule as can_download_attachment() in SQL: documentation files for active members."""
    return query if _is_member(user) else query.where(false())


def can_manage_events(user) -> bool:
    """Organisers of the service office (and admins) create, edit, cancel and complete events."""
    return _is_organiser(user)


def can_edit_event(user, event) -> bool:
    """Editing, documentation, attachments, participants and follow-ups of an event."""
    return _is_organiser(user)


def can_register_for_event(user, event) -> bool:
    """Members register for events that take registrations (status "open", deadline not passed)."""
    return _is_member(user) and event.registration_closed_reason() is None


def can_download_attachment(user, attachment) -> bool:
    """Documentation files are for logged-in members only."""
    return _is_member(user)


def can_cancel_event(user, event) -> bool:
    """Organisers cancel planned or open events (everyone registered or waiting is told by e-mail)."""
    return _is_organiser(user) and event.status in ("planned", "open")


def can_complete_event(user, event) -> bool:
    """Organisers mark an event as held once it has begun."""
    return _is_organiser(user) and event.status in ("planned", "open") and event.starts_at <= utcnow()


def can_cancel_registration(user, event) -> bool:
    """Members withdraw (also after the deadline) until the event begins, unless it is cancelled or over."""
    return _is_member(user) and event.status in ("planned", "open") and utcnow() < event.starts_at


def can_view_online_link(user, event, *, registered: bool = False) -> bool:
    """The video room's address is for the people holding a place (`registered`) and for organisers and
    moderators; not for every member, nor once the event is cancelled."""
    if event.status == "cancelled":
        return _is_organiser(user) or _is_moderator(user)
    return _is_organiser(user) or _is_moderator(user) or (_is_member(user) and registered)


def can_subscribe_calendar(user) -> bool:
    """Every active member may have a personal calendar feed of the events they registered for."""
    return _is_member(user)


def _has_begun(event) -> bool:
    return event.status != "cancelled" and event.starts_at <= utcnow()


def can_view_attendance(user, event) -> bool:
    """Who attended is personal data: organisers and moderators see the list once the event has begun (each
    member sees only their own attendance on the event page)."""
    return (_is_organiser(user) or _is_moderator(user)) and _has_begun(event)


def can_mark_attendance(user, event) -> bool:
    """Organisers mark attendance and add walk-ins once the event has begun, unless it was cancelled."""
    return _is_organiser(user) and _has_begun(event)


def can_write_event_report(user, event) -> bool:
    """Organisers write the closing report (Abschlussbericht) of an event that is over or marked as held."""
    return _is_organiser(user) and event.status != "cancelled" and (event.status == "done"
                                                                    or event.ends_at <= utcnow())


def can_view_event_report(user, event) -> bool:
    """A published closing report is for every member; a draft only for the organisers writing it."""
    report = event.report
    if report is None:
        return False
    return _is_member(user) if report.published_at is not None else _is_organiser(user)


def can_copy_event(user, event) -> bool:
    """Organisers copy any event as the template of the next one of a series."""
    return _is_organiser(user)


def is_held(event) -> bool:
    """An event that took place: marked as held, or over and not cancelled (the documentation pack's events)."""
    return event.status != "cancelled" and (event.status == "done" or event.ends_at <= utcnow())


def can_view_documentation_pack(user, event) -> bool:
    """The documentation pack (print view, PDF) of a held event is for every member; names of attendees are in
    it only for those who may see the attendance (can_view_attendance)."""
    return _is_member(user) and is_held(event)


def visible_documented_events(user, query: Select) -> Select:
    """The same rule as can_view_documentation_pack() in SQL: the held events, for active members (period pack)."""
    if not _is_member(user):
        return query.where(false())
    return query.where(Event.status != "cancelled", or_(Event.status == "done", Event.ends_at <= utcnow()))


def can_make_period_pack(user) -> bool:
    """The documentation of all events of a period, for the report to the ministry: the service office."""
    return _is_member(user) and user.role in ("organiser", "moderator", "admin")


# --- ideas --------------------------------------------------------------------------------------------------

def visible_ideas(user, query: Select) -> Select:
    """Moderators see every idea; everyone else the published ones (any status after "eingereicht") and their own."""
    if _is_moderator(user):
        return query
    if not _is_member(user):
        return query.where(False)
    return query.where((Idea.status != "submitted") | (Idea.author_id == user.id))


def idea_readers(idea):
    """SQL condition on User: the active accounts that may see the idea (can_view_idea for many people at
    once), e.g. who is told about a reply in its discussion."""
    if idea.status != "submitted":
        return User.status == "active"
    return (User.status == "active") & ((User.id == idea.author_id) | moderator_accounts())


def can_view_idea(user, idea) -> bool:
    """The same rule as visible_ideas() for one idea: published ones, one's own, and everything for moderators."""
    if not _is_member(user):
        return False
    return _is_moderator(user) or idea.status != "submitted" or idea.author_id == user.id


def can_submit_idea(user) -> bool:
    """Every active member can present an idea for the Ideenbörse."""
    return _is_member(user)


def can_submit_idea_for_others(user) -> bool:
    """Service-office staff may submit an idea on behalf of any Jobcenter; members only for their own."""
    return _is_member(user) and user.role in ("organiser", "moderator", "admin")


def can_edit_idea(user, idea) -> bool:
    """The author edits their idea; moderators edit every idea."""
    return _is_member(user) and (idea.author_id == user.id or _is_moderator(user))


def can_view_idea_revisions(user, idea) -> bool:
    """Earlier versions of an idea's text are for its author and the moderators."""
    return can_edit_idea(user, idea)


def can_set_idea_status(user, idea) -> bool:
    """Moderators move ideas through eingereicht → veröffentlicht → in Erprobung → bewährt → archiviert."""
    return _is_moderator(user)


def can_vote(user, idea) -> bool:
    """One vote per member on a visible idea that is published, in trial or proven (not archived)."""
    return can_view_idea(user, idea) and idea.status in VOTABLE_STATUSES


def can_adopt_idea(user, idea) -> bool:
    """A member records that their Jobcenter adopted a published idea of another organisation."""
    return (can_view_idea(user, idea) and idea.status in VOTABLE_STATUSES
            and user.organisation.kind == "jobcenter" and idea.organisation_id != user.organisation_id)


def can_withdraw_adoption(user, adoption) -> bool:
    """Staff of the adopting Jobcenter (anyone of them) and moderators remove an "übernommen" entry."""
    return _is_member(user) and (adoption.organisation_id == user.organisation_id or _is_moderator(user))


def can_link_idea_to_event(user, idea=None) -> bool:
    """Organisers and moderators record at which events an idea was presented."""
    return _is_member(user) and user.role in ("organiser", "moderator", "admin")


def can_manage_reference_lists(user) -> bool:
    """Admins keep the lists of Handlungsfelder, Zielgruppen and Kooperationspartner."""
    return _is_admin(user)


# --- threads ------------------------------------------------------------------------------------------------

def can_view_thread(user, thread) -> bool:
    """A thread is visible when what it belongs to is visible."""
    if thread.idea_id is not None:
        return can_view_idea(user, thread.idea)
    return _is_member(user)


def visible_threads(user, query: Select) -> Select:
    """The same rule as can_view_thread() in SQL: threads without an idea, and those of visible ideas."""
    if _is_moderator(user):
        return query
    if not _is_member(user):
        return query.where(false())
    return query.where(or_(Thread.idea_id.is_(None), Thread.idea_id.in_(visible_ideas(user, select(Idea.id)))))


def thread_readers(thread):
    """SQL condition on User: the active accounts that may see the thread (can_view_thread for many people at
    once), e.g. who may be notified of a reply in it."""
    if thread.idea_id is not None:
        return idea_readers(thread.idea)
    return User.status == "active"


def can_link_follow_up(user, event) -> bool:
    """Organisers start follow-up threads of an event or mark existing threads as follow-ups (and unlink)."""
    return _is_organiser(user)


# --- boards, posts, following ------------------------------------------------------------------------------

def can_view_board(user, board) -> bool:
    """Every active member reads every Fachforum."""
    return _is_member(user)


def can_manage_boards(user) -> bool:
    """Admins create, edit and order the Fachforen."""
    return _is_admin(user)


def can_start_thread(user, board) -> bool:
    """Every active member starts threads in a Fachforum."""
    return _is_member(user)


def can_reply(user, thread) -> bool:
    """Members reply in visible threads that are not locked."""
    return can_view_thread(user, thread) and not thread.is_locked


def can_quote_post(user, post) -> bool:
    """Members quote posts that are shown (neither withdrawn nor hidden) in threads they may reply to."""
    return can_reply(user, post.thread) and not post.is_withdrawn and not post.is_hidden


def can_read_post(user, post) -> bool:
    """Whether the user may read a post's text — in its thread and wherever the quote feature copied it (quotes,
    quotes of quotes, also in other threads): shown posts of threads they see; hidden posts (also those pending
    review) and withdrawn ones only their author and the moderators."""
    if not can_view_thread(user, post.thread):
        return False
    if post.is_hidden or post.is_withdrawn:
        return can_view_hidden_post(user, post)
    return True


def post_shown_as(user, post) -> str:
    """How a post appears to the user on its thread page: "text" (shown), "hidden_text" (hidden by the
    moderation, readable for its author and the moderators, marked as hidden) or "placeholder" (hidden for
    everyone else; withdrawn for everyone, also its author — withdrawing is the author's own "delete")."""
    if post.is_withdrawn:
        return "placeholder"
    if post.is_hidden:
        return "hidden_text" if can_view_hidden_post(user, post) else "placeholder"
    return "text"


def visible_posts(user, query: Select, *, thread=None, among=None) -> Select:
    """The posts of the threads the user sees (each as post_shown_as() shows it), in SQL. Given the one `thread`
    the query is about, can_view_thread() decides and the SQL is only narrowed to that thread (the list of every
    visible thread costs milliseconds a query, 40 ms with 80,000 threads). Given `among` (thread ids, a list or
    a select), only the posts of those of them the user sees."""
    if thread is not None:
        query = query.where(Post.thread_id == thread.id)
        return query if can_view_thread(user, thread) else query.where(false())
    threads = select(Thread.id) if among is None else select(Thread.id).where(Thread.id.in_(among))
    return query.where(Post.thread_id.in_(visible_threads(user, threads)))


def readable_posts(user, query: Select, *, thread=None, among=None) -> Select:
    """The same rule as can_read_post() in SQL: the posts whose text the user may read — shown posts of
    threads they see; hidden and withdrawn ones only for their author and the moderators. `thread` and `among`:
    as for visible_posts()."""
    query = visible_posts(user, query, thread=thread, among=among)
    if _is_moderator(user):
        return query
    if not _is_member(user):
        return query.where(false())
    return query.where(or_(Post.author_id == user.id, (Post.hidden_at.is_(None) & Post.withdrawn_at.is_(None))))


def can_edit_post(user, post) -> bool:
    """Authors edit their own posts while they are neither withdrawn nor hidden and the thread is open;
    moderators edit any post that is not withdrawn (audited), also hidden ones and in locked threads."""
    if can_moderate_post(user, post):
        return not post.is_withdrawn
    return (_is_member(user) and post.author_id == user.id and not post.is_withdrawn and not post.is_hidden
            and not post.thread.is_locked)


def can_withdraw_post(user, post) -> bool:
    """Authors withdraw (soft-delete) their own posts; a placeholder remains."""
    return _is_member(user) and post.author_id == user.id and not post.is_withdrawn


def can_view_post_revisions(user, post) -> bool:
    """Earlier versions of a post are for its author and the moderators."""
    return _is_member(user) and (post.author_id == user.id or _is_moderator(user))


def can_view_hidden_post(user, post) -> bool:
    """The text of a post hidden by the moderation stays readable for its author and the moderators."""
    return _is_member(user) and (post.author_id == user.id or _is_moderator(user))


def can_report_post(user, post) -> bool:
    """Members report other people's posts that are shown (not withdrawn, not hidden) in threads they see; who can
    moderate the post acts on it instead (no "Melden" for the moderation)."""
    return (can_view_thread(user, post.thread) and post.author_id != user.id and not post.is_withdrawn
            and not post.is_hidden and not can_moderate_post(user, post))


# --- moderation ---------------------------------------------------------------------------------------------

def can_moderate_post(user, post) -> bool:
    """The reach of the moderation: moderators act on every post of a thread they can see. Views enforce the
    fine predicates below; this one only tells a moot act (hiding a post another moderator has just hidden)
    from a forbidden one (require_unless_moot)."""
    return _is_moderator(user) and can_view_thread(user, post.thread)


def can_hide_post(user, post) -> bool:
    """Hide a shown post (with a reason); withdrawn posts are shown to nobody already."""
    return can_moderate_post(user, post) and not post.is_hidden and not post.is_withdrawn


def can_unhide_post(user, post) -> bool:
    """Show a hidden post again."""
    return can_moderate_post(user, post) and post.is_hidden


def can_pin_post(user, post) -> bool:
    """Pin a shown post to the top of its thread (e.g. the office's summary)."""
    return can_moderate_post(user, post) and not post.is_pinned and not post.is_hidden and not post.is_withdrawn


def can_unpin_post(user, post) -> bool:
    """Take a pinned post from the top of its thread."""
    return can_moderate_post(user, post) and post.is_pinned


def can_redact_post(user, post) -> bool:
    """Remove a passage (client data) from a post and every earlier version of it, in any state."""
    return can_moderate_post(user, post)


def can_moderate_thread(user, thread) -> bool:
    """The reach of the moderation over threads: moderators act on the threads they can see (the fine
    predicates below say which act, in which state)."""
    return _is_moderator(user) and can_view_thread(user, thread)


def can_pin_thread(user, thread) -> bool:
    """Pin a thread to the top of its list."""
    return can_moderate_thread(user, thread) and not thread.is_pinned


def can_unpin_thread(user, thread) -> bool:
    """Put a pinned thread back into the order of latest activity."""
    return can_moderate_thread(user, thread) and thread.is_pinned


def can_lock_thread(user, thread) -> bool:
    """Close an open thread for replies."""
    return can_moderate_thread(user, thread) and not thread.is_locked


def can_unlock_thread(user, thread) -> bool:
    """Open a locked thread again."""
    return can_moderate_thread(user, thread) and thread.is_locked


def can_rename_thread(user, thread) -> bool:
    """Give a thread a new title (an event's or idea's main thread too: its title then differs)."""
    return can_moderate_thread(user, thread)


def can_redact_thread(user, thread) -> bool:
    """Remove a passage (client data) from the title of a thread of its own — a Fachforum's thread or a
    follow-up; the main thread of an event or an idea carries that one's title (an idea's is redacted with
    the idea)."""
    return can_moderate_thread(user, thread) and thread.is_standalone


def can_redact_idea(user, idea) -> bool:
    """Remove a passage (client data) from an idea's texts, its earlier versions and its discussion's title."""
    return _is_moderator(user) and can_view_idea(user, idea)


def can_move_thread(user, thread) -> bool:
    """Only standalone threads move between Fachforen; an event's or idea's own discussion stays there."""
    return can_moderate_thread(user, thread) and thread.is_standalone


def can_view_reports(user) -> bool:
    """The report queue (Meldungen) is for moderators and admins."""
    return _is_moderator(user)


def can_decide_case(user, post) -> bool:
    """Open the case of a reported post and close it (hide the post or find no violation): moderators, for
    posts of threads they see; a case closed meanwhile is refused by the service, with a message."""
    return can_view_reports(user) and can_moderate_post(user, post)


def can_suspend_user(user, target) -> bool:
    """Moderators suspend active members and organisers; admins also moderators and other admins — nobody
    suspends themselves."""
    return (_is_moderator(user) and target.id != user.id and target.status == "active"
            and (target.role in ("member", "organiser") or _is_admin(user)))


def can_reactivate_user(user, target) -> bool:
    """Lift a suspension, with the same reach as suspending."""
    return (_is_moderator(user) and target.id != user.id and target.status == "suspended"
            and (target.role in ("member", "organiser") or _is_admin(user)))


def can_follow(user, target) -> bool:
    """Members follow threads, ideas and events they can see."""
    if isinstance(target, Idea):
        return can_view_idea(user, target)
    if getattr(target, "__tablename__", "") == "threads":
        return can_view_thread(user, target)
    return _is_member(user)


def can_view_notifications(user) -> bool:
    """Every active member has a notification list."""
    return _is_member(user)


def can_view_notification(user, notification) -> bool:
    """A notification is shown (listed, mailed in a digest) while its thread and idea are visible to the user;
    the same rule as visible_notifications() in SQL."""
    return ((notification.thread is None or can_view_thread(user, notification.thread))
            and (notification.idea is None or can_view_idea(user, notification.idea)))


def visible_notifications(user, query: Select) -> Select:
    """Only notifications about what the user may (still) see: their thread and idea pass visible_threads and
    visible_ideas (an idea sent back for review drops out of its followers' bell, list and digest)."""
    return query.where(
        or_(Notification.thread_id.is_(None), Notification.thread_id.in_(visible_threads(user, select(Thread.id)))),
        or_(Notification.idea_id.is_(None), Notification.idea_id.in_(visible_ideas(user, select(Idea.id)))))


def moderator_accounts():
    """SQL condition: the accounts that moderate (moderators and admins), e.g. who is told about a report."""
    return User.role.in_(STAFF_ROLES)


def staff_users():
    """SQL condition: the accounts of the service office (organisers, moderators, admins), who may appear as
    actors in the Moderationsprotokoll."""
    return User.role != "member"


def visible_members(user, query: Select) -> Select:
    """Member lists show active accounts; admins also see pending and suspended ones."""
    if _is_admin(user):
        return query.where(User.status != "deleted")
    return query.where(User.status == "active")


def can_view_member(user, member) -> bool:
    """The same rule as visible_members() for one profile page (for logged-in members): active accounts; admins
    also see pending, suspended and rejected ones. Everyone else gets 404, as if the account did not exist."""
    if not _is_member(user):
        return False
    if _is_admin(user):
        return member.status != "deleted"
    return member.status == "active"


# --- announcements ------------------------------------------------------------------------------------------

def can_manage_announcements(user) -> bool:
    """Moderators (and admins) write Mitteilungen to a segment of the members and see the list of them."""
    return _is_moderator(user)


def can_edit_announcement(user, announcement) -> bool:
    """A Mitteilung is edited (and test-mailed) only while it is a draft; once queued its text is what was sent."""
    return _is_moderator(user) and announcement.status == "draft"


def can_send_announcement(user, announcement) -> bool:
    """A draft is sent once: the moderator confirms the number of recipients and it is queued for the command."""
    return _is_moderator(user) and announcement.status == "draft"


def can_view_announcement(user, announcement, *, received: bool = False) -> bool:
    """Moderators read every Mitteilung; a member reads one that reached them (`received`: they have a
    notification of it)."""
    if _is_moderator(user):
        return True
    return _is_member(user) and received and announcement.status != "draft"


def require(allowed: bool) -> None:
    """Stop the request with 403 unless the predicate allowed it."""
    if not allowed:
        abort(403)


def require_unless_moot(allowed: bool, *, reach: bool) -> bool:
    """require() for an act whose predicate depends on the object's state (hide a shown post, pin an unpinned
    one): True when allowed; False when the user has the reach but the state no longer allows the act — another
    moderator was quicker, or a second click — so the view says that nothing changed instead of 403; 403 else."""
    if allowed:
        return True
    require(reach)
    return False


class _TemplatePredicates:
    """`can.approve_registrations(current_user)` in templates: the same functions, without the prefix."""

    def __getattr__(self, name: str):
        predicate = globals().get(f"can_{name}")
        if predicate is None:
            raise AttributeError(name)
        return predicate


template_predicates = _TemplatePredicates()
