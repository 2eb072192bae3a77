"""Starting threads and linking them to events; posts come with the discussions issue."""
from __future__ import annotations

from forum.discussion.models import Thread
from forum.extensions import db


def start_thread(title: str, *, author, event=None, idea=None, follow_up_of=None) -> Thread:
    """Create a thread: the main thread of an event or an idea, a follow-up of an event, or a standalone one."""
    thread = Thread(title=title.strip(), created_by=author, event=event, idea=idea, follow_up_event=follow_up_of)
    db.session.add(thread)
    db.session.flush()
    return thread
