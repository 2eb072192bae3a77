"""Accounts: registration, login, passwords and the own profile."""
from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/accounts")
