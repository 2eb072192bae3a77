"""The services of the notifications package in one place: the outbox, following, in-app notifications and
notification e-mail. Each lives in its own module; other packages import them from here."""
from __future__ import annotations

from forum.notifications.following import follow, following_page, is_following, unfollow  # noqa: F401
from forum.notifications.inbox import (mark_all_read, mark_read, notifications_page, notify_follow_up,  # noqa: F401
                                       notify_idea_status, notify_new_post, notify_new_report, notify_post_hidden,
                                       notify_report_resolved, unread_count)
from forum.notifications.mailing import (make_unsubscribe_token, send_digests, unsubscribe,  # noqa: F401
                                         user_from_unsubscribe_token)
from forum.notifications.outbox import (absolute_url, deliver, pending_messages, queue_mail,  # noqa: F401
                                        queue_mails, render_mail)
