"""Organisations: the Jobcenter directory, organisation pages, and their administration and CSV import."""
from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
