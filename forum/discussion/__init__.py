"""Discussions: Fachforen (boards), threads of boards, events and ideas, posts, quotes and mentions."""
from flask import Blueprint

bp = Blueprint("discussion", __name__, url_prefix="/discussion")
VIEW_MODULES = ("views", "board_views", "mention_views")  # each adds its routes to bp; create_app() imports them
