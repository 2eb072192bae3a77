"""The benchmark's bare reference (not part of the product): a minimal Flask app that serves one pre-rendered
thread page from one query, under the same gunicorn settings as the extranet (`bench/throughput.py` starts it).

    BARE_DATABASE_URL=sqlite:///… gunicorn --workers 2 --pythonpath bench bare:app
"""
import os

from flask import Flask
from sqlalchemy import create_engine, text

app = Flask(__name__)
engine = create_engine(os.environ["BARE_DATABASE_URL"])
PAGE = text("SELECT html FROM bench_bare_pages WHERE id = 1")


@app.get("/")
def page():
    """The stored HTML of the thread page, read anew for each request."""
    with engine.connect() as connection:
        return connection.execute(PAGE).scalar_one()
