"""Accounts: registration, login, passwords and the own profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
