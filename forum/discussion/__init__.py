"""Discussions: Fachforen (boards), threads of boards, events and ideas, posts, and the client-data guard."""
from flask import Blueprint

bp = Blueprint("discussion", __name__, url_prefix="/discussion")
