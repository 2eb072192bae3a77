"""Moderation: hiding, pinning, redacting and editing posts, locking, renaming and moving threads, reports and
their cases, suspensions, pending registrations and the Moderationsprotokoll."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
VIEW_MODULES = ("views", "post_views")  # each adds its routes to bp; create_app() imports them
