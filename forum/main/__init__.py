"""The home page (dashboard), the language switch and the health check."""
from flask import Blueprint

bp = Blueprint("main", __name__)
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
