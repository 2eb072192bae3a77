"""Organisations: the Jobcenter directory, organisation pages, and their administration and CSV import."""
from flask import Blueprint

bp = Blueprint("organisations", __name__, url_prefix="/organisations")
