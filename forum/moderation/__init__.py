"""Moderation: pending registrations and the audit log (Moderationsprotokoll)."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/moderation")
