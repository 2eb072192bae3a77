"""Administration: user accounts (role, status, organisation)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
