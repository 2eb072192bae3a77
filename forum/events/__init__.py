"""Dialogue events (Dialogveranstaltungen): details, registration with waiting list, documentation, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
# Each adds its routes to bp; create_app() imports them.
VIEW_MODULES = ("views", "manage_views", "report_views", "pack_views")
