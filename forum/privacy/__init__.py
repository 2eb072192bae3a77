"""Data protection (DSGVO): download my data, delete my account, and the retention purge."""
from flask import Blueprint

bp = Blueprint("privacy", __name__, url_prefix="/privacy")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
