"""Barrier feedback (BITV 2.0 § 7): anyone reports a barrier from any page; admins work through the reports."""
from flask import Blueprint

bp = Blueprint("feedback", __name__, url_prefix="/feedback")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
