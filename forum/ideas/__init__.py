"""The ideas exchange (Ideenbörse): ideas of the Jobcenters, their status, votes, adoptions and links to events."""
from flask import Blueprint

bp = Blueprint("ideas", __name__, url_prefix="/ideas")
VIEW_MODULES = ("views", "term_views")  # each adds its routes to bp; create_app() imports them
