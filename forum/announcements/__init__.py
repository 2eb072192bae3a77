"""Announcements (Mitteilungen) of the service office to a segment of the members, sent by a command."""
from flask import Blueprint

bp = Blueprint("announcements", __name__, url_prefix="/announcements")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
