"""The only module-level app: `gunicorn wsgi:app` (set FORUM_CONFIG=production and the FORUM_* secrets)."""
from forum import create_app

app = create_app()
