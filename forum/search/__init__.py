"""Search: German full-text search over everything a member may see (forum/search/engine.py), the index that
follows every change (index.py), the text of documentation files (extract.py)."""
from flask import Blueprint

bp = Blueprint("search", __name__, url_prefix="/search")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
