"""Programme statistics for the service office: figures per period (charts, data tables, CSV/XLSX exports)."""
from flask import Blueprint

bp = Blueprint("statistics", __name__, url_prefix="/statistics")
VIEW_MODULES = ("views",)  # adds its routes to bp; create_app() imports it
