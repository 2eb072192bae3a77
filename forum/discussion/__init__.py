"""Discussion: threads of events and ideas, follow-up threads; boards and posts follow."""
from flask import Blueprint

bp = Blueprint("discussion", __name__, url_prefix="/discussion")
