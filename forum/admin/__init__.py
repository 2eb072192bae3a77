"""Administration: user accounts (role, status, organisation)."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
