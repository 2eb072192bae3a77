"""Accounts: registration, login (with a second factor), passwords, sessions and the own profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
# Each adds its routes to bp; create_app() imports them.
VIEW_MODULES = ("views", "second_factor_views", "session_views")
