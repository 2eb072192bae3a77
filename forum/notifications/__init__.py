"""Notifications: following, in-app notifications with the header bell, e-mail (immediately, digest, never)."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
