"""Dialogue events (Dialogveranstaltungen): details, registration with waiting list, documentation, calendars."""
from flask import Blueprint

bp = Blueprint("events", __name__, url_prefix="/events")
