"""Moderation: pending registrations and the audit log (Moderationsprotokoll)."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
VIEW_MODULES = ("views", "post_views")  # each adds its routes to bp; create_app() imports them
