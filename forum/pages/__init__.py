"""Legal pages (Impressum, Datenschutz, Barrierefreiheit, Nutzungsbedingungen), public and admin-editable."""
from flask import Blueprint

bp = Blueprint("pages", __name__, url_prefix="/pages")
VIEW_MODULES = ("views",)  # each adds its routes to bp; create_app() imports them
